"""The country model, named by a setting: the kernel imports no app above it.

``settings.ICIHUB_COUNTRY_MODEL`` ("app_label.Model", as ``AUTH_USER_MODEL``
names the user model) is the model ``User.country`` points at and the one the
kernel's forms, API and commands look countries up in. The kernel relies on
three of its fields: ``iso2``, ``iso3`` (ISO 3166 codes) and ``name``.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings


def country_model():
    """The country model class (``settings.ICIHUB_COUNTRY_MODEL``)."""
    return apps.get_model(settings.ICIHUB_COUNTRY_MODEL, require_ready=False)


def by_code(code: str | None):
    """The country for an ISO 3166 alpha-3 or alpha-2 code (any case, spaces
    around ignored); ``None`` for no code. Raises the model's ``DoesNotExist``
    for an unknown code (each caller words its own error)."""
    if not code:
        return None
    code = code.strip().upper()
    field = "iso2" if len(code) == 2 else "iso3"
    return country_model().objects.get(**{field: code})
