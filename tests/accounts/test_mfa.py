"""Two-step sign-in for staff: an authenticator app, recovery codes, a trusted browser for at most
30 days, and the owner's switch that makes it required for everyone.

Codes are computed here by RFC 6238 written out in the test, not by the library under test.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alliance.accounts.checks import check_mfa_trust_age
from alliance.accounts.models import User
from alliance.practice.models import Practice
from tests.conftest import PASSWORD, Personas, signed_in
from tests.practice.test_staff_pages import PRACTICE_EDIT, practice_data

SIGN_IN = reverse("account_login")
STAFF_HOME = reverse("booking:staff_home")
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def totp(secret: str, at: datetime) -> str:
    """RFC 6238 with the usual parameters: SHA-1, 30-second steps, six digits."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(at.timestamp() // 30).to_bytes(8, "big")
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def password_step(email: str, client: Client | None = None) -> tuple[Client, str]:
    client = client or Client()
    response = client.post(SIGN_IN, {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client, response["Location"]


def confirm_password(client: Client) -> None:
    """Changing how one signs in asks for the password again, even just after signing in."""
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert "type your password again" in client.get(asked["Location"]).content.decode()
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == reverse("mfa_activate_totp")


def turn_on_app(user: User) -> tuple[str, Client]:
    """Set up an authenticator app as the person would: its secret, and their browser."""
    client, _ = password_step(user.email)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    match = re.search(r"<code>([A-Z2-7]{16,})</code>", page)
    assert match is not None, "the setup key is shown for people who cannot scan"
    secret = match.group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret, datetime.now(UTC))})
    assert response.status_code == 302
    return secret, client


def test_a_person_sets_up_an_app_and_then_needs_its_code(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    tara = personas.therapist
    client, _ = password_step(tara.email)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, inline (no third party)
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", page).group(1)  # type: ignore[union-attr]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=tara).exists()
    client.post(reverse("mfa_activate_totp"), {"code": totp(secret, START)})
    assert Authenticator.objects.filter(user=tara, type=Authenticator.Type.TOTP).exists()

    clock.shift(timedelta(minutes=1))
    browser, next_step = password_step(tara.email)
    assert next_step == reverse("mfa_authenticate")
    assert browser.get(STAFF_HOME)["Location"].startswith(SIGN_IN)  # not signed in yet
    refused = browser.post(next_step, {"code": "123456"})
    assert refused.status_code == 200
    assert "Incorrect code" in refused.content.decode()
    trust_step = browser.post(next_step, {"code": totp(secret, datetime.now(UTC))})
    assert trust_step["Location"] == reverse("mfa_trust")
    home = browser.post(trust_step["Location"], {"action": "skip"})
    assert home["Location"] == STAFF_HOME
    assert browser.get(STAFF_HOME).status_code == 200
    assert mfa_settings.TRUST_COOKIE_NAME not in browser.cookies


def test_a_code_read_as_it_turned_over_still_signs_in_but_an_older_one_does_not(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    """A person who reads the code in its last seconds and types it after the 30-second step has
    turned is let in (RFC 6238 §5.2: one step back for the delay); a minute-old code is not."""
    secret, _ = turn_on_app(personas.therapist)
    clock.shift(timedelta(minutes=5))
    stale, next_step = password_step(personas.therapist.email)
    minute_old = totp(secret, datetime.now(UTC) - timedelta(seconds=60))
    refused = stale.post(next_step, {"code": minute_old})
    assert refused.status_code == 200
    assert "Incorrect code" in refused.content.decode()
    late, next_step = password_step(personas.therapist.email)
    just_turned = totp(secret, datetime.now(UTC) - timedelta(seconds=30))
    assert late.post(next_step, {"code": just_turned})["Location"] == reverse("mfa_trust")


def test_a_recovery_code_signs_in_once(personas: Personas, clock: time_machine.Traveller) -> None:
    _, browser = turn_on_app(personas.therapist)
    codes = re.findall(
        r"<code>(\w+)</code>", browser.get(reverse("mfa_view_recovery_codes")).content.decode()
    )
    assert len(codes) == 10
    halfway, _ = password_step(personas.therapist.email)  # past the password, not the code
    assert "<code>" not in halfway.get(reverse("mfa_view_recovery_codes")).content.decode()
    clock.shift(timedelta(minutes=1))
    first, next_step = password_step(personas.therapist.email)
    assert first.post(next_step, {"code": codes[0]})["Location"] == reverse("mfa_trust")
    again, next_step = password_step(personas.therapist.email)
    assert again.post(next_step, {"code": codes[0]}).status_code == 200  # used up


def test_a_trusted_browser_skips_the_code_for_thirty_days_and_no_longer(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    secret, _ = turn_on_app(personas.frontdesk)
    clock.shift(timedelta(minutes=1))
    browser, next_step = password_step(personas.frontdesk.email)
    trust_step = browser.post(next_step, {"code": totp(secret, datetime.now(UTC))})
    assert "30" in browser.get(trust_step["Location"]).content.decode()  # "for 30 days"
    browser.post(trust_step["Location"], {"action": "trust"})
    cookie = browser.cookies[mfa_settings.TRUST_COOKIE_NAME]
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    browser.post(reverse("account_logout"))

    clock.shift(timedelta(days=29))
    _, skipped = password_step(personas.frontdesk.email, browser)
    assert skipped == STAFF_HOME
    browser.post(reverse("account_logout"))

    clock.shift(timedelta(days=1, minutes=1))
    _, asked = password_step(personas.frontdesk.email, browser)
    assert asked == reverse("mfa_authenticate")


def test_trust_cannot_be_set_beyond_thirty_days(settings: Settings) -> None:
    settings.MFA_TRUST_COOKIE_AGE = timedelta(days=31)
    assert [message.id for message in check_mfa_trust_age()] == ["alliance.E002"]
    settings.MFA_TRUST_COOKIE_AGE = timedelta(days=30)
    assert check_mfa_trust_age() == []


def test_the_owner_requires_codes_for_every_staff_member(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    owner = signed_in(personas.owner)
    assert owner.post(PRACTICE_EDIT, practice_data(mfa_required="on")).status_code == 302
    assert Practice.objects.current().mfa_required

    tara = signed_in(personas.therapist)
    for page in (STAFF_HOME, reverse("care:clients"), reverse("booking:schedule")):
        assert tara.get(page)["Location"] == reverse("mfa_index")
    setup = tara.get(reverse("mfa_index")).content.decode()
    assert "asks every staff member to use a sign-in code" in setup
    assert owner.get("/admin/")["Location"] == reverse("mfa_index")  # the admin too

    turn_on_app(personas.therapist)
    assert signed_in(personas.therapist).get(STAFF_HOME).status_code == 200


def test_turning_the_app_off_while_required_sends_the_person_back_to_set_up(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    _, browser = turn_on_app(personas.therapist)
    assert "Turn it off" in browser.get(reverse("mfa_index")).content.decode()
    Practice.objects.filter(pk=Practice.objects.current().pk).update(mfa_required=True)
    assert "Turn it off" not in browser.get(reverse("mfa_index")).content.decode()
    assert browser.post(reverse("mfa_deactivate_totp"))["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=personas.therapist, type="totp").exists()
    assert browser.get(STAFF_HOME)["Location"] == reverse("mfa_index")


def test_codes_are_optional_in_the_demo_practice(db: None) -> None:
    from io import StringIO

    call_command("load_demo", without_history=True, stdout=StringIO())
    assert Practice.objects.current().mfa_required is False
    marisol = Client()
    response = marisol.post(SIGN_IN, {"login": "marisol@sabal.test", "password": "alliance-demo"})
    assert response["Location"] == STAFF_HOME
