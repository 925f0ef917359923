"""Where a person's alerts go (issue 20): an email address and a UK mobile number, set with
`safeguard users contact`; a bad one is refused in words and records nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from eventstore.accounts import AccountError, Accounts, user_stream

pytestmark = pytest.mark.unit


def test_contact_details_are_set_checked_and_cleared(records):
    accounts = Accounts(records)
    accounts.add_user("DSL-2", "Dee Lead", None, by="test")
    account = accounts.set_contact("DSL-2", " dee@example.org ", "07700 900 123", True, by="test")
    assert (account.email, account.mobile, account.approaching_alerts) == ("dee@example.org", "07700900123", True)
    before = len(list(records.stream(user_stream("DSL-2"))))
    for email, mobile, words in (("dee at example", None, "the email address is not one"),
                                 (None, "01273 123456", "not a UK mobile number")):
        with pytest.raises(AccountError, match=words):
            accounts.set_contact("DSL-2", email, mobile, True, by="test")
    assert len(list(records.stream(user_stream("DSL-2")))) == before  # refused: nothing recorded
    cleared = accounts.set_contact("DSL-2", None, "+447700900123", False, by="test")
    assert (cleared.email, cleared.mobile, cleared.approaching_alerts) == (None, "+447700900123", False)
    with pytest.raises(AccountError, match="no user NOPE-1"):
        accounts.set_contact("NOPE-1", "x@example.org", None, True, by="test")


def test_the_command_says_what_was_set_without_repeating_the_details(offline, monkeypatch, records):
    import cli.users as users_cli
    monkeypatch.setattr(users_cli, "records", lambda: records)
    Accounts(records).add_user("TL-4", "Tia Leader", None, by="test")
    runner = CliRunner()
    done = runner.invoke(app, ["users", "contact", "TL-4", "--email", "tia@example.org", "--no-approaching-alerts"])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "contact details set for TL-4: email; approaching-deadline alerts off"
    bad = runner.invoke(app, ["users", "contact", "TL-4", "--mobile", "123"])
    assert bad.exit_code == 2 and "not a UK mobile number" in bad.stderr
    shown = json.loads(runner.invoke(app, ["users", "contact", "TL-4", "--mobile", "07700900124", "--json"]).stdout)
    assert (shown["email"], shown["mobile"]) == (False, True)  # whether held, never the detail itself
    assert shown["approaching_alerts"] is False  # their choice stays when the command leaves it out
