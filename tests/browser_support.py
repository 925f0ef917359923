"""Shared by the browser tests: the real app served by uvicorn on a local port (over the test's
time-skipping Temporal server, a real worker and a SQLite store), Debian's chromium driven by
Playwright (`executable_path`), accounts made in the store, a screenshot and an axe-core check of
every page visited at 1280 and 375 px, and a check that it shows none of the engine's words.
Screenshots and axe reports go to artefacts/browser/ (gitignored; CI keeps it)."""

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
from playwright.async_api import TimeoutError as PlaywrightTimeout

from domain.access import Assignment
from eventstore.accounts import Accounts
from tests.page_words_support import assert_plain
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "artefacts" / "browser"
PASSWORD = "correct-horse-battery-9"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-sandbox"]
# axe-core rules for WCAG 2.0/2.1/2.2 A and AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 375)  # a desktop and a phone: every page is checked at both
SCREENSHOTS = "SAFEGUARD_SCREENSHOTS"  # a folder for the staff guide's pictures (docs/screenshots)
GUIDE_MAX_BYTES = 1_000_000


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
    """Save the page's screenshot; fail on any of the engine's words in what it shows (assert_plain);
    fail on any axe-core WCAG A/AA violation at 1280 and at 375 px, and at 375 px on anything wider
    than the screen. The viewport is put back as it was. With SAFEGUARD_SCREENSHOTS set to a folder
    (docs/screenshots), a 1280 px full-page PNG of the page is saved there too, named by its slug."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / f"{slug(name)}.png"), full_page=True)
    assert_plain(await page.content(), name)
    size = dict(page.viewport_size)
    try:
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": size["height"]})
            if width <= 400:  # a phone or small tablet: nothing may push the page wider than the screen
                await _settled_within(page, width)
                wide = await page.evaluate("document.scrollingElement.scrollWidth")
                assert wide <= width, f"{name}: {wide} px wide at {width} px"
            elif os.environ.get(SCREENSHOTS):
                await _guide_screenshot(page, name)
            await _axe(page, f"{name} at {width} px")
    finally:
        await page.set_viewport_size(size)


async def _settled_within(page, width: int) -> None:
    """The header's menu is laid out again a moment after a resize (the design system's script waits
    for the resizing to stop): give it up to a second to fit before the width is measured."""
    try:
        await page.wait_for_function("w => document.scrollingElement.scrollWidth <= w", arg=width, timeout=1000)
    except PlaywrightTimeout:
        pass  # still wider: the assertion that follows says by how much


async def _guide_screenshot(page, name: str) -> None:
    """The staff guide's picture of the page: full page, or the first screen if that is over 1 MB."""
    folder = Path(os.environ[SCREENSHOTS])
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(name)}.png"
    await page.screenshot(path=str(path), full_page=True)
    if path.stat().st_size > GUIDE_MAX_BYTES:
        await page.screenshot(path=str(path))


async def _axe(page, name: str) -> None:
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


async def set_password_from_link(page, link: str, base: str, user_id: str, password: str,
                                 names: tuple[str, str, str]) -> None:
    """The emailed link opened signed out: a password too easy to guess refused beside its field, then
    `password` set and signed in with it. Its three pages pass check_page under `names` (the form, the
    refusal, the sign-in page after)."""
    from playwright.async_api import expect

    await page.goto(link)
    await expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    await check_page(page, names[0])
    await page.get_by_label("New password").fill("password1234")
    await page.get_by_role("button", name="Set password").click()
    await expect(page.locator("#new_password-error")).to_contain_text("too easy to guess")
    await check_page(page, names[1])
    await page.get_by_label("New password").fill(password)
    await page.get_by_role("button", name="Set password").click()
    await page.wait_for_url(f"{base}/sign-in")
    await expect(page.get_by_text("Your password has been set. Sign in.")).to_be_visible()
    await check_page(page, names[2])
    await page.get_by_label("User id").fill(user_id)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{base}/")
