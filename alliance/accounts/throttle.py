"""Rate limits per client address: so many requests per period, for the API's bookings and for
every public form (docs/security.md, "Public forms").

The count lives in Django's cache, which settings.CACHES puts in the database so that every
process of a deployment shares it. Reading and writing the count is not one atomic step, so a
burst of simultaneous requests from one address may slip a few past: enough to stop a flood,
which is the point. Rates are read from settings on each request, not once at import, so an
overridden setting (as in the tests) takes effect at once.
"""

import hashlib
import math
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja.throttling import SimpleRateThrottle

from alliance.accounts.addresses import client_address

_RATE = re.compile(r"(\d+)/(\d*)(s|sec|m|min|h|hour|d|day)")
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

TOO_MANY = (
    "You have sent this form several times in a short while. Please wait a few minutes and send "
    "it again; what you typed is kept below."
)
# For forms with nothing typed in them (a button that moves or cancels an appointment).
TOO_MANY_TRIES = (
    "You have sent this form several times in a short while. Please wait a few minutes and try "
    "again."
)


def parse_rate(rate: str) -> tuple[int, int]:
    """How many requests in how many seconds: "10/m" is (10, 60), "30/5m" is (30, 300)."""
    match = _RATE.fullmatch(rate.replace(" ", ""))
    if match is None:
        raise ValueError(f"{rate!r} is not a rate such as 10/m")
    count, periods, unit = int(match[1]), int(match[2] or 1), match[3]
    if count < 1 or periods < 1:
        raise ValueError(f"{rate!r} allows nothing; give at least one request per period")
    return count, periods * _SECONDS[unit]


class RateWindow(SimpleRateThrottle):
    """ninja's sliding window over one address's recent requests to one scope (a form, the API's
    bookings), made afresh per request."""

    def __init__(self, rate: str, *, scope: str, address: str) -> None:
        super().__init__(rate)
        # Hashed: the cache holds no addresses, and keys stay short and free of odd characters.
        self.scoped_key = f"rate:{scope}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        return parse_rate(rate or "")

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.scoped_key


def rate_limit_wait(request: HttpRequest, *, scope: str, rate: str) -> int | None:
    """Count this request against `scope`'s limit for its address: None while within it, else
    the whole seconds to wait before the next one is accepted."""
    window = RateWindow(rate, scope=scope, address=client_address(request))
    if window.allow_request(request):
        return None
    return max(1, math.ceil(window.wait() or 1))


def public_form_wait(request: HttpRequest, *, form: str) -> int | None:
    """`rate_limit_wait` for one public form at PUBLIC_FORM_RATE_LIMIT."""
    return rate_limit_wait(request, scope=form, rate=settings.PUBLIC_FORM_RATE_LIMIT)


def too_many(response: HttpResponse, wait: int) -> HttpResponse:
    """The page a refused request gets, answered as 429 with when to try again."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
