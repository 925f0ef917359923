"""Where a person's alerts go, set by an administrator (issue 22): the email address (where the link
to set a password goes, too) and the UK mobile number for urgent alerts, from the person's page in
Administration. The person's own choice of approaching-deadline alerts stays as they made it.

This is administration, checked by `may_administer` (casework/administration.py), not a widening of
`domain.access.may_set_alerts_of` (a person's own details, My alerts). The details are checked as My
alerts and the CLI's `users contact` check them (casework/alerting.py `contact_problem`). A refusal
is in the access log and records nothing; the same details sent again record nothing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.access import audit
from casework.administration import account_of, administering, name_of
from casework.alerting import contact_problem
from casework.idempotency import Outcome
from casework.ports import Ports
from casework.refusals import Invalid
from domain.access import Principal
from domain.alerts import contact_details
from domain.identity import Account
from eventstore.accounts import AccountError


@dataclass(frozen=True)
class SetAlertsOf:
    user_id: str
    email: str | None  # both each time: one left empty is cleared
    mobile: str | None = None


def set_alerts_of(ports: Ports, principal: Principal, c: SetAlertsOf, now: datetime) -> Outcome[Account]:
    """Set where someone's alerts go. The details they have already are answered as they are
    (replayed), recording nothing: a form sent twice, or saved unchanged."""
    administering(ports, principal, "change where a person's alerts go", target=c.user_id[:64] or None)
    account = account_of(ports, principal, c.user_id)
    closed = Invalid(f"{name_of(account)}'s account is closed: no alerts go to it.")
    if account.deactivated_at is not None:
        audit(ports, principal, "write", False, target=account.user_id,
              reason="change where alerts go refused: account closed")
        raise closed
    if problem := contact_problem(c.email, c.mobile):
        audit(ports, principal, "write", False, target=account.user_id,
              reason=f"change where alerts go refused: {problem.details['field']}")
        raise problem
    email, mobile = contact_details(c.email, c.mobile)
    if (email, mobile) == (account.email, account.mobile):
        return Outcome(account, replayed=True)
    try:
        account = ports.accounts.set_contact(account.user_id, email, mobile, account.approaching_alerts,
                                             principal.user_id)
    except AccountError:  # closed meanwhile
        raise closed from None
    audit(ports, principal, "write", True, target=account.user_id, reason="contact details set by an administrator")
    return Outcome(account)
