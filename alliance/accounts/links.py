"""Signed links: the one way every e-mailed link (manage, waitlist, pending booking, check-in,
progress) makes and reads its token.

A token is a record's UUID (and, for some kinds, a version) signed with SECRET_KEY by Django's
`signing.dumps`: opaque, nothing personal in it, still opened under SECRET_KEY_FALLBACKS while a
key is rotated. Each kind has its own salt, so a token of one kind never opens another. Salts and
the token format must never change: links already sent would stop working.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing


class LinkExpired(Exception):
    """A genuine link older than its kind allows."""


@dataclass(frozen=True)
class SignedLink[Payload: (str, list[Any])]:
    """One kind of link: what it carries (a UUID as text, or a list such as UUID and version),
    its salt, and how long its tokens open (None: as long as the record they name says; a
    callable: read at each use, from settings kept in the database).

    A payload read back is trusted as made: only this kind's `make` could have signed it.
    """

    salt: str
    max_age: timedelta | Callable[[], timedelta] | None = None

    def make(self, payload: Payload) -> str:
        return signing.dumps(payload, salt=self.salt)

    def read(self, token: str, *, tell_expired: bool = False) -> Payload | None:
        """What the token carries; None when it is forged, malformed or of another kind.

        An expired token gives None too, or raises LinkExpired when `tell_expired`.
        """
        max_age = self.max_age() if callable(self.max_age) else self.max_age
        try:
            payload: Payload = signing.loads(token, salt=self.salt, max_age=max_age)
        except signing.SignatureExpired:
            if tell_expired:
                raise LinkExpired from None
            return None
        except (signing.BadSignature, ValueError, TypeError):
            return None
        return payload
