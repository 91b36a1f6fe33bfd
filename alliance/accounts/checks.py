from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from alliance.accounts.throttle import parse_rate


@register(Tags.security, deploy=False)
def check_secret_key(**kwargs: Any) -> list[CheckMessage]:
    """alliance.E001: never serve real people with the published placeholder secret."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.PLACEHOLDER_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the public placeholder while DEBUG is off.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value; "
                "see README, Configuration.",
                id="alliance.E001",
            )
        ]
    return []


@register(Tags.security, deploy=False)
def check_mfa_trust_age(**kwargs: Any) -> list[CheckMessage]:
    """alliance.E002: a trusted browser skips the sign-in code for at most 30 days."""
    trusted_for: timedelta = settings.MFA_TRUST_COOKIE_AGE
    if trusted_for > timedelta(days=30):
        return [
            Error(
                "MFA_TRUST_DAYS is longer than 30 days.",
                hint="Set MFA_TRUST_DAYS to 30 or fewer; see README, Configuration.",
                id="alliance.E002",
            )
        ]
    return []


@register()
def check_form_rate_limits(**kwargs: Any) -> list[CheckMessage]:
    """alliance.accounts.E001: a malformed rate would otherwise fail only at the first form sent."""
    errors: list[CheckMessage] = []
    for name in ("PUBLIC_FORM_RATE_LIMIT", "CHECKIN_RATE_LIMIT"):
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            errors.append(
                Error(
                    f"{name}: {error}.",
                    hint='Give requests per period, e.g. "10/h", "30/h" or "100/d".',
                    id="alliance.accounts.E001",
                )
            )
    return errors
