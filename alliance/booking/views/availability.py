"""A therapist's weekly hours and time off, edited by them or the owner."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from alliance.accounts.access import StaffRequest, clinician_required
from alliance.booking.forms import TimeOffForm, WorkingHoursForm
from alliance.booking.models import TimeOff, WorkingHours
from alliance.practice.access import get_therapist_for_user
from alliance.practice.models import practice_zone


@clinician_required
@require_http_methods(["GET", "POST"])
def availability_edit(request: StaffRequest, slug: str) -> HttpResponse:
    therapist = get_therapist_for_user(request.user, slug)
    zone = practice_zone()
    action = request.POST.get("action")
    hours_form = WorkingHoursForm(request.POST if action == "add_hours" else None)
    time_off_form = TimeOffForm(request.POST if action == "add_time_off" else None)
    if action == "add_hours" and hours_form.is_valid():
        row = hours_form.save(commit=False)
        row.therapist = therapist
        row.save()
        messages.success(request, "Hours added.")
        return redirect("booking:availability", slug=therapist.slug)
    if action == "add_time_off" and time_off_form.is_valid():
        data = time_off_form.cleaned_data
        TimeOff.objects.create(
            therapist=therapist,
            start=datetime.combine(data["first_day"], time(), zone),
            end=datetime.combine(data["last_day"] + timedelta(days=1), time(), zone),
            note=data["note"],
        )
        messages.success(request, "Time off added. Those days are no longer offered.")
        return redirect("booking:availability", slug=therapist.slug)
    if action == "remove_hours":
        WorkingHours.objects.filter(therapist=therapist, pk=request.POST.get("id") or 0).delete()
        return redirect("booking:availability", slug=therapist.slug)
    if action == "remove_time_off":
        TimeOff.objects.filter(therapist=therapist, pk=request.POST.get("id") or 0).delete()
        return redirect("booking:availability", slug=therapist.slug)
    return render(
        request,
        "booking/staff/availability.html",
        {
            "therapist": therapist,
            "hours": WorkingHours.objects.filter(therapist=therapist),
            "time_off": TimeOff.objects.filter(therapist=therapist, end__gt=timezone.now()),
            "hours_form": hours_form,
            "time_off_form": time_off_form,
        },
    )
