"""Every failure comes back as JSON with a `detail`: a message, or for bad input a list of
problems each naming where it is (`loc`), in the shape ninja gives its own validation errors."""

import logging
import math
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import Throttled, ValidationError

from alliance.accounts.unavailable import is_database_fault, unavailable_response
from alliance.accounts.views import body_limit
from alliance.api.schemas import field_error

logger = logging.getLogger(__name__)

NOT_JSON = "Send the body as JSON, with Content-Type: application/json."


def invalid(location: tuple[str, ...], message: str) -> ValidationError:
    """A 422 for one field, e.g. `raise invalid(("query", "type"), "...")`."""
    return ValidationError([field_error(location, message)])


# Operations that still act on a body refused before they ran (by its schema, or by a field
# checked first), by URL name: each returns what to add to the 422's body.
RefusalHook = Callable[[HttpRequest, list[dict[str, Any]]], dict[str, Any]]
_REFUSAL_HOOKS: dict[str, RefusalHook] = {}


def on_refusal(url_name: str) -> Callable[[RefusalHook], RefusalHook]:
    def register(hook: RefusalHook) -> RefusalHook:
        _REFUSAL_HOOKS[url_name] = hook
        return hook

    return register


def _invalid_input(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    # Ninja's own 422, plus what the operation's hook adds (alliance.api.clinical: a risk
    # answer in a refused record still alerts).
    body: dict[str, Any] = {"detail": exc.errors}
    match = request.resolver_match
    hook = _REFUSAL_HOOKS.get(match.url_name or "") if match is not None else None
    if hook is not None:
        body |= hook(request, exc.errors)
    return api.create_response(request, body, status=422)


def _throttled(request: HttpRequest, exc: Throttled, api: NinjaAPI) -> HttpResponse:
    minutes = math.ceil((exc.wait or 60) / 60)
    when = "a minute" if minutes <= 1 else f"{minutes} minutes"
    message = f"Too many bookings from this address; try again in {when}."
    return api.create_response(request, {"detail": message}, status=429)


def _too_large(request: HttpRequest, exc: RequestDataTooBig, api: NinjaAPI) -> HttpResponse:
    message = f"The request is too large: send at most {body_limit()}."
    return api.create_response(request, {"detail": message}, status=413)


def _invalid_model(request: HttpRequest, exc: DjangoValidationError, api: NinjaAPI) -> HttpResponse:
    # A model's own validation (full_clean in a service) caught what the schemas let through.
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    problems = [
        field_error(("body",) if field == "__all__" else ("body", field), message)
        for field, messages in by_field.items()
        for message in messages
    ]
    return api.create_response(request, {"detail": problems}, status=422)


def _unexpected(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    # A bug, not the caller's fault: logged with its traceback, answered in JSON without one.
    logger.exception("api: unexpected error in %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": "Something went wrong on our side. Please try again."}, status=500
    )


def _database_fault(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    if not is_database_fault(exc):
        return _unexpected(request, exc, api)
    logger.warning("api: database unavailable (%s): answered 503", type(exc).__name__)
    return unavailable_response(request)


def _declares_json(request: HttpRequest) -> bool:
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    return request.content_type == "application/json" and charset == "utf-8"


def json_bodies_only(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """415 for a body not declared as JSON, before anything reads it.

    A page on another site may send text/plain, a form's types or multipart to any address
    without asking first (a CORS "simple" request), and ninja would read JSON from any of them;
    only application/json needs the browser's permission, which this API never gives.
    """

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and not _declares_json(request):
            return JsonResponse({"detail": NOT_JSON}, status=415)
        return run(request, *args, **kwargs)

    return checked


def install_error_handlers(api: NinjaAPI) -> None:
    """On top of ninja's own: 400 for a body that is not JSON, 413 for one too large to read,
    422 for invalid input, and HttpError's status with its message."""
    api.add_exception_handler(ValidationError, partial(_invalid_input, api=api))
    api.add_exception_handler(Throttled, partial(_throttled, api=api))
    api.add_exception_handler(RequestDataTooBig, partial(_too_large, api=api))
    api.add_exception_handler(DjangoValidationError, partial(_invalid_model, api=api))
    api.add_exception_handler(Exception, partial(_unexpected, api=api))
    for fault in (DatabaseError, InterfaceError):
        api.add_exception_handler(fault, partial(_database_fault, api=api))
