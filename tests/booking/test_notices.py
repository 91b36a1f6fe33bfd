"""The booking notices (the front desk's new-request notice, the answer to a session asked for on
the web) are outbox messages written with what they announce: a process that dies right after
the commit, or an SMTP server that is down, delays them but loses none."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from alliance.booking.models import BookingMessage, ConsultationRequest, PendingBooking
from alliance.booking.services import consultation_request_submit
from alliance.clients.models import Client as CareClient
from alliance.outbox.models import MessageStatus
from tests.booking.fixtures import local
from tests.booking.test_outbox_crash import ROOT, database_url
from tests.booking.test_session_links import asked_for, run_worker, text_of
from tests.conftest import Personas
from tests.smtp import SmtpServer, free_port

REFUSED = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        # Nothing listens on this port: the SMTP connection is refused.
        "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
    }
}

# Runs in a process that dies as soon as the caller's transaction commits: the on-commit
# callbacks registered after this one (the worker's wake-up) never run.
DIE_ON_COMMIT = """
import os
from django.db import transaction
with transaction.atomic():
    transaction.on_commit(lambda: os._exit(9))
"""


def submitted_then_killed(statement: str) -> None:
    """Run `statement` as the body of the transaction in a real process that dies on commit."""
    code = DIE_ON_COMMIT + "".join(f"    {line}\n" for line in statement.strip().splitlines())
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = database_url()
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr


def submit(**fields: object) -> ConsultationRequest:
    values: dict[str, object] = {
        "submission_token": uuid.uuid4(),
        "name": "Sam Visitor",
        "email": "sam.visitor@example.com",
        "phone": "",
        "preferred_contact": "email",
        "therapist": None,
        "message": "",
        "times": [],
        "times_note": "",
        "consent": True,
    }
    values.update(fields)
    return consultation_request_submit(**values)  # type: ignore[arg-type]


def test_a_request_committed_by_a_process_that_died_is_still_noticed(
    transactional_db: None, personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    submitted_then_killed(
        """
import uuid
from alliance.booking.services import consultation_request_submit
consultation_request_submit(submission_token=uuid.uuid4(), name="Sam Visitor", email="sam@example.com", phone="", preferred_contact="email", therapist=None, message="", times=[], times_note="", consent=True)
"""  # noqa: E501
    )
    assert ConsultationRequest.objects.count() == 1
    assert DBTaskResult.objects.count() == 0  # the worker was never woken
    call_command("outbox_flush")
    call_command("outbox_flush")
    assert [message["To"] for message in smtp_server.messages] == ["fran@example.com"]
    assert BookingMessage.objects.get().status == MessageStatus.SENT


def test_a_session_asked_for_by_a_process_that_died_is_still_answered(
    transactional_db: None, kim: CareClient, mail: SmtpServer
) -> None:
    start = local(3, 10).isoformat()
    submitted_then_killed(
        f"""
from datetime import datetime
from alliance.booking.models import AppointmentType
from alliance.booking.pending import pending_booking_request
from alliance.practice.models import Therapist
pending_booking_request(therapist=Therapist.objects.get(slug="bo-bookable"), appointment_type=AppointmentType.objects.get(slug="session"), email="stranger@example.com", start=datetime.fromisoformat("{start}"), format="telehealth", submission_key="web:killed")
"""  # noqa: E501
    )
    pending = PendingBooking.objects.get()
    assert pending.email == "stranger@example.com"
    assert DBTaskResult.objects.count() == 0  # the worker was never woken
    call_command("outbox_flush")
    call_command("outbox_flush")
    assert "No booking was made" in text_of(mail, "stranger@example.com")
    assert len(mail.messages) == 1
    pending.refresh_from_db()
    assert pending.email == ""


def test_a_session_asked_for_while_smtp_is_down_is_answered_once_it_is_back(
    transactional_db: None, kim: CareClient, mail: SmtpServer, settings: Settings
) -> None:
    mailers, settings.MAILERS = settings.MAILERS, REFUSED
    asked_for(kim, "stranger@example.com")
    run_worker()
    pending = PendingBooking.objects.get()
    answer = BookingMessage.objects.get()
    assert answer.status == MessageStatus.RETRYING
    assert answer.last_error == "ConnectionRefusedError"
    assert pending.email == "stranger@example.com"  # kept until it is sent
    settings.MAILERS = mailers
    with time_machine.travel(answer.next_attempt_at + timedelta(seconds=1)):
        call_command("outbox_flush")
        call_command("outbox_flush")
    assert "No booking was made" in text_of(mail, "stranger@example.com")
    assert len(mail.messages) == 1
    answer.refresh_from_db()
    assert (answer.status, answer.attempts) == (MessageStatus.SENT, 2)
    pending.refresh_from_db()
    assert pending.email == ""  # the typed address was needed only for this e-mail


def submitted_then_rolled_back() -> None:
    with transaction.atomic():
        submit()
        raise RuntimeError("the caller's transaction fails after the request was saved")


@pytest.mark.django_db
def test_the_notice_is_written_with_the_request_and_rolled_back_with_it(
    personas: Personas,
) -> None:
    with pytest.raises(RuntimeError):
        submitted_then_rolled_back()
    assert ConsultationRequest.objects.count() == 0
    assert BookingMessage.objects.count() == 0
    kept = submit()
    notice = BookingMessage.objects.get()
    assert notice.consultation_request == kept
    assert notice.status == MessageStatus.QUEUED
