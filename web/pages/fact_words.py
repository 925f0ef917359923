"""The threshold tools' questions (the Sussex and Guernsey tools, domain/threshold), one per fact:
each fact asked as a question, with a hint where the tool's own wording gives an example. A fact's
label is the tool's own words for it (its vocabulary's help), unless given here. web/pages/words.py
serves them.
"""

from __future__ import annotations

# name | question | hint (optional) | label (optional: else the tool's own words)
_TABLE = """
impact | How much has the adult been affected? | None means no harm or distress; significant means injury, ongoing distress or a risk of significant harm.
person_in_position_of_trust | Is the alleged source in a position of trust? | For example, staff, a volunteer, a professional, or an attorney or deputy.
other_abuse_indicators | Are there other signs of abuse or neglect?
humiliation | Are there signs of humiliation?
coercion | Are there signs of coercion or control?
exploitation | Are there signs of exploitation?
crime_indicated | Is there a sign that a crime has been committed?
immediate_danger | Is anyone in immediate danger?
children_at_risk | Is a child at risk, or might they be?
staff_error | Was there an error by staff? | For example, a hoist that did not fit was used.
explained_light_marking | Was there light marking or bruising that can be explained?
moving_handling_not_followed_once | Were moving and handling procedures not followed, on one occasion?
physical_contact_no_mark | Was there physical contact, but not hard enough to leave a mark or bruise?
minor_accident | Was it a minor accident that should be reported as an incident?
unexplained_minor_marks_repeated | Have unexplained minor marks, bruises, cuts or grip marks been found more than once? | On several occasions, or on several people cared for by the same team or carer.
prior_similar_concerns | How many similar concerns about this adult have there been before? | Enter 0 if none. | Number of earlier similar concerns
carer_stress | Is the carer under stress?
carer_breakdown_risk | Is the carer unable to carry on caring?
rough_handling_or_restraint | Was the adult handled roughly, or restrained when they should not have been?
marks_left | Were marks left on the adult?
medical_attention_required | Does the adult need medical attention or to go to hospital?
risk_unmanageable_with_current_oversight | Is the risk too great to manage with the current professional oversight or universal services?
injury_or_deprivation_of_liberty_by_carer | Did a carer injure the adult, or deprive them of their liberty? | Whether meant or not, by a paid or unpaid carer.
assault | Was the adult assaulted?
intended_injury | Was injury or harm to the adult intended?
deliberate_withholding | Were food, drinks or aids to independence deliberately withheld?
force_feeding | Was the adult deliberately force-fed?
unexplained_serious_injury | Does the adult have fractures or other serious injuries that cannot be explained?
fearful_or_distressed | Does the adult seem frightened or distressed?
predictable_preventable_incident_between_adults | Was it an incident between adults that could have been predicted and prevented?
unwanted_attention_non_genital | Was the adult teased, or given unwanted attention in words or by touch? | Not involving the genitals.
sexualised_remark_or_gesture | Was there a sexual remark or gesture the adult did not want?
lacks_capacity | Does the adult lack capacity in relation to this matter?
non_contact_sexualised_behaviour | Was there sexual behaviour without physical contact?
sexual_contact | Was there sexual contact?
sexualised_teasing_or_harassment | Was the adult teased or harassed in a sexual way, in words?
sexual_harassment | Was the adult sexually harassed, beyond words?
indecent_exposure | Was someone indecently exposed to the adult?
grooming_or_sexual_exploitation | Was the adult groomed or sexually exploited, in person or online?
sexual_act_without_consent | Was there a sexual act without valid consent, or with pressure to consent?
sexual_assault_or_violence | Was the adult raped, sexually assaulted or subjected to sexual violence?
sexual_activity_in_unequal_relationship | Was there sexual activity in a relationship of authority, inequality or exploitation?
voyeurism | Was the adult watched for someone's sexual gratification? | This is called voyeurism.
fgm | Is female genital mutilation (FGM) involved?
spoken_to_rudely | Was the adult spoken to rudely, or without respect?
taunts_or_outbursts | Was the adult taunted, mocked or shouted at?
dignity_undermined | Did how the adult was treated undermine their dignity and self-esteem?
opinions_repeatedly_denied | Have the adult's opinions, views and choices been ignored again and again?
information_withheld | Was information kept from the adult? | Choose whether it was kept from them to take away their power to choose.
denial_of_human_rights | Were the adult's basic human rights or civil liberties denied? | For example, overriding an advance decision, or depriving them of their liberty.
forced_marriage | Is forced marriage involved?
honour_based_violence | Is so-called honour-based violence involved?
prolonged_intimidation_or_humiliation | Was the adult intimidated or humiliated over a long time?
vicious_verbal_attacks | Was the adult attacked with vicious or personal words?
emotional_blackmail | Was the adult emotionally blackmailed? | For example, threatened with being abandoned or harmed.
cuckooing | Is there a concern someone has taken over the adult's home? | This is called cuckooing.
frightening_outbursts_or_harassment | Was the adult often shouted at or harassed in a frightening way?
intentional_restriction_of_choice | Were the adult's choices or opinions deliberately restricted?
cyberbullying | Was the adult bullied online?
radicalisation | Is there a concern the adult is being radicalised?
relatives_not_paying_care_charges | Have relatives not paid care charges, although the adult has their own allowance or money?
missing_belongings_no_theft_indication | Are belongings or a small amount of money missing, with no sign of theft or abuse?
money_not_recorded_properly | Was money not recorded or kept safely?
risk_reduction_actions_taken | Has action been taken to make it less likely to happen again?
money_decisions_without_person | Is the adult left out of decisions about their money? | Choose whether it happened once or happens routinely.
cold_calling | Has the adult had unwanted cold calls or doorstep visits?
trading_standards_notified | Have Trading Standards been told?
risk_managed_by_current_oversight | Can the risk be managed with the current professional oversight or universal services?
staff_personally_benefiting | Are staff benefiting personally from the support they give, without taking money?
joint_account_unclear | Is the adult's money in a joint account with no clear arrangement for sharing it fairly?
high_visitors_unable_to_say_no | Does the adult have many visitors, calls or online contacts and seem unable to say no?
high_antisocial_behaviour | Is there a lot of antisocial behaviour?
arrears_despite_sufficient_funds | Is the adult behind on rent, mortgage, bills or care charges, although there should be enough money?
no_access_to_own_funds | Does the adult have no access to their own money, with no sign of things being bought for them?
restricted_access_to_finances | Is the adult's access to their money, property or belongings restricted?
care_fees_unpaid_care_at_risk | Are care fees or the adult's contribution unpaid, putting their care at risk?
misappropriation | Have the adult's money, property, belongings or benefits been misused?
finances_removed_without_authority | Have money or belongings been taken out of the adult's control without legal authority?
fraud_or_financial_exploitation | Is there fraud or exploitation involving benefits, income, property or legal documents?
coerced_into_giving_money | Was the adult pressured or misled into giving away money or property?
care_plan_in_place | Is there a care plan or risk assessment in place?
care_needs_not_met_once | Were the adult's care needs not fully met on one occasion? | For example, their continence needs were not met once.
missed_visits | How many home care visits were missed, late or cut short in this period? | Enter 0 if none. | Number of missed or late visits
not_supported_food_drink | Was the adult not helped to eat or drink?
reasonable_explanation | Is there a reasonable explanation for what happened?
fall_occurred | Is a fall involved?
risk_escalating | Is the risk of abuse or neglect getting greater?
unsafe_hospital_discharge | Was the adult discharged from hospital without proper planning, with abuse, neglect or a risk of it?
readmission_required | Did the adult have to go back into hospital?
hospital_admission_or_discharge_issue | Are there problems or complaints about the adult's admission to or discharge from hospital?
health_appointments_missed_unmet_needs | Have health appointments been missed again and again because needs were not met?
procedures_not_followed | Were care plans, policies or procedures not followed?
continued_care_plan_failure | Is the care plan still not being followed?
serious_injury_or_death_from_omission | Did a failure to act lead to serious injury or death?
failure_to_arrange_lifesaving_treatment | Was the adult not given access to lifesaving services or medical treatment?
ongoing_lack_of_care_significant_deterioration | Has an ongoing lack of care made the adult's health and wellbeing much worse? | For example, dehydration, malnutrition or loss of independence.
provider_failed_to_act | Did the care provider fail to take the right action?
not_bathed_as_planned | Was the adult not bathed as their care plan says?
no_access_to_aids | Is the adult without the aids that help them be independent?
wellbeing_compromised_ongoing_lack_of_care | Is an ongoing lack of care harming the adult's health and wellbeing?
gross_neglect | Is there gross neglect?
care_plan_not_reflecting_needs | Do care plans miss the adult's current needs, so that they risk significant harm?
insufficient_staffing | Are there too few staff?
short_term_lack_of_stimulation | Has the adult lacked things to do or company for a short time?
care_planning_not_person_centred | Do the care plans leave out what the adult wants and thinks?
poor_practice | Is the quality of care or professional practice poor?
incompatible_service_design | Does the service put adults together who cannot live well together?
rigid_routines | Are routines rigid or inflexible? | Choose whether they are not in the adult's best interests, or undermine their dignity and privacy.
recurrent_poor_practice_unreported | Does poor practice keep happening without management oversight or a report to commissioners or the regulator?
poor_practice_unreported | Is poor practice going unreported and unchecked?
unsafe_unhygienic_environment | Is the place the adult lives unsafe or unhygienic?
multiple_adults_wellbeing_compromised | Is the health and wellbeing of several adults using the service being harmed?
denied_access_to_professional_support | Was the adult denied professional support or services, such as advocacy?
complaints_not_acted_on | Were complaints made to the provider with no action taken?
staff_misusing_power | Are staff misusing their position of power?
failure_to_refer_disclosure | Was a disclosure of abuse not referred, or poor care practice not improved?
widespread_ill_treatment | Is ill treatment widespread and consistent? | For example, unsafe moving and handling.
punitive_responses | Is challenging behaviour met with punishment?
overmedication_or_restraint | Are too much medicine or the wrong restraint used to manage behaviour?
knowingly_breaching_capacity_law | Is mental capacity law or policy being broken on purpose?
recurrent_ill_treatment_multiple_adults | Has more than one adult been ill treated again and again over a period?
prejudicial_remark | Was a prejudiced remark made to the adult?
diversity_needs_unmet_short_term | Did care planning miss the adult's cultural or diversity needs for a short time?
risk_of_escalation | Is there a risk it gets worse?
recurring_prejudicial_taunts | Does the adult face repeated remarks or taunts because of prejudice?
recurring_failure_diversity_needs | Are needs related to equality and diversity repeatedly not met?
neighbourhood_dispute_targeting | Is the adult targeted in a dispute with neighbours?
service_disrespects_equality | Does the service fail to respect equality and diversity?
denial_of_civil_liberties | Was the adult denied their civil liberties? | For example, making a complaint or voting.
hate_motivated | Was the behaviour motivated by prejudice? | This is sometimes called hate crime or mate crime.
threats_made | Were threats made?
inequitable_access_due_to_prejudice | Was the adult refused services, or given less access to them, because of prejudice?
compelled_against_faith | Was the adult made to take part in things against their faith or beliefs?
moved_to_exploitation | Was the adult moved, or threatened with a move, to a place where they are exploited?
modern_slavery_concern | Is there any concern about modern slavery?
exploited_or_controlled | Is there information that others are exploiting or controlling the adult?
exploiting_others | Is there information that the adult is involved in exploiting others?
location_or_vehicle_involved | Is a place or vehicle used to house or move people who are exploited?
long_working_hours | Does the adult work long hours?
poor_living_conditions | Are the adult's living conditions poor?
low_wage | Is the adult paid a low wage?
lives_in_workplace | Does the adult live where they work?
no_health_and_safety_at_work | Is there no health and safety at the adult's work?
encouraged_unsafe_activities | Is the adult encouraged to do unsafe things?
under_duress | Is the adult believed to be under pressure or threat?
id_documents_held_by_controller | Does someone controlling the adult hold their identity documents?
fear_of_law_enforcement | Is the adult afraid of the police or other authorities?
working_in_criminality | Is the adult working in crime? | For example, sex work, growing cannabis, fraud or theft.
overcrowded_conditions | Does the adult live in overcrowded conditions?
no_control_over_finances | Does the adult have no control over their own money?
arrived_for_expected_employment | Did the adult come to the area expecting a job?
no_vulnerabilities_or_fears_identified | Were no vulnerabilities or current fears found?
adequate_protective_factors | Is enough protection in place?
dash_ric_risk | What risk level did the DASH risk checklist give? | Choose none if it was not completed. | DASH risk level
specialist_referral_made | Has a thorough assessment been done and a referral made to specialist domestic abuse services?
contact_ceased | Has contact with the abuser stopped, with no concern it will start again?
domestic_abuse_or_risk | Is there domestic abuse, or a risk of it?
controlling_behaviour | Is there a concern that a partner is controlling the adult? | For example, their money or belongings.
power_imbalance | Is there an imbalance of power in the relationship? | | Imbalance of power in the relationship
violence_or_assault | Has there been violence, or a verbal or physical assault?
physical_evidence_of_violence | Is there physical evidence of violence? | For example, bruises, cuts or broken bones.
unexplained_injuries_repeated | Have unexplained marks or injuries been found more than once?
sexual_activity_without_consent | Was there sexual activity without valid consent?
in_contact_with_perpetrator | Does the adult still live with, or have contact with, the abuser?
escalating_safety_concern | Is the concern for the adult's safety growing?
isolated_from_family_or_support | Is the adult cut off from friends, family or support services?
disengaged_from_support | Has the adult stopped using domestic abuse or other support services?
constant_fear | Does the adult live in constant fear of abuse or harm?
denied_medical_treatment | Was the adult denied medical treatment or care?
stalking_or_harassment | Is the adult being stalked or harassed?
poor_self_care | Is the adult not looking after themselves well?
early_signs_of_self_neglect | Is the adult starting to show signs of self-neglect?
property_neglected_services_work | Is the home neglected, although all essential services and appliances work?
home_or_placement_secure | Is the adult's home, tenancy or place in the community safe from being lost?
low_level_hoarding | Is there some hoarding, with little or no effect on health and safety?
no_access_to_social_care_support | Does the adult have no access to social care support?
occasional_missed_appointments | Does the adult sometimes miss appointments, such as health appointments?
non_compliant_with_support | Is the adult not accepting the support offered?
not_engaging_with_professionals | Is the adult not engaging, or starting to disengage, with health and social care staff?
lack_of_insight | Does the adult seem not to see that they are neglecting themselves?
lack_of_essential_amenities | Is the adult without essential amenities or food?
refusing_treatment_impacting_health | Is the adult refusing medical treatment, care or equipment in a way that will harm their health?
unsanitary_conditions | Are the adult's living conditions unsanitary or neglected in a way that could harm their health?
hoarding_impacting_health | Is clutter or hoarding starting to affect health and safety?
animals_impacting_environment | Are animals in the home making it a risk to health?
collecting_animals_inappropriately | Is the adult keeping many animals in unsuitable conditions?
medication_non_compliance | Is the adult not taking their medicine, with a risk to their health?
squalid_conditions | Is the adult living in squalid or unsanitary conditions?
life_in_danger_without_intervention | Is the adult's life in danger unless someone steps in?
structural_damage_risk_to_life | Is the building so damaged it puts life at risk? | Including fire risks or gas leaks.
high_level_hoarding_fire_hazard | Is there so much clutter or hoarding that it blocks access or is a fire risk?
behaviour_risk_to_self_or_others | Does the adult's behaviour put themselves or others at risk? | For example, using drugs or alcohol.
not_accepting_any_support | Is the adult unable or unwilling to accept any support or plan to improve things?
appears_malnourished | Does the adult look malnourished?
ulcer_severity | How serious is the worst pressure ulcer? | Category and grade are the same scale. Category 3 or 4 includes ulcers that cannot be staged and suspected deep tissue injury. | Worst pressure ulcer
multiple_ulcers | Does the adult have more than one pressure ulcer?
care_plan_implemented | Is the care plan being followed?
professionals_notified | Have other professionals who should know been told or involved?
discussed_with_person_or_representative | Has it been fully discussed with the adult, their next of kin or representative?
professional_advice_sought | Was professional advice or support asked for at the right time?
unexplained_deterioration | Has it got worse with no explanation? | For example, a category 2 pressure ulcer is now category 3 or 4.
treatment_and_prevention_not_provided | Were treatment and prevention not provided, although the adult has not been assessed as lacking capacity?
rca_identified_abuse_or_neglect | Has an investigation into the cause found abuse or neglect?
previous_falls | How many times has the adult fallen before in this period? | Enter 0 if this is the first fall. | Number of earlier falls
falls_requiring_hospital_in_6_months | How many falls in the last 6 months needed a hospital visit? | Include this one. | Falls needing hospital in 6 months
suspected_abuse_or_neglect_by_staff | Is a member of staff suspected of abuse or neglect?
injury_unexplained | Is the injury unexplained?
medical_attention_not_sought | Was the right medical attention not sought?
administration_error | Was the adult given the wrong medicine, too much or too little, or at the wrong time?
missed_medication | Did the adult miss their medicine?
prescribing_or_dispensing_error | Was there a prescribing or dispensing error by a GP, pharmacist or other professional?
error_not_reported_by_staff | Did staff not report the error?
previous_errors | How many earlier medication errors of this kind have there been? | Enter 0 if this is the only one. | Number of earlier medication errors
errors_affect_more_than_one_person | Do the errors affect more than one person?
sedation_to_manage_behaviour | Are sedatives or antipsychotic medicines misused or relied on to manage behaviour?
covert_without_authorisation | Was medicine given covertly without thinking about consent and capacity, or without recorded authorisation?
deliberate_maladministration | Was medicine deliberately given wrongly? | For example, to sedate the adult.
falsification_or_intimidation | Were records falsified, or people intimidated, to stop it being reported?
inadequate_medication_policies | Are the medication policies and procedures missing or wrong?
fabricated_or_induced_illness | Is there fabricated or induced illness?
intentional_harm | Was the harm, or the risk of harm, intended?
weapon_or_object_used | Was a weapon or other object used to try to cause injury?
prior_incidents_same_source | How many similar incidents has the alleged source had with other adults before? | Do not count incidents between these two adults: they are asked next. | Earlier incidents with other adults
prior_incidents_between_pair | How many incidents have there been between these two adults before? | Count them whoever started them. | Earlier incidents between the two adults
victim_lacks_capacity | Does the harmed adult lack capacity in relation to this matter?
victim_unable_to_protect_self | Is the harmed adult unable to protect themselves?
victim_fearful_or_adapting | Is the harmed adult frightened of the other person, or changing what they do to avoid or calm them?
escalating_behaviour | Is there a concern that the behaviour between the adults is getting worse?
mutual_dislike_no_abuse | Do the two adults dislike each other, with no abuse?
other_concerns_about_source | Are there other concerns about the alleged source?
covid_status_at_discharge | What was the COVID-19 status when the adult was discharged or transferred? | | COVID-19 status at discharge
mental_health_distress_or_substance_use | Is the adult in mental distress, or using illegal drugs?
housing_duty_discharged | Has the housing authority ended its duty to house the adult?
involved_in_criminal_act | Is the adult involved in, or causing risk through, a crime?
deteriorating_health_significant_risk | Is the adult's physical or mental health getting worse, putting it at significant risk?
unsuitable_housing_offered | Was the adult offered housing that is not reasonable or suitable?
multiple_people_targeted | Might several people be targeted by someone unknown, or an unknown organisation?
lack_of_interagency_cooperation | Are agencies not cooperating now that self-neglect procedures have started?
agencies_not_working_together | Are support agencies not working together to give the adult the support they are entitled to?
targeted_for_abuse_or_exploitation | Does someone seem to be targeting the adult for abuse or exploitation?
"""

# Fact choices in words, by fact ("none" first: the tool's default)
FACT_CHOICES: dict[str, dict[str, str]] = {
    "impact": {"none": "None: no harm, impact or distress", "some": "Some harm or distress, or a risk of harm",
               "significant": "Significant harm, injury or ongoing distress, or a risk of significant harm"},
    "information_withheld": {"none": "No", "not_to_disempower": "Yes, but not to take away their power to choose",
                             "to_disempower": "Yes, to take away their power to choose"},
    "money_decisions_without_person": {"none": "No", "single_incident": "Yes, once", "routinely": "Yes, routinely"},
    "rigid_routines": {"none": "No", "not_in_best_interests": "Yes, not in the adult's best interests",
                       "undermine_dignity": "Yes, and they undermine the adult's dignity and privacy"},
    "dash_ric_risk": {"none": "None: not completed", "standard": "Standard", "medium": "Medium", "high": "High"},
    "ulcer_severity": {"none": "No pressure ulcer", "category_1_or_2": "Category 1 or 2",
                       "category_3_or_4": "Category 3 or 4"},
    "covid_status_at_discharge": {"none": "Not relevant",
                                  "both_negative": "The adult and the receiving service were confirmed negative",
                                  "status_unknown": "The status of either was not known",
                                  "positive_no_safety_measures": "The adult was positive and discharged without the "
                                                                 "right safety measures"},
}


def _parsed() -> dict[str, tuple[str, str, str]]:
    out = {}
    for line in _TABLE.strip().splitlines():
        name, question, hint, label = ([p.strip() for p in line.split("|")] + ["", ""])[:4]
        out[name] = (question, hint, label)
    return out


# fact -> (question, hint, label); an empty label is the tool's own words for the fact
FACT_QUESTIONS: dict[str, tuple[str, str, str]] = _parsed()
