"""`safeguard threshold`: apply the local threshold tool to a concern's facts, and list the tools."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import typer

from cli.common import CommandError, emit_json, fail, plain, read_json
from domain.threshold import PriorConcerns, ThresholdDecision, ThresholdProfile, assess as assess_facts
from domain.threshold import load_profile, profile_names
from domain.threshold.model import LEVEL_LABEL, NOTIFICATIONS

app = typer.Typer(
    help="Threshold decisions: apply a local threshold tool (Sussex or Guernsey) to a concern's facts, "
    "with the rationale, matched indicators and required notifications.",
    no_args_is_help=True,
)

REQUEST_KEYS = ("category", "facts", "prior")
WIDTH = 100


@app.command()
def assess(
    profile: str = typer.Option(..., "--profile", help="threshold profile the service is configured with: " + " | ".join(profile_names())),
    file: Path = typer.Option(..., "--file", help='facts file {"category": ..., "facts": {...}, "prior": {...}} ("-" reads standard input)'),
    as_json: bool = typer.Option(False, "--json", help="print the decision as JSON"),
) -> None:
    """Assess one concern: the level (non_reportable / consultation / reportable), why, and what must happen."""
    try:
        tool = load_profile(profile)
        category, facts, prior = _read_request(file)
        decision = assess_facts(tool, category, facts, prior)
    except CommandError as e:
        fail(str(e), e.code)
    except ValueError as e:  # unknown profile, category or fact, wrong type
        fail(str(e))
    if as_json:
        emit_json(decision)
    else:
        _print_decision(decision)


@app.command()
def profiles(
    profile: str | None = typer.Option(None, "--profile", help="only this profile"),
    category: str | None = typer.Option(None, "--category", help="only this category"),
    as_json: bool = typer.Option(False, "--json", help="print the profiles as JSON"),
) -> None:
    """List the threshold profiles, their categories, facts and indicators, each with its seed line."""
    try:
        chosen = [load_profile(profile)] if profile else [load_profile(n) for n in profile_names()]
    except ValueError as e:
        fail(str(e))
    if category and not any(p.category(category) for p in chosen):
        fail(f"unknown category {category!r}; known categories: "
             + ", ".join(sorted({k for p in chosen for k in p.category_keys()})))
    if as_json:
        emit_json([_profile_json(p, category) for p in chosen])
        return
    for p in chosen:
        _print_profile(p, category)


def _read_request(path: Path) -> tuple[str, Any, PriorConcerns | None]:
    try:
        data = read_json(path)
    except OSError as e:
        raise CommandError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not a UTF-8 text file") from None
    return request_parts(data, "standard input" if str(path) == "-" else str(path))


def request_parts(data: Any, where: str) -> tuple[str, Any, PriorConcerns | None]:
    """A threshold request's category, facts and prior concerns (the API reads its body with it)."""
    if not isinstance(data, dict):
        raise CommandError(f'{where}: expected an object {{"category": ..., "facts": {{...}}}}, got {type(data).__name__}')
    unknown = sorted(set(data) - set(REQUEST_KEYS))
    if unknown:
        raise CommandError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(REQUEST_KEYS)})")
    if "category" not in data:
        raise CommandError(f"{where}: missing 'category'")
    if not isinstance(data["category"], str):
        raise CommandError(f"{where}: 'category' must be a string")
    if "facts" not in data:
        raise CommandError(f"{where}: missing 'facts'")
    prior = data.get("prior")
    if prior is not None and not isinstance(prior, dict):
        raise CommandError(f"{where}: 'prior' must be an object with same_source, same_pair, same_service, source_note")
    return data["category"], data["facts"], prior


def _print_decision(d: ThresholdDecision) -> None:
    typer.echo(f"{LEVEL_LABEL[d.level].upper()} ({d.rag}) - {d.profile} {d.profile_version} - {d.category_title}")
    typer.echo(f"Urgent escalation: {'YES' if d.urgent_escalation else 'no'}")
    if d.required_notifications:
        typer.echo("Required notifications:")
        for code in d.required_notifications:
            typer.echo(f"  - {code}: {NOTIFICATIONS[code]}")
    typer.echo("\nMatched indicators:" if d.matched else "\nMatched indicators: none")
    for m in d.matched:
        typer.echo(_wrap(f"{m.level:<15}{m.indicator} [{m.source.seed} line {m.source.line}, {m.source.column}]", "  ", 17))
    typer.echo(f"\nAlternative actions ({LEVEL_LABEL[d.level].lower()}):")
    for action in d.alternative_actions:
        typer.echo(_wrap(f"- {action}", "  ", 4))
    typer.echo("\nRationale:")
    typer.echo(_wrap(plain(d.rationale), "  ", 2))  # it quotes the request's source_note


def _print_profile(p: ThresholdProfile, only: str | None) -> None:
    typer.echo(f"{p.name} {p.version}: {p.title}")
    typer.echo(_wrap(f"{p.document} [{p.seed}]", "  ", 2))
    typer.echo(f"  digest {p.digest}")
    low = p.low_level
    typer.echo(f"  several low-level concerns: same source >= {low.same_source_at_least}, same pair >= {low.same_pair_at_least}, "
               f"same service >= {low.same_service_at_least}, over {low.lookback_days} days")
    for rule in p.rules:
        effect = ", ".join([*rule.notify, *(["urgent escalation"] if rule.urgent_escalation else [])])
        typer.echo(f"  rule {rule.id}: when {rule.when.describe()} -> {effect} [line {rule.source.line} of {rule.source.seed}]")
    for cat in p.categories:
        if only and cat.key != only:
            continue
        typer.echo(f"\n  {cat.key}: {cat.title}")
        facts = ", ".join(f"{f.name}({f.type if f.type != 'choice' else '|'.join(f.choices)})" for f in cat.facts)
        typer.echo(_wrap(f"facts: {facts}", "    ", 11))
        for ind in cat.indicators:
            when = "not evaluated (qualifier)" if ind.when is None else ind.when.describe()
            typer.echo(f"    {ind.id}  {ind.level}  {ind.source.seed} line {ind.source.line}, {ind.source.column}")
            typer.echo(_wrap(ind.wording, "      ", 6))
            typer.echo(_wrap(f"when {when}", "      ", 11))


def _profile_json(p: ThresholdProfile, only: str | None) -> dict[str, Any]:
    data = p.model_dump(mode="json")
    data["digest"] = p.digest
    if only:
        data["categories"] = [c for c in data["categories"] if c["key"] == only]
    return data


def _wrap(text: str, indent: str, hang: int) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=" " * hang, break_on_hyphens=False)
