from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from alliance.practice.models import Practice


def practice_timezone(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Load the practice once per request and show every time in its zone (stored in UTC)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        practice = Practice.objects.current()
        request.practice = practice  # type: ignore[attr-defined]
        with timezone.override(ZoneInfo(practice.time_zone)):
            return get_response(request)

    return middleware
