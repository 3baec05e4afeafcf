from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GulfConfig(AppConfig):
    name = "icihub.gulf"
    label = "gulf"
    verbose_name = _("Gulf calendar")

    def ready(self) -> None:
        from . import calendar

        calendar.connect_signals()
