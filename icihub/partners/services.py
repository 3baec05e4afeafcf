"""Every write of the partner registry: frameworks, countries, groupings,
partnerships, organisations, people, appointments, and the citations (sourced
facts) attached to them.

Each write is built on :mod:`icihub.core.services`: the access check first
(404 for a row the actor may not see, 403 for one they may see but not change),
then the registry's own rules as field-level ``ValidationError``s, then
``full_clean``, one transaction, and the audit entry. Duplicates and state
conflicts (a second open partnership of a country in a framework, a slug that
is taken) are :class:`~icihub.core.errors.Conflict`.

Writers are administrators and NATO partnership staff (the models' policies)."""

from __future__ import annotations

import pycountry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core import services as core
from icihub.core.access import check_change, check_create
from icihub.core.dates import PartialDate, PartialDateField
from icihub.core.errors import Conflict
from icihub.core.models import Citation, Source
from icihub.core.text import local

from .models import Appointment, Country, Framework, Grouping, Organisation, Partnership, Person

# Fields a write may set, per model (everything else is bookkeeping).
WRITABLE = {
    Framework: (
        "code",
        "acronym",
        "name",
        "name_ar",
        "launched",
        "launch_place",
        "description",
        "is_public",
    ),
    Country: ("iso2", "iso3", "numeric", "name", "name_ar", "official_name", "is_public"),
    Grouping: (
        "code",
        "acronym",
        "name",
        "name_ar",
        "founded",
        "members",
        "secretariat",
        "is_public",
    ),
    Partnership: ("country", "framework", "status", "accession", "exit", "notes", "is_public"),
    Organisation: (
        "slug",
        "name",
        "name_ar",
        "acronym",
        "kind",
        "country",
        "grouping",
        "parent",
        "accredited_to",
        "city",
        "established",
        "closed",
        "description",
        "is_public",
    ),
    Person: ("slug", "name", "name_ar", "honorific", "country", "biography", "is_public"),
    Appointment: ("person", "organisation", "title", "is_head", "start", "end", "is_public"),
}

# Records whose facts carry citations.
CITABLE = (Framework, Grouping, Partnership, Organisation, Person, Appointment)

DUPLICATE_CODES = {"unique", "unique_together"}


# -- the common path -------------------------------------------------------------------


def _prepare(model, data: dict) -> dict:
    """Keep the writable fields, parse partial dates ("2004-12"), trim text.
    Unknown fields and unreadable dates are field errors."""
    errors: dict[str, list[str]] = {}
    allowed = WRITABLE[model]
    prepared = {}
    for name, value in data.items():
        if name not in allowed:
            errors.setdefault(name, []).append(_("This field cannot be set."))
            continue
        field = model._meta.get_field(name)
        if isinstance(field, PartialDateField):
            try:
                value = PartialDate.parse(value)
            except (ValueError, TypeError) as exc:
                errors.setdefault(name, []).append(
                    _("“%(value)s” is not a date: %(error)s") % {"value": value, "error": exc}
                )
                continue
        elif isinstance(value, str) and not field.is_relation:
            value = value.strip()
        prepared[name] = value
    if errors:
        raise ValidationError(errors)
    return prepared


def _merged(model, instance, data: dict) -> dict:
    """The values the row will have: ``data`` over the current ones."""
    merged = {}
    for name in WRITABLE[model]:
        field = model._meta.get_field(name)
        if field.many_to_many:
            continue
        if name in data:
            value = data[name]
            if field.is_relation and value is not None and not isinstance(value, models.Model):
                value = field.related_model._base_manager.filter(pk=value).first()
            merged[name] = value
        elif instance is not None:
            merged[name] = getattr(instance, name)
        else:
            merged[name] = field.get_default() if field.has_default() else None
    return merged


def _raise_duplicates_as_conflict(exc: ValidationError) -> None:
    """``full_clean`` reports a taken slug or code as a validation error; it is a
    conflict with existing data (409) when that is all that is wrong."""
    if not hasattr(exc, "error_dict"):
        return
    found, total = [], 0
    for field, errors in exc.error_dict.items():
        for error in errors:
            total += 1
            if error.code in DUPLICATE_CODES:
                message = error.message % error.params if error.params else error.message
                found.append({"field": "" if field == "__all__" else field, "message": message})
    if found and len(found) == total:
        raise Conflict(found[0]["message"], errors=found) from exc


def _write(model, actor, data: dict, instance=None, *, reason: str = ""):
    if instance is None:
        check_create(actor, model)
    else:
        check_change(actor, instance)
    data = _prepare(model, data)
    rule = RULES.get(model)
    if rule is not None:
        data = rule(instance, data, _merged(model, instance, data)) or data
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            if instance is None:
                return core.create(model, actor, data, reason=reason)
            return core.update(instance, actor, data, reason=reason)
        except ValidationError as exc:
            _raise_duplicates_as_conflict(exc)
            raise


def _delete(actor, instance, *, reason: str = "") -> None:
    core.delete(instance, actor, reason=reason)


def _before(later: PartialDate | None, earlier: PartialDate | None) -> bool:
    """Whether ``later`` lies before ``earlier``: wholly before it, or earlier in the
    canonical order the database constraints compare ("2004" < "2004-12")."""
    if later is None or earlier is None:
        return False
    return later.latest < earlier.earliest or later.iso() < earlier.iso()


def _unique_slug(model, base: str) -> str:
    base = slugify(base)[:70] or model._meta.model_name
    slug, n = base, 2
    while model._base_manager.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# -- the registry's rules ---------------------------------------------------------------


def _country_rules(instance, data, merged):
    errors = {}
    if instance is None and not data.get("iso2") and isinstance(data.get("iso3"), str):
        known = pycountry.countries.get(alpha_3=data["iso3"].upper())
        if known is not None:
            data["iso2"] = merged["iso2"] = known.alpha_2
    for name, length in (("iso2", 2), ("iso3", 3)):
        if isinstance(data.get(name), str):
            data[name] = data[name].upper()
            merged[name] = data[name]
        code = merged.get(name) or ""
        if not (len(code) == length and code.isascii() and code.isalpha()):
            errors[name] = ngettext(
                "Enter %(n)d letter (ISO 3166-1 alpha-%(n)d).",
                "Enter %(n)d letters (ISO 3166-1 alpha-%(n)d).",
                length,
            ) % {"n": length}
    if not errors:
        known = pycountry.countries.get(alpha_3=merged["iso3"])
        if known is not None and known.alpha_2 != merged["iso2"]:
            errors["iso2"] = _("ISO 3166-1 gives %(iso2)s for %(iso3)s.") % {
                "iso2": known.alpha_2,
                "iso3": merged["iso3"],
            }
        if known is not None and instance is None:
            name = getattr(known, "common_name", None) or known.name
            data.setdefault("name", name)
            data.setdefault("numeric", known.numeric)
            data.setdefault("official_name", getattr(known, "official_name", "") or "")
    if errors:
        raise ValidationError(errors)
    return data


def _partnership_rules(instance, data, merged):
    errors = {}
    accession, exit_ = merged.get("accession"), merged.get("exit")
    if _before(exit_, accession):
        errors["exit"] = _("“Left” (%(exit)s) cannot be before “joined” (%(joined)s).") % {
            "exit": exit_.display(),
            "joined": accession.display(),
        }
    if exit_ is not None and merged.get("status") != Partnership.Status.FORMER:
        errors["status"] = _("A partnership with a date of leaving has the status “former”.")
    if errors:
        raise ValidationError(errors)
    country, framework = merged.get("country"), merged.get("framework")
    if exit_ is None and country is not None and framework is not None:
        others = Partnership._base_manager.filter(
            country=country, framework=framework, exit__isnull=True
        )
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            message = _(
                "%(country)s already has an open partnership in the %(framework)s; "
                "give that one a date of leaving first."
            ) % {"country": local(country), "framework": framework.acronym}
            raise Conflict(message, errors=[{"field": "framework", "message": message}])
    return data


def _organisation_rules(instance, data, merged):
    errors = {}
    if _before(merged.get("closed"), merged.get("established")):
        errors["closed"] = _("An organisation cannot close before it is established.")
    accredited_to = merged.get("accredited_to")
    if accredited_to is not None:
        if merged.get("kind") != Organisation.Kind.MISSION:
            errors["accredited_to"] = _("Only a diplomatic mission is accredited to another body.")
        elif instance is not None and accredited_to.pk == instance.pk:
            errors["accredited_to"] = _("A mission cannot be accredited to itself.")
    parent = merged.get("parent")
    if parent is not None and instance is not None:
        seen, current = set(), parent
        while current is not None and current.pk not in seen:
            if current.pk == instance.pk:
                errors["parent"] = _("An organisation cannot be part of itself.")
                break
            seen.add(current.pk)
            current = current.parent
    if errors:
        raise ValidationError(errors)
    if instance is None and not data.get("slug"):
        _require_name(merged)
        data["slug"] = _unique_slug(Organisation, merged.get("acronym") or merged["name"])
    return data


def _require_name(merged) -> None:
    """The slug is made from the name: without one, the name is what is missing."""
    if not (merged.get("name") or "").strip():
        raise ValidationError({"name": _("Give the name.")})


def _person_rules(instance, data, merged):
    if instance is None and not data.get("slug"):
        _require_name(merged)
        data["slug"] = _unique_slug(Person, merged["name"])
    return data


def _appointment_rules(instance, data, merged):
    if _before(merged.get("end"), merged.get("start")):
        raise ValidationError({"end": _("An appointment cannot end before it starts.")})
    return data


def _framework_rules(instance, data, merged):
    if isinstance(data.get("code"), str):
        data["code"] = data["code"].lower()
    return data


def _grouping_rules(instance, data, merged):
    if isinstance(data.get("code"), str):
        data["code"] = data["code"].lower()
    return data


RULES = {
    Country: _country_rules,
    Framework: _framework_rules,
    Grouping: _grouping_rules,
    Partnership: _partnership_rules,
    Organisation: _organisation_rules,
    Person: _person_rules,
    Appointment: _appointment_rules,
}


# -- frameworks, countries, groupings ------------------------------------------------------


def create_framework(actor, data: dict, *, reason: str = "") -> Framework:
    return _write(Framework, actor, data, reason=reason)


def update_framework(actor, framework: Framework, data: dict, *, reason: str = "") -> Framework:
    return _write(Framework, actor, data, framework, reason=reason)


def delete_framework(actor, framework: Framework, *, reason: str = "") -> None:
    _delete(actor, framework, reason=reason)


def create_country(actor, data: dict, *, reason: str = "") -> Country:
    """A country by its ISO 3166-1 codes; names and numeric code default to the
    ISO standard's when the code is known."""
    return _write(Country, actor, data, reason=reason)


def update_country(actor, country: Country, data: dict, *, reason: str = "") -> Country:
    return _write(Country, actor, data, country, reason=reason)


def delete_country(actor, country: Country, *, reason: str = "") -> None:
    _delete(actor, country, reason=reason)


# -- partnerships ----------------------------------------------------------------------------


def create_partnership(actor, data: dict, *, reason: str = "") -> Partnership:
    return _write(Partnership, actor, data, reason=reason)


def update_partnership(
    actor, partnership: Partnership, data: dict, *, reason: str = ""
) -> Partnership:
    """Change a partnership; a change of status is also recorded as a transition."""
    before = partnership.status
    with audit.acting(actor, reason=reason), transaction.atomic():
        partnership = _write(Partnership, actor, data, partnership, reason=reason)
        if partnership.status != before:
            audit.record(
                audit.Action.TRANSITION,
                partnership,
                {"status": {"before": before, "after": partnership.status}},
                reason=reason,
            )
    return partnership


def delete_partnership(actor, partnership: Partnership, *, reason: str = "") -> None:
    _delete(actor, partnership, reason=reason)


# -- organisations, people, appointments ---------------------------------------------------------


def create_organisation(actor, data: dict, *, reason: str = "") -> Organisation:
    return _write(Organisation, actor, data, reason=reason)


def update_organisation(
    actor, organisation: Organisation, data: dict, *, reason: str = ""
) -> Organisation:
    return _write(Organisation, actor, data, organisation, reason=reason)


def delete_organisation(actor, organisation: Organisation, *, reason: str = "") -> None:
    _delete(actor, organisation, reason=reason)


def create_person(actor, data: dict, *, reason: str = "") -> Person:
    return _write(Person, actor, data, reason=reason)


def update_person(actor, person: Person, data: dict, *, reason: str = "") -> Person:
    return _write(Person, actor, data, person, reason=reason)


def delete_person(actor, person: Person, *, reason: str = "") -> None:
    """Delete a person with their appointments (each recorded in the audit trail)."""
    _delete(actor, person, reason=reason)


def create_appointment(actor, data: dict, *, reason: str = "") -> Appointment:
    return _write(Appointment, actor, data, reason=reason)


def update_appointment(
    actor, appointment: Appointment, data: dict, *, reason: str = ""
) -> Appointment:
    return _write(Appointment, actor, data, appointment, reason=reason)


def delete_appointment(actor, appointment: Appointment, *, reason: str = "") -> None:
    _delete(actor, appointment, reason=reason)


# -- citations ----------------------------------------------------------------------------------


def date_attributes(model) -> list[str]:
    """The partial-date fields of ``model``: their citations state dates."""
    return [f.name for f in model._meta.fields if isinstance(f, PartialDateField)]


def add_citation(actor, subject, data: dict, *, reason: str = "") -> Citation:
    """Record that a source states ``attribute`` = ``value`` of ``subject``, with the
    quoted passage. ``data``: attribute, value, source (a Source or its key), quote,
    locator, note, kind (date/number/text; a date for the record's date fields).
    The subject's history records the new citation."""
    if not isinstance(subject, CITABLE):
        raise ValidationError({"subject": _("This kind of record does not carry sources.")})
    check_change(actor, subject)
    check_create(actor, Citation)
    allowed = {"attribute", "value", "source", "quote", "locator", "note", "kind"}
    errors: dict[str, str] = {}
    for name in set(data) - allowed:
        errors[name] = _("This field cannot be set.")
    attribute = str(data.get("attribute") or "").strip()
    value = str(data.get("value") or "").strip()
    kind = data.get("kind") or (
        Citation.Kind.DATE if attribute in date_attributes(type(subject)) else Citation.Kind.TEXT
    )
    if kind not in Citation.Kind.values:
        errors["kind"] = _("Choose date, number or text.")
    if not attribute:
        errors["attribute"] = _("Name the fact the source states (e.g. “accession”).")
    if not value:
        errors["value"] = _("Give the value the source states.")
    elif kind == Citation.Kind.DATE:
        try:
            value = PartialDate.parse(value).iso()
        except ValueError as exc:
            errors["value"] = _("“%(value)s” is not a date: %(error)s") % {
                "value": value,
                "error": exc,
            }
    elif kind == Citation.Kind.NUMBER:
        try:
            float(value.replace(",", ""))
        except ValueError:
            errors["value"] = _("“%(value)s” is not a number.") % {"value": value}
    source = data.get("source")
    if not isinstance(source, Source):
        source = Source.objects.visible_to(actor).filter(key=str(source or "").strip()).first()
    elif not Source.objects.visible_to(actor).filter(pk=source.pk).exists():
        source = None
    if source is None:
        errors["source"] = _("Choose a known source.")
    if errors:
        raise ValidationError(errors)
    values = {
        "content_type": ContentType.objects.get_for_model(type(subject)),
        "object_id": subject.pk,
        "attribute": attribute,
        "kind": kind,
        "value": value,
        "source": source,
        "quote": str(data.get("quote") or "").strip(),
        "locator": str(data.get("locator") or "").strip(),
        "note": str(data.get("note") or "").strip(),
    }
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            citation = core.create(Citation, actor, values, reason=reason)
        except ValidationError as exc:
            if any(e.code in DUPLICATE_CODES for errs in exc.error_dict.values() for e in errs):
                raise Conflict(
                    _("This source already states this value for this fact."),
                    errors=[{"field": "value", "message": _("Already recorded.")}],
                ) from exc
            raise
        audit.record(
            audit.Action.UPDATE, subject, {"citation": {"before": None, "after": str(citation)}}
        )
    return citation


def remove_citation(actor, citation: Citation, *, reason: str = "") -> None:
    """Remove a citation; the subject's history records it."""
    subject = citation.subject
    if subject is not None:
        check_change(actor, subject)
    label = str(citation)
    with audit.acting(actor, reason=reason), transaction.atomic():
        core.delete(citation, actor, reason=reason)
        if subject is not None:
            audit.record(
                audit.Action.UPDATE, subject, {"citation": {"before": label, "after": None}}
            )
