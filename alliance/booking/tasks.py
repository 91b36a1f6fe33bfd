from django.tasks import task


@task()
def outbox_flush_task() -> int:
    """Send the e-mails that are due (see booking/outbox.py)."""
    from alliance.booking.outbox import outbox_flush

    return outbox_flush()
