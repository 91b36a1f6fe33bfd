from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, blocked cookies): say what to do."""
    return render(request, "csrf_failure.html", status=403)


def body_limit() -> str:
    """DATA_UPLOAD_MAX_MEMORY_SIZE as a person reads it, e.g. "5 MB"."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:g} MB"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except a form too large to read: 413, and a page that gives the limit.
    (The API answers its own in JSON: alliance.api.errors.)"""
    if isinstance(exception, RequestDataTooBig):
        return render(request, "413.html", {"limit": body_limit()}, status=413)
    return defaults.bad_request(request, exception)
