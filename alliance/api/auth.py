"""Staff sign-in for the API: `Authorization: Bearer <token>` from `manage.py createapitoken`.

An operation declares `auth=StaffToken()` and then sees the token's user twice: as
`request.auth` (ninja's place) and as `request.user`, so that `scoped_to_user(queryset,
request.user)` and every other helper written for the staff pages apply unchanged. Setting
`request.user` also means a session cookie sent with the request cannot stand in for the token.
Anything else (no header, `Basic …`, an unknown, revoked or deactivated user's token) gets ninja's
401, `{"detail": "Unauthorized"}`; `install_auth_error_handler` adds a `WWW-Authenticate`
header and says how to sign in.
"""

from functools import partial

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from alliance.accounts.models import User
from alliance.accounts.tokens import api_token_user

UNAUTHORIZED = "Send a staff API token: Authorization: Bearer <token>."


class StaffToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # None, never an exception: ninja stops at the first raising authenticator, while a None
        # lets it try the next one an operation lists (e.g. `auth=[StaffToken(), django_auth]`).
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


def staff_user(request: HttpRequest) -> User:
    """The staff member whose token let this request in (in an `auth=StaffToken()` operation)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("staff_user() needs an operation declared with auth=StaffToken().")
    return user


def _unauthorized(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI) -> HttpResponse:
    response = api.create_response(request, {"detail": UNAUTHORIZED}, status=exc.status_code)
    # RFC 9110 (15.5.2): a 401 names the scheme the client should use.
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def install_auth_error_handler(api: NinjaAPI) -> None:
    """401s as `{"detail": "Send a staff API token: ..."}` with `WWW-Authenticate: Bearer`.

    Optional: without it ninja already answers `{"detail": "Unauthorized"}`, in the shape of
    alliance.api.errors."""
    api.add_exception_handler(AuthenticationError, partial(_unauthorized, api=api))
