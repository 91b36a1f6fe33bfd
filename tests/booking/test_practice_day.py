"""The practice-wide day and week: a column per therapist, free time one click from booking."""

from collections.abc import Iterator
from datetime import datetime, time

import pytest
import time_machine
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.booking.models import Appointment, TimeOff, WorkingHours
from alliance.practice.models import Practice, Therapist
from tests.booking.fixtures import ZONE, client, session_type
from tests.conftest import Personas, make_therapist, signed_in

DAY = reverse("booking:practice_day")
# Tuesday 10 March 2026, 10:20 in New York (EDT).
NOW = datetime(2026, 3, 10, 10, 20, tzinfo=ZONE)


@pytest.fixture
def clock(personas: Personas) -> Iterator[None]:
    Practice.objects.filter(pk=1).update(time_zone=ZONE.key)
    with time_machine.travel(NOW, tick=False):
        yield


def hours(therapist: Therapist, weekday: int = 1, start: int = 9, end: int = 17) -> None:
    WorkingHours.objects.create(
        therapist=therapist, weekday=weekday, start=time(start), end=time(end), format="in_person"
    )


def book(therapist: Therapist, name: str, hour: int, day: int = 10) -> Appointment:
    return appointment_book(
        therapist=therapist,
        appointment_type=session_type(),
        client=client(name, f"{name.split()[0].lower()}@example.com"),
        start=datetime(2026, 3, day, hour, tzinfo=ZONE),
        format="telehealth",
        within_availability=False,
    )


def book_link(therapist: Therapist, start: str, day: str = "2026-03-10") -> str:
    new = reverse("booking:appointment_new")
    return f"{new}?therapist={therapist.slug}&amp;day={day}&amp;start_time={start}"


def test_the_front_desk_sees_a_column_per_working_therapist(
    personas: Personas, clock: None
) -> None:
    hours(personas.tara)
    book(personas.theo, "Wren Walker", 14)  # Theo has no hours on Tuesdays but a booking
    idle = make_therapist("ida-idle")
    hours(idle, weekday=3)  # Thursdays only
    page = signed_in(personas.frontdesk).get(DAY).content.decode()
    assert '<th scope="col">Tara Tate</th>' in page
    assert "Theo Tran</th>" in page
    assert "Ida Idle" not in page
    assert "Wren Walker" in page
    assert "Telehealth" in page
    assert "Booked" in page
    assert "Times in America/New_York (EDT)" in page
    assert "Tuesday 10 March 2026" in page


def test_free_working_time_from_now_on_links_to_the_booking_form(
    personas: Personas, clock: None
) -> None:
    hours(personas.tara)
    book(personas.tara, "Ada Archer", 13)  # 13:00-13:50, kept until 14:00
    page = signed_in(personas.owner).get(DAY).content.decode()
    assert book_link(personas.tara, "10:30") in page
    assert book_link(personas.tara, "16:30") in page
    assert book_link(personas.tara, "10:00") not in page  # begun already (it is 10:20)
    assert book_link(personas.tara, "13:00") not in page
    assert book_link(personas.tara, "13:30") not in page
    assert book_link(personas.tara, "17:00") not in page  # after hours


def test_time_off_is_not_offered(personas: Personas, clock: None) -> None:
    hours(personas.tara)
    TimeOff.objects.create(
        therapist=personas.tara,
        start=datetime(2026, 3, 10, 12, tzinfo=ZONE),
        end=datetime(2026, 3, 10, 15, tzinfo=ZONE),
    )
    page = signed_in(personas.frontdesk).get(DAY).content.decode()
    assert book_link(personas.tara, "11:30") in page
    assert book_link(personas.tara, "12:00") not in page
    assert book_link(personas.tara, "14:30") not in page
    assert book_link(personas.tara, "15:00") in page


def test_a_cancelled_appointment_is_shown_and_its_time_is_free_again(
    personas: Personas, clock: None
) -> None:
    hours(personas.tara)
    cancelled = book(personas.tara, "Cleo Cancel", 15)
    appointment_cancel(appointment=cancelled)
    page = signed_in(personas.frontdesk).get(DAY).content.decode()
    assert "Cleo Cancel" in page
    assert "Cancelled" in page
    assert book_link(personas.tara, "16:00") in page


def test_another_day_is_chosen_in_the_address(personas: Personas, clock: None) -> None:
    hours(personas.tara, weekday=2)
    book(personas.tara, "Ada Archer", 9, day=11)
    page = signed_in(personas.frontdesk).get(DAY, {"date": "2026-03-11"}).content.decode()
    assert "Wednesday 11 March 2026" in page
    assert "Ada Archer" in page
    assert book_link(personas.tara, "10:00", day="2026-03-11") in page
    assert "?view=day&amp;date=2026-03-10" in page  # the day before
    assert "?view=day&amp;date=2026-03-12" in page  # the day after


def test_a_date_no_calendar_holds_shows_today(personas: Personas, clock: None) -> None:
    response = signed_in(personas.frontdesk).get(DAY, {"date": "2026-02-30"})
    assert response.status_code == 200
    assert "Tuesday 10 March 2026" in response.content.decode()


def test_a_phone_shows_the_chosen_therapist_and_hides_the_others(
    personas: Personas, clock: None
) -> None:
    hours(personas.tara)
    hours(personas.theo)
    page = signed_in(personas.frontdesk).get(DAY, {"therapist": "theo-tran"}).content.decode()
    assert '<th scope="col" class="daygrid__other">Tara Tate</th>' in page
    assert '<th scope="col">Theo Tran</th>' in page
    assert '<option value="theo-tran" selected>Theo Tran</option>' in page


def test_a_therapist_sees_only_their_own_column(personas: Personas, clock: None) -> None:
    hours(personas.tara)
    hours(personas.theo)
    book(personas.theo, "Wren Walker", 14)
    page = signed_in(personas.therapist).get(DAY).content.decode()
    assert "Tara Tate</th>" in page
    assert "Theo Tran" not in page
    assert "Wren Walker" not in page


def test_an_outsider_is_refused(personas: Personas) -> None:
    assert signed_in(personas.client).get(DAY).status_code == 403


def test_the_week_lists_each_day_across_the_practice(personas: Personas, clock: None) -> None:
    book(personas.tara, "Ada Archer", 9, day=9)  # Monday
    book(personas.theo, "Wren Walker", 14, day=15)  # Sunday
    book(personas.theo, "Next Week", 14, day=16)
    page = signed_in(personas.frontdesk).get(DAY, {"view": "week"}).content.decode()
    assert "Week of 9 March 2026" in page
    assert page.index("Monday 9 March") < page.index("Ada Archer")
    assert page.index("Sunday 15 March") < page.index("Wren Walker")
    assert "with Theo Tran" in page
    assert "Next Week" not in page


def test_the_booking_form_is_filled_from_a_free_time(personas: Personas, clock: None) -> None:
    page = (
        signed_in(personas.frontdesk)
        .get(
            reverse("booking:appointment_new"),
            {"therapist": "tara-tate", "day": "2026-03-10", "start_time": "15:30"},
        )
        .content.decode()
    )
    assert 'value="2026-03-10"' in page
    assert 'value="15:30:00"' in page
    assert '<option value="tara-tate" selected>' in page


def test_the_day_is_a_fixed_number_of_queries(
    personas: Personas, clock: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    therapists = [personas.tara, personas.theo, make_therapist("ida-idle")]
    for therapist in therapists:
        hours(therapist)
        for hour in (9, 11, 13, 15):
            book(therapist, f"{therapist.name.split()[0]} Client{hour}", hour)
    TimeOff.objects.create(start=NOW, end=NOW.replace(hour=11))
    desk = signed_in(personas.frontdesk)
    with django_assert_max_num_queries(11):
        page = desk.get(DAY).content.decode()
    assert "Ida Client15" in page
    with django_assert_max_num_queries(9):
        desk.get(DAY, {"view": "week"})


@pytest.mark.parametrize(
    "query",
    [
        {"date": "0001-01-01", "view": "week"},
        {"date": "9999-12-31", "view": "week"},
        {"date": "1900-01-01"},
        {"date": "2100-12-31", "view": "week"},
        {"date": "\x00", "therapist": "\x00"},
        {"therapist": "no-such-person", "view": "fortnight"},
    ],
)
def test_whatever_the_address_asks_for_the_answer_is_a_page(
    personas: Personas, clock: None, query: dict[str, str]
) -> None:
    hours(personas.tara)
    assert signed_in(personas.frontdesk).get(DAY, query).status_code == 200
