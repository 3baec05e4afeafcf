"""Reads of the individual programmes. Everything goes through
``visible_to(user)``; a programme page runs a constant number of queries
whatever the number of its items."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from icihub.core.access import get_visible
from icihub.core.listing import IdsFirst
from icihub.core.models import count_subquery
from icihub.core.precompiled import PrecompiledValues
from icihub.core.text import local
from icihub.menu.models import Activity, Area

from . import permissions, snapshots
from .models import (
    Delivery,
    PartnerRequest,
    PartnershipGoal,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
    StrategicObjective,
    overdue_days,
)

# -- lists -------------------------------------------------------------------------------


@functools.cache
def _programme_counts() -> dict:
    """The numbers each programme row carries, as annotations. They do not depend
    on who asks, so they are built once: an expression is copied, never changed,
    when a queryset resolves it (0.5 ms a list, issue 11)."""
    items = ProgrammeItem.objects.all()
    return {
        "item_count": count_subquery(items, "goal__objective__programme"),
        "delivered_count": count_subquery(
            items.filter(deliveries__isnull=False), "goal__objective__programme"
        ),
        "open_requests": count_subquery(
            PartnerRequest.objects.filter(state=PartnerRequest.State.OPEN), "programme"
        ),
    }


def programmes(user):
    """Visible programmes (a page of them takes its numbers from :func:`attach_counts`)."""
    return Programme.objects.visible_to(user).select_related("country", "agreed_by")


#: The numbers of a page of programmes, by their ids: the same correlated counts,
#: compiled once rather than into every page's query (issue 11).
PROGRAMME_COUNTS = PrecompiledValues(
    lambda ids: (
        Programme.objects.filter(pk__in=ids)
        .annotate(**_programme_counts())
        .values_list("pk", *_programme_counts())
    )
)


def attach_counts(programmes: list) -> None:
    """Give each programme of a page (``listing.PageThen``) its numbers of items,
    delivered items and open requests, in one query."""
    counts = {row[0]: row[1:] for row in PROGRAMME_COUNTS.rows([p.pk for p in programmes])}
    for programme in programmes:
        (
            programme.item_count,
            programme.delivered_count,
            programme.open_requests,
        ) = counts.get(programme.pk, (0, 0, 0))


def requests(user):
    """Visible requests, the unanswered first and the oldest of them first."""
    return (
        PartnerRequest.objects.visible_to(user)
        .select_related(
            "country",
            "programme__country",
            "activity",
            "session__course",
            "requested_by",
            "responded_by",
        )
        .annotate(
            unanswered=Case(
                When(state=PartnerRequest.State.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("unanswered", "requested_on", "pk")
    )


@dataclass
class Unanswered:
    count: int = 0
    overdue: int = 0
    oldest_days: int = 0
    oldest: PartnerRequest | None = None
    threshold: int = field(default_factory=overdue_days)


def unanswered(user, country=None) -> Unanswered:
    """How many visible requests await an answer, how many are overdue and the
    oldest (for the banners that make them impossible to miss)."""
    qs = _open_requests(user)
    if country is not None:
        qs = qs.filter(country=country)
    threshold = overdue_days()
    cutoff = timezone.localdate() - dt.timedelta(days=threshold)
    figures = qs.aggregate(
        count=Count("pk"), overdue=Count("pk", filter=Q(requested_on__lt=cutoff))
    )
    oldest = qs.select_related("country").order_by("requested_on", "pk").first()
    return Unanswered(
        count=figures["count"],
        overdue=figures["overdue"],
        oldest_days=oldest.age if oldest else 0,
        oldest=oldest,
        threshold=threshold,
    )


def unanswered_count(user) -> int:
    """Visible requests awaiting an answer (the badge in the navigation)."""
    return _open_requests(user).count()


def _open_requests(user):
    return PartnerRequest.objects.visible_to(user).filter(state=PartnerRequest.State.OPEN)


def home_panel(user) -> dict:
    """Context for ``programmes/_home_panel.html`` (the unanswered requests a
    signed-in coordinator or staff member sees), for the home page."""
    from icihub.core.permissions import is_staff_or_coordinator

    if not is_staff_or_coordinator(user):
        return {"unanswered": None}
    return {"unanswered": unanswered(user)}


# -- work queues (the home page composes them; the navigation shows their counts) -----------


def programmes_to_answer(user):
    """Submitted programmes waiting for NATO's answer (agree or return), the
    longest waiting first; empty for everybody who does not answer them."""
    if not permissions.agrees_programmes(user):
        return Programme.objects.none()
    return (
        Programme.objects.visible_to(user)
        .filter(state=Programme.State.SUBMITTED)
        .select_related("country")
        .order_by("submitted_at", "pk")
    )


def programmes_to_answer_count(user) -> int:
    if not permissions.agrees_programmes(user):
        return 0
    return programmes_to_answer(user).count()


def programme_steps(user):
    """A coordinator's programmes waiting for them: their country's drafts (new,
    or returned by NATO) to complete and submit, the oldest change first."""
    if not permissions.prepares_programmes(user):
        return Programme.objects.none()
    return (
        Programme.objects.visible_to(user)
        .filter(state=Programme.State.DRAFT)
        .select_related("country")
        .order_by("updated_at", "pk")
    )


def programme_steps_count(user) -> int:
    if not permissions.prepares_programmes(user):
        return 0
    return programme_steps(user).count()


def programme_queue_count(user) -> int:
    """The navigation's badge beside the programmes: what waits for ``user``."""
    return programmes_to_answer_count(user) + programme_steps_count(user)


def requests_to_answer(user):
    """Visible requests awaiting an answer, the oldest first."""
    return _open_requests(user).select_related("country").order_by("requested_on", "pk")


# -- one programme ---------------------------------------------------------------------


def _structure_prefetch(user, *, shown: bool = True):
    """The programme's objectives, goals, items and deliveries. ``shown``: with
    what the programme's page shows of them (goals' areas, deliveries' sessions
    and events); without, only what progress and matches are computed from
    (the execution API: one query and three joins fewer)."""
    deliveries = Delivery.objects.order_by("delivered_on", "pk")
    if shown:
        deliveries = deliveries.select_related("session", "session__course", "event")
    else:
        deliveries = deliveries.only("item_id", "session_id", "participants")
    items = (
        ProgrammeItem.objects.select_related("activity")
        .prefetch_related(Prefetch("deliveries", queryset=deliveries))
        .order_by("planned_year", "planned_quarter", "priority", "pk")
    )
    goals = PartnershipGoal.objects.prefetch_related(Prefetch("items", queryset=items)).order_by(
        "position", "pk"
    )
    if shown:
        goals = goals.prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("position"))
        )
    return Prefetch(
        "objectives",
        queryset=StrategicObjective.objects.prefetch_related(
            Prefetch("goals", queryset=goals)
        ).order_by("position", "pk"),
    )


@dataclass
class Progress:
    planned: int = 0
    delivered: int = 0
    seats: int = 0
    participants: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.delivered / self.planned) if self.planned else 0

    def add(self, other: Progress) -> None:
        self.planned += other.planned
        self.delivered += other.delivered
        self.seats += other.seats
        self.participants += other.participants


def programme_detail(user, pk, *, shown: bool = True) -> Programme:
    """The programme with objectives, goals, items and deliveries, each goal and
    objective carrying ``progress`` (planned against delivered), and the
    programme its overall ``progress``. 404 when not visible. ``shown=False``:
    without what only the page shows (:func:`_structure_prefetch`)."""
    programme = get_visible(
        Programme.objects.select_related("country", "agreed_by", "submitted_by").prefetch_related(
            _structure_prefetch(user, shown=shown)
        ),
        user,
        pk=pk,
    )
    attach_progress(programme)
    return programme


def attach_progress(programme: Programme) -> None:
    overall = Progress()
    for objective in programme.objectives.all():
        objective.progress = Progress()
        for goal in objective.goals.all():
            goal.progress = Progress()
            for item in goal.items.all():
                deliveries = list(item.deliveries.all())
                item.delivered = bool(deliveries)
                item.participants = sum(d.participants for d in deliveries)
                goal.progress.add(
                    Progress(1, 1 if deliveries else 0, item.seats, item.participants)
                )
            objective.progress.add(goal.progress)
        overall.add(objective.progress)
    programme.progress = overall


def items_of(programme: Programme) -> list[ProgrammeItem]:
    return [
        item
        for objective in programme.objectives.all()
        for goal in objective.goals.all()
        for item in goal.items.all()
    ]


@dataclass
class Match:
    item: ProgrammeItem
    session: object
    attendees: int
    completers: int


#: The columns a read-only list of matches shows of a session: its id, its
#: start and its label (``Session.__str__``: the course's code and title).
MATCH_SESSION_FIELDS = (
    "id",
    "start",
    "course_id",
    "course__code",
    "course__title",
    "course__title_ar",
)


def suggested_matches(programme: Programme, user, items=None, *, shown_only=False) -> list[Match]:
    """Sessions of an item's activity attended by the programme country's
    people, within the programme's years (and a year of the item's planned
    year), not yet recorded as its delivery. ``items``: the programme's items
    with their deliveries prefetched (loaded when not given). ``shown_only``:
    the sessions carry only :data:`MATCH_SESSION_FIELDS` (the execution API
    lists a hundred or more at ten times the demo data; a match to record
    needs the whole session)."""
    from icihub.training.selectors import sessions_attended_by_country

    if items is None:
        items = ProgrammeItem.objects.filter(goal__objective__programme=programme).select_related(
            "activity"
        )
        deliveries = Delivery.objects.all()
        if shown_only:
            # What a shown match reads of an item (its id, year, activity's code)
            # and of its deliveries (the sessions recorded): the activities' and
            # deliveries' whole rows (descriptions, notes) were half the SQL.
            items = items.only("id", "activity_id", "planned_year", "activity__code")
            deliveries = deliveries.only("id", "item_id", "session_id")
        items = list(items.prefetch_related(Prefetch("deliveries", queryset=deliveries)))
    by_activity: dict[int, list[ProgrammeItem]] = {}
    for item in items:
        by_activity.setdefault(item.activity_id, []).append(item)
    if not by_activity:
        return []
    sessions = sessions_attended_by_country(programme.country, user).filter(
        course_id__in=list(by_activity),
        start__year__gte=programme.start_year,
        start__year__lte=programme.end_year,
    )
    if shown_only:
        sessions = sessions.only(*MATCH_SESSION_FIELDS)
    recorded = {
        item.pk: {d.session_id for d in item.deliveries.all() if d.session_id} for item in items
    }
    matches = []
    for session in sessions:
        for item in by_activity.get(session.course_id, []):
            if session.pk in recorded[item.pk]:
                continue
            if item.planned_year and abs(session.start.year - item.planned_year) > 1:
                continue
            matches.append(Match(item, session, session.attendees, session.completers))
    return matches


#: How many of a country's unanswered requests a programme's page lists (the
#: oldest; the request list holds them all).
OPEN_REQUESTS_SHOWN = 10


def open_requests_for(
    programme: Programme, user, limit: int = OPEN_REQUESTS_SHOWN
) -> tuple[list[PartnerRequest], int]:
    """The oldest ``limit`` unanswered requests of the programme's country, and
    how many there are."""
    qs = requests(user).filter(country=programme.country_id, state=PartnerRequest.State.OPEN)
    # The ids, then their rows: PostgreSQL spent 4 ms planning the joined query
    # for a page of ten (core.listing.IdsFirst).
    rows = IdsFirst(qs)[: limit + 1]
    count = len(rows) if len(rows) <= limit else qs.count()
    return rows[:limit], count


# -- versions ---------------------------------------------------------------------------


def versions(programme: Programme, user):
    return (
        ProgrammeVersion.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("created_by")
        .order_by("number")
    )


def version(programme: Programme, user, number: int) -> ProgrammeVersion:
    return get_visible(
        ProgrammeVersion.objects.filter(programme=programme).select_related("created_by"),
        user,
        number=number,
    )


def version_diff(programme: Programme, user, first: int, second: int) -> snapshots.Diff:
    """The differences from version ``first`` to version ``second`` (0 or
    "current" means the programme as it is now)."""

    def load(number):
        if not number:
            return snapshots.build_snapshot(programme)
        return version(programme, user, number).snapshot

    return snapshots.diff(load(first), load(second))


# -- recommendations ----------------------------------------------------------------------


@dataclass
class Recommendation:
    activity: Activity
    score: int
    reasons: list[str]
    sessions: list = field(default_factory=list)  # [(session, free seats)]

    @property
    def free_seats(self) -> int:
        return sum(free for _s, free in self.sessions)


def _eligibility_and_areas(ids, goal_areas) -> tuple[dict, dict, dict]:
    """For each activity of ``ids`` (ids, or a query of them): the goal's areas
    it has (in the areas' order), its eligible frameworks ({id: acronym}) and
    countries ({id}). Read as values from the three link tables, one query each:
    up to 500 candidates, where ``prefetch_related`` builds a queryset and
    instances per activity and relation."""
    areas_of: dict[int, list[int]] = {}
    if goal_areas:
        for activity_id, area_id in (
            Activity.areas.through.objects.filter(activity_id__in=ids, area_id__in=list(goal_areas))
            .order_by(*(f"area__{key}" for key in Area._meta.ordering))
            .values_list("activity_id", "area_id")
        ):
            areas_of.setdefault(activity_id, []).append(area_id)
    frameworks_of: dict[int, dict[int, str]] = {}
    for activity_id, framework_id, acronym in Activity.eligible_frameworks.through.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "framework_id", "framework__acronym"):
        frameworks_of.setdefault(activity_id, {})[framework_id] = acronym
    countries_of: dict[int, set[int]] = {}
    for activity_id, country_id in Activity.eligible_countries.through.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "country_id"):
        countries_of.setdefault(activity_id, set()).add(country_id)
    return areas_of, frameworks_of, countries_of


#: How many of the matching activities (by code) a goal's recommendations score.
MAX_CANDIDATES = 500


def recommendations(goal: PartnershipGoal, user, *, limit: int = 10) -> list[Recommendation]:
    """Menu activities for a goal, ranked, each with its reasons: the areas it
    shares with the goal, the country's eligibility, whether the programme has
    it already, and upcoming sessions with free seats."""
    from icihub.menu.selectors import _partner_frameworks, visible_activities
    from icihub.training.selectors import open_sessions_for_activities

    programme = goal.objective.programme
    country = programme.country
    goal_areas = {a.pk: a for a in goal.areas.all()}
    candidates = (
        visible_activities(user)
        .filter(status=Activity.Status.ACTIVE)
        .offered_during(programme.start_year, programme.end_year)
    )
    if goal_areas:
        candidates = candidates.filter(
            pk__in=Activity.areas.through.objects.filter(area_id__in=list(goal_areas)).values(
                "activity_id"
            )
        )
    # Scored on (id, code) pairs: only the ``limit`` best are read as activities
    # (up to 500 candidates, each a model instance with its descriptions, were
    # most of the read's time).
    candidates = candidates.order_by("code")
    pairs = list(candidates.values_list("pk", "code")[:MAX_CANDIDATES])
    if not pairs:
        return []
    # The reads about the candidates select them again as a subquery rather
    # than by their 500 ids as parameters: binding (and, on PostgreSQL,
    # converting) 500 parameters per query cost more than selecting them again
    # (4 queries: 13 -> 5 ms on PostgreSQL, 6 -> 3.5 on SQLite at 10x).
    chosen = candidates.values("pk")[:MAX_CANDIDATES]
    areas_of, frameworks_of, countries_of = _eligibility_and_areas(chosen, goal_areas)
    in_programme: dict[int, str] = {}
    for activity_id, goal_id, goal_title in ProgrammeItem.objects.filter(
        goal__objective__programme=programme
    ).values_list("activity_id", "goal_id", "goal__title"):
        if goal_id == goal.pk:
            in_programme[activity_id] = ""
        else:
            in_programme.setdefault(activity_id, goal_title)
    frameworks_of_country = _partner_frameworks().get(country.pk, set())
    open_sessions = open_sessions_for_activities(chosen, user)
    # Scored first, worded after: the reasons (gettext and formatting, a
    # thousand calls over 500 candidates) are written for the ``limit`` best only.
    scored = []
    for activity_pk, code in pairs:
        if in_programme.get(activity_pk) == "":
            continue  # already under this goal
        framework_ids = frameworks_of.get(activity_pk, {})
        country_ids = countries_of.get(activity_pk, set())
        shared_frameworks = None
        if (framework_ids or country_ids) and country.pk not in country_ids:
            shared_frameworks = [
                acronym for pk, acronym in framework_ids.items() if pk in frameworks_of_country
            ]
            if not shared_frameworks:
                continue  # the country may not take part
        shared_areas = areas_of.get(activity_pk, ())
        elsewhere = in_programme.get(activity_pk)
        sessions = open_sessions.get(activity_pk, [])
        score = 3 * len(shared_areas) + 2 + (0 if elsewhere else 2) + (3 if sessions else 0)
        scored.append((score, code, activity_pk, shared_frameworks))
    scored.sort(key=lambda r: (-r[0], r[1]))
    best = scored[:limit]
    activities = Activity.objects.select_related("provider").in_bulk([r[2] for r in best])
    results = []
    for score, _code, activity_pk, shared_frameworks in best:
        if shared_frameworks:
            eligibility = _("Open to %(country)s as a partner of %(frameworks)s") % {
                "country": local(country),
                "frameworks": ", ".join(sorted(shared_frameworks)),
            }
        elif country.pk in countries_of.get(activity_pk, set()):
            eligibility = _("Open to %(country)s by name") % {"country": local(country)}
        else:
            eligibility = _("Open to every partner")
        reasons = []
        shared_areas = [goal_areas[pk] for pk in areas_of.get(activity_pk, ())]
        if shared_areas:
            reasons.append(
                _("Area match: %(areas)s") % {"areas": ", ".join(local(a) for a in shared_areas)}
            )
        reasons.append(eligibility)
        elsewhere = in_programme.get(activity_pk)
        if elsewhere:
            reasons.append(_("Already planned under the goal “%(goal)s”") % {"goal": elsewhere})
        else:
            reasons.append(_("Not yet in the programme"))
        sessions = open_sessions.get(activity_pk, [])
        if sessions:
            free = sum(n for _s, n in sessions)
            reasons.append(
                _("%(n)s upcoming session(s) with %(free)s free seat(s), the next on %(date)s")
                % {"n": len(sessions), "free": free, "date": sessions[0][0].start.isoformat()}
            )
        results.append(Recommendation(activities[activity_pk], score, reasons, sessions))
    return results


def goal_detail(user, pk) -> PartnershipGoal:
    return get_visible(
        PartnershipGoal.objects.select_related(
            "objective", "objective__programme__country"
        ).prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("position")),
            Prefetch(
                "items",
                queryset=ProgrammeItem.objects.select_related("activity", "activity__provider")
                .prefetch_related("deliveries")
                .order_by("planned_year", "planned_quarter", "priority", "pk"),
            ),
        ),
        user,
        pk=pk,
    )


def item_detail(user, pk) -> ProgrammeItem:
    return get_visible(
        ProgrammeItem.objects.select_related(
            "activity", "goal", "goal__objective", "goal__objective__programme__country"
        ).prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related(
                    "session", "session__course", "event", "recorded_by"
                ),
            )
        ),
        user,
        pk=pk,
    )
