from datetime import timedelta

from django import template
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
