"""Reads of the partner registry that other apps rely on."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _

from icihub.core.models import shown_citations
from icihub.core.text import local

from .models import Appointment, Country, Framework, Grouping, Organisation, Partnership, Person

# Statuses whose countries may take part in activities open to a framework.
TAKING_PART = (Partnership.Status.MEMBER, Partnership.Status.PARTICIPANT)


def eligible_countries_q(frameworks_ids, countries_ids, on: dt.date | None = None) -> Q:
    """Countries admitted by framework partnership in force on ``on`` or listed by name."""
    in_framework = Partnership.objects.active_on(on).filter(
        framework_id__in=list(frameworks_ids), status__in=TAKING_PART
    )
    return Q(pk__in=list(countries_ids)) | Q(pk__in=in_framework.values("country_id"))


def is_eligible(country: Country, activity, on: dt.date | None = None) -> bool:
    """Whether ``country`` may take part in ``activity`` (anything with
    ``eligible_frameworks`` and ``eligible_countries``): listed by name, or a member
    or participating non-member of one of its frameworks on ``on``. An activity
    naming no framework and no country is open to every partner."""
    framework_ids = [f.pk for f in activity.eligible_frameworks.all()]
    country_ids = [c.pk for c in activity.eligible_countries.all()]
    if not framework_ids and not country_ids:
        return True
    if country.pk in country_ids:
        return True
    return (
        Partnership.objects.active_on(on)
        .filter(country=country, framework_id__in=framework_ids, status__in=TAKING_PART)
        .exists()
    )


def eligible_countries(activity, on: dt.date | None = None):
    framework_ids = [f.pk for f in activity.eligible_frameworks.all()]
    country_ids = [c.pk for c in activity.eligible_countries.all()]
    if not framework_ids and not country_ids:
        return Country.objects.filter(partnerships__status__in=TAKING_PART).distinct()
    return Country.objects.filter(eligible_countries_q(framework_ids, country_ids, on))


def initiative_at_a_glance(user) -> dict:
    """The home page's figures: ICI members with their sourced accession dates,
    participating non-members, the accession timeline and the Centre."""
    citations = citations_prefetch(user)
    ici = Framework.objects.visible_to(user).filter(code="ici").prefetch_related(citations).first()
    partnerships = list(
        Partnership.objects.visible_to(user)
        .filter(framework__code="ici")
        .select_related("country", "framework")
        .prefetch_related(citations)
        .order_by(F("accession").asc(nulls_last=True), "country__name")
    )
    members = [p for p in partnerships if p.status == Partnership.Status.MEMBER]
    participants = [p for p in partnerships if p.status == Partnership.Status.PARTICIPANT]
    centre = (
        Organisation.objects.visible_to(user)
        .filter(kind=Organisation.Kind.CENTRE)
        .prefetch_related(citations)
        .first()
    )
    timeline = []
    if ici and ici.launched:
        label = _("%(name)s launched (%(place)s)") % {"name": local(ici), "place": ici.launch_place}
        timeline.append({"date": ici.launched, "label": label})
    for p in members:
        if p.accession:
            timeline.append(
                {
                    "date": p.accession,
                    "label": _("%(country)s joins") % {"country": local(p.country)},
                }
            )
    if centre and centre.established:
        timeline.append(
            {
                "date": centre.established,
                "label": _("%(name)s inaugurated") % {"name": local(centre)},
            }
        )
    timeline.sort(key=lambda item: item["date"])
    return {
        "ici": ici,
        "members": members,
        "participants": participants,
        "timeline": timeline,
        "centre": centre,
    }


# -- reads for the registry's pages and API ----------------------------------------
#
# Every read starts from ``visible_to(user)``; related rows that are shown with a
# record (partnerships of a country, members of a grouping, citations of a fact)
# are prefetched through querysets scoped the same way, so a hidden row never
# appears inside a visible one. Lists prefetch everything they show: a constant
# number of queries whatever the number of rows.


def citations_prefetch(user, to: str = "citations"):
    """The citations of Sourced records that ``user`` may see, as a record shows
    them (:func:`~icihub.core.models.shown_citations`)."""
    return Prefetch(
        to,
        queryset=shown_citations(user),
    )


def frameworks(user):
    return Framework.objects.visible_to(user).prefetch_related(
        citations_prefetch(user),
        Prefetch(
            "partnerships",
            queryset=Partnership.objects.visible_to(user).select_related("country", "framework"),
        ),
    )


def partnerships(user):
    return (
        Partnership.objects.visible_to(user)
        .select_related("country", "framework")
        .prefetch_related(citations_prefetch(user))
    )


def partner_countries(qs, user):
    """``qs`` narrowed to the countries with a partnership ``user`` may see: what
    the registry's country list opens on (not every ISO country)."""
    return qs.filter(pk__in=Partnership.objects.visible_to(user).values("country_id"))


def countries(user, *, detail: bool = False):
    """Countries with their visible partnerships (and, for a record page, the
    partnerships' citations) and groupings."""
    held = (
        partnerships(user)
        if detail
        else (Partnership.objects.visible_to(user).select_related("framework"))
    )
    return Country.objects.visible_to(user).prefetch_related(
        Prefetch("partnerships", queryset=held),
        Prefetch("groupings", queryset=Grouping.objects.visible_to(user)),
    )


def filter_countries(qs, user, *, framework=None, status=None, grouping=None):
    """Countries with a partnership the user may see, in ``framework`` (code) and/or
    with ``status`` (the same partnership meets both), and members of a visible
    ``grouping`` (code)."""
    if framework or status:
        held = Partnership.objects.visible_to(user)
        if framework:
            held = held.filter(framework__code__iexact=framework)
        if status:
            held = held.filter(status=status)
        qs = qs.filter(pk__in=held.values("country_id"))
    if grouping:
        groups = Grouping.objects.visible_to(user).filter(code__iexact=grouping)
        qs = qs.filter(
            pk__in=Grouping.members.through.objects.filter(grouping__in=groups).values("country_id")
        )
    return qs


def _visible(model, user, to: str, queryset=None) -> Prefetch:
    """Prefetch a foreign key through the rows ``user`` may see: a related row they
    may not see reads as None (constant queries, nothing hidden leaks)."""
    queryset = model.objects.all() if queryset is None else queryset
    return Prefetch(to, queryset=queryset.visible_to(user))


def organisations(user):
    """Organisations with their citations; country, grouping, parent body and the
    body a mission is accredited to only where the user may see them."""
    return Organisation.objects.visible_to(user).prefetch_related(
        citations_prefetch(user),
        _visible(Country, user, "country"),
        _visible(Grouping, user, "grouping"),
        _visible(Organisation, user, "parent"),
        _visible(Organisation, user, "accredited_to"),
    )


def appointments(user):
    """Appointments with their person, their organisation (None where hidden) and
    their citations."""
    return (
        Appointment.objects.visible_to(user)
        .select_related("person")
        .prefetch_related(
            citations_prefetch(user),
            _visible(
                Organisation,
                user,
                "organisation",
                Organisation.objects.prefetch_related(_visible(Country, user, "country")),
            ),
        )
    )


def people(user):
    return Person.objects.visible_to(user).prefetch_related(
        citations_prefetch(user),
        _visible(Country, user, "country"),
        Prefetch(
            "appointments",
            queryset=appointments(user).order_by(
                F("start").asc(nulls_last=True), "organisation__name"
            ),
        ),
    )


def filter_people(qs, user, *, country=None, organisation=None):
    """People of ``country`` (ISO code) and/or holding a visible appointment in
    ``organisation`` (slug)."""
    if country:
        qs = qs.filter(country__in=country_lookup(country))
    if organisation:
        held = Appointment.objects.visible_to(user).filter(organisation__slug=organisation)
        qs = qs.filter(pk__in=held.values("person_id"))
    return qs


def country_lookup(code: str):
    """Countries whose ISO alpha-3 or alpha-2 code is ``code`` (any case)."""
    code = (code or "").strip().upper()
    return Country.objects.filter(Q(iso3=code) | Q(iso2=code))


def country_q(code: str) -> Q:
    code = (code or "").strip().upper()
    return Q(iso3=code) | Q(iso2=code)
