"""What the pathway's steps come from, word for word: the sentences of
`shared/seeds/001_83683b439f7bdd5b.txt` by the citation a `Step.seed` starts with ("001 example 1
step 1"), and the other seed lines a citation names ("000 procedure 3 (line 48)", "002 line 171").
The pages quote them as a step's help text (tests/test_pages.py checks them against the seed files)."""

from __future__ import annotations

import re

SEED_FILE = "001_83683b439f7bdd5b.txt"
SEED_FILES = {"000": "000_9750447a01789fef.txt", "001": SEED_FILE, "002": "002_bdbd6ad1bcc6475b.txt",
              "003": "003_def55763f42ffa8d.txt"}

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


# seed -> line -> the line as the seed has it (only the lines the pathway cites)
LINES: dict[str, dict[int, str]] = {
    '000': {
        22: '5. {{org_field_name}} recognises that people using the service who lack mental capacity are particularly vulnerable to abuse/harm and exploitation, but also might be the unintended perpetrators of abuse or harm to other people. It is accordingly mindful of the need to follow the principles and practice guidance of mental capacity/incapacity laws.',
        23: '6. These apply particularly to investigations of possible abuse/harm in which it is important to seek means of ascertaining the experiences and views of any victim or indeed alleged perpetrator who might lack capacity, eg by seeking the services of independent advocates.',
        30: '4. Action will be taken irrespective of whether a formal complaint, allegation or observed event or incident has taken place or not, though the process will depend very much on individual circumstances and the views and wishes of the distressed individual concerned. In line with this approach all staff are expected to report for follow up, whenever an individual shows signs of distress that could be caused by abuse or being harmed by others on their social network.',
        47: '2. In many instances where the distress experienced or perpetrating acts are not sufficiently serious to require formal investigation (though might become so if the acts were allowed to go unchecked), {{org_field_name}} will develop an appropriate intervention/safeguarding plan to assess the causes and eliminate if possible or minimise the harm being experienced. The actions to be taken are then included on the person’s care or support plan and implemented, monitored and reviewed accordingly.',
        48: '3. In instances where there might be mutual abuse or harm being committed, {{org_field_name}} will try to resolve the difficulties constructively. In appropriate instances, it might attempt some form of mediation or arrange for the parties to receive mediation from an outside agency.',
        49: '4. The management of {{org_field_name}} will always consider carefully the impact of any abusive social relationships that are causing distress and harm to a vulnerable individual. In doing so it is always prepared to consult all those affected directly and indirectly by the behaviour in question and to take professional advice, including from the local safeguarding adults authority.',
        56: 'Responsible Person: {{org_field_registered_manager_first_name}} {{org_field_registered_manager_last_name}}',
    },
    '002': {
        136: "- Are there children also at risk? If so, contact the relevant local authority Children's Services department.",
        146: 'You should always seek advice from your line manager and/or safeguarding lead if you have a concern. If in doubt or further consultation is required, contact the local authority Adult Social Care department:',
        171: "NEGLECT (AND ACTS OF OMISSION) An ongoing failure to meet someone's basic physical or psychological needs. Incidents relating to falls, pressure damage and medication concerns are addressed separately within this guidance document.\tLower-level concern where the threshold for a safeguarding enquiry is unlikely to be met. However, an internal written record of what happened and what action was taken should be kept. Where there are several low-level concerns, consideration should be given as to whether the threshold may be met for a safeguarding enquiry due to increased risk. Examples: • Appropriate care plan in place but care needs not fully met, such as incontinence needs not met on one occasion, but no impact or distress occurs. • Missed home visit where there is no impact, and no other individual visits are missed. • Incident of a person not supported with food/drink and reasonable explanation provided. • A fall where no significant injury occurs, there are no other indicators of neglect, and action is taken to minimise further risk (see the falls section for further guidance).\tIncidents at this level should be recorded, and internal policies and procedures followed. Consultation should be undertaken internally as well as through the Sussex Safeguarding Adults Policy and Procedures. Action should be taken to reduce risk, and consultation with the local authority Adult Social Care department considered. Following this you may be requested to formally raise a safeguarding concern. Examples: Recurrent missed home care visits where risk of abuse or neglect escalates, or one missed visit where abuse or neglect occurs. Discharge from hospital where abuse or neglect or risk of abuse or neglect occurs but re-admission is not required. Carer unable to continue in caring role and at risk of breakdown. Risk cannot be managed appropriately with current professional oversight or universal services. Repeated health appointments missed due to unmet needs. Any fall where there is suspected neglect or a failure to follow relevant care plans, policies, or procedures.\tIncidents at this level should be formally raised as a safeguarding concern with the local authority Adult Social Care department. Consideration should also be given as to whether the police or other emergency services need to be contacted. Ensure whole family approach if children or other adults may be impacted. Examples: Continued failure to adhere with care plan. Lack of action resulting in serious injury or death. Failure to arrange access to lifesaving services or medical treatment. Ongoing lack of care to the extent that health and wellbeing deteriorate significantly (e.g., dehydration, malnutrition, loss of independence). Missed, late or failed visit/s where the provider has failed to take appropriate action, and abuse or neglect has occurred. Discharge from hospital without adequate planning and where abuse or neglect occurs.",
        172: 'Alternative actions to consider at every stage\tAdvice and information provided. Review of existing care plans or creation of new care plans/risk assessments. Consideration for external additional services such as domestic support (e.g., Age UK). Referral to East or West Sussex Fire Service for a home safety visit. Internal organisational training or other risk management processes. Complaints or disciplinary processes.\tShare information with the ICB Quality Team and or the CQC. Share information with district nurse, GP, Occupational Therapist, or Falls Prevention Service. Referral to local authority Adult Social Care department for assessment, carers assessment, or review of existing arrangements. Review staffing arrangements.\tRAISE SAFEGUARDING CONCERN If there is an indication a criminal act has occurred, the police MUST be consulted. Immediate safety plans must be implemented.',
        289: 'Preventing incidents between adults in a service from occurring wherever possible is always the preferred approach. Those in receipt of services should expect to be supported or cared for in a safe environment. Abuse by other adults in the service who also have care and support needs themselves is just as impactful as any other form of abuse. Provider services should ensure that interventions and support arrangements are in place to minimise the risk of abuse between adults using their service.',
    },
    '003': {
        128: "In respect of 'yellow' – record the incident, consult own agency safeguarding lead, your policy and procedure. Take actions to reduce risk.",
        140: "Actions/Outcomes to consider at every stage\tAdvice, information, review of care plans, risk management planning, staff training. Review of needs/ services, Onward referrals, Complaints, disciplinary process.\tCare Needs Assessment, Carer's assessment, GP appointment re unexplained bruising, Referral to Occupational Therapy.\tRAISE SAFEGUARDING CONCERN If there is an indication a criminal act has occurred the police MUST be consulted. Immediate safety plans must be implemented.",
    },
}

_REF = re.compile(r"\b(00\d)\b|\blines? (\d+)(?:\s*-\s*(\d+))?")


def cited_lines(citation: str) -> list[tuple[str, int]]:
    """(seed, line) for each line a citation names: "000 Policy Statement 5 and 6 (lines 22-23)"."""
    seed, out = None, []
    for m in _REF.finditer(citation):
        if m.group(1):
            seed = m.group(1)
        elif seed:
            first = int(m.group(2))
            out += [(seed, n) for n in range(first, int(m.group(3) or first) + 1)]
    return out


def seed_quotes(citation: str) -> list[tuple[str, int, str]]:
    """Every passage a step's citation names, as (seed, line, text): its 001 step sentence first."""
    found = seed_sentence(citation)
    quotes = [("001", found[0], found[1])] if found else []
    for seed, line in cited_lines(citation):
        text = LINES.get(seed, {}).get(line)
        if text and (seed, line) not in {(q[0], q[1]) for q in quotes}:
            quotes.append((seed, line, text))
    return quotes


def seed_sentence(citation: str) -> tuple[int, str] | None:
    """The sentence a step's `seed` citation ("001 example 1 step 1: ...") names, with its line."""
    key = citation.split(":", 1)[0].strip()
    return SENTENCES.get(key)
