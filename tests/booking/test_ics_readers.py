"""The invitation and the feed read whole in three independent iCalendar parsers, even for a
practice whose name is full of the characters iCalendar gives a meaning to."""

import icalendar
import ics
import pytest
import vobject
from django.test import Client

from alliance.booking.appointments import appointment_book
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice
from tests.booking.fixtures import client, local, session_type
from tests.booking.test_calendar_feed import feed_address
from tests.conftest import Personas
from tests.smtp import SmtpServer, message_parts

NAME = 'Smith, Jones & Associates; "Calm": Care'
# A double quote cannot stand inside a parameter value: it is written as a single quote.
NAME_READ = "Smith, Jones & Associates; 'Calm': Care"
ROOM = "https://video.example.org/sabal-tara-tate?pwd=a,b;c"


@pytest.fixture
def video_booked(personas: Personas) -> None:
    Practice.objects.filter(pk=1).update(name=NAME, email="desk@example.com")
    personas.tara.video_room_url = ROOM
    personas.tara.save()
    appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client(),
        start=local(3, 10),
        format="telehealth",
        within_availability=False,
    )


@pytest.fixture
def invitation(video_booked: None, mail: SmtpServer) -> str:
    outbox_flush()
    return message_parts(mail.messages[0])["text/calendar"]


@pytest.fixture
def feed(video_booked: None, personas: Personas) -> str:
    return Client().get(feed_address(personas)).content.decode()


def test_icalendar_reads_the_invitation_whole(invitation: str) -> None:
    (event,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == NAME_READ
    assert str(event["ORGANIZER"]) == "mailto:desk@example.com"
    assert str(event["LOCATION"]) == f"Video session: {ROOM}"
    assert str(event["URL"]) == ROOM


def test_vobject_reads_the_invitation_whole(invitation: str) -> None:
    event = vobject.readOne(invitation).vevent
    assert event.organizer.params["CN"] == [NAME_READ]
    assert event.organizer.value == "mailto:desk@example.com"
    assert event.location.value == f"Video session: {ROOM}"
    assert event.url.value == ROOM


def test_ics_reads_the_invitation_whole(invitation: str) -> None:
    (event,) = ics.Calendar(invitation).events
    assert event.organizer.common_name == NAME_READ
    assert event.organizer.email == "desk@example.com"
    assert event.location == f"Video session: {ROOM}"
    assert event.url == ROOM


def test_all_three_read_the_feed_with_the_join_link(feed: str) -> None:
    (first,) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    second = vobject.readOne(feed).vevent
    (third,) = ics.Calendar(feed).events
    assert [str(first["LOCATION"]), second.location.value, third.location] == [
        f"Video session: {ROOM}"
    ] * 3
    assert [str(first["URL"]), second.url.value, third.url] == [ROOM] * 3
