from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone

from alliance.accounts.forms import storable_query
from alliance.accounts.models import STAFF_ROLES
from alliance.practice.models import Practice

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def storable_text(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A query or form read in a charset the request declares (UTF-7, UTF-16) can hold text no
    database can store (alliance.lib.text). Shown as U+FFFD before any view or form sees it, a
    lookup by it finds nothing and a form (ours, allauth's, the admin's) shows it back; ours
    also name the field (StorableText)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request.GET = storable_query(request.GET)
        if request.content_type in FORM_TYPES:
            request.POST = storable_query(request.POST)
        return get_response(request)

    return middleware


def practice_timezone(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Load the practice once per request and show every time in its zone (stored in UTC)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        practice = Practice.objects.current()
        request.practice = practice  # type: ignore[attr-defined]
        with timezone.override(practice.zone):
            return get_response(request)

    return middleware


# What a staff member without an authenticator app may still open when the practice requires one:
# the pages that set it up, and the way out.
MFA_SETUP_PAGES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
    }
)


def mfa_enforced(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """When the owner requires sign-in codes, staff without an authenticator app are sent to set
    one up before any other page (the admin included); the API's tokens are not sessions."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.practice.mfa_required  # type: ignore[attr-defined]
            and user.is_authenticated
            and getattr(user, "role", None) in STAFF_ROLES
            and _url_name(request) not in MFA_SETUP_PAGES
            and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
        ):
            return redirect("mfa_index")
        return get_response(request)

    return middleware


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


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
