"""When the database cannot answer (restarting, out of connections, read-only, locked too long),
a request gets 503 and when to try again, never a 500. Nothing it sent was saved: the request's
transaction did not commit, so "send it again" is true.

The pages are rendered without the database (no practice name, no context processors)."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: a write in a read-only transaction or server


def is_database_fault(error: BaseException) -> bool:
    """A fault of the database's, not of the request: it may pass if tried again."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DatabaseError) and (
        getattr(error.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        message = "The service is busy for a moment; nothing was saved. Please try again."
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database fault is answered 503; anything else is a bug, and a plain 500."""
    error = sys.exception()
    if error is not None and is_database_fault(error):
        # The kind only: database messages can quote the values of the statement.
        logger.warning("database unavailable (%s): answered 503", type(error).__name__)
        return unavailable_response(request)
    return HttpResponse(render_to_string("500.html"), status=500)
