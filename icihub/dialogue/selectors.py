"""Reads of the dialogue register: event lists and filters, one event with
everything on its page, follow-up actions, and the timeline of the initiative.
Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icihub.core.access import Marking, get_visible, is_staff, markings_visible_to, user_country_id
from icihub.core.dates import PartialDate
from icihub.core.listing import search
from icihub.core.models import Citation
from icihub.core.permissions import is_nato
from icihub.core.text import local
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation, Partnership

from .models import CENTRE_SLUG, Attendee, Event, FollowUpAction, Participant

# -- building blocks ------------------------------------------------------------------------


def citations_prefetch(user, to_attr: str | None = None) -> Prefetch:
    """The citations of Sourced records, with their sources, as ``user`` may see them."""
    qs = Citation.objects.visible_to(user).select_related("source")
    return (
        Prefetch("citations", queryset=qs, to_attr=to_attr)
        if to_attr
        else Prefetch("citations", queryset=qs)
    )


def participants_prefetch(user, with_citations: bool = False) -> Prefetch:
    qs = (
        Participant.objects.visible_to(user)
        .select_related("country", "organisation")
        .order_by("role", "country__name", "organisation__name")
    )
    if with_citations:
        qs = qs.prefetch_related(citations_prefetch(user))
    return Prefetch("participants", queryset=qs)


# The register's order: latest first, undated events last on every database
# (PostgreSQL puts NULL first in a descending order, SQLite last).
EVENT_ORDER = (F("date").desc(nulls_last=True), "title", "pk")


def events_for(user):
    """Visible events with what a list row shows (no N+1). Staff also get
    ``overdue_count``, the event's overdue follow-up actions (0 for others:
    actions are internal)."""
    today = timezone.localdate()
    qs = (
        Event.objects.visible_to(user)
        .select_related("venue", "venue_country", "country")
        .prefetch_related(participants_prefetch(user), "topics")
    )
    if is_staff(user):
        return qs.annotate(
            overdue_count=Count(
                "actions",
                filter=Q(actions__state=FollowUpAction.State.OPEN, actions__due__lt=today),
                distinct=True,
            )
        )
    return qs.annotate(overdue_count=Value(0, output_field=IntegerField()))


# -- filters (one place for the page and the API) ----------------------------------------


@dataclass
class EventFilters:
    q: str = ""
    format: str = ""
    level: str = ""
    country: str = ""  # ISO alpha-3
    topic: str = ""  # area code
    year: str = ""
    marking: str = ""
    provenance: str = ""

    NAMES = ("q", "format", "level", "country", "topic", "year", "marking", "provenance")

    @classmethod
    def from_params(cls, params) -> EventFilters:
        return cls(**{name: str(params.get(name) or "").strip() for name in cls.NAMES})


_YEAR = re.compile(r"^\d{4}$")


def filter_events(qs, filters: EventFilters):
    """Apply ``filters``; an unknown value is a ValidationError naming its field
    (an unknown area is an error, not an empty list)."""
    errors: dict[str, str] = {}
    if filters.format:
        if filters.format not in Event.Format.values:
            errors["format"] = _("Unknown format “%(v)s”.") % {"v": filters.format}
        else:
            qs = qs.filter(format=filters.format)
    if filters.level:
        if filters.level not in Event.Level.values:
            errors["level"] = _("Unknown level “%(v)s”.") % {"v": filters.level}
        else:
            qs = qs.filter(level=filters.level)
    if filters.marking:
        if filters.marking not in Marking.values:
            errors["marking"] = _("Unknown marking “%(v)s”.") % {"v": filters.marking}
        else:
            qs = qs.filter(marking=filters.marking)
    if filters.provenance:
        if filters.provenance not in Event.Provenance.values:
            errors["provenance"] = _("Unknown provenance “%(v)s”.") % {"v": filters.provenance}
        else:
            qs = qs.filter(provenance=filters.provenance)
    if filters.year:
        if not _YEAR.match(filters.year):
            errors["year"] = _("A year has four digits, e.g. 2017.")
        else:
            qs = qs.filter(Q(date__startswith=filters.year) | Q(date__contains=f"/{filters.year}"))
    if filters.country:
        country = Country.objects.filter(iso3=filters.country.upper()).first()
        if country is None:
            errors["country"] = _("Unknown country “%(v)s” (use an ISO alpha-3 code).") % {
                "v": filters.country
            }
        else:
            qs = qs.filter(involving_q(country))
    if filters.topic:
        area = Area.objects.filter(code=filters.topic).first()
        if area is None:
            errors["topic"] = _("Unknown area of cooperation “%(v)s”.") % {"v": filters.topic}
        else:
            qs = qs.filter(pk__in=Event.topics.through.objects.filter(area=area).values("event_id"))
    if filters.q:
        qs = search(qs, filters.q, ["search_text"])
    if errors:
        raise ValidationError(errors)
    return qs


def involving_q(country) -> Q:
    """Events a country took part in, hosted, or that concern it."""
    return (
        Q(pk__in=Participant.objects.filter(country=country).values("event_id"))
        | Q(venue_country=country)
        | Q(country=country)
    )


def _label(option: tuple[str, str]) -> str:
    return option[1]


def filter_choices(user) -> dict[str, list[tuple[str, str]]]:
    """Options of the list filters (only the markings the user may see)."""
    visible = set(markings_visible_to(user))
    if user_country_id(user):
        visible.add(Marking.REL_PARTNER)
    years = sorted(
        set(
            Event.objects.visible_to(user)
            .dated()
            .annotate(year=Substr("date", 1, 4, output_field=CharField()))
            .order_by()
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
    return {
        "format": list(Event.Format.choices),
        "level": list(Event.Level.choices),
        "country": sorted(((c.iso3, local(c)) for c in involved_countries(user)), key=_label),
        "topic": [(a.code, local(a)) for a in Area.objects.visible_to(user)],
        "year": [(y, y) for y in years],
        "marking": [(m.value, m.label) for m in Marking if m.value in visible],
        "provenance": list(Event.Provenance.choices),
    }


def involved_countries(user):
    """Countries that appear in the register or the ICI partnerships (filter options)."""
    events = Event.objects.visible_to(user)
    return (
        Country.objects.visible_to(user)
        .filter(
            Q(pk__in=Participant.objects.filter(event__in=events).values("country_id"))
            | Q(pk__in=events.values("venue_country_id"))
            | Q(pk__in=events.values("country_id"))
            | Q(partnerships__framework__code="ici")
        )
        .distinct()
        .order_by("name")
    )


# -- one event -------------------------------------------------------------------------------


def event_detail(user, pk) -> Event:
    """One event with participants, attendees, topics, visible actions and citations."""
    qs = Event.objects.select_related(
        "venue", "venue_country", "country", "milestone_of"
    ).prefetch_related(
        participants_prefetch(user, with_citations=True),
        Prefetch(
            "attendees",
            queryset=Attendee.objects.visible_to(user)
            .select_related("person", "person__country")
            .prefetch_related(citations_prefetch(user))
            .order_by("position", "id"),
        ),
        "topics",
        Prefetch(
            "actions",
            queryset=FollowUpAction.objects.visible_to(user)
            .select_related("owner_user", "owner_organisation")
            .order_by("state", F("due").asc(nulls_last=True), "id"),
        ),
        citations_prefetch(user),
    )
    return get_visible(qs, user, pk=pk)


# -- follow-up actions -------------------------------------------------------------------------


@dataclass
class ActionFilters:
    q: str = ""
    state: str = ""
    overdue: str = ""  # "1" / "0" / ""
    event: str = ""
    owner: str = ""  # "me" or an organisation slug
    due: str = ""  # "soon": open and due within DUE_SOON_DAYS days (overdue included)

    NAMES = ("q", "state", "overdue", "event", "owner", "due")

    @classmethod
    def from_params(cls, params) -> ActionFilters:
        return cls(**{n: str(params.get(n) or "").strip() for n in cls.NAMES})


def actions_for(user):
    return FollowUpAction.objects.visible_to(user).select_related(
        "event", "owner_user", "owner_organisation"
    )


def ordered_actions(qs):
    """Open actions first (the most overdue at the top), then done and cancelled
    ones, the latest first."""
    return qs.annotate(
        open_first=Case(
            When(state=FollowUpAction.State.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", F("due").asc(nulls_last=True), "-id")


def filter_actions(qs, filters: ActionFilters, user=None, today: dt.date | None = None):
    errors = {}
    today = today or timezone.localdate()
    if filters.state:
        if filters.state not in FollowUpAction.State.values:
            errors["state"] = _("Unknown state “%(v)s”.") % {"v": filters.state}
        else:
            qs = qs.filter(state=filters.state)
    if filters.overdue:
        if filters.overdue in ("1", "true", "yes"):
            qs = qs.filter(state=FollowUpAction.State.OPEN, due__lt=today)
        elif filters.overdue in ("0", "false", "no"):
            qs = qs.exclude(state=FollowUpAction.State.OPEN, due__lt=today)
        else:
            errors["overdue"] = _("Use 1 (overdue only) or 0 (not overdue).")
    if filters.due:
        if filters.due == "soon":
            qs = qs.filter(due_soon_q(today))
        else:
            errors["due"] = _("Use “soon” (open and due within %(days)s days).") % {
                "days": DUE_SOON_DAYS
            }
    if filters.event:
        if not filters.event.isdigit():
            errors["event"] = _("An event is given by its number.")
        else:
            qs = qs.filter(event_id=int(filters.event))
    if filters.owner:
        if filters.owner == "me":
            qs = qs.filter(owner_user=getattr(user, "pk", None))
        else:
            qs = qs.filter(owner_organisation__slug=filters.owner)
    if filters.q:
        qs = search(qs, filters.q, ["description", "notes", "event__search_text"])
    if errors:
        raise ValidationError(errors)
    return qs


#: An open action due within this many days (or overdue) is "due" on the NATO
#: staff's home page.
DUE_SOON_DAYS = 14


def due_soon_q(today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(
        state=FollowUpAction.State.OPEN,
        due__isnull=False,
        due__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
    )


def actions_due(user, today: dt.date | None = None):
    """Open follow-up actions overdue or due within :data:`DUE_SOON_DAYS` days,
    the earliest due first: the work queue of those who keep the dialogue
    (NATO staff); empty for the others."""
    if not is_nato(user):
        return FollowUpAction.objects.none()
    return actions_for(user).filter(due_soon_q(today)).order_by("due", "pk")


def actions_due_count(user) -> int:
    """The length of :func:`actions_due` (one COUNT; the navigation's badge)."""
    if not is_nato(user):
        return 0
    return actions_due(user).count()


def closable_ids(user, actions) -> set[int]:
    """The ids among ``actions`` that ``user`` may close now (open, and theirs
    to change): the rows a page offers to close (one query)."""
    ids = [a.pk for a in actions if a.state == FollowUpAction.State.OPEN]
    if not ids:
        return set()
    return set(
        FollowUpAction.objects.editable_by(user).filter(pk__in=ids).values_list("pk", flat=True)
    )


def overdue_count(user) -> int:
    """Overdue actions the user may see (shown to staff on the register pages)."""
    return FollowUpAction.objects.visible_to(user).overdue().count()


# -- the home page ---------------------------------------------------------------------------


def latest_events(user, limit: int = 5) -> list[Event]:
    """The most recent dated events up to today that ``user`` may see."""
    today = timezone.localdate().isoformat()
    return list(
        Event.objects.visible_to(user)
        .dated()
        .filter(date__lte=today)
        .order_by("-date", "title")[:limit]
    )


# -- the timeline ------------------------------------------------------------------------------

MILESTONE_LABELS = {
    "established": gettext_lazy("inaugurated"),
    "requested": gettext_lazy("requested by Kuwait"),
    "endorsed": gettext_lazy("endorsed"),
    "opened": gettext_lazy("opened"),
}


@dataclass
class TimelineItem:
    kind: str  # "event", "accession" or "milestone"
    date: PartialDate | None
    title: str
    url: str | None
    subject: object  # the Sourced record whose ``attribute`` is the date
    attribute: str
    countries: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    marking: str = Marking.PUBLIC
    label: str = ""
    note: str = ""
    milestone: TimelineItem | None = None  # an organisation milestone this event is
    event: Event | None = None

    @cached_property
    def fact(self):
        return self.subject.facts().get(self.attribute)

    @property
    def conflict(self) -> bool:
        fact = self.fact
        return bool(fact and fact.conflict)

    @property
    def sources(self) -> list:
        """The sources of the item: every source an event cites, or the sources of
        an accession's or a milestone's date."""
        if self.kind == "event":
            citations = list(self.subject.citations.all())
        else:
            fact = self.fact
            citations = fact.citations if fact else []
        sources = []
        for c in citations:
            if c.source not in sources:
                sources.append(c.source)
        return sources

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def sort_key(self):
        order = {"milestone": 0, "accession": 1, "event": 2}[self.kind]
        return (self.date.earliest, self.date.latest, order, self.title)


@dataclass
class Timeline:
    dated: list[TimelineItem]
    undated: list[TimelineItem]
    country: Country | None = None
    topic: Area | None = None

    @property
    def years(self) -> list[tuple[int, list[TimelineItem]]]:
        groups: dict[int, list[TimelineItem]] = {}
        for item in self.dated:
            groups.setdefault(item.year, []).append(item)
        return list(groups.items())

    def __len__(self) -> int:
        return len(self.dated) + len(self.undated)


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def timeline(user, country: str = "", topic: str = "") -> Timeline:
    """The initiative's timeline: the register's events, the ICI accessions and
    the Centre's milestones, in chronological order of their (partial) dates;
    undated items apart. ``country`` (ISO alpha-3) keeps what involves that
    country; ``topic`` (area code) keeps events on that area. Unknown codes
    raise ValidationError."""
    filters = EventFilters(country=country or "", topic=topic or "")
    events_qs = filter_events(
        Event.objects.visible_to(user)
        .select_related("venue", "venue_country", "country", "milestone_of")
        .prefetch_related(participants_prefetch(user), "topics", citations_prefetch(user)),
        filters,
    )
    country_obj = Country.objects.get(iso3=country.upper()) if country else None
    topic_obj = Area.objects.get(code=topic) if topic else None

    formats = {value: str(label) for value, label in Event.Format.choices}
    items: list[TimelineItem] = []
    claimed: set[tuple[int, str]] = set()
    for event in events_qs:
        countries = []
        for p in event.participants.all():
            if p.country and p.country not in countries:
                countries.append(p.country)
        if event.country and event.country not in countries:
            countries.append(event.country)
        if event.venue_country and not countries:
            countries.append(event.venue_country)
        item = TimelineItem(
            kind="event",
            date=event.date,
            title=local(event, "title"),
            url=event.get_absolute_url(),
            subject=event,
            attribute="date",
            countries=countries,
            topics=list(event.topics.all()),
            marking=event.marking,
            label=formats.get(event.format, event.format),
            note=event.date_note,
            event=event,
        )
        if event.milestone_of_id and event.milestone:
            claimed.add((event.milestone_of_id, event.milestone))
        items.append(item)

    if topic_obj is None:
        items.extend(_accessions(user, country_obj))
        milestones = _centre_milestones(user, country_obj)
        by_key = {(m.subject.pk, m.attribute): m for m in milestones}
        for item in items:
            event = item.event
            if event is not None and (event.milestone_of_id, event.milestone) in by_key:
                item.milestone = by_key[(event.milestone_of_id, event.milestone)]
        items.extend(m for m in milestones if (m.subject.pk, m.attribute) not in claimed)

    dated = sorted((i for i in items if i.date), key=TimelineItem.sort_key)
    undated = sorted((i for i in items if not i.date), key=lambda i: (i.kind, i.title))
    return Timeline(dated=dated, undated=undated, country=country_obj, topic=topic_obj)


def _accessions(user, country: Country | None) -> list[TimelineItem]:
    qs = (
        Partnership.objects.visible_to(user)
        .filter(
            framework__code="ici",
            status__in=[Partnership.Status.MEMBER, Partnership.Status.FORMER],
        )
        .select_related("country", "framework")
        .prefetch_related(citations_prefetch(user))
    )
    if country is not None:
        qs = qs.filter(country=country)
    items = []
    for p in qs:
        items.append(
            TimelineItem(
                kind="accession",
                date=p.accession,
                title=_("%(country)s joins the %(framework)s")
                % {"country": local(p.country), "framework": p.framework.acronym},
                url=_url("partners:partnership_detail", p.pk)
                or _url("partners:country_detail", p.country.iso3),
                subject=p,
                attribute="accession",
                countries=[p.country],
                label=_("Accession"),
            )
        )
    return items


def _centre_milestones(user, country: Country | None) -> list[TimelineItem]:
    centre = (
        Organisation.objects.visible_to(user)
        .filter(slug=CENTRE_SLUG)
        .select_related("country")
        .prefetch_related(citations_prefetch(user))
        .first()
    )
    if centre is None or (country is not None and centre.country_id != country.pk):
        return []
    url = _url("partners:organisation_detail", centre.slug)
    facts = centre.facts()
    items = []
    attributes = ["established"] + [
        a
        for a, fact in facts.items()
        if a != "established" and all(c.kind == Citation.Kind.DATE for c in fact.citations)
    ]
    for attribute in attributes:
        if attribute == "established":
            date = centre.established
        else:
            try:
                date = PartialDate.parse(facts[attribute].values[0].value)
            except (ValueError, IndexError):
                date = None
        if date is None and attribute not in facts:
            continue
        label = MILESTONE_LABELS.get(attribute, attribute.replace("-", " "))
        items.append(
            TimelineItem(
                kind="milestone",
                date=date,
                title=f"{local(centre)}: {label}",
                url=url,
                subject=centre,
                attribute=attribute,
                countries=[centre.country] if centre.country else [],
                label=_("The Centre"),
            )
        )
    return items
