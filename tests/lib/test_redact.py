"""alliance.lib.redact: what is taken out of a log record, and what is left."""

import logging
import sys

import pytest

from alliance.lib.redact import MARK, RedactSecrets, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not Found: /checkin/abc:1x:sig/", "Not Found: /checkin/[redacted]/"),
        ("Gone: /checkin/abc:1x:sig/thanks/", "Gone: /checkin/[redacted]/thanks/"),
        ("Not Found: /progress/abc:1x:sig/", "Not Found: /progress/[redacted]/"),
        (
            "GET /appointments/manage/WyJh:1x:s/cancel/ 404",
            "GET /appointments/manage/[redacted]/cancel/ 404",
        ),
        ("Not Found: /waitlist/offers/ImE:1x:s/", "Not Found: /waitlist/offers/[redacted]/"),
        ("Not Found: /calendar/s3cr3t.ics", "Not Found: /calendar/[redacted]"),
        ("/staff/password-reset/key/3-cbd4-abc123/", "/staff/password-reset/key/[redacted]/"),
        ("Unexpected auth - 'hunter2 and more'", "Unexpected auth - '[redacted]'"),
        ("Authorization: Bearer alli_abc-_123", "Authorization: [redacted]"),
        ("{'HTTP_AUTHORIZATION': 'Token abc'}", "{'HTTP_AUTHORIZATION': '[redacted]'}"),
        ("sent Bearer abc.def.ghi.jkl to the API", "sent Bearer [redacted] to the API"),
        ("Basic YWxsaV9hYmM6ZGVm", "Basic [redacted]"),
        ("token alli_abc in a sentence", "token [redacted] in a sentence"),
        ("/feed?token=abc&tz=UTC", "/feed?token=[redacted]&tz=UTC"),
        # What staff type into the client search is a person's name or number.
        (
            "GET /staff/clients/find/?q=Luc%C3%ADa+F 200",
            "GET /staff/clients/find/?q=[redacted] 200",
        ),
    ],
)
def test_it_redacts_keys(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Not Found: /staff/password-reset/done/",
        "Not Found: /staff/password-reset/sent/",
        "GET /staff/calendar/ 200",
        "Not Found: /staff/clients/1b4e28ba-2fa1-11d2-883f-0016d3cca427/",
        "/admin/care/checkininvitation/",
        "api token revoked for user 12",
        "appointment 1b4e28ba-2fa1-11d2-883f-0016d3cca427 booked",
    ],
)
def test_it_leaves_addresses_without_keys_alone(text: str) -> None:
    assert redact(text) == text


class FakeRequest:
    def __repr__(self) -> str:
        return "<WSGIRequest: GET '/checkin/abc:1x:sig/'>"


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def redacted(original: logging.LogRecord) -> logging.LogRecord:
    clean = RedactSecrets().filter(original)
    assert isinstance(clean, logging.LogRecord)
    return clean


def test_it_redacts_the_arguments_and_keeps_the_event() -> None:
    clean = redacted(record("Not Found: %s", "/checkin/abc:1x:sig/", status_code=404))
    assert clean.getMessage() == "Not Found: /checkin/[redacted]/"
    assert clean.status_code == 404  # type: ignore[attr-defined]


def test_it_redacts_the_request_a_formatter_might_print() -> None:
    clean = redacted(record("Not Found: %s", "/checkin/abc:1x:sig/", request=FakeRequest()))
    printed = logging.Formatter("%(message)s %(request)s").format(clean)
    assert printed == f"Not Found: /checkin/{MARK}/ <WSGIRequest: GET '/checkin/{MARK}/'>"


def test_it_redacts_the_exception_text() -> None:
    try:
        raise LookupError("no such link /progress/abc:1x:sig/")
    except LookupError:
        original = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    printed = logging.Formatter().format(redacted(original))
    assert "abc:1x:sig" not in printed
    assert printed.endswith(f"LookupError: no such link /progress/{MARK}/")


def test_it_leaves_the_record_itself_to_other_handlers() -> None:
    request = FakeRequest()
    original = record("Not Found: %s", "/checkin/abc:1x:sig/", request=request)
    redacted(original)
    assert original.getMessage() == "Not Found: /checkin/abc:1x:sig/"
    assert original.request is request  # type: ignore[attr-defined]


def test_a_second_pass_changes_nothing() -> None:
    once = redacted(record("Not Found: %s", "/checkin/abc:1x:sig/"))
    assert redacted(once).getMessage() == "Not Found: /checkin/[redacted]/"
