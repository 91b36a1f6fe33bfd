"""A client's stored responses as FHIR R4 resources, for the API and for the client's export.

The resources themselves are built by alliance.clinical.fhir from plain records; this module
reads the models into those records.
"""

from django.conf import settings
from django.urls import reverse

from alliance.care.instruments import instruments
from alliance.care.models import Response
from alliance.clients.models import Client
from alliance.clinical import fhir
from alliance.clinical.fhir import Json, ResponseRecord
from alliance.practice.models import practice_zone


def fhir_base() -> str:
    """The FHIR base URL, under which resources have their full URLs and canonical URLs."""
    return f"{settings.SITE_URL}{reverse('api:api-root')}fhir"


def response_records(client: Client) -> list[ResponseRecord]:
    """Every response of `client`, oldest first, in the practice's zone."""
    zone = practice_zone()
    fields = (
        "uuid",
        "instrument",
        "instrument_version",
        "completed_at",
        "answers",
        "total",
        "band",
        "prorated",
    )
    return [
        ResponseRecord(
            uuid=str(response.uuid),
            instrument_code=response.instrument,
            version=response.instrument_version,
            patient_id=str(client.uuid),
            completed_at=response.completed_at.astimezone(zone),
            answers=response.answers,
            total=response.total,
            band=response.band or None,
            prorated=response.prorated,
        )
        for response in Response.objects.filter(client=client)
        .only(*fields)
        .order_by("completed_at", "pk")
    ]


def client_bundle(client: Client) -> Json:
    """Each response as a QuestionnaireResponse and its score as an Observation, as the API
    serves them, in one Bundle."""
    base = fhir_base()
    known = instruments()
    resources: list[Json] = []
    for record in response_records(client):
        found = known.get(record.instrument_code)
        resources.append(fhir.questionnaire_response(record, found, base=base))
        resources.append(fhir.score_observation(record, found, base=base))
    return fhir.searchset(resources, base=base)
