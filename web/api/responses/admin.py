"""What administration answers (issue 22): the users with their roles and where their alerts go,
the API tokens, the services, the history, a link to set a password sent. Never a password's hash,
a token's secret or a link's: a user says only whether a password is set; a link sent says when it
ends, not what it is."""

from __future__ import annotations

from pydantic import Field

from web.api.responses.account import RoleHeld, TokenView
from web.api.responses.base import Answer


class UserView(Answer):
    user_id: str
    display_name: str
    kind: str = Field(description='"person", or "service" for an integration\'s account')
    roles: list[RoleHeld]
    password_set: bool = Field(description="whether they have a password (local sign-in); never the password itself")
    added_at: str | None
    deactivated_at: str | None = Field(description="when the account was closed; null: open")
    email: str | None = Field(description="where their email alerts, and a link to set a password, go")
    mobile: str | None = Field(description="a UK mobile number for urgent alerts by text message")
    approaching_alerts: bool = Field(description="their own choice: alerts when a deadline of theirs is near")


class UserTokenView(TokenView):
    user_id: str = Field(description="whose token it is")
    live: bool = Field(description="neither revoked nor expired")


class ResetLinkSent(Answer):
    user_id: str
    expires_at: str = Field(description="the link works once, until then")
    sent_again: bool = Field(description="a link was sent a moment ago already: nothing more was sent")


class ServiceView(Answer):
    service_id: str
    name: str
    provider: str
    client_group: str
    company: str | None = Field(description="the registered company, where it differs from the provider's name")
    recorded_at: str
    recorded_by: str
    source: str = Field(description='where its first details came from: "settings", "concern" or "administrator"')
    changed_at: str | None
    changed_by: str | None


class AdminHistoryEntry(Answer):
    at: str
    by: str = Field(description='who did it: a staff id, or "cli:<login>" for the command line\'s operator')
    what: str = Field(description="what was done, in words (never a password, a secret or an address)")
    user_id: str | None = Field(description="the user it was done to")
    service: str | None
    until: str | None = Field(description="an inspector's access ends then")
    start: str | None = Field(description="on call from then ...")
    end: str | None = Field(description="... until then")
