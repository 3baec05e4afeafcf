from django.contrib import admin

from icihub.core.admin import ReadOnlyAdmin, register_app

from .models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    """Locked snapshots are read-only everywhere, the admin included."""

    list_display = ["year", "locked_at", "locked_by_label", "marking"]


register_app("reports")
