import os

from django.core import checks
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
application = get_wsgi_application()

# runserver and migrate run the system checks; a WSGI server does not, so refuse to serve here
# when one fails (e.g. alliance.E001, the placeholder secret with DEBUG off).
_errors = [message for message in checks.run_checks() if message.is_serious()]
if _errors:
    raise SystemExit("\n".join(str(message) for message in _errors))
