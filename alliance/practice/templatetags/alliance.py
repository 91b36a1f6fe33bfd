from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from alliance.lib.css import css_string as _css_string
from alliance.lib.durations import duration_short as _duration_short
from alliance.lib.phone import phone_tel_uri

register = template.Library()


@register.filter
def duration_short(value: timedelta | None) -> str:
    return "" if value is None else _duration_short(value)


@register.filter
def css_string(value: object) -> SafeString:
    """A CSS string for a <style> element: nothing in it can end the string or the element."""
    return mark_safe(_css_string(str(value)))  # noqa: S308 - every unsafe character is escaped


@register.filter
def tel_href(number: str) -> str:
    """A phone number as typed, as the `tel:` address to dial it: href="{{ phone|tel_href }}"."""
    return phone_tel_uri(number)


@register.filter
def zone_name(value: datetime | None) -> str:
    """The zone's abbreviation at that moment, in the zone the page is shown in ("EDT", "EST").
    Django's "T" prints nothing in the hour the clocks repeat, when it matters most."""
    return "" if value is None else timezone.localtime(value).strftime("%Z")
