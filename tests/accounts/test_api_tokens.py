"""Staff API tokens: the service (alliance.accounts.tokens) and the bearer check
(alliance.api.auth), called through a throwaway API as an outside program would."""

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.models import ApiToken, Role, User
from alliance.accounts.tokens import (
    PREFIX_LENGTH,
    TokenRefused,
    api_token_create,
    api_token_revoke,
    api_token_user,
)
from alliance.clients.models import Client as CareClient
from tests.conftest import Personas, make_user, signed_in

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

urls = override_settings(ROOT_URLCONF="tests.accounts.token_urls")


def call(path: str, authorization: str | None = None, client: Client | None = None) -> "Response":
    headers = {"Authorization": authorization} if authorization is not None else {}
    return (client or Client()).get(path, headers=headers)


def bearer(token: str) -> str:
    return f"Bearer {token}"


# The service


def test_a_token_is_stored_only_as_its_hash(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    assert token.startswith("alli_")
    assert len(token) == 48
    stored = ApiToken.objects.get()
    assert stored.user == personas.frontdesk
    assert stored.prefix == token[:PREFIX_LENGTH]
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert not any(token in str(value) for row in cursor.fetchall() for value in row)


def test_each_token_is_new(personas: Personas) -> None:
    first = api_token_create(user=personas.owner)
    second = api_token_create(user=personas.owner)
    assert first != second
    assert api_token_user(first) == api_token_user(second) == personas.owner


def test_a_token_finds_its_user(personas: Personas) -> None:
    token = api_token_create(user=personas.therapist)
    assert api_token_user(token) == personas.therapist


@pytest.mark.parametrize(
    "guess",
    ["", "alli_", "nonsense", "alli_" + "A" * 43, "alli_" + "A" * 4000],
)
def test_an_unknown_token_finds_no_one(personas: Personas, guess: str) -> None:
    api_token_create(user=personas.owner)
    assert api_token_user(guess) is None


def test_a_token_that_differs_in_case_finds_no_one(personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    assert api_token_user(token.swapcase().replace("ALLI_", "alli_")) is None


def test_a_revoked_token_finds_no_one(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    assert api_token_revoke(user=personas.frontdesk) == 1
    assert api_token_user(token) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_revoking_by_prefix_leaves_the_others(personas: Personas) -> None:
    kept = api_token_create(user=personas.frontdesk)
    revoked = api_token_create(user=personas.frontdesk)
    if kept[:PREFIX_LENGTH] == revoked[:PREFIX_LENGTH]:
        pytest.skip("two tokens happened to share a prefix")
    assert api_token_revoke(user=personas.frontdesk, prefix=revoked[:PREFIX_LENGTH]) == 1
    assert api_token_user(kept) == personas.frontdesk
    assert api_token_user(revoked) is None


def test_revoking_leaves_other_peoples_tokens(personas: Personas) -> None:
    mine = api_token_create(user=personas.frontdesk)
    theirs = api_token_create(user=personas.owner)
    api_token_revoke(user=personas.frontdesk)
    assert api_token_user(mine) is None
    assert api_token_user(theirs) == personas.owner


def test_a_deactivated_users_token_finds_no_one(personas: Personas) -> None:
    token = api_token_create(user=personas.therapist)
    User.objects.filter(pk=personas.therapist.pk).update(is_active=False)
    assert api_token_user(token) is None


def test_a_token_stops_working_when_its_user_becomes_a_client(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    User.objects.filter(pk=personas.frontdesk.pk).update(role=Role.CLIENT)
    assert api_token_user(token) is None


def test_clients_and_deactivated_staff_cannot_be_given_tokens(personas: Personas) -> None:
    gone = make_user("gone@example.com", Role.FRONTDESK, is_active=False)
    for user in (personas.client, gone):
        with pytest.raises(TokenRefused):
            api_token_create(user=user)
    assert not ApiToken.objects.exists()


def test_deleting_a_user_deletes_their_tokens(personas: Personas) -> None:
    api_token_create(user=personas.frontdesk)
    personas.frontdesk.delete()
    assert not ApiToken.objects.exists()


def test_last_use_is_written_at_most_once_a_minute(personas: Personas) -> None:
    token = api_token_create(user=personas.owner)
    assert ApiToken.objects.get().last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api_token_user(token)
    assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert api_token_user(token) == personas.owner
        assert len(queries) == 1  # the lookup, no write
    assert ApiToken.objects.get().last_used_at == start
    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_token_user(token)
    assert ApiToken.objects.get().last_used_at == later


# The bearer check, through a throwaway API


@urls
def test_a_valid_token_lets_the_request_in_as_its_user(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    response = call("/plain/me", bearer(token))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "email": "fran@example.com",
        "request_user": str(personas.frontdesk.pk),
    }


@urls
def test_the_token_decides_who_the_user_is_whatever_the_session_says(
    personas: Personas,
) -> None:
    token = api_token_create(user=personas.frontdesk)
    response = call("/plain/me", bearer(token), client=signed_in(personas.owner))
    assert response.json()["email"] == "fran@example.com"
    assert response.json()["request_user"] == str(personas.frontdesk.pk)


@urls
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer alli_" + "A" * 43,
        "Bearer not-a-token",
        "Token {token}",
        "Bearer  {token}",
        "Basic Zm9vOmJhcg==",
        "{token}",
    ],
)
def test_a_missing_or_wrong_credential_gets_a_json_401(
    personas: Personas, authorization: str | None
) -> None:
    token = api_token_create(user=personas.frontdesk)
    header = None if authorization is None else authorization.format(token=token)
    response = call("/plain/me", header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Unauthorized"}


@urls
def test_a_session_alone_does_not_open_a_token_route(personas: Personas) -> None:
    assert call("/plain/me", client=signed_in(personas.owner)).status_code == 401


@urls
def test_a_revoked_token_gets_a_401(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    assert call("/plain/me", bearer(token)).status_code == 200
    api_token_revoke(user=personas.frontdesk)
    response = call("/plain/me", bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@urls
def test_a_deactivated_users_token_gets_a_401(personas: Personas) -> None:
    token = api_token_create(user=personas.frontdesk)
    User.objects.filter(pk=personas.frontdesk.pk).update(is_active=False)
    assert call("/plain/me", bearer(token)).status_code == 401


@urls
def test_the_auth_error_handler_says_how_to_sign_in(personas: Personas) -> None:
    response = call("/helpful/me", "Basic Zm9vOmJhcg==")
    assert response.status_code == 401
    assert response.json() == {"detail": "Send a staff API token: Authorization: Bearer <token>."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    token = api_token_create(user=personas.owner)
    assert call("/helpful/me", bearer(token)).status_code == 200


@urls
def test_a_therapists_token_sees_only_their_own_clients(personas: Personas) -> None:
    CareClient.objects.create(name="Avery", therapist=personas.tara)
    CareClient.objects.create(name="Blake", therapist=personas.theo)
    CareClient.objects.create(name="Casey")

    def seen_by(user: User) -> list[str]:
        response = call("/plain/clients", bearer(api_token_create(user=user)))
        assert response.status_code == 200, response.content
        return sorted(response.json())

    assert seen_by(personas.therapist) == ["Avery"]
    assert seen_by(personas.colleague) == ["Blake"]
    assert seen_by(personas.owner) == seen_by(personas.frontdesk) == ["Avery", "Blake", "Casey"]
