"""The care e-mails the outbox sends: a client's check-in link, and risk alerts to staff.

Neither says who the client is or what they answered: a link, the session's day and when the
alert was raised, nothing more (docs/security.md). Both are rendered when sent, from the rows as
they are then.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from alliance.booking.models import Appointment
from alliance.care.checkins import checkin_invitation_issue, checkin_token_make
from alliance.care.instruments import checkin_takes
from alliance.care.models import Alert, AlertMessageKind, AlertState
from alliance.care.services import UNREADABLE_RULE
from alliance.outbox.emails import templated_email
from alliance.outbox.models import Message
from alliance.practice.models import Practice
from alliance.scheduling.display import format_local


def _email(
    message: Message, *, to: str, subject: str, template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    return templated_email(
        message, to=[to], subject=subject, template=f"care/email/{template}", context=context
    )


def checkin_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    appointment = Appointment.objects.select_related("client", "therapist", "appointment_type").get(
        messages=message.pk
    )
    invitation = checkin_invitation_issue(appointment=appointment, now=now)
    if invitation is None:
        return None
    practice = Practice.objects.current()
    context = {
        "practice": practice,
        "takes": checkin_takes(invitation.instruments),
        "expires": format_local(invitation.expires_at, practice.zone),
        "link": settings.SITE_URL
        + reverse("care:checkin", kwargs={"token": checkin_token_make(invitation)}),
    }
    return _email(
        message,
        to=appointment.client.email,
        subject=f"How was your session? A check-in of {context['takes']}",
        template="checkin",
        context=context,
    )


def alert_email(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    alert = Alert.objects.select_related("client", "session").get(messages=message.pk)
    recipient = message.recipient
    if recipient is None or not recipient.is_active:
        return None
    practice = Practice.objects.current()
    day = alert.session.date if alert.session is not None else None
    context = {
        "practice": practice,
        # The session the answer is about, which is what the clinician acts on; when the alert
        # was raised is a second fact (a record can arrive days later).
        "session": f"{day:%A} {day.day} {day:%B %Y}" if day is not None else "an unknown day",
        "unreadable": alert.rule == UNREADABLE_RULE,  # no answer read from any record yet
        "raised": format_local(alert.created_at, practice.zone),
        "link": settings.SITE_URL
        + reverse("care:client", kwargs={"client_uuid": alert.client.uuid})
        + "#alerts",
    }
    escalated = message.kind == AlertMessageKind.ALERT_ESCALATION
    if escalated and alert.state != AlertState.OPEN:
        return None  # acknowledged since: nothing to escalate any more
    return _email(
        message,
        to=recipient.email,
        subject=(
            "Not yet acknowledged: a risk alert needs a clinician now"
            if escalated
            else "Urgent: a check-in needs your review today"
        ),
        template="risk_escalation" if escalated else "risk_alert",
        context=context,
    )
