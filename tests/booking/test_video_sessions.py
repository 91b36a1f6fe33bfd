"""Video sessions carry the therapist's room address wherever the client or staff look for it."""

from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from alliance.accounts.models import User
from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.booking.models import Appointment
from alliance.booking.tokens import manage_token_make
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Therapist
from tests.booking.fixtures import client, local, session_type
from tests.booking.test_calendar_feed import feed_address
from tests.conftest import Personas, signed_in
from tests.practice.test_staff_pages import therapist_data
from tests.smtp import SmtpServer, message_parts

ROOM = "https://video.example.org/sabal-tara-tate"
NO_ROOM_YET = "Your therapist will send you the video link before the session."


def book(therapist: Therapist, format: str = "telehealth") -> Appointment:
    return appointment_book(
        therapist=therapist,
        appointment_type=session_type(),
        client=client(),
        start=local(3, 10),
        format=format,
        within_availability=False,
    )


def with_room(personas: Personas) -> Therapist:
    personas.tara.video_room_url = ROOM
    personas.tara.save()
    return personas.tara


def test_the_confirmation_and_reminders_carry_the_join_link(
    personas: Personas, mail: SmtpServer
) -> None:
    appointment = book(with_room(personas))
    outbox_flush()
    with time_machine.travel(appointment.start - timedelta(hours=23)):
        assert outbox_flush() == 2
    subjects = [message["Subject"].split(":")[0] for message in mail.messages]
    assert subjects == ["Booked", "Reminder", "Reminder"]
    for message in mail.messages:
        parts = message_parts(message)
        assert f"Join the video session: {ROOM}" in parts["text/plain"]
        assert f'<a href="{ROOM}"' in parts["text/html"]
        assert "Join the video session</a>" in parts["text/html"]


def test_without_a_room_the_e_mail_says_the_therapist_will_send_the_link(
    personas: Personas, mail: SmtpServer
) -> None:
    book(personas.tara)
    outbox_flush()
    parts = message_parts(mail.messages[0])
    assert NO_ROOM_YET in parts["text/plain"]
    assert NO_ROOM_YET in parts["text/html"]
    assert "https://video." not in parts["text/plain"]


def test_no_e_mail_promises_a_portal(personas: Personas, mail: SmtpServer) -> None:
    video = book(with_room(personas))
    bare = book(personas.theo)
    in_person = appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client(),
        start=local(4, 10),
        format="in_person",
        within_availability=False,
    )
    outbox_flush()
    with time_machine.travel(video.start - timedelta(hours=23)):
        outbox_flush()
    for appointment in (video, bare, in_person):
        appointment_cancel(appointment=appointment)
    outbox_flush()
    subjects = {message["Subject"].split(":")[0] for message in mail.messages}
    assert subjects == {"Booked", "Reminder", "Cancelled"}
    for message in mail.messages:
        for content in message_parts(message).values():
            assert "portal" not in content.lower()


def test_the_invitation_has_the_room_as_location_and_url(
    personas: Personas, mail: SmtpServer
) -> None:
    book(with_room(personas))
    outbox_flush()
    (event,) = icalendar.Calendar.from_ical(message_parts(mail.messages[0])["text/calendar"]).walk(
        "VEVENT"
    )
    assert str(event["LOCATION"]) == f"Video session: {ROOM}"
    assert str(event["URL"]) == ROOM


def test_the_therapists_feed_has_the_room(personas: Personas) -> None:
    book(with_room(personas))
    (event,) = icalendar.Calendar.from_ical(Client().get(feed_address(personas)).content).walk(
        "VEVENT"
    )
    assert str(event["LOCATION"]) == f"Video session: {ROOM}"
    assert str(event["URL"]) == ROOM


def test_the_manage_page_shows_the_join_link_with_the_time(personas: Personas) -> None:
    appointment = book(with_room(personas))
    url = reverse("booking:manage", kwargs={"token": manage_token_make(appointment)})
    page = Client().get(url, {"tz": "America/New_York"}).content.decode()
    assert f'href="{ROOM}"' in page
    assert "Join the video session" in page
    assert "The session starts " in page
    assert "10:00 AM E" in page


def test_the_manage_page_without_a_room_says_the_link_will_come(personas: Personas) -> None:
    appointment = book(personas.tara)
    url = reverse("booking:manage", kwargs={"token": manage_token_make(appointment)})
    page = Client().get(url).content.decode()
    assert NO_ROOM_YET in page
    assert "Join the video session" not in page


def test_an_in_person_appointment_has_no_video_link(personas: Personas) -> None:
    appointment = book(with_room(personas), format="in_person")
    url = reverse("booking:manage", kwargs={"token": manage_token_make(appointment)})
    page = Client().get(url).content.decode()
    assert ROOM not in page
    assert NO_ROOM_YET not in page


def schedule_page(user: User, personas: Personas) -> str:
    day = {"date": local(3, 0).date().isoformat(), "therapist": personas.tara.slug}
    return signed_in(user).get(reverse("booking:schedule"), day).content.decode()


def test_the_schedule_and_appointment_show_the_join_link(personas: Personas) -> None:
    appointment = book(with_room(personas))
    assert f'href="{ROOM}"' in schedule_page(personas.frontdesk, personas)
    detail = reverse("booking:appointment", args=[appointment.uuid])
    assert f'href="{ROOM}"' in signed_in(personas.therapist).get(detail).content.decode()


def test_the_schedule_warns_when_the_therapist_has_no_room(personas: Personas) -> None:
    appointment = book(personas.tara)
    edit = reverse("practice:therapist_edit", args=[personas.tara.slug])
    warning = "No video room set for Tara Tate: add it on"
    owners = schedule_page(personas.owner, personas)
    assert warning in owners
    assert f'href="{edit}"' in owners
    desk = schedule_page(personas.frontdesk, personas)
    assert warning in desk
    assert f'href="{edit}"' not in desk  # the front desk cannot edit profiles
    detail = reverse("booking:appointment", args=[appointment.uuid])
    assert warning in signed_in(personas.therapist).get(detail).content.decode()


def test_no_warning_for_in_person_appointments(personas: Personas) -> None:
    book(personas.tara, format="in_person")
    assert "No video room set" not in schedule_page(personas.owner, personas)


@pytest.mark.parametrize("user", ["therapist", "owner"])
def test_the_room_address_is_set_on_the_profile(personas: Personas, user: str) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    staff = signed_in(getattr(personas, user))
    assert "e.g. your Doxy.me or Zoom room" in staff.get(url).content.decode()
    response = staff.post(url, therapist_data(personas.tara, video_room_url=ROOM))
    assert response.status_code == 302
    personas.tara.refresh_from_db()
    assert personas.tara.video_room_url == ROOM


def test_only_an_https_room_address_is_accepted(personas: Personas) -> None:
    url = reverse("practice:therapist_edit", args=[personas.tara.slug])
    data = therapist_data(personas.tara, video_room_url="http://video.example.org/tara")
    page = signed_in(personas.therapist).post(url, data).content.decode()
    assert "Enter the room&#x27;s full https:// address" in page
    personas.tara.refresh_from_db()
    assert personas.tara.video_room_url == ""


def test_the_room_address_is_never_on_public_pages(personas: Personas) -> None:
    with_room(personas)
    for url in (reverse("practice:directory"), personas.tara.get_absolute_url(), "/"):
        assert "video.example.org" not in Client().get(url).content.decode()


def test_the_admin_edits_the_room_address(personas: Personas) -> None:
    url = reverse("admin:practice_therapist_change", args=[personas.tara.pk])
    assert 'name="video_room_url"' in signed_in(personas.owner).get(url).content.decode()
