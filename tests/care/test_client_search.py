"""Client search: one box, accents and case ignored, the best match first, each person's own
clients only, and in the booking form in place of a list of every client."""

import logging
import re
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from alliance.accounts.models import AuditRecord
from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment
from alliance.clients.models import Client
from alliance.practice.models import Practice, Therapist
from tests.booking.fixtures import ZONE, session_type
from tests.conftest import Personas, signed_in

FIND = reverse("care:client_search")
NEW = reverse("booking:appointment_new")
NOW = datetime(2026, 3, 10, 10, 20, tzinfo=ZONE)


@pytest.fixture
def clock(personas: Personas) -> Iterator[None]:
    Practice.objects.filter(pk=1).update(time_zone=ZONE.key)
    with time_machine.travel(NOW, tick=False):
        yield


def person(name: str, therapist: Therapist | None, email: str = "", phone: str = "") -> Client:
    return Client.objects.create(name=name, email=email, phone=phone, therapist=therapist)


@pytest.fixture
def lucias(personas: Personas, clock: None) -> tuple[Client, Client]:
    first = person("Lucía Fernández", personas.tara, "lucia.f@example.com", "(239) 555-0142")
    second = person("Lucía Fernández", personas.theo, "lferna@mail.test", "239-555-0199")
    person("Ana Lucia Ortiz", personas.tara, "ana@example.com")
    person("Zed Zelucia", personas.theo, "zz@example.com")
    person("Ben Ng", personas.tara, "bluciano@example.com")
    person("Marco Polo", personas.tara, "marco@example.com")
    return first, second


def names_in_order(page: str) -> list[str]:
    return re.findall(r'<h2 class="client-result__name">(?:<a [^>]*>)?([^<]+)<', page)


def test_the_front_desk_finds_lucia_without_the_accent_best_first(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    page = signed_in(personas.frontdesk).get(FIND, {"q": "lucia"}).content.decode()
    assert names_in_order(page) == [
        "Lucía Fernández",
        "Lucía Fernández",
        "Ana Lucia Ortiz",
        "Zed Zelucia",
        "Ben Ng",
    ]


def test_two_people_of_one_name_are_told_apart(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    page = signed_in(personas.frontdesk).get(FIND, {"q": "LUCÍA FERN"}).content.decode()
    assert names_in_order(page) == ["Lucía Fernández", "Lucía Fernández"]
    assert "l•••@mail.test · phone ends 0199" in page
    assert "l•••@example.com · phone ends 0142" in page
    assert "With Tara Tate" in page
    assert "With Theo Tran" in page
    assert "lucia.f@example.com" not in page  # the e-mail itself is not read out


def test_a_phone_number_is_found_by_its_digits(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    page = signed_in(personas.frontdesk).get(FIND, {"q": "555.0142"}).content.decode()
    assert names_in_order(page) == ["Lucía Fernández"]
    assert "phone ends 0142" in page


def test_each_result_shows_the_next_appointment(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    first, _ = lucias
    for day in (20, 12):
        appointment_book(
            therapist=personas.tara,
            appointment_type=session_type(),
            client=first,
            start=datetime(2026, 3, day, 9, tzinfo=ZONE),
            format="in_person",
            within_availability=False,
        )
    page = signed_in(personas.frontdesk).get(FIND, {"q": "555 0142"}).content.decode()
    assert "next: " in page
    assert "Thu 12 Mar, 9:00 AM EDT" in page
    assert "Fri 20 Mar" not in page


def test_a_therapist_finds_only_their_own_clients(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    page = signed_in(personas.therapist).get(FIND, {"q": "lucia"}).content.decode()
    assert names_in_order(page) == ["Lucía Fernández", "Ana Lucia Ortiz", "Ben Ng"]
    assert "Theo Tran" not in page


def test_the_owner_finds_everyone_and_may_open_the_client_page(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    first, _ = lucias
    page = signed_in(personas.owner).get(FIND, {"q": "lucia"}).content.decode()
    assert len(names_in_order(page)) == 5
    assert reverse("care:client", args=[first.uuid]) in page


def test_the_front_desk_books_from_a_result_but_opens_no_client_page(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    first, _ = lucias
    page = signed_in(personas.frontdesk).get(FIND, {"q": "lucia"}).content.decode()
    assert reverse("care:client", args=[first.uuid]) not in page
    assert f"{NEW}?client={first.uuid}&amp;therapist=tara-tate" in page


def test_an_outsider_is_refused(personas: Personas) -> None:
    assert signed_in(personas.client).get(FIND, {"q": "lucia"}).status_code == 403


def test_one_letter_asks_for_more(personas: Personas, lucias: tuple[Client, Client]) -> None:
    page = signed_in(personas.frontdesk).get(FIND, {"q": " l "}).content.decode()
    assert "Type at least two letters" in page
    assert names_in_order(page) == []


def test_a_search_is_audited_by_who_was_shown_never_by_what_was_typed(
    personas: Personas, lucias: tuple[Client, Client], caplog: pytest.LogCaptureFixture
) -> None:
    first, _ = lucias
    with caplog.at_level(logging.DEBUG):
        signed_in(personas.frontdesk).get(FIND, {"q": "0142"})
    (record,) = AuditRecord.objects.all()
    assert (record.user, record.what, record.client_uuid) == (
        personas.frontdesk,
        "client search",
        first.uuid,
    )
    assert "0142" not in record.object_id
    assert "0142" not in caplog.text
    signed_in(personas.frontdesk).get(FIND, {"q": "nobody here"})
    assert AuditRecord.objects.count() == 1


def test_search_is_a_fixed_number_of_queries(
    personas: Personas, clock: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(30):
        client = person(f"Lucia Number{index}", personas.tara)
        appointment_book(
            therapist=personas.tara,
            appointment_type=session_type(),
            client=client,
            start=datetime(2026, 3, 11, 8, tzinfo=ZONE).replace(
                hour=8 + index % 12, day=11 + index // 12
            ),
            format="in_person",
            within_availability=False,
        )
    desk = signed_in(personas.frontdesk)
    with django_assert_max_num_queries(10):
        page = desk.get(FIND, {"q": "lucia"}).content.decode()
    assert "The 20 closest matches" in page


# The booking form: a search box and a short list of results, not a list of every client.


def booking(personas: Personas, **overrides: str) -> dict[str, str]:
    session_type()
    data = {
        "therapist": personas.tara.slug,
        "appointment_type": "session",
        "client": "",
        "find": "",
        "name": "",
        "email": "",
        "phone": "",
        "day": "2026-03-12",
        "start_time": "10:00",
        "format": "in_person",
        "repeat": "0",
        "occurrences": "1",
        "outside_hours_ok": "on",  # Tara has no working hours here: the desk books anyway
    }
    data.update(overrides)
    return data


def test_the_booking_form_lists_no_clients_until_asked(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    page = signed_in(personas.frontdesk).get(NEW).content.decode()
    assert "Lucía" not in page
    assert "Marco Polo" not in page
    assert 'name="find"' in page


def test_find_lists_the_matches_and_keeps_what_was_typed(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    first, second = lucias
    response = signed_in(personas.frontdesk).post(
        NEW, booking(personas, find="lucia fer", find_client="1", start_time="15:30")
    )
    page = response.content.decode()
    assert f'value="{first.uuid}"' in page
    assert f'value="{second.uuid}"' in page
    assert "Ana Lucia Ortiz" not in page
    assert 'value="15:30"' in page
    assert "Please check" not in page
    assert Appointment.objects.count() == 0


def test_a_found_client_is_booked(personas: Personas, lucias: tuple[Client, Client]) -> None:
    _, second = lucias
    response = signed_in(personas.frontdesk).post(
        NEW, booking(personas, client=str(second.uuid), find="lucia")
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.client == second
    assert Client.objects.count() == 6  # nobody new


def test_a_result_link_opens_the_form_with_that_client_chosen(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    first, _ = lucias
    page = (
        signed_in(personas.frontdesk)
        .get(NEW, {"client": str(first.uuid), "therapist": "tara-tate"})
        .content.decode()
    )
    assert f'value="{first.uuid}" checked' in page


def test_a_therapist_cannot_book_a_colleagues_client_by_its_address(
    personas: Personas, lucias: tuple[Client, Client]
) -> None:
    _, second = lucias  # Theo's
    response = signed_in(personas.therapist).post(NEW, booking(personas, client=str(second.uuid)))
    assert response.status_code == 200
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("typed", ["%ED%A0%80", "%00", "9" * 3000, "%25%27%22%3C", "%C3%28"])
def test_whatever_is_typed_the_answer_is_a_page(
    personas: Personas, lucias: tuple[Client, Client], typed: str
) -> None:
    desk = signed_in(personas.frontdesk)
    assert desk.get(f"{FIND}?q={typed}").status_code == 200
    body = "&".join(f"{key}={value}" for key, value in booking(personas).items())
    response = desk.post(
        NEW,
        f"{body}&find_client=1&find={typed}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Appointment.objects.count() == 0
