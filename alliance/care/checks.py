from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from alliance.care.instruments import instruments
from alliance.clinical.instruments import InstrumentError


@register("instruments")
def check_instruments(**kwargs: Any) -> list[CheckMessage]:
    """alliance.care.E001: every instrument definition loads and is valid."""
    try:
        instruments()
    except InstrumentError as error:
        return [
            Error(
                str(error),
                hint=(
                    "Fix the definition (docs/instruments.md describes the format) or remove it "
                    f"from INSTRUMENTS_DIR ({settings.INSTRUMENTS_DIR or 'not set'})."
                ),
                id="alliance.care.E001",
            )
        ]
    return []
