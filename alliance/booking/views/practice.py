"""The practice-wide day (a column per therapist) and week (a list per day) for the staff."""

from datetime import datetime, time, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, staff_required
from alliance.booking.daysheet import practice_day, practice_week
from alliance.booking.views.picker import parse_day
from alliance.practice.models import practice_zone


@staff_required
@require_GET
def practice_day_view(request: StaffRequest) -> HttpResponse:
    zone = practice_zone()
    now = timezone.now()
    today = now.astimezone(zone).date()
    day = parse_day(request.GET.get("date"), today)
    week = request.GET.get("view") == "week"
    context: dict[str, object] = {
        "view": "week" if week else "day",
        "today": today,
        # The day's own abbreviation: a week or day across a clock change reads the right one.
        "zone": datetime.combine(day, time(12), zone).tzname(),
    }
    if week:
        first = day - timedelta(days=day.weekday())
        context.update(
            day=first,
            days=practice_week(user=request.user, first=first, zone=zone),
            previous=first - timedelta(days=7),
            next=first + timedelta(days=7),
        )
    else:
        context.update(
            day=day,
            sheet=practice_day(
                user=request.user,
                day=day,
                zone=zone,
                now=now,
                chosen_slug=request.GET.get("therapist", ""),
            ),
            previous=day - timedelta(days=1),
            next=day + timedelta(days=1),
        )
    return render(request, "booking/staff/practice_day.html", context)
