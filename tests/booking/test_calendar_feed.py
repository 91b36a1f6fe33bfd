import icalendar
from django.test import Client
from django.urls import reverse

from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.booking.models import CalendarFeed
from tests.booking.fixtures import client, consultation_type, local, session_type
from tests.conftest import Personas, signed_in

SETTINGS = reverse("booking:calendar_settings")


def feed_address(personas: Personas) -> str:
    page = signed_in(personas.therapist).post(SETTINGS, {"action": "create"}).content.decode()
    start = page.index("http://testserver/calendar/")
    return page[start : page.index('"', start)].replace("http://testserver", "")


def test_a_therapist_subscribes_to_their_appointments_without_names(personas: Personas) -> None:
    for hour, kind in ((10, session_type()), (15, consultation_type())):
        appointment_book(
            therapist=personas.tara,
            appointment_type=kind,
            client=client("Secret Person", "secret@example.com"),
            start=local(3, hour),
            format="in_person",
            within_availability=False,
        )
    response = Client().get(feed_address(personas))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "Secret" not in body
    assert "secret@example.com" not in body
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert sorted(str(event["SUMMARY"]) for event in events) == ["Consultation", "Session"]
    assert {event.decoded("DTSTART") for event in events} == {local(3, 10), local(3, 15)}


def test_cancelled_appointments_leave_the_feed(personas: Personas) -> None:
    appointment = appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client(),
        start=local(3, 10),
        format="in_person",
        within_availability=False,
    )
    address = feed_address(personas)
    appointment_cancel(appointment=appointment)
    assert icalendar.Calendar.from_ical(Client().get(address).content).walk("VEVENT") == []


def test_a_new_address_revokes_the_old_and_turning_off_revokes_all(personas: Personas) -> None:
    old = feed_address(personas)
    new = feed_address(personas)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    signed_in(personas.therapist).post(SETTINGS, {"action": "revoke"})
    assert Client().get(new).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_only_a_hash_of_the_secret_is_stored(personas: Personas) -> None:
    address = feed_address(personas)
    token = address.removeprefix("/calendar/").removesuffix(".ics")
    assert token not in CalendarFeed.objects.get().token_hash
    assert signed_in(personas.frontdesk).get(SETTINGS).status_code == 403
