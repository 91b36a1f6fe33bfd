"""A practice on the code from before the apps were cut by dependency direction keeps every row
when it upgrades. The old commit's own code migrates a database and loads the demo into it (with
its twelve months of check-ins); today's migrations then run on that database. Every table keeps
its row count, under its new name where it moved, and the moved records keep their links.

On SQLite and on PostgreSQL. The old tree comes from this repository's history (`git archive`),
so a shallow clone without that commit cannot run it, and the test says so.
"""

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
import pytest

from tests import production
from tests.postgres import scratch_database

ROOT = Path(__file__).resolve().parents[1]
# The last commit before the moves: the client record, the outbox and the demo still inside
# care, booking and practice.
BEFORE = "378c29a8ad807357618869e1275b07731345db75"
# Tables that moved to another app: old name → new name.
RENAMED = {"care_client": "clients_client", "booking_message": "outbox_message"}
# Content types that moved with their model: (old app, model) → new app. Every other one keeps
# its row, and so do the permissions and the admin's history that point at them.
MOVED_TYPES = {("care", "client"): "clients", ("booking", "message"): "outbox"}
# Bookkeeping tables that grow with the new models (their content types and permissions).
GROWN = {"django_migrations", "django_content_type", "auth_permission"}
# Records compared field by field across the upgrade (old query, new query).
RECORDS = {
    "clients": (
        "SELECT uuid, name, email, phone, therapist_id, erased_at FROM care_client",
        "SELECT uuid, name, email, phone, therapist_id, erased_at FROM clients_client",
    ),
    "whose appointments": (
        "SELECT a.uuid, c.uuid FROM booking_appointment a JOIN care_client c ON c.id = a.client_id",
        "SELECT a.uuid, c.uuid FROM booking_appointment a JOIN clients_client c"
        " ON c.id = a.client_id",
    ),
    "messages and what they are about": (
        "SELECT m.uuid, m.kind, m.status, m.attempts, m.send_after, a.uuid, m.alert_id"
        " FROM booking_message m LEFT JOIN booking_appointment a ON a.id = m.appointment_id",
        "SELECT m.uuid, m.kind, m.status, m.attempts, m.send_after, a.uuid, l.alert_id"
        " FROM outbox_message m"
        " LEFT JOIN booking_bookingmessage b ON b.message_id = m.id"
        " LEFT JOIN booking_appointment a ON a.id = b.appointment_id"
        " LEFT JOIN care_alertmessage l ON l.message_id = m.id",
    ),
    "whose answers": (
        "SELECT r.uuid, c.uuid, r.total FROM care_response r JOIN care_client c"
        " ON c.id = r.client_id",
        "SELECT r.uuid, c.uuid, r.total FROM care_response r JOIN clients_client c"
        " ON c.id = r.client_id",
    ),
}

Query = Callable[[str], list[tuple[object, ...]]]
Tables = Callable[[], list[str]]
Database = Callable[[Path], AbstractContextManager[tuple[str, Query, Tables]]]


def row_count(query: Query, table: str) -> int:
    (count,) = query(f'SELECT count(*) FROM "{table}"')[0]  # noqa: S608 -- our own table names
    assert isinstance(count, int)
    return count


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("before")
    archive = subprocess.run(
        ["git", "archive", BEFORE], cwd=ROOT, capture_output=True, check=False, timeout=120
    )
    assert archive.returncode == 0, (
        f"this test needs commit {BEFORE[:10]} in the repository's history (not a shallow "
        f"clone): {archive.stderr.decode()}"
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def manage(tree: Path, database_url: str, *args: str) -> None:
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(tree)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    production.manage(environment, *args, timeout=900, cwd=tree)


@contextmanager
def sqlite_database(tmp_path: Path) -> Iterator[tuple[str, Query, Tables]]:
    path = tmp_path / "practice.sqlite3"

    def query(sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(path) as connection:
            return connection.execute(sql).fetchall()

    def tables() -> list[str]:
        rows = query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [str(name) for (name,) in rows if not str(name).startswith("sqlite_")]

    yield f"sqlite:///{path}", query, tables


@contextmanager
def postgres_database(tmp_path: Path) -> Iterator[tuple[str, Query, Tables]]:
    with scratch_database() as url:

        def query(sql: str) -> list[tuple[object, ...]]:
            with psycopg.connect(url) as connection:
                return list(connection.execute(sql.encode()).fetchall())

        def tables() -> list[str]:
            rows = query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return [str(name) for (name,) in rows]

        yield url, query, tables


@pytest.mark.parametrize("database", [sqlite_database, postgres_database])
def test_an_upgrade_from_before_the_moves_keeps_every_row(
    database: Database,
    old_tree: Path,
    tmp_path: Path,
) -> None:
    with database(tmp_path) as (url, query, tables):
        manage(old_tree, url, "migrate", "--no-input")
        manage(old_tree, url, "load_demo")
        counts = {table: row_count(query, table) for table in tables()}
        types = query("SELECT id, app_label, model FROM django_content_type")
        permissions = set(query("SELECT id, content_type_id, codename FROM auth_permission"))
        records = {name: sorted(map(str, query(old))) for name, (old, _) in RECORDS.items()}
        assert counts["care_client"] > 0, "the demo filled the database"
        assert counts["care_response"] > 0, "the demo filled the database"

        manage(ROOT, url, "migrate", "--no-input")

        after_tables = set(tables())
        for table, count in counts.items():
            if table in GROWN:
                continue
            moved = RENAMED.get(table, table)
            assert moved in after_tables, f"{table} is gone (expected as {moved})"
            kept = row_count(query, moved)
            assert kept == count, f"{table} → {moved}: {count} rows before, {kept} after"
        after_types = {
            id: (app, model)
            for id, app, model in query("SELECT id, app_label, model FROM django_content_type")
        }
        for id, app, model in types:
            moved_to = MOVED_TYPES.get((str(app), str(model)), app)
            assert after_types[id] == (moved_to, model), f"content type {app}.{model}"
        assert permissions <= set(
            query("SELECT id, content_type_id, codename FROM auth_permission")
        )
        for name, (_, new) in RECORDS.items():
            assert sorted(map(str, query(new))) == records[name], name
