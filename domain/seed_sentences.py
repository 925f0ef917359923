"""The sentences of `shared/seeds/001_83683b439f7bdd5b.txt` that the pathway's steps come from, word for
word, by the citation each `Step.seed` starts with. The pages quote them as a step's help text
(tests/test_pages_pure.py checks them against the seed file)."""

from __future__ import annotations

SEED_FILE = "001_83683b439f7bdd5b.txt"

# citation -> (line in the seed file, the sentence)
SENTENCES: dict[str, tuple[int, str]] = {
    '001 example 1 step 1': (
        9,
        'The Senior Support Worker records the initial peer-to-peer concern within fifteen minutes of identification, capturing exact behaviour observed, who initiated the interaction and the adult’s immediate emotional or physical presentation in the urgent peer safeguarding incident form within the digital care record, then flags the entry for same-shift Team Leader review before the response phase ends.',
    ),
    '001 example 1 step 2': (
        11,
        'The Team Leader completes an immediate peer-risk review within thirty minutes, recording whether the alleged source of harm still has access, whether the behaviour appears repeated or targeted and whether another adult may also be affected in the peer safeguarding protection tracker, then stores the tracker in the restricted safeguarding workspace and escalates instantly where live risk remains present.',
    ),
    '001 example 1 step 3': (
        13,
        'The Registered Manager undertakes a same-day seriousness assessment, recording frequency of similar incidents, level of power imbalance between the adults and any known fear or avoidance behaviour in the peer safeguarding threshold matrix, then files the matrix in the safeguarding decision folder and confirms completion before the end of the working day.',
    ),
    '001 example 1 step 4': (
        15,
        'The Designated Safeguarding Lead reviews the concern within four working hours, recording suspected abuse category, whether humiliation, coercion or exploitation indicators are present and whether external safeguarding threshold may already be met in the safeguarding route decision record, then saves the record in the governance reporting template and triggers urgent escalation where two or more high-risk indicators are identified.',
    ),
    '001 example 1 step 5': (
        17,
        'The Quality and Safeguarding Lead audits peer-linked safeguarding concerns weekly, recording percentage of same-day seriousness reviews completed, number of cases escalated after delayed recognition and number of records missing exact targeting detail in the safeguarding governance dashboard, then reviews findings at governance where compliance below 95 percent triggers immediate practice correction.',
    ),
    '001 example 2 step 1': (
        23,
        'The Team Leader opens a peer-protection plan within one working hour of managerial review, recording separation measures introduced, shared-space restrictions applied and supervision arrangements for both adults in the peer safeguarding protection plan, then stores the plan in the restricted safeguarding workspace and checks implementation before the current shift ends.',
    ),
    '001 example 2 step 2': (
        25,
        'The Safeguarding Administrator updates the chronology within four working hours, recording prior linked incidents, changes in access to communal areas and any previous staff interventions attempted in the safeguarding chronology sheet, then files the sheet in the case evidence folder and checks sequence accuracy before threshold reassessment takes place.',
    ),
    '001 example 2 step 3': (
        27,
        'The Registered Manager completes a pattern and impact review within the same working day, recording whether the same adult has targeted others before, whether the harmed adult’s routines have changed and whether emotional wellbeing has deteriorated in the peer-to-peer impact assessment form, then uploads the form to the safeguarding decision folder and flags immediate senior review where repeated targeting is evident.',
    ),
    '001 example 2 step 4': (
        29,
        'The Operations Director reviews wider service implications within one working day, recording whether staffing presence in shared areas was adequate, whether environmental setup contributed to repeated contact and whether more than one adult may be affected in the peer safeguarding service risk log, then saves the log in the governance reporting template and escalates where wider exposure appears possible.',
    ),
    '001 example 2 step 5': (
        31,
        'The Quality and Safeguarding Lead audits peer-protection cases fortnightly, recording percentage of separation plans implemented on time, number of chronology gaps requiring correction and number of repeated incidents after controls were introduced in the safeguarding evidence audit tracker, then reviews results at the quality meeting where repeat incidents above one trigger targeted retraining.',
    ),
    '001 example 3 step 1': (
        37,
        'The Designated Safeguarding Lead submits the external safeguarding referral within twenty-four hours where threshold is met, recording referral date and time, receiving authority contact and concise rationale for suspected peer-to-peer abuse, intimidation or exploitation in the safeguarding referral submission record, then files the record in the restricted safeguarding workspace and confirms receipt before the working day ends where possible.',
    ),
    '001 example 3 step 2': (
        39,
        'The Registered Manager opens a live peer-safeguarding follow-up plan immediately after referral, recording current supervision arrangements, contact restrictions still active and welfare review frequency for the harmed adult in the safeguarding follow-up tracker, then stores the tracker in the provider assurance workspace and reviews it at the end of every working day until stabilised.',
    ),
    '001 example 3 step 3': (
        41,
        'The Safeguarding Administrator updates the chronology within one working day of every development, recording new incidents prevented, agency contact made and action deadlines arising from that contact in the safeguarding chronology sheet, then saves the chronology in the case evidence folder and checks accuracy before each multi-agency discussion or internal review.',
    ),
    '001 example 3 step 4': (
        43,
        'The Operations Director reviews all live peer-to-peer safeguarding cases every seventy-two hours, recording unresolved targeting risk, overdue protective actions and any sign that service-level supervision remains weak in the live safeguarding oversight dashboard, then uploads the dashboard to the executive governance folder and escalates where open risk remains beyond agreed protective timescales.',
    ),
    '001 example 3 step 5': (
        45,
        'The Quality and Safeguarding Lead completes a closure and learning review within five working days of case conclusion, recording substantiation outcome, action completion rate and lessons for earlier recognition of peer targeting or bullying in the peer safeguarding learning template, then presents findings at the monthly governance meeting where repeated themes across two or more cases trigger service-wide improvement planning.',
    ),
}


def seed_sentence(citation: str) -> tuple[int, str] | None:
    """The sentence a step's `seed` citation ("001 example 1 step 1: ...") names, with its line."""
    key = citation.split(":", 1)[0].strip()
    return SENTENCES.get(key)
