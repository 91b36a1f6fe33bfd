"""Staff API tokens: made once, kept only as a hash, refused once revoked or the user is gone.

A token is `alli_` and 43 URL-safe characters (256 random bits). Its holder gets what its user's
role gets when signed in (`scoped_to_user`): owner and front desk every client, a therapist their
own. Clients never hold tokens.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alliance.accounts.models import STAFF_ROLES, ApiToken, User

TOKEN_PREFIX = "alli_"  # noqa: S105  (a marker, not a secret)
# The length of every token this module makes; anything else is refused without a query.
TOKEN_LENGTH = len(TOKEN_PREFIX) + 43
PREFIX_LENGTH = 12  # "alli_" and seven characters that tell tokens apart
# last_used_at is a hint for people ("used yesterday"), not an audit log: writing it at most once
# a minute spares a database write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """The user may not hold an API token (not staff, or deactivated)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_hold_token(user: User) -> bool:
    return user.is_active and user.role in STAFF_ROLES


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new token for `user`, returned this once; only its hash is stored."""
    if not _may_hold_token(user):
        raise TokenRefused("Only active staff (owner, therapist, front desk) may hold API tokens.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, token_hash=_hash(token), prefix=token[:PREFIX_LENGTH])
    return token


def api_token_user(token: str, *, now: datetime | None = None) -> User | None:
    """The active staff member a live token belongs to, or None.

    The row is found by the token's hash, so the database compares hashes, never the secret:
    how long a lookup takes says nothing about how close a guess came. The final comparison is
    constant-time all the same, in case a database compares case-insensitively or pads.
    """
    if len(token) != TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        return None
    digest = _hash(token)
    found = ApiToken.objects.live().select_related("user").filter(token_hash=digest).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    if not _may_hold_token(found.user):
        return None
    _note_use(found, now or timezone.now())
    return found.user


def _note_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    # Conditional, so that two requests racing past the check above still write once.
    ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(last_used_at=now)
    token.last_used_at = now


def api_token_revoke(*, user: User, prefix: str | None = None, now: datetime | None = None) -> int:
    """Revoke `user`'s live tokens, or only those starting with `prefix`; how many were."""
    tokens = ApiToken.objects.live().filter(user=user)
    if prefix is not None:
        tokens = tokens.filter(prefix=prefix[:PREFIX_LENGTH])
    return tokens.update(revoked_at=now or timezone.now())
