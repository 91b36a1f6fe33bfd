"""Calling the API as an outside program would: JSON in, JSON out."""

from typing import TYPE_CHECKING, Any

from django.test import Client

from alliance.practice.models import Therapist
from tests.booking.fixtures import local

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

API = "/api/v1"


def get(path: str, **params: str) -> "Response":
    return Client().get(f"{API}{path}", params)


def post(
    path: str,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    address: str = "127.0.0.1",
    client: Client | None = None,
) -> "Response":
    return (client or Client()).post(
        f"{API}{path}",
        body,
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )


def locations(response: "Response") -> list[list[str | int]]:
    """Where each problem in a 422 is, e.g. [["query", "type"]]."""
    assert response.status_code == 422, response.content
    return [problem["loc"] for problem in response.json()["detail"]]


def booking(therapist: Therapist, **overrides: Any) -> dict[str, Any]:
    """A body for POST /bookings that books `therapist` three days from now at 10:00."""
    body: dict[str, Any] = {
        "therapist_id": therapist.pk,
        "type": "consultation",
        "start": local(3, 10).isoformat(),
        "name": "Riley Visitor",
        "email": "riley@example.com",
    }
    return body | overrides
