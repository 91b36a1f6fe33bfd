"""300 people send the consultation form at the same moment to the production server on
PostgreSQL. Every one gets an answer (saved, or 429/503 with Retry-After), never a connection
error or a 500, and every saved request was answered as saved: nothing committed unanswered.

Twice: within the connection arithmetic (every form saved), and with the database allowing the
site fewer connections than it has threads (some told to try again, none lost). And the server
refuses to start when its arithmetic cannot fit the database."""

import http.client
import secrets
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from tests.postgres import admin_execute, scratch_database
from tests.production import ROOT, manage, production_env, production_site
from tests.smtp import free_port

SENDERS = 300
SAVED = 302  # the thank-you page


def send_all(port: int, batch: str) -> list[tuple[str, int | str, str | None]]:
    """Each sender's (name, status or the connection error, Retry-After)."""
    csrf = secrets.token_hex(16)  # 32 characters: Django compares the cookie with the field
    start = threading.Barrier(SENDERS)
    answers: list[tuple[str, int | str, str | None]] = []

    def send(index: int) -> None:
        name = f"{batch} sender {index}"
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "submission_token": str(uuid.uuid4()),
                "name": name,
                "email": f"sender{index}@example.com",
                "preferred_contact": "email",
                "message": "I would like to talk to someone.",
                "consent": "on",
            }
        )
        start.wait()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request(
                "POST",
                "/consultation/",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf}",
                },
            )
            response = connection.getresponse()
            response.read()
            answers.append((name, response.status, response.getheader("Retry-After")))
        except OSError as error:
            answers.append((name, type(error).__name__, None))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def saved_names(database_url: str, batch: str) -> set[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT name FROM booking_consultationrequest WHERE name LIKE %s", (f"{batch} %",)
        ).fetchall()
    return {name for (name,) in rows}


def test_300_simultaneous_forms_are_all_answered_and_none_is_lost(tmp_path: Path) -> None:
    role = f"alliance_{secrets.token_hex(4)}"
    admin_execute(f"CREATE ROLE {role} LOGIN")
    try:
        with scratch_database() as admin_url:
            name = urlsplit(admin_url).path.lstrip("/")
            admin_execute(f'ALTER DATABASE "{name}" OWNER TO {role}')
            url = urlunsplit(urlsplit(admin_url)._replace(netloc=f"{role}@127.0.0.1:5432"))
            port = free_port()
            env = production_env(
                url,
                tmp_path,
                port,
                WEB_WORKERS="2",
                WEB_THREADS="4",
                PUBLIC_FORM_RATE_LIMIT="1000/m",
            )
            manage(env, "migrate", "--no-input", "-v0")
            manage(env, "collectstatic", "--no-input", "-v0")
            with production_site(env, port) as site:
                within = send_all(port, "within")
                admin_execute(f"ALTER ROLE {role} CONNECTION LIMIT 3")
                starved = send_all(port, "starved")
                admin_execute(f"ALTER ROLE {role} CONNECTION LIMIT -1")
                site.stop()
            statuses = Counter(status for _, status, _ in within)
            assert statuses == {SAVED: SENDERS}
            assert saved_names(admin_url, "within") == {name for name, _, _ in within}

            statuses = Counter(status for _, status, _ in starved)
            assert set(statuses) <= {SAVED, 503}, statuses
            assert statuses[503] > 0, "the database refused some connections"
            assert all(after == "10" for _, status, after in starved if status == 503)
            answered_saved = {name for name, status, _ in starved if status == SAVED}
            assert saved_names(admin_url, "starved") == answered_saved
    finally:
        admin_execute(f"DROP ROLE IF EXISTS {role}")


def test_the_server_refuses_to_start_with_more_threads_than_the_database_allows(
    tmp_path: Path,
) -> None:
    with scratch_database() as url:
        env = production_env(url, tmp_path, free_port(), WEB_WORKERS="40", WEB_THREADS="4")
        refused = subprocess.run(
            [sys.executable, "manage.py", "serve", "--production"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert refused.returncode != 0
    assert "40 web workers x 4 threads + 1 task worker(s) + 3 for commands = 164" in refused.stderr
    assert "too many" in refused.stderr
