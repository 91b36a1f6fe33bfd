"""The API's document, its error handling, its rate limit's parts and its cache table."""

import importlib
import json
import logging
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from alliance.accounts.addresses import client_address
from alliance.accounts.throttle import parse_rate
from alliance.api import api as api_module
from alliance.api.checks import check_booking_rate_limit
from tests.api.helpers import API, get, post

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_operation() -> None:
    schema = get("/openapi.json").json()
    operations = {
        (method, path): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("get", f"{API}/therapists"): "therapists_list",
        ("get", f"{API}/therapists/{{therapist_id}}/availability"): "therapist_availability",
        ("get", f"{API}/therapists/{{therapist_id}}/slots"): "therapist_slots",
        ("post", f"{API}/bookings"): "booking_create",
        ("get", f"{API}/instruments"): "instruments_list",
        ("post", f"{API}/clients"): "client_create",
        ("post", f"{API}/clients/{{client_id}}/responses"): "response_create",
        ("get", f"{API}/clients/{{client_id}}/outcomes"): "client_outcomes",
        ("get", f"{API}/clients/{{client_id}}/signals"): "client_signals",
        ("get", f"{API}/fhir/Questionnaire/{{code}}"): "fhir_questionnaire_read",
        ("get", f"{API}/fhir/QuestionnaireResponse"): "fhir_questionnaire_responses",
        ("get", f"{API}/fhir/Observation"): "fhir_observations",
    }
    booking = schema["paths"][f"{API}/bookings"]["post"]
    assert {"201", "409", "422", "429"} <= booking["responses"].keys()
    assert any(p["name"] == "Idempotency-Key" for p in booking["parameters"])
    assert (
        "slug"
        in schema["components"]["schemas"]["TherapistOut"]["properties"]["specialties"][
            "description"
        ].lower()
    )


def test_the_docs_page_needs_no_other_site() -> None:
    page = get("/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_an_unexpected_error_is_logged_and_answered_in_json(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = RequestFactory().get("/api/v1/therapists")
    with caplog.at_level(logging.ERROR, logger="alliance.api.errors"):
        response = api_module.api.on_exception(request, RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "detail": "Something went wrong on our side. Please try again."
    }
    assert "boom" not in response.content.decode()
    assert "api: unexpected error in GET /api/v1/therapists" in caplog.text


def test_a_models_own_validation_is_a_422_naming_the_field() -> None:
    request = RequestFactory().post("/api/v1/bookings")
    refusal = DjangoValidationError({"format": ["Not a format."]})
    response = api_module.api.on_exception(request, refusal)
    assert response.status_code == 422
    assert json.loads(response.content)["detail"] == [
        {"loc": ["body", "format"], "msg": "Not a format.", "type": "value_error"}
    ]


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("10/m", (10, 60)), ("30/h", (30, 3600)), ("5/15min", (5, 900)), ("100 / day", (100, 86400))],
)
def test_a_rate_reads_as_requests_per_seconds(rate: str, parsed: tuple[int, int]) -> None:
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "10", "ten/m", "10/fortnight", "0/m", "10/0m", "-1/m"])
def test_a_malformed_rate_fails_the_system_check(rate: str, settings: Settings) -> None:
    with pytest.raises(ValueError, match=r"10/m|request"):
        parse_rate(rate)
    settings.BOOKING_RATE_LIMIT = rate
    [error] = check_booking_rate_limit()
    assert error.id == "alliance.api.E001"
    assert "BOOKING_RATE_LIMIT" in error.msg


def test_the_default_rate_passes_the_check() -> None:
    assert check_booking_rate_limit() == []


def test_a_forwarded_address_is_believed_only_behind_a_proxy(settings: Settings) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_address(request) == "10.0.0.1"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_address(request) == "203.0.113.9"  # the proxy's own entry, not the spoof


def test_the_count_is_kept_in_the_database_shared_by_every_process(settings: Settings) -> None:
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    post("/bookings", {})
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM alliance_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 1
    assert "127.0.0.1" not in keys[0]  # addresses are hashed
    cache.clear()


def test_the_migration_makes_the_cache_table() -> None:
    migration = importlib.import_module("alliance.api.migrations.0001_cache_table")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE alliance_cache")
    assert "alliance_cache" not in connection.introspection.table_names()
    migration.create_cache_table(None, SimpleNamespace(connection=connection))
    assert "alliance_cache" in connection.introspection.table_names()
