"""The API's policy as data (no case data): the pathway in force, the threshold tools, and a
threshold tool applied to a concern's facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from casework import policy
from domain.threshold import profile_names
from domain.policy import Pathway
from domain.threshold import ThresholdDecision
from web.api import bodies
from web.api import responses as shapes
from web.api.answers import answer
from web.api.contract import READ, SIGNED_IN, BODY, problems
from web.api.deps import Reader, Writer
from web.api.strict import StrictRoute

router = APIRouter(tags=["policy"], route_class=StrictRoute)


@router.post("/threshold/assessments", summary="Apply a threshold tool to a concern's facts",
             response_model=ThresholdDecision, responses=problems(*SIGNED_IN, *BODY))
async def threshold_assessment(body: bodies.ThresholdRequest, principal: Writer,
                               profile: Annotated[str, Query(description="the threshold tool",
                                                             json_schema_extra={"enum": profile_names()})]) -> JSONResponse:
    return answer(policy.assess_threshold(profile, body.model_dump(exclude_unset=True), body.what))


@router.get("/threshold/profiles", summary="The threshold profiles, their categories, facts and indicators",
            response_model=list[shapes.ThresholdProfileView], responses={**READ, **problems(404)})
def threshold_profiles(principal: Reader,
                       profile: Annotated[str | None, Query(json_schema_extra={"enum": profile_names()})] = None,
                       category: str | None = None) -> JSONResponse:
    return answer([policy.profile_json(p, category) for p in policy.profiles(profile, category)])


@router.get("/pathway", summary="The pathway in force, as data", response_model=Pathway, responses=problems(*SIGNED_IN))
def pathway(principal: Reader) -> JSONResponse:
    return answer(policy.pathway())
