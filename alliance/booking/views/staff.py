"""The practice's side of booking: schedules, booking for anyone, and closing appointments."""

from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance.accounts.access import StaffRequest, staff_required
from alliance.booking.access import (
    get_appointment_for_user,
    get_consultation_request_for_user,
    therapists_for_user,
)
from alliance.booking.appointments import (
    BookingError,
    SeriesPlan,
    SlotTaken,
    appointment_cancel,
    appointment_link_revoke,
    appointment_mark,
    appointment_reschedule,
    series_plan,
)
from alliance.booking.availability import therapist_weekly_hours
from alliance.booking.client_search import client_search, search_term
from alliance.booking.extras import appointment_flags, appointments_with_extras
from alliance.booking.formats import format_only_notice
from alliance.booking.forms import AppointmentMarkForm, AppointmentMoveForm, StaffBookingForm
from alliance.booking.models import (
    Appointment,
    AppointmentFormat,
    AppointmentStatus,
    BookingMessage,
)
from alliance.booking.services import staff_booking_make
from alliance.booking.views.picker import parse_day
from alliance.clients.models import Client
from alliance.lib.moments import day_parse
from alliance.practice.models import Practice, Therapist, practice_zone
from alliance.scheduling.display import format_local
from alliance.scheduling.hours import format_hours


@staff_required
@require_GET
def schedule(request: StaffRequest) -> HttpResponse:
    therapists = therapists_for_user(request.user)
    chosen = therapists.filter(slug=request.GET.get("therapist")).first() or therapists.first()
    zone = practice_zone()
    view = "week" if request.GET.get("view") == "week" else "day"
    today = timezone.now().astimezone(zone).date()
    first = parse_day(request.GET.get("date"), today)
    if view == "week":
        first -= timedelta(days=first.weekday())
    days = [first + timedelta(days=offset) for offset in range(7 if view == "week" else 1)]
    start = datetime.combine(days[0], time(), zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time(), zone)
    appointments = (
        appointments_with_extras(
            Appointment.objects.filter(therapist=chosen, start__gte=start, start__lt=end)
            .exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
            .select_related("client", "appointment_type", "therapist")
            .order_by("start")
        )
        if chosen
        else Appointment.objects.none()
    )
    now = timezone.now()
    by_day: dict[date, list[Appointment]] = {day: [] for day in days}
    for appointment in appointments:
        appointment.flags = appointment_flags(appointment, request.user, now)  # type: ignore[attr-defined]
        by_day[appointment.start.astimezone(zone).date()].append(appointment)
    step = timedelta(days=7 if view == "week" else 1)
    return render(
        request,
        "booking/staff/schedule.html",
        {
            "therapists": therapists,
            "chosen": chosen,
            "view": view,
            "days": list(by_day.items()),
            "previous": days[0] - step,
            "next": days[0] + step,
            "today": today,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: StaffRequest) -> HttpResponse:
    user = request.user
    zone = practice_zone()
    consultation_request = (
        get_consultation_request_for_user(user, UUID(request.GET["request"]))
        if _is_uuid(request.GET.get("request"))
        else None
    )
    initial: dict[str, object] = {
        "repeat": 0,
        "occurrences": 1,
        "format": AppointmentFormat.TELEHEALTH,
    }
    if consultation_request is not None:
        initial.update(
            therapist=consultation_request.therapist.slug
            if consultation_request.therapist
            else None,
            appointment_type="consultation",
            name=consultation_request.name,
            email=consultation_request.email,
            phone=consultation_request.phone,
        )
    elif request.GET.get("therapist"):
        initial["therapist"] = request.GET["therapist"]
        initial.update(_asked_start(request))
    # "Find" sends the whole form back to list matching clients: what was typed stays, and
    # nothing is checked or booked yet.
    finding = request.method == "POST" and "find_client" in request.POST
    if finding:
        initial.update(request.POST.dict())
    clients = Client.objects.visible_to(user).bookable()
    form = StaffBookingForm(
        None if finding else (request.POST or None),
        initial=initial,
        clients=clients,
        zone=zone,
    )
    term = search_term(request.POST.get("find", "")) if finding else ""
    matches = client_search(request=request, term=term, now=timezone.now()) if term else []
    chosen = request.POST.get("client") or request.GET.get("client") or ""
    chosen_client = clients.filter(uuid=chosen).first() if _is_uuid(chosen) else None
    therapist_field = form.fields["therapist"]
    therapist_field.queryset = therapists_for_user(user)  # type: ignore[attr-defined]
    conflicts: list[tuple[datetime, str]] = []
    outside_hours, outside_dates = "", []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = series_plan(
            therapist=data["therapist"],
            appointment_type=data["appointment_type"],
            first_start=data["start"],
            interval_weeks=data["repeat"] or 1,
            count=data["occurrences"] if data["repeat"] else 1,
        )
        if plan.conflicts and not (data["skip_conflicts"] and plan.free):
            conflicts = plan.conflicts
        if plan.outside_hours and not data["outside_hours_ok"]:
            outside_hours = _outside_hours_warning(data["therapist"], plan)
            if len(plan.starts) > 1:
                outside_dates = [format_local(start, zone) for start in plan.outside_hours]
        if not conflicts and not outside_hours:
            try:
                booked = staff_booking_make(
                    therapist=data["therapist"],
                    appointment_type=data["appointment_type"],
                    plan=plan,
                    format=data["format"],
                    interval_weeks=data["repeat"] or 1,
                    created_by=user,
                    client=data["client"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    consultation_request=consultation_request,
                )
            except SlotTaken:
                form.add_error(None, "One of those times was just taken. Please check again.")
            else:
                messages.success(
                    request,
                    f"Booked {len(booked)} appointment{'s' if len(booked) != 1 else ''}.",
                )
                return redirect("booking:appointment", appointment_uuid=booked[0].uuid)
    return render(
        request,
        "booking/staff/appointment_form.html",
        {
            "form": form,
            "consultation_request": consultation_request,
            "conflicts": [(format_local(start, zone), why) for start, why in conflicts],
            "finding": finding,
            "term": term,
            "chosen_client": chosen_client,
            "matches": [m for m in matches if m.client != chosen_client],
            "outside_hours": outside_hours,
            "outside_dates": outside_dates,
        },
    )


def _asked_start(request: StaffRequest) -> dict[str, object]:
    """A free time chosen on the practice's day (?day=&start_time=); unreadable ones left out."""
    try:
        return {
            "day": day_parse(request.GET["day"]),
            "start_time": time.fromisoformat(request.GET["start_time"]),
        }
    except (KeyError, ValueError):
        return {}


def _outside_hours_warning(therapist: Therapist, plan: SeriesPlan) -> str:
    hours = format_hours(therapist_weekly_hours(therapist))
    which = "This is" if len(plan.starts) == 1 else f"{len(plan.outside_hours)} of these dates are"
    return (
        f"{which} outside {therapist.first_name}'s hours ({hours or 'none are set'}). Book anyway?"
    )


def _is_uuid(value: str | None) -> bool:
    try:
        UUID(value or "")
    except ValueError:
        return False
    return True


@staff_required
@require_GET
def appointment_detail(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_uuid)
    zone = practice_zone()
    return render(
        request,
        "booking/staff/appointment_detail.html",
        {
            "appointment": appointment,
            "when": format_local(appointment.start, zone),
            "messages_sent": appointment.messages.order_by("send_after"),
            "mark_form": AppointmentMarkForm(current=appointment.status),
            "move_form": AppointmentMoveForm(zone=zone),
            "changeable": appointment.is_active and appointment.start > timezone.now(),
            "flags": appointment_flags(appointment, request.user, timezone.now()),
        },
    )


@staff_required
@require_POST
def appointment_mark_view(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_uuid)
    form = AppointmentMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what happened: arrived, attended, no-show or in error.")
    else:
        try:
            appointment_mark(appointment=appointment, status=form.cleaned_data["status"])
        except BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{appointment.client.name}: marked {appointment.get_status_display().lower()}.",
            )
    # The one-click "Arrived" on the staff home comes back there; only to our own pages.
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/"):
        return redirect(back)
    return redirect("booking:appointment", appointment_uuid=appointment.uuid)


@staff_required
@require_POST
def appointment_cancel_view(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_uuid)
    try:
        told = appointment_cancel(appointment=appointment)
    except BookingError as error:
        messages.error(request, str(error))
    else:
        late = " as a late cancellation" if appointment.late_cancellation else ""
        messages.success(request, f"Cancelled{late}. {_who_was_told(told)}")
    return redirect("booking:appointment", appointment_uuid=appointment.uuid)


def _who_was_told(told: BookingMessage | None) -> str:
    if told is None:
        return "The client has no e-mail address, so no one has told them: please phone them."
    return "The client has been told by e-mail."


@staff_required
@require_POST
def appointment_link_revoke_view(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_uuid)
    sent = appointment_link_revoke(appointment=appointment)
    if sent:
        why = "A new one is on its way to their e-mail."
    elif not appointment.client.email:
        why = "They have no e-mail address, so no new link was sent: please call them."
    else:
        why = "No new link was sent: the appointment is cancelled or past."
    messages.success(request, f"The client's old link no longer works. {why}")
    return redirect("booking:appointment", appointment_uuid=appointment.uuid)


@staff_required
@require_POST
def appointment_move_view(request: StaffRequest, appointment_uuid: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_uuid)
    zone = practice_zone()
    form = AppointmentMoveForm(request.POST, zone=zone)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("booking:appointment", appointment_uuid=appointment.uuid)
    old_format = appointment.format
    try:
        told = appointment_reschedule(
            appointment=appointment, start=form.cleaned_data["start"], within_availability=False
        )
    except SlotTaken as taken:
        times = ", ".join(format_local(slot.start, zone) for slot in taken.alternatives)
        messages.error(
            request, f"That time is taken.{f' Free soon after: {times}.' if times else ''}"
        )
    except BookingError as error:
        messages.error(request, str(error))
    else:
        moved_to = format_local(appointment.start, zone)
        changed = _format_changed(appointment) if appointment.format != old_format else ""
        messages.success(request, f"Moved to {moved_to}.{changed} {_who_was_told(told)}")
    return redirect("booking:appointment", appointment_uuid=appointment.uuid)


def _format_changed(appointment: Appointment) -> str:
    notice = format_only_notice(
        appointment.format, Practice.objects.current(), whose="the", moved=True
    )
    return f" {notice}"
