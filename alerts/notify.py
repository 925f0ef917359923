"""GOV.UK Notify (notifications-python-client), for email and text messages. The alert's key goes
as Notify's `reference`. Notify's answers, from its API documentation: 201 sent; 400 a bad request
(an address it will not send to: not worth retrying); 403 the API key refused; 429 a rate or daily
limit; 500 its own error (both worth retrying)."""

from __future__ import annotations

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from alerts.channel import Delivered, SendFailed
from domain.alerts import AlertMessage

RETRY = {429, 500, 502, 503, 504}


class NotifySender:
    def __init__(self, api_key: str, email_template: str, text_template: str,
                 base_url: str = "https://api.notifications.service.gov.uk", timeout: float = 20.0) -> None:
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.email_template, self.text_template = email_template, text_template

    def send_email(self, to: str, message: AlertMessage, key: str) -> Delivered:
        return self._sent("email", lambda: self.client.send_email_notification(
            to, self.email_template, personalisation={"subject": message.subject, "body": message.body}, reference=key))

    def send_text(self, to: str, message: AlertMessage, key: str) -> Delivered:
        return self._sent("text", lambda: self.client.send_sms_notification(
            to, self.text_template, personalisation={"body": message.text}, reference=key))

    def _sent(self, channel: str, call) -> Delivered:
        try:
            answer = call()
        except APIError as e:
            status = e.status_code
            words = {400: "refused the request", 403: "refused the API key", 429: "is at its sending limit"}.get(
                status, "failed")
            raise SendFailed(f"GOV.UK Notify {words} (HTTP {status})", retry=status in RETRY) from None
        except OSError as e:  # not reached at all
            raise SendFailed(f"could not reach GOV.UK Notify ({type(e).__name__})", retry=True) from None
        return Delivered(channel=channel, via="notify", reference=str(answer["id"]))
