"""How the records behind a number are listed (the drill-down pages and API):
for each kind of record, its columns and the related rows to load with it, so
a page of records costs the same few queries whatever its length."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from icihub.core.dates import PartialDate
from icihub.core.text import local


@dataclass
class Column:
    key: str
    label: str
    value: Callable  # record -> plain value (text, number, date)
    link: Callable | None = None  # record -> URL of the cell, if any


@dataclass
class RecordList:
    label: str
    columns: list[Column]
    select_related: tuple = ()
    prefetch: Callable | None = None  # () -> list of prefetches
    order_by: tuple = ("pk",)
    only: tuple = ()
    extra: dict = field(default_factory=dict)

    def queryset(self, qs):
        qs = qs.select_related(*self.select_related) if self.select_related else qs
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch())
        return qs.order_by(*self.order_by)

    def cells(self, obj) -> list[dict]:
        out = []
        for column in self.columns:
            value = column.value(obj)
            out.append(
                {
                    "key": column.key,
                    "value": value,
                    "text": display(value),
                    "url": column.link(obj) if column.link else None,
                }
            )
        return out


def display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _url(obj):
    return obj.get_absolute_url() if obj is not None else None


def _days(trip) -> int:
    return (trip.departure - trip.arrival).days + 1


def _trip_sessions():
    from icihub.training.models import Session

    return [
        Prefetch("sessions", queryset=Session.objects.only("pk", "reference").order_by("start"))
    ]


def _planned(item) -> str:
    return f"{item.planned_year}" + (f" Q{item.planned_quarter}" if item.planned_quarter else "")


LISTS: dict[str, RecordList] = {
    "training.session": RecordList(
        _("course sessions"),
        [
            Column("reference", _("Session"), lambda s: s.reference, _url),
            Column("course", _("Course"), lambda s: s.course.local_title),
            Column("start", _("Start"), lambda s: s.start),
            Column("end", _("End"), lambda s: s.end),
            Column("state", _("State"), lambda s: s.get_state_display()),
        ],
        select_related=("course",),
        order_by=("start", "pk"),
    ),
    "programmes.delivery": RecordList(
        _("deliveries"),
        [
            Column("delivered_on", _("Delivered on"), lambda d: d.delivered_on),
            Column("kind", _("Kind"), lambda d: d.get_kind_display()),
            Column("title", _("What was delivered"), lambda d: d.title or str(d)),
            Column(
                "programme",
                _("Programme"),
                lambda d: str(d.item.goal.objective.programme),
                lambda d: d.item.goal.objective.programme.get_absolute_url(),
            ),
            Column(
                "activity",
                _("Menu activity"),
                lambda d: d.item.activity.code,
                lambda d: d.item.get_absolute_url(),
            ),
        ],
        select_related=(
            "item__activity",
            "item__goal__objective__programme__country",
            "session",
            "event",
        ),
        order_by=("delivered_on", "pk"),
    ),
    "training.participant": RecordList(
        _("people"),
        [
            Column("name", _("Name"), lambda p: p.full_name, _url),
            Column("country", _("Country"), lambda p: local(p.country)),
            Column("service", _("Service"), lambda p: p.get_service_display()),
            Column("rank", _("Rank"), lambda p: p.local_rank or p.get_rank_code_display()),
            Column("organisation", _("Organisation"), lambda p: p.organisation),
        ],
        select_related=("country",),
        order_by=("family_name", "given_name", "pk"),
    ),
    "training.nomination": RecordList(
        _("nominations"),
        [
            Column("participant", _("Participant"), lambda n: n.participant.full_name, _url),
            Column("country", _("Country"), lambda n: n.country.iso3),
            Column(
                "session",
                _("Session"),
                lambda n: n.session.reference,
                lambda n: n.session.get_absolute_url(),
            ),
            Column("status", _("Status"), lambda n: n.get_status_display()),
            Column("outcome", _("Outcome"), lambda n: n.get_outcome_display()),
            Column("reallocated", _("Seat from reallocation"), lambda n: n.via_reallocation),
        ],
        select_related=("participant", "country", "session"),
        order_by=("session__start", "session_id", "country__iso3", "priority", "pk"),
    ),
    "training.instructor": RecordList(
        _("instructors and experts"),
        [
            Column("name", _("Name"), lambda i: str(i), _url),
            Column("organisation", _("Home organisation"), lambda i: str(i.organisation)),
            Column("country", _("Country"), lambda i: local(i.country)),
        ],
        select_related=("organisation", "country"),
        order_by=("full_name", "pk"),
    ),
    "training.trip": RecordList(
        _("trips"),
        [
            Column(
                "instructor",
                _("Instructor or expert"),
                lambda t: str(t.instructor),
                lambda t: t.instructor.get_absolute_url(),
            ),
            Column("origin", _("Travelling from"), lambda t: t.origin),
            Column("arrival", _("Arrival"), lambda t: t.arrival),
            Column("departure", _("Departure"), lambda t: t.departure),
            Column("days", _("Days"), _days),
            Column(
                "sessions",
                _("Sessions covered"),
                lambda t: ", ".join(s.reference for s in t.sessions.all()),
            ),
        ],
        select_related=("instructor",),
        prefetch=_trip_sessions,
        order_by=("arrival", "pk"),
    ),
    "dialogue.event": RecordList(
        _("dialogue events"),
        [
            Column("title", _("Event"), lambda e: local(e, "title"), _url),
            Column("date", _("Date"), lambda e: e.date),
            Column("format", _("Format"), lambda e: e.get_format_display()),
            Column("level", _("Level"), lambda e: e.get_level_display()),
            Column("place", _("Place"), lambda e: e.place),
        ],
        order_by=("date", "pk"),
    ),
    "programmes.programmeitem": RecordList(
        _("programme activities"),
        [
            Column(
                "programme",
                _("Programme"),
                lambda i: str(i.goal.objective.programme),
                lambda i: i.goal.objective.programme.get_absolute_url(),
            ),
            Column("goal", _("Partnership goal"), lambda i: i.goal.title),
            Column(
                "activity",
                _("Menu activity"),
                lambda i: f"{i.activity.code} – {i.activity.local_title}",
                _url,
            ),
            Column("planned", _("Planned"), _planned),
            Column("priority", _("Priority"), lambda i: i.get_priority_display()),
        ],
        select_related=("activity", "goal__objective__programme__country"),
        order_by=("goal__objective__programme__country__name", "planned_year", "pk"),
    ),
    "programmes.partnerrequest": RecordList(
        _("requests"),
        [
            Column("subject", _("Request"), lambda r: r.subject, _url),
            Column("country", _("Country"), lambda r: r.country.iso3),
            Column("kind", _("Kind"), lambda r: r.get_kind_display()),
            Column("requested_on", _("Requested on"), lambda r: r.requested_on),
            Column("responded_on", _("Answered on"), lambda r: r.responded_on),
            Column("state", _("State"), lambda r: r.get_state_display()),
            Column("age", _("Days waited for an answer"), lambda r: r.age_days()),
        ],
        select_related=("country",),
        order_by=("requested_on", "pk"),
    ),
    "training.evaluation": RecordList(
        _("evaluations"),
        [
            Column(
                "session",
                _("Session"),
                lambda e: e.nomination.session.reference,
                lambda e: e.nomination.session.get_absolute_url(),
            ),
            Column("submitted", _("Returned"), lambda e: e.submitted_at.date()),
            Column("relevance", _("Relevance"), lambda e: e.relevance),
            Column("content", _("Content"), lambda e: e.content),
            Column("instructors", _("Instructors"), lambda e: e.instructors),
            Column("organisation", _("Organisation"), lambda e: e.organisation),
            Column("facilities", _("Facilities"), lambda e: e.facilities),
            Column("overall", _("Overall"), lambda e: e.overall),
        ],
        select_related=("nomination__session",),
        order_by=("nomination__session__start", "submitted_at", "pk"),
    ),
    "training.seatquota": RecordList(
        _("seat quotas"),
        [
            Column(
                "session",
                _("Session"),
                lambda q: q.session.reference,
                lambda q: q.session.get_absolute_url(),
            ),
            Column("country", _("Country"), lambda q: local(q.country)),
            Column("seats", _("Seats"), lambda q: q.seats),
        ],
        select_related=("session", "country"),
        order_by=("session__start", "country__name", "pk"),
    ),
}


def list_for(model) -> RecordList:
    return LISTS[model._meta.label_lower]
