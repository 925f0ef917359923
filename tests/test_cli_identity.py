"""The CLI as the local operator (embedded) and with a personal token (SAFEGUARD_MODE=production)."""

from __future__ import annotations

import asyncio
import getpass
import json
from datetime import timedelta

import pytest_asyncio
from typer.testing import CliRunner

from bootstrap import build_worker
from casework.temporal.cases import raise_concern
from cli.identity import TOKEN_NEEDED
from cli.main import app
from configuration.settings import get_settings
from domain.access import Assignment
from domain.concern import ConcernBody
from domain.facts import StepCompleted
from eventstore.accounts import Accounts
from tests.cli_support import cli_against
from tests.api_support import concern_body
from tests.cases import RECORDS

runner = CliRunner()


@pytest_asyncio.fixture(loop_scope="session")
async def cli(env, settings, records, monkeypatch, tmp_path):
    cli_against(env, settings, monkeypatch)
    record = tmp_path / "record.json"
    record.write_text(json.dumps(RECORDS["record_concern"]))

    async def invoke(*args: str):
        get_settings.cache_clear()
        return await asyncio.to_thread(runner.invoke, app, list(args))

    async def new_case() -> str:
        body = ConcernBody.model_validate(concern_body())
        return (await raise_concern(env.client, settings.task_queue, body)).case_id

    async with build_worker(env.client, records, settings):
        yield invoke, new_case, str(record), Accounts(records), records
    get_settings.cache_clear()


def completed(records, case_id: str) -> list[StepCompleted]:
    return [r.fact for r in records.stored_facts(case_id) if isinstance(r.fact, StepCompleted)]


async def test_embedded_cli_acts_as_the_local_operator_and_says_so(cli):
    invoke, new_case, record, _, records = cli
    case_id = await new_case()
    result = await invoke("step", "complete", case_id, "record_concern", "--as", "senior_support_worker",
                          "--actor", "SSW-14", "--file", record)
    assert result.exit_code == 0, result.stderr
    [done] = completed(records, case_id)
    assert (done.actor, done.role, done.channel, done.os_user) == ("SSW-14", "senior_support_worker", "cli", getpass.getuser())
    missing = await invoke("step", "complete", case_id, "peer_risk_review", "--file", record)
    assert missing.exit_code == 2 and "give --as ROLE and --actor ID" in missing.stderr


async def test_production_cli_needs_a_personal_token(cli, monkeypatch):
    invoke, new_case, record, _, records = cli
    case_id = await new_case()
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    result = await invoke("step", "complete", case_id, "record_concern", "--file", record)
    assert result.exit_code == 2 and TOKEN_NEEDED in result.stderr
    monkeypatch.setenv("SAFEGUARD_TOKEN", "sgt_0123.not-a-token")
    result = await invoke("step", "complete", case_id, "record_concern", "--file", record)
    assert result.exit_code == 2 and "not known" in result.stderr
    assert completed(records, case_id) == []


async def test_production_cli_acts_as_the_tokens_user_through_the_same_authorisation(cli, monkeypatch):
    invoke, new_case, record, accounts, records = cli
    case_id = await new_case()
    accounts.add_user("TL-7", "Tess", None, by="test")
    accounts.grant("TL-7", Assignment("team_leader", "SVC-ELM"), by="test")
    accounts.add_user("SSW-7", "Sam", None, by="test")
    accounts.grant("SSW-7", Assignment("senior_support_worker", "SVC-ELM"), by="test")
    monkeypatch.setenv("SAFEGUARD_MODE", "production")

    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("TL-7", "cli", None, timedelta(days=1), by="test").secret)
    refused = await invoke("step", "complete", case_id, "record_concern", "--file", record)
    assert refused.exit_code == 2
    assert ("Only a senior support worker at SVC-ELM can complete this step (Record the initial peer-to-peer "
            "concern). You are a team leader there.") in refused.stderr
    [audit] = [a for a in accounts.access_log(case_id=case_id) if a.action == "refused"]
    assert (audit.user_id, audit.channel) == ("TL-7", "cli")
    typed = await invoke("step", "complete", case_id, "record_concern", "--as", "team_leader", "--actor", "X-1", "--file", record)
    assert typed.exit_code == 2 and "come from your token" in typed.stderr

    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("SSW-7", "cli", None, timedelta(days=1), by="test").secret)
    result = await invoke("step", "complete", case_id, "record_concern", "--file", record)
    assert result.exit_code == 0, result.stderr
    [done] = completed(records, case_id)
    assert (done.actor, done.role, done.channel) == ("SSW-7", "senior_support_worker", "cli")


async def test_production_cli_raises_as_the_tokens_user(cli, monkeypatch, tmp_path):
    invoke, _, _, accounts, records = cli
    accounts.add_user("SSW-8", "Sam", None, by="test")
    accounts.grant("SSW-8", Assignment("senior_support_worker", "SVC-ELM"), by="test")
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("SSW-8", "cli", None, timedelta(days=1), by="test").secret)
    body = tmp_path / "concern.json"
    body.write_text(json.dumps(concern_body()))
    result = await invoke("concern", "raise", "--file", str(body), "--json")
    assert result.exit_code == 0, result.stderr
    raised = records.stored_facts(json.loads(result.stdout)["case_id"])[0].fact
    assert raised.concern.raised_by.model_dump() == {"actor": "SSW-8", "role": "senior_support_worker"}
    body.write_text(json.dumps(concern_body(raised_by={"actor": "X-1", "role": "team_leader"})))
    named = await invoke("concern", "raise", "--file", str(body))
    assert named.exit_code == 2 and "raised_by comes from who you are signed in as" in named.stderr


async def test_production_cli_acts_in_the_provider_process_as_the_tokens_user(cli, monkeypatch):
    invoke, _, _, accounts, records = cli
    accounts.add_user("CM-3", "Cam", None, by="test")
    accounts.grant("CM-3", Assignment("contract_manager"), by="test")
    accounts.add_user("COM-3", "Col", None, by="test")
    accounts.grant("COM-3", Assignment("commissioner"), by="test")
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("CM-3", "cli", None, timedelta(days=1), by="test").secret)
    refused = await invoke("commissioner", "process", "open", "SVC-PP-1", "--reason", "peer targeting")
    assert refused.exit_code == 2
    assert ("Only a commissioner can open a provider-concern process. You are a contract manager for the whole "
            "organisation.") in refused.stderr
    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("COM-3", "cli", None, timedelta(days=1), by="test").secret)
    opened = await invoke("commissioner", "process", "open", "SVC-PP-1", "--reason", "peer targeting", "--json")
    assert opened.exit_code == 0, opened.stderr
    facts = records.process_facts(json.loads(opened.stdout)["process_id"])
    assert (facts[0].fact.actor, facts[0].fact.role) == ("COM-3", "commissioner")


async def test_production_cli_completes_a_governance_action_as_the_tokens_user(cli, monkeypatch):
    invoke, _, _, accounts, records = cli
    accounts.add_user("TL-8", "Tess", None, by="test")
    accounts.grant("TL-8", Assignment("team_leader", "SVC-ELM"), by="test")
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("TL-8", "cli", None, timedelta(days=1), by="test").secret)
    unknown = await invoke("audit", "complete-action", "weekly-1999-01-01-x", "--evidence", "done")
    assert unknown.exit_code == 2 and "no governance action weekly-1999-01-01-x" in unknown.stderr
    typed = await invoke("audit", "complete-action", "weekly-1999-01-01-x", "--as", "team_leader", "--actor", "TL-8",
                         "--evidence", "done")
    assert typed.exit_code == 2 and "come from your token" in typed.stderr


async def test_production_cli_reads_a_case_in_scope_and_not_one_out_of_it(cli, monkeypatch):
    """Issue 18 §2, the CLI's face: a team leader at SVC-ELM reads an SVC-ELM case; one at SVC-OAK, or a
    token narrowed to SVC-OAK, is answered as for an unknown case, and the refusal is audited."""
    invoke, new_case, _, accounts, _ = cli
    case_id = await new_case()  # at SVC-ELM
    accounts.add_user("TL-40", "Tess", None, by="test")
    accounts.grant("TL-40", Assignment("team_leader", "SVC-ELM"), by="test")
    accounts.grant("TL-40", Assignment("team_leader", "SVC-OAK"), by="test")
    monkeypatch.setenv("SAFEGUARD_MODE", "production")
    monkeypatch.setenv("SAFEGUARD_TOKEN", accounts.issue_token("TL-40", "cli", None, timedelta(days=1), by="test").secret)
    seen = await invoke("chronology", case_id)
    assert seen.exit_code == 0, seen.stderr
    narrowed = accounts.issue_token("TL-40", "oak", (Assignment("team_leader", "SVC-OAK"),), timedelta(days=1), by="test")
    monkeypatch.setenv("SAFEGUARD_TOKEN", narrowed.secret)
    for command in (("chronology", case_id), ("concern", "status", case_id)):
        hidden = await invoke(*command)
        assert hidden.exit_code != 0 and f"no case {case_id}" in hidden.stderr, hidden.output
        assert case_id not in hidden.stdout
    refusals = [a for a in accounts.access_log(case_id=case_id) if a.user_id == "TL-40" and not a.allowed]
    assert len(refusals) == 2
