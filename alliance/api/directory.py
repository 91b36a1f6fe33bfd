"""The directory, free times and booking: public operations, like the pages they mirror.

Nothing here is about a client; a visitor needs no token (alliance.accounts.access).
"""

import uuid
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import P, Query, Router, Status
from ninja.errors import HttpError
from ninja.params import HeaderEx
from ninja.throttling import BaseThrottle

from alliance.api.auth import StaffToken
from alliance.api.errors import invalid
from alliance.api.idempotency import idempotency_caller, idempotency_scoped
from alliance.api.schemas import (
    MAX_ID,
    AcceptingNewClients,
    AvailabilityOut,
    BookingIn,
    BookingOut,
    DetailOut,
    Format,
    SlotsQuery,
    SpanOut,
    TakenOut,
    TherapistOut,
    ValidationErrorOut,
    WeeklyHoursOut,
)
from alliance.api.throttling import BookingRateLimit
from alliance.booking.appointments import (
    BookingError,
    SlotTaken,
    appointment_book_for_visitor,
)
from alliance.booking.availability import slot_offered, therapist_slots
from alliance.booking.models import Appointment, AppointmentType, TimeOff
from alliance.practice.models import Accepting, Therapist, practice_zone

# The longest stretch /slots answers for at once, first and last day included.
MAX_SLOT_DAYS = 62
# Stored hashed (alliance.api.idempotency), so any length fits; this much has always been taken.
MAX_IDEMPOTENCY_KEY = 76


router = Router()
booking_rate_limit: list[BaseThrottle] = [BookingRateLimit()]
# Anyone may book; a staff program's token, when sent, says who the caller is.
staff_token = StaffToken()


def _listed_therapist(therapist_id: int) -> Therapist | None:
    if not 1 <= therapist_id <= MAX_ID:
        return None  # no row can have it; the database would refuse to look
    return Therapist.objects.listed().filter(pk=therapist_id).first()


def _therapist_or_404(therapist_id: int) -> Therapist:
    therapist = _listed_therapist(therapist_id)
    if therapist is None:
        raise HttpError(404, "There is no listed therapist with this id.")
    return therapist


def _public_type(slug: str, location: tuple[str, ...]) -> AppointmentType:
    public = AppointmentType.objects.filter(bookable_by_public=True)
    found = public.filter(slug=slug).first()
    if found is None:
        offered = ", ".join(public.values_list("slug", flat=True)) or "none"
        raise invalid(location, f"{slug!r} is not a type anyone may book; these are: {offered}.")
    return found


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> SpanOut:
    return SpanOut(start=start.astimezone(zone), end=end.astimezone(zone))


def _formats(therapist: Therapist) -> list[Format]:
    formats: list[Format] = []
    if therapist.offers_in_person:
        formats.append("in_person")
    if therapist.offers_telehealth:
        formats.append("telehealth")
    return formats


@router.get(
    "/therapists",
    response=list[TherapistOut],
    operation_id="therapists_list",
    summary="Therapists in the directory",
    tags=["directory"],
)
def therapists_list(request: HttpRequest) -> list[TherapistOut]:
    """Every therapist the practice lists, in directory order. Specialties, approaches and
    languages are lists of slugs."""
    zone = practice_zone().key
    return [
        TherapistOut(
            id=therapist.pk,
            name=therapist.name,
            accepting_new_clients=cast(AcceptingNewClients, therapist.accepting),
            specialties=[term.slug for term in therapist.specialties.all()],
            approaches=[term.slug for term in therapist.approaches.all()],
            languages=[term.slug for term in therapist.languages.all()],
            formats=_formats(therapist),
            timezone=zone,
        )
        for therapist in Therapist.objects.listed().with_terms()
    ]


@router.get(
    "/therapists/{therapist_id}/availability",
    response={200: AvailabilityOut, 404: DetailOut},
    operation_id="therapist_availability",
    summary="A therapist's weekly hours and time off",
    tags=["directory"],
)
def therapist_availability(request: HttpRequest, therapist_id: int) -> AvailabilityOut:
    """Regular weekly hours (wall-clock, in `timezone`) and the time off still to come: the
    therapist's own and the practice's closures. For bookable times, ask for /slots."""
    therapist = _therapist_or_404(therapist_id)
    zone = practice_zone()
    away = TimeOff.objects.filter(
        Q(therapist=therapist) | Q(therapist__isnull=True), end__gt=timezone.now()
    )
    return AvailabilityOut(
        timezone=zone.key,
        weekly=[
            WeeklyHoursOut(
                weekday=hours.weekday,
                start=f"{hours.start:%H:%M}",
                end=f"{hours.end:%H:%M}",
                format=cast(Format, hours.format),
            )
            for hours in therapist.hours.order_by("weekday", "start", "format")
        ],
        time_off=[
            _span(start, end, zone)
            for start, end in away.order_by("start").values_list("start", "end")
        ],
    )


@router.get(
    "/therapists/{therapist_id}/slots",
    response={200: list[SpanOut], 404: DetailOut, 422: ValidationErrorOut},
    operation_id="therapist_slots",
    summary="Free times to book",
    tags=["booking"],
)
def therapist_slots_list(
    request: HttpRequest, therapist_id: int, query: Query[SlotsQuery]
) -> list[SpanOut]:
    """Free times of one appointment type between two days (in the practice's zone, both
    included, at most 62 days), earliest first. Each `start` can be booked at /bookings."""
    therapist = _therapist_or_404(therapist_id)
    appointment_type = _public_type(query.type, ("query", "type"))
    if query.end < query.start:
        raise invalid(("query", "end"), "end must be the same day as start or later.")
    if (query.end - query.start).days >= MAX_SLOT_DAYS:
        raise invalid(("query", "end"), f"Ask for at most {MAX_SLOT_DAYS} days at a time.")
    zone = practice_zone()
    slots = therapist_slots(
        therapist=therapist,
        appointment_type=appointment_type,
        first_day=query.start,
        last_day=query.end,
        now=timezone.now(),
        zone=zone,
    )
    return [_span(slot.start, slot.end, zone) for slot in slots]


@router.post(
    "/bookings",
    response={
        201: BookingOut,
        409: TakenOut,
        422: ValidationErrorOut,
        429: DetailOut,
    },
    throttle=booking_rate_limit,
    operation_id="booking_create",
    summary="Book a free time",
    tags=["booking"],
)
def booking_create(
    request: HttpRequest,
    payload: BookingIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY,
            description="Send the same key and body when retrying: the retry returns the first "
            "booking. The key is yours alone (your token, else your address); the same key "
            "with another body is refused (422).",
        ),
    ] = None,
) -> Status[BookingOut | TakenOut]:
    """Book one of the free times from /slots for a new client.

    Without `format`, the appointment takes the format the therapist offers at that time, and
    telehealth when both are offered. 409: the time is no longer free (someone else booked it,
    perhaps a moment earlier); `alternatives` are the next free times. 422: invalid input, or a
    time that was never offered. 429: too many bookings from one address (BOOKING_RATE_LIMIT).
    """
    where = ("body", "payload")
    key = (
        idempotency_scoped(
            request,
            key=idempotency_key,
            caller=idempotency_caller(request, staff_token(request)),
            stored=Appointment.objects.all(),
        )
        if idempotency_key
        else f"api:{uuid.uuid4()}"
    )
    therapist = _listed_therapist(payload.therapist_id)
    if therapist is None:
        raise invalid((*where, "therapist_id"), "There is no listed therapist with this id.")
    if therapist.accepting == Accepting.NO:
        raise invalid((*where, "therapist_id"), "This therapist is not taking new clients.")
    appointment_type = _public_type(payload.type, (*where, "type"))
    zone = practice_zone()
    slot = slot_offered(
        therapist=therapist,
        appointment_type=appointment_type,
        start=payload.start,
        now=timezone.now(),
    )
    offered = slot.formats if slot is not None else frozenset()
    if payload.format and offered and payload.format not in offered:
        only = " or ".join(sorted(offered))
        raise invalid((*where, "format"), f"At that time this therapist offers only {only}.")
    # A time not offered at all is refused by the service, which tells taken from never free.
    format = payload.format or ("in_person" if offered == {"in_person"} else "telehealth")
    try:
        appointment = appointment_book_for_visitor(
            therapist=therapist,
            appointment_type=appointment_type,
            name=payload.name,
            email=payload.email,
            phone=payload.phone,
            start=payload.start,
            format=format,
            idempotency_key=key,
        )
    except SlotTaken as taken:
        return Status(
            409,
            TakenOut(
                detail=str(taken),
                alternatives=[_span(free.start, free.end, zone) for free in taken.alternatives],
            ),
        )
    except BookingError as error:
        raise invalid((*where, "start"), str(error)) from None
    return Status(
        201,
        BookingOut(
            id=str(appointment.uuid),
            start=appointment.start.astimezone(zone),
            end=appointment.end.astimezone(zone),
            status=appointment.status,
            format=cast(Format, appointment.format),
        ),
    )
