from datetime import timedelta

from django import template

from alliance.lib.durations import duration_short as _duration_short
from alliance.lib.phone import phone_tel_uri

register = template.Library()


@register.filter
def duration_short(value: timedelta | None) -> str:
    return "" if value is None else _duration_short(value)


@register.filter
def tel_href(number: str) -> str:
    """A phone number as typed, as the `tel:` address to dial it: href="{{ phone|tel_href }}"."""
    return phone_tel_uri(number)
