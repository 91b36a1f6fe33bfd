"""The task worker outlives database faults, in real processes on PostgreSQL: its connections
terminated again and again, the database refusing connections for a while, the database made
read-only, and a worker killed with SIGKILL in the middle of sending. Each time the worker (or
the one started after it) goes on, and the queued e-mail goes out exactly once."""

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.booking.test_outbox_crash import BlackHole
from tests.postgres import admin_execute, scratch_database
from tests.production import ROOT, manage, production_env
from tests.smtp import SmtpServer, free_port
from tests.tcp_proxy import RefusingProxy

WORKER_APP = "alliance-worker"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database() as url:
        env = production_env(url, tmp_path_factory.mktemp("data"), free_port())
        manage(env, "migrate", "--no-input", "-v0")
        yield url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def worker_env(database_url: str, tmp_path: Path, smtp_port: int) -> dict[str, str]:
    # The worker names itself on the server so that a test can end its connections alone.
    return production_env(
        database_url + f"?application_name={WORKER_APP}",
        tmp_path,
        free_port(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="60",
    )


def worker_start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A worker, once it has started and made its first sweep."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "started" not in log.read_text():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    time.sleep(0.5)
    return worker


def book(
    database_url: str, tmp_path: Path, email: str, days_ahead: int, *, writable: bool = False
) -> None:
    """Book a consultation for a client at `email`, as the site would: the confirmation e-mail
    is queued in the booking's transaction. `writable`: this session may write though the
    database is read-only for everyone else."""
    code = (
        "from django.db import connection\n"
        + (
            "connection.cursor().execute('SET default_transaction_read_only = off')\n"
            if writable
            else ""
        )
        + "from alliance.booking.appointments import appointment_book\n"
        "from tests.booking.fixtures import bookable_therapist, client, consultation_type, local\n"
        "appointment_book(therapist=bookable_therapist(), appointment_type=consultation_type(),"
        f" client=client(email={email!r}), start=local({days_ahead}, 10), format='telehealth')\n"
    )
    manage(production_env(database_url, tmp_path, free_port()), "shell", "-c", code)


def worker_backends_end(database_url: str) -> int:
    name = urlsplit(database_url).path.lstrip("/")
    return len(
        admin_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s",
            name,
            WORKER_APP,
        )
    )


def worker_waits_on_a_lock(database_url: str) -> bool:
    name = urlsplit(database_url).path.lstrip("/")
    return bool(
        admin_execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND application_name = %s"
            " AND wait_event_type = 'Lock'",
            name,
            WORKER_APP,
        )
    )


def site_wait(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# Long enough for the worker's backoff, which doubles up to a minute while the fault lasts.
def delivered_to(smtp: SmtpServer, email: str, seconds: float = 150) -> int:
    """How many e-mails reached `email`, once at least one has (or the time is up), and then
    a few seconds more to see a second copy if one were coming."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not _count(smtp, email):
        time.sleep(0.2)
    time.sleep(3)
    return _count(smtp, email)


def _count(smtp: SmtpServer, email: str) -> int:
    return sum(1 for message in smtp.messages if message["To"] == email)


def stop(worker: subprocess.Popen[bytes], log: Path) -> str:
    assert worker.poll() is None, "the worker exited:\n" + log.read_text()
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)
    return log.read_text()


def test_worker_outlives_its_connections_being_terminated(
    database: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    worker = worker_start(worker_env(database, tmp_path, smtp.port), log)
    try:
        # Twice, end its connection in the middle of a query: a lock holds the query there.
        # (An idle connection that is ended is just replaced, with nothing to see.)
        for _ in range(2):
            with psycopg.connect(database) as locker:
                locker.execute("LOCK TABLE django_tasks_database_dbtaskresult")
                site_wait(lambda: worker_waits_on_a_lock(database), "the worker to wait")
                assert worker_backends_end(database) == 1
        site_wait(lambda: "database unavailable" in log.read_text(), "the worker to see it")
        book(database, tmp_path, "terminated@example.com", days_ahead=3)
        assert delivered_to(smtp, "terminated@example.com") == 1
        stop(worker, log)
    finally:
        if worker.poll() is None:
            worker.kill()


def test_worker_waits_while_the_database_refuses_connections(
    database: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    server = urlsplit(database)
    proxy = RefusingProxy(server.hostname or "127.0.0.1", server.port or 5432)
    through_proxy = urlunsplit(server._replace(netloc=f"{server.username}@127.0.0.1:{proxy.port}"))
    log = tmp_path / "worker.log"
    worker = worker_start(worker_env(through_proxy, tmp_path, smtp.port), log)
    try:
        time.sleep(2)  # the worker is connected and polling
        proxy.refuse()
        # Mail queued while the worker cannot reach the database.
        book(database, tmp_path, "refused@example.com", days_ahead=4)
        time.sleep(5)
        assert _count(smtp, "refused@example.com") == 0
        proxy.accept()
        assert delivered_to(smtp, "refused@example.com") == 1
        output = stop(worker, log)
    finally:
        proxy.refuse()
        if worker.poll() is None:
            worker.kill()
    assert "database unavailable (OperationalError)" in output


def test_worker_waits_while_the_database_is_read_only(
    database: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    name = urlsplit(database).path.lstrip("/")
    log = tmp_path / "worker.log"
    worker = worker_start(worker_env(database, tmp_path, smtp.port), log)
    try:
        admin_execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        worker_backends_end(database)  # its next connection is read-only
        book(database, tmp_path, "readonly@example.com", days_ahead=5, writable=True)
        time.sleep(4)
        assert _count(smtp, "readonly@example.com") == 0
        admin_execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        assert delivered_to(smtp, "readonly@example.com") == 1
        output = stop(worker, log)
    finally:
        admin_execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        if worker.poll() is None:
            worker.kill()
    assert "database unavailable" in output


def test_a_task_left_running_by_a_killed_worker_is_reclaimed(
    database: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    hole = BlackHole()  # the first worker hangs sending, and is killed there
    log = tmp_path / "first.log"
    first = worker_start(worker_env(database, tmp_path, hole.port), log)
    try:
        book(database, tmp_path, "killed@example.com", days_ahead=6)
        assert hole.accepted.wait(timeout=60), "the worker never tried to send"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        hole.close()
    with psycopg.connect(database, autocommit=True) as connection:
        [(running,)] = connection.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        ).fetchall()
        assert running == 1  # the outbox run the killed worker had claimed
        # Time passes beyond both leases (the task's ten minutes, the message's five).
        connection.execute(
            "UPDATE django_tasks_database_dbtaskresult SET started_at = started_at - interval"
            " '11 minutes' WHERE status = 'RUNNING'"
        )
        connection.execute(
            "UPDATE outbox_message SET lease_until = lease_until - interval '6 minutes'"
            " WHERE status = 'sending'"
        )
    log = tmp_path / "second.log"
    second = worker_start(worker_env(database, tmp_path, smtp.port), log)
    try:
        assert delivered_to(smtp, "killed@example.com") == 1
        output = stop(second, log)
    finally:
        if second.poll() is None:
            second.kill()
    with psycopg.connect(database) as connection:
        statuses = connection.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        ).fetchall()
    assert statuses == []
    assert "reclaimed 1 task(s) left running by a worker that stopped" in output
