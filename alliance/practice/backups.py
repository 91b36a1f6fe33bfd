"""Backups that restore (docs/operations.md, Backups).

A backup is one `.tar.gz` holding `manifest.json`, the database (`database.sqlite3`, made with
SQLite's online backup API, or `database.pgdump`, made with `pg_dump -Fc`) and `media/`. The
manifest names the vendor, the applied migrations, every table's row count and every file's
SHA-256, so restore can check the whole archive before it changes anything, and check the
database it wrote afterwards.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict, cast

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

FORMAT = "alliance-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# libpq reads these from the environment, so nothing about the connection, least of all the
# password, appears in the tools' argv (which `ps` shows to every user on the machine).
PG_ENVIRONMENT = {
    "HOST": "PGHOST",
    "PORT": "PGPORT",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",
    "NAME": "PGDATABASE",
}
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
}


class BackupError(Exception):
    """What the person at the command line must be told. Unless it says otherwise, nothing was
    changed."""


class ManifestData(TypedDict):
    format: str
    format_version: int
    alliance_version: str
    created_at: str
    database_vendor: str
    database_file: str
    database_sha256: str
    migrations: list[list[str]]
    row_counts: dict[str, int]
    media: dict[str, str]


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    manifest: ManifestData


@dataclass(frozen=True)
class RestoreSummary:
    manifest: ManifestData
    database: str
    media_root: Path
    media_set_aside: Path | None
    migrations_to_apply: int


class _Cursor(Protocol):
    def execute(self, sql: str, /) -> object: ...
    def fetchall(self) -> Sequence[Sequence[Any]]: ...


def backup_create(*, output: Path | None = None) -> BackupSummary:
    """Write a backup of the database and MEDIA_ROOT to `output` (default: DATA_DIR/backups).

    The database is copied first, then the media: a photo the copied rows name already existed
    when they were copied, so it is in the archive too.
    """
    created_at = datetime.now(UTC)
    if output is None:
        output = (
            Path(settings.DATA_DIR) / "backups" / f"alliance-{created_at:%Y%m%dT%H%M%SZ}.tar.gz"
        )
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    vendor = connections["default"].vendor
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".alliance-backup-") as staging:
        database = Path(staging) / DATABASE_FILES.get(vendor, "database")
        with _database_errors_explained():
            if vendor == "sqlite":
                migrations, row_counts = _sqlite_snapshot(database)
            elif vendor == "postgresql":
                migrations, row_counts = _postgres_dump(database)
            else:
                raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
        media = _media_copy(Path(settings.MEDIA_ROOT), Path(staging) / MEDIA)
        manifest: ManifestData = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alliance_version": _alliance_version(),
            "created_at": created_at.isoformat(timespec="seconds"),
            "database_vendor": vendor,
            "database_file": database.name,
            "database_sha256": _sha256(database),
            "migrations": migrations,
            "row_counts": row_counts,
            "media": media,
        }
        (Path(staging) / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _archive_write(Path(staging), output, [MANIFEST, database.name, MEDIA])
    return BackupSummary(path=output, manifest=manifest)


def backup_restore(*, archive: Path, replace: bool = False) -> RestoreSummary:
    """Restore a backup into the database DATABASE_URL names and into MEDIA_ROOT.

    Everything that can be checked is checked before anything is changed: the archive and its
    checksums, the vendor, the migrations, and that the target is empty (or `replace`). The
    database is then written in one transaction, its row counts compared with the manifest's,
    and last the media folder is swapped in.
    """
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Beside MEDIA_ROOT, so that the restored folder is moved into place, not copied.
    staging = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=".alliance-restore-"))
    keep_staging = False
    try:
        manifest = _archive_open(archive, staging)
        connection = connections["default"]
        vendor = connection.vendor
        if manifest["database_vendor"] != vendor:
            raise BackupError(
                f"{archive} is a backup of a {_vendor_name(manifest['database_vendor'])} "
                f"database, but DATABASE_URL names a {_vendor_name(vendor)} one. Restore it "
                "into the same kind of database it came from. Nothing was changed."
            )
        to_apply = _migrations_check(manifest)
        target = _database_label()
        with _database_errors_explained():
            tables = _target_tables()
        media_present = media_root.is_dir() and any(media_root.iterdir())
        if (tables or media_present) and not replace:
            raise BackupError(_not_empty_message(target, tables, media_root, media_present))
        extra = sorted(set(tables) - set(manifest["row_counts"]))
        if extra and vendor == "postgresql":
            # pg_restore --clean drops only what the dump has; anything else would be left behind.
            raise BackupError(
                f"The database {target} has tables the backup does not ({', '.join(extra[:5])}"
                f"{', …' if len(extra) > 5 else ''}), so it cannot be replaced cleanly. Restore "
                "into a new, empty database instead. Nothing was changed."
            )
        database = staging / manifest["database_file"]
        if vendor == "sqlite":
            _sqlite_restore(database, Path(connection.settings_dict["NAME"]))
        else:
            _postgres_restore(database, clean=bool(tables))
        counts = _row_counts_now()
        if counts != manifest["row_counts"]:
            differ = sorted(
                name
                for name in set(counts) | set(manifest["row_counts"])
                if counts.get(name) != manifest["row_counts"].get(name)
            )
            raise BackupError(
                f"The database {target} was written but does not match the backup: the row "
                f"counts of {', '.join(differ[:5])} differ. Do not start Alliance on it; restore "
                "again into a new, empty database."
            )
        keep_staging = True  # until the media are in place, the only copy of them is here
        set_aside = _media_swap(staging / MEDIA, media_root)
        keep_staging = False
    except BackupError:
        raise
    except Exception as error:
        if keep_staging:
            raise BackupError(
                f"The database was restored, but the media files could not be put in "
                f"{media_root} ({error}); they are in {staging / MEDIA}: move them there by hand."
            ) from error
        raise
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    return RestoreSummary(
        manifest=manifest,
        database=target,
        media_root=media_root,
        media_set_aside=set_aside,
        migrations_to_apply=to_apply,
    )


def manifest_describe(manifest: ManifestData) -> str:
    """One line for the person at the command line: what the backup holds."""
    counts = manifest["row_counts"]
    return (
        f"{_vendor_name(manifest['database_vendor'])} database, {sum(counts.values())} rows in "
        f"{len(counts)} tables; media files: {len(manifest['media'])}"
    )


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: libpq's variables from Django's settings,
    over what the process has (which Django's own connection uses too, e.g. PGSSLMODE)."""
    env = dict(os.environ)
    for setting, variable in PG_ENVIRONMENT.items():
        if settings_dict.get(setting):
            env[variable] = str(settings_dict[setting])
    for option, variable in PG_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[variable] = str(settings_dict["OPTIONS"][option])
    return env


# The SQLite side.


def _sqlite_snapshot(target: Path) -> tuple[list[list[str]], dict[str, int]]:
    source = Path(connections["default"].settings_dict["NAME"])
    if not source.is_file():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    # The online backup API reads through the write-ahead log, where the latest commits live
    # until a checkpoint; copying the file alone loses them. One step (pages=-1) is one read
    # transaction: a consistent snapshot, and in WAL mode writers carry on meanwhile.
    with (
        closing(sqlite3.connect(source, timeout=20)) as live,
        closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy, pages=-1)
        # One self-contained file: no -wal beside it when it is opened again.
        copy.execute("PRAGMA journal_mode=DELETE")
    return _sqlite_inventory(target)


def _sqlite_inventory(path: Path) -> tuple[list[list[str]], dict[str, int]]:
    with closing(sqlite3.connect(path)) as database:
        (result,) = database.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupError(f"The database failed SQLite's integrity check: {result}")
        tables = _column(
            database.cursor(),
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        return _inventory(database.cursor(), tables)


def _sqlite_restore(snapshot: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_inventory(snapshot)  # the integrity check, before the live file is touched
    connections["default"].close()
    # The backup API in reverse: the whole copy is one write transaction on the target, so it
    # is all there or not at all, and it goes through the target's WAL like any other write.
    with (
        closing(sqlite3.connect(snapshot)) as source,
        closing(sqlite3.connect(target, timeout=20)) as live,
    ):
        try:
            source.backup(live, pages=-1)
        except sqlite3.Error as error:
            raise BackupError(
                f"SQLite could not write {target} ({error}). Stop Alliance's web server "
                "and worker, and try again."
            ) from error


# The PostgreSQL side.


def _postgres_dump(target: Path) -> tuple[list[list[str]], dict[str, int]]:
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the very snapshot the counts were read in, so the manifest describes
        # exactly the dump; the snapshot stays valid while this transaction is open.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        inventory = _inventory(cursor, connection.introspection.table_names(cursor))
        _pg_run(
            "pg_dump",
            ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
        )
    return inventory


def _postgres_restore(dump: Path, *, clean: bool) -> None:
    with connections["default"].cursor() as cursor:
        present = set(_column(cursor, "SELECT extname FROM pg_extension"))
    connections["default"].close()
    # An extension the database already has is left as it is: whoever made it (for btree_gist
    # often a superuser) owns it, and the app's role may neither drop nor recreate it.
    listing = _pg_run("pg_restore", ["--list", str(dump)]).splitlines()
    use_list = dump.with_suffix(".list")
    use_list.write_text(
        "".join(
            f";{line}\n" if _toc_extension(line) in present else f"{line}\n" for line in listing
        )
    )
    # One transaction: on any error pg_restore stops and nothing it did is kept. Ownership and
    # grants are the old server's roles, which a new server may not have; comments only the
    # extensions', which a database owner cannot set on one a superuser created (btree_gist).
    arguments = [
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
    ]
    if clean:
        arguments += ["--clean", "--if-exists"]
    name = connections["default"].settings_dict["NAME"]
    _pg_run("pg_restore", [*arguments, f"--use-list={use_list}", f"--dbname={name}", str(dump)])


def _toc_extension(line: str) -> str | None:
    """The extension a line of `pg_restore --list` creates: `2; 3079 74022 EXTENSION - name`."""
    parts = line.split()
    if line.startswith(";") or len(parts) < 6 or parts[3] != "EXTENSION":
        return None
    return parts[5]


def _pg_run(tool: str, arguments: list[str]) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} was not found: install the PostgreSQL client tools (the server's major "
            "version or newer), e.g. apt-get install postgresql-client."
        )
    result = subprocess.run(  # noqa: S603 (our arguments, no shell)
        [executable, "--no-password", *arguments],
        env=pg_environment(connections["default"].settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
    return result.stdout


# Both.


def _inventory(cursor: _Cursor, tables: list[str]) -> tuple[list[list[str]], dict[str, int]]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (a catalogued name)
        counts[table] = int(cursor.fetchall()[0][0])
    migrations = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[str(app), str(name)] for app, name in cursor.fetchall()]
    return migrations, counts


def _column(cursor: _Cursor, sql: str) -> list[str]:
    cursor.execute(sql)
    return [str(row[0]) for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _target_tables() -> list[str]:
    connection = connections["default"]
    if connection.vendor == "sqlite":
        # Opening a missing file would create it: a refused restore must leave no trace.
        path = Path(connection.settings_dict["NAME"])
        if not path.is_file():
            return []
        with closing(sqlite3.connect(path, timeout=20)) as database:
            return _column(
                database.cursor(),
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def _row_counts_now() -> dict[str, int]:
    connection = connections["default"]
    connection.close()
    with connection.cursor() as cursor:
        return _inventory(cursor, connection.introspection.table_names(cursor))[1]


def _migrations_check(manifest: ManifestData) -> int:
    """How many of this code's migrations the backup lacks; refuses a backup from newer code."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, name in manifest["migrations"]}
    unknown = sorted(applied - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"This backup was made by a newer Alliance ({manifest['alliance_version']}): this "
            f"code does not know its migrations {names}. Install that version or a later one, "
            "then restore. Nothing was changed."
        )
    return len(known - applied)


@contextmanager
def _database_errors_explained() -> Iterator[None]:
    # A database that cannot be reached deserves a sentence, not a traceback.
    try:
        yield
    except (DatabaseError, sqlite3.Error) as error:
        raise BackupError(
            f"The database {_database_label()} could not be read: {error}".strip()
        ) from None


def _database_label() -> str:
    settings_dict = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        return str(settings_dict["NAME"])
    # Never the URL: it may carry the password.
    return f"{settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}"


def _not_empty_message(
    target: str, tables: list[str], media_root: Path, media_present: bool
) -> str:
    held = []
    if tables:
        counts = _row_counts_now()
        held.append(f"the database {target} ({len(tables)} tables, {sum(counts.values())} rows)")
    if media_present:
        held.append(f"the media folder {media_root}")
    return (
        f"Restoring replaces everything in {' and '.join(held)}, which already "
        f"{'hold' if len(held) > 1 else 'holds'} data. Nothing was changed. Run again with "
        "--yes to replace it, or point DATABASE_URL (and MEDIA_ROOT) at empty ones."
    )


def _vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def _alliance_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


# The media folder and the archive.


def _media_copy(media_root: Path, target: Path) -> dict[str, str]:
    target.mkdir()
    checksums = {}
    for path in _files(media_root):
        relative = path.relative_to(media_root).as_posix()
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        checksums[relative] = _sha256(copy)  # of the copy: a file may change while we work
    return checksums


def _media_swap(restored: Path, media_root: Path) -> Path | None:
    set_aside = None
    if media_root.is_dir() and any(media_root.iterdir()):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        set_aside = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
        media_root.rename(set_aside)
    elif media_root.is_dir():
        media_root.rmdir()
    restored.rename(media_root)
    return set_aside


def _files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _archive_write(staging: Path, output: Path, names: list[str]) -> None:
    # Written under another name and renamed: a crash never leaves a file that looks whole.
    # mkstemp makes it readable by its owner only; it holds clinical records.
    handle, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            with tarfile.open(fileobj=file, mode="w:gz") as archive:
                for name in names:
                    archive.add(staging / name, arcname=name)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _archive_open(archive: Path, staging: Path) -> ManifestData:
    """Unpack into staging and check everything against the manifest."""
    not_ours = f"{archive} is not an Alliance backup"
    if not archive.is_file():
        raise BackupError(f"There is no file at {archive}. Nothing was changed.")
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            # The "data" filter refuses links and paths outside staging.
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(f"{not_ours}, or it is damaged: {error}. Nothing was changed.") from None
    try:
        manifest = cast(ManifestData, json.loads((staging / MANIFEST).read_text()))
        ours = (
            manifest["format"] == FORMAT
            and isinstance(manifest["format_version"], int)
            and set(ManifestData.__annotations__) <= set(manifest)
        )
    except (OSError, ValueError, KeyError, TypeError):
        ours = False
    if not ours:
        raise BackupError(f"{not_ours} (it has no Alliance manifest). Nothing was changed.")
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(
            f"{archive} was made by a newer Alliance (backup format "
            f"{manifest['format_version']}); install it to restore this. Nothing was changed."
        )
    expected = {manifest["database_file"]: manifest["database_sha256"]} | {
        f"{MEDIA}/{name}": digest for name, digest in manifest["media"].items()
    }
    found = {
        path.relative_to(staging).as_posix()
        for path in staging.rglob("*")
        if path.is_file() and path != staging / MANIFEST
    }
    damaged = sorted(
        name
        for name in set(expected) | found
        if name not in expected or name not in found or _sha256(staging / name) != expected[name]
    )
    if damaged:
        raise BackupError(
            f"{archive} is damaged: {', '.join(damaged[:5])} "
            f"{'does' if len(damaged) == 1 else 'do'} not match its manifest. Nothing was "
            "changed; use another copy."
        )
    return manifest
