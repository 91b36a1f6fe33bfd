from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from alliance.accounts.throttle import parse_rate


@register()
def check_booking_rate_limit(**kwargs: Any) -> list[CheckMessage]:
    """alliance.api.E001: a malformed rate would otherwise fail only at the first booking."""
    try:
        parse_rate(settings.BOOKING_RATE_LIMIT)
    except ValueError as error:
        return [
            Error(
                f"BOOKING_RATE_LIMIT: {error}.",
                hint='Give bookings per period, e.g. "10/m", "30/h" or "100/d".',
                id="alliance.api.E001",
            )
        ]
    return []
