"""Schemathesis reads our OpenAPI document and throws generated requests, valid and invalid, at
every operation, with and without a staff token: none may end in a server error."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from alliance.accounts.tokens import api_token_create
from alliance.api.api import api
from alliance.clients.models import Client
from tests.conftest import Personas

PREFIX = "/api/v1"
DOCUMENT = api.get_openapi_schema(path_prefix="")
# Invalid input can only be made for an operation that takes some.
CASES = [
    (f"{method.upper()} {PREFIX}{path}", mode)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE
    or operation.get("parameters")
    or operation.get("requestBody")
]


# What schemathesis would not send on its own: one Idempotency-Key reused with every generated
# body, and bodies declared as something other than JSON, which every POST must refuse (415).
HOSTILE_HEADERS = [
    {"Idempotency-Key": "reused-by-every-case"},
    {"Content-Type": "text/plain", "Idempotency-Key": "reused-by-every-case"},
    {"Content-Type": "application/json; charset=utf-7"},
]


@pytest.fixture
def wsgi_schema(db: None) -> Iterator[Any]:
    # Like django.test.Client, keep the WSGI handler from closing the test's connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{m.value}-{label}" for label, m in CASES])
def test_no_generated_request_gets_a_server_error(
    label: str, mode: GenerationMode, wsgi_schema: Any, personas: Personas
) -> None:
    # A real client, so that some generated paths may meet one; most ids are made up (404).
    Client.objects.create(name="Casey Client", therapist=personas.tara)
    token = api_token_create(user=personas.owner)
    operation = wsgi_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def no_server_error(case: Any) -> None:
        cache.clear()  # the booking rate limit would soon answer everything with 429
        for headers in ({"Authorization": f"Bearer {token}"}, {}):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
        for headers in HOSTILE_HEADERS:
            response = case.call(headers=headers)
            assert response.status_code < 500, response.text
            if case.method == "POST" and "Content-Type" in headers:
                assert response.status_code == 415, response.text

    no_server_error()
