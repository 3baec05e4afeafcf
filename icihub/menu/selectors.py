"""Reads of the cooperation menu: full-text search with filters and facet
counts, activity and area pages.

Facets are computed in a constant number of queries whatever the size of the
menu: one query reads the few columns of every visible activity matching the
text search, three read the many-to-many pairs (areas, frameworks, countries),
one the partnerships in force (for "open to country"), and a few the labels.
The filters and the counts are then applied in Python, so each facet counts
the activities matching every *other* active filter (the usual "disjunctive"
faceting: choosing "Course" does not make the other formats vanish)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from icihub.core.models import Citation
from icihub.core.text import local, search_terms
from icihub.partners.models import Country, Framework, Organisation, Partnership

from .models import Activity, Area

FACET_NAMES = (
    "area",
    "format",
    "provider",
    "framework",
    "country",
    "year",
    "language",
    "level",
    "status",
)

FACET_LABELS = {
    "area": _("Area of cooperation"),
    "format": _("Format"),
    "provider": _("Provider"),
    "framework": _("Open to framework"),
    "country": _("Open to country"),
    "year": _("Year offered"),
    "language": _("Language"),
    "level": _("Level"),
    "status": _("Status"),
}

LANGUAGE_NAMES = {
    "en": _("English"),
    "ar": _("Arabic"),
    "fr": _("French"),
    "de": _("German"),
    "es": _("Spanish"),
    "it": _("Italian"),
    "tr": _("Turkish"),
    "ru": _("Russian"),
}

SORTS = {"code": "code", "title": "title", "-year": "-year", "year": "year"}

# How many years into the future an open-ended activity is shown as offered.
OPEN_ENDED_YEARS_AHEAD = 2

TAKING_PART = (Partnership.Status.MEMBER, Partnership.Status.PARTICIPANT)


def _as_list(params, name) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(name)
    else:
        value = params.get(name)
        if value is None:
            values = []
        elif isinstance(value, (list, tuple)):
            values = list(value)
        else:
            values = [value]
    out = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


@dataclass
class MenuQuery:
    """What a visitor asks of the menu: search text and filters (several values
    of one filter are alternatives; different filters all apply)."""

    q: str = ""
    area: list[str] = field(default_factory=list)  # area codes
    format: list[str] = field(default_factory=list)
    provider: list[str] = field(default_factory=list)  # organisation slugs
    framework: list[str] = field(default_factory=list)  # framework codes
    country: list[str] = field(default_factory=list)  # ISO alpha-3
    year: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)  # empty: active only
    sort: str = "code"

    @classmethod
    def from_params(cls, params) -> MenuQuery:
        query = cls(q=(params.get("q") or "").strip()[:200])
        for name in FACET_NAMES:
            setattr(query, name, _as_list(params, name))
        query.country = [c.upper() for c in query.country]
        query.year = [y for y in query.year if y.isdigit() and len(y) == 4]
        sort = params.get("sort") or "code"
        query.sort = sort if sort in SORTS else "code"
        return query

    @property
    def statuses(self) -> list[str]:
        """The status filter in force: active activities unless told otherwise
        ("all" shows every status)."""
        if "all" in self.status:
            return []
        return self.status or [Activity.Status.ACTIVE]

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        for name in FACET_NAMES:
            pairs.extend((name, value) for value in getattr(self, name))
        if self.sort != "code":
            pairs.append(("sort", self.sort))
        return pairs


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]


class LazyActivities(Sequence):
    """The matching activities in order, loaded a slice at a time with their
    relations (for the paginator and the API's pagination)."""

    def __init__(self, ids: list[int], user):
        self.ids = ids
        self.user = user

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:  # Django's Paginator prefers count()
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = self.ids[index]
            rows = activities_by_id(ids)
            return [rows[i] for i in ids if i in rows]
        return self[index : index + 1][0]


def activity_queryset(qs: QuerySet | None = None) -> QuerySet:
    """Activities with what list rows show (provider, areas, eligibility)."""
    qs = Activity.objects.all() if qs is None else qs
    return (
        qs.defer("search_text")
        .select_related("provider")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("position", "name")),
            Prefetch("eligible_frameworks", queryset=Framework.objects.order_by("code")),
            Prefetch("eligible_countries", queryset=Country.objects.order_by("iso3")),
        )
    )


def activities_by_id(ids: Iterable[int]) -> dict[int, Activity]:
    return activity_queryset().in_bulk(list(ids))


def visible_activities(user) -> QuerySet:
    return Activity.objects.visible_to(user)


def text_search(qs: QuerySet, text: str) -> QuerySet:
    """Every term must occur in the normalised English/Arabic search text."""
    for term in search_terms(text):
        qs = qs.filter(search_text__contains=term)
    return qs


@dataclass(slots=True)
class _Row:
    id: int
    code: str
    title: str
    format: str
    provider: int | None
    level: str
    status: str
    languages: frozenset
    first_year: int | None
    last_year: int | None
    areas: set = field(default_factory=set)
    frameworks: set = field(default_factory=set)
    countries: set = field(default_factory=set)
    # The countries it is open to, or None when it is open to every partner.
    open: frozenset | None = None


@dataclass
class MenuResult:
    query: MenuQuery
    ids: list[int]
    facets: list[Facet]
    # Visible activities matching the text, before the filters (with the facets;
    # None when read without them in the database's order).
    total: int | None = None

    @property
    def count(self) -> int:
        return len(self.ids)

    def activities(self, user=None) -> LazyActivities:
        return LazyActivities(self.ids, user)

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)


def _partner_frameworks(day: dt.date | None = None) -> dict[int, set[int]]:
    """country id -> frameworks in which it is a member or participant today."""
    out: dict[int, set[int]] = defaultdict(set)
    for country_id, framework_id in (
        Partnership.objects.active_on(day)
        .filter(status__in=TAKING_PART)
        .values_list("country_id", "framework_id")
    ):
        out[country_id].add(framework_id)
    return out


_LANGUAGE_SETS: dict[str, frozenset] = {}


def _languages(value: str) -> frozenset:
    """ "en,ar" -> frozenset({"en", "ar"}), memoised (a menu has few combinations)."""
    found = _LANGUAGE_SETS.get(value)
    if found is None:
        found = frozenset(c.strip() for c in (value or "").split(",") if c.strip())
        if len(_LANGUAGE_SETS) < 1000:
            _LANGUAGE_SETS[value] = found
    return found


def _relation_pairs() -> list[tuple[int, int, int]]:
    """(0 area / 1 framework / 2 country, activity id, target id) for every
    activity, from the three many-to-many tables in one plain query (no model
    or converter overhead: it reads a few thousand integer pairs)."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for kind, (name, target) in enumerate(
        (("areas", "area"), ("eligible_frameworks", "framework"), ("eligible_countries", "country"))
    ):
        through = getattr(Activity, name).through
        activity_column = through._meta.get_field("activity").column
        target_column = through._meta.get_field(target).column
        parts.append(
            f"SELECT {kind}, {quote(activity_column)}, {quote(target_column)} "  # noqa: S608 - names from the models
            f"FROM {quote(through._meta.db_table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return cursor.fetchall()


def _open_sets(rows, partner_frameworks: dict[int, set[int]]) -> None:
    """Set ``row.open``: the countries each activity is open to (listed by name,
    or partners of one of its frameworks), None when it names neither."""
    members: dict[int, set[int]] = defaultdict(set)
    for country_id, framework_ids in partner_frameworks.items():
        for framework_id in framework_ids:
            members[framework_id].add(country_id)
    cache: dict[tuple, frozenset] = {}
    for row in rows:
        if not row.frameworks and not row.countries:
            row.open = None
            continue
        key = (frozenset(row.frameworks), frozenset(row.countries))
        if key not in cache:
            countries = set(row.countries)
            for framework_id in row.frameworks:
                countries |= members.get(framework_id, set())
            cache[key] = frozenset(countries)
        row.open = cache[key]


def _ordered_in_sql(query: MenuQuery) -> bool:
    """Whether the matching ids can be read in order by the database alone:
    the text and the status, in the order of the codes (the API's list and the
    search box). Any other filter or order is decided on the rows in Python
    below (an activity open to a country through its frameworks, the years it
    is offered), as the facets need them anyway."""
    return query.sort == "code" and not any(
        getattr(query, name) for name in FACET_NAMES if name != "status"
    )


def _ids_by_code(base: QuerySet, statuses: list[str]) -> list[int]:
    """The ids of ``base`` with one of ``statuses`` (any when empty), in the
    order of their codes as Python sorts them (by code point): SQLite's binary
    collation is that order, and PostgreSQL's "C" collation, whatever the
    database's own. Reading 1,400 rows to sort them here cost the menu's list
    3-4 ms (issue 11)."""
    code = F("code")
    if connections[base.db].vendor == "postgresql":
        code = Collate(code, "C")
    if statuses:
        base = base.filter(status__in=statuses)
    return list(base.order_by(code).values_list("pk", flat=True))


def search(user, query: MenuQuery | dict | None = None, *, with_facets: bool = True) -> MenuResult:
    """The visible activities matching ``query`` (ids in order) and the facet
    counts, in a constant number of queries."""
    if query is None:
        query = MenuQuery()
    elif not isinstance(query, MenuQuery):
        query = MenuQuery.from_params(query)
    base = text_search(visible_activities(user), query.q)
    if not with_facets and _ordered_in_sql(query):
        return MenuResult(query=query, ids=_ids_by_code(base, query.statuses), facets=[])
    rows: dict[int, _Row] = {}
    for pk, code, title, fmt, provider, level, status, languages, first, last in base.values_list(
        "pk",
        "code",
        "title",
        "format",
        "provider_id",
        "level",
        "status",
        "languages",
        "first_year",
        "last_year",
    ).order_by():
        rows[pk] = _Row(
            pk,
            code,
            title,
            fmt,
            provider,
            level,
            status,
            _languages(languages),
            first,
            last,
        )
    # The many-to-many pairs of the whole menu in one query (a table scan is
    # cheaper than filtering by the visible ids; rows not visible are skipped),
    # read only when the facets or a filter use them: the plain list (the API's,
    # unfiltered) orders and pages without them, and they were half its time.
    if with_facets or query.area or query.framework or query.country:
        for kind, activity_id, target in _relation_pairs():
            row = rows.get(activity_id)
            if row is not None:
                (row.areas, row.frameworks, row.countries)[kind].add(target)

    # The reference rows: each read only when the facets show it or a filter
    # names it (the list without facets, unfiltered, reads none of them).
    areas, frameworks, countries, providers = {}, {}, {}, {}
    if with_facets or query.area:
        areas = {a.pk: a for a in Area.objects.visible_to(user).order_by("position", "name")}
    if with_facets or query.framework:
        frameworks = {
            f.pk: f
            for f in Framework.objects.visible_to(user).order_by(
                F("launched").asc(nulls_last=True), "code"
            )
        }
    if with_facets or query.framework or query.country:
        partner_frameworks = _partner_frameworks()
        _open_sets(rows.values(), partner_frameworks)
    if with_facets or query.country:
        country_ids = set(partner_frameworks)
        for row in rows.values():
            country_ids |= row.countries
        selected_iso = set(query.country)
        countries = {
            c.pk: c
            for c in Country.objects.visible_to(user).filter(
                Q(pk__in=country_ids) | Q(iso3__in=selected_iso)
            )
        }
    if with_facets or query.provider:
        provider_ids = {r.provider for r in rows.values() if r.provider}
        selected_slugs = set(query.provider)
        providers = {
            o.pk: o
            for o in Organisation.objects.visible_to(user).filter(
                Q(pk__in=provider_ids) | Q(slug__in=selected_slugs)
            )
        }

    this_year = dt.date.today().year
    known_first = [r.first_year for r in rows.values() if r.first_year]
    known_last = [r.last_year for r in rows.values() if r.last_year]
    min_year = min(known_first) if known_first else this_year
    max_year = max([*known_last, this_year + OPEN_ENDED_YEARS_AHEAD])
    min_year = max(min(min_year, this_year), max_year - 40)

    # -- the filters as predicates on a row ---------------------------------------
    area_by_code = {a.code: a.pk for a in areas.values()}
    framework_by_code = {f.code: f.pk for f in frameworks.values()}
    country_by_iso = {c.iso3: c.pk for c in countries.values()}
    provider_by_slug = {o.slug: o.pk for o in providers.values()}

    def ids_for(values, mapping):
        return {mapping[v] for v in values if v in mapping} or ({-1} if values else set())

    wanted_areas = ids_for(query.area, area_by_code)
    wanted_frameworks = ids_for(query.framework, framework_by_code)
    wanted_countries = ids_for(query.country, country_by_iso)
    wanted_providers = ids_for(query.provider, provider_by_slug)
    wanted_years = {int(y) for y in query.year}
    wanted_statuses = set(query.statuses)

    # The rows passing each active filter, as sets of ids (set operations in C).
    items = rows.items()
    formats, levels, languages = set(query.format), set(query.level), set(query.language)
    passing: dict[str, set[int]] = {}
    if wanted_areas:
        passing["area"] = {pk for pk, r in items if not r.areas.isdisjoint(wanted_areas)}
    if formats:
        passing["format"] = {pk for pk, r in items if r.format in formats}
    if wanted_providers:
        passing["provider"] = {pk for pk, r in items if r.provider in wanted_providers}
    if wanted_frameworks:
        passing["framework"] = {
            pk
            for pk, r in items
            if r.open is None or not r.frameworks.isdisjoint(wanted_frameworks)
        }
    if wanted_countries:
        passing["country"] = {
            pk for pk, r in items if r.open is None or not r.open.isdisjoint(wanted_countries)
        }
    if wanted_years:
        low, high = min(wanted_years), max(wanted_years)
        passing["year"] = {
            pk
            for pk, r in items
            if (r.first_year or 0) <= high
            and (r.last_year or 9999) >= low
            and any((r.first_year or 0) <= y <= (r.last_year or 9999) for y in wanted_years)
        }
    if languages:
        passing["language"] = {pk for pk, r in items if not r.languages.isdisjoint(languages)}
    if levels:
        passing["level"] = {pk for pk, r in items if r.level in levels}
    if wanted_statuses:
        passing["status"] = {pk for pk, r in items if r.status in wanted_statuses}

    def passing_all(but: str | None = None) -> set[int]:
        """Rows passing every active filter (except ``but``): a facet counts the
        rows that pass all the other filters."""
        result = None
        for name, ids_passing in passing.items():
            if name != but:
                result = ids_passing if result is None else result & ids_passing
        return set(rows) if result is None else result

    matched_ids = passing_all()
    matched = [rows[pk] for pk in matched_ids]

    if query.sort == "title":
        matched.sort(key=lambda r: (r.title.casefold(), r.code))
    elif query.sort == "-year":
        matched.sort(key=lambda r: (-(r.last_year or max_year), r.code))
    elif query.sort == "year":
        matched.sort(key=lambda r: (r.first_year or min_year, r.code))
    else:
        matched.sort(key=lambda r: r.code)
    ids = [r.id for r in matched]

    facets: list[Facet] = []
    if with_facets:
        pools = {
            name: [rows[pk] for pk in passing_all(name)] if name in passing else matched
            for name in FACET_NAMES
        }
        facets = _facets(
            query,
            pools,
            areas=areas,
            frameworks=frameworks,
            countries=countries,
            providers=providers,
            years=range(min_year, max_year + 1),
        )
    return MenuResult(query=query, ids=ids, facets=facets, total=len(rows))


def _facets(query, pools, *, areas, frameworks, countries, providers, years):
    facets = []

    def facet(name, counts: Counter, labels: list[tuple[str, str]], *, keep_zero=False):
        selected = set(getattr(query, name))
        values = []
        for value, label in labels:
            count = counts.get(value, 0)
            if count or value in selected or keep_zero:
                values.append(FacetValue(value, str(label), count, value in selected))
        facets.append(Facet(name, str(FACET_LABELS[name]), values))

    counts = Counter()
    for row in pools["area"]:
        for area_id in row.areas:
            counts[areas[area_id].code if area_id in areas else ""] += 1
    facet("area", counts, [(a.code, local(a)) for a in areas.values()])

    counts = Counter(row.format for row in pools["format"])
    facet("format", counts, list(Activity.Format.choices))

    counts = Counter(
        providers[row.provider].slug for row in pools["provider"] if row.provider in providers
    )
    ordered = sorted(providers.values(), key=lambda o: (-counts.get(o.slug, 0), local(o)))
    facet("provider", counts, [(o.slug, o.acronym or local(o)) for o in ordered])

    counts = Counter()
    for row in pools["framework"]:
        if not row.frameworks and not row.countries:
            for f in frameworks.values():
                counts[f.code] += 1
        else:
            for framework_id in row.frameworks:
                if framework_id in frameworks:
                    counts[frameworks[framework_id].code] += 1
    facet("framework", counts, [(f.code, f.acronym) for f in frameworks.values()])

    counts = Counter()
    open_to_all = 0
    for row in pools["country"]:
        if row.open is None:
            open_to_all += 1
        else:
            counts.update(row.open)
    counts = Counter({c.iso3: counts.get(c.pk, 0) + open_to_all for c in countries.values()})
    ordered = sorted(countries.values(), key=local)
    facet("country", counts, [(c.iso3, local(c)) for c in ordered])

    # Years: a difference array over the window, O(rows + years).
    first, last = years[0], years[-1]
    steps = [0] * (last - first + 2)
    for row in pools["year"]:
        start = max(row.first_year or first, first)
        end = min(row.last_year or last, last)
        if start <= end:
            steps[start - first] += 1
            steps[end - first + 1] -= 1
    counts = Counter()
    running = 0
    for index, year in enumerate(years):
        running += steps[index]
        counts[str(year)] = running
    facet("year", counts, [(str(y), str(y)) for y in reversed(years)])

    counts = Counter(code for row in pools["language"] for code in row.languages)
    codes = sorted(set(counts) | set(query.language))
    facet("language", counts, [(c, LANGUAGE_NAMES.get(c, c.upper())) for c in codes])

    counts = Counter(row.level for row in pools["level"] if row.level)
    facet("level", counts, list(Activity.Level.choices))

    counts = Counter(row.status for row in pools["status"])
    statuses = [(v, label) for v, label in Activity.Status.choices]
    selected = set(query.statuses)
    values = [
        FacetValue(v, str(label), counts.get(v, 0), v in selected)
        for v, label in statuses
        if counts.get(v, 0) or v in selected
    ]
    facets.append(Facet("status", str(FACET_LABELS["status"]), values))
    return facets


# -- single records ------------------------------------------------------------------


def citations_prefetch(user) -> Prefetch:
    return Prefetch(
        "citations", queryset=Citation.objects.visible_to(user).select_related("source")
    )


def _has_course() -> bool:
    # training's Course extends Activity (a reverse one-to-one "course")
    return any(r.name == "course" for r in Activity._meta.related_objects if r.one_to_one)


def activity_record(user, pk) -> QuerySet:
    """The visible activity ``pk`` (none otherwise), with ``is_course`` (it is a
    Regional Centre course) in the same query: the API's record as values()."""
    is_course = (
        ExpressionWrapper(Q(course__isnull=False), output_field=BooleanField())
        if _has_course()
        else Value(False)
    )
    return visible_activities(user).filter(pk=pk).annotate(is_course=is_course)


def activity_detail_queryset(user, pk) -> QuerySet:
    """The visible activity ``pk`` (none otherwise) with its relations and citations."""
    qs = activity_queryset(visible_activities(user)).prefetch_related(citations_prefetch(user))
    if _has_course():
        # training's Course extends Activity: its row comes with the activity's,
        # so that ``is_course`` asks nothing more
        qs = qs.select_related("course")
    return qs.filter(pk=pk)


def activity_detail(user, pk) -> Activity:
    """One visible activity with its relations and citations (404 otherwise)."""
    from icihub.core.access import get_visible

    return get_visible(activity_detail_queryset(user, pk), user, pk=pk)


def is_course(activity) -> bool:
    """Whether ``activity`` is a Regional Centre course (training's Course
    extends Activity: one record)."""
    try:
        return activity.course is not None
    except Exception:  # no course row, or no Course model
        return False


def course_sessions(activity, user) -> list:
    """The sessions of ``activity`` the user may see, when it is a Regional
    Centre course (training's Course extends Activity); empty otherwise."""
    if not is_course(activity):
        return []
    return list(activity.course.sessions.visible_to(user).order_by("-start", "pk"))


def areas_with_counts(user) -> QuerySet:
    """Areas of cooperation with the number of visible active activities in each."""
    visible = visible_activities(user).filter(status=Activity.Status.ACTIVE).values("pk")
    return (
        Area.objects.visible_to(user)
        .annotate(
            activity_count=Count("activities", filter=Q(activities__in=visible), distinct=True)
        )
        .order_by("position", "name")
    )


def area_detail(user, code) -> Area:
    from icihub.core.access import get_visible

    return get_visible(Area, user, code=code)
