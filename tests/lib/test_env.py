"""The environment readers: typed, loud on a malformed value, and an empty variable is unset."""

from pathlib import Path

import pytest

from alliance.lib.env import EnvError, env_bool, env_int, env_list, env_secret, env_str


def test_env_bool_reads_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True


def test_env_bool_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(EnvError, match="FLAG must be true or false"):
        env_bool("FLAG", False)


def test_env_int_refuses_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBER", "12")
    assert env_int("NUMBER", 1) == 12
    monkeypatch.setenv("NUMBER", "twelve")
    with pytest.raises(EnvError, match="NUMBER must be a whole number"):
        env_int("NUMBER", 1)


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_env_secret_reads_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_secret("TOKEN", "default") == "from-a-file"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="TOKEN_FILE"):
        env_secret("TOKEN", "default")


# README, "Configuration": an empty variable counts as unset, for every reader. A blank line in a
# systemd EnvironmentFile or `DEBUG=` in a shell must give the default, not False, [] or "".


@pytest.mark.parametrize("empty", ["", "  "])
def test_env_str_takes_an_empty_variable_as_unset(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.setenv("SITE", empty)
    assert env_str("SITE", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"


@pytest.mark.parametrize("empty", ["", "  "])
def test_env_bool_takes_an_empty_variable_as_unset(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.setenv("FLAG", empty)
    assert env_bool("FLAG", True) is True
    assert env_bool("FLAG", False) is False


@pytest.mark.parametrize("empty", ["", "  "])
def test_env_int_takes_an_empty_variable_as_unset(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.setenv("NUMBER", empty)
    assert env_int("NUMBER", 30) == 30


@pytest.mark.parametrize("empty", ["", "  "])
def test_env_list_takes_an_empty_variable_as_unset(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.setenv("HOSTS", empty)
    assert env_list("HOSTS", ["127.0.0.1", "localhost"]) == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("empty", ["", "  "])
def test_env_secret_takes_an_empty_variable_as_unset(
    monkeypatch: pytest.MonkeyPatch, empty: str
) -> None:
    monkeypatch.delenv("TOKEN_FILE", raising=False)
    monkeypatch.setenv("TOKEN", empty)
    assert env_secret("TOKEN", "placeholder") == "placeholder"


def test_env_secret_takes_an_empty_file_variable_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_FILE", "")
    monkeypatch.setenv("TOKEN", "from-the-variable")
    assert env_secret("TOKEN", "placeholder") == "from-the-variable"
    monkeypatch.delenv("TOKEN")
    assert env_secret("TOKEN", "placeholder") == "placeholder"


def test_env_secret_takes_an_empty_file_as_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_secret("TOKEN", "placeholder") == "placeholder"


def test_a_set_variable_is_read_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE", "https://care.example")
    monkeypatch.setenv("TOKEN", "s3cret")
    monkeypatch.delenv("TOKEN_FILE", raising=False)
    assert env_str("SITE", "http://127.0.0.1:8000") == "https://care.example"
    assert env_secret("TOKEN", "placeholder") == "s3cret"
