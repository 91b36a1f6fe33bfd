"""A worker killed in the middle of sending loses nothing and sends nothing twice: a real
process, really killed, while its SMTP connection hangs; another worker sends after the lease."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connections
from django.utils import timezone
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book
from alliance.outbox.models import Message, MessageStatus
from alliance.outbox.sending import LEASE, outbox_flush
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    settings = connections["default"].settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"], settings["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class BlackHole:
    """Accepts SMTP connections and never says a word: a sender waits for the greeting."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port: int = self.socket.getsockname()[1]
        self.accepted = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            connection, _ = self.socket.accept()
        except OSError:
            return
        self.connections.append(connection)
        self.accepted.set()

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self.socket.close()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    smtp_server: SmtpServer, settings: Settings
) -> None:
    appointment = appointment_book(
        therapist=bookable_therapist(),
        appointment_type=consultation_type(),
        client=client(),
        start=local(3, 10),
        format="telehealth",
    )
    hole = BlackHole()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(hole.port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="60",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "outbox_flush"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert hole.accepted.wait(timeout=60), "the worker never tried to send"
        time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)  # no chance to clean up
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        hole.close()
    confirmation = appointment.messages.get(kind="confirmation")
    assert confirmation.status == MessageStatus.SENDING  # claimed, then the worker died
    settings.MAILERS = smtp_server.mailers()
    assert outbox_flush() == 0  # its lease still holds: nobody else sends it yet
    with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=1)):
        assert outbox_flush() == 1
        assert outbox_flush() == 0
    assert len(smtp_server.messages) == 1
    assert Message.objects.get(pk=confirmation.pk).status == MessageStatus.SENT
