"""`safeguard threshold`: apply the local threshold tool to a concern's facts, and list the tools."""

from __future__ import annotations

import textwrap
from pathlib import Path

import typer

from casework import policy
from casework.refusals import Refusal
from cli.common import CommandError, emit_json, fail, plain, read_json
from domain.threshold import ThresholdDecision, ThresholdProfile, profile_names
from domain.threshold.model import LEVEL_LABEL, NOTIFICATIONS

app = typer.Typer(
    help="Threshold decisions: apply a local threshold tool (Sussex or Guernsey) to a concern's facts, "
    "with the rationale, matched indicators and required notifications.",
    no_args_is_help=True,
)

WIDTH = 100


@app.command()
def assess(
    profile: str = typer.Option(..., "--profile", help="threshold profile the service is configured with: " + " | ".join(profile_names())),
    file: Path = typer.Option(..., "--file", help='facts file {"category": ..., "facts": {...}, "prior": {...}} ("-" reads standard input)'),
    as_json: bool = typer.Option(False, "--json", help="print the decision as JSON"),
) -> None:
    """Assess one concern: the level (non_reportable / consultation / reportable), why, and what must happen."""
    try:
        decision = policy.assess_threshold(profile, read_json(file), "standard input" if str(file) == "-" else str(file))
    except CommandError as e:  # the file unreadable
        fail(str(e), e.code)
    except Refusal as e:  # not JSON; an unknown profile, category or fact; a fact of the wrong type
        fail(e.message)
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
        chosen = policy.profiles(profile, category)
    except Refusal as e:
        fail(e.message)
    if as_json:
        emit_json([policy.profile_json(p, category) for p in chosen])
        return
    for p in chosen:
        _print_profile(p, category)


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


def _wrap(text: str, indent: str, hang: int) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=" " * hang, break_on_hyphens=False)
