"""Every route is declared: walk the URL patterns and compare each view's declared access with
this table. A new URL fails here until someone decides who may open it."""

import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alliance.accounts.access import PUBLIC
from alliance.api.api import api
from tests.conftest import Personas, signed_in

OWNER = frozenset({"owner"})
OWNER_THERAPIST = frozenset({"owner", "therapist"})
STAFF = frozenset({"owner", "therapist", "frontdesk"})

ACCESS_TABLE: dict[str, str | frozenset[str]] = {
    "practice:home": PUBLIC,
    "practice:directory": PUBLIC,
    "practice:therapist": PUBLIC,
    "practice:therapist_photo": PUBLIC,
    "practice:crisis": PUBLIC,
    "practice:practice_edit": OWNER,
    "practice:staff_therapists": STAFF,
    "practice:therapist_create": OWNER,
    "practice:therapist_edit": OWNER_THERAPIST,
    "booking:consultation": PUBLIC,
    "booking:consultation_thanks": PUBLIC,
    "booking:slots": PUBLIC,
    "booking:confirm": PUBLIC,
    "booking:booked": PUBLIC,
    "booking:pending_sent": PUBLIC,
    "booking:pending_confirm": PUBLIC,
    "booking:manage": PUBLIC,
    "booking:manage_reschedule": PUBLIC,
    "booking:manage_reschedule_confirm": PUBLIC,
    "booking:manage_cancel": PUBLIC,
    "booking:calendar_feed": PUBLIC,
    "booking:waitlist_join": PUBLIC,
    "booking:waitlist_joined": PUBLIC,
    "booking:offer": PUBLIC,
    "booking:waitlist_leave": PUBLIC,
    "booking:calendar_settings": OWNER_THERAPIST,
    "booking:schedule": STAFF,
    "booking:practice_day": STAFF,
    "booking:availability": OWNER_THERAPIST,
    "booking:appointment_new": STAFF,
    "booking:appointment": STAFF,
    "booking:appointment_mark": STAFF,
    "booking:appointment_cancel": STAFF,
    "booking:appointment_move": STAFF,
    "booking:appointment_link_revoke": STAFF,
    "booking:inbox": STAFF,
    "booking:request_detail": STAFF,
    "care:checkin": PUBLIC,
    "care:checkin_thanks": PUBLIC,
    "care:checkin_renew": PUBLIC,
    "care:progress": PUBLIC,
    "care:clients": OWNER_THERAPIST,
    "care:client_search": STAFF,
    "care:alert_update": OWNER_THERAPIST,
    "care:client": OWNER_THERAPIST,
    "care:client_plan": OWNER_THERAPIST,
    "care:client_progress": OWNER_THERAPIST,
    "care:client_export": OWNER,
    "care:session_rate": OWNER_THERAPIST,
    "booking:staff_home": STAFF,
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "mfa_authenticate": PUBLIC,
    "mfa_trust": PUBLIC,
    "account_change_password": STAFF,
    "account_reauthenticate": STAFF,
    "mfa_index": STAFF,
    "mfa_reauthenticate": STAFF,
    "mfa_activate_totp": STAFF,
    "mfa_deactivate_totp": STAFF,
    "mfa_view_recovery_codes": STAFF,
    "mfa_generate_recovery_codes": STAFF,
    "mfa_download_recovery_codes": STAFF,
    "accounts:audit": OWNER,
    "accounts:audit_export": OWNER,
}

SAMPLE_ARGUMENTS = {
    "slug": "someone",
    "request_uuid": uuid.uuid4(),
    "appointment_uuid": uuid.uuid4(),
    "client_uuid": uuid.uuid4(),
    "alert_uuid": uuid.uuid4(),
    "uidb64": "MQ",
    "token": "x",
    "uidb36": "1",
    "key": "x",
}


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin guards itself; see test_admin_is_for_the_owner_only
            if entry.namespace == api.urls_namespace:
                continue  # the JSON API is public; tests/api covers its access
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner)
        else:
            yield f"{namespace}{entry.name}", entry


def routes() -> list[tuple[str, URLPattern]]:
    return list(walk(get_resolver()))


def test_every_route_is_in_the_table() -> None:
    names = {name for name, _ in routes()}
    assert names - ACCESS_TABLE.keys() == set(), "routes with no declared access"
    assert ACCESS_TABLE.keys() - names == set(), "table rows with no route"


@pytest.mark.parametrize(("name", "pattern"), routes(), ids=[name for name, _ in routes()])
def test_each_view_declares_the_access_in_the_table(name: str, pattern: URLPattern) -> None:
    assert getattr(pattern.callback, "access", None) == ACCESS_TABLE[name]


def route_url(name: str, pattern: URLPattern) -> str:
    """An address for the route, with sample arguments (named groups cover `re_path` too)."""
    arguments = pattern.pattern.regex.groupindex
    return reverse(name, kwargs={key: SAMPLE_ARGUMENTS[key] for key in arguments})


PROTECTED = [(name, pattern) for name, pattern in routes() if ACCESS_TABLE[name] != PUBLIC]


@pytest.mark.parametrize(("name", "pattern"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_protected_routes_send_strangers_to_sign_in(
    name: str, pattern: URLPattern, db: None
) -> None:
    url = route_url(name, pattern)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "pattern"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_protected_routes_refuse_clients(
    name: str, pattern: URLPattern, personas: Personas
) -> None:
    client = signed_in(personas.client)
    for method in ("get", "post"):
        assert getattr(client, method)(route_url(name, pattern)).status_code == 403


@pytest.mark.parametrize(("name", "pattern"), PROTECTED, ids=[name for name, _ in PROTECTED])
def test_protected_routes_refuse_deactivated_staff(
    name: str, pattern: URLPattern, personas: Personas
) -> None:
    client = signed_in(personas.owner)
    personas.owner.is_active = False
    personas.owner.save()
    assert client.get(route_url(name, pattern)).status_code in (302, 403)


def test_admin_is_for_the_owner_only(personas: Personas) -> None:
    assert signed_in(personas.owner).get("/admin/").status_code == 200
    for user in (personas.frontdesk, personas.therapist, personas.client):
        user.is_staff = True  # even a wrongly set flag does not open the admin
        user.save()
        response = signed_in(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
