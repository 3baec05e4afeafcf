"""Writes of the cooperation menu. Who may write is decided by
``Activity.access_policy`` (NATO staff, administrators and Centre staff); every
write is validated, done in one transaction and audited.

The import and export of the whole menu live in :mod:`icihub.menu.transfer`
and are re-exported here (``services.import_menu``, ``services.export_menu``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core import services as core
from icihub.core.access import check_change
from icihub.core.errors import Conflict

from .models import Activity
from .transfer import (  # noqa: F401
    COLUMNS,
    ImportRejected,
    ImportReport,
    export_menu,
    import_menu,
    normalise_languages,
)

EDITABLE_FIELDS = (
    "code",
    "title",
    "title_ar",
    "description",
    "description_ar",
    "areas",
    "format",
    "provider",
    "eligible_frameworks",
    "eligible_countries",
    "languages",
    "level",
    "first_year",
    "last_year",
    "marking",
    "external_ref",
)


def _clean_data(data: dict) -> dict:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    data = dict(data)
    if "languages" in data:
        data["languages"] = normalise_languages(data["languages"])
    if "code" in data:
        data["code"] = (data["code"] or "").strip()
    return data


def create_activity(actor, data: dict, *, reason: str = "") -> Activity:
    """Add an activity to the menu (provenance "entered")."""
    data = _clean_data(data)
    data.setdefault("languages", "en")
    data["provenance"] = Activity.Provenance.ENTERED
    return core.create(Activity, actor, data, reason=reason)


def update_activity(actor, activity: Activity, data: dict, *, reason: str = "") -> Activity:
    data = _clean_data(data)
    return core.update(activity, actor, data, reason=reason)


def set_status(actor, activity: Activity, status: str, *, reason: str = "") -> Activity:
    """Retire an activity (it stays in programmes that chose it, but is no longer
    offered) or bring it back."""
    if status not in Activity.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    check_change(actor, activity)
    if activity.status == status:
        raise Conflict(
            _("The activity is already %(status)s.")
            % {"status": Activity.Status(status).label.lower()}
        )
    before = activity.status
    with audit.acting(actor, reason=reason), transaction.atomic():
        activity.status = status
        activity.save(update_fields=["status", "updated_at"])
        audit.record(
            audit.Action.TRANSITION,
            activity,
            {"status": {"before": before, "after": status}},
            reason=reason,
        )
    return activity


def retire_activity(actor, activity: Activity, *, reason: str = "") -> Activity:
    return set_status(actor, activity, Activity.Status.RETIRED, reason=reason)


def reinstate_activity(actor, activity: Activity, *, reason: str = "") -> Activity:
    return set_status(actor, activity, Activity.Status.ACTIVE, reason=reason)


def resolve_references(data: dict) -> dict:
    """Turn codes into rows for the API and the CLI: ``areas`` (area codes),
    ``provider`` (organisation slug), ``eligible_frameworks`` (framework codes),
    ``eligible_countries`` (ISO alpha-3). Unknown codes are field errors."""
    from icihub.partners.models import Country, Framework, Organisation

    from .models import Area

    out = dict(data)
    errors: dict[str, list[str]] = {}

    def many(name, model, field):
        if name not in data or data[name] is None:
            out.pop(name, None)
            return
        wanted = [str(v).strip() for v in data[name] if str(v).strip()]
        lookup = {f"{field}__in": [w.upper() if field == "iso3" else w for w in wanted]}
        rows = list(model.objects.filter(**lookup))
        found = {str(getattr(r, field)).lower() for r in rows}
        missing = [w for w in wanted if w.lower() not in found]
        if missing:
            errors[name] = [_("Unknown code(s): %(codes)s.") % {"codes": ", ".join(missing)}]
        out[name] = rows

    many("areas", Area, "code")
    many("eligible_frameworks", Framework, "code")
    many("eligible_countries", Country, "iso3")
    if "provider" in data:
        slug = data["provider"]
        if slug in (None, ""):
            out["provider"] = None
        else:
            provider = Organisation.objects.filter(slug=slug).first()
            if provider is None:
                errors["provider"] = [_("Unknown organisation “%(slug)s”.") % {"slug": slug}]
            out["provider"] = provider
    if errors:
        raise ValidationError(errors)
    return out
