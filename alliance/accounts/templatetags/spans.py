from datetime import datetime

from django import template

register = template.Library()


@register.filter
def days_until(start: datetime, end: datetime) -> int:
    """Whole days from `start` to `end`: "30 days" reads better than Django's "4 weeks, 2 days"."""
    return (end - start).days
