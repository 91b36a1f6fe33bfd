import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alliance.demo import content as demo
from alliance.outbox.tasks import outbox_flush_task
from alliance.practice.serving import connection_budget

WORKER_RESTART_MOST_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Run the web server and the task worker together; Ctrl-C stops both. A worker that "
        "exits is started again. --production serves with gunicorn (DEBUG must be off)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--production",
            action="store_true",
            help="gunicorn (alliance/gunicorn_conf.py) and TASK_WORKERS workers, DEBUG off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, production = options["host"], options["port"], options["production"]
        manage = [sys.executable, "manage.py"]
        # The server and workers read settings afresh: their links (SITE_URL's default) must
        # name the port served, not whatever PORT the shell had.
        os.environ["PORT"] = str(port)
        if production:
            if settings.DEBUG:
                raise CommandError("--production needs DEBUG=false (see docs/operations.md).")
            budget = connection_budget()
            if not budget.fits:
                raise CommandError(
                    budget.explain() + ": too many. Lower WEB_WORKERS or WEB_THREADS, or raise "
                    "the database's max_connections (docs/operations.md)."
                )
            self.stdout.write(budget.explain())
            web = [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:alliance.gunicorn_conf",
                "--bind",
                f"{host}:{port}",
                "alliance.wsgi",
            ]
            task_workers = settings.TASK_WORKERS
        else:
            web = [*manage, "runserver", f"{host}:{port}", "--noreload"]
            task_workers = 1
        # Anything left in the outbox by an earlier run (a crash, a full queue) goes out now.
        outbox_flush_task.enqueue()
        server = subprocess.Popen(web)
        workers = [_Supervised([*manage, "worker"]) for _ in range(task_workers)]
        self.stdout.write(self.style.SUCCESS(f"\nAlliance is running at http://{host}:{port}/\n"))
        if not production:
            self.stdout.write(_demo_sign_ins())
        self.stdout.write("Press Ctrl-C to stop the server and the worker.\n")
        # Ctrl-C reaches the whole process group; a plain `kill` reaches only us. Either way we
        # stop the children with SIGTERM, which both handle even where SIGINT is ignored. SIGINT
        # is set here too: a shell's background job starts with it ignored, and so would we.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
        stopped = False
        try:
            while server.poll() is None:
                for worker in workers:
                    worker.keep_alive(self.stderr.write)
                time.sleep(0.5)
        except KeyboardInterrupt:
            stopped = True
        finally:
            _stop([server, *(worker.process for worker in workers)])
        if not stopped:
            self.stderr.write(f"Stopped because the web server exited ({server.returncode}).")


class _Supervised:
    """A task worker, started again when it exits: a crash must not stop background work
    (the worker itself waits out database faults; this covers everything else)."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.pause = 1.0
        self.restart_at: float | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()

    def keep_alive(self, report: Any) -> None:
        code = self.process.poll()
        if code is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            if now - self.started_at > WORKER_RESTART_MOST_SECONDS:
                self.pause = 1.0  # it had been running well: a one-off, not a crash loop
            report(f"The task worker exited ({code}); starting it again in {self.pause:.0f} s.\n")
            self.restart_at = now + self.pause
            self.pause = min(self.pause * 2, WORKER_RESTART_MOST_SECONDS)
        elif now >= self.restart_at:
            self.start()
            self.restart_at = None


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            # Longer than gunicorn's graceful timeout, so requests in flight are answered.
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _demo_sign_ins() -> str:
    one_per_role: dict[str, demo.UserData] = {}
    for user in demo.USERS:
        one_per_role.setdefault(user["role"], user)
    return (
        "Demo sign-ins (staff sign-in at /staff/sign-in/), password "
        f"{demo.DEMO_PASSWORD!r}:\n"
        + "".join(f"  {role:<10} {user['email']}\n" for role, user in one_per_role.items())
    )


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
