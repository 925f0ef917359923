"""The answers' common ground: an error, and a model that allows fields it does not name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Count = dict[str, int]  # a tally by name (a category, an outcome, a step)


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProblemDetails(Answer):
    """An error (RFC 9457): `detail` says what went wrong and what to do, in plain words."""

    type: str = Field(description='always "about:blank": the status says what kind of problem it is')
    title: str
    status: int
    detail: str
    instance: str | None = Field(None, description="the path asked for")
