"""The pages' words for what the API names by field: one table from a pathway record field, a
threshold fact (web/pages/fact_words.py) or a concern field to its question, hint and label, with
per-step wording where a name means something else at another step; choice values and roles in
words; and the validators' problems (the API's words) rewritten as the design system's error
messages. The API and the records keep their field names: only what a person reads changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.inputs import MAX_INT
from projections.wording import humanise, uk_time
from web.pages.fact_words import FACT_CHOICES, FACT_QUESTIONS
from web.pages.formats import REPORTER_WORDS, SOURCE_WORDS


@dataclass(frozen=True)
class Words:
    question: str  # the field asked as a question: "When was the concern identified?"
    hint: str = ""  # one short hint sentence, or ""
    label: str = ""  # a short noun phrase for summary lists and error messages


W = Words
_CONTACT_HINT = "Their role or desk, not their name."

FIELD_WORDS: dict[str, Words] = {
    # ---- the concern, as the raise page asks it
    "identified_at": W("When was the concern identified?",
                       "It starts as now. Change it if the concern was identified earlier.",
                       "Date the concern was identified"),
    "service": W("Which service is it at?", "", "Service"),
    "adult_at_risk": W("What is the id of the adult at risk?",
                       "The adult who was harmed or is at risk. For example, A-117.", "Adult at risk"),
    "alleged_source": W("Who is alleged to have caused the harm?",
                        "If they use the service, give their id, like A-204.", "Alleged source of harm"),
    "source_kind": W("Who is alleged to have caused the harm?", "", "Who is alleged to have caused the harm"),
    "summary": W("What happened?", "Say what was seen or heard. Use ids, not names.", "What happened"),
    "reported_by": W("Who first reported it?", "If someone else told you, you record it for them.",
                     "Who first reported it"),
    "late_report_reason": W("Why is this concern only being raised now?",
                            "It was identified more than 30 days ago.", "Why it is reported late"),
    # ---- a development or a note on a case
    "kind": W("What kind of development is it?", "", "Kind of development"),
    "text": W("What do you want to note?", "Use ids, not names.", "Note"),
    # ---- record the concern
    "behaviour_observed": W("What behaviour was seen?", "Describe exactly what happened. Use ids, not names.",
                            "Behaviour seen"),
    "initiated_by": W("Who started the interaction?", "Give the service user's id, like A-204.",
                      "Who started the interaction"),
    "presentation": W("How did the adult at risk seem straight afterwards?",
                      "Their emotional and physical state: for example, tearful, shaking or withdrawn.",
                      "How the adult seemed afterwards"),
    "notes": W("Is there anything else to add?", "Use ids, not names.", "Notes"),
    # ---- peer-risk review
    "source_still_has_access": W("Does the alleged source still have access to the adult at risk?", "",
                                 "Alleged source still has access"),
    "repeated_or_targeted": W("Has the behaviour been repeated, or was the adult targeted?", "",
                              "Repeated or targeted"),
    "other_adult_affected": W("Has any other adult been affected?", "", "Other adults affected"),
    "source_also_adult_at_risk": W("Is the alleged source also an adult at risk?",
                                   "For example, they have care and support needs themselves.",
                                   "Alleged source is also an adult at risk"),
    # ---- seriousness assessment
    "frequency_of_similar_incidents": W("How many similar incidents have there been?",
                                        "Count earlier incidents like this one. Enter 0 if this is the first.",
                                        "Number of similar incidents"),
    "power_imbalance": W("Is there an imbalance of power between the adults?",
                         "For example, one is stronger, more able or in charge of the other.", "Imbalance of power"),
    "fear_or_avoidance": W("Does the adult at risk show fear of the other person, or avoid them?", "",
                           "Fear or avoidance"),
    "category": W("What kind of harm is it?", "This chooses the threshold tool's questions. If you are not sure, "
                  "choose incidents between adults.", "Kind of harm"),
    "facts": W("What does the threshold tool need to know?", "", "Threshold tool answers"),
    # ---- route decision
    "abuse_category": W("What type of abuse is it?", "Choose the main type.", "Type of abuse"),
    "further_types_of_risk": W("Are there any other types of risk?", "Each one is counted in the national return.",
                               "Other types of risk"),
    "location_of_risk": W("Where was the risk?", "", "Where the risk was"),
    "source_of_risk": W("Who did the risk come from?", "", "Who the risk came from"),
    "humiliation": W("Was the adult at risk humiliated?", "", "Humiliation"),
    "coercion": W("Was the adult at risk coerced or controlled?", "", "Coercion or control"),
    "exploitation": W("Was the adult at risk exploited?", "", "Exploitation"),
    "external_threshold_met": W("Does the concern meet the threshold for a safeguarding referral?",
                                "If you say no when the threshold tool says reportable, give your reason.",
                                "Threshold for a referral met"),
    "override_reason": W("Why is the threshold not met?",
                         "Only if the threshold tool says reportable and you decided otherwise.",
                         "Why the threshold is not met"),
    # ---- protection plan, follow-up
    "separation_measures": W("How will the adults be kept apart?", "", "How the adults are kept apart"),
    "shared_space_restrictions": W("What limits are there on shared spaces?",
                                   "For example, the lounge or dining room at set times.", "Limits on shared spaces"),
    "supervision_arrangements": W("How will the adults be supervised?", "", "Supervision"),
    "implemented": W("Has the protection plan been put in place?", "", "Protection plan in place"),
    "prior_linked_incidents": W("What earlier incidents are linked to this one?",
                                "Write none found if you checked and found none.", "Earlier linked incidents"),
    "access_changes": W("What has changed about who can reach whom?",
                        "For example, rooms moved or visiting times changed.", "Changes to access"),
    "previous_interventions": W("What has been tried before?", "", "Earlier interventions"),
    "source_targeted_others_before": W("Has the alleged source targeted other adults before?", "",
                                       "Alleged source targeted others before"),
    "routines_changed": W("Has the adult at risk changed their routines?", "For example, avoiding meals or rooms.",
                          "Adult changed their routines"),
    "wellbeing_deteriorated": W("Has the adult at risk's wellbeing got worse?", "", "Wellbeing got worse"),
    "staffing_adequate": W("Were there enough staff?", "", "Enough staff"),
    "environment_contributed": W("Did the building or surroundings play a part?",
                                 "For example, a corridor staff cannot see.", "Surroundings played a part"),
    "more_than_one_adult_affected": W("Has more than one adult been affected?", "", "More than one adult affected"),
    # ---- external referral
    "referred_at": W("When was the referral made?", "", "Date of the referral"),
    "receiving_authority": W("Which local authority received the referral?", "", "Local authority referred to"),
    "rationale": W("Why was the referral made?", "", "Reason for the referral"),
    "receipt_confirmed": W("Has the local authority confirmed it received the referral?", "",
                           "Receipt confirmed"),
    "contact_restrictions": W("What limits are there on contact between the adults?", "", "Limits on contact"),
    "welfare_review_frequency": W("How often will the adult at risk's welfare be reviewed?",
                                  "For example, every shift or once a day.", "How often welfare is reviewed"),
    "stabilised": W("Is the situation now stable?", "If not, it is reviewed again at the end of the next working day.",
                    "Situation stable"),
    # ---- a development, oversight, conclusion, closure
    "development": W("What has happened since?", "A new incident, a contact with an agency or any other change.",
                     "What has happened"),
    "agency_contact": W("Which agencies have been contacted?", "Their role or team, not names. Write none if none.",
                        "Agencies contacted"),
    "action_deadlines": W("What actions are due, and by when?", "", "Actions due"),
    "unresolved_targeting_risk": W("Is there still a risk the adult at risk is targeted?", "",
                                   "Risk of targeting remains"),
    "overdue_protective_actions": W("Are any protective actions overdue?", "", "Protective actions overdue"),
    "supervision_weak": W("Is supervision too weak?", "", "Supervision too weak"),
    "reason": W("Why is the case being concluded?", "", "Reason for concluding"),
    "substantiation_outcome": W("Was the concern found to be true?", "", "Whether the concern was found true"),
    "action_completion_rate": W("What percentage of the planned actions were completed?", "Enter a number from 0 to 100.",
                                "Actions completed"),
    "lessons": W("What has been learned?", "", "Lessons learned"),
    "outcomes_achieved": W("Were the outcomes the adult at risk wanted achieved?", "", "Whether the outcomes were achieved"),
    "risk_outcome": W("What was the risk when the case closed?", "", "Risk at closure"),
    "risk_remains_reason": W("Why does the risk remain?", "Only if the risk remains.", "Why the risk remains"),
    # ---- views and wishes, capacity and advocacy
    "asked_about_outcomes": W("Was the adult at risk asked what outcomes they want?", "",
                              "Whether the adult was asked about outcomes"),
    "outcomes_expressed": W("What outcomes did the adult at risk say they want?",
                            "Their words, or their advocate's for them.", "Outcomes the adult wants"),
    "not_asked_reason": W("Why could the adult at risk not be asked?", "", "Why the adult was not asked"),
    "decisions_in_hand": W("Which decisions need to be made?", "", "Decisions to be made"),
    "adult_may_lack_capacity": W("Might the adult at risk lack capacity to make these decisions?", "",
                                 "Adult may lack capacity"),
    "source_may_lack_capacity": W("Might the alleged source lack capacity to make these decisions?", "",
                                  "Alleged source may lack capacity"),
    "advocate_arranged": W("Was an independent advocate arranged?", "", "Independent advocate arranged"),
    "advocate_not_arranged_reason": W("Why was no independent advocate arranged?", "",
                                      "Why no advocate was arranged"),
    "source_views": W("What are the alleged source's experiences and views?",
                      "Say how you found out, for example with an advocate.", "Alleged source's views"),
    "protection_measures": W("How will the alleged source be protected?", "", "How the alleged source is protected"),
    "care_plan_updated": W("Has their care plan been updated?", "", "Care plan updated"),
    # ---- mediation
    "mediation_offered": W("Was mediation offered to the adults?", "", "Mediation offered"),
    "mediation_by": W("Who provided the mediation?", "", "Who provided mediation"),
    "mediation_outcome": W("What was the outcome of the mediation?", "", "Outcome of mediation"),
    "mediation_not_offered_reason": W("Why was mediation not offered?", "", "Why mediation was not offered"),
    # ---- consultation with the local authority, lower-level route
    "consulted": W("Who did you consult?", "Their role and team. No personal details.", "Who was consulted"),
    "consulted_at": W("When did you consult them?", "", "Date of the consultation"),
    "advice": W("What did they advise?", "", "Advice given"),
    "decision": W("What did you decide?", "", "Decision"),
    "intervention": W("What will be done?", "The actions of the lower-level plan.", "Actions planned"),
    "added_to_care_plan": W("Are the actions on the person's care or support plan?", "", "Actions on the care plan"),
    "not_on_care_plan_reason": W("Why are the actions not on the care or support plan?", "",
                                 "Why the actions are not on the care plan"),
    "review_interval_days": W("How many working days should there be between reviews?", "For example, 5.",
                              "Working days between reviews"),
    "no_longer_needed": W("Is the plan no longer needed?", "", "Plan no longer needed"),
    "review": W("What did the review find?", "", "Review"),
    # ---- notifications (police, emergency services, children's services, the regulator)
    "reference": W("What reference number were you given?", "", "Reference number"),
    "source_reference": W("What is the CQC notification reference for the alleged source?",
                          "The notification about the adult alleged to have caused harm.",
                          "CQC reference for the alleged source"),
    "contacted": W("Who did you speak to?", _CONTACT_HINT, "Who was contacted"),
    "contacted_at": W("When did you contact them?", "", "Date of contact"),
    "response": W("What did they say they would do?", "", "Their response"),
    # ---- the local authority's decision and enquiry
    "referral_received_at": W("When did the local authority receive the referral?",
                              "The national return counts the concern from then.", "Date the referral was received"),
    "la_decision": W("What did the local authority decide?",
                     "A section 42 enquiry is the enquiry the Care Act 2014 requires of the local authority.",
                     "Local authority's decision"),
    "la_decided_at": W("When did the local authority decide?", "An enquiry counts from then.",
                       "Date the local authority decided"),
    "enquiry_concluded_at": W("When did the local authority's enquiry end?",
                              "Its details are counted in that year's national return.", "Date the enquiry ended"),
    "risk_assessment_outcome": W("What did the enquiry's risk assessment find?",
                                 "As the local authority recorded it.", "Risk assessment outcome"),
    "enquiry_risk_outcome": W("What happened to the risk?", "Only if a risk was identified.",
                              "What happened to the risk"),
    "lacked_capacity": W("Did the adult lack capacity to make decisions about the enquiry?", "",
                         "Whether the adult lacked capacity"),
    "supported_by_advocate_family_or_friend": W("Was the adult supported by an advocate, family or a friend?",
                                                "Only if the adult lacked capacity.",
                                                "Supported by an advocate, family or friend"),
    # ---- informing the family
    "family_informed": W("Was the adult's family or representative told?", "", "Family or representative told"),
    "who_was_informed": W("Who was told?", "Their relationship to the adult, like daughter or advocate. No names.",
                          "Who was told"),
    "informed_at": W("When were they told?", "", "Date they were told"),
    "not_informed_reason": W("Why were they not told?",
                             "For example, the adult, who has capacity, asked that they were not told.",
                             "Why they were not told"),
}

# The same field name asked otherwise at a step, where it means something else there.
STEP_WORDS: dict[tuple[str, str], Words] = {
    ("notify_police", "reference"): W("What crime reference number did the police give?", "", "Police reference"),
    ("notify_police", "contacted"): W("Who did you speak to at the police?", _CONTACT_HINT, "Who was contacted"),
    ("notify_police", "contacted_at"): W("When did you contact the police?", "", "Date the police were contacted"),
    ("notify_police", "response"): W("What did the police say they would do?", "", "Police response"),
    ("notify_emergency_services", "reference"): W("What reference number did the emergency services give?", "",
                                                  "Emergency services reference"),
    ("notify_emergency_services", "contacted"): W("Who did you speak to at the emergency services?", _CONTACT_HINT,
                                                  "Who was contacted"),
    ("notify_emergency_services", "contacted_at"): W("When did you contact the emergency services?", "",
                                                     "Date the emergency services were contacted"),
    ("notify_emergency_services", "response"): W("What did the emergency services do?", "",
                                                 "Emergency services response"),
    ("notify_childrens_services", "reference"): W("What referral number did Children's Services give?", "",
                                                  "Children's Services reference"),
    ("notify_childrens_services", "contacted"): W("Who did you speak to at Children's Services?", _CONTACT_HINT,
                                                  "Who was contacted"),
    ("notify_childrens_services", "contacted_at"): W("When did you contact Children's Services?", "",
                                                     "Date Children's Services were contacted"),
    ("notify_childrens_services", "response"): W("What did Children's Services say they would do?", "",
                                                 "Children's Services response"),
    ("notify_regulator", "reference"): W("What is the CQC notification reference for the adult at risk?",
                                         "The Care Quality Commission gives one for each notification.",
                                         "CQC reference for the adult at risk"),
    ("notify_regulator", "contacted"): W("Who did you contact at the CQC?", _CONTACT_HINT, "Who was contacted"),
    ("notify_regulator", "contacted_at"): W("When did you notify the CQC?", "", "Date the CQC was notified"),
    ("notify_regulator", "response"): W("What did the CQC say?", "", "CQC response"),
    ("follow_up_plan", "supervision_arrangements"): W("How will the adult at risk be supervised from now on?", "",
                                                      "Supervision from now on"),
    ("protection_plan", "supervision_arrangements"): W("How will the adults be supervised while the plan is in place?",
                                                       "", "Supervision while the plan is in place"),
    ("source_protection_plan", "care_plan_updated"): W("Has the alleged source's care plan been updated?", "",
                                                       "Alleged source's care plan updated"),
    ("la_consultation", "decision"): W("What did you decide after consulting the local authority?",
                                       "Raising a safeguarding concern opens the external referral.", "Decision"),
    ("chronology_update", "notes"): W("Is there anything else to add to the chronology?", "Use ids, not names.",
                                      "Notes"),
    ("conclude_case", "notes"): W("Is there anything else to add about the conclusion?", "Use ids, not names.",
                                  "Notes"),
    ("closure_learning_review", "notes"): W("Is there anything else to add about the closure?", "Use ids, not names.",
                                            "Notes"),
}

# Choice values in words, for any field (`CHOICE_WORDS`) or one field (`FIELD_CHOICE_WORDS`)
CHOICE_WORDS: dict[str, str] = {
    # types of risk (the Care Act's categories and the national return's)
    "physical": "Physical", "sexual": "Sexual", "psychological": "Psychological",
    "financial_or_material": "Financial or material", "discriminatory": "Discriminatory",
    "organisational": "Organisational", "neglect_and_acts_of_omission": "Neglect and acts of omission",
    "self_neglect": "Self-neglect", "domestic_abuse": "Domestic abuse", "modern_slavery": "Modern slavery",
    "sexual_exploitation": "Sexual exploitation",
    # where the risk was
    "own_home": "Their own home", "community": "In the community", "service_in_the_community":
    "A service in the community", "care_home_nursing": "Care home (nursing)",
    "care_home_residential": "Care home (residential)", "care_home": "Care home",
    "hospital_acute": "Hospital (acute)", "hospital_mental_health": "Hospital (mental health)",
    "hospital_community": "Hospital (community)", "hospital": "Hospital", "other": "Somewhere else",
    # who the risk came from
    "service_provider": "A service provider", "other_known_to_individual": "Someone known to the adult",
    "unknown_to_individual": "Someone not known to the adult",
    # outcomes
    "removed": "Removed", "reduced": "Reduced", "remains": "Remains", "remained": "Remained",
    "substantiated": "Substantiated (found to be true)", "unsubstantiated": "Unsubstantiated (found not to be true)",
    "undetermined": "Undetermined (not known)",
    "fully": "Fully", "partially": "Partly", "not_achieved": "Not achieved",
    "yes_outcomes_expressed": "Yes, and they said what they want",
    "yes_no_outcomes_expressed": "Yes, but they did not say what they want",
    "no_lacked_capacity": "No, they lacked capacity", "no_other_reason": "No, for another reason",
    "dont_know": "Not known", "yes": "Yes", "no": "No",
    # the local authority
    "section_42_enquiry": "A section 42 enquiry", "other_enquiry": "Another enquiry",
    "no_further_action": "No further action",
    "risk_identified_action_taken": "Risk identified, and action taken",
    "risk_identified_no_action_taken": "Risk identified, and no action taken",
    "inconclusive_action_taken": "Inconclusive, and action taken",
    "inconclusive_no_action_taken": "Inconclusive, and no action taken",
    "no_risk_identified_action_taken": "No risk identified, and action taken",
    "no_risk_identified_no_action_taken": "No risk identified, and no action taken",
    "ceased_at_individuals_request_no_action_taken": "Stopped at the adult's request, and no action taken",
    "lower_level_plan": "Manage it with a lower-level plan",
    "raise_safeguarding_concern": "Raise a safeguarding concern with the local authority",
    # mediation, power
    "internal": "Our own staff", "outside_agency": "An outside agency",
    "none": "None", "some": "Some", "significant": "Significant",
    # threshold levels
    "non_reportable": "Non-reportable", "consultation": "Requires consultation", "reportable": "Reportable",
}

FIELD_CHOICE_WORDS: dict[str, dict[str, str]] = {
    "source_kind": SOURCE_WORDS,
    "alleged_source": SOURCE_WORDS,
    "reported_by": REPORTER_WORDS,
    "power_imbalance": {"none": "No", "some": "Some imbalance", "significant": "A significant imbalance"},
    # the threshold tools' categories
    "category": {"physical": "Physical abuse", "sexual": "Sexual abuse", "psychological": "Psychological abuse",
                 "financial": "Financial abuse", "neglect": "Neglect", "organisational": "Organisational abuse",
                 "discriminatory": "Discriminatory abuse", "modern_slavery": "Modern slavery",
                 "domestic_abuse": "Domestic abuse", "self_neglect": "Self-neglect",
                 "pressure_ulcers": "Pressure ulcers", "falls": "Falls", "medication_errors": "Medication errors",
                 "incidents_between_adults": "Incidents between adults",
                 "neglect_unsafe_discharge": "Unsafe discharge from hospital", "homelessness": "Homelessness"},
    **FACT_CHOICES,
}

def _fact_words() -> dict[str, Words]:
    """The threshold tools' questions; a fact's label is the tool's own words where they are plain."""
    from domain.threshold.registry import load_profile, profile_names

    own = {f.name: f.help for n in profile_names() for c in load_profile(n).categories for f in c.facts}
    own = {k: re.sub(r"\s*\([^)]*\)", "", v) for k, v in own.items()}
    return {name: Words(q, hint, label or (own[name] if "_" not in own.get(name, "_") and len(own[name]) <= 80
                                           else q.rstrip("?")))
            for name, (q, hint, label) in FACT_QUESTIONS.items()}


FACT_WORDS: dict[str, Words] = _fact_words()

ROLE_WORDS: dict[str, str] = {"nominated_individual": "nominated individual (CQC)"}


def _key(name: str) -> tuple[str, bool]:
    """A name without its `facts.` prefix, and whether it had one."""
    return (name[len("facts."):], True) if name.startswith("facts.") else (name, False)


def known(name: str, step: str | None = None) -> Words | None:
    """The table's words for `name` (at `step`), or None where there are none."""
    bare, fact = _key(name)
    if fact:
        return FACT_WORDS.get(bare)
    return STEP_WORDS.get((step or "", bare)) or FIELD_WORDS.get(bare) or FACT_WORDS.get(bare)


def words_for(name: str, step: str | None = None) -> Words:
    """How the pages ask and name a field: its question, hint and label. A name the table does not
    hold is humanised, never shown as it is."""
    found = known(name, step)
    if found is None:
        plain = humanise(_key(name)[0].replace(".", " "))
        return Words(question=plain, label=plain)
    return found if found.label else Words(found.question, found.hint, found.question.rstrip("?"))


def choice_words(name: str, value: str) -> str:
    """A choice's value in words: 'section_42_enquiry' -> 'A section 42 enquiry'."""
    bare = _key(name)[0]
    return (FIELD_CHOICE_WORDS.get(bare, {}).get(value) or CHOICE_WORDS.get(value)
            or humanise(str(value).replace("_", " ")))


def role_words(role: str) -> str:
    """'designated_safeguarding_lead' -> 'designated safeguarding lead', for the middle of a sentence."""
    return ROLE_WORDS.get(role) or humanise(role).lower()


# ---- the validators' problems as error messages ---------------------------------------------------------

_QUOTED = re.compile(r"'([a-z][a-z0-9]*(?:_[a-z0-9]+)+)'|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_JSON_TYPE = re.compile(r"\s*\((?:string|number|boolean|array|object|null|text|bool|int|choice|choices|instant|"
                        r"percent|id)\)")
_PROPER = ("Children's", "Care Act", "Trading Standards", "COVID", "DASH", "CQC", "NHS")
_STARTS = ("the ", "a ", "an ", "what ", "who ", "why ", "how ", "when ", "where ", "whether ", "which ", "any ",
           "their ", "its ", "your ")


def _lower(label: str) -> str:
    """A label for the middle of a sentence: 'Date of contact' -> 'date of contact'; 'CQC ...' kept."""
    if label.startswith(_PROPER) or not label[1:2].islower():
        return label
    return label[:1].lower() + label[1:]


def _the(label: str) -> str:
    words = _lower(label)
    return words if words.lower().startswith(_STARTS) else "the " + words


def _field_type(name: str, step: str | None) -> str:
    """The field's value type, from the pathway (at `step`, else any step), the threshold tools or the concern."""
    from domain.pathway import current_pathway  # the pages' forms import this module; the pathway is data

    bare, fact = _key(name)
    if not fact:
        steps = current_pathway().steps
        for s in sorted(steps, key=lambda s: s.id != step):
            for f in s.record:
                if f.name == bare:
                    return f.type
    spec = _FACT_TYPES.get(bare)
    return spec or {"identified_at": "instant", "adult_at_risk": "id", "alleged_source": "id"}.get(bare, "text")


def _fact_types() -> dict[str, str]:
    from domain.threshold.registry import load_profile, profile_names

    return {f.name: f.type for n in profile_names() for c in load_profile(n).categories for f in c.facts}


_FACT_TYPES = _fact_types()


def _missing(label: str, kind: str) -> str:
    if kind == "bool":
        return f"Select yes or no for {_lower(label)}"
    if kind in ("choice", "choices"):
        return f"Select {_the(label)}"
    return f"Enter {_the(label)}"


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def page_error(name: str, problem: str, step: str | None = None) -> str:
    """A validator's problems with one field (the API's words, several joined by '; ') as the design
    system words an error: "missing field 'x' (text)" -> 'Enter the ...'. Never a field name, JSON
    type or ISO instant."""
    said: list[str] = []
    for part in problem.split("; "):
        if said and part.strip().lower().startswith(("got ", "for anyone else")):
            continue  # the value as sent, or more of the problem just worded
        words = _one_error(name, part, step)
        if words not in said:
            said.append(words)
    return ". ".join(said) if said else _one_error(name, "", step)


def _one_error(name: str, problem: str, step: str | None) -> str:
    words = words_for(name, step)
    label, kind = words.label, _field_type(name, step)
    bare = _key(name)[0]
    text = problem.strip()
    for prefix in (f"field {bare!r} ", f"fact {bare!r} ", f"{name}: ", f"{bare}: ", f"{bare} "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    part = re.match(rf"{re.escape(bare)}\.(\w+): ", text)  # a part of the field: the service's name
    if part:
        text = text[part.end():]
        if part.group(1) not in ("id", "kind"):
            label, kind = f"{label}'s {humanise(part.group(1)).lower()}", "text"
    low = text.lower()
    if low.startswith(("missing field", "missing", "field required", "is empty or only spaces", "expects non-empty",
                       "string should have at least 1 character")) or low in ("", "missing"):
        return _missing(label, kind)
    if "which does not answer it" in low or " says " in low and "does not answer" in low:
        return f"{label} needs a real answer, not a word like none or n/a"
    if "adult_at_risk and alleged_source must be different" in low:
        return "The adult at risk and the alleged source must be different people"
    if "service user is named by id" in low:
        return "Enter the id of the service user alleged to have caused the harm, like A-204, or choose who they are"
    if "only a service user has an id here" in low:
        return "Only someone who uses the service has an id: leave the id empty, and do not make one up"
    if "is in the future" in low:
        return f"{label} must be today or in the past"
    if "days ago, more than" in low:
        days = re.search(r"more than (\d+)", low)
        return (f"{label} is more than {days.group(1) if days else 30} days ago: check the date, or say why the "
                "concern is only being raised now")
    if "is before the concern was identified" in low:
        return f"{label} must be after the concern was identified"
    later = re.match(r"^\(?[^)]*\)? is before ([a-z_]+)", text)
    if later:
        return f"{label} must be after {_the(words_for(later.group(1), step).label)}"
    if "is not a valid nhs number" in low:
        return f"{label} must be a valid NHS number: check the digits"
    if "is not an id" in low or "never a name" in low or "referred to by id only" in low:
        if "service's id" in low or bare == "service":
            return f"{label} must be the service's id, using only letters, numbers and - _ ."
        if "staff" in low:
            return f"{label} must be a staff id like SSW-14, not a name"
        return f"{label} must be an id like A-117, not a name"
    size = re.search(r"is ([\d,]+) characters: at most ([\d,]+)", text)
    if size:
        return f"{label} must be {size.group(2)} characters or fewer"
    if "nul character" in low or "control character" in low:
        return f"{label} must only contain letters, numbers, spaces and punctuation"
    if "whole number from 0 to" in low:
        return f"{label} must be {MAX_INT:,} or fewer"
    if "whole number" in low:
        return f"{label} must be a whole number, like 2"
    if "number from 0 to 100" in low:
        return f"{label} must be a number from 0 to 100"
    if "true or false" in low or kind == "bool" and low.startswith("expects"):
        return _missing(label, "bool")
    if "expects one of" in low or "expects a list of" in low or kind in ("choice", "choices") and low.startswith("expects"):
        return _missing(label, kind)
    if ("date" in low or "iso 8601" in low or "epoch" in low or kind == "instant") and (
            low.startswith(("expects", "input should", "is not a date", "'")) or "not a date" in low):
        return f"{label} must be a real date, and the time like 14:30"
    if kind == "object" or "json object" in low:
        return "Answer the threshold tool's questions"
    if "unknown field" in low or "unknown fact" in low or "is not a field here" in low:
        return f"{label} is not asked here"
    if low.startswith(("must ", "is ", "should ")):
        return scrubbed(f"{label} {text}", step)
    return scrubbed(text, step)


def scrubbed(text: str, step: str | None = None) -> str:
    """Any other problem with the engine's words taken out: field names as their labels, no JSON
    types, instants in UK time."""
    override = re.search(r"threshold decision \([^)]*\) is (\w+): record (\w+) true, or give (\w+)", text)
    if override:
        return (f"The threshold tool says this concern is {choice_words('level', override.group(1)).lower()}: select "
                f"yes for {_lower(words_for(override.group(2), step).label)}, or enter "
                f"{_the(words_for(override.group(3), step).label)}")
    if re.search(r"\bmust be different adults", text):
        return "The adult at risk and the alleged source must be different people"
    text = _JSON_TYPE.sub("", text)
    text = _INSTANT.sub(lambda m: uk_time(m.group(0) if _OFFSET.search(m.group(0)) else m.group(0) + "+00:00"), text)
    text = _QUOTED.sub(lambda m: _lower(words_for(m.group(1) or m.group(2), step).label), text)
    return _sentence(text)
