"""Fixtures shared by the booking tests."""

import pytest
from pytest_django.fixtures import Settings

from alliance.clients.models import Client as CareClient
from alliance.practice.models import Accepting
from tests.booking.fixtures import bookable_therapist, session_type
from tests.smtp import SmtpServer


@pytest.fixture
def kim(db: None) -> CareClient:
    """Bo's client Kim; Bo is full for new clients, not for their own."""
    therapist = bookable_therapist()
    therapist.accepting = Accepting.NO
    therapist.save()
    session_type()
    return CareClient.objects.create(name="Kim Known", email="kim@example.com", therapist=therapist)


@pytest.fixture
def mail(smtp_server: SmtpServer, settings: Settings) -> SmtpServer:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"
    return smtp_server
