"""Every e-mail comes from the practice by name, says where a reply goes (or asks for none), is
marked as sent by a program (RFC 3834), and its HTML has a title."""

import email.parser
import email.policy
import email.utils
from email.message import Message as MimeMessage
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from pytest_django.fixtures import Settings

from alliance.booking.appointments import appointment_book, appointment_cancel
from alliance.outbox.sending import outbox_flush
from alliance.practice.models import Practice, Therapist
from tests.booking.fixtures import bookable_therapist, client, consultation_type, local
from tests.booking.test_notices import submit
from tests.smtp import SmtpServer, message_parts

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "alliance" / "templates"
AWKWARD_NAME = 'Smith, Jones & Associates; "Calm": Care'


@pytest.fixture
def practice(mail: SmtpServer, settings: Settings) -> Practice:
    settings.DEFAULT_FROM_EMAIL = "Alliance <no-reply@alliance.example>"
    bookable_therapist()
    Practice.objects.filter(pk=1).update(name=AWKWARD_NAME, email="office@smithjones.example")
    return Practice.objects.current()


def parsed(message: MimeMessage) -> MimeMessage:
    """The message as a mail program reads it."""
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())


def booked_then_cancelled(mail: SmtpServer) -> list[MimeMessage]:
    appointment = appointment_book(
        therapist=Therapist.objects.get(slug="bo-bookable"),
        appointment_type=consultation_type(),
        client=client(),
        start=local(3, 10),
        format="in_person",
    )
    outbox_flush()
    appointment_cancel(appointment=appointment)
    outbox_flush()
    return mail.messages


def test_a_client_e_mail_comes_from_the_practice_by_name(
    practice: Practice, mail: SmtpServer
) -> None:
    confirmation, cancellation = booked_then_cancelled(mail)
    for message in (confirmation, cancellation):
        assert message["From"] == (
            '"Smith, Jones & Associates; \\"Calm\\": Care" <no-reply@alliance.example>'
        )
        assert email.utils.parseaddr(message["From"]) == (
            'Smith, Jones & Associates; "Calm": Care',
            "no-reply@alliance.example",
        )
        assert message["Reply-To"] == "office@smithjones.example"
        assert message["Auto-Submitted"] == "auto-generated"
    assert cancellation["Subject"].startswith("Cancelled: ")
    text = message_parts(cancellation)["text/plain"]
    assert "If you would like another time, reply to this e-mail or call us" in text


def test_without_a_practice_address_no_e_mail_asks_for_a_reply(
    practice: Practice, mail: SmtpServer
) -> None:
    Practice.objects.filter(pk=1).update(email="", phone="(239) 555-0142")
    _, cancellation = booked_then_cancelled(mail)
    assert cancellation["Reply-To"] is None
    assert cancellation["Auto-Submitted"] == "auto-generated"
    parts = message_parts(cancellation)
    assert "reply" not in parts["text/plain"].lower()
    assert "reply" not in parts["text/html"].lower()
    assert "If you would like another time, call us at (239) 555-0142." in parts["text/plain"]


def test_staff_notices_carry_the_same_headers(practice: Practice, mail: SmtpServer) -> None:
    submit()
    outbox_flush()
    (notice,) = mail.messages
    subject = parsed(notice)["Subject"]
    assert subject == 'New consultation request — Smith, Jones & Associates; "Calm": Care'
    assert notice["From"] == (
        '"Smith, Jones & Associates; \\"Calm\\": Care" <no-reply@alliance.example>'
    )
    assert notice["Reply-To"] == "office@smithjones.example"
    assert notice["Auto-Submitted"] == "auto-generated"
    html = message_parts(notice)["text/html"]
    title = "New consultation request — Smith, Jones &amp; Associates; &quot;Calm&quot;: Care"
    assert f"<title>{title}</title>" in html


def test_the_html_part_is_titled_with_the_subject(practice: Practice, mail: SmtpServer) -> None:
    confirmation, _ = booked_then_cancelled(mail)
    html = message_parts(confirmation)["text/html"]
    subject = parsed(confirmation)["Subject"]
    assert subject.startswith("Booked: Free 15-minute consultation on ")
    assert f"<title>{subject}</title>" in html


@pytest.mark.parametrize(
    "template",
    sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.glob("*/email/*.html")),
)
def test_every_html_e_mail_is_built_on_the_titled_base(template: str) -> None:
    assert (TEMPLATES / template).read_text().startswith('{% extends "email/base.html" %}')


def test_the_e_mail_base_has_a_head_with_the_title() -> None:
    html = render_to_string("email/base.html", {"subject": "A hand-written subject"})
    head = html.index("<head>")
    assert head < html.index("<title>A hand-written subject</title>") < html.index("<body")
