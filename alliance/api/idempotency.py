"""`Idempotency-Key`, scoped to who sends it and what it is sent with.

A key is a caller's own name for one request, not a secret: two callers may pick the same one,
and a caller may reuse one by mistake. So the stored key is the caller's key hashed with the
caller (a staff token's user, else the client address) and, after a colon, a hash of the exact
body. The same caller sending the same key and body gets the first result; the same key with
another body is refused; another caller's key is another key.
"""

import hashlib

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from alliance.accounts.addresses import client_address
from alliance.accounts.models import User
from alliance.api.errors import invalid

REUSED = (
    "This key was sent before with a different body; "
    "send a new key for a new request, or the same body to retry."
)
WHERE = ("header", "Idempotency-Key")


def idempotency_caller(request: HttpRequest, user: User | None) -> str:
    """Who is asking: the token's staff member, or else the address the request came from."""
    return f"user:{user.pk}" if user is not None else f"address:{client_address(request)}"


def idempotency_scoped[M: Model](
    request: HttpRequest, *, key: str, caller: str, stored: QuerySet[M]
) -> str:
    """The key to store for this caller and body ("api:" and 72 characters), or a 422 when
    this caller sent the same key before with another body (`stored`: the rows keyed so far)."""
    scope = f"api:{hashlib.sha256(f'{caller}\n{key}'.encode()).hexdigest()[:39]}:"
    scoped = scope + hashlib.sha256(request.body).hexdigest()[:32]
    if stored.filter(idempotency_key__startswith=scope).exclude(idempotency_key=scoped).exists():
        raise invalid(WHERE, REUSED)
    return scoped
