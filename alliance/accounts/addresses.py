"""Where a request came from, for the rate limits and the read audit."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    X-Forwarded-For is anyone's to write, so it is believed only behind the reverse proxy that
    BEHIND_TLS_PROXY declares, and then only its last entry: the one that proxy appended.
    """
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
