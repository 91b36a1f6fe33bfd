"""Nothing secret in the logs: bad API tokens and bad or stale links, sent for real, are logged
as events with the secret parts replaced by "[redacted]", by the handler settings.LOGGING
configures (alliance.lib.redact)."""

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import PathConverter, StringConverter
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.api.api import api
from alliance.booking.tokens import manage_token_make
from alliance.care.checkins import checkin_token_make
from alliance.care.models import CheckinInvitation
from alliance.care.progress import progress_token_make
from alliance.lib.redact import redact
from tests.care.fixtures import session_booked

pytestmark = pytest.mark.django_db

API_SECRET = "Zq9" * 14 + "x"  # the 43 characters after "alli_"
CALENDAR_SECRET = "calendarSecretValue0123456789"
RESET_SECRET = "cbd4z1-0123456789abcdefreset"


def configured_handler() -> logging.Handler:
    return next(handler for handler in logging.getLogger().handlers if handler.name == "console")


@pytest.fixture
def emitted() -> Iterator[StringIO]:
    """Everything the configured console handler writes during the test."""
    handler = configured_handler()
    assert isinstance(handler, logging.StreamHandler)
    stream = StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.parametrize(
    "name", ["django", "django.request", "django.server", "django.security.csrf", "alliance"]
)
def test_every_record_reaches_the_configured_handler_only(name: str) -> None:
    reached = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        reached += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    assert reached == [configured_handler()]


def test_bad_api_tokens_are_logged_without_the_token(emitted: StringIO, settings: Settings) -> None:
    settings.DEBUG = True  # django-ninja logs a malformed header only when debugging
    for header in (
        f"Token alli_{API_SECRET}",
        f"Bearer alli_{API_SECRET}",
        f"bearer alli_{API_SECRET[:20]}",
        f"alli_{API_SECRET}",
        f"Basic YWxsaV9{API_SECRET}",
    ):
        response = Client().get("/api/v1/instruments", headers={"Authorization": header})
        assert response.status_code == 401
    output = emitted.getvalue()
    assert API_SECRET[:20] not in output
    assert "YWxsaV9" not in output
    assert "Unexpected auth - '[redacted]'" in output
    assert output.count("Unauthorized: /api/v1/instruments") == 5


def test_bad_and_stale_links_are_logged_without_their_tokens(emitted: StringIO) -> None:
    appointment = session_booked(days_ahead=3)
    now = timezone.now()
    expired = CheckinInvitation.objects.create(
        appointment=appointment,
        instruments=["phq9"],
        created_at=now - timedelta(days=9),
        expires_at=now - timedelta(days=2),
    )
    checkin = checkin_token_make(expired)
    revoked = manage_token_make(appointment)
    appointment.token_version += 1
    appointment.save()
    with time_machine.travel(now - timedelta(days=40)):
        progress = progress_token_make(appointment.client)
    forged_offer = "ImZvcmdlZCI:1xOffer:forgedOfferSignature0123"
    browser = Client()
    responses = {
        f"/checkin/{checkin}/": 410,
        f"/checkin/{checkin}/thanks/": 410,
        f"/checkin/{checkin[:-4]}/": 404,
        f"/appointments/manage/{revoked}/": 404,
        f"/appointments/manage/{revoked}/cancel/": 404,
        f"/progress/{progress}/": 404,
        f"/waitlist/offers/{forged_offer}/": 404,
        f"/calendar/{CALENDAR_SECRET}.ics": 404,
    }
    for path, status in responses.items():
        assert browser.get(path).status_code == status, path
    browser.get(f"/staff/password-reset/key/1-{RESET_SECRET}/")
    output = emitted.getvalue()
    for secret in (checkin, checkin[:-4], revoked, progress, forged_offer, CALENDAR_SECRET):
        assert secret not in output
        assert secret.split(":")[0] not in output
    assert RESET_SECRET not in output
    assert "Gone: /checkin/[redacted]/\n" in output
    assert "Gone: /checkin/[redacted]/thanks/" in output
    assert "Not Found: /checkin/[redacted]/" in output
    assert "Not Found: /appointments/manage/[redacted]/" in output
    assert "Not Found: /appointments/manage/[redacted]/cancel/" in output
    assert "Not Found: /progress/[redacted]/" in output
    assert "Not Found: /waitlist/offers/[redacted]/" in output
    assert "Not Found: /calendar/[redacted]" in output


def test_exception_text_and_the_development_server_log_are_redacted(emitted: StringIO) -> None:
    path = f"/appointments/manage/{CALENDAR_SECRET}/"
    try:
        raise LookupError(f"nothing at {path} for Bearer alli_{API_SECRET}")
    except LookupError:
        logging.getLogger("alliance.booking").exception("lookup failed for %s", path)
    logging.getLogger("django.server").info('"%s" %s %s', f"GET {path} HTTP/1.1", 404, 179)
    output = emitted.getvalue()
    assert CALENDAR_SECRET not in output
    assert API_SECRET not in output
    assert "lookup failed for /appointments/manage/[redacted]/" in output
    assert (
        "LookupError: nothing at /appointments/manage/[redacted]/ for Bearer [redacted]" in output
    )
    assert '"GET /appointments/manage/[redacted]/ HTTP/1.1" 404 179' in output


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The admin's object ids and the API's ids are not secrets, and both need sign-in.
            if entry.app_name != "admin" and entry.namespace != api.urls_namespace:
                yield from walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


KEYED = [
    (route, pattern)
    for route, pattern in walk(get_resolver())
    # Slugs and UUIDs are names and ids; a plain string argument is a token or a signed value.
    if any(
        type(converter) in (StringConverter, PathConverter)
        for converter in pattern.pattern.converters.values()
    )
    or (isinstance(pattern.pattern, RegexPattern) and pattern.pattern.regex.groupindex)
]


@pytest.mark.parametrize(("route", "pattern"), KEYED, ids=[route for route, _ in KEYED])
def test_every_address_that_carries_a_key_is_redacted(route: str, pattern: URLPattern) -> None:
    address = re.sub(r"\(\?P<\w+>[^)]*\)", "K3yMaterial", route)  # a regular-expression route
    address = "/" + re.sub(r"<(?:\w+:)?\w+>", "K3yMaterial", address).strip("^$")
    assert "K3yMaterial" not in redact(f"Not Found: {address}")
    assert "K3yMaterial" not in redact(f"https://practice.example{address}?tz=UTC")
