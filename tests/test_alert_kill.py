"""A worker killed while alerts are being sent (issue 20): every alert arrives, a repeat carries
the same Message-ID, and one `AlertSent` is recorded for each.

Real processes (tests/processes.py): a Temporal dev server, and the worker (`python worker.py`)
with SMTP settings pointed at a real SMTP server (aiosmtpd, tests/servers/mail.py). The SMTP
server holds its answer to every message until released, so the kill lands mid-send whatever the
machine's speed: each message is handed over, the worker is killed (SIGKILL) before it hears the
answer, and the activity is tried again by the restarted worker once its heartbeat timeout
has passed (30 s: the workflow's DELIVER options), most of this test's time."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bootstrap import open_records
from casework.temporal.cases import complete_step
from domain.access import Assignment
from domain.alerts import alert_key, message_id
from domain.concern import StepCompletion
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from tests.cases import RECORDS, ROLES
from tests.conftest import concern
from tests.processes import WorkerProcess, eventually, processes
from tests.servers.mail import MailServer
from tests.test_faults import Outcomes, complete_until_done, dev_server, raise_until_answered

DSL = "designated_safeguarding_lead"
CASES = 3  # fewer than the activities a worker runs at once, so every alert is in flight at the kill


async def test_a_worker_killed_mid_send_loses_no_alert_and_records_each_once(tmp_path: Path, monkeypatch):
    with MailServer(hold=True) as mail, processes() as procs:
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(mail.port)),
                            ("SMTP_FROM", "alerts@sg.example"), ("PUBLIC_URL", "https://sg.example")):
            monkeypatch.setenv(f"SAFEGUARD_{name}", value)  # the worker process's settings
        _, settings, client = await dev_server(procs, tmp_path, "alert-kill")
        records = open_records(settings)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        accounts = Accounts(records)  # the DSL, reached in working hours and out of them
        accounts.add_user("DSL-1", "DSL-1", None, by="test")
        accounts.grant("DSL-1", Assignment(DSL, "SVC-ELM"), by="test")
        accounts.set_contact("DSL-1", "dee@example.org", None, True, by="test")
        OnCallRota(records).set("SVC-ELM", DSL, "DSL-1", now - timedelta(hours=1), now + timedelta(hours=6), by="test")

        worker = procs.add(WorkerProcess(settings, tmp_path / "worker.log"))
        worker.start()
        await worker.polling(client)
        out = Outcomes()
        ids = [f"AK-{i}-{uuid.uuid4().hex[:6]}" for i in range(CASES)]
        for case_id in ids:
            await raise_until_answered(client, settings, concern(now.isoformat(), case_id=case_id), out)
        for case_id in ids:  # the service's history attached: the case's loop is free to send alerts
            await eventually(lambda c=case_id: any(f.type == "ServiceHistoryAttached" for f in records.stored_facts(c)), 30,
                             f"{case_id}: the service's history attached")
            await complete_until_done(client, case_id, "record_concern", out)
            await complete_step(client, case_id, StepCompletion(  # live risk: escalated to the DSL at once
                step="peer_risk_review", role=ROLES["peer_risk_review"], actor="TL-1",
                record={**RECORDS["peer_risk_review"], "source_still_has_access": True}))

        # every alert handed to the SMTP server, none answered yet: the worker dies mid-send
        await eventually(lambda: mail.mailbox.held == CASES, 60, f"{CASES} messages held by the SMTP server")
        assert not [f for i in ids for f in records.stored_facts(i) if f.type == "AlertSent"]
        worker.kill()
        mail.release()
        worker.start()
        await worker.polling(client)

        def sent() -> list | None:
            facts = {i: [f.fact for f in records.stored_facts(i) if f.type == "AlertSent"] for i in ids}
            return facts if all(facts.values()) else None

        # the killed attempts time out (start-to-close), and are tried again by the new worker
        alert_sent = await eventually(sent, 150, "an AlertSent for every alert, after the restart", every_s=0.5)

        ids_taken = Counter(m["Message-ID"] for m in mail.mailbox.messages)
        for case_id in ids:
            escalation = next(f.fact for f in records.stored_facts(case_id) if f.type == "Escalated")
            expected = message_id(alert_key(case_id, escalation.escalation_id, "1", "DSL-1", "email"), "sg.example")
            # one AlertSent for the alert, person and channel, naming the message the server took
            assert [(s.alert_id, s.user_id, s.channel, s.reference) for s in alert_sent[case_id]] == [
                (f"{escalation.escalation_id}.1", "DSL-1", "email", expected)]
            # it arrived, once before the kill and again after it, each time with the same Message-ID
            about = [m for m in mail.mailbox.messages if m["Subject"].endswith(f"case {case_id}")]
            assert len(about) >= 2 and {m["Message-ID"] for m in about} == {expected}, [m["Message-ID"] for m in about]
            assert ids_taken[expected] == len(about)
        assert worker.starts == 2
