import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import Role, User
from alliance.booking.availability import practice_zone
from alliance.booking.models import ConsultationRequest, PendingBooking
from alliance.booking.tokens import PENDING_MINUTES, pending_booking_token_make
from alliance.practice.models import Practice
from alliance.scheduling.display import format_local

logger = logging.getLogger(__name__)


@task()
def consultation_request_notify(request_uuid: str) -> None:
    """Tell the front desk a request arrived: a link and a time, never who or why."""
    consultation_request = ConsultationRequest.objects.get(uuid=request_uuid)
    if consultation_request.notified_at is not None:
        return  # already told; a retried task sends nothing twice
    practice = Practice.objects.current()
    recipients = sorted(
        set(
            User.objects.filter(role=Role.FRONTDESK, is_active=True).values_list("email", flat=True)
        )
        | ({practice.email} if practice.email else set())
    ) or list(User.objects.filter(role=Role.OWNER, is_active=True).values_list("email", flat=True))
    if not recipients:
        logger.warning("no one to tell about request %s", request_uuid)
        return
    context = {
        "practice": practice,
        "received_at": consultation_request.created_at,
        "time_zone": practice.time_zone,
        "link": settings.SITE_URL
        + reverse("booking:request_detail", kwargs={"request_uuid": consultation_request.uuid}),
    }
    message = EmailMultiAlternatives(
        subject=f"New consultation request — {practice.name}",
        body=render_to_string("booking/email/request_new.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("booking/email/request_new.html", context), "text/html"
    )
    message.send()
    ConsultationRequest.objects.filter(pk=consultation_request.pk).update(
        notified_at=timezone.now()
    )
    logger.info("front desk told about request %s", request_uuid)


@task()
def pending_booking_notify(pending_uuid: str) -> None:
    """Answer a session asked for on the web: the therapist's client gets a link to confirm it
    at the address the practice has; anyone else, at the address typed, that nothing was booked.
    """
    pending = PendingBooking.objects.select_related("therapist", "appointment_type", "client").get(
        uuid=pending_uuid
    )
    if pending.emailed_at is not None:
        return  # already sent; a retried task sends nothing twice
    practice = Practice.objects.current()
    context = {
        "practice": practice,
        "pending": pending,
        "when": format_local(pending.start, practice_zone()),
        "minutes": PENDING_MINUTES,
        "consultation_link": settings.SITE_URL + reverse("booking:consultation"),
    }
    if pending.client is not None:
        to, template, subject = pending.client.email, "pending_confirm", "Confirm your session"
        context["link"] = settings.SITE_URL + reverse(
            "booking:pending_confirm", kwargs={"token": pending_booking_token_make(pending)}
        )
    else:
        to, template, subject = pending.email, "pending_unknown", "Your booking request"
    message = EmailMultiAlternatives(
        subject=f"{subject} — {practice.name}",
        body=render_to_string(f"booking/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"booking/email/{template}.html", context), "text/html"
    )
    message.send()
    # The typed address was needed only for this e-mail.
    PendingBooking.objects.filter(pk=pending.pk).update(emailed_at=timezone.now(), email="")
    logger.info("pending booking %s answered by e-mail", pending_uuid)


@task()
def outbox_flush_task() -> int:
    """Send the appointment e-mails that are due (see booking/outbox.py)."""
    from alliance.booking.outbox import outbox_flush

    return outbox_flush()
