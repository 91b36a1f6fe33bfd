"""The public booking rate limit of the API: BOOKING_RATE_LIMIT bookings per client address.

The window, the address and the rate format are the public forms' own (alliance.accounts.throttle).
"""

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from alliance.accounts.addresses import client_address
from alliance.accounts.throttle import RateWindow


class BookingRateLimit(BaseThrottle):
    """ninja keeps one throttle object per operation and serves requests on several threads,
    so the per-request state lives in a fresh window kept in a thread-local."""

    def __init__(self) -> None:
        self._current = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        window = RateWindow(
            settings.BOOKING_RATE_LIMIT, scope="api-bookings", address=client_address(request)
        )
        self._current.window = window
        return window.allow_request(request)

    def wait(self) -> float | None:
        window: RateWindow | None = getattr(self._current, "window", None)
        return window.wait() if window is not None else None
