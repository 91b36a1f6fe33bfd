from collections.abc import Sequence

from django.db import transaction

from alliance.outbox.models import Message
from alliance.outbox.tasks import workers_wake


def messages_queue(messages: Sequence[Message]) -> None:
    """Save these new messages in the caller's transaction, each due at its send_after: they
    exist if and only if the change they announce commits, and once it does a worker is woken
    for each moment one falls due."""
    for message in messages:
        message.next_attempt_at = message.send_after
        message.save()
    moments = sorted({message.send_after for message in messages})
    transaction.on_commit(lambda: workers_wake(moments))
