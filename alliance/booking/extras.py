"""What the apps above booking add to its staff pages about an appointment, without booking
importing them (a lower app never imports a higher one; docs/architecture.md). Care, for one,
says on the schedule whether a session may be rated and whether it has been."""

from collections.abc import Callable
from datetime import datetime

from alliance.accounts.models import User
from alliance.booking.models import Appointment, AppointmentQuerySet

Annotate = Callable[[AppointmentQuerySet], AppointmentQuerySet]
Flag = Callable[[Appointment, User, datetime], bool]

_annotations: list[Annotate] = []
_flags: dict[str, Flag] = {}


def appointment_extras_register(*, annotate: Annotate | None = None, **flags: Flag) -> None:
    """`annotate` adds columns to the schedule's one query (no query per row); each flag is a
    yes/no the pages read as `flags.<name>`."""
    if annotate is not None:
        _annotations.append(annotate)
    _flags.update(flags)


def appointments_with_extras(appointments: AppointmentQuerySet) -> AppointmentQuerySet:
    for annotate in _annotations:
        appointments = annotate(appointments)
    return appointments


def appointment_flags(appointment: Appointment, user: User, now: datetime) -> dict[str, bool]:
    return {name: flag(appointment, user, now) for name, flag in _flags.items()}
