"""Shared by the browser tests: the real app served by uvicorn on a local port (over the test's
time-skipping Temporal server, a real worker and a SQLite store), Debian's chromium driven by
Playwright (`executable_path`), accounts made in the store, a screenshot and an axe-core check of
every page visited. Screenshots and axe reports go to artefacts/browser/ (gitignored; CI keeps it)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import urlsplit

import uvicorn

from domain.access import Assignment
from eventstore.accounts import Accounts
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "artefacts" / "browser"
PASSWORD = "correct-horse-battery-9"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-sandbox"]
# axe-core rules for WCAG 2.0/2.1/2.2 A and AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str:
    path = os.environ.get("SAFEGUARD_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise RuntimeError("no chromium: run ./scripts/test (it installs Debian's chromium) or ./scripts/chromium")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The app on http://127.0.0.1:PORT and the accounts of the test's users."""

    def __init__(self, app, records, base: str) -> None:
        self.app, self.records, self.base = app, records, base
        self.accounts = Accounts(records)

    def user(self, user_id: str, *assignments: Assignment, name: str | None = None) -> str:
        self.accounts.add_user(user_id, name or f"User {user_id}", PASSWORD, by="test")
        for a in assignments:
            self.accounts.grant(user_id, a, by="test")
        return user_id

    def events(self) -> int:
        return self.records.recorder.max_notification_id() or 0

    def case_facts(self, case_id: str) -> list:
        return self.records.stored_facts(case_id)


@asynccontextmanager
async def serve(settings, records, client, port: int | None = None) -> AsyncIterator[Site]:
    app = create_app(settings, records=records, client=client)
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield Site(app, records, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        server.force_exit = True  # open SSE streams would otherwise hold the shutdown
        await asyncio.wait_for(task, 10)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


async def check_page(page, name: str) -> None:
    """Save the page's screenshot and fail on any axe-core WCAG A/AA violation."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / f"{slug(name)}.png"), full_page=True)
    width = page.viewport_size["width"]
    if width <= 400:  # a phone or small tablet: nothing may push the page wider than the screen
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= width, f"{name}: wider than {width} px"
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # from the pages' own origin, as their Content-Security-Policy allows (an inline script is refused)
        here = urlsplit(page.url)
        await page.add_script_tag(url=f"{here.scheme}://{here.netloc}/static/vendor/axe.min.js")
    result = await page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                   "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
    (ARTEFACTS / f"{slug(name)}.axe.json").write_text(json.dumps(violations, indent=2))
    assert not violations, f"{name}: accessibility violations: {json.dumps(violations, indent=1)}"


async def sign_in(page, base: str, user_id: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base}/sign-in")
    await page.get_by_label("User id").fill(user_id)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/")
