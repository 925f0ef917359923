"""Administration's request bodies (issue 22), as pydantic models. They check a request's shape;
what it may hold (an id under the input rules, a role and where it is held, an inspector's cases and
end, an email address, a service's details) is checked by the use case, in the words every face
gives. No body sets a password: the person sets their own, from the link sent to them."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AwareDatetime, Field, model_validator

from domain.access import ROLES
from web.api.strict import Body

ROLE = {"enum": list(ROLES)}


class RoleBody(Body):
    """A body whose `role` is the one granted or revoked (its subject), not the role its sender acts in."""

    @model_validator(mode="before")
    @classmethod
    def _no_identity(cls, data: Any) -> Any:
        if isinstance(data, dict) and "actor" in data:
            raise ValueError("actor comes from who you are signed in as; remove actor from the body")
        return data


class NewUser(Body):
    """A person's account. It holds no role until one is granted, and no password until they set one."""

    what: ClassVar[str] = "the new user"
    user_id: str = Field(description="their staff id, for example SSW-14")
    display_name: str = Field(description="their name, as colleagues know them")
    email: str | None = Field(None, description="where their alerts, and a link to set a password, go")


class Deactivation(Body):
    what: ClassVar[str] = "the account's closing"
    reason: str | None = Field(None, description="why the account is closed (a leaver, say)")


class Grant(RoleBody):
    """A role: at a service, or across the organisation (service null, sent); an inspector's names its cases and end."""

    what: ClassVar[str] = "the grant"
    role: str = Field(json_schema_extra=ROLE)
    service: str | None = Field(None, description="the service's id; null: across the organisation. Left out, a role "
                                                  "that may be held at a service is refused: say which")
    cases: list[str] = Field([], description="an inspector's only: the cases they may read")
    until: AwareDatetime | None = Field(None, description="an inspector's only: when their access ends (within 92 days)")


class Revocation(RoleBody):
    what: ClassVar[str] = "the revocation"
    role: str = Field(json_schema_extra=ROLE)
    service: str | None = Field(None, description="where it is held; null: across the organisation")


class AlertsOf(Body):
    """Where a person's alerts go. Give both each time: a detail left out (or null) is cleared."""

    what: ClassVar[str] = "where alerts go"
    email: str | None = Field(None, description="where email alerts, and a link to set a password, go")
    mobile: str | None = Field(None, description="a UK mobile number, for urgent alerts by text message")


class NewService(Body):
    what: ClassVar[str] = "the new service"
    service_id: str = Field(description="your organisation's code for it, like SVC-ELM: never changed")
    name: str
    provider: str
    client_group: str = Field(description="who it supports, for example learning disability")
    company: str | None = Field(None, description="the registered company, if not the provider's name")


class ServiceChanges(Body):
    """A service's details to change: only those given change; a company given as null is taken away."""

    what: ClassVar[str] = "the service's details"
    name: str | None = None
    provider: str | None = None
    client_group: str | None = None
    company: str | None = None
