"""FHIR R4 exports of questionnaires, responses and scores (staff token).

The resources are built by alliance.clinical.fhir from plain records; this module only fetches,
checks access and maps models to those records. Bodies go out as `application/fhir+json`, the
FHIR JSON media type; errors keep the API's `{detail: ...}` shape in `application/json`.

- Questionnaire: any staff token (it is about an instrument, not a client; a token is still
  needed because a practice's own instruments may be licensed text).
- QuestionnaireResponse, Observation: clinical records, so the owner or the client's therapist
  only (alliance.care.access); a client the token may not see is a 404, never a 403, so that the
  answer does not tell whether the client exists.
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.params import P, QueryEx

from alliance.accounts.audit import audit_record
from alliance.accounts.models import User
from alliance.api.access import client_in_care, clinician_user
from alliance.api.auth import StaffToken
from alliance.api.errors import invalid
from alliance.api.schemas import DetailOut, ValidationErrorOut
from alliance.care.fhir import fhir_base, response_records
from alliance.care.instruments import instrument, instruments
from alliance.clients.models import Client
from alliance.clinical import fhir
from alliance.clinical.fhir import Json

router = Router(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
PATIENT_PARAM = P(
    min_length=1,
    max_length=100,
    description="The client's id (a UUID), alone or as `Patient/<id>`.",
)


def _fhir_response(description: str) -> dict[str, Any]:
    # Ninja would document a 200 as application/json; the body is FHIR JSON, so the operation
    # describes its own 200 and returns the JsonResponse itself.
    return {
        "responses": {
            200: {
                "description": description,
                "content": {
                    FHIR_JSON: {"schema": {"type": "object", "additionalProperties": True}}
                },
            }
        }
    }


ERRORS: dict[int, Any] = {401: DetailOut, 404: DetailOut}
CLINICAL_ERRORS: dict[int, Any] = {**ERRORS, 403: DetailOut, 422: ValidationErrorOut}


def _fhir_json(resource: Json) -> JsonResponse:
    return JsonResponse(resource, content_type=FHIR_JSON)


def _client_in_care(user: User, patient: str) -> Client:
    """The client `patient` names, if this person may read their records; else a 404."""
    reference = patient.removeprefix("Patient/")
    try:
        client_uuid = UUID(reference)
    except ValueError:
        raise invalid(
            ("query", "patient"),
            "Give the client's id, a UUID such as 0b7d2f5e-6c1a-4e8b-9f3d-2a1c4b5d6e7f.",
        ) from None
    return client_in_care(user, client_uuid)


def _self_url(request: HttpRequest) -> str:
    return f"{settings.SITE_URL}{request.get_full_path()}"


@router.get(
    "/Questionnaire/{code}",
    response=ERRORS,
    auth=StaffToken(),
    operation_id="fhir_questionnaire_read",
    summary="An instrument as a FHIR Questionnaire",
    openapi_extra=_fhir_response("A FHIR R4 Questionnaire."),
)
def questionnaire_read(request: HttpRequest, code: str) -> JsonResponse:
    """The instrument `code` (e.g. `phq9`; its FHIR id, `alliance-client`, works too) as a
    FHIR R4 Questionnaire: one `choice` item per question with LOINC codes where known, each
    answer a Coding carrying what it adds to the total as its `ordinalValue`."""
    found = instrument(fhir.instrument_code(code))
    if found is None:
        raise HttpError(404, "There is no instrument with this code.")
    return _fhir_json(fhir.questionnaire(found, base=fhir_base()))


@router.get(
    "/QuestionnaireResponse",
    response=CLINICAL_ERRORS,
    auth=StaffToken(),
    operation_id="fhir_questionnaire_responses",
    summary="A client's responses as FHIR QuestionnaireResponses",
    openapi_extra=_fhir_response("A FHIR R4 Bundle (searchset) of QuestionnaireResponses."),
)
def questionnaire_responses(
    request: HttpRequest, patient: QueryEx[str, PATIENT_PARAM]
) -> JsonResponse:
    """Every response of one client, oldest first, as a searchset Bundle. Each answer is the
    Coding of the option chosen in the instrument's Questionnaire. For the owner and the client's
    therapist; a front-desk token gets a 403, a client in someone else's care a 404."""
    client = _client_in_care(clinician_user(request), patient)
    base = fhir_base()
    known = instruments()
    resources = [
        fhir.questionnaire_response(record, known.get(record.instrument_code), base=base)
        for record in response_records(client)
    ]
    audit_record(request=request, what="fhir responses", client_uuid=client.uuid)
    return _fhir_json(fhir.searchset(resources, base=base, self_url=_self_url(request)))


@router.get(
    "/Observation",
    response=CLINICAL_ERRORS,
    auth=StaffToken(),
    operation_id="fhir_observations",
    summary="A client's scores as FHIR Observations",
    openapi_extra=_fhir_response("A FHIR R4 Bundle (searchset) of score Observations."),
)
def observations(request: HttpRequest, patient: QueryEx[str, PATIENT_PARAM]) -> JsonResponse:
    """One survey Observation per response of one client, oldest first: the total as
    `valueInteger` (coded with LOINC where the instrument has a code for it), its band as
    `interpretation` text, a note when it was prorated, and `derivedFrom` the
    QuestionnaireResponse of the same id. Access as for QuestionnaireResponse."""
    client = _client_in_care(clinician_user(request), patient)
    base = fhir_base()
    known = instruments()
    resources = [
        fhir.score_observation(record, known.get(record.instrument_code), base=base)
        for record in response_records(client)
    ]
    audit_record(request=request, what="fhir observations", client_uuid=client.uuid)
    return _fhir_json(fhir.searchset(resources, base=base, self_url=_self_url(request)))
