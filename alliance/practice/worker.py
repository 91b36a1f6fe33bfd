"""The task worker (`manage.py worker`): django-tasks-db's worker, made to outlive the database.

django-tasks-db's own loop exits on the first database error, so a restart of PostgreSQL, a full
connection table or a read-only server stopped all background work. This one:

- waits and tries again, with backoff, when the database cannot answer (never exits on one);
- puts back to READY a task it was running when the database failed, and any task left RUNNING
  longer than TASK_LEASE by a worker that died (SIGKILL, a lost machine). Every task here may run
  again safely: each checks its own work (the outbox claims each message, the others recompute);
- runs each registered sweep every SWEEP_EVERY, so that work whose wake-up was lost (an outbox
  message whose sender died past its lease, an alert past its deadline) is done within minutes
  whether or not cron runs.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import OperationalError, close_old_connections, connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from alliance.accounts.unavailable import is_database_fault

logger = logging.getLogger(__name__)

TASK_LEASE = timedelta(minutes=10)
SWEEP_EVERY = timedelta(minutes=1)
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MOST_SECONDS = 60.0

# A sweep takes the time and returns how much it did; apps register theirs in AppConfig.ready.
Sweep = Callable[[datetime], int]
_sweeps: dict[str, Sweep] = {}


def worker_sweep_register(name: str, sweep: Sweep) -> None:
    _sweeps[name] = sweep


def tasks_reclaim(*, now: datetime, worker_id: str | None = None) -> int:
    """Put back to READY the tasks a dead worker left RUNNING: those of `worker_id` (this very
    worker, after a database fault) or any running longer than TASK_LEASE."""
    running = DBTaskResult.objects.running()
    if worker_id is not None:
        stuck = [
            task.pk
            for task in running.only("pk", "worker_ids")
            if task.worker_ids and task.worker_ids[-1] == worker_id
        ]
        lost = running.filter(pk__in=stuck)
    else:
        lost = running.filter(started_at__lt=now - TASK_LEASE)
    reclaimed = lost.update(status=TaskResultStatus.READY, started_at=None)
    if reclaimed:
        logger.warning("reclaimed %d task(s) left running by a worker that stopped", reclaimed)
    return reclaimed


class ResilientWorker(Worker):
    """Runs tasks until told to stop; a database fault means wait and try again."""

    swept_at: datetime | None = None

    def run(self) -> None:
        logger.info("worker %s started", self.worker_id)
        pause = BACKOFF_FIRST_SECONDS
        faulted = False
        while self.running:
            try:
                if faulted:
                    tasks_reclaim(now=timezone.now(), worker_id=self.worker_id)
                    faulted = False
                ran = self.step()
            except Exception as error:
                if not is_database_fault(error) or not self.running:
                    raise
                # The kind only: database messages can quote the values of the statement.
                logger.warning(
                    "database unavailable (%s); worker %s tries again in %.0f s",
                    type(error).__name__,
                    self.worker_id,
                    pause,
                )
                _connections_drop()
                faulted = True
                time.sleep(pause)
                pause = min(pause * 2, BACKOFF_MOST_SECONDS)
                continue
            pause = BACKOFF_FIRST_SECONDS
            if self.running and not ran:
                time.sleep(self.interval)

    def step(self) -> bool:
        """Sweep if due, then run one ready task; whether there was one."""
        close_old_connections()
        now = timezone.now()
        if self.swept_at is None or now - self.swept_at >= SWEEP_EVERY:
            tasks_reclaim(now=now)
            for name, sweep in _sweeps.items():
                self.sweep_run(name, sweep, now)
            self.swept_at = now
        task = self.claim_next()
        if task is None:
            return False
        self.run_task(task)
        close_old_connections()
        return True

    def sweep_run(self, name: str, sweep: Sweep, now: datetime) -> None:
        try:
            done = sweep(now)
        except Exception as error:
            if is_database_fault(error):
                raise
            # A bug in one sweep must not stop the tasks or the other sweeps.
            logger.exception("sweep %s failed", name)
            return
        if done:
            logger.info("sweep %s did %d", name, done)

    def claim_next(self) -> DBTaskResult[Any, Any] | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            ready = ready.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            ready = ready.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(ready.db):
                task = ready.get_locked()
                if task is not None:
                    task.claim(self.worker_id)
                return task
        except OperationalError as error:
            # SQLite busy for longer than its timeout: another process writes; try again soon.
            if is_locked_database_exception(error):
                return None
            raise


def _connections_drop() -> None:
    """Forget connections the fault broke, so the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            logger.debug("closing a broken connection failed", exc_info=True)
