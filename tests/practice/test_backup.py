"""`manage.py backup` and `manage.py restore` as real processes against real databases, each
installation with its own DATA_DIR and database: SQLite, and a scratch PostgreSQL database
whatever database the rest of the suite uses (tests/postgres.py)."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from PIL import Image

from tests.postgres import admin_execute, scratch_database

ROOT = Path(__file__).resolve().parent.parent.parent

# Consultation requests through the app's own service, one commit each. A line is printed only
# after its commit returned, with time.monotonic(): on Linux that is CLOCK_MONOTONIC, one clock
# for every process on the machine, so the test can compare it with its own.
WRITER = """
import os, time, uuid
from alliance.booking.services import consultation_request_submit
limit, n = int(os.environ["WRITER_ROWS"]), 0
while not limit or n < limit:
    request = consultation_request_submit(
        submission_token=uuid.uuid4(), name=f"{os.environ['WRITER_NAME']} {n}",
        email="writer@example.com", phone="", preferred_contact="email", therapist=None,
        message="", times=[], times_note="", consent=True,
    )
    print("committed", request.pk, time.monotonic(), flush=True)
    n += 1
"""


@dataclass
class Site:
    """One installation: a DATA_DIR (MEDIA_ROOT is its media/) and a database."""

    data_dir: Path
    database_url: str

    @property
    def media_root(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "alliance.sqlite3"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "MEDIA_ROOT", "DJANGO_ALLOW_ASYNC_UNSAFE")
        }
        return env | {"DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url} | extra

    def manage(
        self, *args: str, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def write_requests(self, count: int, name: str) -> None:
        self.manage("shell", "-c", WRITER, WRITER_ROWS=str(count), WRITER_NAME=name)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        """Read with the database's own driver, not with anything under test."""
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.sqlite_path) as database:
                return database.execute(sql).fetchall()
        with psycopg.connect(self.database_url) as database:
            return list(database.execute(sql.encode()).fetchall())

    def tables(self) -> list[tuple[object, ...]]:
        if self.database_url.startswith("sqlite"):
            if not self.sqlite_path.exists():
                return []
            return self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")


@contextmanager
def site(vendor: str, data_dir: Path) -> Iterator[Site]:
    data_dir.mkdir()
    if vendor == "sqlite":
        yield Site(data_dir, f"sqlite:///{data_dir / 'alliance.sqlite3'}")
    else:
        with scratch_database() as url:
            yield Site(data_dir, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def vendor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def source(vendor: str, tmp_path: Path) -> Iterator[Site]:
    with site(vendor, tmp_path / "source") as made:
        made.manage("migrate", "-v0")
        yield made


@pytest.fixture
def target(vendor: str, tmp_path: Path) -> Iterator[Site]:
    with site(vendor, tmp_path / "target") as made:
        yield made


def photo_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def put_photo(site: Site, colour: str) -> bytes:
    photo = site.media_root / "therapists" / "portrait.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(photo_bytes(colour))
    return photo.read_bytes()


def api_token_hash(site: Site, email: str) -> str:
    token = site.manage("createapitoken", email, "--role", "frontdesk", "--create").stdout
    return hashlib.sha256(token.strip().encode()).hexdigest()


def request_names(site: Site) -> list[object]:
    return [row[0] for row in site.query("SELECT name FROM booking_consultationrequest")]


def test_a_backup_under_live_writes_restores_every_row_committed_before_it_began(
    source: Site, target: Site, tmp_path: Path
) -> None:
    token_hash = api_token_hash(source, "fran@example.com")
    photo = put_photo(source, "teal")
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WRITER],
        cwd=ROOT,
        env=source.env(WRITER_ROWS="0", WRITER_NAME="Live"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    commits: list[tuple[int, float]] = []

    def read() -> None:
        assert writer.stdout is not None
        for line in writer.stdout:
            if line.startswith("committed "):
                _, pk, at = line.split()
                commits.append((int(pk), float(at)))

    reader = threading.Thread(target=read)
    reader.start()
    archive = tmp_path / "backup.tar.gz"
    try:
        deadline = time.monotonic() + 60
        while len(commits) < 20:
            assert writer.poll() is None, "the writer stopped"
            assert time.monotonic() < deadline, "the writer stalled"
            time.sleep(0.05)
        began = time.monotonic()
        backup = source.manage("backup", "--output", str(archive))
        ended = time.monotonic()
        time.sleep(0.3)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
        reader.join(timeout=30)
    assert f"Backup written: {archive}" in backup.stdout
    assert any(began <= at <= ended for _, at in commits), "no write while the backup ran"

    restore = target.manage("restore", str(archive))
    assert "every row count checked" in restore.stdout
    target.manage("migrate", "--check")
    restored = {
        int(str(row[0])) for row in target.query("SELECT id FROM booking_consultationrequest")
    }
    committed_before = {pk for pk, at in commits if at < began}
    assert committed_before <= restored
    # One writer, one commit after another: a consistent snapshot is every commit up to one.
    assert restored == {pk for pk, _ in commits if pk <= max(restored)}
    assert target.query("SELECT token_hash FROM accounts_apitoken") == [(token_hash,)]
    assert (target.media_root / "therapists" / "portrait.jpg").read_bytes() == photo


def test_a_sqlite_backup_has_the_commits_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    with (
        site("sqlite", tmp_path / "source") as source,
        site("sqlite", tmp_path / "target") as target,
    ):
        source.manage("migrate", "-v0")
        # While a reader holds a snapshot from before them, no checkpoint can copy the commits
        # that follow into the database file: they live only in alliance.sqlite3-wal, which is
        # what `cp` of the database file leaves behind. (Without the open read, SQLite's own
        # checkpoint after 1,000 pages may or may not have run, depending on the migrations.)
        held_open = sqlite3.connect(source.sqlite_path, isolation_level=None)
        try:
            held_open.execute("BEGIN")
            held_open.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
            token_hash = api_token_hash(source, "fran@example.com")
            source.write_requests(45, "Walter")
            copied = tmp_path / "copied.sqlite3"
            shutil.copyfile(source.sqlite_path, copied)
            with sqlite3.connect(copied) as copy:
                assert copy.execute(
                    "SELECT COUNT(*) FROM booking_consultationrequest"
                ).fetchall() == [(0,)]
                assert copy.execute("SELECT COUNT(*) FROM accounts_apitoken").fetchall() == [(0,)]
            archive = tmp_path / "backup.tar.gz"
            source.manage("backup", "--output", str(archive))
        finally:
            held_open.close()
        target.manage("restore", str(archive))
        assert target.query("SELECT COUNT(*) FROM booking_consultationrequest") == [(45,)]
        assert target.query("SELECT token_hash FROM accounts_apitoken") == [(token_hash,)]


def test_restore_refuses_a_target_that_holds_data_unless_told_and_then_replaces_it(
    source: Site, target: Site, tmp_path: Path
) -> None:
    source.write_requests(1, "From the backup")
    photo = put_photo(source, "teal")
    archive = tmp_path / "backup.tar.gz"
    source.manage("backup", "--output", str(archive))
    target.manage("migrate", "-v0")
    target.write_requests(1, "Only in the target")
    their_photo = put_photo(target, "orange")

    refused = target.manage("restore", str(archive), check=False)

    assert refused.returncode == 1
    assert "already hold data. Nothing was changed. Run again with --yes" in refused.stderr
    assert request_names(target) == ["Only in the target 0"]
    assert (target.media_root / "therapists" / "portrait.jpg").read_bytes() == their_photo

    replaced = target.manage("restore", str(archive), "--yes")

    assert request_names(target) == ["From the backup 0"]
    assert (target.media_root / "therapists" / "portrait.jpg").read_bytes() == photo
    (set_aside,) = target.data_dir.glob("media.before-restore-*")
    assert (set_aside / "therapists" / "portrait.jpg").read_bytes() == their_photo
    assert str(set_aside) in replaced.stdout
    target.manage("migrate", "--check")


def rewrite(archive: Path, output: Path, change: str) -> None:
    """A copy of the backup with one member altered, as damage or a newer version would."""
    with tarfile.open(archive) as original, tarfile.open(output, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member) if member.isfile() else None
            content = data.read() if data else b""
            if change == "database" and member.name.startswith("database."):
                content = content[:-100] + bytes(100)
            if change != "database" and member.name == "manifest.json":
                manifest = json.loads(content)
                if change == "migration":
                    manifest["migrations"].append(["booking", "9999_from_the_future"])
                else:
                    manifest["database_vendor"] = change
                content = json.dumps(manifest).encode()
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content) if member.isfile() else None)


def test_restore_refuses_a_damaged_foreign_or_newer_file_and_changes_nothing(
    source: Site, target: Site, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar.gz"
    source.manage("backup", "--output", str(archive))
    not_a_tar = tmp_path / "notes.tar.gz"
    not_a_tar.write_text("not a backup at all")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        tar.add(not_a_tar, arcname="notes.txt")
    damaged, newer = tmp_path / "damaged.tar.gz", tmp_path / "newer.tar.gz"
    rewrite(archive, damaged, "database")
    rewrite(archive, newer, "migration")
    sqlite = source.database_url.startswith("sqlite")
    other_vendor = tmp_path / "other.tar.gz"
    rewrite(archive, other_vendor, "postgresql" if sqlite else "sqlite")
    database_file = "database.sqlite3" if sqlite else "database.pgdump"
    vendors = "a PostgreSQL database, but DATABASE_URL names a SQLite one"
    if not sqlite:
        vendors = "a SQLite database, but DATABASE_URL names a PostgreSQL one"

    for path, message in [
        (tmp_path / "missing.tar.gz", f"There is no file at {tmp_path / 'missing.tar.gz'}."),
        (not_a_tar, f"{not_a_tar} is not an Alliance backup, or it is damaged"),
        (foreign, f"{foreign} is not an Alliance backup (it has no Alliance manifest)"),
        (damaged, f"{damaged} is damaged: {database_file} does not match its manifest"),
        (newer, "this code does not know its migrations booking.9999_from_the_future"),
        (other_vendor, f"{other_vendor} is a backup of {vendors}"),
    ]:
        refused = target.manage("restore", str(path), check=False)
        assert refused.returncode == 1
        assert message in refused.stderr
        assert "Nothing was changed" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert target.tables() == []
        assert sorted(target.data_dir.iterdir()) == []


def with_password(site: Site) -> str:
    """The site's URL with a password: the server's own if it has one, else a made-up one the
    local server (trust authentication) accepts and ignores."""
    parts = urlsplit(site.database_url)
    password = parts.password or "Pw-s3cret-do-not-print"
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port or 5432}"
    site.database_url = urlunsplit(parts._replace(netloc=netloc))
    return password


def test_postgresql_credentials_reach_the_tools_through_the_environment_only(
    tmp_path: Path,
) -> None:
    """pg_dump and pg_restore on PATH are wrapped to record how they were called (then run the
    real ones); the local server trusts the address, so any password is accepted."""
    record = tmp_path / "calls.jsonl"
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        wrapper = tools / tool
        wrapper.write_text(
            f"#!{sys.executable}\n"
            "import json, os, sys\n"
            f"with open({str(record)!r}, 'a') as f:\n"
            "    f.write(json.dumps([sys.argv, os.environ.get('PGPASSWORD')]) + '\\n')\n"
            f"os.execv({shutil.which(tool)!r}, sys.argv)\n"
        )
        wrapper.chmod(0o755)
    archive = tmp_path / "backup.tar.gz"
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    with (
        site("postgresql", tmp_path / "source") as source,
        site("postgresql", tmp_path / "target") as target,
    ):
        password = with_password(source)
        assert with_password(target) == password
        source.manage("migrate", "-v0")
        outputs = [
            source.manage("backup", "--output", str(archive), PATH=path),
            target.manage("restore", str(archive), PATH=path),
        ]
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    # The dump; then the restore's table of contents, and the restore itself.
    assert [Path(argv[0]).name for argv, _ in calls] == ["pg_dump", "pg_restore", "pg_restore"]
    assert [secret for _, secret in calls] == [password] * 3
    assert not any(password in " ".join(argv) for argv, _ in calls)
    assert not any(password in result.stdout + result.stderr for result in outputs)


def test_a_database_owner_who_is_not_a_superuser_can_replace_their_database(
    tmp_path: Path,
) -> None:
    """As in production: a superuser made btree_gist, which the app's role does not own and may
    neither drop nor recreate; restore --yes leaves it in place."""
    role = f"alliance_owner_{uuid.uuid4().hex[:8]}"
    admin_execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        with (
            site("postgresql", tmp_path / "source") as source,
            site("postgresql", tmp_path / "target") as target,
        ):
            source.manage("migrate", "-v0")
            source.write_requests(1, "From the backup")
            archive = tmp_path / "backup.tar.gz"
            source.manage("backup", "--output", str(archive))
            name = urlsplit(target.database_url).path.lstrip("/")
            admin_execute(f'ALTER DATABASE "{name}" OWNER TO "{role}"')
            with psycopg.connect(target.database_url, autocommit=True) as superuser:
                superuser.execute(b"CREATE EXTENSION btree_gist")
            parts = urlsplit(target.database_url)
            target.database_url = urlunsplit(
                parts._replace(netloc=parts.netloc.replace(f"{parts.username}@", f"{role}@", 1))
            )
            target.manage("migrate", "-v0")
            target.write_requests(1, "Only in the target")

            target.manage("restore", str(archive), "--yes")

            assert request_names(target) == ["From the backup 0"]
            target.manage("migrate", "--check")
    finally:
        admin_execute(f'DROP ROLE IF EXISTS "{role}"')
