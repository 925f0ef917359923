"""The real Temporal UI decodes a case for those who may read it and for no one else.

The Temporal dev server runs with its UI and `--ui-codec-endpoint` at the app's codec endpoint
(web/codec.py), as `safeguard dev` starts it; a real worker raises a case, and Debian's chromium
opens the case's workflow page in the UI. The UI sends the Safeguard session cookie to the codec
endpoint only with fetch's `credentials: "include"`, which `temporal server start-dev` has no
flag for (the UI server's `codec.includeCredentials` is not exposed). So each person sets it the
way a user does, in the UI's Codec Server dialog: "Use my browser setting", the same endpoint,
"Include cross-origin credentials", Apply, then reloads the page (the UI keeps the choice in
localStorage: `overrideRemoteCodecConfiguration`, `endpoint`, `includeCredentials`). The cookie
then goes with the request because the UI at http://127.0.0.1:UI_PORT and the app at
http://127.0.0.1:WEB_PORT are the same site (SameSite=Lax allows it; ports do not count). Without
the setting the endpoint gets no cookie and answers 401; a UI opened at http://localhost:UI_PORT
sends none either (another site), which is why `safeguard dev` says to use 127.0.0.1.

A user of the case's service sees the concern's summary; a user of another service, and someone
not signed in, see the payload still encrypted: the same base64 Temporal stored.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from playwright.async_api import async_playwright, expect
from temporalio.testing import WorkflowEnvironment

from bootstrap import build_worker, client_options, open_records
from casework.temporal.cases import raise_concern
from configuration.binaries import temporal_cli
from configuration.settings import Settings
from domain.access import Assignment
from domain.concern import ConcernBody
from encryption.payload_codec import CODEC_PATH
from tests.browser_support import CHROMIUM_ARGS, Site, chromium_path, free_port, serve, sign_in
from tests.conftest import concern

SUMMARY = "Wilhelmina took Cornelius's hearing aid and hid it"


@dataclass
class Stack:
    site: Site
    codec: str  # the app's codec endpoint, as the dev server's UI is configured with it
    page: str  # the case's workflow page in the Temporal UI
    case_id: str
    stored: str  # the start of the workflow input's data as Temporal holds it (encrypted), in base64 as the UI shows it


@pytest_asyncio.fixture(loop_scope="session")
async def stack(tmp_path):
    """The app, the dev server with its UI pointed at the app's codec endpoint, a worker and one case."""
    web_port, ui_port = free_port(), free_port()
    settings = Settings(data_dir=tmp_path, task_queue=f"ui-{uuid.uuid4().hex[:6]}", workflow_sandbox=True,
                        temporal_ui_port=ui_port)
    records = open_records(settings)
    codec = f"http://127.0.0.1:{web_port}{CODEC_PATH}"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), ui=True, ui_port=ui_port,
        dev_server_extra_args=["--ui-codec-endpoint", codec], **client_options(settings, records))
    try:
        async with build_worker(env.client, records, settings), serve(settings, records, env.client, web_port) as site:
            site.user("SSW-ELM", Assignment("senior_support_worker", "SVC-ELM"))
            site.user("SSW-OAK", Assignment("senior_support_worker", "SVC-OAK"))
            now = datetime.now(timezone.utc).replace(microsecond=0)
            body = ConcernBody.model_validate(concern((now - timedelta(minutes=5)).isoformat(), summary=SUMMARY))
            case_id = (await raise_concern(env.client, settings.task_queue, body, now=now)).case_id
            yield Stack(site, codec, f"http://127.0.0.1:{ui_port}/namespaces/default/workflows/{case_id}", case_id,
                        await stored_input(env, case_id))
            await env.client.get_workflow_handle(case_id).terminate("test finished")
    finally:
        await env.shutdown()


async def stored_input(env, case_id: str) -> str:
    async for event in env.client.get_workflow_handle(case_id).fetch_history_events():
        [payload] = event.workflow_execution_started_event_attributes.input.payloads
        assert SUMMARY.encode() not in payload.data
        return base64.b64encode(payload.data).decode()[:40]
    raise AssertionError("no history")


async def include_credentials(page, endpoint: str) -> None:
    """What a user does once in the UI: Codec Server dialog, own endpoint with cross-origin credentials."""
    await page.locator("[data-testid^='data-encoder-status']").click()
    dialog = page.locator("dialog[open]")
    await dialog.get_by_label("Use my browser setting and ignore Cluster-level setting.").check()
    await dialog.get_by_label("Codec Server browser endpoint").fill(endpoint)
    await dialog.get_by_test_id("data-encoder-include-credentials").click()
    await dialog.get_by_role("button", name="Apply").click()
    await expect(dialog).to_be_hidden()


async def workflow_input(browser, stack: Stack, user_id: str | None):
    """The Input card of the case's workflow page in the Temporal UI, as `user_id` (None: not signed in)
    sees it, and the codec endpoint's answer to the UI."""
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    if user_id:
        await sign_in(page, stack.site.base, user_id)
    await page.goto(stack.page)
    await include_credentials(page, stack.codec)
    async with page.expect_response(lambda r: r.url.startswith(stack.codec + "/decode")) as answer:
        await page.reload()
    card = page.get_by_test_id("input-and-result")
    await expect(card).to_contain_text("Input")
    return card, (await answer.value).status


async def test_the_temporal_ui_shows_the_summary_only_to_those_who_may_read_the_case(stack):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            card, status = await workflow_input(browser, stack, "SSW-ELM")
            assert status == 200
            await expect(card).to_contain_text(SUMMARY)
            await expect(card).not_to_contain_text(stack.stored)

            for user_id, answered in (("SSW-OAK", 200), (None, 401)):  # 401: the UI shows "could not connect"
                card, status = await workflow_input(browser, stack, user_id)
                assert status == answered, user_id
                await expect(card).to_contain_text(stack.stored)  # the payload as stored: encrypted
                await expect(card).not_to_contain_text(SUMMARY)
        finally:
            await browser.close()

    seen = [(f.user_id, f.action) for f in stack.site.accounts.access_log(case_id=stack.case_id) if "codec" in f.what]
    assert seen == [("SSW-ELM", "read"), ("SSW-OAK", "refused")]
