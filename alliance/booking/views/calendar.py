from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import StaffRequest, clinician_required, public
from alliance.booking.feeds import calendar_feed_create, calendar_feed_render, calendar_feed_revoke
from alliance.booking.models import CalendarFeed
from alliance.practice.models import Therapist


@public
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    body = calendar_feed_render(token)
    if body is None:
        return HttpResponse(
            "This calendar address is not valid.", status=404, content_type="text/plain"
        )
    # Stored nowhere (alliance.practice.middleware.no_store): calendar programs poll it anyway.
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@clinician_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: StaffRequest) -> HttpResponse:
    """A therapist's own feed: create (shown once), replace, or turn off."""
    therapist = Therapist.objects.filter(user=request.user).first()
    address = ""
    if therapist is not None and request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_feed_revoke(therapist=therapist)
        else:
            token = calendar_feed_create(therapist=therapist)
            address = request.build_absolute_uri(
                reverse("booking:calendar_feed", kwargs={"token": token})
            )
    return render(
        request,
        "booking/staff/calendar.html",
        {
            "therapist": therapist,
            "address": address,
            "has_feed": CalendarFeed.objects.filter(therapist=therapist).exists(),
        },
    )
