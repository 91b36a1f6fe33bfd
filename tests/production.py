"""Run Alliance as production does, in real processes: DEBUG off, gunicorn, the task worker,
against a database of the test's own (tests/postgres.py)."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPResponse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(database_url: str, data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        STATIC_ROOT=str(data_dir / "static"),
        WEB_WORKERS="2",
        WEB_THREADS="2",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300, cwd: Path = ROOT) -> str:
    """`manage.py` in a process of its own (of this tree, or of `cwd`'s); its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def fetch(url: str, **headers: str) -> HTTPResponse | urllib.error.HTTPError:
    """The response, whatever its status (an HTTPError is one)."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (http only, ours)
    try:
        response: HTTPResponse = urllib.request.urlopen(request, timeout=10)  # noqa: S310
    except urllib.error.HTTPError as error:
        return error
    return response


@dataclass
class Site:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def children(self, pattern: str) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-g", str(self.process.pid), "-f", pattern], capture_output=True, text=True
        )
        return [int(pid) for pid in found.stdout.split()]

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)

    def stop(self) -> str:
        """Ctrl-C, as a terminal sends it to the whole group; what it printed."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.output()

    def output(self) -> str:
        """Everything it printed, once it has stopped."""
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return self.log.read_text()


@contextmanager
def production_site(env: dict[str, str], port: int) -> Iterator[Site]:
    """`manage.py serve --production` on the port, up and answering; stopped after. Its output
    goes to a file: a pipe nobody reads fills up and blocks the server's logging."""
    log = Path(env["DATA_DIR"]) / f"serve-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--production", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    site = Site(process, f"http://127.0.0.1:{port}", log)
    try:
        site.wait_for(lambda: _answers(site.base + "/"), "the server to answer")
        yield site
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        return fetch(url).status == 200
    except OSError:
        return False
