"""The FHIR builders: every shape valid R4 (checked with fhir.resources' R4B models, whose
Questionnaire, QuestionnaireResponse, Observation and Bundle match R4), LOINC where it belongs and
nowhere it does not, and answers that point back at the Questionnaire's own options."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given
from hypothesis import strategies as st

from alliance.clinical.fhir import (
    LOINC,
    ORDINAL_VALUE,
    Json,
    ResponseRecord,
    instrument_code,
    questionnaire,
    questionnaire_response,
    resource_id,
    score_observation,
    searchset,
)
from alliance.clinical.instruments import Instrument, load_instrument, shipped_instruments
from alliance.clinical.scoring import score

BASE = "https://alliance.example/api/v1/fhir"
INSTRUMENTS = shipped_instruments()
PHQ9 = INSTRUMENTS["phq9"]
GAD7 = INSTRUMENTS["gad7"]
RSES = INSTRUMENTS["rses"]
WHEN = datetime(2026, 3, 2, 15, 30, tzinfo=timezone(timedelta(hours=-5)))
PATIENT = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
RESPONSE = "0b7d2f5e-6c1a-4e8b-9f3d-2a1c4b5d6e7f"

# A practice's own instrument: no LOINC codes anywhere, an underscore in its code.
PRACTICE_OWN = """\
code = "weekly_mood"
name = "Weekly mood (a practice's own)"
short_name = "Mood"
version = "2"
licence = "Licensed to the practice; not for redistribution."
source = "tests/clinical"
respondent = "client"
validated = false
higher_is = "worse"
minutes = 1

[scales.amount]
options = [
    { value = 0, label = "Not at all" },
    { value = 1, label = "A little" },
    { value = 2, label = "A lot" },
]

[[items]]
id = "wm_low"
text = "I felt low."
scale = "amount"

[[items]]
id = "wm_calm"
text = "I felt calm."
scale = "amount"
reverse = true
"""


def record(instrument: Instrument, answers: dict[str, int], /, **fields: Any) -> ResponseRecord:
    result = score(instrument, answers)
    values: dict[str, Any] = {
        "uuid": RESPONSE,
        "instrument_code": instrument.code,
        "version": instrument.version,
        "patient_id": PATIENT,
        "completed_at": WHEN,
        "answers": dict(result.answers),
        "total": result.total,
        "band": result.band,
        "prorated": result.prorated,
    }
    values.update(fields)
    return ResponseRecord(**values)


def asked(instrument: Instrument, answers: dict[str, int]) -> dict[str, int]:
    """`answers` without the follow-ups their condition does not ask (repair after no tension)."""
    return {
        item.id: answers[item.id]
        for item in instrument.items
        if item.enable_when is None or answers[item.enable_when.item] >= item.enable_when.at_least
    }


def first_options(instrument: Instrument) -> dict[str, int]:
    return asked(instrument, {item.id: item.scale.options[0].value for item in instrument.items})


def last_options(instrument: Instrument) -> dict[str, int]:
    return asked(instrument, {item.id: item.scale.options[-1].value for item in instrument.items})


def walk(value: object) -> Iterator[object]:
    yield value
    if isinstance(value, dict):
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


def assert_plain_fhir_json(resource: Json) -> None:
    """FHIR JSON has no empty lists, objects or strings (the R4B models let those through)."""
    for node in walk(resource):
        assert node not in ([], {}, ""), resource
        if isinstance(node, str):
            assert node.strip(), resource


def options_by_link(resource: Json) -> dict[str, list[Json]]:
    return {
        item["linkId"]: [option["valueCoding"] for option in item["answerOption"]]
        for item in resource["item"]
        if item["type"] == "choice"
    }


def ordinal(coding: Json) -> float:
    [extension] = [e for e in coding["extension"] if e["url"] == ORDINAL_VALUE]
    value: float = extension["valueDecimal"]
    return value


@pytest.fixture
def practice_own(tmp_path: Path) -> Instrument:
    path = tmp_path / "weekly_mood.toml"
    path.write_text(PRACTICE_OWN)
    return load_instrument(path)


# --- Questionnaire --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_every_shipped_questionnaire_is_valid_r4(code: str) -> None:
    resource = questionnaire(INSTRUMENTS[code], base=BASE)
    Questionnaire.model_validate(resource)
    assert_plain_fhir_json(resource)
    assert resource["status"] == "active"
    assert resource["version"] == INSTRUMENTS[code].version
    assert resource["copyright"] == INSTRUMENTS[code].licence
    assert resource["url"] == f"{BASE}/Questionnaire/{resource['id']}"
    assert [item["linkId"] for item in resource["item"] if item["type"] == "choice"] == [
        item.id for item in INSTRUMENTS[code].items
    ]


def test_the_phq9_questionnaire_carries_its_loinc_panel_items_and_answers() -> None:
    resource = questionnaire(PHQ9, base=BASE)
    assert resource["code"] == [{"system": LOINC, "code": "44249-1"}]
    item9 = next(item for item in resource["item"] if item["linkId"] == "phq9_9")
    assert item9["code"] == [{"system": LOINC, "code": "44260-8"}]
    assert item9["required"] is True
    assert [
        (coding["system"], coding["code"], coding["display"], ordinal(coding))
        for coding in options_by_link(resource)["phq9_9"]
    ] == [
        (LOINC, "LA6568-5", "Not at all", 0),
        (LOINC, "LA6569-3", "Several days", 1),
        (LOINC, "LA6570-1", "More than half the days", 2),
        (LOINC, "LA6571-9", "Nearly every day", 3),
    ]


def test_the_phq9_stem_is_a_display_item_before_the_questions() -> None:
    first = questionnaire(PHQ9, base=BASE)["item"][0]
    assert first["type"] == "display"
    assert first["text"] == PHQ9.stem
    assert "required" not in first


def test_the_unscored_difficulty_item_is_optional_and_adds_nothing_to_the_total() -> None:
    resource = questionnaire(PHQ9, base=BASE)
    difficulty = next(item for item in resource["item"] if item["linkId"] == "phq9_difficulty")
    assert difficulty["required"] is False
    assert difficulty["code"] == [{"system": LOINC, "code": "69722-7"}]
    assert all("extension" not in coding for coding in options_by_link(resource)["phq9_difficulty"])


def test_the_gad7_questionnaire_is_not_labelled_as_the_phq9_panel() -> None:
    # A mistake seen in the wild: one public repository labels GAD-7 with 44249-1, the PHQ-9 panel.
    resource = questionnaire(GAD7, base=BASE)
    assert resource["code"] == [{"system": LOINC, "code": "69737-5"}]
    assert "44249-1" not in list(walk(resource))
    assert "44261-6" not in list(walk(resource))


def test_an_answer_without_a_loinc_code_gets_a_local_code_of_its_value() -> None:
    resource = questionnaire(RSES, base=BASE)
    assert "code" not in resource
    options = options_by_link(resource)
    assert [(c["system"], c["code"], c["display"]) for c in options["rses_1"]] == [
        (f"{BASE}/CodeSystem/rses-agreement", "3", "Strongly agree"),
        (f"{BASE}/CodeSystem/rses-agreement", "2", "Agree"),
        (f"{BASE}/CodeSystem/rses-agreement", "1", "Disagree"),
        (f"{BASE}/CodeSystem/rses-agreement", "0", "Strongly disagree"),
    ]


def test_the_ordinal_value_of_a_reverse_keyed_answer_is_what_it_adds_to_the_total() -> None:
    options = options_by_link(questionnaire(RSES, base=BASE))
    assert [ordinal(coding) for coding in options["rses_1"]] == [3, 2, 1, 0]
    # rses_2 is reverse-keyed: "Strongly agree" (stored as 3) adds nothing.
    assert [(coding["code"], ordinal(coding)) for coding in options["rses_2"]] == [
        ("3", 0),
        ("2", 1),
        ("1", 2),
        ("0", 3),
    ]


def test_a_code_with_an_underscore_becomes_a_valid_fhir_id_and_back() -> None:
    resource = questionnaire(INSTRUMENTS["alliance_client"], base=BASE)
    assert resource["id"] == "alliance-client"
    assert resource["name"] == "AllianceClient"
    assert resource_id("alliance_client") == "alliance-client"
    assert instrument_code("alliance-client") == "alliance_client"
    assert instrument_code("phq9") == "phq9"


def test_the_own_check_in_says_it_is_not_validated() -> None:
    resource = questionnaire(INSTRUMENTS["alliance_client"], base=BASE)
    assert resource["description"].endswith("Not a validated instrument.")
    assert "Not a validated" not in questionnaire(PHQ9, base=BASE)["description"]


def test_a_follow_up_is_enabled_only_by_the_answers_that_ask_it() -> None:
    resource = questionnaire(INSTRUMENTS["alliance_client"], base=BASE)
    [repair] = [item for item in resource["item"] if item["linkId"] == "ac_repair"]
    system = f"{BASE}/CodeSystem/alliance-client-tension"
    a_little = {"system": system, "code": "1", "display": "A little"}
    yes = {"system": system, "code": "2", "display": "Yes"}
    assert repair["enableWhen"] == [
        {"question": "ac_tension", "operator": "=", "answerCoding": a_little},
        {"question": "ac_tension", "operator": "=", "answerCoding": yes},
    ]
    assert repair["enableBehavior"] == "any"
    # Its codings are the tension question's own answer options, so a reader can match them.
    [tension] = [item for item in resource["item"] if item["linkId"] == "ac_tension"]
    offered = [option["valueCoding"] for option in tension["answerOption"]]
    assert all(when["answerCoding"] in offered for when in repair["enableWhen"])
    assert not any("enableWhen" in item for item in resource["item"] if item is not repair)


def test_a_practices_own_instrument_is_valid_r4_without_any_loinc(practice_own: Instrument) -> None:
    resource = questionnaire(practice_own, base=BASE)
    Questionnaire.model_validate(resource)
    assert_plain_fhir_json(resource)
    assert resource["id"] == "weekly-mood"
    assert resource["copyright"] == "Licensed to the practice; not for redistribution."
    assert LOINC not in list(walk(resource))
    systems = {coding["system"] for coding in options_by_link(resource)["wm_low"]}
    assert systems == {f"{BASE}/CodeSystem/weekly-mood-amount"}


# --- QuestionnaireResponse ------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
@pytest.mark.parametrize("answers", [first_options, last_options])
def test_every_shipped_response_is_valid_r4_and_answers_with_the_questionnaires_options(
    code: str, answers: Any
) -> None:
    instrument = INSTRUMENTS[code]
    resource = questionnaire_response(
        record(instrument, answers(instrument)), instrument, base=BASE
    )
    QuestionnaireResponse.model_validate(resource)
    assert_plain_fhir_json(resource)
    assert resource["id"] == RESPONSE
    assert resource["status"] == "completed"
    assert resource["subject"] == {"reference": f"Patient/{PATIENT}"}
    assert resource["questionnaire"] == f"{BASE}/Questionnaire/{resource_id(code)}|1"
    offered = options_by_link(questionnaire(instrument, base=BASE))
    for item in resource["item"]:
        [answer] = item["answer"]
        assert answer["valueCoding"] in offered[item["linkId"]]


def test_authored_keeps_the_offset_it_was_given() -> None:
    resource = questionnaire_response(record(GAD7, first_options(GAD7)), GAD7, base=BASE)
    assert resource["authored"] == "2026-03-02T15:30:00-05:00"


def test_a_prorated_response_lists_only_the_items_answered() -> None:
    answers = first_options(PHQ9)
    del answers["phq9_3"]
    resource = questionnaire_response(record(PHQ9, answers), PHQ9, base=BASE)
    assert "phq9_3" not in [item["linkId"] for item in resource["item"]]
    assert len(resource["item"]) == len(PHQ9.items) - 1


@given(st.data())
def test_the_ordinal_values_of_a_complete_response_add_up_to_its_total(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(sorted(INSTRUMENTS.values(), key=lambda i: i.code)))
    answers = {
        item.id: data.draw(st.sampled_from([option.value for option in item.scale.options]))
        for item in instrument.items
    }
    given_record = record(instrument, asked(instrument, answers))
    resource = questionnaire_response(given_record, instrument, base=BASE)
    codings = [item["answer"][0]["valueCoding"] for item in resource["item"]]
    assert sum(ordinal(coding) for coding in codings if "extension" in coding) == (
        given_record.total
    )


def test_answers_the_current_definition_cannot_code_go_out_as_integers() -> None:
    answers = {**first_options(GAD7), "gad7_retired": 2}
    odd = record(GAD7, first_options(GAD7), answers=answers)
    resource = questionnaire_response(odd, GAD7, base=BASE)
    QuestionnaireResponse.model_validate(resource)
    assert resource["item"][-1] == {"linkId": "gad7_retired", "answer": [{"valueInteger": 2}]}


def test_a_response_to_an_instrument_no_longer_loaded_still_exports() -> None:
    gone = record(GAD7, first_options(GAD7), instrument_code="old_scale")
    resource = questionnaire_response(gone, None, base=BASE)
    QuestionnaireResponse.model_validate(resource)
    assert resource["questionnaire"] == f"{BASE}/Questionnaire/old-scale|1"
    assert all("valueInteger" in item["answer"][0] for item in resource["item"])
    observation = score_observation(gone, None, base=BASE)
    Observation.model_validate(observation)
    assert observation["code"]["coding"][0]["code"] == "old_scale.total"


def test_a_record_refuses_a_time_without_an_offset() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record(GAD7, first_options(GAD7), completed_at=datetime(2026, 3, 2, 15, 30))


# --- Observation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_every_shipped_score_observation_is_valid_r4(code: str) -> None:
    instrument = INSTRUMENTS[code]
    given_record = record(instrument, last_options(instrument))
    resource = score_observation(given_record, instrument, base=BASE)
    Observation.model_validate(resource)
    assert_plain_fhir_json(resource)
    assert resource["status"] == "final"
    assert resource["category"][0]["coding"][0]["code"] == "survey"
    assert resource["valueInteger"] == given_record.total
    assert resource["effectiveDateTime"] == "2026-03-02T15:30:00-05:00"
    assert resource["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{RESPONSE}"}]


def test_the_phq9_total_is_coded_44261_6_with_its_band() -> None:
    resource = score_observation(record(PHQ9, last_options(PHQ9)), PHQ9, base=BASE)
    assert resource["code"]["coding"] == [{"system": LOINC, "code": "44261-6"}]
    assert resource["valueInteger"] == 27
    assert resource["interpretation"] == [{"text": "Severe"}]
    assert "note" not in resource


def test_the_gad7_total_is_coded_70274_6_and_never_as_a_phq9_code() -> None:
    resource = score_observation(record(GAD7, first_options(GAD7)), GAD7, base=BASE)
    assert resource["code"]["coding"] == [{"system": LOINC, "code": "70274-6"}]
    assert "44249-1" not in list(walk(resource))
    assert "44261-6" not in list(walk(resource))


def test_a_total_without_a_loinc_code_gets_a_local_one_and_no_band_when_there_is_none() -> None:
    resource = score_observation(record(RSES, last_options(RSES)), RSES, base=BASE)
    assert resource["code"]["coding"] == [
        {"system": f"{BASE}/CodeSystem/scores", "code": "rses.total", "display": "RSES total"}
    ]
    assert "interpretation" not in resource


def test_a_prorated_total_says_so_in_a_note() -> None:
    answers = first_options(PHQ9)
    del answers["phq9_3"], answers["phq9_4"]
    resource = score_observation(record(PHQ9, answers), PHQ9, base=BASE)
    assert resource["note"] == [
        {
            "text": "Prorated: the total was estimated from the answered items "
            "(2 of 9 scored items had no answer)."
        }
    ]


# --- Bundle ---------------------------------------------------------------------------------------


def test_a_searchset_holds_each_resource_under_its_full_url() -> None:
    given_record = record(PHQ9, first_options(PHQ9))
    resources = [
        questionnaire_response(given_record, PHQ9, base=BASE),
        score_observation(given_record, PHQ9, base=BASE),
    ]
    bundle = searchset(resources, base=BASE, self_url=f"{BASE}/Observation?patient={PATIENT}")
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 2
    assert [entry["fullUrl"] for entry in bundle["entry"]] == [
        f"{BASE}/QuestionnaireResponse/{RESPONSE}",
        f"{BASE}/Observation/{RESPONSE}",
    ]
    assert bundle["link"] == [{"relation": "self", "url": f"{BASE}/Observation?patient={PATIENT}"}]


def test_an_empty_searchset_has_no_entry_list() -> None:
    bundle = searchset([], base=BASE)
    Bundle.model_validate(bundle)
    assert_plain_fhir_json(bundle)
    assert bundle == {"resourceType": "Bundle", "type": "searchset", "total": 0}


def test_utc_times_are_written_with_an_offset() -> None:
    at_utc = record(GAD7, first_options(GAD7), completed_at=WHEN.astimezone(UTC))
    resource = score_observation(at_utc, GAD7, base=BASE)
    assert resource["effectiveDateTime"] == "2026-03-02T20:30:00+00:00"
