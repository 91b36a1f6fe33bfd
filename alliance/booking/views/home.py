"""The staff home: the day's appointments, the requests waiting and (care's banner, through its
context processor) the alerts to act on."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, staff_required
from alliance.accounts.models import Role
from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.booking.today import appointments_today, open_requests
from alliance.practice.models import Therapist, practice_zone


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
        "booking/staff/home.html",
        {
            "new_requests": new_requests,
            "today": now.astimezone(zone),
            "rows": appointments_today(user=user, now=now, zone=zone),
            "desk": desk,
            "open_count": open_count,
            "oldest_open": oldest_open,
            "own_profile": own_profile,
            "is_owner": user.role == Role.OWNER,
        },
    )
