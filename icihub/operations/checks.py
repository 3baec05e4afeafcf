"""System checks (``icihub check``, ``icihub check --deploy``): what would make
several servers behave as several systems, and a malformed schedule."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_shared(app_configs=None, **kwargs):
    if getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", True):
        return []
    return [
        checks.Error(
            "SECRET_KEY is not set in the environment: this server made its own key "
            "(ICIHUB_DATA_DIR/secret_key), so sessions, password-reset links and signed "
            "values it makes are refused by every other server.",
            hint="Set the same SECRET_KEY (50 or more random characters) on every app "
            "server and worker.",
            id="icihub.E101",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared(app_configs=None, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The cache is this process's memory (ICIHUB_CACHE_URL=locmem://): rate "
                "limits are counted per process, not across servers.",
                hint="Leave ICIHUB_CACHE_URL empty (the database) or give a redis:// URL.",
                id="icihub.W102",
            )
        ]
    return []


@checks.register()
def schedule_is_valid(app_configs=None, **kwargs):
    from icihub.core import jobs

    try:
        jobs.autodiscover()
        jobs.jobs()
    except jobs.ScheduleError as exc:
        return [checks.Error(str(exc), id="icihub.E103")]
    return []
