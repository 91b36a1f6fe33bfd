"""A bookable therapist: hours every day 8:00-20:00 in the practice's zone, both formats."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from alliance.booking.appointments import appointment_book
from alliance.booking.models import Appointment, AppointmentType, WorkingHours
from alliance.clients.models import Client
from alliance.practice.models import Practice, Therapist

ZONE = ZoneInfo("America/New_York")


def consultation_type() -> AppointmentType:
    appointment_type, _ = AppointmentType.objects.update_or_create(
        slug="consultation",
        defaults={
            "name": "Free 15-minute consultation",
            "duration_minutes": 15,
            "buffer_after_minutes": 5,
            "min_notice_hours": 24,
            "horizon_days": 60,
            "increment_minutes": 15,
            "bookable_by_public": True,
            "is_free": True,
        },
    )
    return appointment_type


def session_type() -> AppointmentType:
    appointment_type, _ = AppointmentType.objects.update_or_create(
        slug="session",
        defaults={
            "name": "Session",
            "duration_minutes": 50,
            "buffer_after_minutes": 10,
            "bookable_by_clients": True,
        },
    )
    return appointment_type


def bookable_therapist(slug: str = "bo-bookable") -> Therapist:
    Practice.objects.update_or_create(
        pk=1, defaults={"time_zone": ZONE.key, "email": "desk@example.com"}
    )
    therapist, _ = Therapist.objects.get_or_create(
        slug=slug, defaults={"name": "Bo Bookable", "bio": "Hi"}
    )
    for weekday in range(7):
        for format in ("in_person", "telehealth"):
            WorkingHours.objects.get_or_create(
                therapist=therapist, weekday=weekday, start=time(8), end=time(20), format=format
            )
    return therapist


def local(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in the practice's zone, `days_ahead` days from today."""
    day = datetime.now(ZONE).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), ZONE)


def client(name: str = "Casey Client", email: str = "casey@example.com") -> Client:
    return Client.objects.create(name=name, email=email)


def booked() -> Appointment:
    """A consultation in person, three days ahead at 10:00, for the default client."""
    return appointment_book(
        therapist=bookable_therapist(),
        appointment_type=consultation_type(),
        client=client(),
        start=local(3, 10),
        format="in_person",
    )
