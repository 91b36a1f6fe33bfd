import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from alliance.booking.models import BookingMessage, ConsultationRequest
from alliance.outbox.models import MessageStatus
from alliance.practice.models import Accepting
from tests.conftest import Personas, make_therapist
from tests.smtp import SmtpServer, free_port

URL = reverse("booking:consultation")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "submission_token": str(uuid.uuid4()),
        "name": "Sam Visitor",
        "email": "sam.visitor@example.com",
        "phone": "",
        "preferred_contact": "email",
        "therapist": "",
        "message": "I have been feeling low since the winter.",
        "times": ["weekday-evenings"],
        "times_note": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_it_shows_the_form_with_a_fresh_token(personas: Personas) -> None:
    first = Client().get(URL)
    second = Client().get(URL)
    assert first.status_code == 200
    assert (
        first.context["form"].initial["submission_token"]
        != second.context["form"].initial["submission_token"]
    )


def test_it_preselects_the_therapist_from_the_profile_link(personas: Personas) -> None:
    response = Client().get(URL, {"therapist": personas.tara.slug})
    assert f'<option value="{personas.tara.slug}" selected>' in response.content.decode()


def test_it_saves_the_request_and_shows_the_confirmation(personas: Personas) -> None:
    client = Client()
    response = client.post(URL, form_data(therapist=personas.tara.slug), follow=True)
    assert response.redirect_chain == [(reverse("booking:consultation_thanks"), 302)]
    assert "We have your request" in response.content.decode()
    saved = ConsultationRequest.objects.get()
    assert saved.name == "Sam Visitor"
    assert saved.therapist == personas.tara
    assert saved.times == ["weekday-evenings"]
    assert saved.status == "new"


def test_the_confirmation_address_carries_nothing_personal(personas: Personas) -> None:
    response = Client().post(URL, form_data())
    assert response["Location"] == reverse("booking:consultation_thanks")


def test_the_confirmation_needs_a_request_in_this_session(personas: Personas) -> None:
    response = Client().get(reverse("booking:consultation_thanks"))
    assert response.status_code == 302
    assert response["Location"] == URL


def test_it_asks_for_a_way_to_get_in_touch_and_keeps_what_was_typed(personas: Personas) -> None:
    response = Client().post(
        URL, form_data(email="", phone="", therapist=personas.tara.slug, times_note="after 6pm")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please give an e-mail address or a phone number so we can reach you." in page
    assert 'value="Sam Visitor"' in page
    assert "I have been feeling low since the winter." in page
    assert 'value="after 6pm"' in page
    assert f'<option value="{personas.tara.slug}" selected>' in page
    assert 'value="weekday-evenings"' in page
    assert "checked" in page
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"preferred_contact": "phone"},
            "You asked us to call or text: please add a phone number.",
        ),
        (
            {"email": "", "phone": "239 555 0100", "preferred_contact": "email"},
            "You asked us to e-mail: please add an e-mail address.",
        ),
        ({"phone": "call me maybe"}, "Please enter a phone number"),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"consent": ""}, "We need your permission to get in touch."),
        ({"name": ""}, "This field is required."),
        ({"therapist": "nobody-here"}, "Select a valid choice."),
    ],
)
def test_it_explains_each_problem_next_to_the_field(
    personas: Personas, overrides: dict[str, str], message: str
) -> None:
    response = Client().post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_it_refuses_a_therapist_who_is_not_accepting(personas: Personas) -> None:
    make_therapist("nora-no", accepting=Accepting.NO)
    response = Client().post(URL, form_data(therapist="nora-no"))
    assert "Select a valid choice." in response.content.decode()


def test_submitting_twice_records_once(personas: Personas) -> None:
    data = form_data()
    client = Client()
    client.post(URL, data)
    second = client.post(URL, data, follow=True)
    assert "We have your request" in second.content.decode()
    assert ConsultationRequest.objects.count() == 1


def test_a_tampered_token_keeps_the_answers_and_issues_a_new_one(personas: Personas) -> None:
    response = Client().post(URL, form_data(submission_token="not-a-token"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Sam Visitor"' in page
    assert 'value="not-a-token"' not in page
    assert ConsultationRequest.objects.count() == 0


FIELDS = ["submission_token", "name", "email", "phone", "preferred_contact", "therapist"]
FIELDS += ["message", "times", "times_note", "consent", "csrfmiddlewaretoken", "unexpected"]
hostile_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "9" * 5000]
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(FIELDS),
        st.lists(hostile_text, min_size=0, max_size=3),
        max_size=len(FIELDS),
    )
)
def test_it_never_fails_on_hostile_input(personas: Personas, data: dict[str, list[str]]) -> None:
    response = Client().post(URL, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Please check" in response.content.decode()


def run_worker() -> None:
    """Run the real database worker until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")


# The worker opens and closes connections as in production, so these tests commit for real
# (transactional_db) rather than run inside a rolled-back transaction.
def test_the_front_desk_is_told_without_personal_details(
    transactional_db: None, personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = "https://practice.example"
    Client().post(URL, form_data(name="Quinn Private", phone="239-555-0199"))
    run_worker()
    saved = ConsultationRequest.objects.get()
    assert BookingMessage.objects.get(consultation_request=saved).status == MessageStatus.SENT
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "fran@example.com"
    whole = message.as_string()
    assert f"https://practice.example/staff/requests/{saved.uuid}/" in whole
    for secret in ("Quinn", "Private", "sam.visitor", "555-0199", "feeling low", "winter"):
        assert secret not in whole
    assert message.is_multipart()


def test_a_notice_that_cannot_be_sent_is_retried_and_sent_once_smtp_is_back(
    transactional_db: None, personas: Personas, smtp_server: SmtpServer, settings: Settings
) -> None:
    # Nothing listens on this port: the SMTP connection is refused.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    response = Client().post(URL, form_data(), follow=True)
    assert "We have your request" in response.content.decode()
    run_worker()
    saved = ConsultationRequest.objects.get()
    notice = BookingMessage.objects.get(consultation_request=saved)
    assert notice.status == MessageStatus.RETRYING
    assert notice.last_error == "ConnectionRefusedError"
    assert Client().get(reverse("booking:consultation_thanks")).status_code == 302  # other visitor
    settings.MAILERS = smtp_server.mailers()
    call_command("outbox_flush")
    assert smtp_server.messages == []  # not due again yet
    with time_machine.travel(notice.next_attempt_at + timedelta(seconds=1)):
        call_command("outbox_flush")
        call_command("outbox_flush")
    assert [message["To"] for message in smtp_server.messages] == ["fran@example.com"]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (MessageStatus.SENT, 2)


def test_nothing_personal_reaches_the_logs(
    transactional_db: None, personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    Client().post(
        URL, form_data(name="Quinn Private", email="quinn@example.com", phone="239-555-0199")
    )
    Client().post(URL, form_data(name="Quinn Private", email="", phone=""))  # refused
    run_worker()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "received" in logged
    for secret in ("Quinn", "quinn@example.com", "555-0199", "feeling low"):
        assert secret not in logged
