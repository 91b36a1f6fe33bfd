from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from alliance.accounts.access import StaffRequest, public, staff_required
from alliance.accounts.models import Role
from alliance.booking.models import ConsultationRequest, RequestStatus
from alliance.care.alerts import open_alerts_for
from alliance.practice.models import Therapist


@staff_required
@require_GET
def staff_home(request: StaffRequest) -> HttpResponse:
    user = request.user
    new_requests = (
        ConsultationRequest.objects.visible_to(user).filter(status=RequestStatus.NEW).count()
    )
    own_profile = Therapist.objects.filter(user=user).first()
    return render(
        request,
        "accounts/staff_home.html",
        {
            "new_requests": new_requests,
            "own_profile": own_profile,
            "is_owner": user.role == Role.OWNER,
            "open_alerts": open_alerts_for(user),
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, blocked cookies): say what to do."""
    return render(request, "csrf_failure.html", status=403)


sign_in = public(
    auth_views.LoginView.as_view(
        template_name="accounts/sign_in.html", redirect_authenticated_user=True
    )
)
sign_out = public(auth_views.LogoutView.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_sent"),
    )
)
password_reset_sent = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
