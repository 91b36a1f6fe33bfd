from datetime import timedelta

from django import template

from alliance.lib.durations import duration_short as _duration_short

register = template.Library()


@register.filter
def duration_short(value: timedelta | None) -> str:
    return "" if value is None else _duration_short(value)
