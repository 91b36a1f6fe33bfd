"""Building the week of free times a person chooses from, shown in the zone they choose."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.booking.appointments import SlotRefused
from alliance.booking.availability import therapist_slots
from alliance.booking.models import Appointment, AppointmentType
from alliance.lib.moments import day_parse
from alliance.practice.models import Therapist, practice_zone
from alliance.scheduling.display import format_local
from alliance.scheduling.slots import Slot

# Offered in the zone chooser; any valid IANA name in the address also works.
COMMON_ZONES = [
    ("America/New_York", "Eastern Time"),
    ("America/Chicago", "Central Time"),
    ("America/Denver", "Mountain Time"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific Time"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    ("America/Puerto_Rico", "Puerto Rico"),
]


# A phone shows this many times per day before "More times"; the rest stay one tap away.
SHOWN_PER_DAY = 6


@dataclass
class Day:
    date: date
    slots: list[tuple[Slot, str]]
    zone_abbreviation: str

    @property
    def first(self) -> list[tuple[Slot, str]]:
        return self.slots[:SHOWN_PER_DAY]

    @property
    def more(self) -> list[tuple[Slot, str]]:
        return self.slots[SHOWN_PER_DAY:]


@dataclass
class Week:
    days: list[Day]
    start: date
    previous: date | None
    next: date | None
    zone: ZoneInfo
    zone_label: str
    practice_zone: ZoneInfo
    notice_hours: int

    @property
    def is_empty(self) -> bool:
        return not any(day.slots for day in self.days)

    @property
    def zone_options(self) -> list[tuple[str, str]]:
        known = [key for key, _ in COMMON_ZONES]
        extra = [] if self.zone.key in known else [(self.zone.key, self.zone_label)]
        return COMMON_ZONES + extra


def display_zone(requested: str | None) -> ZoneInfo:
    """The viewer's chosen zone, or the practice's when none (or nonsense) is asked for."""
    if requested and requested in zoneinfo.available_timezones():
        return ZoneInfo(requested)
    return practice_zone()


def alternatives_shown(taken: SlotRefused | None, zone: ZoneInfo) -> list[tuple[Slot, str]]:
    """The free times offered instead of one just taken, each with its label in `zone`."""
    return [
        (slot, format_local(slot.start, zone)) for slot in (taken.alternatives if taken else [])
    ]


def parse_day(value: str | None, default: date) -> date:
    """A day to show from the address, or `default` for none or one no calendar holds."""
    try:
        return day_parse(value) if value else default
    except ValueError:
        return default


def time_refused(request: HttpRequest, problem: str, times_url: str) -> HttpResponse:
    """The answer to a start in the address that is no time at all (alliance.lib.moments)."""
    context = {"problem": problem, "times_url": times_url}
    return render(request, "booking/time_refused.html", context, status=422)


def week_of_slots(
    *,
    therapist: Therapist,
    appointment_type: AppointmentType,
    week: str | None,
    zone: ZoneInfo,
    now: datetime,
    ignore: Appointment | None = None,
) -> Week:
    """Seven days of free times from `week` (default: today), grouped by the viewer's dates."""
    today = now.astimezone(zone).date()
    last_bookable = (now + timedelta(days=appointment_type.horizon_days)).astimezone(zone).date()
    start = min(max(parse_day(week, today), today), last_bookable)
    end = start + timedelta(days=6)
    home = practice_zone()
    # The practice's days that overlap the viewer's week, one day either side for zone offsets.
    slots = therapist_slots(
        therapist=therapist,
        appointment_type=appointment_type,
        first_day=start - timedelta(days=1),
        last_day=end + timedelta(days=1),
        now=now,
        zone=home,
        ignore=ignore,
    )
    days = {}
    for offset in range(7):
        day = start + timedelta(days=offset)
        # The zone's name at midday: on a clock-change day the times all fall after it.
        abbreviation = datetime.combine(day, time(12), zone).strftime("%Z")
        days[day] = Day(day, [], abbreviation)
    for slot in slots:
        local = slot.start.astimezone(zone)
        if local.date() in days:
            days[local.date()].slots.append((slot, format_local(slot.start, zone)))
    labels = dict(COMMON_ZONES)
    return Week(
        days=list(days.values()),
        start=start,
        previous=start - timedelta(days=7) if start > today else None,
        next=start + timedelta(days=7) if end < last_bookable else None,
        zone=zone,
        zone_label=labels.get(zone.key, zone.key.replace("_", " ")),
        practice_zone=home,
        notice_hours=appointment_type.min_notice_hours,
    )
