"""Rules and readings shared by the Sussex and Guernsey profiles."""

from __future__ import annotations

from domain.conditions import all_, any_, count_true, eq, ge, is_, not_, one_of
from domain.threshold.model import NotificationRule, Source

PEER_SEED = "001_83683b439f7bdd5b.txt"
PEER_STEP4 = Source(seed=PEER_SEED, category="Operational Example 1", column="Step 4 (safeguarding route decision)", line=15)

HIGH_RISK_PEER = ("humiliation", "coercion", "exploitation")

# 001 step 4: "triggers urgent escalation where two or more high-risk indicators are identified"
URGENT_ESCALATION = NotificationRule(
    id="urgent_escalation",
    wording=(
        "whether humiliation, coercion or exploitation indicators are present and whether external safeguarding "
        "threshold may already be met ... triggers urgent escalation where two or more high-risk indicators are identified."
    ),
    source=PEER_STEP4,
    when=count_true(HIGH_RISK_PEER, 2),
    urgent_escalation=True,
    # an urgent escalation to the DSL cannot sit with a "record internally" decision
    minimum_level="consultation",
)

PEER_HIGH_RISK_NOTE = (
    "001 (peer-to-peer harm) treats humiliation, coercion and exploitation as the high-risk indicators of the route "
    "decision: one present means the external threshold must be considered (consultation); two or more trigger "
    "urgent escalation (profile rule urgent_escalation)."
)
PEER_HIGH_RISK_WORDING = "whether humiliation, coercion or exploitation indicators are present and whether external safeguarding threshold may already be met"
PEER_HIGH_RISK_WHEN = any_(*(is_(f) for f in HIGH_RISK_PEER))

# Readings of the peer tables' counting words, used by both profiles.
# "Multiple"/"More than one": at least one earlier incident; "Repeated": at least two
# earlier incidents (three or more in all), i.e. a pattern.
PAIR_MULTIPLE = ge("prior_incidents_between_pair", 1)
PAIR_REPEATED = ge("prior_incidents_between_pair", 2)
ANY_EARLIER = any_(ge("prior_incidents_between_pair", 1), ge("prior_incidents_same_source", 1))
COUNT_NOTE = (
    "'Multiple' / 'more than one' is read as at least one earlier incident between the same two adults; "
    "'repeated' as at least two earlier ones (a pattern)."
)

SOME_HARM = one_of("impact", "some", "significant")
NO_IMPACT = eq("impact", "none")
NOT_SIGNIFICANT = one_of("impact", "none", "some")

WELL_MANAGED = all_(
    is_("care_plan_in_place"),
    is_("care_plan_implemented"),
    is_("risk_reduction_actions_taken"),
    is_("professionals_notified"),
    is_("discussed_with_person_or_representative"),
    not_("other_abuse_indicators"),
)
