import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icihub.settings")
application = get_wsgi_application()

# Bad configuration (production without SECRET_KEY, a Redis cache that does not
# answer, a malformed schedule) stops the server now, with one line, rather
# than as a stack trace in the middle of a request.
from icihub.operations import startup  # noqa: E402

try:
    startup.verify()
except startup.StartupError as exc:
    raise SystemExit(str(exc)) from None
