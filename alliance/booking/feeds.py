"""Therapists' private calendar feeds: appointment times and kinds, never who."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.booking.models import Appointment, AppointmentFormat, CalendarFeed
from alliance.lib.ics import Event, calendar
from alliance.practice.models import Therapist

PAST = timedelta(days=30)
FUTURE = timedelta(days=366)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, therapist: Therapist) -> str:
    """A new secret address for the therapist's feed; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        therapist=therapist, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, therapist: Therapist) -> None:
    CalendarFeed.objects.filter(therapist=therapist).delete()


def _place(appointment: Appointment) -> str:
    if appointment.format == AppointmentFormat.IN_PERSON:
        return "In person"
    link = appointment.join_link
    return f"Video session: {link}" if link else "Video session (no video room set on your profile)"


def calendar_feed_render(token: str) -> str | None:
    feed = CalendarFeed.objects.select_related("therapist").filter(token_hash=_hash(token)).first()
    if feed is None:
        return None
    now = timezone.now()
    appointments = (
        Appointment.objects.active()
        .filter(therapist=feed.therapist, start__gte=now - PAST, start__lt=now + FUTURE)
        .select_related("appointment_type", "therapist")
    )
    events = [
        Event(
            uid=f"{appointment.uuid}@alliance",
            start=appointment.start,
            end=appointment.end,
            sequence=appointment.sequence,
            # The kind of appointment only: a calendar is often shared or synced elsewhere.
            summary="Consultation" if appointment.appointment_type.is_free else "Session",
            location=_place(appointment),
            url=appointment.join_link,
        )
        for appointment in appointments
    ]
    return calendar(events, method=None, stamp=now, name="Alliance appointments")
