"""A demo client with a few weeks of check-ins, so that `make run` shows the feedback loop.

Jamie has seen Marisol weekly, in her office hours; three check-ins are answered as the default
plan asked them (symptoms easing, the relationship settling), and the latest session's check-in
waits, its link printed by load_demo: the usual one-minute check-in, the session questions only.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from alliance.booking.models import (
    Appointment,
    AppointmentFormat,
    AppointmentStatus,
    AppointmentType,
    WorkingHours,
)
from alliance.care.checkins import checkin_invitation_issue, checkin_token_make
from alliance.care.models import ResponseSource
from alliance.care.services import answers_score, response_record, session_for_appointment
from alliance.clients.models import Client
from alliance.clinical import shipped_instruments
from alliance.practice.models import Therapist

DEMO_EMAIL = "jamie@sabal.test"
INSTRUMENTS = shipped_instruments()
# Per answered session, as the default plan (alliance.clinical.plan) asks a weekly client: the
# client's and the therapist's alliance, and the intake's PHQ-9 and GAD-7 answers or the second
# session's Rosenberg answers, in the order of each instrument's scored items; the third asks
# the alliance alone.
HISTORY: list[tuple[int, int, dict[str, tuple[int, ...]]]] = [
    (4, 3, {"phq9": (2, 2, 2, 2, 1, 2, 2, 1, 0), "gad7": (2, 2, 2, 2, 1, 1, 2)}),
    (4, 4, {"rses": (2, 1, 2, 2, 1, 1, 2, 1, 1, 2)}),
    (5, 4, {}),
]


def _answers(code: str, values: tuple[int, ...]) -> dict[str, int]:
    items = INSTRUMENTS[code].scored_items
    return {item.id: value for item, value in zip(items, values, strict=True)}


def _alliance(code: str, rating: int) -> dict[str, int]:
    """Every item given the same rating, and no tension (the item the "tension" flag reads)."""
    instrument = INSTRUMENTS[code]
    tension = next(flag.item for flag in instrument.flags if flag.code == "tension")
    return {item.id: rating for item in instrument.scored_items} | {tension: 0}


def demo_checkins_load(*, therapist: Therapist, now: datetime, zone: ZoneInfo) -> str | None:
    """Load Jamie's history once; return the waiting check-in's link (None if loaded before)."""
    if Client.objects.filter(email=DEMO_EMAIL).exists():
        return None
    client = Client.objects.create(name="Jamie Rivera", email=DEMO_EMAIL, therapist=therapist)
    session_type = AppointmentType.objects.get(slug="session")
    # Weekly at eleven, in the office, the latest on the therapist's last office day before today.
    office = set(
        WorkingHours.objects.filter(
            therapist=therapist, format=AppointmentFormat.IN_PERSON, start__lte=time(11)
        )
        .filter(end__gte=time(12))
        .values_list("weekday", flat=True)
    )
    last = now.astimezone(zone).date() - timedelta(days=1)
    while office and last.weekday() not in office:
        last -= timedelta(days=1)
    starts = [
        datetime.combine(last - timedelta(weeks=weeks), time(11), zone) for weeks in (3, 2, 1, 0)
    ]
    # Attended, written directly: booking through the service would queue a reminder and a
    # check-in e-mail for each, as if they were still to come.
    appointments = Appointment.objects.bulk_create(
        Appointment(
            therapist=therapist,
            client=client,
            appointment_type=session_type,
            format=AppointmentFormat.IN_PERSON,
            start=start,
            end=start + session_type.duration,
            blocked_until=start + session_type.duration + session_type.buffer_after,
            status=AppointmentStatus.FULFILLED,
            idempotency_key=f"demo:jamie:{start:%Y%m%d}",
            created_at=start - timedelta(days=7),
        )
        for start in starts
    )
    for appointment, (client_rating, own_rating, measures) in zip(
        appointments, HISTORY, strict=False
    ):
        session = session_for_appointment(appointment=appointment)
        answered = appointment.end + timedelta(hours=2)
        for code, answers, source in (
            (
                "alliance_client",
                _alliance("alliance_client", client_rating),
                ResponseSource.CHECKIN,
            ),
            *(
                (code, _answers(code, values), ResponseSource.CHECKIN)
                for code, values in measures.items()
            ),
            (
                "alliance_therapist",
                _alliance("alliance_therapist", own_rating),
                ResponseSource.STAFF,
            ),
        ):
            response_record(
                session=session,
                scored=answers_score(code, answers),
                completed_at=answered,
                source=source,
            )
    invitation = checkin_invitation_issue(appointment=appointments[-1], now=now)
    if invitation is None:
        return None
    return settings.SITE_URL + reverse(
        "care:checkin", kwargs={"token": checkin_token_make(invitation)}
    )
