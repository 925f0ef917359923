"""The channels configured (settings), as one place that sends an alert's email or text message:
email by SMTP when it is set up, else by GOV.UK Notify; text messages by Notify."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.channel import Delivered, SendFailed
from alerts.notify import NotifySender
from alerts.smtp import SmtpSender
from configuration.settings import Settings
from domain.alerts import ALERTS, AlertMessage, AlertPolicy


@dataclass
class Senders:
    smtp: SmtpSender | None = None
    notify: NotifySender | None = None

    @classmethod
    def from_settings(cls, s: Settings) -> "Senders":
        smtp = SmtpSender(s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_username or None, s.smtp_password or None,
                          s.smtp_starttls) if s.smtp_host else None
        notify = NotifySender(s.notify_api_key, s.notify_email_template, s.notify_text_template,
                              base_url=s.notify_base_url) if s.notify_api_key else None
        return cls(smtp, notify)

    @property
    def can_email(self) -> bool:
        return self.smtp is not None or (self.notify is not None and bool(self.notify.email_template))

    @property
    def can_text(self) -> bool:
        return self.notify is not None and bool(self.notify.text_template)

    def policy(self) -> AlertPolicy | None:
        """The alert policy in force, for a case to record when alerts first apply to it; None while
        no channel is set up (SMTP or GOV.UK Notify): a case then does not alert in this run."""
        return ALERTS if self.can_email or self.can_text else None

    def email(self, to: str, message: AlertMessage, key: str) -> Delivered:
        if self.smtp is not None:
            return self.smtp.send(to, message, key)
        if self.can_email:
            return self.notify.send_email(to, message, key)  # type: ignore[union-attr]
        raise SendFailed("no email channel is set up (SAFEGUARD_SMTP_HOST, or GOV.UK Notify)", retry=False)

    def text(self, to: str, message: AlertMessage, key: str) -> Delivered:
        if not self.can_text:
            raise SendFailed("no text message channel is set up (GOV.UK Notify)", retry=False)
        return self.notify.send_text(to, message, key)  # type: ignore[union-attr]
