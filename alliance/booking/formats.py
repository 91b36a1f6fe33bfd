"""The format a moved appointment takes, and the words that tell people it changed."""

from datetime import datetime

from alliance.booking.availability import therapist_weekly_hours
from alliance.booking.models import Appointment, AppointmentFormat
from alliance.practice.models import Practice, practice_zone
from alliance.scheduling.hours import formats_at


def reschedule_format(*, appointment: Appointment, start: datetime) -> str:
    """The appointment's format once moved to `start`: kept when the hours there allow it (or
    when no hours hold the time at all, as staff may book outside them); otherwise the format
    they do allow. There are two formats, so a time that refuses one allows only the other:
    nothing is left to ask the client."""
    end = start + (appointment.end - appointment.start)
    allowed = formats_at(therapist_weekly_hours(appointment.therapist), practice_zone(), start, end)
    if not allowed or appointment.format in allowed:
        return appointment.format
    return min(allowed)


def format_only_notice(format: str, practice: Practice, *, whose: str, moved: bool) -> str:
    """E.g. "This time is in person only: your session is now in person at 1 Main St." """
    becomes = "is now" if moved else "will be"
    if format == AppointmentFormat.IN_PERSON:
        where = practice.address.strip().replace("\n", ", ") or practice.name
        return f"This time is in person only: {whose} session {becomes} in person at {where}."
    return f"This time is by video only: {whose} session {becomes} by video."
