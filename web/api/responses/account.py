"""Who is signed in, and their API tokens."""

from __future__ import annotations

from pydantic import Field

from web.api.responses.base import Answer


class RoleHeld(Answer):
    role: str
    service: str | None
    cases: list[str]
    until: str | None


class SignedIn(Answer):
    user_id: str
    display_name: str
    roles: list[RoleHeld]
    channel: str
    token_id: str | None
    csrf_token: str | None = Field(None, description="a session's CSRF token: send it as X-CSRF-Token on writes")
    must_change_password: bool | None = Field(None, description="a session's password must be changed first")


class RoleScope(Answer):
    role: str
    service: str | None


class TokenView(Answer):
    token_id: str
    name: str
    issued_at: str
    expires_at: str
    revoked_at: str | None
    last_used_at: str | None
    last_used_from: str | None
    scope: list[RoleScope] | None


class TokenIssued(TokenView):
    token: str = Field(description="the token itself: shown this once")
