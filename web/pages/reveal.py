"""Questions a step asks only after an answer: placed under that answer (the design system's
conditional reveal), from the pathway's requirements, so a form asks only what applies."""

from __future__ import annotations

from typing import Iterable, Mapping

from domain.conditions import Equals, OneOf
from domain.policy import Step
from web.pages.forms import FormField


def revealed(fields: list[FormField], step: Step) -> list[FormField]:
    """Questions a step asks only after an answer (a requirement on this record whose condition is one
    answer to one of its yes/no or few-choice questions: capacity, then advocate; mediation offered,
    then by whom) placed under that answer, the design system's conditional reveal. Conditions on
    several answers, or on another step, leave their questions where they are."""
    by_name = {f.name: f for f in fields}
    nested: set[str] = set()
    for r in step.requires:
        when = r.when
        if r.on_step or not (isinstance(when, Equals) or (isinstance(when, OneOf) and len(when.one_of) == 1)):
            continue
        parent = by_name.get(when.fact)
        answer = when.equals if isinstance(when, Equals) else when.one_of[0]
        kids = [by_name[n] for n in r.fields if n in by_name and n != when.fact and n not in nested]
        radios = parent is not None and (parent.type == "bool" or (parent.type == "choice" and len(parent.choices) <= 6))
        if not radios or not kids or parent.name in nested:
            continue
        key = {True: "true", False: "false"}.get(answer, answer) if parent.type == "bool" else answer
        parent.extra.setdefault("reveal", {}).setdefault(key, []).extend(kids)
        for k in kids:
            k.extra["revealed"] = True  # asked because of the answer above it: needed, not optional
        nested.update(k.name for k in kids)
    return [f for f in fields if f.name not in nested]


def every_field(fields: Iterable[FormField]) -> Iterable[FormField]:
    """The fields and those revealed under their answers, in the order the page shows them."""
    for f in fields:
        yield f
        for kids in f.extra.get("reveal", {}).values():
            yield from every_field(kids)


def unchosen(fields: Iterable[FormField], form: Mapping[str, str]) -> set[str]:
    """The questions placed under an answer that was not chosen: the design system hides them, but a
    browser still sends what was typed or ticked in them, which is not what the person answered."""
    out: set[str] = set()
    for f in fields:
        for answer, kids in f.extra.get("reveal", {}).items():
            out |= {k.name for k in every_field(kids)} if str(form.get(f.name, "")) != answer else unchosen(kids, form)
    return out
