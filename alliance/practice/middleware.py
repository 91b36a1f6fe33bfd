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


# Public pages with nothing personal on them, which browsers and proxies may keep. Static files
# never reach this middleware: WhiteNoise, before it, answers them with their own headers.
CACHEABLE = frozenset(
    {
        "practice:home",
        "practice:directory",
        "practice:therapist",
        "practice:therapist_photo",
        "practice:crisis",
    }
)


def no_store(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """`Cache-Control: no-store` on everything else: staff pages, the API, the admin and the
    pages a client's link opens carry personal and clinical data (docs/security.md)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        match = request.resolver_match
        if match is None or match.view_name not in CACHEABLE:
            response["Cache-Control"] = "no-store"
        return response

    return middleware
