"""Whatever is typed into the public forms, in whatever charset, and whatever time the confirm
page's address asks for, the answer is a page: saved, or refused saying why; never a 500."""

import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.booking.fixtures import bookable_therapist, consultation_type, local
from tests.hostile import EXTREME_TIMES, any_text, utf7_form_post

pytestmark = pytest.mark.django_db

hostile = any_text | st.sampled_from([*EXTREME_TIMES, "\ud800", "\udfff", "\x00", "9" * 3000])
FIELDS = [
    "submission_token",
    "idempotency_key",
    "name",
    "email",
    "phone",
    "preferred_contact",
    "therapist",
    "message",
    "times",
    "times_note",
    "format",
    "consent",
]


@pytest.fixture(autouse=True)
def _bookable() -> None:
    bookable_therapist()
    consultation_type()


def url_of(form: str, start: str) -> str:
    if form == "consultation":
        return reverse("booking:consultation")
    if form == "waitlist":
        return reverse("booking:waitlist_join", args=["bo-bookable"])
    confirm = reverse("booking:confirm", args=["bo-bookable"])
    return f"{confirm}?type=consultation&start={quote(start.encode('utf-8', 'surrogatepass'))}"


def utf8_form_post(client: Client, url: str, fields: dict[str, str]) -> int:
    # Halves of surrogate pairs sent as the bytes UTF-8 would give them, which it forbids.
    body = "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in fields.items()
    )
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    return response.status_code


@hypothesis_settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    form=st.sampled_from(["consultation", "booking", "waitlist"]),
    fields=st.fixed_dictionaries(
        {"name": hostile, "email": st.just("sam@example.com") | hostile, "consent": st.just("on")}
    )
    | st.dictionaries(st.sampled_from(FIELDS), hostile),
    start=st.sampled_from([*EXTREME_TIMES, local(3, 10).isoformat()]) | hostile,
    charset=st.sampled_from(["utf-8", "utf-7"]),
)
def test_public_forms_never_fail(
    form: str, fields: dict[str, str], start: str, charset: str
) -> None:
    fields = {"submission_token": str(uuid.uuid4()), "idempotency_key": str(uuid.uuid4())} | fields
    url = url_of(form, start)
    browser = Client()
    if charset == "utf-7":
        status = utf7_form_post(browser, url, fields).status_code
    else:
        status = utf8_form_post(browser, url, fields)
    assert status in (200, 302, 400, 404, 422), status
    assert browser.get(url).status_code in (200, 302, 404, 422)
