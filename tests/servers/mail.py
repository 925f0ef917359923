"""A real SMTP server for the alert tests (aiosmtpd), scripted by attempt count: it refuses the
first `refuse_first` messages with a temporary failure, then accepts. With `hold`, it takes each
message and keeps its answer back until `release()`: a sender killed meanwhile has handed the
message over but never hears that it was taken (the window in which a crash sends twice)."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.servers import personal


@dataclass
class Mailbox:
    refuse_first: int = 0
    attempts: int = 0
    messages: list[email.message.Message] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # when each message was taken (time.time()), beside `messages`
    held: int = 0  # messages taken whose answer was kept back
    released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.released.set()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.attempts <= self.refuse_first:
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.append(time.time())
        if not self.released.is_set():
            self.held += 1
            while not self.released.is_set():  # the sender's connection closing cancels this
                await asyncio.sleep(0.01)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    def __init__(self, refuse_first: int = 0, hold: bool = False) -> None:
        self.mailbox = Mailbox(refuse_first=refuse_first)
        if hold:
            self.mailbox.released.clear()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def release(self) -> None:
        """Answer the messages held, and every message from now on at once."""
        self.mailbox.released.set()

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.mailbox.released.set()
        self.controller.stop()
        if exc[0] is None:  # no personal data in any message taken (tests/servers/personal.py)
            personal.check(f"{m['Subject']}\n{m.get_payload()}" for m in self.mailbox.messages)
