"""The ``fhir`` renderer: the plan as an HL7 FHIR R4 ``CarePlan`` (JSON), validated with
``fhir.resources`` (its R4B models: R4B changed nothing in CarePlan; ``pip install
'footmap[fhir]'``).

- ``status: active``: the plan is meant to be followed now, by the person (a self-care plan, or
  what is safe while waiting to be assessed); ``intent: proposal``: footmap suggests it, no
  clinician has ordered it. ``author`` names footmap.
- ``addresses``: the complaints and conditions the plan's items answer, each a contained
  ``Condition`` (the person's report: ``verificationStatus: unconfirmed``) whose ``code`` carries
  the term's SNOMED CT code only while the knowledge marks that code's source verified
  (``snomed_source`` in ``vocabulary.yaml``); otherwise the code is text alone.
- One ``activity`` per routine item, in routine order: its name, its dose in
  ``detail.description`` (week 1's, then each later ladder step's, from the schedule), its timing
  (``scheduledTiming``: times a day, the days of the week, minutes a session, for the schedule's
  weeks) and its reasons (each distinct ``why`` summary, and a reference to the conditions).
- ``note``: what to do now (an urgent plan, which holds no activity), the signs to get help
  today for, the other safety messages, and the disclaimer.

The subject is required (``CarePlan.subject`` is 1..1): a reference to a ``Patient`` or a
``Group`` (``Patient/123``, ``urn:uuid:…`` or an absolute URL ending in one).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from footmap._errors import MissingDependencyError
from footmap._kinds import REPORTED_KINDS, split_node
from footmap.render._common import dosage_line, headline, leading_messages, other_messages
from footmap.render._ics import step_dose

if TYPE_CHECKING:
    from footmap._knowledge.base import KnowledgeBase
    from footmap._knowledge.schema import Term, Wording
    from footmap._plan import Plan, PlanItem, ScheduledItem

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ID = r"[A-Za-z0-9\-.]{1,64}"
#: What ``subject`` may be: a Patient or Group reference, relative, absolute or a UUID URN.
_SUBJECT = re.compile(
    rf"((https?://\S+/)?(Patient|Group)/{_ID})|(urn:uuid:[0-9a-f]{{8}}(-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}})"
)


def to_fhir_json(plan: Plan, wording: Wording, *, subject: str | None = None) -> str:
    """The plan as a FHIR R4 CarePlan, indented JSON (validated with ``fhir.resources``)."""
    return json.dumps(care_plan(plan, wording, subject=subject), indent=2, ensure_ascii=False)


def care_plan(plan: Plan, wording: Wording, *, subject: str | None) -> dict[str, Any]:
    """The plan as a FHIR R4 CarePlan resource (a JSON-ready dict), validated."""
    if subject is None:
        raise ValueError("the 'fhir' renderer needs a subject: subject='Patient/…'")
    if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
        raise ValueError(
            f"subject must reference a Patient or a Group ('Patient/123', 'urn:uuid:…'); got {subject!r}"
        )
    model = _care_plan_model()
    from footmap._knowledge.base import knowledge_of, shipped_knowledge

    knowledge = knowledge_of(plan.knowledge) or shipped_knowledge()
    reference = {"reference": subject}
    conditions = _conditions(plan, knowledge, reference)
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "proposal",
        "title": wording.markdown.title,
        "description": headline(plan, wording),
        "subject": reference,
        "author": {"display": "footmap"},
    }
    if conditions:
        resource["contained"] = conditions
        resource["addresses"] = [
            {"reference": f"#{c['id']}", "display": c["code"]["text"]} for c in conditions
        ]
    known = {c["id"] for c in conditions}
    scheduled = {item.id: item for item in plan.schedule.items}
    activities = [_activity(item, scheduled.get(item.id), plan, wording, known) for item in plan.routine]
    if activities:
        resource["activity"] = activities
    resource["note"] = [{"text": text} for text in _notes(plan, wording)]
    model.model_validate(resource)  # raises on anything R4 does not allow: a bug here, not input
    return resource


def _care_plan_model() -> Any:
    try:
        from fhir.resources.R4B.careplan import CarePlan
    except ImportError:
        raise MissingDependencyError(
            "the FHIR CarePlan (fhir renderer)", "fhir.resources", "pip install 'footmap[fhir]'"
        ) from None
    return CarePlan


def _condition_id(fact: str) -> str:
    """``pain:back`` → ``pain-back``: a FHIR id (letters, digits, ``-`` and ``.``)."""
    return re.sub(r"[^A-Za-z0-9\-.]", "-", fact)[:64]


def _conditions(plan: Plan, knowledge: KnowledgeBase, subject: dict[str, str]) -> list[dict[str, Any]]:
    """One contained Condition per reported fact (pain, symptom, observation, condition) the
    plan's items answer, in the order they first appear."""
    vocabularies = {kind.name: kind.vocabulary for kind in REPORTED_KINDS}
    terms = {name: {term.id: term for term in terms} for name, terms in knowledge.knowledge.vocabulary}
    facts: dict[str, str] = {}
    for item in plan.items:
        for reason in item.why:
            kind, ident = split_node(reason.fact)
            if kind in vocabularies and reason.fact not in facts:
                facts[reason.fact] = plan.fact_name(reason) or ident
    conditions = []
    for fact, name in facts.items():
        kind, ident = split_node(fact)
        term = terms.get(vocabularies[kind], {}).get(ident)
        coding = _snomed(term, knowledge) if term is not None else None
        code: dict[str, Any] = {"coding": [coding]} if coding is not None else {}
        code["text"] = term.name if term is not None else name
        conditions.append(
            {
                "resourceType": "Condition",
                "id": _condition_id(fact),
                "clinicalStatus": {"coding": [{"system": _CLINICAL, "code": "active"}]},
                "verificationStatus": {"coding": [{"system": _VERIFICATION, "code": "unconfirmed"}]},
                "code": code,
                "subject": subject,
            }
        )
    return conditions


def _snomed(term: Term, knowledge: KnowledgeBase) -> dict[str, str] | None:
    """The term's SNOMED CT coding, if its code's source is verified."""
    if term.snomed is None or term.snomed_source is None:
        return None
    source = knowledge.sources.get(term.snomed_source)
    if source is None or not source.verified:
        return None
    coding = {"system": SNOMED, "code": term.snomed}
    if term.snomed_display is not None:
        coding["display"] = term.snomed_display
    return coding


def _activity(
    item: PlanItem, scheduled: ScheduledItem | None, plan: Plan, wording: Wording, known: set[str]
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "code": {"text": item.name},
        "status": "not-started",
        "description": _description(item, scheduled, wording),
    }
    if scheduled is not None and plan.schedule.weeks:
        detail["scheduledTiming"] = _timing(scheduled, plan.schedule.weeks)
    summaries = list(dict.fromkeys(reason.summary for reason in item.why))
    if summaries:
        detail["reasonCode"] = [{"text": summary} for summary in summaries]
    references = list(
        dict.fromkeys(_condition_id(r.fact) for r in item.why if _condition_id(r.fact) in known)
    )
    if references:
        detail["reasonReference"] = [{"reference": f"#{ident}"} for ident in references]
    return {"detail": detail}


def _description(item: PlanItem, scheduled: ScheduledItem | None, wording: Wording) -> str:
    """The dose in week 1, then each later step's (``From week 3: …``)."""
    steps = scheduled.steps if scheduled is not None else []
    if not steps:
        return dosage_line(item.dosage, wording) or item.summary
    parts = [step_dose(item, steps[0], wording)]
    parts += [
        wording.exports.from_week.format(week=step.week, dose=step_dose(item, step, wording))
        for step in steps[1:]
    ]
    return " ".join(parts)


def _timing(scheduled: ScheduledItem, weeks: int) -> dict[str, Any]:
    """Week 1's times a day, on the item's days, for the schedule's weeks."""
    first = scheduled.steps[0]
    repeat: dict[str, Any] = {
        "boundsDuration": {"value": weeks, "unit": "wk", "system": UCUM, "code": "wk"},
        "frequency": first.times_per_day,
        "period": 1,
        "periodUnit": "d",
        "dayOfWeek": [_DAYS[day - 1] for day in scheduled.days],
    }
    minutes = round(first.minutes / first.times_per_day, 2)
    if minutes > 0:
        repeat |= {"duration": minutes, "durationUnit": "min"}
    return {"repeat": repeat}


def _notes(plan: Plan, wording: Wording) -> list[str]:
    """What to do now, the signs to get help today for, the other safety messages, the disclaimer."""
    notes = [message.message for message in leading_messages(plan)]
    if plan.safety_net:
        signs = " ".join(sign.message for sign in plan.safety_net)
        notes.append(f"{wording.markdown.safety_net}: {signs}")
    notes += [message.message for message in other_messages(plan)]
    notes.append(plan.disclaimer)
    return notes
