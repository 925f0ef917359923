"""A local HTTP server that answers as GOV.UK Notify's API does (its documentation: "API
documentation, Python client", send an email / a text message, and "Error codes"), for the alert
tests: Notify itself cannot be reached from these machines. It checks the client's JWT as Notify
does (HS256 with the key's secret, `iss` the service id, `iat` recent) and answers each request with
the next scripted status; every request it took is kept."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

from tests.servers import personal

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"safeguard_test-{SERVICE_ID}-{SECRET}"

ERRORS = {  # status -> Notify's documented error body
    400: {"error": "BadRequestError", "message": "Can't send to this recipient using a team-only API key"},
    403: {"error": "AuthError", "message": "Invalid token: API key not found"},
    429: {"error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"},
    500: {"error": "Exception", "message": "Internal server error"},
}


class NotifyServer:
    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])  # statuses to answer with, in order; then 201
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                status = server._status(self.headers.get("Authorization", ""))
                server.requests.append({"path": self.path, "body": body, "status": status})
                if status == 201:
                    answer = server._created(self.path, body)
                else:
                    answer = {"status_code": status, "errors": [ERRORS[status]]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _status(self, authorization: str) -> int:
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
            if claims["iss"] != SERVICE_ID or abs(time.time() - claims["iat"]) > 30:
                return 403
        except (jwt.PyJWTError, KeyError):
            return 403
        return self.script.pop(0) if self.script else 201

    def _created(self, path: str, body: dict) -> dict:
        nid = str(uuid.uuid4())
        template = {"id": body.get("template_id"), "version": 1, "uri": f"{self.base_url}/v2/template/{body.get('template_id')}"}
        if path.endswith("/sms"):
            content = {"body": body.get("personalisation", {}).get("body", ""), "from_number": "GOVUK"}
        else:
            content = {"subject": body.get("personalisation", {}).get("subject", ""),
                       "body": body.get("personalisation", {}).get("body", ""), "from_email": "safeguard@notifications.service.gov.uk"}
        return {"id": nid, "reference": body.get("reference"), "content": content,
                "uri": f"{self.base_url}/v2/notifications/{nid}", "template": template}

    def __enter__(self) -> "NotifyServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if exc[0] is None:  # no personal data in any message taken (tests/servers/personal.py)
            personal.check("\n".join(str(v) for v in r["body"].get("personalisation", {}).values()) for r in self.requests)


def alerting_settings(tmp_path, mail, notify):
    """A test's settings with alerts sent by email to `mail` and by GOV.UK Notify to `notify`."""
    import uuid

    from configuration.settings import Settings
    return Settings(data_dir=tmp_path, task_queue=f"test-{uuid.uuid4().hex[:8]}", workflow_sandbox=True,
                    smtp_host="127.0.0.1", smtp_port=mail.port, smtp_from="alerts@sg.example", notify_api_key=API_KEY,
                    notify_base_url=notify.base_url, notify_email_template="email-t", notify_text_template="text-t",
                    public_url="https://sg.example")
