"""The OpenAPI document passes a validator and the lint rules API tools apply: it names its
server, says of every operation whether it needs a token, and defines no schema it never uses."""

import json
from typing import Any

import pytest
from openapi_spec_validator import validate
from pytest_django.fixtures import Settings

from tests.api.helpers import API, get

pytestmark = pytest.mark.django_db

PUBLIC = {
    ("get", f"{API}/therapists"),
    ("get", f"{API}/therapists/{{therapist_id}}/availability"),
    ("get", f"{API}/therapists/{{therapist_id}}/slots"),
    ("post", f"{API}/bookings"),
}


def document(settings: Settings) -> dict[str, Any]:
    settings.SITE_URL = "https://therapy.example.org"
    found: dict[str, Any] = get("/openapi.json").json()
    return found


def test_it_is_a_valid_openapi_document(settings: Settings) -> None:
    validate(document(settings))


def test_it_names_this_installation_as_its_only_server(settings: Settings) -> None:
    assert document(settings)["servers"] == [{"url": "https://therapy.example.org"}]


def test_it_gives_the_licence_the_code_is_under(settings: Settings) -> None:
    assert document(settings)["info"]["license"] == {
        "name": "AGPL-3.0-or-later",
        "identifier": "AGPL-3.0-or-later",
    }


def test_every_operation_says_whether_it_needs_a_token(settings: Settings) -> None:
    paths = document(settings)["paths"]
    security = {
        (method, path): operation["security"]
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert security.keys() >= PUBLIC
    for key, needs in security.items():
        assert needs == ([] if key in PUBLIC else [{"StaffToken": []}]), key


def test_every_schema_it_defines_is_used(settings: Settings) -> None:
    found = document(settings)
    schemas = found["components"]["schemas"]
    assert "SlotsQuery" not in schemas
    for name in schemas:
        # Referred to from anywhere but its own definition.
        without = {**found, "components": {"schemas": {**schemas, name: {}}}}
        assert f'"#/components/schemas/{name}"' in json.dumps(without), name
