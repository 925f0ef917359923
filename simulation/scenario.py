"""A scripted case for rehearsing the pathway: a concern, timed actions, and when to stop."""

from __future__ import annotations

from typing import Any, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from domain.concern import ConcernBody
from domain.inputs import not_epoch


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Timed(Model):
    at: AwareDatetime

    _epoch = field_validator("at", mode="before")(not_epoch)


class StepAction(Timed):
    step: str
    role: str  # checked by the workflow, so a wrong role is reported as a rejected action
    actor: str
    record: Any = None
    occurrence: int | None = None


class DevelopmentAction(Timed):
    development: dict[str, Any]


class AcknowledgeAction(Timed):
    acknowledge: dict[str, Any]


Action = Union[StepAction, DevelopmentAction, AcknowledgeAction]


class Scenario(Model):
    concern: ConcernBody
    actions: list[Action] = []
    run_until: AwareDatetime | None = None

    _epoch = field_validator("run_until", mode="before")(not_epoch)

    @model_validator(mode="before")
    @classmethod
    def _name_the_bad_action(cls, data: Any) -> Any:
        # Pick each action's kind by its keys, so errors name the action rather than three guesses.
        if isinstance(data, dict) and isinstance(data.get("actions"), list):
            actions = []
            for i, a in enumerate(data["actions"]):
                if not isinstance(a, dict):
                    raise ValueError(f"actions[{i}] must be an object")
                kind = DevelopmentAction if "development" in a else AcknowledgeAction if "acknowledge" in a else StepAction
                try:
                    actions.append(kind.model_validate(a))
                except ValidationError as e:
                    problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or kind.__name__}: {err['msg']}" for err in e.errors())
                    raise ValueError(f"actions[{i}] ({kind.__name__}): {problems}") from None
            data = {**data, "actions": actions}
        return data
