"""The production start (`make serve`): DEBUG off, gunicorn with the task worker beside it, on
PostgreSQL, serving pages, the API and compressed static files with hashed names cached for a
year; a worker that dies is started again; Ctrl-C stops everything."""

import gzip
import os
import re
import signal
from pathlib import Path

from tests.postgres import scratch_database
from tests.production import fetch, manage, production_env, production_site
from tests.smtp import free_port

YEAR = 365 * 24 * 3600


def test_production_serves_pages_api_and_static_files_and_keeps_a_worker(tmp_path: Path) -> None:
    port = free_port()
    with scratch_database() as database_url:
        env = production_env(database_url, tmp_path, port)
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "collectstatic", "--no-input", "-v0")
        manage(env, "load_demo", "--without-history")
        with production_site(env, port) as site:
            home = fetch(site.base + "/")
            assert home.status == 200
            page = home.read().decode()
            profile = re.search(r'href="(/therapists/[a-z-]+/)"', page)
            assert profile, "the home page links a therapist's profile"
            assert fetch(site.base + profile.group(1)).status == 200
            api = fetch(site.base + "/api/v1/therapists")
            assert api.status == 200
            assert api.headers["Content-Type"].startswith("application/json")

            # The stylesheet under its hashed name, compressed, cached for a year.
            stylesheet = re.search(r'href="(/static/css/alliance\.[0-9a-f]{12}\.css)"', page)
            assert stylesheet, "pages link the hashed stylesheet"
            css = fetch(site.base + stylesheet.group(1), **{"Accept-Encoding": "gzip"})
            assert css.status == 200
            assert css.headers["Content-Encoding"] == "gzip"
            assert b"body" in gzip.decompress(css.read())
            cache = css.headers["Cache-Control"]
            max_age = int(re.search(r"max-age=(\d+)", cache).group(1))  # type: ignore[union-attr]
            assert max_age >= YEAR
            assert "immutable" in cache

            # DEBUG is off: an unknown page is the practice's calm 404, not Django's debug page.
            missing = fetch(site.base + "/no-such-page/")
            assert missing.status == 404
            assert "Using the URLconf" not in missing.read().decode()

            assert len(site.children(r"gunicorn.*alliance\.wsgi")) == 3  # a master, 2 workers
            [worker] = site.children("manage.py worker")
            os.kill(worker, signal.SIGKILL)
            site.wait_for(
                lambda: site.children("manage.py worker") not in ([], [worker]),
                "the task worker to be started again",
            )
            output = site.stop()
    assert f"Alliance is running at http://127.0.0.1:{port}/" in output
    assert "database connections: 2 web workers x 2 threads" in output
    assert "The task worker exited (-9); starting it again" in output
    assert site.children(".") == []
