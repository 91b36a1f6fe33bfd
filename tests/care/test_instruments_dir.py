"""A practice's own instruments load from INSTRUMENTS_DIR; a broken one stops start-up."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from alliance.accounts.tokens import api_token_create
from alliance.care.instruments import instruments
from tests.api.helpers import API
from tests.conftest import Personas

DOCS = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


def documented_example() -> str:
    text = DOCS.read_text()
    found = re.search(r"<!-- example: session_weather.toml -->\n```toml\n(.*?)```", text, re.S)
    assert found is not None
    return found.group(1)


@pytest.fixture
def practice_dir(tmp_path: Path, settings: SettingsWrapper) -> Iterator[Path]:
    settings.INSTRUMENTS_DIR = str(tmp_path)
    settings.SECRET_KEY = "a-long-random-value-" * 3  # tests run with DEBUG off
    instruments.cache_clear()
    yield tmp_path
    instruments.cache_clear()


def test_the_documented_example_is_offered_beside_the_shipped_ones(
    practice_dir: Path, personas: Personas
) -> None:
    (practice_dir / "session_weather.toml").write_text(documented_example())
    call_command("check", tags=["instruments"])
    token = api_token_create(user=personas.therapist)
    listed = Client().get(f"{API}/instruments", headers={"Authorization": f"Bearer {token}"})
    codes = [row["code"] for row in listed.json()]
    assert "session_weather" in codes
    assert "phq9" in codes


def test_a_broken_definition_stops_start_up_naming_file_and_field(
    practice_dir: Path, db: None
) -> None:
    broken = documented_example().replace('scale = "amount"\nreverse', 'scale = "amont"\nreverse')
    (practice_dir / "session_weather.toml").write_text(broken)
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", tags=["instruments"])
    message = str(refused.value)
    assert "alliance.care.E001" in message
    assert "session_weather.toml" in message
    assert "items[2].scale" in message
