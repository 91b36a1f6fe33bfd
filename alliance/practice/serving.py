"""How many database connections the running site can hold at once, and how many it may.

Each web thread and each task worker holds at most one connection at a time (CONN_MAX_AGE keeps
it between requests, never more than one per thread), plus a few for cron jobs and a shell.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

# Cron or timer jobs (outbox_flush, alerts_escalate, signals_recompute, backup) and one shell.
RESERVED_FOR_COMMANDS = 3


@dataclass(frozen=True)
class ConnectionBudget:
    web: int
    tasks: int
    commands: int
    limit: int | None  # None: the database sets none we can read (SQLite)

    @property
    def needed(self) -> int:
        return self.web + self.tasks + self.commands

    @property
    def fits(self) -> bool:
        return self.limit is None or self.needed <= self.limit

    def explain(self) -> str:
        sum_ = (
            f"{settings.WEB_WORKERS} web workers x {settings.WEB_THREADS} threads"
            f" + {self.tasks} task worker(s) + {self.commands} for commands = {self.needed}"
        )
        if self.limit is None:
            return f"database connections: {sum_}"
        return f"database connections: {sum_}, of {self.limit} the database allows this role"


def connection_budget() -> ConnectionBudget:
    return ConnectionBudget(
        web=settings.WEB_WORKERS * settings.WEB_THREADS,
        tasks=settings.TASK_WORKERS,
        commands=RESERVED_FOR_COMMANDS,
        limit=_postgresql_limit() if connection.vendor == "postgresql" else None,
    )


def _postgresql_limit() -> int:
    """The fewest of: the server's slots for ordinary roles, this role's limit and this
    database's limit (-1 means none), less the connections other programs hold now."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_setting('max_connections')::int
                   - current_setting('superuser_reserved_connections')::int,
                   (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user),
                   (SELECT datconnlimit FROM pg_database WHERE datname = current_database()),
                   (SELECT count(*) FROM pg_stat_activity
                     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())
            """
        )
        server, role, database, others = cursor.fetchone()
    limits = [server - others] + [limit for limit in (role, database) if limit >= 0]
    return int(min(limits))
