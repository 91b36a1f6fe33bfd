from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, staff_required
from alliance.accounts.models import Role
from alliance.booking.availability import practice_zone
from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.booking.today import appointments_today, open_requests
from alliance.care.alerts import open_alerts_shown
from alliance.practice.models import Therapist


@staff_required
@require_GET
def staff_home(request: StaffRequest) -> HttpResponse:
    user = request.user
    new_requests = (
        ConsultationRequest.objects.visible_to(user).filter(status=RequestStatus.NEW).count()
    )
    own_profile = Therapist.objects.filter(user=user).first()
    zone = practice_zone()
    now = timezone.now()
    desk = user.role in (Role.OWNER, Role.FRONTDESK)
    open_count, oldest_open = open_requests(user=user) if desk else (0, [])
    return render(
        request,
        "accounts/staff_home.html",
        {
            "new_requests": new_requests,
            "today": now.astimezone(zone),
            "rows": appointments_today(user=user, now=now, zone=zone),
            "desk": desk,
            "open_count": open_count,
            "oldest_open": oldest_open,
            "own_profile": own_profile,
            "is_owner": user.role == Role.OWNER,
            "open_alerts": open_alerts_shown(request),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, blocked cookies): say what to do."""
    return render(request, "csrf_failure.html", status=403)


def body_limit() -> str:
    """DATA_UPLOAD_MAX_MEMORY_SIZE as a person reads it, e.g. "5 MB"."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:g} MB"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except a form too large to read: 413, and a page that gives the limit.
    (The API answers its own in JSON: alliance.api.errors.)"""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"limit": body_limit()}, status=413)
    return defaults.bad_request(request, exception)
