"""`Cache-Control: no-store` on every page but a few public ones: walk every route (a new one is
covered by itself), then open real pages with client data, the API and the admin."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from alliance.accounts.tokens import api_token_create
from alliance.api.api import api
from alliance.booking.tokens import manage_token_make
from alliance.care.progress import progress_token_make
from tests.care.fixtures import session_booked
from tests.conftest import Personas, signed_in
from tests.test_access_table import route_url, routes

CACHEABLE = {
    "practice:home",
    "practice:directory",
    "practice:therapist",
    "practice:therapist_photo",
    "practice:crisis",
}
ROUTES = routes()


@pytest.mark.parametrize(("name", "pattern"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_page_but_the_public_few_is_stored_nowhere(
    name: str, pattern: URLPattern, personas: Personas
) -> None:
    for browser in (Client(), signed_in(personas.owner)):
        for method in ("get", "post"):
            response = getattr(browser, method)(route_url(name, pattern))
            if name in CACHEABLE:
                assert "no-store" not in response.get("Cache-Control", ""), (name, method)
            else:
                assert response["Cache-Control"] == "no-store", (name, method)


def test_the_public_pages_may_be_cached(personas: Personas) -> None:
    for path in ("/", "/therapists/", f"/therapists/{personas.tara.slug}/", "/crisis/"):
        response = Client().get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")


def test_pages_with_a_clients_data_are_stored_nowhere(personas: Personas) -> None:
    appointment = session_booked(therapist=personas.tara)
    client = appointment.client
    pages = {
        reverse("care:client", args=[client.uuid]): signed_in(personas.therapist),
        reverse("booking:appointment", args=[appointment.uuid]): signed_in(personas.frontdesk),
        reverse("booking:manage", args=[manage_token_make(appointment)]): Client(),
        reverse("care:progress", args=[progress_token_make(client)]): Client(),
        "/admin/": signed_in(personas.owner),
        f"/admin/clients/client/{client.pk}/change/": signed_in(personas.owner),
    }
    for path, browser in pages.items():
        response = browser.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_the_apis_client_data_is_stored_nowhere(personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    client = session_booked(therapist=personas.tara).client
    for path in (
        f"/api/v1/clients/{client.uuid}/outcomes",
        f"/api/v1/clients/{client.uuid}/signals",
        f"/api/v1/fhir/QuestionnaireResponse?patient={client.uuid}",
        f"/api/v1/fhir/Observation?patient={client.uuid}",
        "/api/v1/instruments",
        "/api/v1/therapists",
    ):
        response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


API_ROUTES = [str(pattern.pattern) for pattern in api.urls[0]]


@pytest.mark.parametrize("route", API_ROUTES)
def test_every_api_route_is_stored_nowhere(route: str, personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    path = "/api/v1/" + re.sub(r"<(?:\w+:)?\w+>", str(uuid.uuid4()), route)
    for method in ("get", "post"):
        response = getattr(Client(), method)(path, headers={"Authorization": f"Bearer {token}"})
        assert response["Cache-Control"] == "no-store", (route, method)
