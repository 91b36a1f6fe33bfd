from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(db: None) -> Iterator[None]:
    """The booking rate limit counts in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
