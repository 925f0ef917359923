"""The embedded stack on ports of one's own (`safeguard dev --port --web-port`, found by the issue 22
walk): its banner says what another terminal needs to reach it (the first command it offers failed
with "cannot reach Temporal at localhost:7233"), and links in messages follow SAFEGUARD_WEB_PORT
unless SAFEGUARD_PUBLIC_URL is set (`users reset-link --print` gave a link to port 8000 while the
pages were on 18000)."""

from __future__ import annotations

import pytest

from cli.dev import other_terminal
from configuration.settings import Settings

pytestmark = pytest.mark.unit


def test_links_follow_the_web_port_unless_the_public_url_is_given(monkeypatch):
    for name in ("SAFEGUARD_PUBLIC_URL", "SAFEGUARD_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings(_env_file=None).public_url == "http://127.0.0.1:8000"
    on_its_port = Settings(_env_file=None, web_port=18000)
    assert on_its_port.public_url == "http://127.0.0.1:18000"
    assert "public_url" not in on_its_port.model_fields_set  # `safeguard dev --web-port` may still link to its own
    assert Settings(_env_file=None, web_port=18000, public_url="https://sg.example").public_url == "https://sg.example"
    monkeypatch.setenv("SAFEGUARD_WEB_PORT", "18001")
    assert Settings(_env_file=None).public_url == "http://127.0.0.1:18001"


def test_the_banner_says_what_another_terminal_needs_to_reach_the_stack():
    defaults = Settings(_env_file=None, temporal_address="localhost:7233", web_port=8000)
    assert other_terminal(defaults, 7233, 8000) == (
        "In another terminal: .venv/bin/safeguard concern raise --file examples/concern.json --identified-now\n")
    moved = other_terminal(defaults, 17233, 18000)
    assert "export SAFEGUARD_TEMPORAL_ADDRESS=127.0.0.1:17233 SAFEGUARD_WEB_PORT=18000\n" in moved
    assert moved.endswith("then: .venv/bin/safeguard concern raise --file examples/concern.json --identified-now\n")
    # settings that already name the ports need nothing more
    named = Settings(_env_file=None, temporal_address="127.0.0.1:17233", web_port=18000)
    assert other_terminal(named, 17233, 18000).startswith("In another terminal: .venv/bin")


def test_with_no_account_the_banner_suggests_an_administrator_first(records):
    """As the README's quick start does (found by a fresh-clone trial: it suggested a quality and
    safeguarding lead, who cannot add users or grant roles in the pages)."""
    from cli.dev import accounts_hint

    hint = accounts_hint(records)
    assert "users add ADM-1 --name 'Your Name'" in hint and "users grant ADM-1 administrator" in hint
    assert "quality_safeguarding_lead" not in hint
