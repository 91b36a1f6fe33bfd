"""Production configuration: the documented variables pass `check --deploy`; the placeholder
secret with DEBUG off refuses to start (alliance.E001), under manage.py and under WSGI."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "therapy.example.org",
    "SITE_URL": "https://therapy.example.org",
    "SECURE_HSTS_PRELOAD": "true",
    "EMAIL_HOST": "smtp.example.org",
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process.
    unwanted = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "SECRET_KEY_FALLBACKS"}
    clean = {key: value for key, value in os.environ.items() if key not in unwanted}
    clean.update(env, DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_placeholder_secret_is_refused_without_debug(tmp_path: Path) -> None:
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "alliance.E001" in result.stderr


def test_a_wsgi_server_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = run(["-c", "import alliance.wsgi"], env, tmp_path)
    assert result.returncode != 0
    assert "alliance.E001" in result.stderr
    ok = run(["-c", "import alliance.wsgi"], PRODUCTION, tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_a_bad_value_stops_start_up_with_its_name(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], {"DEBUG": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_the_placeholder_is_fine_for_local_debugging(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], {"DEBUG": "true"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_link_signed_with_the_old_secret_works_while_it_is_a_fallback(tmp_path: Path) -> None:
    """Rotating the secret key (operations.md): links already e-mailed keep working while the
    old key is in SECRET_KEY_FALLBACKS, and stop once it is removed."""
    old, new = "old-" + "o" * 50, "new-" + "n" * 50
    sign = "from django.core import signing; print(signing.dumps('link', salt='s'))"
    token = run(
        ["manage.py", "shell", "-v0", "-c", sign], {"SECRET_KEY": old}, tmp_path
    ).stdout.strip()
    read = f"from django.core import signing; print(signing.loads({token!r}, salt='s'))"
    rotated = {"SECRET_KEY": new, "SECRET_KEY_FALLBACKS": f"other-{'x' * 50} {old}"}
    assert (
        run(["manage.py", "shell", "-v0", "-c", read], rotated, tmp_path).stdout.strip() == "link"
    )
    dropped = run(["manage.py", "shell", "-c", read], {"SECRET_KEY": new}, tmp_path)
    assert "BadSignature" in dropped.stderr


SITE_URL_NOW = "from django.conf import settings; print(settings.SITE_URL)"


def test_links_follow_the_port_served_when_no_site_url_is_set(tmp_path: Path) -> None:
    result = run(["manage.py", "shell", "-v0", "-c", SITE_URL_NOW], {"PORT": "8101"}, tmp_path)
    assert result.stdout.strip() == "http://127.0.0.1:8101", result.stderr


def test_an_explicit_site_url_wins_over_the_port(tmp_path: Path) -> None:
    env = {"PORT": "8101", "SITE_URL": "https://therapy.example.org/"}
    result = run(["manage.py", "shell", "-v0", "-c", SITE_URL_NOW], env, tmp_path)
    assert result.stdout.strip() == "https://therapy.example.org", result.stderr


def test_without_an_smtp_server_e_mail_is_printed_readably(tmp_path: Path) -> None:
    link = "http://127.0.0.1:8000/checkin/" + "x9=" * 40 + "/"
    send = (
        "from django.core.mail import send_mail; "
        f"send_mail('Your check-in', 'Start here: {link}', None, ['casey@example.com'])"
    )
    result = run(["manage.py", "shell", "-v0", "-c", send], {"DEBUG": "true"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "To: casey@example.com\n" in result.stdout
    assert "Subject: Your check-in\n" in result.stdout
    assert f"Start here: {link}\n" in result.stdout
