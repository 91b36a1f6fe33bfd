from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from alliance.lib.moments import day_checked, day_parse, moment_checked, moment_parse


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(2026, 12, 7), date(2200, 12, 31)])
def test_days_from_1900_to_2200_pass(day: date) -> None:
    assert day_checked(day) == day


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date.max])
def test_days_outside_are_refused(day: date) -> None:
    with pytest.raises(ValueError, match="between the years 1900 and 2200"):
        day_checked(day)


@pytest.mark.parametrize(
    "offset", [timedelta(hours=14), timedelta(hours=-12), timedelta(hours=5, minutes=45)]
)
def test_offsets_real_zones_use_pass(offset: timedelta) -> None:
    moment = datetime(2030, 3, 10, 10, tzinfo=timezone(offset))
    assert moment_checked(moment) == moment


@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=23, minutes=59), timedelta(hours=-14, minutes=-1), timedelta(seconds=30)],
)
def test_offsets_no_zone_has_are_refused(offset: timedelta) -> None:
    with pytest.raises(ValueError, match="between -14:00 and"):
        moment_checked(datetime(2030, 3, 10, 10, tzinfo=timezone(offset)))


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="with its UTC offset"):
        moment_checked(datetime(2030, 3, 10, 10))


@pytest.mark.parametrize(
    "text", ["2200-12-31T23:00:00-05:00", "1900-01-01T00:30:00+01:00", "9999-12-31T23:59:59Z"]
)
def test_a_time_whose_utc_day_falls_outside_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="between the years 1900 and 2200"):
        moment_parse(text)


def test_a_time_is_read_into_utc() -> None:
    assert moment_parse("2030-03-10T10:00:00-05:00") == datetime(2030, 3, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "tomorrow", "2030-02-30", "\ud800"])
def test_what_is_no_date_is_refused_with_the_format(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        day_parse(text)
