from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "icihub.reports"
    label = "reports"
    verbose_name = _("Figures and reports")

    def ready(self):
        from icihub.core import auditchain

        from . import figcache
        from .models import Snapshot

        # the audit chain's verifier checks the published snapshots' hashes
        auditchain.register_snapshot_model(Snapshot)
        # the figures kept between requests: a new version after each write they count
        figcache.connect()
