"""`safeguard dev` serves the API on its web port; a first account made with `safeguard users`
signs in, raises a concern and reads it back over HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import httpx

from tests.test_dev_process import EXAMPLE, DevStack, free_ports


def test_dev_serves_the_api(tmp_path):
    stack = DevStack(tmp_path, free_ports(2), f"dev-{uuid.uuid4().hex[:6]}")
    try:
        stack.start()
        web_port = stack.env["SAFEGUARD_WEB_PORT"]
        assert f"http://127.0.0.1:{web_port}/api/v1" in stack.output(0)
        assert "No accounts yet" in stack.output(0)
        code, out, err = stack.safeguard("users", "add", "SSW-1", "--name", "Sam Support", "--json")
        assert code == 0, err
        password = json.loads(out)["generated_password"]
        assert stack.safeguard("users", "grant", "SSW-1", "senior_support_worker", "--service", "SVC-ELM")[0] == 0
        with httpx.Client(base_url=f"http://127.0.0.1:{web_port}/api/v1", timeout=20) as c:
            assert c.get("/pathway").status_code == 401
            code, out, err = stack.safeguard("tokens", "issue", "SSW-1", "--name", "test", "--json")
            token = json.loads(out)["token"]
            headers = {"Authorization": f"Bearer {token}"}
            now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            concern = {**json.loads(EXAMPLE.read_text()), "identified_at": now}
            concern.pop("raised_by", None)  # who raised it comes from the token
            r = c.post("/cases", json=concern, headers=headers)
            assert r.status_code == 201, r.text
            case_id = r.json()["case_id"]
            assert c.get(f"/cases/{case_id}/chronology", headers=headers).json()[0]["type"] == "ConcernRaised"
            signed_in = c.post("/session", json={"user_id": "SSW-1", "password": password})
            assert signed_in.status_code == 200 and signed_in.json()["user_id"] == "SSW-1"
        # the Temporal UI is configured with the codec endpoint, which it may call from its origin
        ui = f"http://127.0.0.1:{stack.ui_port}"
        codec = f"http://127.0.0.1:{web_port}/codec"
        assert httpx.get(f"{ui}/api/v1/settings", timeout=20).json()["Codec"]["Endpoint"] == codec
        preflight = httpx.options(f"{codec}/decode", headers={
            "Origin": ui, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"})
        assert preflight.headers["access-control-allow-origin"] == ui and preflight.headers["access-control-allow-credentials"] == "true"
        code, out, err = stack.safeguard("access-log", case_id, "--json")
        assert code == 0, err
        assert [e["action"] for e in json.loads(out)] == ["write", "read"]
    finally:
        stack.clean_up()
