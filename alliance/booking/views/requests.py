import uuid
from datetime import timedelta
from statistics import median_high
from uuid import UUID

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from alliance.accounts.access import StaffRequest, public, staff_required
from alliance.accounts.throttle import TOO_MANY, public_form_wait, too_many
from alliance.booking.access import get_consultation_request_for_user
from alliance.booking.forms import ConsultationRequestForm, RequestStatusForm
from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.booking.services import consultation_request_set_status, consultation_request_submit

SESSION_KEY = "consultation_request"
RESPONSE_WINDOW = timedelta(days=30)


@public
@require_http_methods(["GET", "POST"])
def consultation_request_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ConsultationRequestForm(request.POST)
        wait = public_form_wait(request, form="consultation")
        if wait is not None:
            form.add_error(None, TOO_MANY)
            return too_many(render(request, "booking/consultation_form.html", {"form": form}), wait)
        if form.is_valid():
            data = form.cleaned_data
            consultation_request = consultation_request_submit(
                submission_token=data["submission_token"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                preferred_contact=data["preferred_contact"],
                therapist=data["therapist"],
                message=data["message"],
                times=data["times"],
                times_note=data["times_note"],
                consent=data["consent"],
            )
            # The thank-you page finds the request through the session: nothing in the address.
            request.session[SESSION_KEY] = str(consultation_request.uuid)
            return redirect("booking:consultation_thanks")
        if "submission_token" in form.errors:
            # A tampered or missing token: keep what was typed, issue a fresh token.
            data = request.POST.copy()
            data["submission_token"] = str(uuid.uuid4())
            form = ConsultationRequestForm(data)
            form.is_valid()
    else:
        form = ConsultationRequestForm(
            initial={"submission_token": uuid.uuid4(), "therapist": request.GET.get("therapist")}
        )
    return render(request, "booking/consultation_form.html", {"form": form})


@public
@require_GET
def consultation_request_thanks(request: HttpRequest) -> HttpResponse:
    request_uuid = request.session.get(SESSION_KEY)
    consultation_request = (
        ConsultationRequest.objects.select_related("therapist").filter(uuid=request_uuid).first()
        if request_uuid
        else None
    )
    if consultation_request is None:
        return redirect("booking:consultation")
    return render(
        request, "booking/consultation_thanks.html", {"consultation_request": consultation_request}
    )


@staff_required
@require_GET
def request_inbox(request: StaffRequest) -> HttpResponse:
    user = request.user
    visible = ConsultationRequest.objects.visible_to(user)
    status = request.GET.get("status", RequestStatus.NEW)
    if status not in RequestStatus.values and status != "all":
        status = RequestStatus.NEW
    listed = visible if status == "all" else visible.filter(status=status)
    counts = dict.fromkeys(RequestStatus.values, 0)
    counts.update(visible.values_list("status").annotate(n=Count("pk")).order_by())
    response_times = [
        item.time_to_first_response
        for item in visible.filter(
            first_response_at__isnull=False, created_at__gte=timezone.now() - RESPONSE_WINDOW
        ).only("created_at", "first_response_at")
    ]
    return render(
        request,
        "booking/inbox.html",
        {
            "requests": listed.select_related("therapist"),
            "status": status,
            "tabs": [(value, label, counts[value]) for value, label in RequestStatus.choices],
            "total": sum(counts.values()),
            "median_response": _median(response_times),
            "now": timezone.now(),
        },
    )


def _median(durations: list[timedelta | None]) -> timedelta | None:
    known = [duration for duration in durations if duration is not None]
    return median_high(known) if known else None


@staff_required
@require_http_methods(["GET", "POST"])
def request_detail(request: StaffRequest, request_uuid: UUID) -> HttpResponse:
    user = request.user
    consultation_request = get_consultation_request_for_user(user, request_uuid)
    form = RequestStatusForm(
        request.POST or None,
        initial={
            "status": consultation_request.status,
            "staff_note": consultation_request.staff_note,
        },
        answered=consultation_request.first_response_at is not None,
    )
    if request.method == "POST" and form.is_valid():
        consultation_request_set_status(
            consultation_request=consultation_request,
            status=form.cleaned_data["status"],
            staff_note=form.cleaned_data["staff_note"],
            user=user,
        )
        messages.success(request, "Saved.")
        return redirect("booking:request_detail", request_uuid=consultation_request.uuid)
    return render(
        request,
        "booking/request_detail.html",
        {
            "consultation_request": consultation_request,
            "form": form,
            "messages_sent": consultation_request.messages.order_by("send_after"),
            "now": timezone.now(),
        },
    )
