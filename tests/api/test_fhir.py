"""/api/v1/fhir: Questionnaires for any staff token; a client's responses and scores for the
owner and the client's therapist only, in valid FHIR R4 (checked with fhir.resources' R4B models,
whose resources match R4's)."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pytest_django.fixtures import Settings

from alliance.accounts.models import User
from alliance.accounts.tokens import api_token_create
from alliance.care.models import Response, ResponseSource
from alliance.care.services import answers_score, response_record, session_on
from alliance.clients.models import Client
from alliance.practice.models import practice_zone
from tests.api.helpers import API, locations
from tests.care.history import practice_today
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db

SITE = "https://alliance.example"
BASE = f"{SITE}{API}/fhir"
FHIR_JSON = "application/fhir+json"


@pytest.fixture(autouse=True)
def _site_url(settings: Settings) -> None:
    settings.SITE_URL = SITE


def fetch(path: str, user: User | None = None, **params: str) -> "HttpResponse":
    headers = {"Authorization": f"Bearer {api_token_create(user=user)}"} if user else {}
    return HttpClient().get(f"{API}/fhir{path}", params, headers=headers)


def taras_client(personas: Personas, name: str = "Casey Client") -> Client:
    return Client.objects.create(name=name, email="casey@example.com", therapist=personas.tara)


def record(client: Client, days_ago: int, code: str, answers: dict[str, int]) -> Response:
    assert client.therapist is not None
    session = session_on(
        client=client, therapist=client.therapist, day=practice_today() - timedelta(days_ago)
    )
    return response_record(
        session=session,
        scored=answers_score(code, answers),
        completed_at=timezone.now() - timedelta(days=days_ago),
        source=ResponseSource.API,
    )


def phq9(*values: int) -> dict[str, int]:
    return {f"phq9_{number}": value for number, value in enumerate(values, start=1)}


def gad7(*values: int) -> dict[str, int]:
    return {f"gad7_{number}": value for number, value in enumerate(values, start=1)}


def resources(response: "HttpResponse") -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == FHIR_JSON
    bundle = response.json()
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    found: list[dict[str, Any]] = [entry["resource"] for entry in bundle.get("entry", [])]
    assert bundle["total"] == len(found)
    return found


# --- Questionnaire --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "therapist", "frontdesk"])
def test_any_staff_token_reads_a_questionnaire(personas: Personas, persona: str) -> None:
    response = fetch("/Questionnaire/phq9", getattr(personas, persona))
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    body = response.json()
    Questionnaire.model_validate(body)
    assert body["url"] == f"{BASE}/Questionnaire/phq9"
    assert body["code"] == [{"system": "http://loinc.org", "code": "44249-1"}]


def test_a_questionnaire_is_found_by_its_fhir_id_too(personas: Personas) -> None:
    response = fetch("/Questionnaire/alliance-client", personas.therapist)
    assert response.status_code == 200
    assert response.json()["id"] == "alliance-client"
    assert fetch("/Questionnaire/alliance_client", personas.therapist).json()["id"] == (
        "alliance-client"
    )


def test_an_unknown_questionnaire_is_a_404_with_a_detail(personas: Personas) -> None:
    response = fetch("/Questionnaire/wai_sr", personas.owner)
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no instrument with this code."}


def test_a_questionnaire_needs_a_token(personas: Personas) -> None:
    response = fetch("/Questionnaire/phq9")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- QuestionnaireResponse ------------------------------------------------------------------------


def test_the_therapist_reads_their_clients_responses_as_questionnaire_responses(
    personas: Personas,
) -> None:
    client = taras_client(personas)
    first = record(client, 14, "phq9", phq9(3, 3, 2, 2, 1, 1, 1, 1, 0))
    second = record(client, 7, "gad7", gad7(1, 1, 1, 0, 0, 0, 0))
    someone_else = taras_client(personas, "Sam Someone")
    record(someone_else, 7, "gad7", gad7(3, 3, 3, 3, 3, 3, 3))

    found = resources(fetch("/QuestionnaireResponse", personas.therapist, patient=str(client.uuid)))

    assert [resource["id"] for resource in found] == [str(first.uuid), str(second.uuid)]
    for resource in found:
        QuestionnaireResponse.model_validate(resource)
        assert resource["subject"] == {"reference": f"Patient/{client.uuid}"}
        assert resource["status"] == "completed"
    assert found[0]["questionnaire"] == f"{BASE}/Questionnaire/phq9|1"
    # In the practice's zone, with its offset, as every time in the API.
    local = first.completed_at.astimezone(practice_zone())
    assert found[0]["authored"] == local.isoformat(timespec="seconds")


def test_each_answer_is_one_of_the_questionnaires_own_options(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 3, "phq9", phq9(0, 1, 2, 3, 0, 1, 2, 3, 0))
    questionnaire = fetch("/Questionnaire/phq9", personas.therapist).json()
    offered = {
        item["linkId"]: [option["valueCoding"] for option in item["answerOption"]]
        for item in questionnaire["item"]
        if item["type"] == "choice"
    }
    [found] = resources(fetch("/QuestionnaireResponse", personas.owner, patient=str(client.uuid)))
    answered = {item["linkId"]: item["answer"][0]["valueCoding"] for item in found["item"]}
    assert answered["phq9_4"]["code"] == "LA6571-9"
    for link_id, coding in answered.items():
        assert coding in offered[link_id]


def test_a_client_reference_may_be_given_as_patient_slash_id(personas: Personas) -> None:
    client = taras_client(personas)
    record(client, 3, "gad7", gad7(0, 0, 0, 0, 0, 0, 0))
    found = resources(
        fetch("/QuestionnaireResponse", personas.therapist, patient=f"Patient/{client.uuid}")
    )
    assert len(found) == 1


def test_a_client_without_responses_is_an_empty_searchset(personas: Personas) -> None:
    client = taras_client(personas)
    assert (
        resources(fetch("/QuestionnaireResponse", personas.owner, patient=str(client.uuid))) == []
    )


# --- Observation ----------------------------------------------------------------------------------


def test_each_response_becomes_one_score_observation_with_its_total(personas: Personas) -> None:
    client = taras_client(personas)
    phq = record(client, 14, "phq9", phq9(3, 3, 2, 2, 1, 1, 1, 1, 0))  # 14, moderate
    gad = record(client, 7, "gad7", gad7(1, 1, 1, 0, 0, 0, 0))  # 3, minimal
    other = Client.objects.create(name="Olive Other", therapist=personas.theo)
    record(other, 7, "gad7", gad7(3, 3, 3, 3, 3, 3, 3))

    found = resources(fetch("/Observation", personas.therapist, patient=str(client.uuid)))

    for resource in found:
        Observation.model_validate(resource)
    assert [
        (
            resource["id"],
            resource["code"]["coding"][0]["code"],
            resource["valueInteger"],
            resource["interpretation"][0]["text"],
            resource["derivedFrom"][0]["reference"],
        )
        for resource in found
    ] == [
        (str(phq.uuid), "44261-6", 14, "Moderate", f"QuestionnaireResponse/{phq.uuid}"),
        (str(gad.uuid), "70274-6", 3, "Minimal", f"QuestionnaireResponse/{gad.uuid}"),
    ]


def test_a_prorated_score_carries_a_note(personas: Personas) -> None:
    client = taras_client(personas)
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 0)
    del answers["phq9_2"]
    record(client, 2, "phq9", answers)
    [found] = resources(fetch("/Observation", personas.owner, patient=str(client.uuid)))
    assert found["note"][0]["text"].startswith("Prorated")


# --- who may read clinical records ----------------------------------------------------------------


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_the_owner_reads_any_clients_records(personas: Personas, resource: str) -> None:
    client = taras_client(personas)
    record(client, 3, "gad7", gad7(0, 0, 0, 0, 0, 0, 0))
    assert len(resources(fetch(f"/{resource}", personas.owner, patient=str(client.uuid)))) == 1


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_a_colleague_gets_a_404_as_if_the_client_did_not_exist(
    personas: Personas, resource: str
) -> None:
    client = taras_client(personas)
    record(client, 3, "gad7", gad7(0, 0, 0, 0, 0, 0, 0))
    theirs = fetch(f"/{resource}", personas.colleague, patient=str(client.uuid))
    nobodys = fetch(
        f"/{resource}", personas.colleague, patient="0b7d2f5e-6c1a-4e8b-9f3d-2a1c4b5d6e7f"
    )
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json() == nobodys.json() == {"detail": "No client with this id is in your care."}


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_the_front_desk_cannot_read_clinical_records(personas: Personas, resource: str) -> None:
    client = taras_client(personas)
    record(client, 3, "gad7", gad7(0, 0, 0, 0, 0, 0, 0))
    response = fetch(f"/{resource}", personas.frontdesk, patient=str(client.uuid))
    assert response.status_code == 403
    assert "Front-desk tokens cannot read or write clinical records" in response.json()["detail"]


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_clinical_records_need_a_token(personas: Personas, resource: str) -> None:
    client = taras_client(personas)
    response = fetch(f"/{resource}", patient=str(client.uuid))
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
@pytest.mark.parametrize("patient", ["not-a-uuid", "Patient/42", "9" * 101])
def test_a_malformed_patient_is_a_422_naming_patient(
    personas: Personas, resource: str, patient: str
) -> None:
    response = fetch(f"/{resource}", personas.therapist, patient=patient)
    assert locations(response) == [["query", "patient"]]


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_a_missing_patient_is_a_422_naming_patient(personas: Personas, resource: str) -> None:
    assert locations(fetch(f"/{resource}", personas.therapist)) == [["query", "patient"]]


# --- cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["QuestionnaireResponse", "Observation"])
def test_the_queries_do_not_grow_with_the_number_of_responses(
    personas: Personas, resource: str
) -> None:
    client = taras_client(personas)
    token = api_token_create(user=personas.therapist)
    http = HttpClient(headers={"Authorization": f"Bearer {token}"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = http.get(f"{API}/fhir/{resource}", {"patient": str(client.uuid)})
        assert response.status_code == 200
        return len(queries)

    record(client, 30, "phq9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))
    count()  # the token's first use notes when it was used, once
    few = count()
    for days_ago in range(1, 6):
        record(client, days_ago, "phq9", phq9(2, 2, 1, 1, 1, 1, 1, 0, 0))
        record(client, days_ago, "gad7", gad7(1, 1, 1, 1, 0, 0, 0))
    assert count() == few
    assert len(resources(http.get(f"{API}/fhir/{resource}", {"patient": str(client.uuid)}))) == 11
