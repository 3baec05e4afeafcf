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

# Load every view and the API now (not at the first request), then take what
# loading made out of the garbage collector's full collections (tune_gc).
import icihub.urls  # noqa: E402, F401

try:
    startup.tune_gc()
except startup.StartupError as exc:
    raise SystemExit(str(exc)) from None
