"""The client's check-in link: answer, see thanks (and crisis help when an answer shows risk).

No sign-in: the link is the only key (alliance.care.checkins). Every page here works without
JavaScript; a small script only keeps answers on the device in case the page is lost.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance.accounts.access import public
from alliance.accounts.audit import audit_record
from alliance.accounts.throttle import rate_limit_wait, too_many
from alliance.booking.messages import messages_schedule_checkin
from alliance.care.checkins import (
    CheckinInvalid,
    CheckinLinkTooOld,
    checkin_refusal_keep,
    checkin_renewable,
    checkin_showed_risk,
    checkin_submit,
    checkin_token_read,
)
from alliance.care.forms import CheckinForm
from alliance.care.instruments import checkin_takes, instrument
from alliance.care.models import CheckinInvitation
from alliance.care.progress import client_progress, progress_token_make, progress_token_read
from alliance.clinical.scoring import Problem


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "care/checkin_unknown.html", status=404)


def _expired(
    request: HttpRequest, token: str, invitation: CheckinInvitation | None
) -> HttpResponse:
    """Kindly, offering a new link where one makes sense; `invitation` is None for a link too
    old to look up, which may have been answered."""
    return render(
        request,
        "care/checkin_expired.html",
        {
            "token": token,
            "unanswered": invitation is not None,
            "renewable": invitation is not None and checkin_renewable(invitation, timezone.now()),
        },
        status=410,
    )


def _answered(request: HttpRequest) -> HttpResponse:
    # Past the link's life: nothing the client said, and no new progress link.
    return render(request, "care/checkin_answered.html", status=410)


def _may_answer(invitation: CheckinInvitation | None) -> bool:
    """Only answers that cannot be recorded count towards the limit: a live link records once,
    so the limit never stands between a client and their first answers (docs/security.md)."""
    return (
        invitation is not None
        and invitation.used_at is None
        and invitation.expires_at > timezone.now()
    )


CheckinView = Callable[[HttpRequest, str, CheckinInvitation], HttpResponse]


def with_invitation(view: CheckinView) -> Callable[[HttpRequest, str], HttpResponse]:
    """The link is the only key: forged ones get "not found", too old ones "expired"; posts to
    links that cannot record anything are rate-limited per address."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        try:
            invitation = checkin_token_read(token)
        except CheckinLinkTooOld:
            invitation, too_old = None, True
        else:
            too_old = False
        if request.method == "POST" and not _may_answer(invitation):
            wait = rate_limit_wait(request, scope="checkin", rate=settings.CHECKIN_RATE_LIMIT)
            if wait is not None:
                return too_many(render(request, "care/checkin_limited.html"), wait)
        if too_old:
            return _expired(request, token, None)
        if invitation is None:
            return _not_found(request)
        return view(request, token, invitation)

    return wrapper


@public
@require_http_methods(["GET", "POST"])
@with_invitation
def checkin(request: HttpRequest, token: str, invitation: CheckinInvitation) -> HttpResponse:
    now = timezone.now()
    if invitation.used_at is not None:
        return redirect("care:checkin_thanks", token=token)
    if invitation.expires_at <= now:
        return _expired(request, token, invitation)
    asked = [found for code in invitation.instruments if (found := instrument(code)) is not None]
    form = CheckinForm(asked, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            checkin_submit(
                invitation=invitation,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except CheckinInvalid as invalid:
            for problems in invalid.problems.values():
                for problem in problems:
                    form.add_error(
                        problem.item if problem.item in form.fields else None, problem.message
                    )
        else:
            return redirect("care:checkin_thanks", token=token)
    kept = None
    if request.method == "POST":
        kept = checkin_refusal_keep(
            invitation=invitation,
            sent=request.POST.dict(),
            problems=[
                Problem(field if field != NON_FIELD_ERRORS else None, str(message))
                for field, messages in form.errors.items()
                for message in messages
            ],
        )
    return render(
        request,
        "care/checkin.html",
        {
            "form": form,
            "token": token,
            "takes": checkin_takes(invitation.instruments),
            # Told at once: the client may close the page without finishing.
            "risk_kept": kept is not None,
        },
        status=422 if form.errors else 200,
    )


@public
@require_GET
@with_invitation
def checkin_thanks(request: HttpRequest, token: str, invitation: CheckinInvitation) -> HttpResponse:
    """Within the link's life only: it shows whether an answer showed risk, and a new
    progress link."""
    live = timezone.now() < invitation.expires_at
    if invitation.used_at is None:
        return (
            redirect("care:checkin", token=token) if live else _expired(request, token, invitation)
        )
    if not live:
        return _answered(request)
    return render(
        request,
        "care/checkin_thanks.html",
        {
            "risk": checkin_showed_risk(invitation),
            "progress_token": progress_token_make(invitation.appointment.client),
        },
    )


@public
@require_GET
def progress(request: HttpRequest, token: str) -> HttpResponse:
    """The client's own scores over time (alliance.care.progress)."""
    client = progress_token_read(token)
    if client is None:
        return render(request, "care/progress_expired.html", status=404)
    audit_record(request=request, what="progress page", client_uuid=client.uuid)
    return render(request, "care/progress.html", {"measures": client_progress(client)})


@public
@require_POST
@with_invitation
def checkin_renew(request: HttpRequest, token: str, invitation: CheckinInvitation) -> HttpResponse:
    """An expired link asks for a new one, sent to the address the practice has on file."""
    now = timezone.now()
    if invitation.used_at is not None:
        return redirect("care:checkin_thanks", token=token)
    if not checkin_renewable(invitation, now):
        return _expired(request, token, invitation)
    messages_schedule_checkin(appointment=invitation.appointment, now=now)
    return render(request, "care/checkin_renewed.html")
