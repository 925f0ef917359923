"""The commissioner's pattern rules (004 line 117) raise a review inside their windows and not a
day outside: same alleged source or same adult within 30 days, 3 concerns within 90, 2
substantiated within 180, a reportable decision after a lower one within 180."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.commissioning import ConcernFacts, service_reviews

pytestmark = pytest.mark.unit

T0 = datetime(2027, 1, 4, 10, 0, tzinfo=timezone.utc)


def concern(n: int, day: float, **over) -> ConcernFacts:
    at = T0 + timedelta(days=day)
    base = dict(case_id=f"W-{n}", raised_at=at, adult_at_risk=f"A-{n}", alleged_source=f"B-{n}")
    return ConcernFacts(**{**base, **over})


def rules(concerns) -> list[str]:
    return sorted({r.rule for r in service_reviews(concerns)})


@pytest.mark.parametrize("inside", [29.9, 30])
def test_same_source_within_30_days(inside):
    assert rules([concern(1, 0, alleged_source="B-9"), concern(2, inside, alleged_source="B-9")]) == ["same_source_repeated"]
    assert rules([concern(1, 0, alleged_source="B-9"), concern(2, 30.1, alleged_source="B-9")]) == []


def test_same_adult_within_30_days():
    assert rules([concern(1, 0, adult_at_risk="A-9"), concern(2, 29, adult_at_risk="A-9")]) == ["same_adult_repeated"]
    assert rules([concern(1, 0, adult_at_risk="A-9"), concern(2, 31, adult_at_risk="A-9")]) == []


def test_three_concerns_within_90_days():
    assert rules([concern(1, 0), concern(2, 40), concern(3, 89)]) == ["frequent_concerns"]
    assert rules([concern(1, 0), concern(2, 40), concern(3, 91)]) == []


def closed(n: int, day: float, outcome: str = "substantiated", closed_day: float | None = None) -> ConcernFacts:
    return concern(n, day, status="closed", outcome=outcome, closed_at=T0 + timedelta(days=closed_day if closed_day is not None else day + 1))


def test_two_substantiated_within_180_days():
    assert rules([closed(1, 0), closed(2, 178)]) == ["substantiated_recurring"]
    assert rules([closed(1, 0), closed(2, 200)]) == []
    assert rules([closed(1, 0), closed(2, 100, outcome="unsubstantiated")]) == []


def filed(n: int, day: float, level: str) -> ConcernFacts:
    return concern(n, day, threshold_level=level, threshold_at=T0 + timedelta(days=day, hours=2))


def test_reportable_after_lower_within_180_days():
    assert rules([filed(1, 0, "consultation"), filed(2, 179, "reportable")]) == ["threshold_escalating"]
    assert rules([filed(1, 0, "consultation"), filed(2, 181, "reportable")]) == []
    assert rules([filed(1, 0, "reportable"), filed(2, 10, "consultation")]) == []
