"""Claiming and sending: at-least-once delivery with a stable Message-ID.

A worker claims a row with a short lease; if it dies, the lease lapses and another worker sends
it. The one window where a message can go twice is between the SMTP server accepting it and our
commit; the Message-ID is the same both times, so receiving servers and mail programs can tell
it is one message.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.outbox.models import PENDING, Message, MessageStatus
from alliance.outbox.renderers import message_render, message_sent, messages_held

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6


def _claim(now: datetime) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status__in=PENDING, next_attempt_at__lte=now)
                | Q(status=MessageStatus.SENDING, lease_until__lt=now)
            )
            .exclude(messages_held(now))
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


def _deliver(message: Message, now: datetime) -> bool:
    email = message_render(message, now)
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
        message_sent(message)
    logger.info("message %s sent", message.uuid)
    return True
