from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running icihub on several servers: the record of scheduled runs and of the
    workers, health and metrics, the worker command. Depends on core only."""

    name = "icihub.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from . import checks, metrics  # noqa: F401 - registers the system checks and signals
