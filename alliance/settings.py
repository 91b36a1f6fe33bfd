"""Alliance settings: one file, every knob an environment variable (README, "Configuration").

Defaults work on a bare checkout (SQLite, console e-mail, debug on). A production deployment sets
DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and an https SITE_URL; system checks refuse the rest.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from alliance.lib.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# The placeholder is public; alliance.E001 refuses to run with it when DEBUG is off.
PLACEHOLDER_SECRET_KEY = "alliance-insecure-placeholder-key-for-local-use-only"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
# Old keys, still accepted but never used to sign, while a new SECRET_KEY takes over: links
# already e-mailed and sessions keep working (docs/operations.md, "Rotating the secret key").
# Separated by spaces or new lines; SECRET_KEY_FALLBACKS_FILE reads them from a file.
SECRET_KEY_FALLBACKS = env_secret("SECRET_KEY_FALLBACKS", "").split()
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# The public address of this installation, used for links in e-mails. Unset, it is this machine
# on the port served (`make run` exports PORT; `manage.py serve --port` sets it for its children).
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
_HTTPS = SITE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",  # for its templates and static files: the API docs page then needs no CDN
    # Staff sign-in, throttling, lockout and multi-factor authentication (docs/decisions.md).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "alliance.accounts",
    "alliance.practice",
    "alliance.clients",
    "alliance.outbox",
    "alliance.booking",
    "alliance.care",
    "alliance.api",
    "alliance.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "alliance.practice.middleware.no_store",
    "alliance.practice.middleware.storable_text",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "alliance.practice.middleware.practice_timezone",
    "alliance.practice.middleware.mfa_enforced",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "alliance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.practice.context_processors.practice",
                "alliance.care.context_processors.alerts_band",
            ],
        },
    },
]

# SQLite by default so a fresh clone needs nothing else; PostgreSQL through DATABASE_URL.
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'alliance.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock when a
    # transaction starts, so two bookings cannot both read "free" and then both insert.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that the concurrency tests' processes share one test database;
    # named by process so that two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "booking:staff_home"
LOGOUT_REDIRECT_URL = "practice:home"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]

# Staff sign in with e-mail and password through django-allauth; accounts are made by the owner,
# never by sign-up (alliance.accounts.adapter).
ACCOUNT_ADAPTER = "alliance.accounts.adapter.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
# A reset asked for an unknown address sends nothing: the page says the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# A shared front-desk computer: closing the browser signs out (and 30 idle minutes, below).
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "practice:home"
# Lockout and throttling (docs/security.md). Failed sign-ins: 5 per account in 15 minutes, then
# that account waits; 30 an hour from one address. Reset e-mails: 3 an hour per address asked
# for, 10 an hour from one address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/1h/ip,5/15m/key",
    "reset_password": "10/1h/ip,3/1h/key",
    "reset_password_from_key": "20/1h/ip",
    "login": "30/1m/ip",
}
# The proxy that BEHIND_TLS_PROXY declares appends the client's address; nothing else is believed.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else 0
# Time-based one-time codes with recovery codes; "trust this browser" for at most 30 days.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Alliance"
# A code typed just after its 30-second step turned still counts (RFC 6238 §5.2: one step back).
MFA_TOTP_TOLERANCE = 1
MFA_ALLOW_UNVERIFIED_EMAIL = True  # staff addresses are set by the owner, not claimed by sign-up
MFA_TRUST_ENABLED = True
MFA_TRUST_COOKIE_AGE = timedelta(days=env_int("MFA_TRUST_DAYS", 30))
MFA_TRUST_COOKIE_SECURE = _HTTPS

# Staff sessions end after this much idle time: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
CSRF_TRUSTED_ORIGINS = [SITE_URL] if _HTTPS else []
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "alliance.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# Django's built-in Content-Security-Policy: our own files only, nothing inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en-us"
# Stored in UTC; shown in the practice's zone (set per request from the practice profile).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "alliance" / "static"]
# In production WhiteNoise serves the collected files (`collectstatic`) compressed, under hashed
# names cached for a year; with DEBUG on they are served as they are, with no collect step.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The database, so that counts such as the booking rate limit are shared by every process with no
# cache server to run. The table is made by a migration (alliance/api/migrations).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "alliance_cache",
    }
}
# Public bookings (the API's POST /api/v1/bookings) per client address: "10/m", "30/h", "100/d".
BOOKING_RATE_LIMIT = env_str("BOOKING_RATE_LIMIT", "10/m")
# Each public form (consultation, booking, waitlist, manage links) per client address: more than a
# person ever sends, far fewer than a script (docs/security.md, "Public forms").
PUBLIC_FORM_RATE_LIMIT = env_str("PUBLIC_FORM_RATE_LIMIT", "10/h")
# Check-in answers sent with a link that is forged, used or expired; a live link is never held up.
CHECKIN_RATE_LIMIT = env_str("CHECKIN_RATE_LIMIT", "30/h")

# A practice's own instrument definitions (e.g. licensed ones), beside the shipped ones:
# docs/instruments.md. Every file is validated at start-up.
INSTRUMENTS_DIR = env_str("INSTRUMENTS_DIR", "")

# Serving (docs/operations.md, "Database connections"): each web thread and each task worker can
# hold one database connection at a time, so WEB_WORKERS x WEB_THREADS + TASK_WORKERS, plus a
# few for cron and the shell, must stay under the database's limit. `serve --production` checks.
WEB_WORKERS = env_int("WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
WEB_THREADS = env_int("WEB_THREADS", 2)
TASK_WORKERS = env_int("TASK_WORKERS", 1)

# Background work: Django's Tasks framework with a database-backed worker, so no broker is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Django 6.1 mailers. With no EMAIL_HOST, mail is printed to the console as it reads, links whole
# (it never carries personal details, so that is safe for local use).
_EMAIL_HOST = env_str("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_secret("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": env_int("EMAIL_TIMEOUT", 15),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "alliance.practice.console_mail.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Alliance <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logs carry ids and events, never names, contact details or anything clinical (docs/security.md).
# Every record goes through the one handler, whose filter takes out API tokens and the tokens in
# link addresses; Django's own loggers are pointed at it instead of Django's default handlers.
_LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "alliance.lib.redact.RedactSecrets"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "loggers": {
        name: {"handlers": [], "level": _LOG_LEVEL, "propagate": True}
        for name in ("django", "django.server")
    },
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
}
