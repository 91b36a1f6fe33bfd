from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.booking.appointments import SlotTaken, appointment_book, series_plan
from alliance.booking.models import (
    Appointment,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    TimeOff,
    WorkingHours,
)
from alliance.booking.services import staff_booking_make
from alliance.clients.models import Client as CareClient
from tests.booking.fixtures import client, consultation_type, local, session_type
from tests.booking.test_inbox import make_request
from tests.conftest import Personas, signed_in

NEW = reverse("booking:appointment_new")
ZONE = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _taras_hours(personas: Personas) -> None:
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=personas.tara,
            weekday=weekday,
            start=time(8),
            end=time(20),
            format="in_person",
        )


def form(personas: Personas, **overrides: object) -> dict[str, object]:
    session_type()
    data: dict[str, object] = {
        "therapist": personas.tara.slug,
        "appointment_type": "session",
        "client": "",
        "name": "Jamie New",
        "email": "jamie@example.com",
        "phone": "",
        "day": local(3, 0).date().isoformat(),
        "start_time": "10:00",
        "format": "in_person",
        "repeat": "0",
        "occurrences": "1",
    }
    data.update(overrides)
    return data


def appointment_for(
    personas: Personas, days: int = 3, hour: int = 10, email: str = "casey@example.com"
) -> Appointment:
    return appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client(email=email),
        start=local(days, hour),
        format="in_person",
        within_availability=False,
    )


def test_the_front_desk_books_for_anyone_outside_hours(personas: Personas) -> None:
    data = form(personas, start_time="21:30", outside_hours_ok="on")
    response = signed_in(personas.frontdesk).post(NEW, data)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start == local(3, 21, 30)
    assert appointment.created_by == personas.frontdesk
    assert appointment.client.therapist == personas.tara


def test_booking_outside_the_therapists_hours_warns_first(personas: Personas) -> None:
    WorkingHours.objects.all().delete()
    for weekday in range(4):
        WorkingHours.objects.create(
            therapist=personas.tara,
            weekday=weekday,
            start=time(9),
            end=time(17),
            format="in_person",
        )
    today = local(0, 0).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 + 7)
    data = form(personas, day=friday.isoformat(), start_time="10:00")
    desk = signed_in(personas.frontdesk)
    page = desk.post(NEW, data).content.decode()
    assert "This is outside Tara&#x27;s hours (Mon to Thu, 9 AM to 5 PM). Book anyway?" in page
    assert 'name="outside_hours_ok"' in page
    assert Appointment.objects.count() == 0
    response = desk.post(NEW, {**data, "outside_hours_ok": "on"})
    assert response.status_code == 302
    assert Appointment.objects.get().start == datetime.combine(friday, time(10), ZONE)


def test_a_series_says_which_dates_are_outside_hours(personas: Personas) -> None:
    data = form(personas, start_time="19:30", repeat="1", occurrences="3")
    page = signed_in(personas.frontdesk).post(NEW, data).content.decode()
    assert (
        "3 of these dates are outside Tara&#x27;s hours (Mon to Sun, 8 AM to 8 PM). Book anyway?"
        in page
    )
    assert Appointment.objects.count() == 0


def test_a_colleague_cannot_book_into_another_therapists_schedule(personas: Personas) -> None:
    response = signed_in(personas.colleague).post(NEW, form(personas))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Appointment.objects.count() == 0
    assert signed_in(personas.client).post(NEW, form(personas)).status_code == 403


def test_booking_on_top_of_another_appointment_is_refused(personas: Personas) -> None:
    appointment_for(personas)
    page = signed_in(personas.frontdesk).post(NEW, form(personas, start_time="10:30"))
    assert "cannot be booked" in page.content.decode()
    assert Appointment.objects.count() == 1


def test_every_occurrence_of_a_series_is_checked_before_anything_is_saved(
    personas: Personas,
) -> None:
    appointment_for(personas, days=3 + 7 * 5)  # the sixth week is taken
    TimeOff.objects.create(
        therapist=personas.tara, start=local(3 + 7 * 9, 0), end=local(3 + 7 * 9, 23)
    )
    data = form(personas, repeat="1", occurrences="12")
    page = signed_in(personas.frontdesk).post(NEW, data).content.decode()
    assert "2 of these dates cannot be booked" in page
    assert "another appointment" in page
    assert "time off or a closure" in page
    assert Appointment.objects.count() == 1
    response = signed_in(personas.frontdesk).post(NEW, {**data, "skip_conflicts": "on"})
    assert response.status_code == 302
    series = AppointmentSeries.objects.get()
    assert series.appointments.count() == 10
    # One confirmation for the series; every session gets its reminders.
    assert series.appointments.filter(messages__kind="confirmation").count() == 1


def test_a_series_keeps_its_wall_clock_time_across_the_dst_change(personas: Personas) -> None:
    first = datetime(2027, 10, 20, 10, 0, tzinfo=ZONE)  # clocks go back on 7 Nov 2027
    data = form(
        personas, day=first.date().isoformat(), start_time="10:00", repeat="1", occurrences="4"
    )
    assert signed_in(personas.frontdesk).post(NEW, data).status_code == 302
    starts = [a.start.astimezone(ZONE) for a in Appointment.objects.order_by("start")]
    assert [start.time() for start in starts] == [time(10)] * 4
    assert [start.utcoffset() for start in starts] == [timedelta(hours=-4)] * 3 + [
        timedelta(hours=-5)
    ]


def test_a_time_that_does_not_exist_is_explained(personas: Personas) -> None:
    data = form(personas, day="2027-03-14", start_time="02:30")
    page = signed_in(personas.frontdesk).post(NEW, data).content.decode()
    assert "That time does not exist on that day" in page


def test_a_consultation_request_becomes_a_booked_consultation(personas: Personas) -> None:
    consultation_type()
    request = make_request("Avery", personas.tara, phone="239-555-0100")
    desk = signed_in(personas.frontdesk)
    page = desk.get(NEW, {"request": str(request.uuid)}).content.decode()
    assert 'value="Avery"' in page
    data = form(personas, appointment_type="consultation", name="Avery", email="avery@example.com")
    response = desk.post(f"{NEW}?request={request.uuid}", data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "scheduled"
    assert request.first_response_by == personas.frontdesk


@contextmanager
def taken_while_saving(
    personas: Personas, new_client: str, kind: AppointmentType
) -> Iterator[None]:
    """The race: another booking takes 10:00 after the page checked it was free, while the
    record of the new client named `new_client` is being written."""
    rival = client("Robin Rival", "robin@example.com")

    def book_the_same_time_first(instance: CareClient, created: bool, **_: object) -> None:
        if created and instance.name == new_client:
            appointment_book(
                therapist=personas.tara,
                appointment_type=kind,
                client=rival,
                start=local(3, 10),
                format="in_person",
                within_availability=False,
            )

    post_save.connect(book_the_same_time_first, sender=CareClient)
    try:
        yield
    finally:
        post_save.disconnect(book_the_same_time_first, sender=CareClient)


def test_a_staff_booking_just_taken_leaves_no_new_client_behind(personas: Personas) -> None:
    with taken_while_saving(personas, "Jamie New", session_type()):
        page = signed_in(personas.frontdesk).post(NEW, form(personas)).content.decode()
    assert "One of those times was just taken" in page
    assert not CareClient.objects.filter(name="Jamie New").exists()
    assert not Appointment.objects.filter(client__name="Jamie New").exists()


def test_staff_booking_make_books_all_or_nothing(personas: Personas) -> None:
    plan = series_plan(
        therapist=personas.tara,
        appointment_type=session_type(),
        first_start=local(3, 10),
        interval_weeks=1,
        count=3,
    )
    appointment_for(personas, days=3 + 7 * 2, email="robin@example.com")  # after the plan
    with pytest.raises(SlotTaken):
        staff_booking_make(
            therapist=personas.tara,
            appointment_type=session_type(),
            plan=plan,
            format="in_person",
            interval_weeks=1,
            created_by=personas.frontdesk,
            client=None,
            name="Jamie New",
            email="jamie@example.com",
        )
    assert not CareClient.objects.filter(name="Jamie New").exists()
    assert Appointment.objects.count() == 1
    assert AppointmentSeries.objects.count() == 0


def test_a_consultation_request_just_taken_stays_unscheduled(personas: Personas) -> None:
    request = make_request("Avery", personas.tara, phone="239-555-0100")
    data = form(personas, appointment_type="consultation", name="Avery", email="avery@example.com")
    with taken_while_saving(personas, "Avery", consultation_type()):
        page = signed_in(personas.frontdesk).post(f"{NEW}?request={request.uuid}", data)
    assert "One of those times was just taken" in page.content.decode()
    request.refresh_from_db()
    assert request.status == "new"
    assert not CareClient.objects.filter(name="Avery").exists()


def test_the_schedule_shows_a_therapists_day(personas: Personas) -> None:
    appointment_for(personas)
    url = reverse("booking:schedule")
    day = {"date": local(3, 0).date().isoformat()}
    own = signed_in(personas.therapist).get(url, day).content.decode()
    assert "Casey Client" in own
    theirs = signed_in(personas.colleague).get(url, {**day, "therapist": personas.tara.slug})
    assert "Casey Client" not in theirs.content.decode()  # Theo sees only Theo's schedule
    desk = signed_in(personas.frontdesk).get(url, {**day, "therapist": personas.tara.slug})
    assert "Casey Client" in desk.content.decode()


def test_the_schedule_leaves_out_an_appointment_entered_in_error(personas: Personas) -> None:
    mistaken = appointment_for(personas)
    Appointment.objects.filter(pk=mistaken.pk).update(status=AppointmentStatus.ENTERED_IN_ERROR)
    appointment_book(
        therapist=personas.tara,
        appointment_type=session_type(),
        client=client("Robin Rival", "robin@example.com"),
        start=local(3, 15),
        format="in_person",
        within_availability=False,
    )
    url = reverse("booking:schedule")
    page = signed_in(personas.therapist).get(url, {"date": local(3, 0).date().isoformat()})
    html = page.content.decode()
    assert "Robin Rival" in html
    assert "Casey Client" not in html


def test_the_week_schedule_query_count_does_not_grow(personas: Personas) -> None:
    url = reverse("booking:schedule")
    params = {"date": local(3, 0).date().isoformat(), "view": "week", "therapist": "tara-tate"}
    desk = signed_in(personas.frontdesk)
    appointment_for(personas)
    with CaptureQueriesContext(connection) as few:
        desk.get(url, params)
    for hour in range(11, 19):
        appointment_for(personas, hour=hour)
    with CaptureQueriesContext(connection) as many:
        desk.get(url, params)
    assert len(many) == len(few)


def test_staff_mark_move_and_cancel(personas: Personas) -> None:
    appointment = appointment_for(personas)
    desk = signed_in(personas.frontdesk)
    detail = reverse("booking:appointment", args=[appointment.uuid])
    assert "Delivery" in desk.get(detail).content.decode()
    desk.post(
        reverse("booking:appointment_move", args=[appointment.uuid]),
        {"day": local(4, 0).date().isoformat(), "start_time": "09:00"},
    )
    appointment.refresh_from_db()
    assert appointment.start == local(4, 9)
    desk.post(reverse("booking:appointment_cancel", args=[appointment.uuid]))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    other = appointment_for(personas, hour=15)
    with time_machine.travel(other.start + timedelta(minutes=20)):
        signed_in(personas.frontdesk).post(
            reverse("booking:appointment_mark", args=[other.uuid]), {"status": "noshow"}
        )
    other.refresh_from_db()
    assert other.status == AppointmentStatus.NOSHOW


def test_marking_a_session_attended_before_it_starts_is_refused_with_a_message(
    personas: Personas,
) -> None:
    appointment = appointment_for(personas)
    response = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_mark", args=[appointment.uuid]),
        {"status": "fulfilled"},
        follow=True,
    )
    assert response.status_code == 200
    assert "can be marked arrived, attended or no-show only once it has started" in (
        response.content.decode()
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_cancelling_says_the_client_was_told_by_e_mail(personas: Personas) -> None:
    appointment = appointment_for(personas)
    page = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_cancel", args=[appointment.uuid]), follow=True
    )
    html = page.content.decode()
    assert "Cancelled. The client has been told by e-mail." in html
    assert "no e-mail address" not in html
    assert appointment.messages.filter(kind="cancellation", status="queued").count() == 1


def test_cancelling_for_a_client_with_no_e_mail_says_to_phone_them(personas: Personas) -> None:
    appointment = appointment_for(personas, email="")
    page = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_cancel", args=[appointment.uuid]), follow=True
    )
    html = page.content.decode()
    assert (
        "Cancelled. The client has no e-mail address, so no one has told them: please phone them."
        in html
    )
    assert "told by e-mail" not in html
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_moving_says_the_client_was_told_by_e_mail(personas: Personas) -> None:
    appointment = appointment_for(personas)
    page = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_move", args=[appointment.uuid]),
        {"day": local(4, 0).date().isoformat(), "start_time": "09:00"},
        follow=True,
    )
    html = page.content.decode()
    assert "The client has been told by e-mail." in html
    assert "no e-mail address" not in html
    assert appointment.messages.filter(kind="rescheduled", status="queued").count() == 1


def test_moving_for_a_client_with_no_e_mail_says_to_phone_them(personas: Personas) -> None:
    appointment = appointment_for(personas, email="")
    page = signed_in(personas.frontdesk).post(
        reverse("booking:appointment_move", args=[appointment.uuid]),
        {"day": local(4, 0).date().isoformat(), "start_time": "09:00"},
        follow=True,
    )
    html = page.content.decode()
    assert "The client has no e-mail address, so no one has told them: please phone them." in html
    assert "told by e-mail" not in html
    appointment.refresh_from_db()
    assert appointment.start == local(4, 9)


def test_moving_onto_a_taken_time_is_refused_with_alternatives(personas: Personas) -> None:
    first = appointment_for(personas)
    second = appointment_for(personas, hour=15)
    desk = signed_in(personas.frontdesk)
    response = desk.post(
        reverse("booking:appointment_move", args=[second.uuid]),
        {"day": local(3, 0).date().isoformat(), "start_time": "10:00"},
        follow=True,
    )
    assert "That time is taken" in response.content.decode()
    second.refresh_from_db()
    assert second.start == local(3, 15)
    assert first.start == local(3, 10)


def test_appointments_are_protected(personas: Personas) -> None:
    appointment = appointment_for(personas)
    detail = reverse("booking:appointment", args=[appointment.uuid])
    assert signed_in(personas.therapist).get(detail).status_code == 200
    assert signed_in(personas.colleague).get(detail).status_code == 404
    assert signed_in(personas.client).get(detail).status_code == 403
    assert Client().get(detail).status_code == 302
    cancel = reverse("booking:appointment_cancel", args=[appointment.uuid])
    assert signed_in(personas.colleague).post(cancel).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_status_select_shows_the_current_status(personas: Personas) -> None:
    appointment = appointment_for(personas)
    desk = signed_in(personas.frontdesk)
    detail = reverse("booking:appointment", args=[appointment.uuid])
    page = desk.get(detail).content.decode()
    assert '<option value="" selected>Booked: choose what happened</option>' in page
    assert '<option value="arrived">Arrived</option>' in page
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.NOSHOW)
    page = desk.get(detail).content.decode()
    assert '<option value="noshow" selected>No-show</option>' in page
    assert '<option value="arrived">Arrived</option>' in page
    assert "choose what happened" not in page
