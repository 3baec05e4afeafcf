"""Reads of the dialogue register: event lists and filters, one event with
everything on its page, follow-up actions, and the timeline of the initiative.
Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass, field, replace

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from icihub.core.access import (
    Marking,
    Scope,
    get_visible,
    markings_visible_to,
    user_country_id,
)
from icihub.core.dates import PartialDate
from icihub.core.listing import search
from icihub.core.models import Citation, Fact, count_subquery, group_facts, shown_citations
from icihub.core.permissions import is_nato
from icihub.core.precompiled import PrecompiledRecord
from icihub.core.sqlplan import joins_as_written
from icihub.core.text import local, localized
from icihub.core.viewkit import url_maker
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


def with_event_lists(qs, user):
    """Events of ``qs`` with the lists a row shows prefetched: participants as
    ``user`` may see them, and topics."""
    return qs.prefetch_related(participants_prefetch(user), "topics")


def events_for(user, *, with_lists: bool = True):
    """Visible events with what a list row shows (no N+1; ``with_lists=False``:
    the caller reads the lists itself), and ``overdue_count``:
    the event's overdue follow-up actions that ``user`` may see (all of them for
    staff, those a coordinator reads for the partner, none for a visitor), the
    same actions the event's record lists.

    The count is a correlated subquery, not ``Count("actions")``: an aggregate
    groups the page by every event column over a join to the actions, and keeps
    that join in the pager's COUNT (15 ms of SQL a page at 10x on SQLite); a
    subquery costs an index probe per row shown and drops out of the COUNT."""
    today = timezone.localdate()
    qs = Event.objects.visible_to(user).select_related("venue", "venue_country", "country")
    if with_lists:
        qs = with_event_lists(qs, user)
    if not user.is_authenticated:
        return qs.annotate(overdue_count=Value(0, output_field=IntegerField()))
    overdue = FollowUpAction.objects.visible_to(user).overdue(today)
    return qs.annotate(overdue_count=count_subquery(overdue, "event"))


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
YEAR_INVALID = gettext_lazy("A year has four digits, e.g. 2017.")


def is_year(text: str) -> bool:
    return bool(_YEAR.match(text))


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
        if not is_year(filters.year):
            errors["year"] = str(YEAR_INVALID)
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


def filter_choices(user, names=None) -> dict[str, list[tuple[str, str]]]:
    """Options of the list filters (only the markings the user may see);
    ``names``: only those filters' (the timeline's country and topic), each
    read only when asked for."""
    visible = set(markings_visible_to(user))
    if user_country_id(user):
        visible.add(Marking.REL_PARTNER)
    choices = {
        "format": lambda: list(Event.Format.choices),
        "level": lambda: list(Event.Level.choices),
        "country": lambda: sorted(
            ((c.iso3, local(c)) for c in involved_countries(user)), key=_label
        ),
        "topic": lambda: [(a.code, local(a)) for a in Area.objects.visible_to(user)],
        "year": lambda: [(y, y) for y in _event_years(user)],
        "marking": lambda: [(m.value, m.label) for m in Marking if m.value in visible],
        "provenance": lambda: list(Event.Provenance.choices),
    }
    return {name: choices[name]() for name in (names or choices)}


def _event_years(user) -> list[str]:
    return sorted(
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


@dataclass
class EventRecord:
    """One event as ``values()`` rows: what :func:`event_record` reads for the
    API's record (the dictionaries of ``api.event_detail_out``)."""

    event: dict
    topics: list[dict]
    participants: list[dict]
    attendees: list[dict]
    actions: list[dict]
    #: The citations ``user`` may see, by (content type id, object id), in
    #: their order: the event's, its participants' and its attendees'.
    citations: dict[tuple[int, int], list[Citation]]


def _cited(model) -> Exists:
    """Whether the row of the outer query has a citation (any, seen or not)."""
    return _cited_by_type(ContentType.objects.get_for_model(model).pk)


@functools.cache
def _cited_by_type(content_type_id: int) -> Exists:
    # Built once per content type: it does not depend on who asks, and an
    # expression is copied when a queryset resolves it, never changed. Keyed
    # by the type's id, which a database flushed and filled again may change.
    return Exists(
        Citation.objects.filter(content_type_id=content_type_id, object_id=OuterRef("pk"))
    )


def _record_lists() -> dict:
    """Which of an event's lists are not empty, as annotations of its row."""
    return _record_lists_by_type(ContentType.objects.get_for_model(Event).pk)


@functools.cache
def _record_lists_by_type(content_type_id: int) -> dict:
    # built once, as _cited_by_type
    return {
        "has_topics": Exists(Event.topics.through.objects.filter(event=OuterRef("pk"))),
        "has_participants": Exists(Participant.objects.filter(event=OuterRef("pk"))),
        "has_attendees": Exists(Attendee.objects.filter(event=OuterRef("pk"))),
        "has_actions": Exists(FollowUpAction.objects.filter(event=OuterRef("pk"))),
        "cited": _cited_by_type(content_type_id),
    }


def event_record(user, pk) -> EventRecord:
    """What :func:`event_detail` reads, as ``values()`` rows rather than model
    instances with seven prefetches (the API's record built a hundred objects
    and ran nine queries for one event). The event's row says which of its
    lists are not empty (EXISTS): a list is read only then; the event's
    citations likewise, and those of its participants and attendees in one
    more query when any is cited. Every read starts from ``visible_to`` of the
    user's scope (each compiled once per reader's rights, below); an event
    ``user`` may not see is a 404. The orders are those of :func:`event_detail`'s prefetches.
    Each read chooses its rows by key (the event's id), so PostgreSQL joins
    them as written (:func:`~icihub.core.sqlplan.joins_as_written`) rather
    than weighing every order of the event's five tables."""
    with joins_as_written(Event.objects.db):
        return _event_record(user, pk)


# The record's reads, each compiled to SQL once per reader's rights
# (core.precompiled.PrecompiledRecord over a Scope of the models below; issue
# 11: building and compiling these access-filtered queries took 5 ms a record
# on SQLite for 0.4 ms of SQL). Those that name a content type keep a statement
# per type's id (``variant``): a database filled again may renumber the types.
RECORD_MODELS = (Event, Participant, Attendee, FollowUpAction, Citation)

_EVENT_ROW = PrecompiledRecord(
    lambda scope, pk: (
        Event.objects.visible_to(scope)
        .filter(pk=pk)
        .values(
            "pk",
            "key",
            "title",
            "title_ar",
            "format",
            "date",
            "date_note",
            "place",
            "level",
            "summary",
            "outcomes",
            "marking",
            "milestone",
            "provenance",
            "venue__slug",
            "venue_country__iso3",
            "country__iso3",
            "milestone_of__slug",
            **_record_lists(),
        )
    )
)
_EVENT_TOPICS = PrecompiledRecord(
    lambda scope, pk: Area.objects.filter(dialogue_events=pk).values("code", "name")
)
_EVENT_PARTICIPANTS = PrecompiledRecord(
    lambda scope, pk: (
        participants_prefetch(scope)
        .queryset.filter(event=pk)
        .values(
            "pk",
            "country__iso3",
            "country__name",
            "organisation__slug",
            "organisation__name",
            "organisation__acronym",
            "role",
            "note",
            cited=_cited(Participant),
        )
    )
)
_EVENT_ATTENDEES = PrecompiledRecord(
    lambda scope, pk: (
        Attendee.objects.visible_to(scope)
        .filter(event=pk)
        .order_by("position", "id")
        .values(
            "pk",
            "person__slug",
            "person__name",
            "person__name_ar",
            "person__honorific",
            "name",
            "role",
            "affiliation",
            cited=_cited(Attendee),
        )
    )
)
_EVENT_ACTIONS = PrecompiledRecord(
    lambda scope, pk: (
        FollowUpAction.objects.visible_to(scope)
        .filter(event=pk)
        .order_by("state", F("due").asc(nulls_last=True), "id")
        .values(
            "pk",
            "description",
            "owner_user__username",
            "owner_user__first_name",
            "owner_user__last_name",
            "owner_organisation__slug",
            "owner_organisation__name",
            "owner_organisation__name_ar",
            "owner_organisation__acronym",
            "due",
            "state",
            "completed_on",
            "notes",
        )
    )
)
_EVENT_CITATIONS = PrecompiledRecord(
    lambda scope, pk: shown_citations(scope).filter(
        content_type=ContentType.objects.get_for_model(Event), object_id=pk
    )
)


def _event_record(user, pk) -> EventRecord:
    scope = Scope(user, *RECORD_MODELS)
    types = ContentType.objects.get_for_models(Event, Participant, Attendee)
    event_type, participant_type, attendee_type = (
        types[Event].pk,
        types[Participant].pk,
        types[Attendee].pk,
    )
    rows = _EVENT_ROW.rows(scope, pk, variant=event_type)
    if not rows:
        raise Http404(_("Not found."))
    row = rows[0]
    topics = participants = attendees = actions = []
    if row["has_topics"]:
        topics = _EVENT_TOPICS.rows(scope, pk)
    if row["has_participants"]:
        participants = _EVENT_PARTICIPANTS.rows(scope, pk, variant=participant_type)
    if row["has_attendees"]:
        attendees = _EVENT_ATTENDEES.rows(scope, pk, variant=attendee_type)
    if row["has_actions"]:
        actions = _EVENT_ACTIONS.rows(scope, pk)
    citations: dict = {}
    if row["cited"]:
        citations[(event_type, pk)] = _EVENT_CITATIONS.rows(scope, pk, variant=event_type)
    cited = []
    for content_type, rows_ in ((participant_type, participants), (attendee_type, attendees)):
        ids = [r["pk"] for r in rows_ if r["cited"]]
        if ids:
            cited.append(Q(content_type_id=content_type, object_id__in=ids))
    if cited:
        citations.update(_citations_of(user, functools.reduce(operator.or_, cited)))
    return EventRecord(row, topics, participants, attendees, actions, citations)


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


@dataclass(slots=True)  # two thousand of them: built and read faster with slots
class TimelineItem:
    """One line of the timeline. Built whole by :func:`timeline` (what the
    sources say about the date, the sources, the link), so that showing two
    thousand of them costs no query and no lookup per item."""

    kind: str  # "event", "accession" or "milestone"
    date: PartialDate | None
    title: str
    url: str | None
    attribute: str  # the attribute of ``subject`` that the date is
    subject: object = (
        None  # the Sourced record (an accession's partnership, the Centre); None for an event
    )
    countries: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    marking: str = Marking.PUBLIC
    label: str = ""
    note: str = ""
    milestone: TimelineItem | None = None  # an organisation milestone this event is
    event_id: int | None = None
    is_demo: bool = False
    fact: Fact | None = None  # what the sources say about the date
    sources: list = field(
        default_factory=list
    )  # every source an event cites; those of another item's date

    @property
    def conflict(self) -> bool:
        fact = self.fact
        return bool(fact and fact.conflict)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def sort_key(self):
        return (self.date.earliest, self.date.latest, _KIND_ORDER[self.kind], self.title)


def _sources(citations) -> list:
    """The sources of ``citations``, each once, in their order."""
    sources, seen = [], set()
    for c in citations:
        if c.source_id not in seen:
            seen.add(c.source_id)
            sources.append(c.source)
    return sources


@dataclass
class Timeline:
    """The timeline's items. Built for a window of years (:func:`timeline`'s
    ``year_from``, ``year_to``, ``recent_items``), ``dated`` holds the items of
    those years only and ``counts`` the dated items of every year of the whole
    timeline; built whole, ``counts`` is None. ``undated`` is always whole."""

    dated: list[TimelineItem]
    undated: list[TimelineItem]
    country: Country | None = None
    topic: Area | None = None
    counts: dict[int, int] | None = None
    year_from: int | None = None
    year_to: int | None = None

    @property
    def years(self) -> list[tuple[int, list[TimelineItem]]]:
        groups: dict[int, list[TimelineItem]] = {}
        for item in self.dated:
            groups.setdefault(item.year, []).append(item)
        return list(groups.items())

    @property
    def dated_count(self) -> int:
        """The dated items of the whole timeline (also outside the window)."""
        return len(self.dated) if self.counts is None else sum(self.counts.values())

    def __len__(self) -> int:
        return self.dated_count + len(self.undated)

    def between(self, year_from: int | None = None, year_to: int | None = None) -> Timeline:
        """The dated items of the years ``year_from`` to ``year_to`` (either
        open; an item's year is the one its date starts in), and every undated
        item (they are apart from the years)."""
        if year_from is None and year_to is None:
            return self
        dated = [
            i
            for i in self.dated
            if (year_from is None or i.year >= year_from) and (year_to is None or i.year <= year_to)
        ]
        return replace(self, dated=dated)

    def _counts(self) -> dict[int, int]:
        if self.counts is not None:
            return self.counts
        counts: dict[int, int] = {}
        for item in self.dated:
            counts[item.year] = counts.get(item.year, 0) + 1
        return counts

    @property
    def first_year(self) -> int | None:
        return min(self._counts(), default=None)

    def recent_years_from(self, items: int, before: int | None = None) -> int | None:
        """The first of the most recent whole years (before ``before``, when
        given) that together hold at least ``items`` dated items; the first
        year of all when they hold fewer; None when there is no such year."""
        return _recent_years_from(self._counts(), items, before)


def _recent_years_from(counts: dict[int, int], items: int, before: int | None = None) -> int | None:
    """:meth:`Timeline.recent_years_from` over the dated items of each year."""
    count, first = 0, None
    for year in sorted(counts, reverse=True):
        if before is not None and year >= before:
            continue
        if count >= items:
            break
        count, first = count + counts[year], year
    return first


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# What an event's line needs, read as rows: two thousand model instances with
# their related rows (prefetch_related builds a queryset per instance and
# relation) cost most of a second; rows and dictionaries a few milliseconds.
# The date is read as its text (``date_text``: no converter on the column, the
# rows come as the database gives them) and parsed once per distinct text.
_EVENT_FIELDS = (
    "pk",
    "title",
    "title_ar",
    "date_text",
    "format",
    "marking",
    "date_note",
    "provenance",
    "milestone_of_id",
    "milestone",
    "country_id",
    "venue_country_id",
)

_KIND_ORDER = {"milestone": 0, "accession": 1, "event": 2}
_EVENT_ORDER = _KIND_ORDER["event"]
_first = operator.itemgetter(0)


def timeline(
    user,
    country: str = "",
    topic: str = "",
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    recent_items: int | None = None,
) -> Timeline:
    """The initiative's timeline: the register's events, the ICI accessions and
    the Centre's milestones, in chronological order of their (partial) dates;
    undated items apart. ``country`` (ISO alpha-3) keeps what involves that
    country; ``topic`` (area code) keeps events on that area. Unknown codes
    raise ValidationError.

    Given ``year_from`` or ``year_to`` (an item's year is the one its date
    starts in), or ``recent_items``, only the dated items of those years are
    built, and the result counts those of every year (:class:`Timeline`):
    without ``year_from``, ``recent_items`` chooses it, the first of the most
    recent whole years that hold at least that many items. The page shows a
    few years of two thousand items (at ten times the real register) and
    builds only those.

    A constant number of queries: the events as rows, then their participants'
    countries and their topics each in one query over the same events (a
    subquery); the accessions and the Centre; the citations of all of them,
    grouped here (in two queries for a window: the Centre's dates are needed
    to choose it); for a window, the events of each year, counted."""
    filters = EventFilters(country=country or "", topic=topic or "")
    events_qs = filter_events(Event.objects.visible_to(user), filters)
    country_obj = Country.objects.get(iso3=country.upper()) if country else None
    topic_obj = Area.objects.get(code=topic) if topic else None
    windowed = year_from is not None or year_to is not None or recent_items is not None

    # The accessions and the Centre (a topic is about events only).
    partnerships, centre = [], None
    if topic_obj is None:
        partnerships = _accession_partnerships(user, country_obj)
        centre = _centre(user, country_obj)
    types = ContentType.objects.get_for_models(Event, Partnership, Organisation)
    event_type, partnership_type, organisation_type = (
        types[Event].pk,
        types[Partnership].pk,
        types[Organisation].pk,
    )
    others = Q(pk__in=[])
    if partnerships:
        others |= Q(content_type=partnership_type, object_id__in=[p.pk for p in partnerships])
    if centre is not None:
        others |= Q(content_type=organisation_type, object_id=centre.pk)
    if windowed:
        citations_of = _citations_of(user, others) if partnerships or centre else {}
    else:
        citations_of = _citations_of(
            user, others | Q(content_type=event_type, object_id__in=events_qs.values("pk"))
        )

    accessions = [
        _accession(p, citations_of.get((partnership_type, p.pk), [])) for p in partnerships
    ]
    milestones = []
    if centre is not None:
        facts = group_facts(citations_of.get((organisation_type, centre.pk), []))
        milestones = _centre_milestones(centre, facts)

    counts, claimed = None, set()
    if windowed:
        # The dated events of each year, and the milestones the events are
        # (of the whole timeline, those outside the window too).
        counts = {}
        for year, milestone_of_id, milestone, n in (
            events_qs.annotate(year=Substr("date", 1, 4, output_field=CharField()))
            .order_by()
            .values_list("year", "milestone_of_id", "milestone")
            .annotate(n=Count("pk"))
        ):
            if milestone_of_id and milestone:
                claimed.add((milestone_of_id, milestone))
            if year:
                counts[int(year)] = counts.get(int(year), 0) + n
        for item in accessions + milestones:
            if item.date and (
                item.kind != "milestone" or (item.subject.pk, item.attribute) not in claimed
            ):
                counts[item.year] = counts.get(item.year, 0) + 1
        if year_from is None and recent_items is not None:
            year_from = _recent_years_from(counts, recent_items)
        window = Q(year__isnull=True) | Q(year="")
        if year_from is not None or year_to is not None:
            years = Q()
            if year_from is not None:
                years &= Q(year__gte=f"{year_from:04d}")
            if year_to is not None:
                years &= Q(year__lte=f"{year_to:04d}")
            window |= years
        events_qs = events_qs.alias(year=Substr("date", 1, 4, output_field=CharField())).filter(
            window
        )
        citations_of.update(
            _citations_of(user, Q(content_type=event_type, object_id__in=events_qs.values("pk")))
        )

    # In the order of their ids: the items are sorted below, by their dates'
    # bounds and titles, and equal keys keep this order (the sort is stable),
    # the same on both databases. The register's own order (date, title) cost a
    # sort of the dates' and titles' text in SQL (1-1.5 ms of 2,000 events)
    # that the sort below undid.
    rows = list(
        events_qs.annotate(date_text=ExpressionWrapper(F("date"), output_field=CharField()))
        .order_by("pk")
        .values_list(*_EVENT_FIELDS)
    )
    event_ids = events_qs.values("pk")
    # The participants' countries in the order of the register (role, country,
    # organisation), as ``participants_prefetch`` orders them.
    countries_of: dict[int, list[int]] = {}
    for event_id, country_id in (
        Participant.objects.visible_to(user)
        .filter(event__in=event_ids, country__isnull=False)
        .order_by("role", "country__name", "organisation__name")
        .values_list("event_id", "country_id")
    ):
        ids = countries_of.setdefault(event_id, [])
        if country_id not in ids:
            ids.append(country_id)
    topics_of: dict[int, list[int]] = {}
    for event_id, area_id in Event.topics.through.objects.filter(event__in=event_ids).values_list(
        "event_id", "area_id"
    ):
        topics_of.setdefault(event_id, []).append(area_id)

    country_ids = {c for ids in countries_of.values() for c in ids}
    for row in rows:
        country_ids.update(c for c in row[-2:] if c)
    countries = Country.objects.in_bulk(country_ids)
    # Areas in their order (the relation's), each event's topics sorted by it.
    areas = {
        a.pk: a for a in Area.objects.filter(pk__in={a for v in topics_of.values() for a in v})
    }
    area_rank = {pk: rank for rank, pk in enumerate(areas)}

    formats = {value: str(label) for value, label in Event.Format.choices}
    event_url = url_maker("dialogue:event_detail")
    demo = Event.Provenance.DEMO
    # Each date text parsed once, with its bounds (the order's first keys).
    dates: dict[str, tuple[PartialDate, dt.date, dt.date]] = {}
    # The dated items with their TimelineItem.sort_key, in the order built
    # (the sort is stable: equal keys keep it), and the undated ones.
    keyed: list[tuple[tuple, TimelineItem]] = []
    undated: list[TimelineItem] = []
    claiming: dict[tuple[int, str], list[TimelineItem]] = {}
    for (
        pk,
        title,
        title_ar,
        date_text,
        fmt,
        marking,
        note,
        provenance,
        milestone_of_id,
        milestone,
        country_id,
        venue_country_id,
    ) in rows:
        date = known = None
        if date_text:  # the field reads "" as no date, as NULL
            known = dates.get(date_text)
            if known is None:
                date = PartialDate.parse(date_text)
                known = dates[date_text] = (date, date.earliest, date.latest)
            date = known[0]
        ids = countries_of.get(pk, ())
        if country_id and country_id not in ids:
            ids = [*ids, country_id]
        if venue_country_id and not ids:
            ids = [venue_country_id]
        area_ids = topics_of.get(pk)
        citations = citations_of.get((event_type, pk))
        item = TimelineItem(
            kind="event",
            date=date,
            title=localized(title, title_ar),
            url=event_url(pk),
            attribute="date",
            countries=[countries[c] for c in ids],
            topics=[areas[a] for a in sorted(area_ids, key=area_rank.__getitem__)]
            if area_ids
            else [],
            marking=marking,
            label=formats.get(fmt, fmt),
            note=note,
            event_id=pk,
            is_demo=provenance == demo,
            fact=group_facts(citations).get("date") if citations else None,
            sources=_sources(citations) if citations else [],
        )
        if milestone_of_id and milestone:
            claimed.add((milestone_of_id, milestone))
            claiming.setdefault((milestone_of_id, milestone), []).append(item)
        if known is None:
            undated.append(item)
        else:
            keyed.append(((known[1], known[2], _EVENT_ORDER, item.title), item))

    others = list(accessions)
    for m in milestones:
        for item in claiming.get((m.subject.pk, m.attribute), ()):
            item.milestone = m
        if (m.subject.pk, m.attribute) not in claimed:
            others.append(m)
    for item in others:
        if item.date:
            keyed.append((item.sort_key(), item))
        else:
            undated.append(item)

    keyed.sort(key=_first)
    dated = [item for _key, item in keyed]
    undated.sort(key=lambda i: (i.kind, i.title))
    result = Timeline(dated=dated, undated=undated, country=country_obj, topic=topic_obj)
    if windowed:
        # The events are the window's already; the accessions and milestones not.
        result = replace(
            result.between(year_from, year_to), counts=counts, year_from=year_from, year_to=year_to
        )
    return result


def _citations_of(user, cited: Q) -> dict[tuple[int, int], list[Citation]]:
    """The citations ``user`` may see of the records ``cited`` selects, by
    (content type, record), in their order; their sources without their full
    text, which nothing beside a citation shows (a source's text, a thousand
    characters or more, came again on the row of each of its citations: the
    timeline's fifty citations read some sixty kilobytes for nothing)."""
    citations_of: dict[tuple[int, int], list[Citation]] = {}
    for citation in shown_citations(user).filter(cited):
        citations_of.setdefault((citation.content_type_id, citation.object_id), []).append(citation)
    return citations_of


def _accession_partnerships(user, country: Country | None) -> list[Partnership]:
    qs = (
        Partnership.objects.visible_to(user)
        .filter(
            framework__code="ici",
            status__in=[Partnership.Status.MEMBER, Partnership.Status.FORMER],
        )
        .select_related("country", "framework")
    )
    if country is not None:
        qs = qs.filter(country=country)
    return list(qs)


def _accession(p: Partnership, citations: list[Citation]) -> TimelineItem:
    """The accession of partnership ``p``; ``citations``: the partnership's."""
    fact = group_facts(citations).get("accession")
    return TimelineItem(
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
        fact=fact,
        sources=_sources(fact.citations if fact else []),
    )


def _centre(user, country: Country | None) -> Organisation | None:
    """The Centre, when ``user`` may see it and it is in ``country`` (if given)."""
    centre = (
        Organisation.objects.visible_to(user)
        .filter(slug=CENTRE_SLUG)
        .select_related("country")
        .first()
    )
    if centre is None or (country is not None and centre.country_id != country.pk):
        return None
    return centre


def _centre_milestones(centre: Organisation, facts) -> list[TimelineItem]:
    """The Centre's dated facts; ``facts``: what its citations say (group_facts)."""
    url = _url("partners:organisation_detail", centre.slug)
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
        fact = facts.get(attribute)
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
                fact=fact,
                sources=_sources(fact.citations if fact else []),
            )
        )
    return items
