"""Secrets out of log records: API tokens and the tokens some of our addresses carry.

`RedactSecrets` is a logging filter set on the handlers in settings.LOGGING, so it sees every
record they write, whichever logger it came from (Django's "Not Found: /checkin/<token>/",
django-ninja's "Unexpected auth - '<header>'"). It redacts the message with
its arguments, the exception and stack text, and any extra attribute (Django's `request`), in a
copy that the handler writes instead (Python 3.12), so other handlers still see the original.
"""

import copy
import logging
import re

MARK = "[redacted]"
_SEGMENT = r"[^/\s'\"?#<>]+"

# Addresses whose next segment is a key (see the urls.py files; tests/test_log_redaction.py
# walks the routes and fails on one left out).
SECRET_PATHS = (
    "/checkin/",
    "/progress/",
    "/appointments/manage/",
    "/waitlist/offers/",
    "/waitlist/leave/",
    "/calendar/",
    "/staff/password-reset/key/",
    "/appointments/confirm/",
)
_PATTERNS = (
    # django-ninja quotes the whole Authorization header, whatever its shape.
    (re.compile(r"(Unexpected auth - ')[^']*(')"), rf"\1{MARK}\2"),
    (re.compile(r"(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\n,}]+", re.I), rf"\1{MARK}"),
    # A scheme and a credential; "token revoked" is left alone (too short to be one).
    (re.compile(r"\b(Bearer|Token|Basic|Digest)(\s+)[\w.~+/=:-]{12,}", re.I), rf"\1\2{MARK}"),
    (re.compile(r"alli_[A-Za-z0-9_-]+"), MARK),
    (re.compile("(" + "|".join(map(re.escape, SECRET_PATHS)) + f"){_SEGMENT}"), rf"\1{MARK}"),
    # `q`: what staff type into the client search, a person's name or number.
    (re.compile(r"([?&](?:token|key|secret|signature|q)=)[^&\s'\"#]+", re.I), rf"\1{MARK}"),
)
# Attributes every record has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> logging.LogRecord:
        # A redacted copy for this handler to write; other handlers see the record unchanged.
        clean = copy.copy(record)
        clean.msg = redact(record.getMessage())
        clean.args = None
        if record.exc_info and not record.exc_text:
            clean.exc_text = logging.Formatter().formatException(record.exc_info)
        if clean.exc_text:
            clean.exc_text = redact(clean.exc_text)
        if record.stack_info:
            clean.stack_info = redact(record.stack_info)
        for name, value in vars(record).items():
            if name in _STANDARD or isinstance(value, int | float | bool | None):
                continue
            # A formatter printing `request` would print its repr, path and all.
            setattr(clean, name, redact(value if isinstance(value, str) else repr(value)))
        return clean
