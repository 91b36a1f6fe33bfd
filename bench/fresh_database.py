"""A new, migrated database for a benchmark that goes through Django and the database.

A PostgreSQL URL's database is dropped and created, so never name one you keep; a SQLite URL
names a file, removed before and after. ``kept_database`` instead creates the database only if
it is missing and leaves it afterwards, so a large seeding can serve several timings.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def fresh_database(url: str) -> Iterator[None]:
    """Point Django at a new database at `url`, set it up and migrate it, for the block."""
    sqlite_path = None
    if url.startswith("sqlite:///"):
        sqlite_path = Path(url.removeprefix("sqlite:///"))
        sqlite_path.unlink(missing_ok=True)
    else:
        _recreate_postgres(url)
    with _migrated(url):
        try:
            yield
        finally:
            if sqlite_path is not None:
                sqlite_path.unlink(missing_ok=True)


@contextmanager
def kept_database(url: str) -> Iterator[None]:
    """Point Django at the database at `url`, created if missing and migrated, and keep it."""
    if not url.startswith("sqlite:///"):
        _create_postgres(url)
    with _migrated(url):
        yield


@contextmanager
def _migrated(url: str) -> Iterator[None]:
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    yield


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _create_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
