from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "icihub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, auditguard, pagecache, signals  # noqa: F401 - connects the sign-in handlers

        audit.connect()
        pagecache.connect()
        auditguard.connect_signals()
        post_migrate.connect(auditguard.post_migrate, sender=self, dispatch_uid="icihub_guard")
