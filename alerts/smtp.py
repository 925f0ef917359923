"""Email over SMTP (smtplib). Every retry of one alert carries the same Message-ID, so a repeat the
recipient's mail system sees twice is recognisably the same message."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from alerts.channel import Delivered, SendFailed
from domain.alerts import AlertMessage, message_id


class SmtpSender:
    def __init__(self, host: str, port: int = 25, sender: str = "safeguard@localhost", username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 20.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout
        self.domain = sender.rpartition("@")[2] or "localhost"

    def compose(self, to: str, message: AlertMessage, key: str) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, to, message.subject
        email["Message-ID"] = message_id(key, self.domain)
        email["Date"] = formatdate(localtime=False, usegmt=True)
        email.set_content(message.body)
        return email

    def send(self, to: str, message: AlertMessage, key: str) -> Delivered:
        email = self.compose(to, message, key)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            raise SendFailed(f"the mail server refused the recipient (SMTP {codes[0]})", retry=all(c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as e:
            raise SendFailed(f"the mail server answered SMTP {e.smtp_code}", retry=e.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as e:  # refused, dropped, timed out: it may be back soon
            raise SendFailed(f"could not reach the mail server at {self.host}:{self.port} ({type(e).__name__})",
                             retry=True) from None
        return Delivered(channel="email", via="smtp", reference=email["Message-ID"])
