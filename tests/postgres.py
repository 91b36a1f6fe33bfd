"""A throwaway PostgreSQL database for the tests that run real processes against one (the
production server, the worker under database faults, backups).

They need a PostgreSQL server whatever database the rest of the suite uses: `TEST_POSTGRES_URL`
names it (default: the local one CI starts, trust auth). Without one these tests fail, saying so.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

SERVER_URL = os.environ.get("TEST_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/postgres"


def _connect() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"this test needs a PostgreSQL server at {SERVER_URL} (set TEST_POSTGRES_URL): {error}"
        ) from error


def admin_execute(sql: str, *params: object) -> list[tuple[object, ...]]:
    """Run one statement on the server's maintenance database; rows if it returns any."""
    with _connect() as connection:
        cursor = connection.execute(sql.encode(), params or None)
        return list(cursor.fetchall()) if cursor.description else []


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database for the block; its URL. Dropped after, connections and all."""
    name = f"alliance_scratch_{uuid.uuid4().hex[:12]}"
    admin_execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(SERVER_URL)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backends_terminate(database_url: str) -> int:
    """End every server process serving that database, as a restart or an admin would."""
    name = urlsplit(database_url).path.lstrip("/")
    rows = admin_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        name,
    )
    return len(rows)
