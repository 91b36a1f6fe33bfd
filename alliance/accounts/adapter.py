"""How django-allauth signs staff in here: no sign-up, a lockout that explains itself and is
logged, and only staff let through to the staff pages (alliance.accounts.access)."""

import hashlib
import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.forms import ValidationError
from django.http import HttpRequest

logger = logging.getLogger(__name__)

LOCKED_OUT = (
    "Sign-in is paused after too many wrong passwords, to keep the account safe. Please try "
    "again in 15 minutes (up to an hour if many were tried from this network), or reset your "
    "password. If this was not you, tell the practice owner."
)


def _account_tag(credentials: dict[str, Any]) -> str:
    """A short, stable tag for the address tried, so that logs can tell attempts on one account
    apart without holding the address itself."""
    login = str(credentials.get("email", "")).strip().lower()
    return hashlib.sha256(login.encode()).hexdigest()[:12]


class StaffAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": LOCKED_OUT,
        "email_password_mismatch": "That e-mail address and password do not match a staff "
        "account. Please check both and try again.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff accounts are made by the owner (admin); there is no public sign-up.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            logger.warning("sign-in locked out: account %s", _account_tag(credentials))
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        logger.info("sign-in failed: account %s", _account_tag(credentials))
