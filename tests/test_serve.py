"""`make run`'s last step: the web server and the worker start together and Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_serve_starts_both_processes_and_ctrl_c_stops_them(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PORT", "SITE_URL")
    }
    env["DATA_DIR"] = str(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    port = free_port()
    serve = subprocess.Popen(
        [*manage, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        children = subprocess.run(
            ["pgrep", "-g", str(serve.pid), "-f", "manage.py (runserver|worker)"],
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(children) == 2
        # The links they print and e-mail (SITE_URL's default) name the port actually served.
        for child in children:
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
            assert f"PORT={port}".encode() in environ
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = serve.communicate(timeout=30)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert f"Alliance is running at http://127.0.0.1:{port}/" in output
    assert "frontdesk@sabal.test" in output
    leftover = subprocess.run(["pgrep", "-g", str(serve.pid)], capture_output=True, text=True)
    assert leftover.stdout == ""
