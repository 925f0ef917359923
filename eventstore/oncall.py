"""The on-call rota (issue 20) in the store: one stream per service and role, each entry a fact."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID, uuid5

from domain.oncall import OnCallSet, Rota, fold_rota, shift_problem
from eventstore.accounts import NAMESPACE, AccountError, Accounts
from eventstore.application import SafeguardingRecords


def rota_stream(service: str, role: str) -> UUID:
    return uuid5(NAMESPACE, f"oncall:{service}:{role}")


class OnCallRota:
    def __init__(self, records: SafeguardingRecords) -> None:
        self.records, self.accounts = records, Accounts(records)

    def rota(self, service: str, role: str) -> Rota:
        return fold_rota(service, role, (r.fact for r in self.records.stream(rota_stream(service, role))))

    def set(self, service: str, role: str, user_id: str, start: datetime, end: datetime, by: str) -> Rota:
        """Put `user_id` on call; AccountError, recording nothing, if they cannot be (no such active
        person, or one who does not hold the role at the service or organisation-wide)."""
        problem = shift_problem(start, end)
        if problem:
            raise AccountError(problem)
        account = self.accounts.account(user_id)
        if account is None or account.deactivated_at is not None:
            raise AccountError(f"no active user {user_id}")
        if role not in account.principal().roles_at(service):
            raise AccountError(f"{user_id} does not hold {role.replace('_', ' ')} at {service}: grant it first "
                               f"(`safeguard users grant {user_id} {role} --service {service}`)")
        fact = OnCallSet(at=datetime.now(timezone.utc), service=service, role=role, user_id=user_id,
                         start=start.astimezone(timezone.utc), end=end.astimezone(timezone.utc), by=by)
        self.records.append(rota_stream(service, role), [fact], label=f"on-call rota {service} {role}")
        return self.rota(service, role)
