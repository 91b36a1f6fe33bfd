from collections.abc import Iterator

import pytest
from django.core.cache import cache

from alliance.practice.models import Therapist
from tests.booking.fixtures import bookable_therapist, consultation_type


@pytest.fixture(autouse=True)
def _fresh_cache(db: None) -> Iterator[None]:
    """The booking rate limit counts in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def therapist() -> Therapist:
    """A therapist anyone may book a consultation with, every day from 8:00 to 20:00."""
    consultation_type()
    return bookable_therapist()
