import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import Role, User
from alliance.booking.models import ConsultationRequest
from alliance.practice.models import Practice

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
def outbox_flush_task() -> int:
    """Send the appointment e-mails that are due (see booking/outbox.py)."""
    from alliance.booking.outbox import outbox_flush

    return outbox_flush()
