"""Sussex threshold profile, transcribed from seed 002 (Safeguarding Adults Thresholds:
Guidance for Professionals, version 2, Brighton & Hove, East Sussex and West Sussex SABs).

Every line number below is a line of 002_bdbd6ad1bcc6475b.txt. Wording is the
seed's; where a bullet follows a lead-in ("... where:") the lead-in is repeated so
each indicator reads on its own in a decision.
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

SEED = "002_bdbd6ad1bcc6475b.txt"
COLUMNS = {"non_reportable": "Non-reportable", "consultation": "Requires consultation", "reportable": "Reportable"}
LOW_LEVEL = (
    "Where there are several low-level concerns, consideration should be given as to whether the threshold may be "
    "met for a safeguarding enquiry due to increased risk."
)
NR_TEXT = (
    "Lower-level concern where the threshold for a safeguarding enquiry is unlikely to be met. However, an internal "
    "written record of what happened and what action was taken should be kept. " + LOW_LEVEL
)
C_TEXT = (
    "Incidents at this level should be recorded, and internal policies and procedures followed. Consultation should "
    "be undertaken internally as well as through the Sussex Safeguarding Adults Policy and Procedures. Action should "
    "be taken to reduce risk and consultation with the local authority Adult Social Care department considered. "
    "Following this you may be requested to formally raise a safeguarding concern."
)
R_TEXT = (
    "Incidents at this level should be formally raised as a safeguarding concern with the local authority Adult "
    "Social Care department. Consideration should also be given as to whether the police or other emergency services "
    "need to be contacted. Ensure whole family approach if children or other adults may be impacted."
)
R_ACTIONS = (
    "RAISE SAFEGUARDING CONCERN",
    "If there is an indication a criminal act has occurred, the police MUST be consulted.",
    "Immediate safety plans must be implemented.",
)
NOT_PIPOT = "Not committed by a Person in a Position of Trust (e.g., a professional), AND: "
PIPOT = "Any concerns about a Person in a Position of Trust."


def _table(key: str, title: str, line: int, actions_line: int, nr_actions: tuple[str, ...], c_actions: tuple[str, ...],
           c_text: str = C_TEXT) -> Table:
    t = Table(seed=SEED, columns=COLUMNS, actions_row="Alternative actions to consider at every stage", key=key,
              title=title, low_level_wording=LOW_LEVEL)
    t.level("non_reportable", line, NR_TEXT, actions_line, nr_actions)
    t.level("consultation", line, c_text, actions_line, c_actions)
    t.level("reportable", line, R_TEXT, actions_line, R_ACTIONS)
    return t


def _neglect():
    t = _table("neglect", "Neglect (and acts of omission)", 171, 172, (
        "Advice and information provided.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
        "Consideration for external additional services such as domestic support (e.g., Age UK).",
        "Referral to East or West Sussex Fire Service for a home safety visit.",
        "Internal organisational training or other risk management processes.",
        "Complaints or disciplinary processes.",
    ), (
        "Share information with the ICB Quality Team and or the CQC.",
        "Share information with district nurse, GP, Occupational Therapist, or Falls Prevention Service.",
        "Referral to local authority Adult Social Care department for assessment, carers assessment, or review of existing arrangements.",
        "Review staffing arrangements.",
    ))
    t.n(171, "Appropriate care plan in place but care needs not fully met, such as incontinence needs not met on one occasion, but no impact or distress occurs.",
        all_(is_("care_plan_in_place"), is_("care_needs_not_met_once"), NO_IMPACT))
    t.n(171, "Missed home visit where there is no impact, and no other individual visits are missed.",
        all_(eq("missed_visits", 1), NO_IMPACT))
    t.n(171, "Incident of a person not supported with food/drink and reasonable explanation provided.",
        all_(is_("not_supported_food_drink"), is_("reasonable_explanation")))
    t.n(171, "A fall where no significant injury occurs, there are no other indicators of neglect, and action is taken to minimise further risk (see the falls section for further guidance).",
        all_(is_("fall_occurred"), NOT_SIGNIFICANT, not_("other_abuse_indicators"), is_("risk_reduction_actions_taken")))
    t.c(171, "Recurrent missed home care visits where risk of abuse or neglect escalates, or one missed visit where abuse or neglect occurs.",
        any_(all_(ge("missed_visits", 2), is_("risk_escalating")), all_(ge("missed_visits", 1), SOME_HARM)),
        note="'Abuse or neglect occurs' is read as some or significant impact.")
    t.c(171, "Discharge from hospital where abuse or neglect or risk of abuse or neglect occurs but re-admission is not required.",
        all_(is_("unsafe_hospital_discharge"), not_("readmission_required")))
    t.c(171, "Carer unable to continue in caring role and at risk of breakdown.", is_("carer_breakdown_risk"))
    t.c(171, "Risk cannot be managed appropriately with current professional oversight or universal services.",
        is_("risk_unmanageable_with_current_oversight"))
    t.c(171, "Repeated health appointments missed due to unmet needs.", is_("health_appointments_missed_unmet_needs"))
    t.c(171, "Any fall where there is suspected neglect or a failure to follow relevant care plans, policies, or procedures.",
        all_(is_("fall_occurred"), any_(is_("other_abuse_indicators"), is_("procedures_not_followed"))))
    t.r(171, "Continued failure to adhere with care plan.", is_("continued_care_plan_failure"))
    t.r(171, "Lack of action resulting in serious injury or death.", is_("serious_injury_or_death_from_omission"))
    t.r(171, "Failure to arrange access to lifesaving services or medical treatment.", is_("failure_to_arrange_lifesaving_treatment"))
    t.r(171, "Ongoing lack of care to the extent that health and wellbeing deteriorate significantly (e.g., dehydration, malnutrition, loss of independence).",
        is_("ongoing_lack_of_care_significant_deterioration"))
    t.r(171, "Missed, late or failed visit/s where the provider has failed to take appropriate action, and abuse or neglect has occurred.",
        all_(ge("missed_visits", 1), is_("provider_failed_to_act"), SOME_HARM))
    t.r(171, "Discharge from hospital without adequate planning and where abuse or neglect occurs.",
        all_(is_("unsafe_hospital_discharge"), any_(is_("readmission_required"), eq("impact", "significant"))),
        note="Told apart from the consultation example (abuse or neglect 'but re-admission is not required') by re-admission or significant impact.")
    return t.build(171)


def _self_neglect():
    t = _table("self_neglect", "Self-neglect", 175, 176, (
        "Engagement with the person to consider options (e.g., domestic support/deep-clean) and/or any support network to consider alternative approaches.",
        "Referral to East or West Sussex Fire Service for a home safety visit.",
        "Referral to the local authority Adult Social Care department for an assessment or review.",
    ), (
        "Consideration for advocacy services.",
        "Consideration for whether a Mental Capacity Act assessment is required.",
        "Referral for multi-agency processes to support complex and multiple needs (e.g., Multi Agency Risk Management meetings).",
        "Referral to Environmental Health services.",
    ))
    t.n(175, "Poor self-care causing some concern, but no signs of impact or distress.", all_(is_("poor_self_care"), NO_IMPACT))
    t.n(175, "Property neglected but all essential services/appliances work.", is_("property_neglected_services_work"))
    t.n(175, "Risks can be managed by current professional oversight or universal services.", is_("risk_managed_by_current_oversight"))
    t.n(175, "The person is not at risk of losing their home, tenancy, or placement within the community.", is_("home_or_placement_secure"))
    t.n(175, "Evidence of low-level hoarding — low level impact on health/safety.", is_("low_level_hoarding"))
    t.n(175, "No access to social care support.", is_("no_access_to_social_care_support"))
    t.n(175, "Occasional non-attendance at meetings, such as health appointments.", is_("occasional_missed_appointments"))
    t.c(175, "Failing to engage with health and social care professionals.", is_("not_engaging_with_professionals"))
    t.c(175, "Indication of lack of insight into self-neglect.", is_("lack_of_insight"))
    t.c(175, "Lack of essential amenities/food provision.", is_("lack_of_essential_amenities"))
    t.c(175, "Refusing medical treatment, care or equipment that will impact health and wellbeing.", is_("refusing_treatment_impacting_health"))
    t.c(175, "Property or environment shows signs of neglect with evidence of unsanitary conditions, clutter, hoarding that are potentially damaging to health and wellbeing.",
        any_(is_("unsanitary_conditions"), is_("hoarding_impacting_health"), is_("squalid_conditions")))
    t.c(175, "Where animals in property are impacting on the environment with a risk to health.",
        any_(is_("animals_impacting_environment"), is_("collecting_animals_inappropriately")))
    t.r(175, "The person is living in squalid or unsanitary conditions that mean life is in danger without intervention.",
        all_(any_(is_("squalid_conditions"), is_("unsanitary_conditions")), is_("life_in_danger_without_intervention")))
    t.r(175, "Extensive structural deterioration/damage in the property causing risk to life including fire or gas leaks.", is_("structural_damage_risk_to_life"))
    t.r(175, "Lack of self-care and/or refusal of health/medical treatment resulting in a significant impact on health and wellbeing (i.e., malnutrition).",
        all_(any_(is_("poor_self_care"), is_("refusing_treatment_impacting_health"), is_("appears_malnourished")), eq("impact", "significant")))
    t.r(175, "High level of clutter/hoarding leading to access being obstructed within a property and fire hazards.", is_("high_level_hoarding_fire_hazard"))
    t.r(175, "Behaviours such as substance use that pose risk to self and/or others.", is_("behaviour_risk_to_self_or_others"))
    t.r(175, "The individual is not able to accept any support or future arrangements to improve the situation.", is_("not_accepting_any_support"))
    return t.build(175, notes=("Line 175: ordinarily self-neglect may not prompt a Section 42 enquiry; standard interventions and the self-neglect procedures come first.",))


def _physical():
    t = _table("physical", "Physical abuse", 179, 180, (
        "Advice and information provided.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
        "Training and/or professional support and development.",
        "Share information with district nurse, GP, OT, or Falls Prevention Service.",
        "Complaints or disciplinary processes.",
    ), (
        "Share information with the ICB Quality Team and/or the CQC.",
        "Referral to local authority Adult Social Care department for a social care assessment, carers assessment, or review of existing arrangements.",
        "Review staffing arrangements.",
    ))
    t.n(179, "Error by staff causing no or minor injury (e.g., an ill-fitting hoist is used).", all_(is_("staff_error"), NOT_SIGNIFICANT))
    t.n(179, "Light marking or bruising found which can be explained and where the person is not distressed.",
        all_(is_("explained_light_marking"), not_("fearful_or_distressed")))
    t.n(179, "Appropriate moving and handling procedures not followed on a single occasion and with minimal or no impact caused.",
        all_(is_("moving_handling_not_followed_once"), NOT_SIGNIFICANT))
    t.c(179, "Unexplained marking, bruising, lesions, minor cuts, or grip marks on several occasions or on several people cared for by the same team or carer.",
        is_("unexplained_minor_marks_repeated"))
    t.c(179, "Repeated incidents/patterns of similar physical injuries.", ge("prior_similar_concerns", 1))
    t.c(179, "Carer unable to continue in caring role and at risk of breakdown.", is_("carer_breakdown_risk"))
    t.c(179, "Rough or inappropriate handling or restraint that causes marks to be left but no external medical treatment/consultation required",
        all_(is_("rough_handling_or_restraint"), is_("marks_left"), not_("medical_attention_required")))
    t.c(179, "Risk cannot be managed appropriately with current professional oversight.", is_("risk_unmanageable_with_current_oversight"))
    t.c(179, "Intentional or non-intentional injury or deprivation of liberty by formal or informal carers.", is_("injury_or_deprivation_of_liberty_by_carer"))
    t.r(179, "Physical assaults or actions that result in significant injury or ongoing emotional distress caused to the person.", eq("impact", "significant"))
    t.r(179, "Intended injury towards a person.", is_("intended_injury"))
    t.r(179, "Deliberate withholding of food, drinks, or aids to independence.", is_("deliberate_withholding"))
    t.r(179, "Deliberate force-feeding food or drinks", is_("force_feeding"))
    t.r(179, "Unexplained fractures/serious injuries.", is_("unexplained_serious_injury"))
    t.r(179, "Assault by another person requiring medical treatment, including hate or mate crime.",
        all_(is_("assault"), is_("medical_attention_required")))
    t.r(179, "Rough or inappropriate handling or restraint that causes marks to be left and the person appears fearful or distressed.",
        all_(is_("rough_handling_or_restraint"), is_("marks_left"), is_("fearful_or_distressed")))
    t.r(179, "Unexplained significant injuries such as fractures.", is_("unexplained_serious_injury"),
        note="Restates 'Unexplained fractures/serious injuries' in the same column.")
    return t.build(179)


def _sexual():
    t = _table("sexual", "Sexual abuse", 183, 185, (
        "Information and education around safe sexual relationships and conduct.",
        "Share information with district nurse or GP for sexual advice or information.",
        "Referral to local authority Adult Social Care department for assessment.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
    ), (
        "Complaints or disciplinary processes.",
        "Increased monitoring and oversight for specified period.",
        "Share information with the ICB Quality Team and/or the CQC.",
        "Share information with Sussex Police.",
    ), c_text=(
        "Incidents at this level should be recorded, and internal policies and procedures followed. Consultation should "
        "be undertaken internally as well as through the Sussex Safeguarding Adults Policy and Procedures. Action should "
        "be taken to reduce risk and consultation with the local authority Adult Social Care department."
    ))
    t.n(184, NOT_PIPOT + "Incident of teasing or unwanted attention, either verbal or physical (but excluding genitalia), where the effect on the person is minimal and no distress is caused.",
        all_(not_("person_in_position_of_trust"), is_("unwanted_attention_non_genital"), NO_IMPACT))
    t.n(184, NOT_PIPOT + "Incident of teasing or low level unwanted sexualised attention (verbal or by gestures) directed at one adult by another whether capacity exists - no injury or distress caused.",
        all_(not_("person_in_position_of_trust"), is_("sexualised_remark_or_gesture"), NO_IMPACT))
    t.c(184, "Non-contact sexualised behaviour which causes distress to the person at risk.",
        all_(is_("non_contact_sexualised_behaviour"), SOME_HARM),
        note="The reportable column also lists 'Contact or non-contact sexualised behaviour which causes distress', so in practice this reaches reportable.")
    t.c(184, "Verbal sexualised teasing or harassment.", is_("sexualised_teasing_or_harassment"))
    t.c(184, "Being subject to indecent exposure where the person does not appear to be distressed.", all_(is_("indecent_exposure"), NO_IMPACT))
    t.r(184, "Where there is harm or risk of harm move directly to 'Red'.", SOME_HARM, source=t.source(184, "consultation"),
        note="Written in the consultation column but directs to reportable.")
    t.r(184, PIPOT, is_("person_in_position_of_trust"))
    t.r(184, "Concerns around grooming or sexual exploitation either in-person or online (e.g., made to look at sexually explicit material against their will or where consent cannot be given).",
        is_("grooming_or_sexual_exploitation"))
    t.r(184, "Any sexual act or behaviour without valid consent or where there is pressure to consent.", is_("sexual_act_without_consent"))
    t.r(184, "Contact or non-contact sexualised behaviour which causes distress.",
        all_(any_(is_("sexual_contact"), is_("non_contact_sexualised_behaviour")), SOME_HARM))
    t.r(184, "Any sexual violence or activity within a relationship characterised by authority, inequality, or exploitation, e.g., receiving something in return for carrying out sexual act.",
        any_(is_("sexual_assault_or_violence"), is_("sexual_activity_in_unequal_relationship")))
    t.r(184, "Female Genital Mutilation (FGM) - for females under 18 contact Children's Services.", is_("fgm"),
        note="For a female under 18 also record children_at_risk, which requires a Children's Services referral.")
    return t.build(183)


def _psychological():
    t = _table("psychological", "Psychological abuse", 188, 189, (
        "Information and education around expected standards of conduct, respect, and dignity.",
        "Use of behavioural charts.",
        "Input from mediation services.",
        "Training around de-escalation and/or other risk management processes.",
    ), (
        "Share information with the local Community Safety Team/Police Community Safety Team.",
        "Referral to the local Adult Social Care department for a social care assessment, carers assessment, or review of existing arrangements.",
        "Review staffing arrangements.",
    ))
    t.n(188, NOT_PIPOT + "Incident where a person is spoken to in a rude or inappropriate way – respect is undermined but no significant distress is caused.",
        all_(not_("person_in_position_of_trust"), is_("spoken_to_rudely"), NOT_SIGNIFICANT))
    t.n(188, NOT_PIPOT + "Occasional taunts or outbursts between two people using a service that do not cause impact or distress.",
        all_(not_("person_in_position_of_trust"), is_("taunts_or_outbursts"), NO_IMPACT))
    t.c(188, "Treatment that undermines dignity and damages esteem.", is_("dignity_undermined"))
    t.c(188, "Repeated incidents of denying or failing to recognise an adult's opinions, views, and choices, particularly in relation to their care and support needs.",
        is_("opinions_repeatedly_denied"))
    t.c(188, "Taunts, mocking or outbursts which cause distress.", all_(is_("taunts_or_outbursts"), SOME_HARM))
    t.c(188, "Withholding of information from a person that disempowers them but there is a minor impact.",
        all_(eq("information_withheld", "to_disempower"), NOT_SIGNIFICANT))
    t.r(188, PIPOT, is_("person_in_position_of_trust"))
    t.r(188, "Denial of basic human rights/civil liberties, the over-riding of an advance directive, forced marriage, 'honour based' violence and Female Genital Mutilation (FGM).",
        any_(is_("denial_of_human_rights"), is_("forced_marriage"), is_("honour_based_violence"), is_("fgm")))
    t.r(188, "Prolonged intimidation or humiliation.", is_("prolonged_intimidation_or_humiliation"))
    t.r(188, "Vicious/personalised verbal attacks", is_("vicious_verbal_attacks"))
    t.r(188, "Emotional blackmail, e.g., threats of abandonment/harm.", is_("emotional_blackmail"))
    t.r(188, "Withholding of information to dis-empower that has a significant impact.",
        all_(eq("information_withheld", "to_disempower"), eq("impact", "significant")))
    t.r(188, "Concerns relating to 'cuckooing'", is_("cuckooing"),
        note="The seed's text is cut off mid-sentence after this example ('...chapter Recognising and').")
    return t.build(188, notes=("The reportable column of line 188 ends mid-sentence in the seed; any examples after 'cuckooing' are lost.",))


def _financial():
    t = _table("financial", "Financial or material abuse", 192, 194, (
        "Advice and information provided.",
        "Seek advice from Money Advice, Citizens Advice Bureau Department of Work and Pensions and/or Office of the Public Guardian.",
        "Share information with the local authority for financial advice and information.",
    ), (
        "Share information with the local Community Safety Team/Police Community Safety Team.",
        "Referral to the local authority Adult Social Care department for a social care assessment, carers assessment, or review of existing arrangements.",
        "Share information with Trading Standards.",
        "Disciplinary processes.",
    ))
    t.n(192, "Failure by relatives to pay care charges where no impact occurs, and the person receives personal allowance or has access to other personal monies.",
        all_(is_("relatives_not_paying_care_charges"), NO_IMPACT))
    t.n(192, "Incident of missing belongings, small amount of money where there is no indication of theft/abuse.", is_("missing_belongings_no_theft_indication"))
    t.n(192, "Money is not recorded safely or properly but immediate actions have been taken to rectify this.",
        all_(is_("money_not_recorded_properly"), is_("risk_reduction_actions_taken")))
    t.n(192, "Incident where a person is not involved in a decision about how their money is spent or kept safe, and concern is addressed.",
        all_(eq("money_decisions_without_person", "single_incident"), is_("risk_reduction_actions_taken")))
    t.n(193, "Unwanted cold calling/doorstep visits and Trading Standards notified.", all_(is_("cold_calling"), is_("trading_standards_notified")))
    t.c(192, "A person's monies kept in joint bank account with unclear arrangements for equitable sharing of interest.", is_("joint_account_unclear"))
    t.c(192, 'High level of visitors, telephone calls or online contact the person appears unable to say "No".', is_("high_visitors_unable_to_say_no"))
    t.c(192, "Falling behind on rent or mortgage payments, property maintenance costs, utility charges or care charges where there should be sufficient funds in place.",
        is_("arrears_despite_sufficient_funds"))
    t.c(192, "Adult not routinely involved in decisions about how their money is spent or kept safe, and without sufficient consideration of capacity.",
        eq("money_decisions_without_person", "routinely"))
    t.c(193, "Adult has no access to own funds and no evidence of items being purchased for them.", is_("no_access_to_own_funds"))
    t.c(193, "Non-payment of client contribution or care fees putting the adult's care at risk.", is_("care_fees_unpaid_care_at_risk"))
    t.r(192, PIPOT, is_("person_in_position_of_trust"))
    t.r(192, "Misuse or misappropriation of the person's finances, property and/or possessions.", is_("misappropriation"))
    t.r(192, "Personal finances or possessions removed from the person's control without legal authority.", is_("finances_removed_without_authority"))
    t.r(192, "Suspected fraud/exploitation relating to benefits, income, property, or legal documents.", is_("fraud_or_financial_exploitation"))
    t.r(192, "A person being coerced or misled into giving over money or property including cuckooing, hate or mate crime.", is_("coerced_into_giving_money"))
    return t.build(192, notes=("The table's example row runs over lines 192-193; each example cites the line it starts on.",))


def _organisational():
    t = _table("organisational", "Organisational abuse", 197, 198, (
        "Advice and information provided.",
        "Consultation with service user or next-of-kin.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
        "Training around de-escalation and/or other risk management processes.",
        "Quality Improvement Plan for the service.",
    ), (
        "Increased monitoring or support for a specified period.",
        "Complaints or disciplinary processes.",
        "Share information with the ICB Quality Team and/or the CQC.",
        "Share information with local Commissioning Services (the local authority or ICB).",
    ))
    t.n(197, "Incident of insufficient staffing but where there is no impact.", all_(is_("insufficient_staffing"), NO_IMPACT))
    t.n(197, "Short-term lack of stimulation or opportunities to engage in meaningful social and leisure activities and where there is no impact.",
        all_(is_("short_term_lack_of_stimulation"), NO_IMPACT))
    t.n(197, "Care planning documentation is not person-centred or does not involve the person or capture their views.", is_("care_planning_not_person_centred"))
    t.n(197, "Poor quality of care or professional practice that does not result in harm, albeit the person may be dissatisfied with service.",
        all_(is_("poor_practice"), NO_IMPACT))
    t.c(197, "Longstanding rigid and inflexible routines that are not always in the person's best interests but can be addressed by support.",
        eq("rigid_routines", "not_in_best_interests"))
    t.c(197, "Recurrent poor care or practice which is not person-centred, lacks management oversight and is not being reported to commissioners",
        is_("recurrent_poor_practice_unreported"))
    t.c(197, "Unsafe and unhygienic living environments that could have had an impact on the person or have caused minor injury but requiring no external medical intervention or consultation.",
        all_(is_("unsafe_unhygienic_environment"), not_("medical_attention_required")))
    t.c(197, "Denying adult at risk access to professional support and services such as advocacy.", is_("denied_access_to_professional_support"))
    t.c(197, "Complaints raised with the provider in relation to services, but no action taken", is_("complaints_not_acted_on"))
    t.r(197, "Staff misusing their position of power within a service.", is_("staff_misusing_power"))
    t.r(197, "Failure to refer disclosure of abuse or improve poor care practices.", is_("failure_to_refer_disclosure"))
    t.r(197, "Single or repeated incident of low staffing resulting in injury, or death to one or more adults.",
        all_(is_("insufficient_staffing"), SOME_HARM))
    t.r(197, "Widespread, consistent ill treatment, e.g., unsafe manual handling.", is_("widespread_ill_treatment"))
    t.r(197, "Punitive responses to managing challenging behaviours, e.g., misuse of medication, inappropriate restraint.",
        any_(is_("punitive_responses"), is_("overmedication_or_restraint")))
    t.r(197, "Longstanding rigid and/or inflexible routines that undermine dignity and privacy.", eq("rigid_routines", "undermine_dignity"))
    return t.build(197, notes=(
        "The alternative-actions row is split over lines 198-199 and the consultation column starts mid-sentence "
        "('(e.g., whistleblowing). Increased monitoring ...'); the fragment before 'Increased monitoring' is lost.",
    ))


def _discriminatory():
    t = _table("discriminatory", "Discriminatory abuse or hate crime", 202, 204, (
        "Information and education around expected standards of conduct, respect, equality, diversity, and inclusion.",
        "Training around conduct, respect, equality, diversity, and inclusion.",
        "Use of risk management processes.",
        "Review of existing care plans or creation of new care plans /risk assessments.",
        "Refer to Equality Act government guidance (2013).",
    ), (
        "Share information with the local Community Safety Team/Police Community Safety Team.",
        "Quality Improvement Plan for the service.",
        "Share information with the ICB Quality Team and/or the CQC.",
        "Complaints or disciplinary processes.",
    ))
    t.n(203, NOT_PIPOT + "Incident when an inappropriate prejudicial remark is made to an adult and no distress is caused.",
        all_(not_("person_in_position_of_trust"), is_("prejudicial_remark"), NO_IMPACT))
    t.n(203, NOT_PIPOT + "Care planning that fails to address an adult's culture and diversity needs for a short period but where the issue(s) are being addressed.",
        all_(not_("person_in_position_of_trust"), is_("diversity_needs_unmet_short_term"), is_("risk_reduction_actions_taken")))
    t.c(203, "Recurring discriminatory remarks/taunts motivated by prejudicial attitudes with no significant impact.",
        all_(is_("recurring_prejudicial_taunts"), NOT_SIGNIFICANT))
    t.c(203, "Recurring failure to meet specific care/support needs associated with equality and diversity that causes minimal or no distress.",
        all_(is_("recurring_failure_diversity_needs"), NO_IMPACT))
    t.c(203, "Neighbourhood disputes targeting an adult with care and support needs.", is_("neighbourhood_dispute_targeting"))
    t.c(203, "Service provision does not respect equality and diversity principles.", is_("service_disrespects_equality"))
    t.c(203, "Denial of civil liberties (e.g., making a complaint or being able to vote).", is_("denial_of_civil_liberties"))
    t.r(203, PIPOT, is_("person_in_position_of_trust"))
    t.r(203, "Hate crime resulting in injury/medical treatment/fear for life.",
        all_(is_("hate_motivated"), any_(SOME_HARM, is_("medical_attention_required"))))
    t.r(203, "Honour based violence.", is_("honour_based_violence"))
    t.r(203, "Inequitable access to service provision due to prejudice and /or a lack of equality and diversity.", is_("inequitable_access_due_to_prejudice"))
    t.r(203, "Recurring failure to meet specific care and support needs associated with prejudice and/or a lack of equality and diversity that causes distress.",
        all_(is_("recurring_failure_diversity_needs"), SOME_HARM))
    return t.build(202)


def _modern_slavery():
    t = _table("modern_slavery", "Modern slavery", 207, 209, (
        "Refer to National Crime Agency guidance on Modern Slavery.",
    ), (
        "Contact the local Exploitation/Violence Reduction Co-ordinator or Safeguarding Leads for further guidance (East Sussex, West Sussex and Brighton & Hove).",
    ))
    police = dict(notify=("police",), note="Line 208's garbled text still says that when a potential victim, suspect or location "
                                         "is identified, Sussex Police are to be notified.")
    t.r(208, "Information that a person is being exploited or controlled by others.", is_("exploited_or_controlled"), **police)
    t.r(208, "Information that a person is involved in the exploitation of others.", is_("exploiting_others"), **police)
    t.r(208, "Information that a location or vehicle is involved in the accommodation or transport of exploited persons.",
        is_("location_or_vehicle_involved"), **police)
    return t.build(207, notes=(
        "Line 208: the non-reportable and consultation columns are garbled in the seed (fragments of a paragraph on "
        "first-responder duties under Section 52 of the Modern Slavery Act and notifying Sussex Police, split mid-word "
        "across columns). No examples could be transcribed for those levels; only the reportable examples are clean.",
        "The reportable column's closing text (exploitation may relate to sexual services, labour, domestic work, forced "
        "marriage, organ removal or criminal acts; coercion may be threats, debt, deportation, trauma or deception) "
        "explains the examples and is not transcribed as separate indicators.",
    ))


def _domestic_abuse():
    t = _table("domestic_abuse", "Domestic abuse", 212, 214, (
        "Complete DASH risk assessment.",
        "Refer to specialist domestic abuse services for early intervention and support.",
        "Onward referrals to specialist support agencies.",
    ), (
        "When children are present ALWAYS make a children's social care referral.",
        "Referral to the local authority Adult Social Care department for a social care assessment.",
    ))
    t.n(213, "Adult has capacity and no vulnerabilities/current fears identified.",
        all_(not_("lacks_capacity"), is_("no_vulnerabilities_or_fears_identified")))
    t.n(213, "Adequate protective factors in place", is_("adequate_protective_factors"))
    t.n(213, "DASH RIC assessment has identified standard or lower risk.", eq("dash_ric_risk", "standard"))
    t.n(213, "Referrals that have already been made to specialist services.", is_("specialist_referral_made"))
    t.n(213, "Contact with perpetrator has ceased, with no concerns this will be reestablished (it should be noted that the end of a relationship or ceased contact can increase the risk of domestic abuse.)",
        is_("contact_ceased"))
    t.n(213, "One-off incident with no injury or impact experienced.", all_(eq("prior_similar_concerns", 0), NO_IMPACT))
    t.c(213, "Where there is abuse or risk of abuse relating to domestic violence and abuse and coercion and control, always consider raising a safeguarding concern.",
        any_(is_("domestic_abuse_or_risk"), is_("coercion"), is_("controlling_behaviour")))
    t.r(213, "Recurrent patterns of violent and coercive/controlling behaviour, including verbal/physical assault.",
        all_(ge("prior_similar_concerns", 1), any_(is_("violence_or_assault"), is_("coercion"), is_("controlling_behaviour"))))
    t.r(213, "Unexplained marks or injuries on several occasions, such as bruising, cuts, fractures.", is_("unexplained_injuries_repeated"))
    t.r(213, "Sexual activity without valid consent.", is_("sexual_activity_without_consent"))
    t.r(213, "Continues to reside with or have contact with the perpetrator.", is_("in_contact_with_perpetrator"))
    t.r(213, "Escalation of concern for safety.", is_("escalating_safety_concern"))
    t.r(213, "Isolation from seeing friends and family or support services.", is_("isolated_from_family_or_support"))
    t.r(213, "Disengagement from domestic abuse and /or other support services.", is_("disengaged_from_support"))
    t.r(213, "In constant fear of being abused.", is_("constant_fear"))
    t.r(213, "Denial of access to medical treatment or care.", is_("denied_medical_treatment"))
    t.r(213, "Stalking or harassment.", is_("stalking_or_harassment"))
    t.r(213, "Forced marriage/Female Genital Mutilation.", any_(is_("forced_marriage"), is_("fgm")))
    return t.build(212, notes=("Line 213: a DASH RIC should be considered for all allegations of domestic abuse.",))


_CAT12 = eq("ulcer_severity", "category_1_or_2")
_CAT34 = eq("ulcer_severity", "category_3_or_4")
_SEVERE = any_(_CAT34, all_(is_("multiple_ulcers"), _CAT12))


def _pressure_ulcers():
    t = _table("pressure_ulcers", "Pressure ulcers", 235, 237, (
        "Follow relevant internal policies and procedures.",
        "Refer to the NICE guidance on pressure ulcers (2014).",
        "Refer to the DHSC's Safeguarding Adults Protocol for Pressure Ulcers.",
        "Share information with district nurse or GP.",
        "Consideration of specialist support (e.g., Tissue Viability Nurses).",
    ), (
        "Referral to the local authority Adult Social Care department for a social care assessment or a review of existing arrangements.",
        "Share information with the ICB Quality Team and/or the CQC.",
        "Complaints or disciplinary processes.",
    ))
    c_lead = "Category 3 or 4 pressure ulcers, unstageable and suspected deep tissue injury pressure ulcers, or multiple Category 1 and 2 pressure ulcers, where: "
    r_lead = "Category 3 or 4, unstageable and suspected deep tissue injury, where: "
    t.n(236, "Single incident of Category 1 or 2 pressure ulcer.", all_(_CAT12, not_("multiple_ulcers")))
    t.n(236, "Category 3 & 4, unstageable and suspected deep tissue injury, or multiple Category 2 pressure ulcers where: "
        "a care plan is in place; action is being taken; other relevant professionals are involved such as Tissue Viability Nurses; "
        "there has been full discussion with the person, their family or representative; "
        "there are no other indicators of abuse or neglect or unexplained deterioration.",
        all_(_SEVERE, is_("care_plan_in_place"), is_("risk_reduction_actions_taken"), is_("professionals_notified"),
             is_("discussed_with_person_or_representative"), not_("other_abuse_indicators"), not_("unexplained_deterioration")))
    t.c(236, c_lead + "The care plan has not been fully implemented.", all_(_SEVERE, is_("care_plan_in_place"), not_("care_plan_implemented")))
    t.c(236, c_lead + "Deterioration has taken place without explanation – e.g., Category 2 has been recategorised as a Category 3-4 ulcer.",
        all_(_SEVERE, is_("unexplained_deterioration")))
    t.c(236, c_lead + "It is not clear that professional advice or support has been sought at the appropriate time such as from Tissue Viability Nurses.",
        all_(_SEVERE, not_("professional_advice_sought")))
    t.c(236, c_lead + "There are other similar incidents of concerns.", all_(_SEVERE, ge("prior_similar_concerns", 1)))
    t.c(236, c_lead + "There are possible other indicators of neglect.", all_(_SEVERE, is_("other_abuse_indicators")))
    t.r(236, r_lead + "The person has not been assessed as lacking capacity and treatment and prevention has not been provided.",
        all_(_CAT34, is_("treatment_and_prevention_not_provided")))
    t.r(236, r_lead + "No risk assessment and/or care plan completed or of very poor quality.", all_(_CAT34, not_("care_plan_in_place")))
    t.r(236, r_lead + "There are other incidents of abuse or neglect.", all_(_CAT34, is_("other_abuse_indicators")))
    t.r(236, r_lead + "Evidence demonstrates that this is part of a pattern/trend.", all_(_CAT34, ge("prior_similar_concerns", 2)),
        note="A pattern/trend is read as at least two earlier similar concerns; one earlier concern is the consultation example.")
    t.r(236, r_lead + "A root cause analysis or investigation has been commenced or is in progress that has identified abuse or neglect.",
        all_(_CAT34, is_("rca_identified_abuse_or_neglect")))
    return t.build(235, notes=(
        "'where:' lists: in the non-reportable column every bullet must hold; in the consultation and reportable columns any one bullet is enough.",
        "Lines 224-232: where the person has capacity and refuses treatment, standard interventions come first; obvious signs of neglect should be reported.",
    ))


def _falls():
    t = _table("falls", "Falls", 240, 241, (
        "Follow relevant internal policies and procedures.",
        "Review and revise current care plans /risk assessments",
        "For falls in older people refer to the NICE guidance (2013).",
        "Share information with the Falls Prevention Service or Occupational Therapy service.",
        "Share information with GP for any medical issues.",
    ), (
        "Share information with the ICB Quality Team and/or the CQC.",
        "Referral to the local authority Adult Social Care department for a social care assessment, carers assessment, or review of existing arrangements.",
        "Complaints or disciplinary processes.",
        "Consideration of whether mental capacity is an issue.",
    ))
    multi = ge("previous_falls", 1)
    lead = "Multiple falls have occurred where: "
    t.n(240, "A fall where no injury has occurred and: there is a reasonable explanation as to why this occurred; "
        "a care plan and/or risk assessment is in place and being adhered to; actions are being taken to minimise further risk; "
        "other relevant professionals have been notified; full discussions with the person or people, next-of-kin, or any other representative; "
        "there are no other indicators of abuse or neglect.",
        all_(NO_IMPACT, is_("reasonable_explanation"), WELL_MANAGED))
    t.c(240, lead + "A care plan and/or risk assessment is not in place or has not been fully implemented.",
        all_(multi, any_(not_("care_plan_in_place"), not_("care_plan_implemented"))))
    t.c(240, lead + "It is not clear that professional advice or support has been sought at the appropriate time (e.g., Falls Prevention Service, provider services monitoring team)",
        all_(multi, not_("professional_advice_sought")))
    t.c(240, lead + "There have been other similar issues or areas of concern.", all_(multi, ge("prior_similar_concerns", 1)))
    t.c(240, lead + "There may be other indicators of abuse or neglect.", all_(multi, is_("other_abuse_indicators")))
    t.r(240, "Any fall resulting in significant injury or death where there is suspected abuse or neglect by a staff member or Person in a Position of Trust.",
        all_(eq("impact", "significant"), any_(is_("suspected_abuse_or_neglect_by_staff"), is_("person_in_position_of_trust"))))
    t.r(240, "Where a person sustains an injury (other than a very minor injury) which is unexplained or in which appropriate medical attention was not sought.",
        all_(SOME_HARM, any_(is_("injury_unexplained"), is_("medical_attention_not_sought"))))
    t.r(240, "Repeated falls in which significant injuries have been sustained despite preventative advice having been given.",
        all_(multi, eq("impact", "significant"), is_("professional_advice_sought")))
    return t.build(240)


def _medication_errors():
    t = _table("medication_errors", "Medication errors", 275, 277, (
        "Review of relevant policies and procedures.",
        "Internal relevant training provided.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
        "Complaints or disciplinary processes.",
    ), (
        "Share information with the ICB Quality Team and/or the CQC.",
        "DATIX, serious Incident or alternative review or investigative process.",
        "Discussion with the GP/Pharmacy.",
    ))
    any_error = any_(is_("administration_error"), is_("prescribing_or_dispensing_error"), is_("missed_medication"))
    t.n(276, "Incidents where the person is accidently given the wrong medication, given too much or too little medication or given it at the wrong time but there has been no impact.",
        all_(is_("administration_error"), NO_IMPACT))
    t.n(276, "Incidents where there is no impact but that has not been reported by staff members.", all_(is_("error_not_reported_by_staff"), NO_IMPACT))
    t.n(276, "Prescribing or dispensing error by GP, pharmacist or other medical professional resulting in no impact.",
        all_(is_("prescribing_or_dispensing_error"), NO_IMPACT))
    t.c(276, "Recurring prescribing, dispensing or administration errors that affect more than one person and result in harm, or the risk of harm occurring.",
        all_(any_error, ge("previous_errors", 1), is_("errors_affect_more_than_one_person")))
    t.c(276, "Over-reliance on sedative medication to manage behaviour.", is_("sedation_to_manage_behaviour"))
    t.c(276, "Covert medication administration without due consideration of consent and capacity, correct recorded decision-making and authorisation.",
        is_("covert_without_authorisation"))
    t.c(276, "Misuse of/over-reliance on sedatives and/or anti-psychotropic medication to control behaviour.", is_("sedation_to_manage_behaviour"))
    t.r(276, "Any medication error causing harm, where medical attention is required, or where death occurs.",
        all_(any_error, any_(SOME_HARM, is_("medical_attention_required"))))
    t.r(276, "Deliberate maladministration of medicines (e.g., sedation) or failure to follow proper procedures, including reporting of medication errors.",
        any_(is_("deliberate_maladministration"), is_("procedures_not_followed")),
        note="The non-reportable column keeps an unreported error with no impact; 'failure to follow proper procedures' is recorded with procedures_not_followed.")
    t.r(276, "Pattern of recurring errors or an incident of deliberate maladministration.",
        any_(ge("previous_errors", 2), is_("deliberate_maladministration")))
    t.r(276, "Deliberate falsification of records or coercive/intimidating behaviour to prevent reporting.", is_("falsification_or_intimidation"))
    t.r(276, "Insufficient or incorrect medication policies and procedures in place.", is_("inadequate_medication_policies"))
    return t.build(275, notes=("Line 261: review each error against previously recorded errors; a series of similar incidents may meet the criteria.",))


def _incidents_between_adults():
    t = _table("incidents_between_adults", "Incidents between adults in a service", 317, 319, (
        "Review of relevant policies and procedures.",
        "Internal relevant training provided.",
        "Review of existing care plans or creation of new care plans/risk assessments.",
        "Complaints or disciplinary processes.",
    ), (
        "Share information with the ICB Quality Team and/or the CQC.",
        "Discussion with Health/Social Care Commissioners.",
        "DATIX, Serious Incident or alternative review or investigative process.",
    ))
    t.n(318, "Incidents between people using a service where there is no apparent impact, and actions are undertaken to minimise the risk of reoccurrence.",
        all_(NO_IMPACT, is_("risk_reduction_actions_taken")))
    t.n(318, "More than one incident where there is no apparent impact, and: a care plan and/or risk assessment is in place and is being adhered to; "
        "action is taken to minimise further risk; other relevant professionals have been notified; "
        "there has been full discussion with the person, their next-of-kin, or their representative; no other indicators of abuse or neglect.",
        all_(PAIR_MULTIPLE, NO_IMPACT, WELL_MANAGED), note=COUNT_NOTE)
    t.c(318, "Any incident between people using a service in which medical attention or attendance at hospital is required.", is_("medical_attention_required"))
    t.c(318, "Multiple incidents where the person lacks capacity and is unable to take action to protect themselves.",
        all_(PAIR_MULTIPLE, is_("victim_lacks_capacity"), is_("victim_unable_to_protect_self")), note=COUNT_NOTE)
    t.c(318, "There have been other similar incidents involving the same perpetrator.", ge("prior_incidents_same_source", 1))
    t.c(318, "Concerns over escalation of behaviours between identified individuals.", is_("escalating_behaviour"))
    t.c(318, "The care plan has not been implemented.", all_(is_("care_plan_in_place"), not_("care_plan_implemented")))
    t.c(318, "It is not clear that professional advice or support has been sought at the appropriate time.",
        all_(not_("professional_advice_sought"), any_(ANY_EARLIER, SOME_HARM)),
        note="'At the appropriate time' is read as: once there has been an earlier incident or some impact.")
    t.c(318, "There have been other similar incidents involving the perpetrator or areas of concern.",
        any_(ge("prior_incidents_same_source", 1), is_("other_concerns_about_source")))
    t.local("consultation", 285, "There may be times when the actions of one adult in a service towards another goes beyond usual conflict and their behaviour is abusive, causing an impact.",
            SOME_HARM, category="Incidents between adults in a service", column="guidance before the table",
            note="Every non-reportable example of the table requires 'no apparent impact'; an impact takes the incident beyond them.")
    t.local("consultation", PEER_STEP4.line, PEER_HIGH_RISK_WORDING, PEER_HIGH_RISK_WHEN, seed=PEER_SEED,
            category="Operational Example 1", column="Step 4 (safeguarding route decision)", note=PEER_HIGH_RISK_NOTE)
    t.r(318, "Any incident resulting in intentional or intended harm or risk of harm to the person, including hate crimes.",
        any_(is_("intentional_harm"), is_("hate_motivated")))
    t.r(318, "Any incident where a weapon or other object is used with the intention to cause injury.", is_("weapon_or_object_used"))
    t.r(318, "Repeated incidents where the person lacks capacity and is unable to protect themselves.",
        all_(PAIR_REPEATED, is_("victim_lacks_capacity"), is_("victim_unable_to_protect_self")), note=COUNT_NOTE)
    t.r(318, "The victim is, or appears, fearful in the presence of the other person or is adapting their behaviour to pacify or avoid the other person.",
        is_("victim_fearful_or_adapting"))
    t.cross("reportable", 179, "Physical assaults or actions that result in significant injury or ongoing emotional distress caused to the person.",
            eq("impact", "significant"), category="Physical abuse",
            note="Line 281: incidents between adults can involve physical, psychological, sexual, financial or discriminatory abuse. "
                 "The incidents table has no example for significant harm, so the physical abuse table's applies.")
    return t.build(317, notes=(
        "Line 291: systemic failings leading to repeated incidents between adults in a service may warrant an enquiry into organisational abuse.",
        "Lines 310-314: record every incident to identify patterns; senior managers review whether certain adults are regularly involved.",
    ))



def _homelessness():
    t = _table("homelessness", "Homelessness", 322, 324, (
        "Referral to local authority Housing Services.",
        "Referral to community and voluntary sector Housing organisations (such as Brighton Housing Trust Sussex).",
        "Referral to Mental Health services",
        "Refer to the LGA Briefing on adult safeguarding and homelessness (2020)",
    ), (
        "Share information with district nurse, GP, or OT.",
        "Refer to the local authority Adult Social Care department for assessment or review of existing services.",
        "If self-neglect is identified consult the self-neglect procedures in the Sussex Safeguarding Adults Policy and Procedures as well as consult the local authority.",
    ))
    t.n(323, "The person is expressing/experiencing mental health distress or using illicit substances. Consultation with mental health and substance misuse services may be appropriate.",
        is_("mental_health_distress_or_substance_use"))
    t.n(323, "Housing discharging their duty to house an adult.", is_("housing_duty_discharged"))
    t.n(323, "The person is engaged with and/or is a cause of risk in a criminal act. Following internal agency policy, a police report should be made.",
        is_("involved_in_criminal_act"), notify=("police",))
    t.c(323, "The person has deteriorating physical/mental health, and this is placing their health at significant risk of harm. Application of the self-neglect procedures may be considered.",
        is_("deteriorating_health_significant_risk"))
    t.c(323, "If the person is offered housing which is not considered to be reasonable or suitable.", is_("unsuitable_housing_offered"))
    t.c(323, "Multiple people may be being targeted by an unknown individual/agency.", is_("multiple_people_targeted"))
    t.r(323, "Lack of inter-agency cooperation when self-neglect procedures have been initiated.", is_("lack_of_interagency_cooperation"))
    t.r(323, "Support agencies are not working together to provide support for the person which they are eligible for.", is_("agencies_not_working_together"))
    t.r(323, "Appears to be being targeted by individual(s) for abuse or exploitation.", is_("targeted_for_abuse_or_exploitation"))
    return t.build(322)


def _rules() -> tuple[NotificationRule, ...]:
    def src(line: int, section: str) -> Source:
        return Source(seed=SEED, category=section, column="text", line=line)

    return (
        NotificationRule(id="criminal_act", source=src(142, "6. Responding to concerns"), when=is_("crime_indicated"), notify=("police",),
                         wording="Criminal acts must be reported to the police and/or emergency treatment should be sought where necessary."),
        NotificationRule(id="immediate_danger", source=src(142, "6. Responding to concerns"), when=is_("immediate_danger"), notify=("emergency_services",),
                         wording="It is important to consider in the first instance whether someone is in immediate danger or has been the subject of a crime."),
        NotificationRule(id="children_at_risk", source=src(136, "5. Key considerations"), when=is_("children_at_risk"), notify=("childrens_services",),
                         wording="Are there children also at risk? If so, contact the relevant local authority Children's Services department."),
        NotificationRule(id="position_of_trust", source=src(160, "7. People in positions of trust (PIPOT)"), when=is_("person_in_position_of_trust"),
                         notify=("position_of_trust_procedure",),
                         wording="The Care Act 2014 requires the local authority, its relevant partners and those providing care and support services to have clear policies in place for dealing with allegations or safeguarding concerns involving anyone working or volunteering in a position of trust."),
        URGENT_ESCALATION,
    )


PROFILE = ThresholdProfile(
    name="sussex",
    version="1.0.0",
    title="Sussex Safeguarding Adults Thresholds",
    seed=SEED,
    document="Safeguarding Adults Thresholds: Guidance for Professionals, version 2 (Brighton & Hove, East Sussex and West Sussex Safeguarding Adults Boards; review date January 2026)",
    columns=COLUMNS,
    common_facts=COMMON_FACTS,
    categories=(
        _neglect(), _self_neglect(), _physical(), _sexual(), _psychological(), _financial(), _organisational(),
        _discriminatory(), _modern_slavery(), _domestic_abuse(), _pressure_ulcers(), _falls(), _medication_errors(),
        _incidents_between_adults(), _homelessness(),
    ),
    rules=_rules(),
    low_level=LowLevelConcerns(
        same_source_at_least=2, same_pair_at_least=2, same_service_at_least=4, lookback_days=180,
        basis="Local reading of 'several low-level concerns': two earlier concerns with the same alleged source or between the same pair, or four in the same service, within 180 days.",
    ),
    judgement=("Please note, it is the responsibility of the referrer to use their professional judgement when making the decision to refer or not. "
               "This guidance and any consultation are not a substitute for the decision the referrer needs to make."),
    judgement_source=Source(seed=SEED, category="1. Introduction", column="text", line=62),
)
