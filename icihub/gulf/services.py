"""Every write of the Gulf calendar: the Centre's closures, and staff's word on the
Islamic dates (confirmed, or shifted by a day). Each write is access-checked,
validated, in one transaction and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from icihub.core import services as core_services

from . import calendar
from .models import HIJRI_MAX_YEAR, HIJRI_MIN_YEAR, Closure, IslamicDate, IslamicEvent

CLOSURE_FIELDS = ("name", "name_ar", "start", "end", "hard", "note")


def _closure_data(data: dict) -> dict:
    unknown = set(data) - set(CLOSURE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    return dict(data)


def create_closure(actor, data: dict, *, reason: str = "") -> Closure:
    return core_services.create(Closure, actor, _closure_data(data), reason=reason)


def update_closure(closure: Closure, actor, data: dict, *, reason: str = "") -> Closure:
    return core_services.update(closure, actor, _closure_data(data), reason=reason)


def delete_closure(closure: Closure, actor, *, reason: str = "") -> None:
    core_services.delete(closure, actor, reason=reason)


def set_islamic_date(
    actor,
    *,
    hijri_year: int,
    event: str,
    shift_days: int = 0,
    confirmed: bool = False,
    note: str = "",
    reason: str = "",
) -> IslamicDate:
    """Record staff's word on one event of one Hijri year (creating or changing
    the one row for it). The block moves by ``shift_days`` (-1, 0 or 1) from the
    Umm al-Qura date, and is no longer shown as estimated once ``confirmed``."""
    errors = {}
    if event not in IslamicEvent.values:
        errors["event"] = _("Unknown event “%(event)s”.") % {"event": event}
    if not isinstance(hijri_year, int) or not HIJRI_MIN_YEAR <= hijri_year <= HIJRI_MAX_YEAR:
        errors["hijri_year"] = _("The Hijri year must be from %(min)s to %(max)s.") % {
            "min": HIJRI_MIN_YEAR,
            "max": HIJRI_MAX_YEAR,
        }
    elif calendar.umm_al_qura(hijri_year) is None:
        errors["hijri_year"] = _("The Umm al-Qura tables do not cover this year.")
    if shift_days not in (-1, 0, 1):
        errors["shift_days"] = _("An Islamic date can be shifted by one day at most.")
    if errors:
        raise ValidationError(errors)
    row = IslamicDate.objects.filter(hijri_year=hijri_year, event=event).first()
    data = {"shift_days": shift_days, "confirmed": bool(confirmed), "note": note or ""}
    if row is None:
        return core_services.create(
            IslamicDate, actor, {"hijri_year": hijri_year, "event": event, **data}, reason=reason
        )
    return core_services.update(row, actor, data, reason=reason)
