"""django-tasks-db registers its task results in Django's admin; icihub shows the
queue on its own staff page (operations:overview) and the API instead, so the
admin's surface stays the domain's models (and the access matrix's table)."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
