from datetime import time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.booking.appointments import (
    BookingError,
    SlotTaken,
    SlotUnavailable,
    appointment_book,
    appointment_book_for_visitor,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
)
from alliance.booking.models import (
    Appointment,
    AppointmentStatus,
    MessageKind,
    TimeOff,
    WorkingHours,
)
from alliance.outbox.models import Message
from tests.booking.fixtures import (
    bookable_therapist,
    client,
    consultation_type,
    local,
    session_type,
)

pytestmark = pytest.mark.django_db


def book(start_days: int = 3, hour: int = 10, minute: int = 0, **overrides: object) -> Appointment:
    arguments: dict[str, object] = {
        "therapist": bookable_therapist(),
        "appointment_type": consultation_type(),
        "client": client(),
        "start": local(start_days, hour, minute),
        "format": "telehealth",
    }
    arguments.update(overrides)
    return appointment_book(**arguments)  # type: ignore[arg-type]


def test_it_books_a_free_time() -> None:
    appointment = book()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.end - appointment.start == timedelta(minutes=15)
    assert appointment.blocked_until - appointment.end == timedelta(minutes=5)


def test_it_refuses_a_time_outside_working_hours() -> None:
    with pytest.raises(SlotUnavailable):
        book(hour=21)


def test_it_refuses_a_time_off_the_increment_grid() -> None:
    with pytest.raises(SlotUnavailable):
        book(minute=7)


def test_it_refuses_too_short_notice_and_beyond_the_horizon() -> None:
    with pytest.raises(SlotUnavailable):
        book(start_days=0, hour=19)
    with pytest.raises(SlotUnavailable):
        book(start_days=70)


def test_it_refuses_time_off_and_practice_closures() -> None:
    therapist = bookable_therapist()
    TimeOff.objects.create(therapist=therapist, start=local(3, 9), end=local(3, 12))
    with pytest.raises(SlotUnavailable):
        book()
    TimeOff.objects.create(therapist=None, start=local(4, 0), end=local(5, 0))
    with pytest.raises(SlotUnavailable):
        book(start_days=4)


def test_a_taken_time_offers_the_next_three() -> None:
    book()
    with pytest.raises(SlotTaken) as taken:
        book(client=client("Other", "other@example.com"))
    starts = [slot.start for slot in taken.value.alternatives]
    # 10:00 is held until 10:20 (15 minutes and a 5-minute buffer): 10:15 is not free either.
    assert starts == [local(3, 10, 30), local(3, 10, 45), local(3, 11)]


def test_a_taken_time_offers_the_next_ones_in_the_format_the_person_chose() -> None:
    """Video only at 10:00 each day, in person from 10:30: a person who chose video is offered
    the next video times, not in-person ones the form would then refuse."""
    therapist = bookable_therapist()
    WorkingHours.objects.filter(therapist=therapist).delete()
    for weekday in range(7):
        for start, end, format in (
            (time(10), time(10, 20), "telehealth"),
            (time(10, 30), time(20), "in_person"),
        ):
            WorkingHours.objects.create(
                therapist=therapist, weekday=weekday, start=start, end=end, format=format
            )
    video = {
        "therapist": therapist,
        "appointment_type": consultation_type(),
        "start": local(3, 10),
        "format": "telehealth",
    }
    appointment_book(client=client(), **video)  # type: ignore[arg-type]
    with pytest.raises(SlotTaken) as taken:
        appointment_book(client=client("Other", "other@example.com"), **video)  # type: ignore[arg-type]
    alternatives = taken.value.alternatives
    assert [slot.start for slot in alternatives] == [local(4, 10), local(5, 10), local(6, 10)]
    assert all("telehealth" in slot.formats for slot in alternatives)


def test_a_booking_inside_the_buffer_is_taken() -> None:
    book(hour=10, minute=30)
    with pytest.raises(SlotTaken):
        book(hour=10, minute=15)  # would run to 10:30 and its buffer to 10:35


def test_staff_may_book_outside_hours_but_never_on_top() -> None:
    appointment = book(hour=21, within_availability=False)
    assert appointment.start == local(3, 21)
    with pytest.raises(SlotTaken):
        book(hour=21, minute=5, within_availability=False, client=client("B", "b@example.com"))


def test_the_database_refuses_an_overlap_whatever_writes_it() -> None:
    first = book()
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            therapist=first.therapist,
            client=first.client,
            appointment_type=first.appointment_type,
            format="telehealth",
            start=first.start + timedelta(minutes=10),
            end=first.start + timedelta(minutes=25),
            blocked_until=first.start + timedelta(minutes=30),
        )
    moved = Appointment.objects.get(pk=first.pk)
    moved.start += timedelta(hours=1)  # moving it elsewhere is fine
    moved.end += timedelta(hours=1)
    moved.blocked_until += timedelta(hours=1)
    moved.save()


def test_cancelled_appointments_free_their_time() -> None:
    first = book()
    appointment_cancel(appointment=first)
    second = book(client=client("Other", "other@example.com"))
    assert second.start == first.start


def test_another_therapist_is_not_blocked() -> None:
    book()
    other = bookable_therapist("al-other")
    assert book(therapist=other).therapist == other


def test_a_retried_booking_is_recorded_once() -> None:
    arguments = {
        "therapist": bookable_therapist(),
        "appointment_type": consultation_type(),
        "name": "Sam",
        "email": "sam@example.com",
        "phone": "",
        "start": local(3, 10),
        "format": "telehealth",
        "idempotency_key": "web:1234",
    }
    first = appointment_book_for_visitor(**arguments)  # type: ignore[arg-type]
    again = appointment_book_for_visitor(**arguments)  # type: ignore[arg-type]
    assert first.pk == again.pk
    assert Appointment.objects.count() == 1
    assert first.client.appointments.count() == 1


def test_a_lost_race_leaves_no_client_record_behind() -> None:
    book()
    with pytest.raises(SlotTaken):
        appointment_book_for_visitor(
            therapist=bookable_therapist(),
            appointment_type=consultation_type(),
            name="Late",
            email="late@example.com",
            phone="",
            start=local(3, 10),
            format="telehealth",
            idempotency_key="web:late",
        )
    from alliance.clients.models import Client

    assert not Client.objects.filter(email="late@example.com").exists()


def test_it_queues_a_confirmation_and_the_reminders_still_ahead() -> None:
    appointment = book(start_days=3)
    kinds = list(appointment.messages.order_by("send_after").values_list("kind", "hours_before"))
    assert kinds == [(MessageKind.CONFIRMATION, None), ("reminder", 48), ("reminder", 24)]
    # Staff may book inside the notice period; whatever the hour now, this is 19 to 43 hours on.
    soon = book(
        start_days=1, hour=19, client=client("Soon", "soon@example.com"), within_availability=False
    )
    # Booked about a day and a bit ahead: the 48-hour reminder is already in the past.
    assert list(soon.messages.values_list("hours_before", flat=True).order_by("send_after")) in (
        [None, 24],
        [None],
    )


def test_rescheduling_moves_the_time_and_the_reminders() -> None:
    moved = book()
    told = appointment_reschedule(appointment=moved, start=local(4, 11))
    assert told is not None
    assert told.kind == MessageKind.RESCHEDULED
    assert moved.start == local(4, 11)
    assert moved.sequence == 1
    reminders = moved.messages.filter(kind="reminder", status="queued")
    assert sorted(r.send_after for r in reminders) == [
        moved.start - timedelta(hours=48),
        moved.start - timedelta(hours=24),
    ]
    assert list(moved.messages.filter(kind="rescheduled")) == [told]


def test_cancelling_or_moving_for_a_client_with_no_e_mail_tells_no_one() -> None:
    moved = book(client=client("Noel Nomail", ""))
    assert appointment_reschedule(appointment=moved, start=local(4, 11)) is None
    assert appointment_cancel(appointment=moved) is None
    assert moved.status == AppointmentStatus.CANCELLED
    assert moved.messages.count() == 0


def test_rescheduling_onto_a_taken_time_keeps_the_old_one() -> None:
    other = book(hour=15, client=client("Other", "other@example.com"))
    appointment = book()
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=appointment, start=other.start)
    appointment.refresh_from_db()
    assert appointment.start == local(3, 10)


def test_a_cancellation_inside_the_window_is_late() -> None:
    appointment = book(start_days=3)
    with time_machine.travel(appointment.start - timedelta(hours=5)):
        told = appointment_cancel(appointment=appointment)
    assert told is not None
    assert told.kind == MessageKind.CANCELLATION
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.late_cancellation is True
    early = book(start_days=5, client=client("Early", "early@example.com"))
    appointment_cancel(appointment=early)
    assert early.late_cancellation is False


def test_a_past_appointment_cannot_be_cancelled_or_moved() -> None:
    appointment = book()
    with time_machine.travel(appointment.end + timedelta(minutes=1)):
        with pytest.raises(BookingError):
            appointment_cancel(appointment=appointment)
        with pytest.raises(BookingError):
            appointment_reschedule(appointment=appointment, start=local(5, 10))


def test_staff_mark_what_happened() -> None:
    appointment = book()
    with time_machine.travel(appointment.start + timedelta(minutes=5)):
        assert appointment_mark(appointment=appointment, status="fulfilled").status == "fulfilled"
    appointment_mark(appointment=appointment, status="entered-in-error")
    assert appointment.messages.filter(status="queued").count() == 0
    with pytest.raises(BookingError):
        appointment_mark(appointment=appointment, status="booked")


def test_a_session_cannot_be_marked_as_happened_before_it_starts() -> None:
    appointment = book()
    with time_machine.travel(appointment.start - timedelta(minutes=1)):
        for status in ("arrived", "fulfilled", "noshow"):
            with pytest.raises(BookingError, match="only once it has started"):
                appointment_mark(appointment=appointment, status=status)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.messages.filter(kind=MessageKind.REMINDER, status="queued").count() == 2


def test_a_session_may_be_marked_late() -> None:
    appointment = book()
    with time_machine.travel(appointment.end + timedelta(days=2)):
        assert appointment_mark(appointment=appointment, status="noshow").status == "noshow"


def test_marking_a_started_session_drops_its_reminders() -> None:
    appointment = book()
    with time_machine.travel(appointment.start + timedelta(minutes=1)):
        appointment_mark(appointment=appointment, status="arrived")
    reminders = appointment.messages.filter(kind=MessageKind.REMINDER)
    assert sorted(reminders.values_list("status", flat=True)) == ["cancelled", "cancelled"]


def test_sessions_use_their_own_length() -> None:
    appointment = book(appointment_type=session_type())
    assert appointment.end - appointment.start == timedelta(minutes=50)
    assert timezone.is_aware(appointment.start)


def test_a_booking_writes_its_messages_in_one_statement_per_table() -> None:
    """A confirmation and two reminders: one INSERT of outbox rows and one of booking's links,
    not one of each per message (booking is the practice's hottest write)."""
    with CaptureQueriesContext(connection) as queries:
        book(client=client("Ines Insert", "ines@example.com"))
    inserts = [
        q["sql"].split("(")[0] for q in queries.captured_queries if q["sql"].startswith("INSERT")
    ]
    assert Message.objects.count() == 3
    assert sum('"outbox_message"' in sql for sql in inserts) == 1
    assert sum('"booking_bookingmessage"' in sql for sql in inserts) == 1
