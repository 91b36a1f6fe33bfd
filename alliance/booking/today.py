"""The staff home's day: the appointments a person may see today, and the open requests."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alliance.accounts.models import User
from alliance.booking.models import (
    Appointment,
    AppointmentStatus,
    ConsultationRequest,
    RequestStatus,
)

OPEN_REQUEST_STATUSES = (RequestStatus.NEW, RequestStatus.CONTACTED)


@dataclass(frozen=True, slots=True)
class TodayRow:
    appointment: Appointment
    # The session has begun and nobody has said yet whether they came.
    arrival_due: bool


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a wall-clock day in `zone` starts and ends (23 or 25 hours on DST days)."""
    return (
        datetime.combine(day, time(), zone),
        datetime.combine(day + timedelta(days=1), time(), zone),
    )


def arrival_due(appointment: Appointment, now: datetime) -> bool:
    """Arrived is offered from the start of the session to its end, never before."""
    return appointment.status == AppointmentStatus.BOOKED and (
        appointment.start <= now < appointment.end
    )


def appointments_today(*, user: User, now: datetime, zone: ZoneInfo) -> list[TodayRow]:
    """The practice's day for the desk and the owner, a therapist's own day for a therapist."""
    start, end = local_day_bounds(now.astimezone(zone).date(), zone)
    appointments = (
        Appointment.objects.visible_to(user)
        .filter(start__gte=start, start__lt=end)
        .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
        .select_related("client", "therapist", "appointment_type")
        .order_by("start", "therapist__name")
    )
    return [TodayRow(appointment, arrival_due(appointment, now)) for appointment in appointments]


def open_requests(*, user: User, shown: int = 5) -> tuple[int, list[ConsultationRequest]]:
    """How many consultation requests still wait on the practice, and the oldest few."""
    waiting = ConsultationRequest.objects.visible_to(user).filter(status__in=OPEN_REQUEST_STATUSES)
    oldest = list(waiting.select_related("therapist").order_by("created_at")[:shown])
    return (waiting.count() if len(oldest) == shown else len(oldest)), oldest
