"""Availability to bookable slots: pure Python, no Django (pyproject.toml's import contracts
enforce it)."""

from alliance.scheduling.display import format_day, format_local
from alliance.scheduling.slots import Interval, Slot, SlotRules, WeeklyHours, free_slots

__all__ = [
    "Interval",
    "Slot",
    "SlotRules",
    "WeeklyHours",
    "format_day",
    "format_local",
    "free_slots",
]
