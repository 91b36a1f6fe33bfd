import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from alliance.accounts.models import Role, User
from alliance.care.engine.norms import stored_norms_forget
from alliance.care.services import signals_recompute_pending_forget
from alliance.practice.models import Practice, Therapist
from tests.smtp import SmtpServer

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: SettingsWrapper, tmp_path: Path) -> None:
    # The practice's norms are kept in the process for a minute; each test has its own data.
    stored_norms_forget()
    signals_recompute_pending_forget()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 is deliberately slow; tests/accounts checks it is what production uses.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test posts from one address; the limits have their own tests, which set them.
    settings.PUBLIC_FORM_RATE_LIMIT = "100000/m"
    settings.CHECKIN_RATE_LIMIT = "100000/m"


@pytest.fixture(autouse=True)
def _audit_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test Django empties the test database with DELETE, which the read
    audit's SQLite trigger refuses (PostgreSQL's flush truncates, which the trigger allows).
    Triggers are set aside on this connection for that flush only: this teardown runs just
    before pytest-django's."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    raw = connection.connection
    if connection.vendor == "sqlite" and isinstance(raw, sqlite3.Connection):
        raw.setconfig(sqlite3.SQLITE_DBCONFIG_ENABLE_TRIGGER, True)
    yield
    raw = connection.connection
    if transactional and connection.vendor == "sqlite" and isinstance(raw, sqlite3.Connection):
        raw.setconfig(sqlite3.SQLITE_DBCONFIG_ENABLE_TRIGGER, False)


@dataclass
class Personas:
    """The people every protected view is tested with: the one who may, a colleague who may not,
    and an outsider."""

    owner: User
    frontdesk: User
    therapist: User  # Tara, who has a profile of her own
    colleague: User  # Theo, another therapist
    client: User  # an outsider with a sign-in
    tara: Therapist
    theo: Therapist


def make_user(email: str, role: Role, **extra: object) -> User:
    return User.objects.create_user(
        email, PASSWORD, full_name=email.split("@")[0], role=role, **extra
    )


def make_therapist(slug: str, user: User | None = None, **fields: object) -> Therapist:
    defaults: dict[str, object] = {"name": slug.replace("-", " ").title(), "bio": "Listens well."}
    defaults.update(fields)
    return Therapist.objects.create(slug=slug, user=user, **defaults)


@pytest.fixture
def personas(db: None) -> Personas:
    Practice.objects.update_or_create(pk=1, defaults={"name": "Test Practice"})
    owner = User.objects.create_superuser("olivia@example.com", PASSWORD, full_name="Olivia Owner")
    therapist = make_user("tara@example.com", Role.THERAPIST)
    colleague = make_user("theo@example.com", Role.THERAPIST)
    return Personas(
        owner=owner,
        frontdesk=make_user("fran@example.com", Role.FRONTDESK),
        therapist=therapist,
        colleague=colleague,
        client=make_user("chris@example.com", Role.CLIENT),
        tara=make_therapist("tara-tate", therapist),
        theo=make_therapist("theo-tran", colleague),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
