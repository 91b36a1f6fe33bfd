"""The manage link in every booking e-mail: see, move or cancel one appointment.

The link is the only key (booking/tokens.py): no sign-in, nothing personal in the address.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import public
from alliance.accounts.throttle import TOO_MANY_TRIES, public_form_wait, too_many
from alliance.booking.appointments import (
    BookingError,
    SlotRefused,
    appointment_cancel,
    appointment_is_late_cancel,
    appointment_reschedule,
)
from alliance.booking.formats import format_only_notice, reschedule_format
from alliance.booking.models import Appointment
from alliance.booking.tokens import manage_token_read
from alliance.booking.views.picker import (
    alternatives_shown,
    display_zone,
    time_refused,
    week_of_slots,
)
from alliance.lib.moments import moment_parse
from alliance.practice.models import Practice
from alliance.scheduling.display import format_local


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/manage_expired.html", status=404)


ManageView = Callable[[HttpRequest, str, Appointment], HttpResponse]


def with_appointment(view: ManageView) -> Callable[[HttpRequest, str], HttpResponse]:
    """The link is the only key: forged, revoked or stale ones get the kind "expired" page."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        appointment = manage_token_read(token)
        if appointment is None:
            return _expired(request)
        return view(request, token, appointment)

    return wrapper


def _changeable(appointment: Appointment) -> bool:
    return appointment.is_active and appointment.start > timezone.now()


@public
@require_GET
@with_appointment
def manage(request: HttpRequest, token: str, appointment: Appointment) -> HttpResponse:
    zone = display_zone(request.GET.get("tz"))
    format_notice = (
        format_only_notice(appointment.format, Practice.objects.current(), whose="your", moved=True)
        if request.GET.get("moved") == "format"
        else ""
    )
    return render(
        request,
        "booking/manage.html",
        {
            "appointment": appointment,
            "token": token,
            "when": format_local(appointment.start, zone),
            "changeable": _changeable(appointment),
            "cancelled": False,
            "format_notice": format_notice,
        },
    )


@public
@require_GET
@with_appointment
def manage_reschedule(request: HttpRequest, token: str, appointment: Appointment) -> HttpResponse:
    if not _changeable(appointment):
        return redirect("booking:manage", token=token)
    week = week_of_slots(
        therapist=appointment.therapist,
        appointment_type=appointment.appointment_type,
        week=request.GET.get("week"),
        zone=display_zone(request.GET.get("tz")),
        now=timezone.now(),
        ignore=appointment,
    )
    return render(
        request,
        "booking/reschedule.html",
        {
            "appointment": appointment,
            "token": token,
            "week": week,
            "keep": [],
            "when": format_local(appointment.start, week.zone),
        },
    )


@public
@require_http_methods(["GET", "POST"])
@with_appointment
def manage_reschedule_confirm(
    request: HttpRequest, token: str, appointment: Appointment
) -> HttpResponse:
    if not request.GET.get("start") or not _changeable(appointment):
        return redirect("booking:manage", token=token)
    try:
        start = moment_parse(request.GET["start"])
    except ValueError as error:
        times = reverse("booking:manage_reschedule", kwargs={"token": token})
        return time_refused(request, str(error), times)
    zone = display_zone(request.GET.get("tz"))
    taken: SlotRefused | None = None
    problem = ""
    wait = public_form_wait(request, form="reschedule") if request.method == "POST" else None
    if wait is not None:
        problem = TOO_MANY_TRIES
    elif request.method == "POST":
        if start == appointment.start:
            return redirect("booking:manage", token=token)
        old_format = appointment.format
        try:
            appointment_reschedule(appointment=appointment, start=start)
        except SlotRefused as error:
            taken = error
        except BookingError as error:
            problem = str(error)
        else:
            moved = "format" if appointment.format != old_format else "1"
            return redirect(f"{_manage_url(token)}?moved={moved}")
    new_format = reschedule_format(appointment=appointment, start=start)
    response = render(
        request,
        "booking/reschedule_confirm.html",
        {
            "appointment": appointment,
            "token": token,
            "start": start,
            "zone": zone,
            "old_when": format_local(appointment.start, zone),
            "when": format_local(start, zone),
            "taken": taken,
            "alternatives": alternatives_shown(taken, zone),
            "problem": problem,
            "format_notice": (
                format_only_notice(
                    new_format, Practice.objects.current(), whose="your", moved=False
                )
                if new_format != appointment.format
                else ""
            ),
        },
    )
    return too_many(response, wait) if wait is not None else response


def _manage_url(token: str) -> str:
    return reverse("booking:manage", kwargs={"token": token})


@public
@require_http_methods(["GET", "POST"])
@with_appointment
def manage_cancel(request: HttpRequest, token: str, appointment: Appointment) -> HttpResponse:
    if not _changeable(appointment):
        return redirect("booking:manage", token=token)
    problem = ""
    wait = public_form_wait(request, form="cancel") if request.method == "POST" else None
    if wait is not None:
        problem = TOO_MANY_TRIES
    elif request.method == "POST":
        try:
            appointment_cancel(appointment=appointment)
        except BookingError as error:
            problem = str(error)
        else:
            # Cancelling ended this link (appointment_cancel), so the answer is shown here.
            return render(
                request,
                "booking/manage.html",
                {
                    "appointment": appointment,
                    "token": "",
                    "when": format_local(appointment.start, display_zone(request.GET.get("tz"))),
                    "changeable": False,
                    "cancelled": True,
                },
            )
    practice = Practice.objects.current()
    response = render(
        request,
        "booking/cancel.html",
        {
            "appointment": appointment,
            "token": token,
            "when": format_local(appointment.start, display_zone(request.GET.get("tz"))),
            "late": appointment_is_late_cancel(appointment, timezone.now()),
            "late_cancel_hours": practice.late_cancel_hours,
            "problem": problem,
        },
    )
    return too_many(response, wait) if wait is not None else response
