"""Every figure icihub reports, defined once.

A :class:`Figure` has a key, a label, a written definition (shown next to the
number in the pages and in every report format), the queryset of the rows it
counts (``base(scope)``, always read through :meth:`Scope.rows`, i.e.
``Model.objects.visible_to(user)``), the aggregate that turns those rows into
the number, and the dimensions it can be broken down by. The records behind a
number (the drill-down list) are derived from the same ``base``, so the list
always matches the number.

Everything is computed with aggregate queries (``COUNT(DISTINCT ...)``,
``SUM``, ``AVG``, grouped by the dimension): no loop over the rows in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat, Substr, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from icihub.core.text import local, localized
from icihub.dialogue.models import Event
from icihub.dialogue.models import Participant as EventParticipant
from icihub.menu.models import Activity, Area
from icihub.partners.models import Country, Organisation
from icihub.programmes.models import Delivery, PartnerRequest, Programme, ProgrammeItem
from icihub.training.models import (
    Course,
    Evaluation,
    Instructor,
    Nomination,
    Participant,
    SeatQuota,
    Session,
    Trip,
)

from .scope import Scope

# -- the rows figures count ------------------------------------------------------------


def _area_activities(area):
    """Ids of the menu activities (courses included) in ``area``."""
    return Activity.areas.through.objects.filter(area=area).values("activity_id")


def _in_period(lookup: str, scope: Scope) -> dict:
    return {f"{lookup}__gte": scope.period.start, f"{lookup}__lte": scope.period.end}


ATTENDED = ("completed", "not_completed")


def counted_sessions(scope: Scope, *, by_country: bool = True):
    """Sessions completed that started within the period (and in the area
    filtered). ``by_country``: with a country or framework filter, only the
    sessions attended by at least one officer of those countries.

    A queryset the figures use as a subquery (``session__in=...``): the period
    is selected in SQL on the session's dates, so a one-year figure reads that
    year's sessions, not a list of every id passed as parameters."""

    def build():
        qs = scope.rows(Session).filter(state=Session.State.COMPLETED, **_in_period("start", scope))
        if scope.filters.area is not None:
            qs = qs.filter(course_id__in=_area_activities(scope.filters.area))
        ids = scope.country_ids()
        if by_country and ids is not None:
            qs = qs.filter(
                pk__in=scope.rows(Nomination, aggregated=True)
                .filter(
                    country_id__in=ids,
                    status=Nomination.Status.ACCEPTED,
                    outcome__in=ATTENDED,
                    **_in_period("session__start", scope),
                )
                .values("session_id")
            )
        return qs.order_by()

    return scope.cached(("sessions", by_country), build)


def _session_ids(scope: Scope, *, by_country: bool = False):
    """The counted sessions as the subquery of their ids."""
    return counted_sessions(scope, by_country=by_country).values("pk")


def _nominations(scope: Scope, **conditions):
    """Nominations on the counted sessions (of the filtered countries)."""
    qs = scope.rows(Nomination, aggregated=True).filter(
        session_id__in=_session_ids(scope), **conditions
    )
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(country_id__in=ids)
    return qs


def completions(scope: Scope):
    return _nominations(scope, status="accepted", outcome="completed")


def attendances(scope: Scope):
    return _nominations(scope, status="accepted", outcome__in=ATTENDED)


def trips(scope: Scope):
    """Trips covering at least one counted session (one row per trip)."""
    links = Trip.sessions.through.objects.filter(
        session_id__in=_session_ids(scope, by_country=True)
    ).values("trip_id")
    return scope.rows(Trip, aggregated=True).filter(pk__in=links)


def event_start():
    """The first day of a dialogue event's date, as ISO text: "2017-01-24" for a
    day, "2017-01-01" for "2017-01", "2017-01-01" for "2017"; a range starts on
    its first date."""
    return Case(
        When(report_c8="-", then=Substr("date", 1, 10)),
        When(report_c5="-", then=Concat(Substr("date", 1, 7), Value("-01"))),
        default=Concat(Substr("date", 1, 4), Value("-01-01")),
        output_field=CharField(),
    )


def events(scope: Scope):
    qs = (
        scope.rows(Event)
        .filter(date__isnull=False)
        .annotate(
            report_c8=Substr("date", 8, 1),
            report_c5=Substr("date", 5, 1),
        )
        .annotate(report_start=event_start())
        .filter(
            report_start__gte=scope.period.start.isoformat(),
            report_start__lte=scope.period.end.isoformat(),
        )
    )
    if scope.filters.area is not None:
        qs = qs.filter(
            pk__in=Event.topics.through.objects.filter(area=scope.filters.area).values("event_id")
        )
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(
            Q(pk__in=EventParticipant.objects.filter(country_id__in=ids).values("event_id"))
            | Q(venue_country_id__in=ids)
            | Q(country_id__in=ids)
        )
    return qs


def deliveries(scope: Scope):
    """Programme deliveries in the period that are not course sessions or meetings."""
    qs = scope.rows(Delivery).filter(
        kind__in=[Delivery.Kind.EXPERT_VISIT, Delivery.Kind.OTHER],
        **_in_period("delivered_on", scope),
    )
    if scope.filters.area is not None:
        qs = qs.filter(item__activity_id__in=_area_activities(scope.filters.area))
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(item__goal__objective__programme__country_id__in=ids)
    return qs


AGREED_STATES = ("agreed", "active", "closed")


def planned_items(scope: Scope):
    qs = scope.rows(ProgrammeItem).filter(
        planned_year__gte=scope.period.start.year,
        planned_year__lte=scope.period.end.year,
        goal__objective__programme__state__in=AGREED_STATES,
    )
    if scope.filters.area is not None:
        qs = qs.filter(activity_id__in=_area_activities(scope.filters.area))
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(goal__objective__programme__country_id__in=ids)
    return qs


def delivered_items(scope: Scope):
    """Planned items with a delivery on or before the period's last day: a
    delivery in a later year does not count for this period (docs/reports.md),
    so a past year's figure does not change when a late delivery is recorded."""
    return planned_items(scope).filter(
        pk__in=scope.rows(Delivery).filter(delivered_on__lte=scope.period.end).values("item_id")
    )


def _requests(scope: Scope):
    qs = scope.rows(PartnerRequest)
    if scope.filters.area is not None:
        qs = qs.filter(activity_id__in=_area_activities(scope.filters.area))
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(country_id__in=ids)
    return qs


def requests_made(scope: Scope):
    return _requests(scope).filter(**_in_period("requested_on", scope))


def requests_answered(scope: Scope):
    return requests_made(scope).filter(responded_on__isnull=False)


def requests_waiting(scope: Scope):
    """Requests awaiting an answer on the day ages are measured (see Period.as_of)."""
    day = scope.period.as_of
    return (
        _requests(scope)
        .filter(requested_on__lte=day)
        .filter(Q(responded_on__isnull=True) | Q(responded_on__gt=day))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    )


def demo_rows(scope: Scope) -> dict[str, int]:
    """How many demonstration rows (provenance "demo", ``icihub load-demo``)
    the scope's figures count: sessions, people who attended, dialogue events,
    programme activities and partners' requests. All zero on a database
    without demo data; the reports say so beside the figures when any is not,
    so that demo rows never pass for sourced facts."""

    def build():
        demo = "demo"
        return {
            "sessions": counted_sessions(scope, by_country=False).filter(provenance=demo).count(),
            "participants": attendances(scope)
            .filter(participant__provenance=demo)
            .values("participant_id")
            .distinct()
            .count(),
            "events": events(scope).filter(provenance=demo).count(),
            "programme_items": planned_items(scope)
            .filter(goal__objective__programme__provenance=demo)
            .count(),
            "requests": requests_made(scope).filter(provenance=demo).count(),
        }

    return scope.cached(("demo",), build)


def evaluations(scope: Scope):
    qs = scope.rows(Evaluation).filter(nomination__session_id__in=_session_ids(scope))
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(nomination__country_id__in=ids)
    return qs


def _attendance_rows(scope: Scope) -> list[tuple]:
    """The attendances of the period (``attendances(scope)``: accepted nominees
    who attended a counted session), one row each, with what the officers'
    breakdowns group by. "Officers trained" and "Attendances", their totals and
    their six breakdowns are added up from these rows: one query for the year
    instead of fourteen aggregates over the nominations."""

    def build():
        return list(
            attendances(scope)
            .order_by()
            .values_list(
                "pk",
                "participant_id",
                "outcome",
                "country_id",
                "country__iso3",
                "participant__service",
                "participant__rank_code",
                "session__course_id",
            )
        )

    return scope.cached(("attendance_rows",), build)


def _course_areas(scope: Scope, courses) -> dict:
    """Area codes of each course (a course counts in each of its areas)."""
    key = ("course_areas", frozenset(courses))

    def build():
        out: dict = {}
        for course, code in Activity.areas.through.objects.filter(
            activity_id__in=sorted(courses)
        ).values_list("activity_id", "area__code"):
            out.setdefault(course, []).append(code)
        return out

    return scope.cached(key, build)


RANK_BAND_OF = {}  # rank code -> band key (filled below, from RANK_BANDS)


def _people_rollup(kind: str):
    """``rollup(scope, dimension)`` for "trained" (unique people who completed)
    and "attendances" (every attendance): the same keys and numbers as the
    figure's grouped aggregate (``PEOPLE_DIMS``)."""

    def rollup(scope: Scope, dimension: str | None) -> dict:
        rows = _attendance_rows(scope)
        if kind == "trained":
            rows = [row for row in rows if row[2] == "completed"]
        if dimension == "country_group":
            groups = scope.country_groups()
            ici, gcc = groups["ici"], groups["gcc"]
        if dimension == "area":
            areas = _course_areas(scope, {row[7] for row in rows})
        sets: dict = {}
        for pk, participant, _outcome, country_id, iso3, service, rank, course in rows:
            if dimension is None:
                keys = (None,)
            elif dimension == "country_group":
                keys = ("ici" if country_id in ici else "gcc" if country_id in gcc else "other",)
            elif dimension == "country":
                keys = (iso3,)
            elif dimension == "area":
                keys = areas.get(course) or (None,)
            elif dimension == "service":
                keys = (service,)
            elif dimension == "rank_band":
                keys = (RANK_BAND_OF.get(rank, "civ"),)
            elif dimension == "course":
                keys = (course,)
            else:
                raise LookupError(dimension)
            counted = participant if kind == "trained" else pk
            for key in keys:
                sets.setdefault(key, set()).add(counted)
        out = {key: {"v": len(members)} for key, members in sets.items()}
        if dimension is None and None not in out:
            out[None] = {"v": 0}
        return out

    return rollup


def _evaluation_groups(scope: Scope) -> list[dict]:
    """The evaluations of the counted sessions in one grouped query, by session
    (with its course): the number returned, the six scores added up and the
    overall scores added up. The three evaluation figures, their totals and
    their breakdowns by course and by session all add these rows up, so the
    evaluations are read once per scope (and only the period's)."""

    def build():
        return list(
            evaluations(scope)
            .values(
                report_session=F("nomination__session_id"),
                report_course=F("nomination__session__course_id"),
            )
            .annotate(
                n=Count("pk"),
                total=Sum(
                    F("relevance")
                    + F("content")
                    + F("instructors")
                    + F("organisation")
                    + F("facilities")
                    + F("overall")
                ),
                overall_total=Sum("overall"),
            )
            .order_by()
        )

    return scope.cached(("evaluation_groups",), build)


def _evaluation_rollup(kind: str):
    """``rollup(scope, dimension)``: ``{key: {"v": ...}}`` as the aggregate of the
    figure would answer (``dimension`` None: the total, under the key None)."""
    column = {"course": "report_course", "session": "report_session"}

    def rollup(scope: Scope, dimension: str | None) -> dict:
        sums: dict = {}
        for row in _evaluation_groups(scope):
            key = row[column[dimension]] if dimension else None
            n, total, overall = sums.get(key, (0, 0, 0))
            sums[key] = (
                n + row["n"],
                total + (row["total"] or 0),
                overall + (row["overall_total"] or 0),
            )
        if dimension is None and None not in sums:
            sums[None] = (0, 0, 0)
        out = {}
        for key, (n, total, overall) in sums.items():
            if kind == "count":
                out[key] = {"v": n}
            elif kind == "score":  # the mean of each questionnaire's mean of six
                out[key] = {"v": total / (6 * n) if n else None}
            else:
                out[key] = {"v": overall / n if n else None}
        return out

    return rollup


def quotas(scope: Scope):
    qs = scope.rows(SeatQuota, aggregated=True).filter(session_id__in=_session_ids(scope))
    ids = scope.country_ids()
    if ids is not None:
        qs = qs.filter(country_id__in=ids)
    return qs


# -- dimensions ---------------------------------------------------------------------------

RANK_BANDS = [
    ("of1-2", _("Junior officers (OF-1 and OF-2)"), ["OF-1", "OF-2"]),
    ("of3-5", _("Field-grade officers (OF-3 to OF-5)"), ["OF-3", "OF-4", "OF-5"]),
    (
        "of6-9",
        _("General and flag officers (OF-6 to OF-10)"),
        ["OF-6", "OF-7", "OF-8", "OF-9", "OF-10"],
    ),
    ("or", _("Other ranks (OR-1 to OR-9)"), [f"OR-{i}" for i in range(1, 10)]),
    ("civ", _("Civilians"), ["CIV"]),
]
RANK_BAND_OF.update({code: key for key, _label, codes in RANK_BANDS for code in codes})
COUNTRY_GROUPS = [
    ("ici", _("ICI members")),
    ("gcc", _("GCC states not members of the ICI")),
    ("other", _("Other countries")),
]


def rank_band(lookup: str):
    def expression(scope: Scope):
        return Case(
            *[
                When(**{f"{lookup}__in": codes}, then=Value(key))
                for key, _label, codes in RANK_BANDS
            ],
            default=Value("civ"),
            output_field=CharField(),
        )

    return expression


def country_group(lookup: str):
    def expression(scope: Scope):
        groups = scope.country_groups()
        whens = [
            When(**{f"{lookup}__in": sorted(groups[key])}, then=Value(key))
            for key in ("ici", "gcc")
            if groups[key]
        ]
        if not whens:
            return Value("other", output_field=CharField())
        return Case(*whens, default=Value("other"), output_field=CharField())

    return expression


def month(lookup: str):
    def expression(scope: Scope):
        return TruncMonth(lookup)

    return expression


def _choices(choices, blank=None):
    table = {str(value): label for value, label in choices}

    def labels(scope, values):
        return {
            v: (str(table.get(v, blank if v in ("", None) and blank else v)), None) for v in values
        }

    return labels


def _country_labels(scope, values):
    names = scope.cached(
        ("labels", "country"),
        lambda: {
            iso3: (name, name_ar)
            for iso3, name, name_ar in Country.objects.values_list("iso3", "name", "name_ar")
        },
    )
    return {v: (localized(*names[v]) if v in names else (v or "—"), None) for v in values}


def _area_labels(scope, values):
    rows = scope.cached(
        ("labels", "area"),
        lambda: {
            code: (name, name_ar, position)
            for code, name, name_ar, position in Area.objects.values_list(
                "code", "name", "name_ar", "position"
            )
        },
    )
    return {
        v: (localized(rows[v][0], rows[v][1]), rows[v][2]) if v in rows else (v, 999)
        for v in values
    }


def _organisation_labels(scope, values):
    rows = {
        slug: (f"{localized(name, name_ar)} ({acronym})" if acronym else localized(name, name_ar))
        for slug, name, name_ar, acronym in Organisation.objects.filter(
            slug__in=values
        ).values_list("slug", "name", "name_ar", "acronym")
    }
    return {v: (rows.get(v, v or "—"), None) for v in values}


def _session_labels(scope, values):
    rows = {
        pk: (f"{reference} – {localized(title, title_ar)}", start)
        for pk, reference, title, title_ar, start in Session.objects.filter(
            pk__in=values
        ).values_list("pk", "reference", "course__title", "course__title_ar", "start")
    }
    return {v: rows.get(v, (str(v), dt.date.min)) for v in values}


def _course_labels(scope, values):
    rows = {
        pk: (f"{code} – {localized(title, title_ar)}", code)
        for pk, code, title, title_ar in Course.objects.filter(pk__in=values).values_list(
            "pk", "code", "title", "title_ar"
        )
    }
    return {v: rows.get(v, (str(v), "")) for v in values}


def _programme_labels(scope, values):
    out = {}
    for programme in Programme.objects.filter(pk__in=values).select_related("country"):
        out[programme.pk] = (str(programme), (local(programme.country), programme.start_year))
    return {v: out.get(v, (str(v), ("", 0))) for v in values}


def _month_labels(scope, values):
    return {v: (date_format(v, "F Y") if v else "—", v) for v in values}


def _fixed(entries):
    order = {key: index for index, (key, *_rest) in enumerate(entries)}
    table = {key: label for key, label, *_rest in entries}

    def labels(scope, values):
        return {v: (str(table.get(v, v)), order.get(v, 99)) for v in values}

    return labels


def _parse_int(text: str):
    return int(text)


def _parse_month(text: str):
    year, month_ = text.split("-")
    return dt.date(int(year), int(month_), 1)


def _format_month(value) -> str:
    return value.strftime("%Y-%m") if value else ""


@dataclass
class Dimension:
    key: str
    label: str
    labels: Callable[[Scope, list], dict]  # value -> (label, sort key or None)
    sort: str = "count"  # "count" (largest first) or "key" (the labels' sort keys)
    parse: Callable[[str], object] = str
    format: Callable[[object], str] = str


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in [
        Dimension("country_group", _("Country group"), _fixed(COUNTRY_GROUPS), sort="key"),
        Dimension("country", _("Country"), _country_labels),
        Dimension("area", _("Area of cooperation"), _area_labels),
        Dimension("service", _("Service"), _choices(Participant.Service.choices)),
        Dimension("rank_band", _("Rank band"), _fixed(RANK_BANDS), sort="key"),
        Dimension("organisation", _("Home organisation"), _organisation_labels),
        Dimension(
            "format",
            _("Format"),
            _choices(Event.Format.choices),
        ),
        Dimension(
            "level",
            _("Level"),
            _choices(Event.Level.choices, blank=_("Not recorded")),
        ),
        Dimension("kind", _("Kind"), _choices(Delivery.Kind.choices)),
        Dimension("request_kind", _("Kind of request"), _choices(PartnerRequest.Kind.choices)),
        Dimension(
            "month",
            _("Month"),
            _month_labels,
            sort="key",
            parse=_parse_month,
            format=_format_month,
        ),
        Dimension("session", _("Session"), _session_labels, sort="key", parse=_parse_int),
        Dimension("course", _("Course"), _course_labels, sort="key", parse=_parse_int),
        Dimension("programme", _("Programme"), _programme_labels, sort="key", parse=_parse_int),
    ]
}


# -- figures -------------------------------------------------------------------------------


def _count(lookup: str = "pk", distinct: bool = True):
    return lambda: {"v": Count(lookup, distinct=distinct)}


def _days(a: str, b: str):
    return ExpressionWrapper(F(b) - F(a), output_field=DurationField())


def _plain(result: dict, scope: Scope):
    return result["v"] or 0


def _trip_days(result: dict, scope: Scope):
    span = result["span"]
    return (span.days if span else 0) + (result["trips"] or 0)


def _mean_days(result: dict, scope: Scope):
    value = result["v"]
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def _oldest_days(result: dict, scope: Scope):
    first = result["v"]
    if first is None:
        return None
    return (scope.period.as_of - first).days


def _mean(result: dict, scope: Scope):
    value = result["v"]
    return None if value is None else round(float(value), 2)


SCORE = ExpressionWrapper(
    (
        F("relevance")
        + F("content")
        + F("instructors")
        + F("organisation")
        + F("facilities")
        + F("overall")
    )
    * 1.0
    / 6.0,
    output_field=FloatField(),
)

REQUEST_DIMS = {"country": "country__iso3", "request_kind": "kind"}
SEAT_DIMS = {"country": "country__iso3", "session": "session_id"}
EVALUATION_DIMS = {"course": "nomination__session__course_id", "session": "nomination__session_id"}
TRIP_DIMS = {"organisation": "instructor__organisation__slug"}
ITEM_DIMS = {
    "programme": "goal__objective__programme_id",
    "country": "goal__objective__programme__country__iso3",
}
PEOPLE_DIMS = {
    "country_group": country_group("country_id"),
    "country": "country__iso3",
    "area": "session__course__areas__code",
    "service": "participant__service",
    "rank_band": rank_band("participant__rank_code"),
    "course": "session__course_id",
}


@dataclass
class Figure:
    key: str
    label: str
    definition: str
    base: Callable[[Scope], object] | None = None
    measure: Callable[[], dict] = field(default_factory=lambda: _count())
    finish: Callable[[dict, Scope], object] = _plain
    record_model: type | None = None  # the model of the records listed; the base's if None
    record_key: str = "pk"  # the base's lookup to a record's primary key
    dims: dict = field(default_factory=dict)
    unit: str = ""  # "" (a count), "days" or "score"
    people: bool = False  # counts people: suppressed under the threshold on the public page
    public: bool = False  # shown on the public statistics page
    parts: tuple = ()  # a sum of other figures
    kind: str = "count"  # "count" (of its records), "sum", "mean" or "max" over them
    # (scope, dimension or None) -> {key: the measure's result}: the figure added up
    # from rows read once for several figures, instead of one aggregate query each
    # (the same numbers as ``base`` and ``measure``, which the records still use)
    rollup: Callable[[Scope, str | None], dict] | None = None

    @property
    def is_mean(self) -> bool:
        return self.kind in ("mean", "max")

    @property
    def counts_records(self) -> bool:
        """The number is the number of records listed behind it."""
        return self.kind == "count"


def _register(*figures: Figure) -> dict[str, Figure]:
    return {f.key: f for f in figures}


FIGURES: dict[str, Figure] = _register(
    Figure(
        "activities",
        _("Courses and activities carried out"),
        _(
            "Courses and activities carried out: the course sessions completed plus the other "
            "activities delivered (the two figures that follow)."
        ),
        parts=("sessions", "deliveries"),
        public=True,
    ),
    Figure(
        "sessions",
        _("Course sessions completed"),
        _(
            "Course sessions completed: sessions of the Centre's courses that started within "
            "the period and are recorded as completed. Planned, open, running and cancelled "
            "sessions are not counted. With a country or framework filter, only the sessions "
            "attended by at least one officer of those countries."
        ),
        base=lambda s: counted_sessions(s, by_country=True),
        dims={"area": "course__areas__code", "month": month("start"), "course": "course_id"},
        public=True,
    ),
    Figure(
        "deliveries",
        _("Other activities delivered"),
        _(
            "Other activities delivered: deliveries recorded within the period against the "
            "partners' individual programmes that are neither a course session (counted above) "
            "nor a dialogue meeting (counted under dialogue events): expert visits and other "
            "delivered activities, one per recorded delivery."
        ),
        base=deliveries,
        dims={"country": "item__goal__objective__programme__country__iso3", "kind": "kind"},
    ),
    Figure(
        "trained",
        _("Officers trained"),
        _(
            "Officers trained: unique people who completed a counted course session (outcome "
            "“completed” under the course's attendance rule). A person trained twice in the "
            "period counts once. Withdrawn, rejected and waiting nominees, no-shows and those "
            "who did not complete are not counted. By area, a person trained in two areas "
            "counts in each."
        ),
        base=completions,
        measure=_count("participant_id"),
        record_model=Participant,
        record_key="participant_id",
        dims=PEOPLE_DIMS,
        rollup=_people_rollup("trained"),
        people=True,
        public=True,
    ),
    Figure(
        "attendances",
        _("Attendances"),
        _(
            "Attendances: every place on a counted session taken by an accepted nominee who "
            "attended (completed or did not complete); a person on two courses counts twice. "
            "No-shows and withdrawn, rejected or waiting nominees are not counted."
        ),
        base=attendances,
        record_model=Nomination,
        dims=PEOPLE_DIMS,
        rollup=_people_rollup("attendances"),
        people=True,
        public=True,
    ),
    Figure(
        "travellers",
        _("Instructors and experts who travelled to the Centre"),
        _(
            "Instructors and experts who travelled to the Centre: unique people with a recorded "
            "trip covering at least one counted session. Local experts who did not travel are "
            "not counted."
        ),
        base=trips,
        measure=_count("instructor_id"),
        record_model=Instructor,
        record_key="instructor_id",
        dims=TRIP_DIMS,
        people=True,
        public=True,
    ),
    Figure(
        "trips",
        _("Trips to the Centre"),
        _(
            "Trips to the Centre: recorded journeys of instructors and experts covering at least "
            "one counted session. One trip covering two sessions is one trip."
        ),
        base=trips,
        dims=TRIP_DIMS,
        people=True,
        public=True,
    ),
    Figure(
        "instructor_days",
        _("Instructor-days"),
        _(
            "Instructor-days: for each trip counted, the days from arrival to departure, both "
            "included, added up."
        ),
        base=trips,
        measure=lambda: {
            "span": Sum(_days("arrival", "departure")),
            "trips": Count("pk", distinct=True),
        },
        finish=_trip_days,
        record_model=Trip,
        dims=TRIP_DIMS,
        unit="days",
        kind="sum",
    ),
    Figure(
        "events",
        _("Dialogue events"),
        _(
            "Dialogue events: events of the political dialogue register whose date falls "
            "within the period (for a date known only to the month or the year, or a range, "
            "its first day). Undated events are not counted. With a country filter, the events "
            "those countries took part in, hosted or that concern them."
        ),
        base=events,
        dims={"format": "format", "level": "level"},
        public=True,
    ),
    Figure(
        "items_planned",
        _("Programme activities planned"),
        _(
            "Programme activities planned: supporting activities of the agreed, active or closed "
            "individual programmes, planned for a year of the period."
        ),
        base=planned_items,
        dims=ITEM_DIMS,
    ),
    Figure(
        "items_delivered",
        _("Programme activities delivered"),
        _(
            "Programme activities delivered: of the activities planned, those with at least one "
            "recorded delivery (a course session attended, a meeting, an expert visit or another "
            "delivery) dated on or before the last day of the period. A delivery in a later year "
            "does not count for the period (the programme's execution page shows it)."
        ),
        base=delivered_items,
        dims=ITEM_DIMS,
    ),
    Figure(
        "requests_made",
        _("Requests made"),
        _(
            "Requests made: partners' requests (for an activity, an expert, a course seat) dated "
            "within the period."
        ),
        base=requests_made,
        dims=REQUEST_DIMS,
    ),
    Figure(
        "requests_answered",
        _("Requests answered"),
        _(
            "Requests answered: of the requests made, those with NATO's answer and its date "
            "recorded."
        ),
        base=requests_answered,
        dims=REQUEST_DIMS,
    ),
    Figure(
        "requests_unanswered",
        _("Requests not answered"),
        _(
            "Requests not answered: of the requests made, those with no answer recorded (still "
            "open, or closed without an answer)."
        ),
        base=lambda s: requests_made(s).filter(responded_on__isnull=True),
        dims=REQUEST_DIMS,
    ),
    Figure(
        "answer_days",
        _("Days to answer"),
        _(
            "Days to answer: for the requests answered, the mean number of days from the request "
            "to the answer."
        ),
        base=requests_answered,
        measure=lambda: {"v": Avg(_days("requested_on", "responded_on"))},
        finish=_mean_days,
        dims=REQUEST_DIMS,
        unit="days",
        kind="mean",
    ),
    Figure(
        "requests_waiting",
        _("Requests awaiting an answer"),
        _(
            "Requests awaiting an answer: requests, made whenever, that had no answer and were "
            "not closed at the end of the period (or today, if sooner)."
        ),
        base=requests_waiting,
        dims=REQUEST_DIMS,
    ),
    Figure(
        "oldest_wait",
        _("Longest wait (days)"),
        _(
            "Longest wait: the age in days, at the end of the period (or today, if sooner), of "
            "the oldest request then awaiting an answer."
        ),
        base=requests_waiting,
        measure=lambda: {"v": Min("requested_on")},
        finish=_oldest_days,
        dims=REQUEST_DIMS,
        unit="days",
        kind="max",
    ),
    Figure(
        "evaluations",
        _("Evaluations returned"),
        _("Evaluations returned: level-1 questionnaires returned for the counted sessions."),
        base=evaluations,
        dims=EVALUATION_DIMS,
        rollup=_evaluation_rollup("count"),
    ),
    Figure(
        "evaluation_score",
        _("Mean evaluation score"),
        _(
            "Mean evaluation score: the mean, over the questionnaires returned, of the six "
            "questions' scores (1 poor to 5 excellent)."
        ),
        base=evaluations,
        measure=lambda: {"v": Avg(SCORE)},
        finish=_mean,
        dims=EVALUATION_DIMS,
        rollup=_evaluation_rollup("score"),
        unit="score",
        kind="mean",
    ),
    Figure(
        "evaluation_overall",
        _("Overall satisfaction"),
        _(
            "Overall satisfaction: the mean score given to the question “Overall satisfaction” "
            "(1 poor to 5 excellent) over the questionnaires returned."
        ),
        base=evaluations,
        measure=lambda: {"v": Avg("overall")},
        finish=_mean,
        dims=EVALUATION_DIMS,
        rollup=_evaluation_rollup("overall"),
        unit="score",
        kind="mean",
    ),
    Figure(
        "seats_quota",
        _("Quota seats"),
        _("Quota seats: the seats reserved for countries on the counted sessions, added up."),
        base=quotas,
        measure=lambda: {"v": Sum("seats")},
        dims=SEAT_DIMS,
        kind="sum",
    ),
    Figure(
        "seats_filled",
        _("Seats filled"),
        _(
            "Seats filled: accepted nominees on the counted sessions (whether they attended or "
            "not). Withdrawn, rejected and waiting nominees hold no seat."
        ),
        base=lambda s: _nominations(s, status="accepted"),
        dims=SEAT_DIMS,
    ),
    Figure(
        "seats_reallocated",
        _("Seats reallocated"),
        _(
            "Seats reallocated: of the seats filled, those that went to a waiting nominee after "
            "the quotas were released (promoted or accepted from the waiting list). A nominee "
            "who took a free seat at once, without waiting, is not counted; a substitute keeps "
            "the seat of the one replaced."
        ),
        base=lambda s: _nominations(s, status="accepted", via_reallocation=True),
        dims=SEAT_DIMS,
    ),
    Figure(
        "no_shows",
        _("No-shows"),
        _("No-shows: accepted nominees on the counted sessions who attended no day."),
        base=lambda s: _nominations(s, status="accepted", outcome="no_show"),
        dims=SEAT_DIMS,
    ),
)


def get(key: str) -> Figure:
    try:
        return FIGURES[key]
    except KeyError:
        raise LookupError(key)


def definitions() -> dict[str, str]:
    return {key: str(f.definition) for key, f in FIGURES.items()}


# -- computing -------------------------------------------------------------------------------


def _dim_expression(figure: Figure, dimension: str, scope: Scope):
    spec = figure.dims[dimension]
    return F(spec) if isinstance(spec, str) else spec(scope)


def value(figure: Figure | str, scope: Scope):
    """The figure's number for the scope (one aggregate query; cached in the scope)."""
    figure = get(figure) if isinstance(figure, str) else figure

    def compute():
        if figure.parts:
            return sum(value(part, scope) or 0 for part in figure.parts)
        if figure.rollup is not None:
            return figure.finish(figure.rollup(scope, None)[None], scope)
        result = figure.base(scope).aggregate(**figure.measure())
        return figure.finish(result, scope)

    return scope.cached(("value", figure.key), compute)


def figures_for_year(year: int, scope: Scope, keys=None) -> dict:
    """Every figure (or those of ``keys``) of ``year`` for the user, mode and
    filters of ``scope``: ``{key: value}``, computed by the same definitions as
    the year's report and kept between requests (``reports.figcache``: one read
    of the shared cache when the year was computed since its records last
    changed). For the year-over-year comparisons of the dashboard and the
    reports: ``figures_for_year(2024, scope)`` beside ``scope``'s own year."""
    from . import figcache
    from .scope import Period
    from .scope import Scope as ScopeClass

    if scope.period.is_year and scope.period.start.year == year:
        own = scope
    else:
        own = ScopeClass(scope.user, Period.of_year(year), scope.filters, scope.mode)
    out = {key: value(key, own) for key in (keys or FIGURES)}
    figcache.store(own)
    return out


@dataclass
class Row:
    key: object
    label: str
    value: object
    sort: object = None
    param: str = ""  # the key as written in a URL


def breakdown(figure: Figure | str, scope: Scope, dimension: str) -> list[Row]:
    """The figure by ``dimension``: one grouped query, rows in the dimension's order."""
    figure = get(figure) if isinstance(figure, str) else figure
    if dimension not in figure.dims:
        raise LookupError(f"{figure.key} has no breakdown by {dimension}")
    dim = DIMENSIONS[dimension]

    def compute():
        if figure.rollup is not None:
            results = figure.rollup(scope, dimension)
        else:
            grouped = (
                figure.base(scope)
                .annotate(report_dim=_dim_expression(figure, dimension, scope))
                .values("report_dim")
                .annotate(**figure.measure())
                .order_by()
            )
            results = {row.pop("report_dim"): row for row in grouped}
        labels = dim.labels(scope, list(results))
        rows = []
        for key, result in results.items():
            number = figure.finish(result, scope)
            if number in (0, None) and not figure.is_mean:
                continue
            label, sort = labels.get(key, (str(key), None))
            rows.append(Row(key, label, number, sort, dim.format(key)))
        if dim.sort == "key":
            rows.sort(key=lambda r: (r.sort is None, r.sort if r.sort is not None else 0, r.label))
        else:
            rows.sort(key=lambda r: (-(r.value or 0), r.label))
        return rows

    return scope.cached(("breakdown", figure.key, dimension), compute)


def cross(figure: Figure | str, scope: Scope, rows_dim: str, columns_dim: str) -> dict:
    """The figure by two dimensions at once: ``{(row key, column key): number}``
    with the labels of each (one grouped query)."""
    figure = get(figure) if isinstance(figure, str) else figure
    grouped = (
        figure.base(scope)
        .annotate(
            report_a=_dim_expression(figure, rows_dim, scope),
            report_b=_dim_expression(figure, columns_dim, scope),
        )
        .values("report_a", "report_b")
        .annotate(**figure.measure())
        .order_by()
    )
    cells = {}
    for row in grouped:
        a, b = row.pop("report_a"), row.pop("report_b")
        cells[(a, b)] = figure.finish(row, scope)
    row_keys = sorted({a for a, _b in cells}, key=str)
    col_keys = sorted({b for _a, b in cells}, key=str)
    return {
        "cells": cells,
        "rows": DIMENSIONS[rows_dim].labels(scope, row_keys),
        "columns": DIMENSIONS[columns_dim].labels(scope, col_keys),
    }


# -- the records behind a number ---------------------------------------------------------------


@dataclass
class Section:
    figure: Figure
    queryset: object  # the records, visible to the scope's user

    @property
    def model(self):
        return self.queryset.model


def records(
    figure: Figure | str, scope: Scope, dimension: str | None = None, key: str | None = None
) -> list[Section]:
    """The records a number counts (the drill-down): for a figure that counts
    people, the people; for one that counts rows, the rows. ``dimension`` and
    ``key`` (as in the URL) narrow it to one row of a breakdown."""
    figure = get(figure) if isinstance(figure, str) else figure
    if figure.parts:
        if dimension:
            raise LookupError(f"{figure.key} has no breakdown")
        return [section for part in figure.parts for section in records(part, scope)]
    base = figure.base(scope)
    if dimension:
        if dimension not in figure.dims:
            raise LookupError(f"{figure.key} has no breakdown by {dimension}")
        parsed = DIMENSIONS[dimension].parse(key)
        base = base.annotate(report_dim=_dim_expression(figure, dimension, scope)).filter(
            report_dim=parsed
        )
    model = figure.record_model or base.model
    rows = scope.rows(model, aggregated=True).filter(pk__in=base.values(figure.record_key))
    return [Section(figure, rows)]


def pick(sections: list[Section], part: str | None) -> Section:
    """The section of ``part`` (one figure of a sum), else the first one."""
    return next((s for s in sections if s.figure.key == part), sections[0])
