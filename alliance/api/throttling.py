"""The public booking rate limit: so many bookings per client address per period.

The count lives in Django's cache, which settings.CACHES puts in the database so that every
process of a deployment shares it. Reading and writing the count is not one atomic step, so a
burst of simultaneous requests from one address may slip a few past: enough to stop a flood,
which is the point. The rate is read from settings.BOOKING_RATE_LIMIT on each request, not once
at import, so an overridden setting (as in the tests) takes effect at once.
"""

import hashlib
import re
import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from alliance.accounts.addresses import client_address

_RATE = re.compile(r"(\d+)/(\d*)(s|sec|m|min|h|hour|d|day)")
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """How many requests in how many seconds: "10/m" is (10, 60), "30/5m" is (30, 300)."""
    match = _RATE.fullmatch(rate.replace(" ", ""))
    if match is None:
        raise ValueError(f"{rate!r} is not a rate such as 10/m")
    count, periods, unit = int(match[1]), int(match[2] or 1), match[3]
    if count < 1 or periods < 1:
        raise ValueError(f"{rate!r} allows nothing; give at least one request per period")
    return count, periods * _SECONDS[unit]


class _Window(SimpleRateThrottle):
    """ninja's sliding window over one address's recent requests, made afresh per request."""

    def __init__(self, rate: str, address: str) -> None:
        super().__init__(rate)
        # Hashed: the cache holds no addresses, and keys stay short and free of odd characters.
        self.address_key = hashlib.sha256(address.encode()).hexdigest()[:32]

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        return parse_rate(rate or "")

    def get_cache_key(self, request: HttpRequest) -> str:
        return f"api:bookings:{self.address_key}"


class BookingRateLimit(BaseThrottle):
    """ninja keeps one throttle object per operation and serves requests on several threads,
    so the per-request state lives in a fresh window kept in a thread-local."""

    def __init__(self) -> None:
        self._current = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        window = _Window(settings.BOOKING_RATE_LIMIT, client_address(request))
        self._current.window = window
        return window.allow_request(request)

    def wait(self) -> float | None:
        window: _Window | None = getattr(self._current, "window", None)
        return window.wait() if window is not None else None
