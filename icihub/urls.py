"""URL root. Each app contributes its ``urls.py`` (with its own ``app_name``)."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path

from icihub.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("icihub.core.urls")),
]

# (app, URL prefix); an app without urls.py yet is skipped.
APP_URLS = [
    ("notifications", "notifications/"),
    ("partners", "partners/"),
    ("menu", "menu/"),
    ("training", "training/"),
    ("programmes", "programmes/"),
    ("dialogue", "dialogue/"),
    ("reports", "reports/"),
    ("gulf", "calendar/"),
    ("planning", "planning/"),
    ("operations", "operations/"),
    ("home", ""),  # the home page, /
]
for _app, _prefix in APP_URLS:
    try:
        import_module(f"icihub.{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"icihub.{_app}.urls":
            raise
        continue
    urlpatterns.append(path(_prefix, include(f"icihub.{_app}.urls")))

# Root-level public pages an app may declare (e.g. /verify/<code>).
for _app, _prefix in APP_URLS:
    try:
        _module = import_module(f"icihub.{_app}.urls")
    except ModuleNotFoundError:
        continue
    urlpatterns += getattr(_module, "root_urlpatterns", [])

handler404 = "icihub.core.error_views.not_found"
handler500 = "icihub.core.error_views.server_error"

admin.site.site_header = "icihub administration"
admin.site.site_title = "icihub"
