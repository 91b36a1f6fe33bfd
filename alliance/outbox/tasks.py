import logging
from datetime import datetime

from django.tasks import task

from alliance.outbox.sending import outbox_flush

logger = logging.getLogger(__name__)


@task()
def outbox_flush_task() -> int:
    """Send the e-mails that are due (outbox/sending.py)."""
    return outbox_flush()


def workers_wake(moments: list[datetime]) -> None:
    """Have a worker flush the outbox at each of these moments."""
    for moment in moments:
        try:
            outbox_flush_task.using(run_after=moment).enqueue()
        except Exception:
            logger.exception("could not queue an outbox run; `manage.py outbox_flush` will send")
