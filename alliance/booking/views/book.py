"""Public booking: choose a free time on a therapist's page, give your details, confirm.

A session (a type only clients book) is confirmed from a link e-mailed to the client instead,
so the page never tells whose address was typed (alliance.booking.pending).
"""

import uuid

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import public
from alliance.accounts.throttle import TOO_MANY, TOO_MANY_TRIES, public_form_wait, too_many
from alliance.booking.appointments import (
    BookingError,
    SlotRefused,
    appointment_book_for_visitor,
    unavailable_or_taken,
)
from alliance.booking.availability import slot_offered
from alliance.booking.forms import BookingForm
from alliance.booking.models import Appointment, AppointmentFormat, AppointmentType
from alliance.booking.pending import pending_booking_confirm, pending_booking_request
from alliance.booking.tokens import PENDING_MINUTES, pending_booking_token_read
from alliance.booking.views.picker import (
    alternatives_shown,
    display_zone,
    time_refused,
    week_of_slots,
)
from alliance.lib.moments import moment_parse
from alliance.practice.access import get_listed_therapist
from alliance.practice.addresses import follows_former_addresses
from alliance.practice.models import Accepting, Therapist
from alliance.scheduling.display import format_local

SESSION_KEY = "booked_appointment"


def _public_type(slug: str | None) -> AppointmentType:
    """The free consultation for anyone, or a type the practice lets its clients book."""
    return get_object_or_404(
        AppointmentType.objects.filter(Q(bookable_by_public=True) | Q(bookable_by_clients=True)),
        slug=slug or "consultation",
    )


def _closed_to(therapist: Therapist, appointment_type: AppointmentType) -> bool:
    # A therapist who takes no new clients still sees the ones they have.
    return appointment_type.bookable_by_public and therapist.accepting == Accepting.NO


def _formats_of(therapist: Therapist) -> set[str]:
    return set(therapist.hours.values_list("format", flat=True))


@public
@require_GET
@follows_former_addresses
def booking_slots(request: HttpRequest, slug: str) -> HttpResponse:
    therapist = get_listed_therapist(slug)
    appointment_type = _public_type(request.GET.get("type"))
    zone = display_zone(request.GET.get("tz"))
    week = week_of_slots(
        therapist=therapist,
        appointment_type=appointment_type,
        week=request.GET.get("week"),
        zone=zone,
        now=timezone.now(),
    )
    return render(
        request,
        "booking/slots.html",
        {
            "therapist": therapist,
            "appointment_type": appointment_type,
            "week": week,
            "keep": [("type", appointment_type.slug)],
            "accepting": not _closed_to(therapist, appointment_type),
        },
    )


@public
@require_http_methods(["GET", "POST"])
@follows_former_addresses
def booking_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    therapist = get_listed_therapist(slug)
    appointment_type = _public_type(request.GET.get("type"))
    zone = display_zone(request.GET.get("tz"))
    if not request.GET.get("start") or _closed_to(therapist, appointment_type):
        return redirect("booking:slots", slug=therapist.slug)
    try:
        start = moment_parse(request.GET["start"])
    except ValueError as error:
        times = reverse("booking:slots", kwargs={"slug": therapist.slug})
        return time_refused(request, str(error), f"{times}?type={appointment_type.slug}")
    now = timezone.now()
    slot = slot_offered(
        therapist=therapist, appointment_type=appointment_type, start=start, now=now
    )
    # Only the formats this time is offered in; all of the therapist's if it is gone.
    formats = [
        (value, label)
        for value, label in AppointmentFormat.choices
        if value in (slot.formats if slot else _formats_of(therapist))
    ]
    taken: SlotRefused | None = (
        None if slot else unavailable_or_taken(therapist, appointment_type, start, now)
    )
    problem = ""
    wait: int | None = None
    if request.method == "POST":
        form = BookingForm(request.POST, formats=formats)
        wait = public_form_wait(request, form="booking")
        if wait is not None:
            form.add_error(None, TOO_MANY)
        elif form.is_valid() and not appointment_type.bookable_by_public:
            data = form.cleaned_data
            # The same page for every address typed; the e-mail tells the client from others.
            try:
                pending_booking_request(
                    therapist=therapist,
                    appointment_type=appointment_type,
                    email=data["email"],
                    start=start,
                    format=data["format"],
                    submission_key=f"web:{data['idempotency_key']}",
                )
            except SlotRefused as error:
                taken = error
            else:
                return redirect("booking:pending_sent")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                appointment = appointment_book_for_visitor(
                    therapist=therapist,
                    appointment_type=appointment_type,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    start=start,
                    format=data["format"],
                    idempotency_key=f"web:{data['idempotency_key']}",
                )
            except SlotRefused as error:
                taken = error
            except BookingError as error:
                problem = str(error)
            else:
                request.session[SESSION_KEY] = str(appointment.uuid)
                return redirect("booking:booked")
    else:
        form = BookingForm(initial={"idempotency_key": uuid.uuid4()}, formats=formats)
    response = render(
        request,
        "booking/confirm.html",
        {
            "therapist": therapist,
            "appointment_type": appointment_type,
            "start": start,
            "when": format_local(start, zone),
            "zone": zone,
            "form": form,
            "taken": taken,
            "alternatives": alternatives_shown(taken, zone),
            "problem": problem,
        },
    )
    return too_many(response, wait) if wait is not None else response


@public
@require_GET
def pending_sent(request: HttpRequest) -> HttpResponse:
    """The one answer to a session asked for, whoever's address was typed."""
    return render(request, "booking/pending_sent.html", {"minutes": PENDING_MINUTES})


@public
@require_http_methods(["GET", "POST"])
def pending_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: the session's details and a button that books it, once."""
    pending = pending_booking_token_read(token)
    if pending is None:
        return render(request, "booking/pending_gone.html", status=404)
    zone = display_zone(None)
    now = timezone.now()
    taken: SlotRefused | None = None
    problem = ""
    wait = public_form_wait(request, form="confirm") if request.method == "POST" else None
    if wait is not None:
        problem = TOO_MANY_TRIES
    elif request.method == "POST":
        try:
            appointment = pending_booking_confirm(pending=pending)
        except SlotRefused as error:
            taken = error
        except BookingError as error:
            problem = str(error)
        else:
            request.session[SESSION_KEY] = str(appointment.uuid)
            return redirect("booking:booked")
    elif not slot_offered(
        therapist=pending.therapist,
        appointment_type=pending.appointment_type,
        start=pending.start,
        now=now,
    ):
        taken = unavailable_or_taken(
            pending.therapist, pending.appointment_type, pending.start, now
        )
    response = render(
        request,
        "booking/pending_confirm.html",
        {
            "pending": pending,
            "when": format_local(pending.start, zone),
            "zone": zone,
            "taken": taken,
            "alternatives": alternatives_shown(taken, zone),
            "problem": problem,
        },
    )
    return too_many(response, wait) if wait is not None else response


@public
@require_GET
def booking_done(request: HttpRequest) -> HttpResponse:
    appointment = (
        Appointment.objects.select_related("therapist", "appointment_type")
        .filter(uuid=request.session.get(SESSION_KEY) or uuid.UUID(int=0))
        .first()
    )
    if appointment is None:
        return redirect("practice:directory")
    zone = display_zone(None)
    return render(
        request,
        "booking/booked.html",
        {"appointment": appointment, "when": format_local(appointment.start, zone)},
    )
