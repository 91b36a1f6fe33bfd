"""Guessing is slowed: an account pauses after five wrong passwords in 15 minutes, an address after
30 failures in an hour, and reset e-mails stop after three an hour for one address. Each lockout
is explained to the person and logged without the address."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from tests.conftest import PASSWORD, Personas
from tests.smtp import SmtpServer

SIGN_IN = reverse("account_login")
STAFF_HOME = reverse("booking:staff_home")
PAUSED = "Sign-in is paused after too many wrong passwords"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 7, 4, 23, 50, tzinfo=UTC)) as traveller:
        yield traveller


def attempt(email: str, password: str, address: str = "203.0.113.7") -> str:
    response = Client(REMOTE_ADDR=address).post(SIGN_IN, {"login": email, "password": password})
    if response.status_code == 302:
        return response["Location"]
    return response.content.decode()


def test_five_wrong_passwords_pause_the_account_and_say_so(
    personas: Personas, clock: time_machine.Traveller, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(5):
        assert "do not match a staff account" in attempt("fran@example.com", "guess-again")
    refused = attempt("fran@example.com", PASSWORD)
    assert PAUSED in refused  # the right password, but the account is paused
    assert PAUSED in attempt("fran@example.com", PASSWORD, address="198.51.100.9")
    assert attempt("tara@example.com", PASSWORD) == STAFF_HOME  # others are not paused
    locked = [r for r in caplog.records if "locked out" in r.getMessage()]
    assert len(locked) == 2
    assert all("fran" not in record.getMessage() for record in caplog.records)

    clock.shift(timedelta(minutes=15, seconds=1))
    assert attempt("fran@example.com", PASSWORD) == STAFF_HOME


def test_a_right_password_does_not_reset_the_count_for_a_guesser(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    for _ in range(4):
        attempt("fran@example.com", "guess-again")
    assert attempt("fran@example.com", PASSWORD) == STAFF_HOME
    attempt("fran@example.com", "guess-again")
    assert PAUSED in attempt("fran@example.com", PASSWORD)


def test_one_address_guessing_many_accounts_is_paused(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    for number in range(30):
        attempt(f"someone{number}@example.com", "guess")
        clock.shift(timedelta(seconds=3))  # slower than the 30-a-minute limit on any sign-in
    assert PAUSED in attempt("tara@example.com", PASSWORD)
    assert attempt("tara@example.com", PASSWORD, address="198.51.100.9") == STAFF_HOME
    clock.shift(timedelta(hours=1, seconds=1))
    assert attempt("tara@example.com", PASSWORD) == STAFF_HOME


def test_reset_emails_stop_after_three_an_hour_for_one_address(
    personas: Personas, smtp_server: SmtpServer, settings: Settings, clock: time_machine.Traveller
) -> None:
    settings.MAILERS = smtp_server.mailers()
    answers = [
        Client().post(reverse("account_reset_password"), {"email": "fran@example.com"})
        for _ in range(7)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429, 429, 429, 429]
    assert "Please wait a moment" in answers[3].content.decode()
    assert len(smtp_server.messages) == 3
    clock.shift(timedelta(hours=1, seconds=1))
    Client().post(reverse("account_reset_password"), {"email": "fran@example.com"})
    assert len(smtp_server.messages) == 4


def test_a_flood_of_sign_ins_gets_a_kind_page(
    personas: Personas, clock: time_machine.Traveller
) -> None:
    for _ in range(30):
        attempt("tara@example.com", PASSWORD)
    flooded = Client(REMOTE_ADDR="203.0.113.7").post(
        SIGN_IN, {"login": "tara@example.com", "password": PASSWORD}
    )
    assert flooded.status_code == 429
    assert "Please wait a moment" in flooded.content.decode()
