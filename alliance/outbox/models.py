import uuid

from django.db import models
from django.utils import timezone

from alliance.accounts.models import User


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Not needed"


# Waiting to be sent: not yet claimed by a worker.
PENDING = (MessageStatus.QUEUED, MessageStatus.RETRYING)

# The names of the kinds of message, given by the apps that own them (message_kinds_register).
_kind_labels: dict[str, str] = {}


def message_kinds_register(kinds: type[models.TextChoices]) -> None:
    """Name an app's kinds of message, for the staff pages and the admin."""
    _kind_labels.update(kinds.choices)


class Message(models.Model):
    """One e-mail in the outbox until sent. What it is about lives in the subclass of the app
    that sent it (multi-table: deleting what a message is about deletes the message too).

    Rows are written in the same transaction as the change they announce, so nothing is lost;
    the content is rendered when it is sent, from the rows as they are then, so nothing
    personal is stored twice and a reminder always shows the current time.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # For messages to staff (alerts); a client's address is read from what the message is about.
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    # One of the kinds an app registered; the apps' own choices, so none are listed here.
    kind = models.CharField(max_length=16)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    send_after = models.DateTimeField()
    next_attempt_at = models.DateTimeField(db_index=True)
    # While a worker sends, it holds the row until this time; a worker that dies lets it lapse.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["send_after"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"

    def get_kind_display(self) -> str:
        return _kind_labels.get(self.kind, self.kind)
