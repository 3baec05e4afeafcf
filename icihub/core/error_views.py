"""The site's error pages (the root URLconf's ``handler404``/``handler500``).

Pages get the templates ``404.html``/``500.html``. An address under ``/api/``
gets the API's one error body (``apikit.ErrorOut``) as JSON, also when no URL
pattern matched at all (e.g. ``/api/v1/menu/activities/abc``, where the route
takes digits only): an API client never has to read an HTML page."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .apikit import error_body

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(_("Not found."), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            error_body(_("Server error. Nothing was saved; the error has been logged."), "error"),
            status=500,
        )
    return defaults.server_error(request)
