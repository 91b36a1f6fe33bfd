"""Joining a therapist's waitlist, leaving it, and taking up a freed time offered by e-mail."""

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import public
from alliance.accounts.throttle import TOO_MANY, TOO_MANY_TRIES, public_form_wait, too_many
from alliance.booking.appointments import BookingError, waitlist_offer_accept
from alliance.booking.forms import WaitlistForm
from alliance.booking.models import AppointmentType, OfferStatus, WaitlistEntry, WaitlistStatus
from alliance.booking.tokens import waitlist_leave_token_read, waitlist_offer_token_read
from alliance.booking.waitlist import waitlist_join, waitlist_leave
from alliance.practice.access import get_listed_therapist
from alliance.practice.addresses import follows_former_addresses
from alliance.practice.models import practice_zone
from alliance.scheduling.display import format_local

SESSION_KEY = "waitlist_entry"


@public
@require_http_methods(["GET", "POST"])
@follows_former_addresses
def waitlist_join_view(request: HttpRequest, slug: str) -> HttpResponse:
    therapist = get_listed_therapist(slug)
    appointment_type = get_object_or_404(AppointmentType, slug="consultation")
    form = WaitlistForm(request.POST or None, initial={"submission_token": uuid.uuid4()})
    context = {"therapist": therapist, "form": form}
    wait = public_form_wait(request, form="waitlist") if request.method == "POST" else None
    if wait is not None:
        form.add_error(None, TOO_MANY)
        return too_many(render(request, "booking/waitlist_join.html", context), wait)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        joined = waitlist_join(
            therapist=therapist,
            appointment_type=appointment_type,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            submission_token=data["submission_token"],
            now=timezone.now(),
        )
        request.session[SESSION_KEY] = str(joined.entry.uuid)
        return redirect("booking:waitlist_joined")
    return render(request, "booking/waitlist_join.html", context)


@public
@require_GET
def waitlist_joined(request: HttpRequest) -> HttpResponse:
    entry = (
        WaitlistEntry.objects.select_related("therapist")
        .filter(uuid=request.session.get(SESSION_KEY) or uuid.UUID(int=0))
        .first()
    )
    if entry is None:
        return redirect("practice:directory")
    place = WaitlistEntry.objects.filter(
        therapist=entry.therapist, status=entry.status, created_at__lte=entry.created_at
    ).count()
    return render(
        request,
        "booking/waitlist_joined.html",
        {"entry": entry, "place": place},
    )


@public
@require_http_methods(["GET", "POST"])
def waitlist_leave_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every waitlist e-mail: a page with a button (a GET leaves nothing, so a
    mail scanner following links cannot take anyone off)."""
    entry = waitlist_leave_token_read(token)
    if entry is None:
        return render(request, "booking/waitlist_leave.html", {"entry": None}, status=404)
    problem = ""
    wait = public_form_wait(request, form="waitlist_leave") if request.method == "POST" else None
    if wait is not None:
        problem = TOO_MANY_TRIES
    elif request.method == "POST":
        waitlist_leave(entry=entry)
    response = render(
        request,
        "booking/waitlist_leave.html",
        {
            "entry": entry,
            "waiting": entry.status == WaitlistStatus.WAITING,
            "booked": entry.status == WaitlistStatus.BOOKED,
            "problem": problem,
        },
    )
    return too_many(response, wait) if wait is not None else response


@public
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    found = waitlist_offer_token_read(token)
    if found is None:
        return render(request, "booking/offer_gone.html", status=404)
    problem = ""
    wait = public_form_wait(request, form="offer") if request.method == "POST" else None
    if wait is not None:
        problem = TOO_MANY_TRIES
    elif request.method == "POST" and found.status == OfferStatus.OPEN:
        try:
            appointment = waitlist_offer_accept(offer=found)
        except BookingError:
            found.refresh_from_db()
            problem = "Someone else took this time a moment before you."
        else:
            request.session["booked_appointment"] = str(appointment.uuid)
            return redirect("booking:booked")
    response = render(
        request,
        "booking/offer.html",
        {
            "offer": found,
            "when": format_local(found.start, practice_zone()),
            "problem": problem,
            "limited": wait is not None,
        },
    )
    return too_many(response, wait) if wait is not None else response
