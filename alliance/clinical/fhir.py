"""FHIR R4 resources built from instruments and stored responses, as plain dicts ready for JSON.

Pure, like the rest of the clinical core: the shell (alliance.api.fhir) turns its models into
``ResponseRecord``s and says where the FHIR base is; everything FHIR-shaped is decided here.

- ``questionnaire``: an instrument as a Questionnaire, with its LOINC codes where it has them.
- ``questionnaire_response``: one stored response, each answer the same Coding as the option it
  picked in the Questionnaire, so a reader can match them without our help.
- ``score_observation``: the response's total as a survey Observation, derived from the
  QuestionnaireResponse, with the band and a note when the total was prorated.
- ``searchset``: a search result Bundle around any of those.

Written against R4 (4.0.1); the tests validate every shape with ``fhir.resources.R4B``, whose
Questionnaire, QuestionnaireResponse, Observation and Bundle match R4's. FHIR JSON never holds an
empty list or an empty string, so optional parts are left out rather than sent empty.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alliance.clinical.instruments import Instrument, Item, Option

type Json = dict[str, Any]

LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# R4's core extension for "a numeric value that allows ... adding up components of a score",
# allowed on a Coding (hl7.org/fhir/R4/extension-ordinalvalue.html). R5's extension pack
# deprecates it for itemWeight, which does not exist in R4, so an R4 reader knows only this one.
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
# The linkId of the display item that carries an instrument's stem. Item ids use only a-z, 0-9
# and _, so a hyphen keeps it from ever clashing with one.
STEM_LINK_ID = "stem-text"


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """What the export needs of one stored response. ``completed_at`` must be timezone-aware:
    FHIR requires an offset on any time of day."""

    uuid: str
    instrument_code: str
    version: str
    patient_id: str
    completed_at: datetime
    answers: Mapping[str, int]
    total: int
    band: str | None = None
    prorated: bool = False

    def __post_init__(self) -> None:
        if self.completed_at.utcoffset() is None:
            raise ValueError("completed_at must be timezone-aware")


# --- ids and addresses ----------------------------------------------------------------------------


def resource_id(code: str) -> str:
    """An instrument code as a FHIR id. Ids allow ``A-Z a-z 0-9 - .`` but no underscore, and codes
    use ``a-z 0-9 _``, so swapping ``_`` for ``-`` can be undone (``instrument_code``)."""
    return code.replace("_", "-")


def instrument_code(fhir_id: str) -> str:
    """The instrument code a Questionnaire id (or the code itself) stands for."""
    return fhir_id.replace("-", "_")


def questionnaire_url(base: str, code: str) -> str:
    """The Questionnaire's canonical URL: where this server answers for it."""
    return f"{base}/Questionnaire/{resource_id(code)}"


def answer_system(base: str, code: str, scale: str) -> str:
    """The local code system of one answer scale without LOINC answer codes; its codes are the
    option values as text."""
    return f"{base}/CodeSystem/{resource_id(code)}-{resource_id(scale)}"


def score_system(base: str) -> str:
    """The local code system for the totals of instruments that have no LOINC code for theirs."""
    return f"{base}/CodeSystem/scores"


# --- Questionnaire --------------------------------------------------------------------------------


def questionnaire(instrument: Instrument, *, base: str) -> Json:
    """The instrument as a Questionnaire: one ``choice`` item per question, in the order asked."""
    resource: Json = {
        "resourceType": "Questionnaire",
        "id": resource_id(instrument.code),
        "url": questionnaire_url(base, instrument.code),
        "version": instrument.version,
        "name": _computable_name(instrument.code),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": instrument.source
        + ("" if instrument.validated else " Not a validated instrument."),
        "copyright": instrument.licence,
    }
    if instrument.loinc_panel is not None:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    items: list[Json] = []
    if instrument.stem is not None:
        items.append({"linkId": STEM_LINK_ID, "text": instrument.stem, "type": "display"})
    items += [_question(instrument, item, base) for item in instrument.items]
    resource["item"] = items
    return resource


def _computable_name(code: str) -> str:
    # Questionnaire.name should match [A-Z]([A-Za-z0-9_]){0,254} (R4 invariant que-0).
    name = "".join(part[:1].upper() + part[1:] for part in code.split("_") if part)
    return name if name[:1].isalpha() else f"Q{name}"


def _question(instrument: Instrument, item: Item, base: str) -> Json:
    question: Json = {"linkId": item.id}
    if item.loinc is not None:
        question["code"] = [{"system": LOINC, "code": item.loinc}]
    question |= {
        "text": item.text,
        "type": "choice",
        "required": item.required,
        "answerOption": [
            {"valueCoding": answer_coding(instrument, item, option, base=base)}
            for option in item.scale.options
        ],
    }
    if item.enable_when is not None:
        # A follow-up: enabled when the earlier item has any of the answers that ask it. Codings
        # have no order in FHIR, so "at least" becomes one "=" per qualifying answer, any of them.
        asked = instrument.item(item.enable_when.item)
        question["enableWhen"] = [
            {
                "question": asked.id,
                "operator": "=",
                "answerCoding": _bare(answer_coding(instrument, asked, option, base=base)),
            }
            for option in asked.scale.options
            if option.value >= item.enable_when.at_least
        ]
        question["enableBehavior"] = "any"
    return question


def _bare(coding: Json) -> Json:
    # enableWhen compares system and code; the ordinal extension belongs to the answer option.
    return {key: value for key, value in coding.items() if key != "extension"}


def answer_coding(instrument: Instrument, item: Item, option: Option, *, base: str) -> Json:
    """The Coding for one answer, the same in the Questionnaire and in every response to it.

    A LOINC answer code where the definition gives one, else the option's value in the scale's
    local code system. A scored item's coding carries, as its ordinalValue, what the answer adds
    to the total (after reverse keying), so the ordinal values of a complete response add up to
    its total; an unscored item's answers add nothing and carry none.
    """
    coding: Json = {}
    if item.scored:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": item.points(option.value)}]
    if option.loinc is not None:
        coding |= {"system": LOINC, "code": option.loinc}
    else:
        coding |= {
            "system": answer_system(base, instrument.code, item.scale.code),
            "code": str(option.value),
        }
    coding["display"] = option.label
    return coding


# --- QuestionnaireResponse -----------------------------------------------------------------------


def questionnaire_response(
    record: ResponseRecord, instrument: Instrument | None, *, base: str
) -> Json:
    """One stored response. ``instrument`` is the definition loaded now (None if it no longer is):
    an answer it cannot code (an item or option it lacks) goes out as ``valueInteger``, the value
    as stored, rather than being dropped."""
    return {
        "resourceType": "QuestionnaireResponse",
        "id": record.uuid,
        "questionnaire": f"{questionnaire_url(base, record.instrument_code)}|{record.version}",
        "status": "completed",
        "subject": _patient(record),
        "authored": _instant(record.completed_at),
        **_answered_items(record, instrument, base),
    }


def _answered_items(record: ResponseRecord, instrument: Instrument | None, base: str) -> Json:
    known = {item.id: item for item in instrument.items} if instrument is not None else {}
    order = [item_id for item_id in known if item_id in record.answers]
    order += sorted(item_id for item_id in record.answers if item_id not in known)
    items: list[Json] = []
    for item_id in order:
        value = record.answers[item_id]
        entry: Json = {"linkId": item_id}
        item = known.get(item_id)
        option = _option(item, value) if item is not None else None
        if item is not None:
            entry["text"] = item.text
        if instrument is not None and item is not None and option is not None:
            entry["answer"] = [{"valueCoding": answer_coding(instrument, item, option, base=base)}]
        else:
            entry["answer"] = [{"valueInteger": value}]
        items.append(entry)
    return {"item": items} if items else {}


def _option(item: Item, value: int) -> Option | None:
    return next((option for option in item.scale.options if option.value == value), None)


# --- Observation ---------------------------------------------------------------------------------


def score_observation(record: ResponseRecord, instrument: Instrument | None, *, base: str) -> Json:
    """The response's total as a survey Observation, with the same id as the response.

    The total is a ``valueInteger``: it is a whole number of points with no unit, and R4 allows
    an integer value (hl7.org/fhir/R4/observation.html, value[x]); a Quantity with the UCUM
    annotation ``{score}`` would say no more and invite arithmetic on units.
    """
    observation: Json = {
        "resourceType": "Observation",
        "id": record.uuid,
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": _total_code(record.instrument_code, instrument, base),
        "subject": _patient(record),
        "effectiveDateTime": _instant(record.completed_at),
        "valueInteger": record.total,
    }
    if record.band:
        # The band is the instrument's own label, not an HL7 interpretation code, so text only.
        observation["interpretation"] = [{"text": record.band}]
    if record.prorated:
        observation["note"] = [{"text": _prorated_note(record, instrument)}]
    observation["derivedFrom"] = [{"reference": f"QuestionnaireResponse/{record.uuid}"}]
    return observation


def _total_code(code: str, instrument: Instrument | None, base: str) -> Json:
    name = instrument.name if instrument is not None else code
    if instrument is not None and instrument.loinc_total is not None:
        coding: Json = {"system": LOINC, "code": instrument.loinc_total}
    else:
        short = instrument.short_name if instrument is not None else code
        coding = {
            "system": score_system(base),
            "code": f"{code}.total",
            "display": f"{short} total",
        }
    return {"coding": [coding], "text": f"{name}: total score"}


def _prorated_note(record: ResponseRecord, instrument: Instrument | None) -> str:
    note = "Prorated: the total was estimated from the answered items"
    if instrument is None:
        return f"{note}."
    scored = instrument.scored_items
    missing = sum(1 for item in scored if item.id not in record.answers)
    return f"{note} ({missing} of {len(scored)} scored items had no answer)."


# --- shared --------------------------------------------------------------------------------------


def searchset(resources: Sequence[Json], *, base: str, self_url: str | None = None) -> Json:
    """A search result: every resource a match, each under its full URL on this server."""
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", "total": len(resources)}
    if self_url is not None:
        bundle["link"] = [{"relation": "self", "url": self_url}]
    if resources:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return bundle


def _patient(record: ResponseRecord) -> Json:
    return {"reference": f"Patient/{record.patient_id}"}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
