"""A notification's text, rendered when it is read, in the active language."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext

from icihub.core.text import localized

from .kinds import KINDS, Kind


def message(notification) -> str:
    """The sentence of a notification (translated into the active language)."""
    params = dict(notification.params or {})
    subject = localized(params.get("subject", ""), params.get("subject_ar"))
    values = {"subject": subject, "date": ""}
    when = params.get("date")
    if when:
        try:
            values["date"] = formats.date_format(dt.date.fromisoformat(when), "DATE_FORMAT")
        except (TypeError, ValueError):
            values["date"] = str(when)
    return gettext(str(KINDS[Kind(notification.kind)].message)) % values


def detail(notification) -> str:
    """Free text given with the notice (a reason), shown under the sentence."""
    return str((notification.params or {}).get("detail", ""))


def link(notification) -> str:
    return str((notification.params or {}).get("url", ""))


def absolute_link(notification) -> str:
    path = link(notification)
    return settings.ICIHUB_BASE_URL + path if path.startswith("/") else path
