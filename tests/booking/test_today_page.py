"""The staff home ("Today"): the day's appointments, one-click arrivals and the open requests."""

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentStatus, RequestStatus
from alliance.practice.models import Practice, Therapist
from tests.booking.fixtures import ZONE, client, session_type
from tests.booking.test_inbox import make_request
from tests.conftest import Personas, signed_in

HOME = reverse("booking:staff_home")
# Tuesday 10 March 2026, 10:20 in New York (EDT).
NOW = datetime(2026, 3, 10, 10, 20, tzinfo=ZONE)


@pytest.fixture
def clock(personas: Personas) -> Iterator[None]:
    Practice.objects.filter(pk=1).update(time_zone=ZONE.key)
    with time_machine.travel(NOW, tick=False):
        yield


def book(therapist: Therapist, name: str, hour: int, minute: int = 0, day: int = 10) -> Appointment:
    return appointment_book(
        therapist=therapist,
        appointment_type=session_type(),
        client=client(name, f"{name.split()[0].lower()}@example.com"),
        start=datetime(2026, 3, day, hour, minute, tzinfo=ZONE),
        format="in_person",
        within_availability=False,
    )


def arrive_form(appointment: Appointment) -> str:
    return reverse("booking:appointment_mark", args=[appointment.uuid])


def test_the_front_desk_sees_the_whole_practices_day_in_order(
    personas: Personas, clock: None
) -> None:
    book(personas.theo, "Wren Walker", 14)
    book(personas.tara, "Ada Archer", 9)
    book(personas.tara, "Yesterday Yates", 11, day=9)
    book(personas.theo, "Tomorrow Tait", 9, day=11)
    page = signed_in(personas.frontdesk).get(HOME).content.decode()
    assert "Ada Archer" in page
    assert "Wren Walker" in page
    assert page.index("Ada Archer") < page.index("Wren Walker")
    assert "Yesterday Yates" not in page
    assert "Tomorrow Tait" not in page
    assert "Tuesday 10 March" in page
    assert "EDT" in page
    assert "Tara Tate" in page
    assert "Theo Tran" in page


def test_the_owner_sees_the_whole_practices_day(personas: Personas, clock: None) -> None:
    book(personas.theo, "Wren Walker", 14)
    book(personas.tara, "Ada Archer", 9)
    page = signed_in(personas.owner).get(HOME).content.decode()
    assert "Ada Archer" in page
    assert "Wren Walker" in page


def test_a_therapist_sees_only_their_own_day(personas: Personas, clock: None) -> None:
    book(personas.theo, "Wren Walker", 14)
    book(personas.tara, "Ada Archer", 9)
    page = signed_in(personas.therapist).get(HOME).content.decode()
    assert "Ada Archer" in page
    assert "Wren Walker" not in page


def test_a_therapists_day_comes_right_after_the_alerts_and_before_the_tiles(
    personas: Personas, clock: None
) -> None:
    book(personas.tara, "Ada Archer", 9)
    page = signed_in(personas.therapist).get(HOME).content.decode()
    assert page.index("Ada Archer") < page.index("Sign-in security")


def test_arrived_is_offered_only_once_the_session_has_begun(
    personas: Personas, clock: None
) -> None:
    started = book(personas.tara, "Ada Archer", 10)  # 10:00-10:50, now 10:20
    later = book(personas.tara, "Bea Byrne", 11)
    page = signed_in(personas.frontdesk).get(HOME).content.decode()
    assert arrive_form(started) in page
    assert arrive_form(later) not in page


def test_one_click_marks_arrived_and_comes_back_to_today(personas: Personas, clock: None) -> None:
    started = book(personas.tara, "Ada Archer", 10)
    response = signed_in(personas.frontdesk).post(
        arrive_form(started), {"status": "arrived", "next": HOME}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME
    started.refresh_from_db()
    assert started.status == AppointmentStatus.ARRIVED


def test_a_client_cannot_be_marked_arrived_before_their_session(
    personas: Personas, clock: None
) -> None:
    later = book(personas.tara, "Bea Byrne", 11)
    response = signed_in(personas.frontdesk).post(
        arrive_form(later), {"status": "arrived", "next": HOME}, follow=True
    )
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED
    assert "only once it has started" in response.content.decode()


def test_marking_never_returns_to_another_site(personas: Personas, clock: None) -> None:
    started = book(personas.tara, "Ada Archer", 10)
    response = signed_in(personas.frontdesk).post(
        arrive_form(started), {"status": "arrived", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("booking:appointment", args=[started.uuid])


def test_the_desk_sees_the_open_requests(personas: Personas, clock: None) -> None:
    make_request("Nia New")
    make_request("Cal Contacted", status=RequestStatus.CONTACTED, first_response_at=NOW)
    make_request("Clo Closed", status=RequestStatus.CLOSED, first_response_at=NOW)
    response = signed_in(personas.frontdesk).get(HOME)
    page = response.content.decode()
    assert "Nia New" in page
    assert "Cal Contacted" in page
    assert "Clo Closed" not in page
    assert "2 open consultation requests" in page


def test_an_outsider_is_refused(personas: Personas) -> None:
    assert signed_in(personas.client).get(HOME).status_code == 403


def test_today_is_a_fixed_number_of_queries(
    personas: Personas, clock: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for hour in (8, 9, 10, 11, 12, 13):
        book(personas.tara, f"Tara Client{hour}", hour)
        book(personas.theo, f"Theo Client{hour}", hour)
    for index in range(4):
        make_request(f"Req {index}")
    desk = signed_in(personas.frontdesk)
    with django_assert_max_num_queries(11):
        page = desk.get(HOME).content.decode()
    assert "Theo Client13" in page
