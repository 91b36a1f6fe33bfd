import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from alliance.booking.tasks import outbox_flush_task
from alliance.practice import demo_content as demo


class Command(BaseCommand):
    help = "Run the web server and the task worker together; Ctrl-C stops both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        manage = [sys.executable, "manage.py"]
        # Anything left in the outbox by an earlier run (a crash, a full queue) goes out now.
        outbox_flush_task.enqueue()
        processes = [
            subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]),
            subprocess.Popen([*manage, "db_worker", "--no-reload"]),
        ]
        one_per_role: dict[str, demo.UserData] = {}
        for user in demo.USERS:
            one_per_role.setdefault(user["role"], user)
        self.stdout.write(
            self.style.SUCCESS(f"\nAlliance is running at http://127.0.0.1:{port}/\n")
            + "Demo sign-ins (staff sign-in at /staff/sign-in/), password "
            f"{demo.DEMO_PASSWORD!r}:\n"
            + "".join(f"  {role:<10} {user['email']}\n" for role, user in one_per_role.items())
            + "Press Ctrl-C to stop the server and the worker.\n"
        )
        # Ctrl-C reaches the whole process group; a plain `kill` reaches only us. Either way we
        # stop the children with SIGTERM, which both handle even where SIGINT is ignored.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [
            process.args
            for process in processes
            if process.returncode not in (0, -signal.SIGINT, -signal.SIGTERM)
        ]
        if failed:
            self.stderr.write(f"Stopped because a process exited: {failed}")


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
