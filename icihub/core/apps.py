from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "icihub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, signals  # noqa: F401 - connects the sign-in handlers

        audit.connect()
