import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alliance.accounts.models import Role, User
from tests.conftest import PASSWORD, Personas, signed_in
from tests.smtp import SmtpServer

SIGN_IN = reverse("account_login")


def test_staff_sign_in_with_their_email(personas: Personas) -> None:
    response = Client().post(SIGN_IN, {"login": "FRAN@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("booking:staff_home")


def test_a_wrong_password_is_explained(personas: Personas) -> None:
    response = Client().post(SIGN_IN, {"login": "fran@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "e-mail address and password do not match a staff account" in (response.content.decode())
    assert 'value="fran@example.com"' in response.content.decode()


def test_sign_in_returns_to_the_page_asked_for(personas: Personas) -> None:
    inbox = reverse("booking:inbox")
    response = Client().post(
        f"{SIGN_IN}?next={inbox}",
        {"login": "fran@example.com", "password": PASSWORD, "next": inbox},
    )
    assert response["Location"] == inbox


def test_sign_out_needs_a_post(personas: Personas) -> None:
    client = signed_in(personas.frontdesk)
    asked = client.get(reverse("account_logout"))
    assert asked.status_code == 200  # a page that asks, with a button that posts
    assert 'method="post"' in asked.content.decode()
    assert client.get(reverse("booking:staff_home")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("booking:staff_home")).status_code == 302


def test_the_staff_home_counts_new_requests(personas: Personas) -> None:
    from tests.booking.test_inbox import make_request

    make_request("Avery")
    page = signed_in(personas.frontdesk).get(reverse("booking:staff_home")).content.decode()
    assert "new consultation request" in page
    assert (
        signed_in(personas.therapist).get(reverse("booking:staff_home")).context["new_requests"]
        == 0
    )


def test_a_signed_in_session_ends_with_the_browser_or_after_idle_time(personas: Personas) -> None:
    client = Client()
    client.post(SIGN_IN, {"login": "fran@example.com", "password": PASSWORD})
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 30 * 60


def test_staff_sessions_end_after_idle_time(personas: Personas) -> None:
    client = signed_in(personas.frontdesk)
    client.get(reverse("booking:staff_home"))
    assert client.session.get_expiry_age() == django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry forward


def test_passwords_are_hashed_with_argon2(settings: Settings, db: None) -> None:
    settings.PASSWORD_HASHERS = django_settings.PASSWORD_HASHERS
    from alliance import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = User.objects.create_user(
        "ann@example.com", PASSWORD, full_name="Ann", role=Role.THERAPIST
    )
    assert identify_hasher(user.password).algorithm == "argon2"


def test_an_email_is_required_and_stored_lowercase(db: None) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user("", PASSWORD, full_name="No One", role=Role.CLIENT)
    user = User.objects.create_user("Mixed@Example.COM", None, full_name="Mixed", role=Role.CLIENT)
    assert user.email == "mixed@example.com"
    assert not user.has_usable_password()


def test_password_reset_arrives_by_email_and_works(
    personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    response = Client().post(reverse("account_reset_password"), {"email": "fran@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(smtp_server.messages) == 1
    body = smtp_server.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"http://testserver(/staff/password-reset/\S+/)", body)
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-new-long-password-9", "password2": "a-new-long-password-9"},
    )
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    assert Client().login(username="fran@example.com", password="a-new-long-password-9")


def test_password_reset_says_the_same_for_unknown_addresses(
    personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    response = Client().post(reverse("account_reset_password"), {"email": "who@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert smtp_server.messages == []
