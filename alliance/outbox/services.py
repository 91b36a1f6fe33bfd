from collections import defaultdict
from collections.abc import Sequence

from django.db import router, transaction

from alliance.outbox.models import Message
from alliance.outbox.tasks import workers_wake


def messages_queue(messages: Sequence[Message]) -> None:
    """Save these new messages in the caller's transaction, each due at its send_after: they
    exist if and only if the change they announce commits, and once it does a worker is woken
    for each moment one falls due. Two INSERTs per kind of message, however many."""
    by_model: dict[type[Message], list[Message]] = defaultdict(list)
    for message in messages:
        message.next_attempt_at = message.send_after
        by_model[type(message)].append(message)
    for model, rows in by_model.items():
        _rows_insert(model, rows)
    moments = sorted({message.send_after for message in messages})
    transaction.on_commit(lambda: workers_wake(moments))


def _rows_insert(model: type[Message], rows: list[Message]) -> None:
    if model is Message:
        Message.objects.bulk_create(rows)
        return
    # bulk_create refuses a multi-table model (an app's BookingMessage, AlertMessage): the outbox
    # rows go in one INSERT, which returns their ids, and the app's rows in one more.
    parents = [
        Message(
            **{
                field.attname: getattr(row, field.attname)
                for field in Message._meta.concrete_fields
            }
        )
        for row in rows
    ]
    Message.objects.bulk_create(parents)
    for row, parent in zip(rows, parents, strict=True):
        for field in Message._meta.concrete_fields:
            setattr(row, field.attname, getattr(parent, field.attname))
        setattr(row, model._meta.pk.attname, parent.pk)
    using = router.db_for_write(model)
    model._base_manager._insert(  # type: ignore[attr-defined]
        rows, fields=model._meta.local_concrete_fields, using=using
    )
    for row in rows:
        row._state.adding = False
        row._state.db = using
