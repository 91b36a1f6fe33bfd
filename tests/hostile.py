"""Requests no browser sends, for the tests that check they are refused rather than fail."""

from typing import TYPE_CHECKING

from django.test import Client
from hypothesis import strategies as st

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

BOUNDARY = "alliance-hostile-form-3f9c"

# Dates and times no calendar holds, and offsets no zone has (alliance.lib.moments).
EXTREME_TIMES = [
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00-05:00",
    "1899-12-31T23:59:59-05:00",
    "2200-12-31T23:30:00-05:00",
    "2030-03-10T10:00:00+23:59",
    "2030-03-10T10:00:00-14:01",
    "2030-03-10T10:00:00+05:00:30",
    "9999-12-31",
    "0001-01-01",
]
# Any text, often with half of a UTF-16 surrogate pair in it (Hypothesis leaves them out).
any_text = st.text(st.characters(exclude_categories=()), max_size=40) | st.builds(
    "{}{}{}".format,
    st.text(max_size=10),
    st.characters(categories=["Cs"]),
    st.text(max_size=10),
)


def utf7_form_post(client: Client, url: str, fields: dict[str, str]) -> "Response":
    """POST `fields` as multipart declared UTF-7: the one way text with half a UTF-16 surrogate
    pair ("\\ud800") reaches a form (Django reads urlencoded forms as UTF-8, which cannot carry
    one, and browsers send UTF-8). The query string is then read as UTF-7 too."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode("utf-7")
        + b"\r\n"
        for name, value in fields.items()
    ]
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    # generic(), unlike post(), sends the bytes as they are.
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}; charset=utf-7"
    )
