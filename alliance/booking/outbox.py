"""The outbox: e-mails written as rows with the change they announce, sent by a worker.

Every e-mail goes this way: appointment e-mails (confirmations, reminders, check-in
invitations), waitlist offers, risk alerts to staff, and (booking/notices.py) the front desk's
notice of a new consultation request, the answer to a session asked for on the web and the
confirmation of joining a waitlist.

At-least-once delivery with a stable Message-ID. A worker claims a row with a short lease; if it
dies, the lease lapses and another worker sends it. The one window where a message can go twice
is between the SMTP server accepting it and our commit; the Message-ID is the same both times,
so receiving servers and mail programs can tell it is one message.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import User
from alliance.booking.formats import format_only_notice
from alliance.booking.models import (
    Appointment,
    AppointmentStatus,
    Message,
    MessageKind,
    MessageStatus,
    OfferStatus,
    WaitlistOffer,
    WaitlistStatus,
)
from alliance.booking.tokens import (
    manage_token_make,
    waitlist_leave_token_make,
    waitlist_offer_token_make,
)
from alliance.lib.ics import Event, calendar
from alliance.practice.models import Practice
from alliance.scheduling.display import format_local

if TYPE_CHECKING:
    from alliance.care.models import Alert

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
PENDING = (MessageStatus.QUEUED, MessageStatus.RETRYING)
# An appointment still ahead of the client: marked arrived, attended or no-show, it is not.
UPCOMING = (AppointmentStatus.PROPOSED, AppointmentStatus.PENDING, AppointmentStatus.BOOKED)


def messages_schedule(
    *,
    appointment: Appointment,
    now: datetime,
    confirmation: bool = False,
    rescheduled: bool = False,
    cancelled: bool = False,
    format_changed: bool = False,
) -> Message | None:
    """Queue what this change should tell the client, in the caller's transaction; returns the
    e-mail that announces the change, or None when none does (e.g. the client has no address)."""
    if not appointment.client.email:
        return None
    announcement = None
    rows = []
    for kind, wanted in (
        (MessageKind.CONFIRMATION, confirmation),
        (MessageKind.RESCHEDULED, rescheduled),
        (MessageKind.CANCELLATION, cancelled),
    ):
        if wanted:
            announcement = Message(
                appointment=appointment,
                kind=kind,
                send_after=now,
                format_changed=format_changed and kind == MessageKind.RESCHEDULED,
            )
            rows.append(announcement)
    if not cancelled:
        for hours in Practice.objects.current().reminder_hours:
            send_after = appointment.start - timedelta(hours=hours)
            if send_after > now:
                rows.append(
                    Message(
                        appointment=appointment,
                        kind=MessageKind.REMINDER,
                        hours_before=hours,
                        send_after=send_after,
                    )
                )
        if appointment.appointment_type.sends_checkin:
            # The check-in link goes out when the session ends, never before (see _claim).
            rows.append(
                Message(
                    appointment=appointment, kind=MessageKind.CHECKIN, send_after=appointment.end
                )
            )
    for row in rows:
        row.next_attempt_at = row.send_after
    Message.objects.bulk_create(rows)
    moments = sorted({row.send_after for row in rows})
    transaction.on_commit(lambda: _wake_workers(moments))
    return announcement


def _wake_workers(moments: list[datetime]) -> None:
    # Imported here: tasks import this module for outbox_flush.
    from alliance.booking.tasks import outbox_flush_task

    for moment in moments:
        try:
            outbox_flush_task.using(run_after=moment).enqueue()
        except Exception:
            logger.exception("could not queue an outbox run; `manage.py outbox_flush` will send")


def message_queue(*, kind: MessageKind, now: datetime, **about: object) -> Message:
    """Queue one message to go at once, in the caller's transaction: it exists if and only if
    the change it announces commits, and a worker is woken once it does."""
    message = Message.objects.create(kind=kind, send_after=now, next_attempt_at=now, **about)
    transaction.on_commit(lambda: _wake_workers([now]))
    return message


def messages_schedule_offer(*, offer: WaitlistOffer, now: datetime) -> None:
    message_queue(kind=MessageKind.WAITLIST_OFFER, now=now, waitlist_offer=offer)


def messages_schedule_alert(
    *,
    alert: "Alert",
    recipients: list[User],
    now: datetime,
    kind: MessageKind = MessageKind.RISK_ALERT,
) -> None:
    """Tell each recipient at once, in the caller's transaction, with the alert."""
    Message.objects.bulk_create(
        Message(
            alert=alert,
            recipient=person,
            kind=kind,
            send_after=now,
            next_attempt_at=now,
        )
        for person in recipients
    )
    transaction.on_commit(lambda: _wake_workers([now]))


def messages_schedule_checkin(*, appointment: Appointment, now: datetime) -> None:
    """A new check-in link, asked for by a client whose link expired."""
    if appointment.messages.filter(kind=MessageKind.CHECKIN, status__in=PENDING).exists():
        return  # one is on its way already
    message_queue(kind=MessageKind.CHECKIN, now=now, appointment=appointment)


def messages_schedule_new_link(*, appointment: Appointment, now: datetime) -> None:
    """The client's manage link, sent again after staff revoked the old one."""
    if appointment.messages.filter(kind=MessageKind.NEW_LINK, status__in=PENDING).exists():
        return  # one is on its way, and it is rendered with the newest link when sent
    message_queue(kind=MessageKind.NEW_LINK, now=now, appointment=appointment)


def messages_cancel_pending(*, appointment: Appointment) -> None:
    appointment.messages.filter(status__in=PENDING).update(status=MessageStatus.CANCELLED)


def messages_cancel_reminders(*, appointment: Appointment) -> None:
    """The session has started: reminders of it, and links to change it, are not wanted."""
    appointment.messages.filter(
        kind__in=(MessageKind.REMINDER, MessageKind.NEW_LINK), status__in=PENDING
    ).update(status=MessageStatus.CANCELLED)


def _claim(now: datetime) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status__in=PENDING, next_attempt_at__lte=now)
                | Q(status=MessageStatus.SENDING, lease_until__lt=now)
            )
            # However a check-in came to be due, its link never goes before the session ends.
            .exclude(
                Q(kind=MessageKind.CHECKIN)
                & Exists(Appointment.objects.filter(pk=OuterRef("appointment_id"), end__gt=now))
            )
            .order_by("next_attempt_at")
            .first()
        )
        if message is None:
            return None
        message.status = MessageStatus.SENDING
        message.lease_until = now + LEASE
        message.attempts += 1
        message.save(update_fields=["status", "lease_until", "attempts"])
        return message


def outbox_flush(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send what is due; returns how many were sent. Safe to run from several workers."""
    sent = 0
    for _ in range(limit):
        moment = now or timezone.now()
        message = _claim(moment)
        if message is None:
            break
        if _deliver(message, moment):
            sent += 1
    return sent


# Makes a message's e-mail when it is sent, or None when it is no longer wanted.
Renderer = Callable[[Message, datetime], EmailMultiAlternatives | None]
_renderers: dict[str, Renderer] = {}
# Runs in the transaction that records a message as sent.
SentHook = Callable[[Message], None]
_sent_hooks: dict[str, SentHook] = {}


def message_renderer_register(
    kinds: Iterable[str], renderer: Renderer, *, sent: SentHook | None = None
) -> None:
    """Let an app write the e-mails of its own kinds of message (alliance.care: check-in links
    and alerts; booking/notices.py), so the outbox need not know its models. `sent` tidies up
    once one is sent, e.g. forgets an address that was kept only for it."""
    for kind in kinds:
        _renderers[kind] = renderer
        if sent is not None:
            _sent_hooks[kind] = sent


def _email_for(message: Message, now: datetime) -> EmailMultiAlternatives | None:
    """The e-mail to send now, or None when it is no longer wanted."""
    renderer = _renderers.get(message.kind)
    if renderer is not None:
        return renderer(message, now)
    if message.waitlist_offer_id is not None:
        offer = WaitlistOffer.objects.select_related(
            "entry", "entry__therapist", "entry__appointment_type"
        ).get(pk=message.waitlist_offer_id)
        stale = (
            offer.status != OfferStatus.OPEN
            or offer.start <= now
            or offer.entry.status != WaitlistStatus.WAITING  # left the list, or booked
        )
        return None if stale else offer_email(message, offer)
    if message.appointment_id is None:
        raise LookupError(f"no e-mail renderer registered for {message.kind!r} messages")
    appointment = Appointment.objects.select_related("therapist", "client", "appointment_type").get(
        pk=message.appointment_id
    )
    stale = message.kind in (MessageKind.REMINDER, MessageKind.NEW_LINK) and (
        appointment.status not in UPCOMING or appointment.start <= now
    )
    return None if stale else message_email(message, appointment)


def _deliver(message: Message, now: datetime) -> bool:
    email = _email_for(message, now)
    if email is None:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.CANCELLED)
        return False
    try:
        email.send()
    except Exception as error:
        retry = message.attempts < MAX_ATTEMPTS
        # Only the kind of failure: SMTP replies can quote the recipient's address.
        reason = type(error).__name__ + (
            f" {error.smtp_code}" if hasattr(error, "smtp_code") else ""
        )
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.RETRYING if retry else MessageStatus.FAILED,
            next_attempt_at=now + timedelta(minutes=2**message.attempts),
            last_error=reason[:200],
            lease_until=None,
        )
        logger.warning("message %s failed (%s), attempt %d", message.uuid, reason, message.attempts)
        return False
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
        )
        hook = _sent_hooks.get(message.kind)
        if hook is not None:
            hook(message)
    logger.info("message %s sent", message.uuid)
    return True


def message_id(message: Message) -> str:
    # Stable across retries (unlike email.utils.make_msgid), so a duplicate is recognisable.
    domain = urlsplit(settings.SITE_URL).hostname or "alliance.invalid"
    return f"<{message.uuid}@{domain}>"


def templated_email(
    message: Message, *, to: list[str], subject: str, template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    """The e-mail from `template`.txt and `template`.html, from the practice by name, with the
    message's Message-ID: every e-mail the outbox sends is made here."""
    practice = Practice.objects.current()
    context = {**context, "subject": subject}
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=formataddr((practice.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
        to=to,
        # No practice address: no Reply-To, and the templates ask for no reply.
        reply_to=[practice.email] if practice.email else [],
        # RFC 3834: vacation responders and the like must not answer it.
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email


SUBJECTS = {
    MessageKind.CONFIRMATION: "Booked: {what} on {when}",
    MessageKind.RESCHEDULED: "New time: {what} on {when}",
    MessageKind.REMINDER: "Reminder: {what} on {when}",
    MessageKind.CANCELLATION: "Cancelled: {what} on {when}",
    MessageKind.NEW_LINK: "New link: {what} on {when}",
}


def message_email(message: Message, appointment: Appointment) -> EmailMultiAlternatives:
    practice = Practice.objects.current()
    zone = practice.zone
    when = format_local(appointment.start, zone)
    context = {
        "practice": practice,
        "appointment": appointment,
        "kind": message.kind,
        "when": when,
        "manage_link": settings.SITE_URL
        + reverse("booking:manage", kwargs={"token": manage_token_make(appointment)}),
        "late_cancel_hours": practice.late_cancel_hours,
        "consultation_link": settings.SITE_URL + reverse("booking:consultation"),
        "format_notice": (
            format_only_notice(appointment.format, practice, whose="your", moved=True)
            if message.format_changed
            else ""
        ),
    }
    email = templated_email(
        message,
        to=[appointment.client.email],
        subject=SUBJECTS[MessageKind(message.kind)].format(
            what=appointment.appointment_type.name, when=when
        ),
        template="booking/email/appointment",
        context=context,
    )
    if message.kind not in (MessageKind.REMINDER, MessageKind.NEW_LINK):
        method = "CANCEL" if message.kind == MessageKind.CANCELLATION else "REQUEST"
        email.attach(
            "appointment.ics",
            appointment_calendar(appointment, practice, method=method),
            f"text/calendar; method={method}; charset=utf-8",
        )
    return email


def appointment_event(appointment: Appointment, practice: Practice) -> Event:
    link = appointment.join_link
    if appointment.format == "in_person":
        location = practice.address.replace("\n", ", ")
    elif link:
        location = f"Video session: {link}"
    else:
        location = "Video session (your therapist will send you the link)"
    return Event(
        uid=f"{appointment.uuid}@alliance",
        start=appointment.start,
        end=appointment.end,
        sequence=appointment.sequence,
        summary=f"{appointment.appointment_type.name} with {appointment.therapist.name}",
        location=location,
        url=link,
        cancelled=not appointment.is_active,
        organizer_email=practice.email,
        organizer_name=practice.name,
        attendee_email=appointment.client.email,
    )


def appointment_calendar(appointment: Appointment, practice: Practice, *, method: str) -> str:
    return calendar([appointment_event(appointment, practice)], method=method, stamp=timezone.now())


def offer_email(message: Message, offer: WaitlistOffer) -> EmailMultiAlternatives:
    practice = Practice.objects.current()
    when = format_local(offer.start, practice.zone)
    context = {
        "practice": practice,
        "offer": offer,
        "when": when,
        "link": settings.SITE_URL
        + reverse("booking:offer", kwargs={"token": waitlist_offer_token_make(offer)}),
        "leave_link": settings.SITE_URL
        + reverse(
            "booking:waitlist_leave", kwargs={"token": waitlist_leave_token_make(offer.entry)}
        ),
    }
    return templated_email(
        message,
        to=[offer.entry.email],
        subject=f"A time opened with {offer.entry.therapist.name}: {when}",
        template="booking/email/waitlist_offer",
        context=context,
    )
