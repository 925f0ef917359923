"""Guernsey & Alderney threshold profile, transcribed from seed 003 (Safeguarding Adults at
Risk of abuse or neglect in Guernsey & Alderney: Threshold Tool).

Every line number below is a line of 003_def55763f42ffa8d.txt. Each table's column
headings (Low risk / No impact; Medium risk / Some harm or risk of harm; High risk /
Significant harm or risk of harm) are themselves indicators on the `impact` fact.
Bullets such as "Simply resolved" or "Incident not caused by a Person in a Position
of Trust" describe the level rather than the incident; they are kept as qualifiers.
"""

from __future__ import annotations

from domain.conditions import all_, any_, eq, ge, is_, not_
from domain.threshold.common import (
    ANY_EARLIER,
    COUNT_NOTE,
    NO_IMPACT,
    NOT_SIGNIFICANT,
    PAIR_MULTIPLE,
    PAIR_REPEATED,
    PEER_HIGH_RISK_NOTE,
    PEER_HIGH_RISK_WHEN,
    PEER_HIGH_RISK_WORDING,
    PEER_SEED,
    PEER_STEP4,
    SOME_HARM,
    URGENT_ESCALATION,
    WELL_MANAGED,
)
from domain.threshold.model import LowLevelConcerns, NotificationRule, Source, ThresholdProfile
from domain.threshold.tables import Table
from domain.threshold.vocabulary import COMMON_FACTS

SEED = "003_def55763f42ffa8d.txt"
COLUMNS = {"non_reportable": "Non-reportable to Safeguarding Unit", "consultation": "Requires consultation", "reportable": "Reportable"}
LOW_LEVEL = (
    "Where there are a number of low level concerns consideration should be given as to whether the threshold is met "
    "for a safeguarding enquiry due to increased risk"
)
NR_TEXT = (
    "Lower level concern where threshold of further enquires under safeguarding are unlikely to be met. However, "
    "agencies should keep a written internal record of what happened and what action was taken, following your own "
    "internal process. " + LOW_LEVEL
)
R_ACTIONS = (
    "RAISE SAFEGUARDING CONCERN",
    "If there is an indication a criminal act has occurred the police MUST be consulted.",
    "Immediate safety plans must be implemented.",
)
AFTER = " After the conversation, they may request you formally report the concern as a "
HSC_R = " NB: You may need to contact the police/emergency services."
QUALIFIER_NOTE = "Describes the level rather than the incident; not evaluated."
NOT_PIPOT_Q = "Incident not caused by a Person in a Position of Trust"
NOT_PIPOT_C = "Incident not caused by Person in a Position of Trust"
PIPOT_Q_NOTE = "Describes the level: an incident caused by a Person in a Position of Trust is reportable."


def _table(key: str, title: str, *, header_line: int, line: int, actions_line: int, c_text: str, r_text: str,
           nr_actions: tuple[str, ...], c_actions: tuple[str, ...], r_actions: tuple[str, ...] = R_ACTIONS,
           nr_text: str = NR_TEXT, low_level: str = LOW_LEVEL) -> Table:
    t = Table(seed=SEED, columns=COLUMNS, actions_row="Actions/Outcomes to consider at every stage", key=key,
              title=title, low_level_wording=low_level)
    t.level("non_reportable", line, nr_text, actions_line, nr_actions)
    t.level("consultation", line, c_text, actions_line, c_actions)
    t.level("reportable", line, r_text, actions_line, r_actions)
    t.header("non_reportable", header_line, "Low risk: No impact", NO_IMPACT)
    t.header("consultation", header_line, "Medium risk: Some harm or risk of harm", eq("impact", "some"))
    t.header("reportable", header_line, "High risk: Significant harm or risk of harm", eq("impact", "significant"))
    return t


def _physical():
    t = _table("physical", "Physical", header_line=139, line=139, actions_line=140,
               c_text="Incidents at this level should be discussed with your designated safeguarding lead or safeguarding manager in the first instance." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to the HSC Safeguarding Unit and directed to the Adult Safeguarding Manager" + HSC_R,
               nr_actions=("Advice", "Information", "Review of care plans", "Risk management planning", "Staff training",
                           "Review of needs/ services", "Onward referrals", "Complaints", "Disciplinary process"),
               c_actions=("Care Needs Assessment", "Carer's assessment", "GP appointment re unexplained bruising", "Referral to Occupational Therapy"))
    t.n(139, "No harm/impact has occurred", NO_IMPACT)
    t.qualifier("non_reportable", 139, "Isolated incident", QUALIFIER_NOTE)
    t.n(139, "Physical contact but not with sufficient force to cause a mark or bruise, and adult is not distressed",
        all_(is_("physical_contact_no_mark"), not_("fearful_or_distressed")))
    t.n(139, "Appropriate moving and handling procedures not followed on one occasion not resulting in harm",
        all_(is_("moving_handling_not_followed_once"), NO_IMPACT))
    t.n(139, "Error by staff causing little/no harm e.g. skin mark due to ill-fitting hoist", all_(is_("staff_error"), NOT_SIGNIFICANT))
    t.qualifier("non_reportable", 139, "Simply resolved", QUALIFIER_NOTE)
    t.qualifier("non_reportable", 139, "Robust recording is in place", QUALIFIER_NOTE)
    t.qualifier("non_reportable", 139, "Relevant and appropriate risk assessments/action plan in place", QUALIFIER_NOTE)
    t.n(139, 'Minor incident that meets the criteria for "incident reporting" accidents', is_("minor_accident"))
    t.qualifier("non_reportable", 139, NOT_PIPOT_Q, PIPOT_Q_NOTE)
    t.c(139, "Unexplained minor marking or lesions, minor cuts or grips marks found on a number of occasions or on a number of service users cared for by the same team/carer",
        is_("unexplained_minor_marks_repeated"))
    t.c(139, "Repeated incidents/patterns of similar concerns", ge("prior_similar_concerns", 1))
    t.c(139, "Carer stress", any_(is_("carer_stress"), is_("carer_breakdown_risk")))
    t.c(139, "Inappropriate restraint that causes marks but no external medical treatment/ consultation required",
        all_(is_("rough_handling_or_restraint"), is_("marks_left"), not_("medical_attention_required")))
    t.c(139, "Risk can/cannot be managed appropriately with current professional oversight", is_("risk_unmanageable_with_current_oversight"),
        note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(139, "Accumulation of minor incidents", ge("prior_similar_concerns", 2), note="An accumulation is read as at least two earlier similar concerns.")
    t.qualifier("consultation", 139, NOT_PIPOT_C, PIPOT_Q_NOTE)
    t.r(139, "Unexplained, significant injuries.", is_("unexplained_serious_injury"))
    t.r(139, "Assault", is_("assault"))
    t.r(139, "Intended harm towards a service user", is_("intended_injury"))
    t.r(139, "Deliberately withholding food, drinks or aids to independence", is_("deliberate_withholding"))
    t.r(139, "Physical assaults or actions that result in significant harm or where there is ongoing distress to the adult.", eq("impact", "significant"))
    t.r(139, "Predictable and preventable incident between adults where injuries have been sustained or emotional distressed caused",
        all_(is_("predictable_preventable_incident_between_adults"), SOME_HARM))
    t.r(139, "Inappropriate restraint that requires medical treatment", all_(is_("rough_handling_or_restraint"), is_("medical_attention_required")))
    t.r(139, "Incident caused by a Person in a Position of Trust", is_("person_in_position_of_trust"))
    return t.build(139)


def _sexual():
    t = _table("sexual", "Sexual", header_line=143, line=144, actions_line=146,
               c_text="Incidents at this level should be discussed with your designated safeguarding lead or safeguarding manager in the first instance." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the Adult safeguarding Manager" + HSC_R,
               nr_actions=("Education around safe sexual relationships and conduct.", "Case management, review of care plan and risk assessments."),
               c_actions=("Complaints", "Disciplinary processes", "Information for service users around expected standards of conduct",
                          "Increased monitoring for specified period", "Outward Referrals: health, social work, police."))
    lead = "Not committed by a Person in a Position of Trust, AND: "
    t.n(145, lead + "Isolated incident or unwanted attention, either verbal or physical (excluding genitalia) where the impact is low",
        all_(not_("person_in_position_of_trust"), is_("unwanted_attention_non_genital"), NO_IMPACT))
    t.n(145, lead + "Isolated incident when an inappropriate sexualised remark is made to an adult with capacity and no distress is caused",
        all_(not_("person_in_position_of_trust"), is_("sexualised_remark_or_gesture"), not_("lacks_capacity"), NO_IMPACT))
    t.c(145, "Non-contact sexualised behaviour which causes distress to the person at risk", all_(is_("non_contact_sexualised_behaviour"), SOME_HARM),
        note="The reportable column also lists 'Contact or non-contact sexualised behaviour which causes distress', so in practice this reaches reportable.")
    t.c(145, "Verbal sexualised teasing or harassment", is_("sexualised_teasing_or_harassment"))
    t.c(145, "Being subject to indecent exposure where the service user is not distressed.", all_(is_("indecent_exposure"), NO_IMPACT))
    t.r(145, "Where there is harm or risk of harm move directly to 'Red'", SOME_HARM, source=t.source(145, "consultation"),
        note="Written in the consultation column but directs to reportable.")
    t.r(145, "Concern of grooming or sexual exploitation (including online) e.g. made to look at sexually explicit material against their will or where consent cannot be given",
        is_("grooming_or_sexual_exploitation"))
    t.r(145, "Rape, sexual assault", is_("sexual_assault_or_violence"))
    t.r(145, "Voyeurism", is_("voyeurism"))
    t.r(145, "Sexual harassment", is_("sexual_harassment"),
        note="Overlaps 'Verbal sexualised teasing or harassment' (consultation); recorded with the separate fact sexual_harassment.")
    t.r(145, "Contact or non-contact sexualised behaviour which causes distress",
        all_(any_(is_("sexual_contact"), is_("non_contact_sexualised_behaviour")), SOME_HARM))
    t.r(145, "Indecent exposure that causes distress", all_(is_("indecent_exposure"), SOME_HARM))
    t.r(145, "Any sexual act without valid consent or pressure to consent", is_("sexual_act_without_consent"))
    t.r(145, "Sex activity within a relationship characterised by authority, inequality or exploitation e.g. receiving something in return for carrying out sexual act",
        is_("sexual_activity_in_unequal_relationship"))
    t.r(145, "Any concerns about a Person in a Position of Trust", is_("person_in_position_of_trust"))
    return t.build(144)


def _psychological():
    t = _table("psychological", "Psychological", header_line=149, line=151, actions_line=153,
               c_text="Incidents at this level should be discussed with your named Safeguarding Lead or safeguarding manager in the first instance." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to the HSC Safeguarding Unit and directed to the Adult Safeguarding Manager" + HSC_R,
               nr_actions=("Input from mediation services", "Information for service users detailing expected standards of conduct",
                           "Use of behaviour chart", "Staff training re de-escalation."),
               c_actions=("Referral to appropriate Community Services team for assessment", "Onward referrals for support",
                          "Neighbourhood policing", "Housing Provider."))
    t.n(152, "No impact has occurred", NO_IMPACT)
    t.n(152, "Isolated incident where adult is spoken to in a rude or other inappropriate way – respect is undermined but no distress is caused.",
        all_(is_("spoken_to_rudely"), NO_IMPACT))
    for q in ("Simply resolved", "Internal policies and procedures followed", "Robust recording is in place",
              "Relevant and appropriate risk assessments/action plan in place."):
        t.qualifier("non_reportable", 152, q, QUALIFIER_NOTE)
    t.n(152, "Infrequent taunt or outbursts that cause no distress", all_(is_("taunts_or_outbursts"), NO_IMPACT))
    t.n(152, "Withholding information from an adult, where this is not intended to disempower them", eq("information_withheld", "not_to_disempower"))
    t.qualifier("non_reportable", 152, NOT_PIPOT_Q, PIPOT_Q_NOTE)
    t.c(152, "Repeated incidents/patterns of similar concerns.", ge("prior_similar_concerns", 1))
    t.c(152, "Carer breakdown", is_("carer_breakdown_risk"))
    t.c(152, "Risk can/cannot be managed appropriately with current professional oversight or universal services",
        is_("risk_unmanageable_with_current_oversight"), note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(152, "The withholding of information leading to disempowerment but minor impact.",
        all_(eq("information_withheld", "to_disempower"), NOT_SIGNIFICANT))
    t.c(152, "Treatment that undermines dignity and damage self esteem", is_("dignity_undermined"))
    t.c(152, "Occasional taunts or verbal outburst that do cause distress", all_(is_("taunts_or_outbursts"), SOME_HARM))
    t.c(152, "Repeated incidents of denying or failing to value their opinion, particularly in relation to service or care they receive.",
        is_("opinions_repeatedly_denied"))
    t.qualifier("consultation", 152, NOT_PIPOT_C, PIPOT_Q_NOTE)
    t.r(152, "Prolonged intimidation", is_("prolonged_intimidation_or_humiliation"), note="Listed twice in the seed's column; transcribed once.")
    t.r(152, "Denial of Human Rights/civil liberties, forced marriage, Deprivation of liberty",
        any_(is_("denial_of_human_rights"), is_("forced_marriage")))
    t.r(152, "Vicious, personalised verbal attacks", is_("vicious_verbal_attacks"))
    t.r(152, "Emotional blackmail", is_("emotional_blackmail"))
    t.r(152, "Frequent and frightening verbal outburst or harassment", is_("frightening_outbursts_or_harassment"))
    t.r(152, "Intentional restriction of personal choice or opinion", is_("intentional_restriction_of_choice"))
    t.r(152, 'Concerns regarding "cuckooing"', is_("cuckooing"))
    t.r(152, "Cyberbullying", is_("cyberbullying"))
    t.r(152, "Radicalisation – see UK PREVENT guidance", is_("radicalisation"))
    t.r(152, "Incident caused by Person in a Position of Trust", is_("person_in_position_of_trust"))
    return t.build(151)


def _financial():
    t = _table("financial", "Financial or material", header_line=156, line=157, actions_line=159,
               c_text="Incidents at this level should be discussed with the HSC safeguarding unit, the PPU or your designated safeguarding lead" + AFTER + "safeguarding alert/ and or a crime",
               r_text="Incidents at this level should be reported to the HSC Safeguarding Unit and directed to the adult safeguarding manager NB: You will need to contact the police for advice if you believe a crime has been committed",
               nr_actions=("Disciplinary", "Training", "Social Security", "Trading standards."),
               c_actions=("Referrals to appropriate Adult Community Services team", "Legal advice", "Neighbourhood Policing", "PPU", "Review of care plan."))
    t.n(158, "No impact has occurred", NO_IMPACT)
    t.n(158, "Failure by relatives to pay care fees/charges where no harm occurs and adult receives personal allowance or has access to other personal monies.",
        all_(is_("relatives_not_paying_care_charges"), NO_IMPACT))
    t.n(158, "Money is not recorded safely or properly.", is_("money_not_recorded_properly"))
    t.n(158, "Risks can be managed by current professional oversight or Universal Services", is_("risk_managed_by_current_oversight"))
    t.n(158, "Incident of staff personally benefiting from the support they offer in a way that does not involve the actual abuse of money",
        is_("staff_personally_benefiting"))
    t.n(158, "Isolated and unwanted cold calling/door step visits", is_("cold_calling"))
    t.qualifier("non_reportable", 158, "Not caused by a Person in a Position of Trust", PIPOT_Q_NOTE)
    t.c(158, "Repeated incidents/patterns of similar concerns", ge("prior_similar_concerns", 1))
    t.c(158, "Risk can/cannot be managed appropriately with current professional oversight or universal services",
        is_("risk_unmanageable_with_current_oversight"), note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(158, "Incident impacts on person's wellbeing or causes distress", eq("impact", "some"))
    t.c(158, "High level of antisocial behaviour", is_("high_antisocial_behaviour"))
    t.c(158, 'High level of visitors to property and service user appears unable to say "No"', is_("high_visitors_unable_to_say_no"))
    t.c(158, "Adult monies kept in joint bank account – unclear arrangements for equitable sharing of interest", is_("joint_account_unclear"))
    t.c(158, "Adult not routinely involved in decisions about how their money is spent or kept safe", eq("money_decisions_without_person", "routinely"))
    t.c(158, "Non-payment of care fees putting the persons care at risk", is_("care_fees_unpaid_care_at_risk"))
    t.qualifier("consultation", 158, NOT_PIPOT_C, PIPOT_Q_NOTE)
    t.r(158, "Significant impact on person's wellbeing and lifestyle", eq("impact", "significant"))
    t.r(158, "Restricted access to personal finances, property and/or possessions", is_("restricted_access_to_finances"))
    t.r(158, "Incident caused by Person in a Position of Trust including Guardianship POA", is_("person_in_position_of_trust"))
    t.r(158, "Personal finances removed from adult's control without legal authority", is_("finances_removed_without_authority"))
    t.r(158, "Fraud/exploitation relating to benefits, income, property or legal documents.", is_("fraud_or_financial_exploitation"))
    t.r(158, "Misuse/misappropriation of property, possessions or benefits by a person in a position of trust or control", is_("misappropriation"),
        note="'Or control' covers anyone controlling the adult's affairs, so misappropriation alone matches.")
    t.r(158, "Adult coerced or misled into giving over money or property.", is_("coerced_into_giving_money"))
    return t.build(157)


def _neglect():
    t = _table("neglect", "Neglect & acts of omission", header_line=162, line=163, actions_line=165,
               c_text="Incidents at this level should be discussed with the your named safeguarding lead or safeguarding manager" + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the adult safeguarding manager" + HSC_R,
               nr_actions=("Complaint", "Referral", "Care Review", "Regulator."),
               c_actions=("Referral to Community nurse, GP, OT", "Review staffing arrangements", "Disciplinary", "Regulator."))
    t.n(164, "No harm has occurred.", NO_IMPACT)
    t.qualifier("non_reportable", 164, "Relevant and appropriate risk assessments/action plan in place", QUALIFIER_NOTE)
    t.n(164, "Appropriate care plan in place; care needs not fully met but no harm or distress occurs",
        all_(is_("care_plan_in_place"), is_("care_needs_not_met_once"), NO_IMPACT))
    t.n(164, "Issues or complaints around an adult's admission and/or discharge from Hospital where no harm has occurred",
        all_(is_("hospital_admission_or_discharge_issue"), NO_IMPACT))
    t.n(164, "Isolated missed home visit where no harm occurs", all_(eq("missed_visits", 1), NO_IMPACT))
    t.n(164, "Isolated incident of an adult not supported with food/drink and reasonable explanation is given",
        all_(is_("not_supported_food_drink"), is_("reasonable_explanation")))
    t.n(164, "Adult not being bathed as per agreed care planning", is_("not_bathed_as_planned"))
    t.n(164, "Not having access to aids to independence", is_("no_access_to_aids"))
    t.c(164, "Repeated incidents/patterns of similar concerns.", ge("prior_similar_concerns", 1))
    t.c(164, "Carer breakdown", is_("carer_breakdown_risk"))
    t.c(164, "Risk can/cannot be managed appropriately with current professional oversight or universal services",
        is_("risk_unmanageable_with_current_oversight"), note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(164, "Health and wellbeing compromised due to ongoing lack of care", is_("wellbeing_compromised_ongoing_lack_of_care"))
    t.c(164, "Repeated health appointments missed due to unmet needs", is_("health_appointments_missed_unmet_needs"))
    t.r(164, "Gross Neglect", is_("gross_neglect"))
    t.r(164, "Continued failure to adhere with care plan", is_("continued_care_plan_failure"))
    t.r(164, "Lack of action resulting in serious injury or death", is_("serious_injury_or_death_from_omission"))
    t.r(164, "Care plans not reflective of individuals' current needs leading to risk of significant harm", is_("care_plan_not_reflecting_needs"))
    t.r(164, "Failure to arrange access to lifesaving services or medical treatment.", is_("failure_to_arrange_lifesaving_treatment"))
    t.r(164, "Ongoing lack of care to the extent that health and wellbeing deteriorate significantly resulting in, e.g. dehydration, malnutrition, loss of independence.",
        is_("ongoing_lack_of_care_significant_deterioration"))
    t.r(164, "Missed, late or failed visit/s where the provider has failed to take appropriate action and harm has occurred",
        all_(ge("missed_visits", 1), is_("provider_failed_to_act"), SOME_HARM))
    return t.build(163)


def _organisational():
    t = _table("organisational", "Organisational", header_line=168, line=169, actions_line=170,
               c_text="Incidents at this level could be discussed with your safeguarding Lead, regulator, safeguarding manager" + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the adult safeguarding Manager" + HSC_R,
               nr_actions=("HSC Quality & safety referral", "Referral to regulator/ inspector", "Quality improvement plan", "Training", "Disciplinary", "Complaint."),
               c_actions=("Review of placement", "Consultation with family or service user", "Outward referrals", "HSC Quality & Safety referral"))
    t.n(169, "No impact has occurred.", NO_IMPACT)
    t.qualifier("non_reportable", 169, "Relevant and appropriate risk assessments/action plan in place", QUALIFIER_NOTE)
    t.qualifier("non_reportable", 169, "Good leadership and Management can be demonstrated", QUALIFIER_NOTE)
    t.n(169, "Short term lack of stimulation or opportunities for people to engage in meaningful social and leisure activities and where no harm occurs",
        all_(is_("short_term_lack_of_stimulation"), NO_IMPACT))
    t.n(169, "Single incident of insufficient staffing to meet all client needs in a timely fashion but causing no harm",
        all_(is_("insufficient_staffing"), NO_IMPACT))
    t.n(169, "Service design where groups of adults live together and are not compatible but no harm occurs",
        all_(is_("incompatible_service_design"), NO_IMPACT))
    t.n(169, "Poor quality of care or professional practice that does not result in harm, albeit adult may be dissatisfied with service",
        all_(is_("poor_practice"), NO_IMPACT))
    t.c(169, "Rigid inflexible routines that are not always in the service users best interests", eq("rigid_routines", "not_in_best_interests"))
    t.c(169, "Dignity is undermined", is_("dignity_undermined"))
    t.c(169, "Repeated incidents/patterns of similar concerns", ge("prior_similar_concerns", 1))
    t.c(169, "Risk can/cannot be managed appropriately with current professional oversight or universal services",
        is_("risk_unmanageable_with_current_oversight"), note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(169, "Unsafe and unhygienic living environments.", is_("unsafe_unhygienic_environment"))
    t.c(169, "Health and wellbeing of multiple service users compromised", is_("multiple_adults_wellbeing_compromised"))
    t.c(169, "Recurrent bad practice lacks management oversight and is not being reported to commissioners/regulator/ inspector",
        is_("recurrent_poor_practice_unreported"))
    t.c(169, "Denying adult at risk access to professional support and services such as advocacy.", is_("denied_access_to_professional_support"))
    t.c(169, "Bad/poor practice not being reported and going unchecked", is_("poor_practice_unreported"))
    t.r(169, "Widespread, consistent ill treatment.", is_("widespread_ill_treatment"))
    t.r(169, "Intentionally or knowingly failing to adhere to Capacity Law or policy", is_("knowingly_breaching_capacity_law"))
    t.r(169, "Rigid or inflexible routines leading to service user's dignity being undermined", eq("rigid_routines", "undermine_dignity"))
    t.r(169, "Punitive responses to challenging behaviours.", is_("punitive_responses"))
    t.r(169, "Failure to refer disclosure of abuse.", is_("failure_to_refer_disclosure"))
    t.r(169, "Staff misusing their position of power over service users.", is_("staff_misusing_power"))
    t.r(169, "Overmedication and/or inappropriate restraint managing behaviour", is_("overmedication_or_restraint"))
    t.r(169, "Recurrent incidents of ill treatment by care provider to more than one service over a period of time",
        is_("recurrent_ill_treatment_multiple_adults"), note="'More than one service' is read as more than one service user.")
    t.r(169, "Service design where group of adults living together are incompatible and harm occurs",
        all_(is_("incompatible_service_design"), SOME_HARM))
    return t.build(169)


def _discriminatory():
    t = _table("discriminatory", "Discriminatory", header_line=173, line=173, actions_line=175,
               c_text="Incidents at this level could be discussed with your safeguarding Lead or safeguarding manager." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the adult safeguarding Manager" + HSC_R,
               nr_actions=("Education", "Training", "Review policies"),
               c_actions=("Discussions with Police, PPU, community policing", "Refer to Disability, Equality & Inclusion Law guidance"))
    t.n(174, "No harm has occurred", NO_IMPACT)
    for q in ("Isolated incident", "Simply resolved", "Robust recording is in place", "Relevant and appropriate risk assessments/action plan in place"):
        t.qualifier("non_reportable", 174, q, QUALIFIER_NOTE)
    t.qualifier("non_reportable", 174, NOT_PIPOT_Q, PIPOT_Q_NOTE)
    t.n(174, "Risks can be managed by current professional oversight or universal services", is_("risk_managed_by_current_oversight"))
    t.n(174, "Isolated incident when an inappropriate prejudicial remark is made to an adult and no distress is caused",
        all_(is_("prejudicial_remark"), NO_IMPACT))
    t.n(174, "Care planning fails to address an adult's culture and diversity needs for a short period", is_("diversity_needs_unmet_short_term"))
    t.c(174, "Repeated incidents/patterns of similar concerns.", ge("prior_similar_concerns", 1))
    t.c(174, "Risk can/cannot be managed appropriately with current professional oversight or universal services",
        is_("risk_unmanageable_with_current_oversight"), note="The seed says 'can/cannot'; read as 'cannot'.")
    t.c(174, "Risk of escalation", is_("risk_of_escalation"))
    t.qualifier("consultation", 174, NOT_PIPOT_C, PIPOT_Q_NOTE)
    t.c(174, "Recurring taunts motivated by prejudicial attitudes with no significant harm", all_(is_("recurring_prejudicial_taunts"), NOT_SIGNIFICANT))
    t.c(174, "Service provision does not respect equality and diversity principles", is_("service_disrespects_equality"))
    t.c(174, "Recurring failure to meet specific care/support needs associated with diversity that causes little distress",
        all_(is_("recurring_failure_diversity_needs"), NOT_SIGNIFICANT))
    t.c(174, "Denial of civil liberties", is_("denial_of_civil_liberties"))
    t.r(174, "Humiliation or threats motivated by prejudices", all_(is_("hate_motivated"), any_(is_("humiliation"), is_("threats_made"))))
    t.r(174, "Harm motivated by prejudice", all_(is_("hate_motivated"), SOME_HARM))
    t.r(174, "Incident caused by Person in a Position of Trust", is_("person_in_position_of_trust"))
    t.r(174, "Compelling a person to participate in activities inappropriate to their faith or beliefs", is_("compelled_against_faith"))
    t.r(174, "Movement or threat to move into a place of exploitation or take part in activities against their will", is_("moved_to_exploitation"))
    t.r(174, "Being refused access to essential services as a result of prejudices", is_("inequitable_access_due_to_prejudice"))
    t.r(174, "Honour based violence", is_("honour_based_violence"))
    t.r(174, "Hate crime resulting in injury", all_(is_("hate_motivated"), is_("crime_indicated"), SOME_HARM))
    return t.build(173)


def _modern_slavery():
    t = _table("modern_slavery", "Modern slavery", header_line=178, line=178, actions_line=180,
               c_text="Incidents at this level could be discussed with your designated Safeguarding Lead or safeguarding manager." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the safeguarding Manager NB: You may need to contact the police/emergency services although the safeguarding team will liaise.",
               nr_actions=("Further guidance and referral mechanism can be provided via the HSC Safeguarding Unit or PPU",),
               c_actions=("Please contact the PPU/ Safeguarding Unit for guidance",),
               r_actions=("RAISE SAFEGUARDING CONCERN", "there is an indication a criminal act has occurred the police MUST be consulted.",
                          "Immediate safety plans must be implemented."))
    t.c(179, "All concerns about modern slavery are deemed to be of a level requiring consultation",
        any_(is_("modern_slavery_concern"), is_("exploited_or_controlled"), is_("exploiting_others"), is_("location_or_vehicle_involved")),
        source=t.source(179, "non_reportable"), note="Written in the non-reportable column but sets consultation: no modern slavery concern is non-reportable.")
    lead = "No direct disclosure of slavery but: "
    for wording, fact in (("Long hours at work", "long_working_hours"), ("Poor living conditions", "poor_living_conditions"),
                          ("Low wage", "low_wage"), ("Lives in work place", "lives_in_workplace"),
                          ("No health and safety at work", "no_health_and_safety_at_work"),
                          ("Encouraged to participate in unsafe activities.", "encouraged_unsafe_activities")):
        t.c(179, lead + wording, is_(fact))
    t.r(179, "Where there is harm or risk of harm move directly to 'Red'", SOME_HARM, source=t.source(179, "consultation"),
        note="Written in the consultation column but directs to reportable.")
    t.r(179, "Found living in poor conditions alone/with others – believed under duress", all_(is_("poor_living_conditions"), is_("under_duress")))
    t.r(179, "Identification documents held by another person, who is controlling the individual.", is_("id_documents_held_by_controller"))
    t.r(179, "Fear of law enforcers", is_("fear_of_law_enforcement"))
    t.r(179, "Working within an area of criminality (sex work, cannabis cultivation, fraud, theft etc.) with the combination of additional factors such as residing in overcrowded conditions and no control over own finances",
        all_(is_("working_in_criminality"), any_(is_("overcrowded_conditions"), is_("no_control_over_finances"))))
    t.r(179, "Arrived in the area to work in an expected area of employment", is_("arrived_for_expected_employment"),
        note="Transcribed as written; 'unexpected' may have been intended.")
    return t.build(178, notes=("Line 180: the reportable action reads 'there is an indication ...' with the leading 'If' missing in the seed.",))


def _domestic_abuse():
    low = ("Where there are a number of low level concerns consideration should be given as to whether the threshold is met "
           "for a safeguarding enquiry.")
    t = _table("domestic_abuse", "Domestic abuse", header_line=183, line=183, actions_line=185, low_level=low,
               nr_text=("Lower level concern where threshold of further enquiries under safeguarding are unlikely to be met. However, agencies "
                        "should keep a written internal record of what happened and what action was taken, following your own internal process. "
                        + low + " Completion of DASH RIC will be a starting point to determining the level of risk of domestic abuse"),
               c_text="Incidents at this level could be discussed with the HSC Safeguarding Unit, PPU, domestic violence support services, your safeguarding lead." + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the safeguarding Manager or Lead NB: You may need to contact the police/emergency services/ Safer.",
               nr_actions=("Refer to Domestic Abuse Services (SAFER) for early intervention and support.", "Onward Referrals to support agencies",
                           "DASH Risk Identification Checklist must be completed"),
               c_actions=("When children present, ALWAYS make a children's social care referral.", "Refer to Adult community services for assessment of need.",
                          "Referral to SAFER - DASH risk Identification checklist must be completed"),
               r_actions=("RAISE SAFEGUARDING CONCERN", "If a criminal act has occurred the police MUST be consulted.",
                          "Immediate safety plans must be implemented & DASH Risk Identification Checklist completed"))
    t.n(184, "No harm has occurred", NO_IMPACT)
    t.n(184, "Adult has capacity and no vulnerabilities identified.", all_(not_("lacks_capacity"), is_("no_vulnerabilities_or_fears_identified")))
    t.n(184, "Robust assessment has been undertaken and links to domestic violence support services made.", is_("specialist_referral_made"))
    t.n(184, "Contact between the victim// children has ceased with no concerns that this will be re-established.", is_("contact_ceased"))
    t.n(184, "One-off incident with no injury or harm experienced.", all_(eq("prior_similar_concerns", 0), NO_IMPACT))
    t.n(184, "Adequate protective factors in place", is_("adequate_protective_factors"))
    t.c(184, "Unexplained marks or lesions on a number of occasions", is_("unexplained_injuries_repeated"))
    t.c(184, "Concerns over controlling behaviour of partner e.g. financial/material", any_(is_("controlling_behaviour"), is_("coercion")))
    t.c(184, "Imbalance of power in a relationship", is_("power_imbalance"))
    t.r(184, "Continues to reside with or have contact with the perpetrator", is_("in_contact_with_perpetrator"))
    t.r(184, "Escalation of concern for safety", is_("escalating_safety_concern"))
    t.r(184, "Physical evidence of violence such as bruising, cuts, broken bones.", is_("physical_evidence_of_violence"))
    t.r(184, "Recurring patterns of verbal and physical abuse.", all_(ge("prior_similar_concerns", 1), is_("violence_or_assault")))
    t.r(184, "Fear of outside intervention, has become isolated – not seeing friends and family.", is_("isolated_from_family_or_support"))
    t.r(184, "Disengagement from domestic abuse and/or other support services", is_("disengaged_from_support"))
    t.r(184, "In constant fear of being harmed", is_("constant_fear"))
    t.r(184, "Denied access to medical treatment", is_("denied_medical_treatment"))
    t.r(184, "Stalking or harassment", is_("stalking_or_harassment"))
    t.r(184, "Forced marriage/ FGM (female genital mutilation)", any_(is_("forced_marriage"), is_("fgm")))
    return t.build(183, notes=(
        "Line 184: the DASH is the agreed multi-agency tool for every disclosed case, and a new DASH should follow every new incident.",
    ))


def _self_neglect():
    t = _table("self_neglect", "Self-neglect", header_line=188, line=188, actions_line=190,
               c_text="Incidents at this level could be discussed with your Safeguarding Lead or safeguarding manager" + AFTER + "safeguarding matter",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the adult safeguarding Manager" + HSC_R,
               nr_actions=("Assessment by service/professional of concern", "Engage person", "Onward referrals for support"),
               c_actions=("Assessment of care and support needs", "Refer to the Self-neglect guidance.", "Multi-agency meeting to discuss concerns or VARM process"))
    t.n(189, "A concern about an adult who is beginning to show signs and symptoms of self-neglect", is_("early_signs_of_self_neglect"))
    t.n(189, "Property neglected but all services/appliances work", is_("property_neglected_services_work"))
    t.n(189, "There is no/low risk or impact to self or others", NO_IMPACT)
    t.n(189, "Risks can be managed by current professional oversight or universal services", is_("risk_managed_by_current_oversight"))
    t.n(189, "The person is not at risk of losing their place within the community.", is_("home_or_placement_secure"))
    t.n(189, "Some evidence of hoarding – no impact on health/safety.", is_("low_level_hoarding"))
    t.n(189, "No access to support", is_("no_access_to_social_care_support"))
    t.n(189, "None compliant with support but no impact on health/safety/wellbeing", all_(is_("non_compliant_with_support"), NO_IMPACT))
    t.c(189, "Some signs of disengagement with professionals", is_("not_engaging_with_professionals"))
    t.c(189, "Indication of lack of insight", is_("lack_of_insight"))
    t.c(189, "Lack of essential amenities/food provision.", is_("lack_of_essential_amenities"))
    t.c(189, "Collecting a large number of animals in inappropriate conditions.", is_("collecting_animals_inappropriately"))
    t.c(189, "Increasing unsanitary conditions", is_("unsanitary_conditions"))
    t.c(189, "There is medium risk and some impact to self / others", eq("impact", "some"))
    t.c(189, "Non-compliance with medication – medium risk to health and wellbeing.", is_("medication_non_compliance"))
    t.c(189, "Property neglected, evidence of hoarding beginning to impact on health/safety", is_("hoarding_impacting_health"))
    t.c(189, "Where animals in property are impacting on the environment with risk to health", is_("animals_impacting_environment"))
    t.r(189, "Living in squalid or unsanitary conditions", is_("squalid_conditions"))
    t.r(189, "There is extensive structural deterioration / damage in the property causing risk to life", is_("structural_damage_risk_to_life"))
    t.r(189, "Refusal of health/medical treatment that will have a significant impact on health/wellbeing.",
        all_(is_("refusing_treatment_impacting_health"), eq("impact", "significant")))
    t.r(189, "High level of clutter/hoarding impacting on health and wellbeing, including fire hazard", is_("high_level_hoarding_fire_hazard"))
    t.r(189, "Behaviour poses risk to self and others", is_("behaviour_risk_to_self_or_others"))
    t.r(189, "Life is in danger without intervention", is_("life_in_danger_without_intervention"))
    t.r(189, "Appearance of malnourishment", is_("appears_malnourished"))
    t.r(189, "The individual is not accepting any support or any plans to improve the situation", is_("not_accepting_any_support"))
    return t.build(188)


_CAT12 = eq("ulcer_severity", "category_1_or_2")
_CAT34 = eq("ulcer_severity", "category_3_or_4")
_SEVERE = any_(_CAT34, all_(is_("multiple_ulcers"), _CAT12))


def _pressure_ulcers():
    t = _table("pressure_ulcers", "Pressure ulcer", header_line=193, line=193, actions_line=195,
               c_text="Incidents at this level could be discussed with your named Safeguarding Lead, tissue viability specialist nurse or safeguarding manager." + AFTER + "safeguarding matter",
               r_text="Incidents at this level should be reported to the HSC safeguarding Unit and directed to the safeguarding Manager" + HSC_R,
               nr_actions=("Follow own organisations policy/procedure", "NICE guidelines", "Onward referrals for support, e.g Tissue Viability Nurses",
                           "Consider medical condition, prognosis, hydration/ nutrition"),
               c_actions=("Carers assessment or review", "seek advice of TVN and/ or GP and involved health team", "consider incident report and safeguarding alert"))
    c_lead = "Grade 3 or 4, ungradable or multiple grade 1 and 2, where: "
    r_lead = "Grade 3 or 4, ungradable and suspected Deep tissue injury, where: "
    t.n(194, "One person one pressure ulcer Grade 1 or 2 where avoidable and all advice and care is followed.",
        all_(_CAT12, not_("multiple_ulcers"), is_("care_plan_implemented")))
    t.n(194, "Higher grades of pressure ulcers where: A care plan is in place; Action is being taken; Other relevant professionals have been involved; "
        "Full discussion with the patient, family or representative; No other indicators of abuse or neglect",
        all_(_CAT34, is_("care_plan_in_place"), is_("risk_reduction_actions_taken"), is_("professionals_notified"),
             is_("discussed_with_person_or_representative"), not_("other_abuse_indicators")))
    t.c(194, c_lead + "The Care plan has not been fully implemented", all_(_SEVERE, is_("care_plan_in_place"), not_("care_plan_implemented")))
    t.c(194, c_lead + "It is not clear that professional advice has been sought", all_(_SEVERE, not_("professional_advice_sought")))
    t.c(194, c_lead + "There are other similar incidents of concerns", all_(_SEVERE, ge("prior_similar_concerns", 1)))
    t.c(194, c_lead + "There are possible other indicators of neglect", all_(_SEVERE, is_("other_abuse_indicators")))
    t.r(194, r_lead + "The person has not been assessed as lacking capacity, treatment and prevention not provided",
        all_(_CAT34, is_("treatment_and_prevention_not_provided")))
    t.r(194, r_lead + "No assessment and care planning has not been completed", all_(_CAT34, not_("care_plan_in_place")),
        note="The seed's double negative is read as: no assessment and care planning completed.")
    t.r(194, r_lead + "No advice or professional input has been sought", all_(_CAT34, not_("professional_advice_sought")))
    t.r(194, r_lead + "Other incidents of abuse or neglect", all_(_CAT34, is_("other_abuse_indicators")))
    t.r(194, r_lead + "This is part of a pattern/trend", all_(_CAT34, ge("prior_similar_concerns", 2)),
        note="A pattern/trend is read as at least two earlier similar concerns; one earlier concern is the consultation example.")
    t.r(194, r_lead + "Serious injury or death as a result of consequences of avoidable pressure ulcer development e.g. septicemia.",
        all_(_CAT34, eq("impact", "significant")))
    return t.build(193, notes=(
        "'where:' lists: in the non-reportable column every bullet must hold; in the consultation and reportable columns any one bullet is enough.",
        "Line 197: pressure ulcers are primarily a clinical issue; where there are obvious signs of neglect they should be reported to safeguarding.",
    ))


def _falls():
    t = _table("falls", "Falls", header_line=200, line=201, actions_line=203,
               c_text="Incidents at this level should be discussed with the HSC Adult safeguarding Manager or your designated Safeguarding Lead" + AFTER + "safeguarding alert",
               r_text="Incidents at this level should be reported to your HSC Safeguarding Unit and directed to the Safeguarding Manager" + HSC_R,
               nr_actions=("Follow own policy/procedure", "Onward referrals for support", "Consider medical condition, prognosis, hydration/nutrition",
                           "Review Care plan/Risk Assessment"),
               c_actions=("Social Care Assessment/ Review", "Onward referrals", "Capacity Assessment", "OT referral"))
    multi = ge("previous_falls", 1)
    lead = "Multiple incidents where: "
    t.n(202, "Isolated or multiple incidents where no harm has occurred and: Care plans in place and adhered to; Action taken to minimise the risk further; "
        "Other professionals have been notified; Full discussion with persons, family or representative; No other indicators of abuse/neglect.",
        all_(NO_IMPACT, WELL_MANAGED))
    t.c(202, "More than one incident in a 6 month period required hospital attendance.", ge("falls_requiring_hospital_in_6_months", 2))
    t.c(202, lead + "The care plan has not been fully implemented", all_(multi, is_("care_plan_in_place"), not_("care_plan_implemented")))
    t.c(202, lead + "It is not clear that professional advice or support has been sought", all_(multi, not_("professional_advice_sought")))
    t.c(202, lead + "There are other concerns about abuse/neglect", all_(multi, is_("other_abuse_indicators")))
    t.c(202, "Any fall where there is suspected abuse/neglect of a staff member or Person in a position of trust or failure to follow care plans, policies, and procedures",
        any_(is_("suspected_abuse_or_neglect_by_staff"), is_("person_in_position_of_trust"), is_("procedures_not_followed")))
    t.r(202, "Any fall resulting in significant injury or death where there is suspected abuse or neglect by a staff member or other person's failure to follow relevant care plans, policies or procedures.",
        all_(eq("impact", "significant"), any_(is_("suspected_abuse_or_neglect_by_staff"), is_("procedures_not_followed"))))
    return t.build(201, notes=("Line 205: a fall does not automatically indicate neglect; examine the context of each fall.",))


def _medication_errors():
    t = _table("medication_errors", "Maladministration of medication", header_line=208, line=209, actions_line=211,
               c_text="Incidents at this level should be discussed with your designated safeguarding lead or safeguarding manager." + AFTER + "safeguarding matter",
               r_text="Incidents at this level should be reported to the HSC Safeguarding Unit and directed to the adult safeguarding manager" + HSC_R,
               nr_actions=("Follow own policy/procedure", "Training", "Disciplinary", "Complaints", "Medication review"),
               c_actions=("Complaint", "Training", "Medication review", "Lessons learnt", "Speak with GP/Pharmacy"))
    isolated = eq("previous_errors", 0)
    admin_or_missed = any_(is_("administration_error"), is_("missed_medication"))
    t.n(210, "Isolated incidents where the person is accidentally given the wrong medication, given too much or too little medication or given it at the wrong time but no harm occurs.",
        all_(is_("administration_error"), isolated, NO_IMPACT))
    t.n(210, "Isolated incident causing no harm that is not reported by staff members.", all_(is_("error_not_reported_by_staff"), isolated, NO_IMPACT))
    t.n(210, "Isolated prescribing or dispensing error by GP, pharmacist or other medical professional resulting in no harm.",
        all_(is_("prescribing_or_dispensing_error"), isolated, NO_IMPACT))
    t.c(210, "Recurring missed medication or administration errors in relation to one service user that caused no harm",
        all_(admin_or_missed, ge("previous_errors", 1), not_("errors_affect_more_than_one_person"), NO_IMPACT))
    t.c(210, "Recurring prescribing or dispensing errors that affect more than one individual but cause no harm",
        all_(is_("prescribing_or_dispensing_error"), ge("previous_errors", 1), is_("errors_affect_more_than_one_person"), NO_IMPACT))
    t.c(210, "Over reliance on sedative medication to manage behaviour", is_("sedation_to_manage_behaviour"))
    t.c(210, "Covert medication without correct recorded authorisation with no harm caused", all_(is_("covert_without_authorisation"), NO_IMPACT))
    t.r(210, "Recurrent missed medication or administration errors that affect one or more adult and/or result in harm",
        all_(admin_or_missed, ge("previous_errors", 1), SOME_HARM),
        note="Told apart from the consultation example (recurring errors for one adult, no harm) by harm.")
    t.r(210, "Deliberate maladministration of medicines (e.g. sedation)", is_("deliberate_maladministration"))
    t.r(210, "Covert administration without proper medical supervision or outside the Capacity Law, with a detrimental impact",
        all_(is_("covert_without_authorisation"), SOME_HARM))
    t.r(210, "Pattern of recurring administration errors or an incident of deliberate maladministration that results in ill-health or death.",
        all_(any_(all_(is_("administration_error"), ge("previous_errors", 2)), is_("deliberate_maladministration")), SOME_HARM))
    t.r(210, "Fabricated illness/ induced illness", is_("fabricated_or_induced_illness"))
    t.r(210, "Deliberate falsification of records or coercive/ intimidating behaviour to prevent reporting", is_("falsification_or_intimidation"))
    return t.build(209)


def _incidents_between_adults():
    t = _table("incidents_between_adults", "Service user to service user harm", header_line=214, line=215, actions_line=217,
               c_text="Incidents at this level could be discussed with your designated safeguarding lead or safeguarding manager." + AFTER + "safeguarding matter",
               r_text="Incidents at this level should be reported to the HSC Safeguarding Unit and directed to the safeguarding manager" + HSC_R,
               nr_actions=("Follow own policy/procedure", "Training", "Disciplinary", "Complaints", "Care Review"),
               c_actions=("Complaint", "Training", "Compatibility review", "Liaise with commissioning/regulator", "Lessons learnt", "Care assessment/review"))
    t.n(216, "Isolated incident where no harm was caused",
        all_(eq("prior_incidents_between_pair", 0), eq("prior_incidents_same_source", 0), NO_IMPACT))
    t.n(216, "More than one incident where there was no impact on the person and: Care plan is in place and adhered to; Action has been taken to minimise the risk; "
        "Other professionals have been notified; Full discussion with the person, family or representative; No other indicators of abuse/neglect",
        all_(PAIR_MULTIPLE, NO_IMPACT, WELL_MANAGED), note=COUNT_NOTE)
    t.c(216, "There have been similar incidents involving the same perpetrator", ge("prior_incidents_same_source", 1))
    t.c(216, "Both people display a dislike for one another but no abuse has occurred", is_("mutual_dislike_no_abuse"))
    t.c(216, "Concerns over escalation of behaviours between identified individuals", is_("escalating_behaviour"))
    t.local("consultation", PEER_STEP4.line, PEER_HIGH_RISK_WORDING, PEER_HIGH_RISK_WHEN, seed=PEER_SEED,
            category="Operational Example 1", column="Step 4 (safeguarding route decision)", note=PEER_HIGH_RISK_NOTE)
    t.r(216, "Any incident resulting in intentional or intent harm", is_("intentional_harm"))
    t.r(216, "Weapons/other objects are used with the intention to cause harm", is_("weapon_or_object_used"))
    t.r(216, "Repeated incidents where the person lacks capacity and is unable to protect themselves.",
        all_(PAIR_REPEATED, is_("victim_lacks_capacity"), is_("victim_unable_to_protect_self")), note=COUNT_NOTE)
    t.r(216, "Victim appears fearful in the presence of other person or adapting behaviours to pacify or avoid the person", is_("victim_fearful_or_adapting"))
    lead = "Multiple incidents where: "
    multi_note = "'Multiple incidents' is read as at least one earlier incident between the pair or involving the same source."
    t.r(216, lead + "The care plan has not been fully implemented", all_(ANY_EARLIER, is_("care_plan_in_place"), not_("care_plan_implemented")), note=multi_note)
    t.r(216, lead + "Professional advice has not been sought", all_(ANY_EARLIER, not_("professional_advice_sought")), note=multi_note)
    t.r(216, lead + "Other concerns around abuse/neglect", all_(ANY_EARLIER, is_("other_abuse_indicators")), note=multi_note)
    cross_note = ("The service user to service user table has no example for prejudice; the discriminatory table's applies "
                  "to harm between adults as to any other.")
    t.cross("reportable", 174, "Harm motivated by prejudice", all_(is_("hate_motivated"), SOME_HARM), category="Discriminatory", note=cross_note)
    t.cross("reportable", 174, "Humiliation or threats motivated by prejudices", all_(is_("hate_motivated"), is_("humiliation")),
            category="Discriminatory", note=cross_note)
    return t.build(215, notes=(
        "Table heading (line 214): 'Incidents involving another person with care and support needs'; contents (line 35): 'Service user to service user harm'.",
    ))


def _neglect_unsafe_discharge():
    t = _table("neglect_unsafe_discharge", "Neglect & acts of omission: unsafe discharge or transfer (covid-19)", header_line=220, line=221, actions_line=223,
               c_text="Incidents at this level should be discussed with your named safeguarding lead or contact the adult safeguarding manager" + AFTER + "safeguarding matter to the HSC Safeguarding Unit",
               r_text="Incidents at this level should be reported to the Safeguarding Unit and directed to the Adult safeguarding Manager" + HSC_R,
               nr_actions=("Incident report", "complaint", "HSC Quality & Safety Team notify of compliance with process no impact on person."),
               c_actions=("Complaint", "Regulator", "Quality & Safety Team -poor discharge notification", "SWARM"),
               r_actions=("RAISE SAFEGUARDING CONCERN", "Immediate safety plans must be implemented", "Police notified if criminal act has occurred."))
    t.n(222, "At the point of referral it is known that the person and the receiving care provider is confirmed covid negative this should not be raised as a safeguarding concern",
        eq("covid_status_at_discharge", "both_negative"))
    t.c(222, "At the point of referral the status of either the home or the individual is unknown then this should be raised as a safeguarding concern",
        eq("covid_status_at_discharge", "status_unknown"))
    t.r(222, "At the point of referral it is known that the person is covid positive but has been discharged to a care setting without the appropriate safety measures in place.",
        eq("covid_status_at_discharge", "positive_no_safety_measures"))
    return t.build(221, notes=(
        "Line 221: applies to the unsafe discharge or transfer of persons during the covid-19 outbreak period 'or similar'.",
        "Line 222: the consultation column says such a concern 'should be raised as a safeguarding concern' while sitting under 'Requires consultation'.",
    ))


def _rules() -> tuple[NotificationRule, ...]:
    responding = Source(seed=SEED, category="Responding to concerns", column="text", line=122)
    return (
        NotificationRule(id="criminal_act", source=responding, when=is_("crime_indicated"), notify=("police",),
                         wording="CRIMINAL ACTS MUST BE REPORTED TO THE POLICE AND/OR EMERGENCY TREATMENT SHOULD BE SOUGHT WHERE NECESSARY."),
        NotificationRule(id="immediate_danger", source=responding, when=is_("immediate_danger"), notify=("emergency_services",),
                         wording="IT IS IMPORTANT TO CONSIDER IN THE FIRST INSTANCE WHETHER SOMEONE IS IN IMMEDIATE DANGER - OR HAS BEEN THE SUBJECT OF A CRIME."),
        NotificationRule(id="children_at_risk", source=Source(seed=SEED, category="Key Considerations", column="text", line=110),
                         when=is_("children_at_risk"), notify=("childrens_services",),
                         wording="Are there children present and if so consider making a Children's Social Care referral by contacting Children's MASH."),
        URGENT_ESCALATION,
    )


PROFILE = ThresholdProfile(
    name="guernsey",
    version="1.0.0",
    title="Guernsey & Alderney Adult Safeguarding Threshold Tool",
    seed=SEED,
    document="Safeguarding Adults at Risk of abuse or neglect in Guernsey & Alderney: Threshold Tool (undated; refers to the Guernsey & Alderney Multi-Agency Adult Safeguarding Policy 2022)",
    columns=COLUMNS,
    common_facts=COMMON_FACTS,
    categories=(
        _physical(), _sexual(), _psychological(), _financial(), _neglect(), _organisational(), _discriminatory(),
        _modern_slavery(), _domestic_abuse(), _self_neglect(), _pressure_ulcers(), _falls(), _medication_errors(),
        _incidents_between_adults(), _neglect_unsafe_discharge(),
    ),
    rules=_rules(),
    low_level=LowLevelConcerns(
        same_source_at_least=2, same_pair_at_least=2, same_service_at_least=4, lookback_days=180,
        basis=("Local reading of 'a number of low level concerns' (and line 134: 'review all incidents in the context of those "
               "previously recorded'): two earlier concerns with the same alleged source or between the same pair, or four in "
               "the same service, within 180 days."),
    ),
    judgement="This guidance is not a substitute for professional judgement, but should be used to assist decision making and to support professional judgement.",
    judgement_source=Source(seed=SEED, category="Introduction", column="text", line=44),
)
