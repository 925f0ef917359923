"""The administration history says a password set with a link sent by an administrator as that
(found by the issue 22 walk: it said 'Changed their own password', as if the person had changed one
they knew); a password the person changes themselves is still 'Changed their own password'."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import bootstrap
from casework.admin_history import ReadHistory, history
from casework.passwords import issue_reset_link, redeem_reset_link
from eventstore.accounts import Accounts
from tests.test_password_reset import LINK, NEW, body, mail, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.unit


def test_a_password_set_with_a_link_is_said_so_in_the_history(settings, records, mail, site):  # noqa: F811
    ports = bootstrap.ports(settings, records)
    admin = site.account("ADM-1").principal("web", session_id="s-admin")
    now = datetime.now(timezone.utc)
    issue_reset_link(ports, admin, "TL-7", now)
    token = LINK.search(body(mail.mailbox.messages[-1])).group(1)
    assert redeem_reset_link(ports, token, NEW, now + timedelta(minutes=1)) == "TL-7"
    Accounts(records).set_password("TL-7", "a phrase of my own choosing", by="TL-7")
    said = [(e.by, e.what) for e in history(ports, admin, ReadHistory("TL-7"), now + timedelta(minutes=2))]
    assert said[:3] == [("TL-7", "Changed their own password"), ("TL-7", "Set their password with a link sent to them"),
                        ("ADM-1", "Sent a link to set their password")]
