"""The live board checks who is watching before every push (issue 18): a role revoked takes its
service's cases off the very next push, and a session signed out ends the stream with "session
ended" before anything more is sent. Each connection, and each case it first shows, is audited."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest_asyncio

from bootstrap import build_worker
from casework.temporal.cases import raise_concern
from domain.access import Assignment
from domain.concern import ConcernBody
from tests.api_support import concern_body
from tests.browser_support import PASSWORD, serve

ELM, OAK = "SVC-ELM", "SVC-OAK"


@pytest_asyncio.fixture(loop_scope="session")
async def site(env, settings, records, monkeypatch):
    monkeypatch.setattr("web.pages.board.HEARTBEAT_EVERY", 0.3)
    monkeypatch.setattr("web.pages.live.WATCH_EVERY", 0.05)
    settings.cookie_secure = False  # httpx keeps a Secure cookie for https only; this server is plain http
    async with build_worker(env.client, records, settings), serve(settings, records, env.client) as s:
        yield s


async def raise_at(env, settings, service: str) -> str:
    body = ConcernBody.model_validate({**concern_body(service=service),
                                       "raised_by": {"actor": "SSW-1", "role": "senior_support_worker"}})
    return (await raise_concern(env.client, settings.task_queue, body)).case_id


async def pushes(stream) -> asyncio.Queue:
    """Each SSE `board` event's data, as it comes."""
    queue: asyncio.Queue = asyncio.Queue()

    async def read() -> None:
        event = None
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "board":
                await queue.put(line.split(":", 1)[1].strip())
    queue.task = asyncio.create_task(read())  # type: ignore[attr-defined]
    return queue


async def next_with(queue: asyncio.Queue, text: str, within: float = 10) -> str:
    async with asyncio.timeout(within):
        while True:
            data = await queue.get()
            if text in data:
                return data


async def test_a_revoked_role_and_a_sign_out_reach_an_open_board_before_its_next_push(site, env, settings):
    site.user("TL-40", Assignment("team_leader", ELM), Assignment("team_leader", OAK))
    async with httpx.AsyncClient(base_url=site.base, timeout=30) as c:
        token = re.search(r'name="login_csrf" value="([^"]+)"', (await c.get("/sign-in")).text).group(1)
        await c.post("/sign-in", data={"user_id": "TL-40", "password": PASSWORD, "next": "/", "login_csrf": token})
        page = await c.get("/")  # its sign-out form carries the session's CSRF token
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        async with c.stream("GET", "/board/stream") as stream:
            queue = await pushes(stream)
            oak = await raise_at(env, settings, OAK)
            await next_with(queue, oak)  # shown while the role is held
            site.accounts.revoke("TL-40", "team_leader", OAK, by="test")
            elm = await raise_at(env, settings, ELM)
            after = await next_with(queue, elm)  # the next push after the revocation
            assert oak not in after
            another_oak = await raise_at(env, settings, OAK)
            async with httpx.AsyncClient(base_url=site.base, cookies=c.cookies, timeout=30) as same_browser:
                await same_browser.post("/sign-out", data={"csrf_token": csrf})
            ended = await next_with(queue, "Your session has ended")
            assert another_oak not in ended
            queue.task.cancel()
    lines = [a for a in site.accounts.access_log(user_id="TL-40") if a.action == "read"]
    assert {a.case_id for a in lines} >= {oak, elm} and another_oak not in {a.case_id for a in lines}
    assert len([a for a in lines if a.case_id == elm]) == 1  # once: when the board first showed it


async def test_a_case_stored_while_the_board_is_being_rendered_is_pushed_at_once(site, env, settings, monkeypatch):
    """Found by the replicas' browser test (issue 23): the watcher woke the streams while one was still
    rendering its board, so that stream slept through it until its next heartbeat (15 s). A stream now
    compares the board's generation with the one it rendered."""
    import web.pages.board as board

    monkeypatch.setattr(board, "HEARTBEAT_EVERY", 30)  # only the wake can bring the case in time
    site.user("TL-41", Assignment("team_leader", ELM))
    rendering, real = asyncio.Event(), board._render

    async def slow(*args, **kwargs):
        answer = await real(*args, **kwargs)
        if not rendering.is_set():  # the first render: the case is stored, and noticed, before it is sent
            rendering.set()
            await asyncio.sleep(1.0)
        return answer

    monkeypatch.setattr(board, "_render", slow)
    async with httpx.AsyncClient(base_url=site.base, timeout=60) as c:
        token = re.search(r'name="login_csrf" value="([^"]+)"', (await c.get("/sign-in")).text).group(1)
        await c.post("/sign-in", data={"user_id": "TL-41", "password": PASSWORD, "next": "/", "login_csrf": token})
        async with c.stream("GET", "/board/stream") as stream:
            queue = await pushes(stream)
            await rendering.wait()
            case = await raise_at(env, settings, ELM)
            await next_with(queue, case, within=8)
            queue.task.cancel()
