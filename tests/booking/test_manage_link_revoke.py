"""Manage links can be revoked: cancelling, by the client or the practice, ends every earlier
link, and staff can end the client's link on request and send a new one."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentStatus
from alliance.booking.tokens import manage_token_make
from alliance.outbox.models import Message
from alliance.outbox.sending import outbox_flush
from tests.booking.fixtures import client, local, session_type
from tests.conftest import Personas, signed_in
from tests.smtp import SmtpServer, message_parts

MANAGE_LINK = re.compile(r"https://practice\.example(/appointments/manage/[^\s\"<>/]+/)")


@pytest.fixture(autouse=True)
def _mail(smtp_server: SmtpServer, settings: Settings) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"


def taras_appointment(personas: Personas, *, email: str = "casey@example.com") -> Appointment:
    return appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client(email=email),
        start=local(3, 10),
        format="in_person",
        within_availability=False,
        send_confirmation=False,
    )


def manage_path(appointment: Appointment) -> str:
    return reverse("booking:manage", kwargs={"token": manage_token_make(appointment)})


def revoke(appointment: Appointment) -> str:
    return reverse("booking:appointment_link_revoke", args=[appointment.uuid])


def assert_no_longer_works(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link no longer works" in page
    assert "Session" not in page  # nothing about the appointment
    assert "Tara" not in page


def test_cancelling_through_the_link_ends_the_link(personas: Personas) -> None:
    appointment = taras_appointment(personas)
    old = manage_path(appointment)
    cancelled = Client().post(old + "cancel/")
    assert cancelled.status_code == 200
    assert "Your appointment is cancelled" in cancelled.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert_no_longer_works(old)
    assert Client().post(old + "cancel/").status_code == 404


def test_the_practice_cancelling_ends_the_clients_link(personas: Personas) -> None:
    appointment = taras_appointment(personas)
    old = manage_path(appointment)
    signed_in(personas.frontdesk).post(
        reverse("booking:appointment_cancel", args=[appointment.uuid])
    )
    assert_no_longer_works(old)


def test_staff_revoke_ends_the_old_link_and_e_mail_a_new_one_that_works(
    personas: Personas, smtp_server: SmtpServer
) -> None:
    appointment = taras_appointment(personas)
    old = manage_path(appointment)
    page = signed_in(personas.frontdesk).post(revoke(appointment), follow=True)
    assert page.status_code == 200
    assert (
        "The client's old link no longer works. A new one is on its way to their e-mail."
        in html.unescape(page.content.decode())
    )
    assert_no_longer_works(old)
    assert outbox_flush() == 1
    (mail,) = smtp_server.messages
    assert mail["To"] == "casey@example.com"
    assert mail["Subject"].startswith("New link: Session on ")
    found = MANAGE_LINK.search(message_parts(mail)["text/plain"])
    assert found is not None
    new = found.group(1)
    assert new != old
    assert "Choose a new time" in Client().get(new).content.decode()


def test_revoking_for_a_client_without_e_mail_says_no_new_link_was_sent(
    personas: Personas,
) -> None:
    appointment = taras_appointment(personas, email="")
    old = manage_path(appointment)
    page = signed_in(personas.owner).post(revoke(appointment), follow=True)
    assert (
        "The client's old link no longer works. They have no e-mail address, so no new link "
        "was sent: please call them." in html.unescape(page.content.decode())
    )
    assert_no_longer_works(old)
    assert Message.objects.count() == 0


def test_the_treating_therapist_may_revoke_but_a_colleague_may_not(personas: Personas) -> None:
    appointment = taras_appointment(personas)
    old = manage_path(appointment)
    assert signed_in(personas.colleague).post(revoke(appointment)).status_code == 404
    assert Client().get(old).status_code == 200
    assert signed_in(personas.therapist).post(revoke(appointment)).status_code == 302
    assert_no_longer_works(old)


def test_revoking_needs_a_post_with_the_csrf_token(personas: Personas) -> None:
    appointment = taras_appointment(personas)
    old = manage_path(appointment)
    desk = Client(enforce_csrf_checks=True)
    desk.force_login(personas.frontdesk)
    assert desk.get(revoke(appointment)).status_code == 405
    assert desk.post(revoke(appointment)).status_code == 403
    assert Client().get(old).status_code == 200


def test_the_appointment_page_offers_the_revoke_button(personas: Personas) -> None:
    appointment = taras_appointment(personas)
    page = signed_in(personas.frontdesk).get(
        reverse("booking:appointment", args=[appointment.uuid])
    )
    text = html.unescape(page.content.decode())
    assert f'action="{revoke(appointment)}"' in text
    assert "Revoke the client's link and send a new one" in text
