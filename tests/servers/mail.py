"""A real SMTP server for the alert tests (aiosmtpd), scripted by attempt count: it refuses the
first `refuse_first` messages with a temporary failure, then accepts."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    refuse_first: int = 0
    attempts: int = 0
    messages: list[email.message.Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.attempts <= self.refuse_first:
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    def __init__(self, refuse_first: int = 0) -> None:
        self.mailbox = Mailbox(refuse_first=refuse_first)
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
