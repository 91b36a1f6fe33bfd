"""The signed-link helper, and every link kind built on it: links sent before the helper existed
(made by django.core.signing directly, with the same salts) still open."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.accounts.links import LinkExpired, SignedLink
from alliance.booking import tokens
from alliance.booking.tokens import manage_token_read
from alliance.care import checkins, progress
from alliance.care.checkins import CheckinLinkTooOld, checkin_token_read
from alliance.care.models import CheckinInvitation
from alliance.care.progress import progress_token_read
from alliance.clients.models import Client
from tests.care.fixtures import session_booked

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DAY_LINK = SignedLink[str]("tests.links.day", max_age=timedelta(days=1))


def test_a_link_reads_back_what_it_carries() -> None:
    assert DAY_LINK.read(DAY_LINK.make("3f8e")) == "3f8e"
    pair = SignedLink[list[Any]]("tests.links.pair")
    assert pair.read(pair.make(["3f8e", 2])) == ["3f8e", 2]


def test_a_forged_or_altered_token_reads_as_nothing() -> None:
    token = DAY_LINK.make("3f8e")
    assert DAY_LINK.read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert DAY_LINK.read("not-a-token") is None
    assert DAY_LINK.read("") is None


def test_a_token_of_another_kind_reads_as_nothing() -> None:
    other = SignedLink[str]("tests.links.other")
    assert other.read(DAY_LINK.make("3f8e")) is None


def test_a_token_opens_for_its_max_age_and_not_after() -> None:
    with time_machine.travel(NOON, tick=False):
        token = DAY_LINK.make("3f8e")
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        assert DAY_LINK.read(token) == "3f8e"
    with time_machine.travel(NOON + timedelta(days=1, seconds=1), tick=False):
        assert DAY_LINK.read(token) is None
        with pytest.raises(LinkExpired):
            DAY_LINK.read(token, tell_expired=True)


def test_a_forged_token_is_not_called_expired() -> None:
    assert DAY_LINK.read("not-a-token", tell_expired=True) is None


def test_a_max_age_given_as_a_function_is_read_at_each_use() -> None:
    days = [1]
    link = SignedLink[str]("tests.links.settable", max_age=lambda: timedelta(days=days[0]))
    with time_machine.travel(NOON, tick=False):
        token = link.make("3f8e")
    with time_machine.travel(NOON + timedelta(days=2), tick=False):
        assert link.read(token) is None
        days[0] = 3
        assert link.read(token) == "3f8e"


def test_a_link_signed_before_the_key_was_rotated_still_opens(settings: Settings) -> None:
    token = DAY_LINK.make("3f8e")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert DAY_LINK.read(token) is None
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert DAY_LINK.read(token) == "3f8e"


# The salts links were signed with before the helper; written out here, not read from the code,
# so that changing one in the code fails this test.
KINDS = [
    (tokens.MANAGE_LINK, "alliance.booking.manage", [str(uuid4()), 3]),
    (tokens.OFFER_LINK, "alliance.booking.waitlist-offer", str(uuid4())),
    (tokens.LEAVE_LINK, "alliance.booking.waitlist-leave", str(uuid4())),
    (tokens.PENDING_LINK, "alliance.booking.pending", str(uuid4())),
    (checkins.CHECKIN_LINK, "alliance.care.checkin", str(uuid4())),
    (progress.PROGRESS_LINK, "alliance.care.progress", str(uuid4())),
]
# Named by salt: the payloads are random, and parallel workers must collect the same test ids.
SALTS = [salt for _, salt, _ in KINDS]


@pytest.mark.django_db
@pytest.mark.parametrize(("link", "salt", "payload"), KINDS, ids=SALTS)
def test_every_kind_reads_a_link_made_the_old_way(
    link: SignedLink[Any], salt: str, payload: object
) -> None:
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        old_token = signing.dumps(payload, salt=salt)
    assert link.read(old_token) == payload


@pytest.mark.parametrize(("link", "salt", "payload"), KINDS, ids=SALTS)
def test_every_kind_makes_the_token_the_old_code_made(
    link: SignedLink[Any], salt: str, payload: object
) -> None:
    with time_machine.travel(NOON, tick=False):
        assert link.make(payload) == signing.dumps(payload, salt=salt)


@pytest.mark.django_db
def test_a_manage_link_made_the_old_way_opens_its_appointment() -> None:
    appointment = session_booked(days_ahead=3)
    old_token = signing.dumps(
        [str(appointment.uuid), appointment.token_version], salt="alliance.booking.manage"
    )
    assert manage_token_read(old_token) == appointment
    appointment.token_version += 1
    appointment.save()
    assert manage_token_read(old_token) is None


@pytest.mark.django_db
def test_a_progress_link_made_the_old_way_opens_the_clients_page() -> None:
    client = Client.objects.create(name="Casey Client", email="casey@example.com")
    old_token = signing.dumps(str(client.uuid), salt="alliance.care.progress")
    assert progress_token_read(old_token) == client


@pytest.mark.django_db
def test_a_checkin_link_made_the_old_way_opens_until_it_is_too_old() -> None:
    appointment = session_booked()
    invitation = CheckinInvitation.objects.create(
        appointment=appointment,
        instruments=["phq9"],
        created_at=appointment.end,
        expires_at=appointment.end + timedelta(days=7),
    )
    with time_machine.travel(appointment.end, tick=False):
        old_token = signing.dumps(str(invitation.uuid), salt="alliance.care.checkin")
    with time_machine.travel(appointment.end + timedelta(days=1), tick=False):
        assert checkin_token_read(old_token) == invitation
    with (
        time_machine.travel(appointment.end + timedelta(days=400), tick=False),
        pytest.raises(CheckinLinkTooOld),
    ):
        checkin_token_read(old_token)
