"""Typed readers for environment variables that fail loudly on a bad value.

A typo in production configuration should stop the process at start-up with a message naming the
variable, not silently fall back to a default.
"""

import os
from pathlib import Path


class EnvError(ValueError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank: `DEBUG=` means the default."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value


def env_str(name: str, default: str) -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str) -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker and systemd secrets).

    An empty file counts as unset too, like an empty variable.
    """
    path = _raw(f"{name}_FILE")
    if path is not None:
        try:
            secret = Path(path).read_text().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE names {path!r}, which cannot be read: {exc}") from None
        return secret or default
    return env_str(name, default)
