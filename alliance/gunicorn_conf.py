"""Gunicorn's settings for Alliance: `gunicorn -c python:alliance.gunicorn_conf alliance.wsgi`.

The sizes come from alliance.settings (WEB_WORKERS, WEB_THREADS), so that the database
connection arithmetic in docs/operations.md has one source. `serve --production` and the systemd
unit in deploy/ both start gunicorn this way.
"""

from alliance import settings
from alliance.lib.env import env_str

bind = [env_str("BIND", "127.0.0.1:8000")]
workers = settings.WEB_WORKERS
# Threads let a worker keep connections alive and wait on one slow client while serving others.
worker_class = "gthread"
threads = settings.WEB_THREADS
# Load the application once, before forking: a failing system check (alliance/wsgi.py) stops the
# server at start with its message instead of failing in every worker.
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
# Access logs are off: request paths carry opaque but live link tokens (docs/security.md).
accesslog = None
errorlog = "-"
# Nothing here is controlled over a socket; two servers on one machine must not share one.
control_socket_disable = True
