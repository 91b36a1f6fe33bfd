"""The one rate-limit mechanism (alliance.accounts.throttle) and its settings' system check."""

from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from alliance.accounts.checks import check_form_rate_limits
from alliance.accounts.throttle import rate_limit_wait

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_it_counts_per_form_and_address_and_forgets_after_the_period() -> None:
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as clock:
        request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
        assert rate_limit_wait(request, scope="waitlist", rate="2/h") is None
        assert rate_limit_wait(request, scope="waitlist", rate="2/h") is None
        clock.shift(600)
        assert rate_limit_wait(request, scope="waitlist", rate="2/h") == 3000
        assert rate_limit_wait(request, scope="booking", rate="2/h") is None
        elsewhere = RequestFactory().post("/", REMOTE_ADDR="203.0.113.20")
        assert rate_limit_wait(elsewhere, scope="waitlist", rate="2/h") is None
        clock.shift(3001)
        assert rate_limit_wait(request, scope="waitlist", rate="2/h") is None


@pytest.mark.parametrize("name", ["PUBLIC_FORM_RATE_LIMIT", "CHECKIN_RATE_LIMIT"])
@pytest.mark.parametrize("rate", ["", "10", "ten/h", "0/h", "10/fortnight"])
def test_a_malformed_form_rate_fails_the_system_check(
    name: str, rate: str, settings: Settings
) -> None:
    setattr(settings, name, rate)
    [error] = check_form_rate_limits()
    assert error.id == "alliance.accounts.E001"
    assert error.msg.startswith(f"{name}: ")


def test_the_documented_default_form_rates_pass_the_check(settings: Settings) -> None:
    settings.PUBLIC_FORM_RATE_LIMIT = "10/h"
    settings.CHECKIN_RATE_LIMIT = "30/h"
    assert check_form_rate_limits() == []
