"""`manage.py createapitoken EMAIL --role ROLE [--create]`: the token, and only the token, on
stdout."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from alliance.accounts.models import ApiToken, Role, User
from alliance.accounts.tokens import api_token_user
from alliance.practice.models import Therapist
from tests.booking.test_outbox_crash import database_url
from tests.conftest import Personas, make_therapist, make_user

ROOT = Path(__file__).resolve().parent.parent.parent


def create_token(*args: str) -> tuple[str, str]:
    """What the command printed: (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("createapitoken", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_working_token_and_nothing_else(personas: Personas) -> None:
    out, err = create_token("fran@example.com", "--role", "frontdesk")
    assert out.count("\n") == 1
    assert out.endswith("\n")
    assert api_token_user(out.strip()) == personas.frontdesk
    assert err == ""


def test_it_finds_the_user_whatever_the_case_of_the_address(personas: Personas) -> None:
    out, _ = create_token("  Olivia@Example.COM ", "--role", "owner")
    assert api_token_user(out.strip()) == personas.owner


def test_it_refuses_a_role_that_is_not_the_users(personas: Personas) -> None:
    with pytest.raises(CommandError, match="has the role 'therapist', not 'owner'"):
        create_token("tara@example.com", "--role", "owner")
    assert User.objects.get(email="tara@example.com").role == Role.THERAPIST
    assert not ApiToken.objects.exists()


def test_it_refuses_a_client(personas: Personas) -> None:
    with pytest.raises(CommandError, match="has the role 'client'"):
        create_token("chris@example.com", "--role", "frontdesk")
    assert not ApiToken.objects.exists()


def test_it_does_not_offer_the_client_role(personas: Personas) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'client'"):
        create_token("chris@example.com", "--role", "client")


def test_it_needs_a_role(personas: Personas) -> None:
    with pytest.raises(CommandError, match="--role"):
        create_token("fran@example.com")


def test_it_refuses_a_deactivated_user(personas: Personas) -> None:
    make_user("gone@example.com", Role.FRONTDESK, is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        create_token("gone@example.com", "--role", "frontdesk")
    assert not ApiToken.objects.exists()


def test_it_refuses_an_unknown_address_without_create(personas: Personas) -> None:
    with pytest.raises(
        CommandError, match=r"^No user with that e-mail; pass --create to make one\.$"
    ):
        create_token("new@example.com", "--role", "frontdesk")
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "", "two@example.com@example.com"])
def test_it_refuses_something_that_is_not_an_address(personas: Personas, email: str) -> None:
    with pytest.raises(CommandError, match="not an e-mail address"):
        create_token(email, "--role", "frontdesk", "--create")
    assert User.objects.count() == 5


@pytest.mark.parametrize("role", [Role.OWNER, Role.FRONTDESK])
def test_create_makes_a_user_without_a_usable_password(db: None, role: Role) -> None:
    out, err = create_token("New.Person@Example.com", "--role", role.value, "--create")
    user = User.objects.get(email="new.person@example.com")
    assert user.role == role
    assert user.full_name == "new.person"
    assert user.is_active
    assert not user.has_usable_password()
    assert not user.is_staff  # no admin access comes with a token
    assert api_token_user(out.strip()) == user
    assert out.count("\n") == 1
    assert "Created" in err
    assert not Therapist.objects.exists()


def test_create_gives_a_new_therapist_an_unlisted_profile(db: None) -> None:
    make_therapist("tara")  # the obvious slug is taken
    out, err = create_token("tara@example.com", "--role", "therapist", "--create")
    user = User.objects.get(email="tara@example.com")
    assert not user.has_usable_password()
    profile = Therapist.objects.get(user=user)
    assert profile.slug == "tara-2"
    assert profile.name == "tara"
    assert not profile.is_listed
    assert profile.accepting == "no"
    assert not Therapist.objects.listed().filter(user=user).exists()
    assert api_token_user(out.strip()) == user
    assert "unlisted therapist profile" in err


def test_create_uses_the_existing_user_when_there_is_one(personas: Personas) -> None:
    out, err = create_token("fran@example.com", "--role", "frontdesk", "--create")
    assert api_token_user(out.strip()) == personas.frontdesk
    assert User.objects.count() == 5
    assert err == ""


def test_create_does_not_change_an_existing_users_role(personas: Personas) -> None:
    with pytest.raises(CommandError, match="does not change roles"):
        create_token("fran@example.com", "--role", "owner", "--create")
    assert User.objects.get(email="fran@example.com").role == Role.FRONTDESK


def test_it_warns_on_stderr_when_a_therapist_has_no_profile(db: None) -> None:
    therapist = make_user("nora@example.com", Role.THERAPIST)
    out, err = create_token("nora@example.com", "--role", "therapist")
    assert api_token_user(out.strip()) == therapist
    assert "no therapist profile" in err


def test_each_run_makes_another_token(personas: Personas) -> None:
    first, _ = create_token("fran@example.com", "--role", "frontdesk")
    second, _ = create_token("fran@example.com", "--role", "frontdesk")
    assert first != second
    assert ApiToken.objects.filter(user=personas.frontdesk).count() == 2


def run_manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = database_url()
    return subprocess.run(
        [sys.executable, "manage.py", "createapitoken", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_run_prints_exactly_one_line_and_errors_go_to_stderr() -> None:
    created = run_manage("new@example.com", "--role", "therapist", "--create")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1
    assert created.stdout == lines[0] + "\n"
    user = User.objects.get(email="new@example.com")
    assert api_token_user(lines[0]) == user
    assert "Created" in created.stderr

    refused = run_manage("new@example.com", "--role", "owner")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "does not change roles" in refused.stderr
    assert ApiToken.objects.count() == 1
