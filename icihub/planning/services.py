"""Every write of the year planner: plans and their proposals, solver runs,
moving and locking sessions, publishing (through training's services, in one
transaction) and new versions. Each is audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub.core import audit
from icihub.core.access import check_change, check_create
from icihub.core.errors import Conflict
from icihub.training import services as training
from icihub.training.models import Assignment, Course, Session

from . import engine
from .models import Plan, PlanCourse, PlannedSession, PlanRun, Room, Unavailability

MIN_YEAR, MAX_YEAR = 2017, 2100
LOCAL_COUNTRY = "KWT"  # instructors from the Centre's own country make no trips

#: The largest weight of an objective term (the page, the API and the CLI).
MAX_WEIGHT = 10_000


def _transition(plan: Plan, before: str, after: str, reason: str = "") -> None:
    audit.record(
        audit.Action.TRANSITION, plan, {"state": {"before": before, "after": after}}, reason=reason
    )


def _editable(actor, plan: Plan) -> None:
    check_change(actor, plan)
    if plan.state == Plan.State.PUBLISHED:
        raise Conflict(_("A published plan is frozen: make a new version to re-plan."))
    if plan.state == Plan.State.SOLVING:
        raise Conflict(_("The solver is working on this plan: wait for it to finish."))


# -- proposals ------------------------------------------------------------------------------


def propose_courses(year: int) -> list[dict]:
    """Courses to run in ``year`` and how often: from the catalogue's courses
    run in the three previous years, from programme items and requests in
    which partners asked for the course that year, and once each the other
    resident courses of the catalogue that someone has taught. Qualified
    instructors: those who taught the course before."""
    from icihub.programmes.models import PartnerRequest, ProgrammeItem

    past = (
        Session.objects.filter(start__year__gte=year - 3, start__year__lt=year)
        .exclude(state=Session.State.CANCELLED)
        .values("course")
        .annotate(n=Count("id"), years=Count("start__year", distinct=True))
    )
    per_course = {row["course"]: row for row in past}
    asked = defaultdict(list)
    for item in ProgrammeItem.objects.filter(planned_year=year).select_related(
        "goal__objective__programme__country"
    ):
        country = item.goal.objective.programme.country
        if item.planned_quarter:
            q = item.planned_quarter
            first = dt.date(year, 3 * q - 2, 1)
            last = (dt.date(year, 3 * q, 1) + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(
                days=1
            )
            asked[item.activity_id].append(
                {"from": first.isoformat(), "to": last.isoformat(), "label": f"{country.iso3} Q{q}"}
            )
        else:
            asked[item.activity_id].append(None)
    for request in PartnerRequest.objects.filter(activity__isnull=False).select_related("country"):
        if (
            request.wanted_from
            and request.wanted_from.year <= year
            and (request.wanted_to is None or request.wanted_to.year >= year)
        ):
            first = max(request.wanted_from, dt.date(year, 1, 1))
            last = min(request.wanted_to or dt.date(year, 12, 31), dt.date(year, 12, 31))
            asked[request.activity_id].append(
                {"from": first.isoformat(), "to": last.isoformat(), "label": request.country.iso3}
            )
    taught = defaultdict(set)
    for course_id, instructor_id in Assignment.objects.filter(
        instructor__is_active=True
    ).values_list("session__course_id", "instructor_id"):
        taught[course_id].add(instructor_id)
    out = []
    for course in Course.objects.filter(status=Course.Status.ACTIVE).order_by("code"):
        because = []
        iterations = 0
        row = per_course.get(course.pk)
        if row:
            iterations = max(1, round(row["n"] / max(row["years"], 1)))
            because.append(
                ngettext(
                    "%(n)s session in %(y)s of the three previous years",
                    "%(n)s sessions in %(y)s of the three previous years",
                    row["n"],
                )
                % {"n": row["n"], "y": row["years"]}
            )
        periods = [p for p in asked.get(course.pk, []) if p]
        if course.pk in asked:
            iterations = max(iterations, 1)
            because.append(
                ngettext(
                    "asked for by partners (%(n)s programme item or request)",
                    "asked for by partners (%(n)s programme items or requests)",
                    len(asked[course.pk]),
                )
                % {"n": len(asked[course.pk])}
            )
        if not iterations and course.delivery == Course.Delivery.RESIDENT and taught.get(course.pk):
            iterations = 1
            because.append(_("in the catalogue, taught before at the Centre"))
        if not iterations:
            continue
        out.append(
            {
                "course": course,
                "iterations": iterations,
                "duration_days": course.duration_days,
                "instructors": sorted(taught.get(course.pk, ())),
                "requested_periods": periods,
                "proposed_because": "; ".join(because),
            }
        )
    return out


def create_plan(actor, year: int, *, propose: bool = True, reason: str = "") -> Plan:
    check_create(actor, Plan)
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ValidationError({"year": _("Give a year between 2017 and 2100.")})
    with audit.acting(actor, reason=reason), transaction.atomic():
        version = (Plan.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
        previous = Plan.objects.filter(year=year, version=version - 1).first()
        plan = Plan.objects.create(year=year, version=version, previous=previous)
        if previous is not None:
            plan.weights = previous.weights
            plan.save(update_fields=["weights"])
            for pc in previous.courses.all():
                _copy_course(plan, pc)
        elif propose:
            for row in propose_courses(year):
                pc = PlanCourse.objects.create(
                    plan=plan,
                    course=row["course"],
                    iterations=row["iterations"],
                    duration_days=row["duration_days"],
                    requested_periods=row["requested_periods"],
                    proposed_because=row["proposed_because"],
                )
                pc.instructors.set(row["instructors"])
    return plan


def _copy_course(plan: Plan, pc: PlanCourse) -> PlanCourse:
    instructors = list(pc.instructors.all())
    pc.pk = None
    pc.id = None
    pc._state.adding = True
    pc.plan = plan
    pc.save()
    pc.instructors.set(instructors)
    return pc


COURSE_FIELDS = {
    "iterations",
    "duration_days",
    "preferred_months",
    "min_gap_days",
    "instructors",
    "instructors_needed",
    "requested_periods",
}


def update_course(actor, pc: PlanCourse, data: dict, *, reason: str = "") -> PlanCourse:
    _editable(actor, pc.plan)
    unknown = set(data) - COURSE_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    months = data.get("preferred_months")
    if months is not None and (
        not isinstance(months, list)
        or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months)
    ):
        raise ValidationError({"preferred_months": _("Months are numbers from 1 to 12.")})
    instructors = data.pop("instructors", None)
    if instructors is not None:
        from icihub.training.models import Instructor

        ids = {getattr(i, "pk", i) for i in instructors}
        found = Instructor.objects.visible_to(actor).filter(pk__in=ids)
        if found.count() != len(ids):
            raise ValidationError({"instructors": _("Unknown instructor.")})
        instructors = list(found)
    for name in ("iterations", "duration_days", "min_gap_days", "instructors_needed"):
        if name in data and (not isinstance(data[name], int) or data[name] < 0):
            raise ValidationError({name: _("Give a whole number, 0 or more.")})
    with audit.acting(actor, reason=reason), transaction.atomic():
        for name, value in data.items():
            setattr(pc, name, value)
        pc.full_clean()
        pc.save()
        if instructors is not None:
            pc.instructors.set(instructors)
    return pc


def set_weights(actor, plan: Plan, weights: dict, *, reason: str = "") -> Plan:
    _editable(actor, plan)
    errors = {}
    clean = dict(plan.weights)
    for key, value in weights.items():
        if key not in engine.TERMS:
            errors[key] = _("Unknown term.")
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[key] = _("Give a whole number.")
            continue
        if not 0 <= value <= MAX_WEIGHT:
            errors[key] = _("Give a weight between 0 and 10,000.")
            continue
        clean[key] = value
    if errors:
        raise ValidationError(errors)
    with audit.acting(actor, reason=reason), transaction.atomic():
        plan.weights = clean
        plan.save(update_fields=["weights", "updated_at"])
    return plan


# -- the problem of a plan ----------------------------------------------------------------


def instructor_of(inst) -> engine.Instructor:
    return engine.Instructor(
        inst.pk,
        inst.full_name,
        inst.organisation.name,
        0 if inst.country.iso3 == LOCAL_COUNTRY else 1,
        tuple(engine.Period(u.start, u.end) for u in inst.unavailability.all()),
    )


def _locked_sessions(plan: Plan):
    """The plan's own sessions that stay where they are."""
    return plan.sessions.filter(locked=True, existing__isnull=True)


def _existing_sessions(plan: Plan):
    """The year's sessions of the training calendar a plan is made around: not
    cancelled, and not published from this plan."""
    return (
        Session.objects.filter(start__year=plan.year)
        .exclude(state=Session.State.CANCELLED)
        .exclude(pk__in=plan.sessions.filter(published_as__isnull=False).values("published_as"))
    )


def problem_instructor_ids(plan: Plan) -> set[int]:
    """The instructors the plan's problem (:func:`problem_of`) knows: its
    courses', its locked sessions' and the year's existing sessions'. Ids
    only: building the whole problem (the Gulf calendar, every session as
    instances) was most of a plan's read, which needs only its trips."""
    # One query (a UNION) for the three.
    courses = PlanCourse.instructors.through.objects.filter(plancourse__plan=plan)
    locked = PlannedSession.instructors.through.objects.filter(
        plannedsession__in=_locked_sessions(plan)
    )
    existing = Assignment.objects.filter(session__in=_existing_sessions(plan))
    known = set(
        courses.order_by()
        .values_list("instructor_id", flat=True)
        .union(
            locked.order_by().values_list("instructor_id", flat=True),
            # (without the assignments' ordering: its joins)
            existing.order_by().values_list("instructor_id", flat=True),
        )
    )
    return known


def trip_instructors(ids: set[int]) -> dict[int, engine.Instructor]:
    """The instructors ``ids`` as :func:`instructor_of` builds them, without
    their unavailable periods: what trips need (``engine.chains``)."""
    from icihub.training.models import Instructor

    rows = Instructor.objects.filter(pk__in=ids).values_list(
        "pk", "full_name", "organisation__name", "country__iso3"
    )
    return {
        pk: engine.Instructor(pk, name, organisation, 0 if iso3 == LOCAL_COUNTRY else 1)
        for pk, name, organisation, iso3 in rows
    }


def problem_of(plan: Plan, calendar: engine.Calendar | None = None) -> engine.Problem:
    from . import gulf

    calendar = calendar or gulf.calendar(plan.year)
    courses = list(plan.courses.select_related("course").prefetch_related("instructors"))
    locked = list(_locked_sessions(plan).select_related("course").prefetch_related("instructors"))
    existing = list(_existing_sessions(plan).prefetch_related("assignments"))
    from icihub.training.models import Instructor

    rows = (
        Instructor.objects.filter(pk__in=problem_instructor_ids(plan))
        .select_related("organisation", "country")
        .prefetch_related("unavailability")
    )
    instructors = {inst.pk: instructor_of(inst) for inst in rows}
    fixed = [
        engine.Fixed(
            ps.key, ps.course_id, ps.start, ps.end, tuple(i.pk for i in ps.instructors.all())
        )
        for ps in locked
    ]
    fixed += [
        engine.Fixed(
            f"s{s.pk}",
            s.course_id,
            s.start,
            s.end,
            tuple(a.instructor_id for a in s.assignments.all()),
            existing=True,
            label=s.reference,
        )
        for s in existing
    ]
    rooms = sum(Room.objects.values_list("capacity", flat=True)) or 1
    return engine.Problem(
        calendar,
        tuple(
            engine.Course(
                pc.course_id,
                pc.course.code,
                pc.duration_days,
                pc.iterations,
                tuple(sorted(i.pk for i in pc.instructors.all())),
                needed=pc.instructors_needed,
                min_gap=pc.min_gap_days,
                preferred_months=tuple(pc.preferred_months or ()),
                requested=tuple(
                    engine.Period(
                        dt.date.fromisoformat(p["from"]),
                        dt.date.fromisoformat(p["to"]),
                        p.get("label", ""),
                    )
                    for p in pc.requested_periods or ()
                ),
            )
            for pc in courses
        ),
        instructors,
        rooms=rooms,
        fixed=tuple(fixed),
        weights={k: int(v) for k, v in plan.weights.items()},
    )


def placed_of(plan: Plan) -> list[engine.Placed]:
    # Values, not instances: a plan holds about 150 sessions of ten instructors each.
    instructors = defaultdict(list)
    for session_id, instructor_id in PlannedSession.instructors.through.objects.filter(
        plannedsession__plan=plan
    ).values_list("plannedsession_id", "instructor_id"):
        instructors[session_id].append(instructor_id)
    rows = plan.sessions.values_list(
        "pk", "key", "course_id", "course__code", "start", "end", "locked", "existing_id"
    )
    return [
        engine.Placed(
            key,
            course_id,
            code,
            start,
            end,
            tuple(sorted(instructors[pk])),
            locked or existing_id is not None,
            existing_id is not None,
        )
        for pk, key, course_id, code, start, end, locked, existing_id in rows
    ]


def last_year_of(plan: Plan, problem: engine.Problem) -> dict:
    """The previous year's real calendar, costed with the same function (its
    own instructors and the plan's weights)."""
    sessions = list(
        Session.objects.filter(start__year=plan.year - 1)
        .exclude(state=Session.State.CANCELLED)
        .select_related("course")
        .prefetch_related(
            "assignments__instructor__organisation", "assignments__instructor__country"
        )
    )
    if not sessions:
        return {}
    instructors = dict(problem.instructors)
    placed = []
    for s in sessions:
        for a in s.assignments.all():
            instructors.setdefault(a.instructor.pk, instructor_of(a.instructor))
        placed.append(
            engine.Placed(
                f"s{s.pk}",
                s.course_id,
                s.course.code,
                s.start,
                s.end,
                tuple(a.instructor_id for a in s.assignments.all()),
            )
        )
    from . import gulf

    past = engine.Problem(
        gulf.calendar(plan.year - 1),
        problem.courses,
        instructors,
        problem.rooms,
        weights=problem.weights,
    )
    terms = engine.costs(past, placed)
    return {
        "terms": terms,
        "total": engine.weighted(problem.weights, terms),
        "sessions": len(placed),
    }


# -- solving ----------------------------------------------------------------------------------


def start_run(
    actor, plan: Plan, *, time_limit: int = 10, enqueue: bool = True, reason: str = ""
) -> PlanRun:
    """Queue a solver run (a django-tasks task; with the immediate backend it
    runs at once, after the transaction commits)."""
    _editable(actor, plan)
    if not 1 <= int(time_limit) <= 600:
        raise ValidationError({"time_limit": _("Give a time limit from 1 to 600 seconds.")})
    if not plan.courses.exists():
        raise ValidationError({"courses": _("The plan has no course to plan.")})
    from .tasks import solve_plan

    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.state == Plan.State.SOLVING:
            raise Conflict(_("The solver is working on this plan: wait for it to finish."))
        run = PlanRun.objects.create(plan=plan, time_limit=time_limit, requested_by=actor)
        _transition(plan, locked.state, Plan.State.SOLVING, reason)
        Plan.objects.filter(pk=plan.pk).update(state=Plan.State.SOLVING)
        if enqueue:
            transaction.on_commit(lambda: solve_plan.enqueue(run.pk))
    plan.state = Plan.State.SOLVING
    return run


STOP = "stop requested"


def stop_run(actor, run: PlanRun, *, reason: str = "") -> PlanRun:
    """Ask a running solver to stop: it keeps the best plan found so far."""
    check_change(actor, run)
    if run.status not in (PlanRun.Status.QUEUED, PlanRun.Status.RUNNING):
        raise Conflict(_("This run has ended."))
    with audit.acting(actor, reason=reason), transaction.atomic():
        audit.record(
            audit.Action.TRANSITION,
            run,
            {"stop_reason": {"before": run.stop_reason, "after": STOP}},
            reason=reason,
        )
        PlanRun.objects.filter(pk=run.pk).update(stop_reason=STOP)
    run.refresh_from_db()
    return run


def run_solver(
    run: PlanRun, *, progress: Callable[[engine.Progress], None] | None = None
) -> PlanRun:
    """Solve the run's plan, recording the progress in the run at each
    improvement; keep the best plan found; explain when there is none."""
    plan = run.plan
    actor = run.requested_by
    PlanRun.objects.filter(pk=run.pk).update(
        status=PlanRun.Status.RUNNING, started_at=timezone.now()
    )
    problem = problem_of(plan)

    def on_progress(p: engine.Progress):
        PlanRun.objects.filter(pk=run.pk).update(
            solutions=p.solutions, best_objective=p.objective, best_bound=p.bound, gap=p.gap
        )
        if progress:
            progress(p)

    def should_stop():
        # staff stop a run from the page or the API (stop_run)
        return PlanRun.objects.filter(pk=run.pk, stop_reason=STOP).exists()

    try:
        result = engine.solve(
            problem,
            time_limit=run.time_limit,
            on_progress=on_progress,
            should_stop=should_stop,
        )
    except Exception:
        with audit.acting(actor, reason=_("solver failed")), transaction.atomic():
            PlanRun.objects.filter(pk=run.pk).update(
                status=PlanRun.Status.FAILED, ended_at=timezone.now(), stop_reason="error"
            )
            Plan.objects.filter(pk=plan.pk).update(state=Plan.State.DRAFT)
        raise
    with audit.acting(actor, reason=_("solver run %(n)s") % {"n": run.pk}), transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        after = Plan.State.DRAFT
        if result.sessions:
            _save_sessions(plan, problem, result.sessions)
            greedy, missing = engine.greedy(problem)
            plan.terms = engine.costs(problem, result.sessions)
            plan.terms["total"] = engine.weighted(problem.weights, plan.terms)
            base = engine.costs(problem, greedy)
            plan.baseline = {
                "terms": base,
                "total": engine.weighted(problem.weights, base),
                "missing": len(missing),
            }
            plan.last_year = last_year_of(plan, problem)
            plan.explanation = []
            after = Plan.State.SOLVED
        else:
            plan.explanation = result.explanation
        plan.state = after
        plan.save()
        _transition(plan, Plan.State.SOLVING, after, "")
        run.status = PlanRun.Status.DONE if result.sessions else PlanRun.Status.FAILED
        run.solutions = result.solutions
        run.best_objective = result.objective
        run.best_bound = result.bound
        run.gap = result.gap
        run.ended_at = timezone.now()
        run.stop_reason = result.stop_reason
        run.save()
    return run


def _save_sessions(plan: Plan, problem: engine.Problem, placed: list[engine.Placed]) -> None:
    plan.sessions.filter(locked=False, published_as__isnull=True).delete()
    keep = {ps.key: ps for ps in plan.sessions.all()}
    for p in placed:
        if p.existing or p.key in keep:
            continue
        ps = PlannedSession.objects.create(
            plan=plan, course_id=p.course, key=_new_key(plan, p), start=p.start, end=p.end
        )
        ps.instructors.set(p.instructors)
    refresh_reasons(plan, problem)


def _new_key(plan: Plan, p: engine.Placed) -> str:
    n = 1
    taken = set(plan.sessions.values_list("key", flat=True))
    while f"{p.code}-{n}" in taken:
        n += 1
    return f"{p.code}-{n}"[:40]


def refresh_reasons(plan: Plan, problem: engine.Problem | None = None) -> None:
    problem = problem or problem_of(plan)
    placed = placed_of(plan) + [
        engine.Placed(f.key, f.course, f.label, f.start, f.end, f.instructors, True, True)
        for f in problem.fixed
        if f.existing
    ]
    for ps in plan.sessions.all():
        PlannedSession.objects.filter(pk=ps.pk).update(
            reasons=engine.reasons(problem, placed, ps.key)
        )


# -- editing -------------------------------------------------------------------------------------


def preview_move(plan: Plan, ps: PlannedSession, start: dt.date) -> dict:
    """What moving ``ps`` to ``start`` would do: the conflicts it creates and
    each term of the objective before and after."""
    if start.year != plan.year:
        raise ValidationError(
            {"start": _("Give a date in %(y)s, the plan's year.") % {"y": plan.year}}
        )
    problem = problem_of(plan)
    existing = [
        engine.Placed(f.key, f.course, f.label, f.start, f.end, f.instructors, True, True)
        for f in problem.fixed
        if f.existing
    ]
    before = placed_of(plan) + existing
    after = engine.move(before, ps.key, start)
    old = {text for _k, text in engine.violations(problem, before)}
    conflicts = [text for key, text in engine.violations(problem, after) if text not in old]
    b, a = engine.costs(problem, before), engine.costs(problem, after)
    labels = engine.TERM_LABELS()
    return {
        "start": start,
        "end": start + (ps.end - ps.start),
        "conflicts": conflicts,
        "terms": [
            {"term": k, "label": labels[k], "before": b[k], "after": a[k], "delta": a[k] - b[k]}
            for k in engine.TERMS
        ],
        "total_before": engine.weighted(problem.weights, b),
        "total_after": engine.weighted(problem.weights, a),
    }


def move_session(actor, ps: PlannedSession, start, *, reason: str = "") -> PlannedSession:
    """Move a planned session; refused (with the reasons) when the new dates
    break a hard constraint, e.g. fall on Eid."""
    plan = ps.plan
    check_change(actor, ps)
    _editable(actor, plan)
    if ps.existing_id:
        raise Conflict(_("An existing session is moved in training, not in the plan."))
    if not isinstance(start, dt.date):
        try:
            start = dt.date.fromisoformat(str(start))
        except ValueError:
            raise ValidationError({"start": _("Give a date (YYYY-MM-DD).")})
    effect = preview_move(plan, ps, start)
    if effect["conflicts"]:
        raise ValidationError({"start": effect["conflicts"]})
    with audit.acting(actor, reason=reason), transaction.atomic():
        ps.end = effect["end"]
        ps.start = start
        ps.save()
        problem = problem_of(plan)
        plan.terms = engine.costs(problem, placed_of(plan))
        plan.terms["total"] = engine.weighted(problem.weights, plan.terms)
        plan.save(update_fields=["terms", "updated_at"])
        refresh_reasons(plan, problem)
    return ps


def set_locked(actor, ps: PlannedSession, locked: bool, *, reason: str = "") -> PlannedSession:
    check_change(actor, ps)
    _editable(actor, ps.plan)
    with audit.acting(actor, reason=reason), transaction.atomic():
        ps.locked = bool(locked)
        ps.save(update_fields=["locked", "updated_at"])
    return ps


# -- publishing and versions ------------------------------------------------------------------------


def publish(actor, plan: Plan, *, reason: str = "") -> Plan:
    """Create the plan's sessions in training (state planned), their instructor
    assignments and the trips they imply: all or nothing, audited."""
    _editable(actor, plan)
    if plan.state != Plan.State.SOLVED:
        raise Conflict(_("Only a solved plan can be published."))
    problem = problem_of(plan)
    placed = placed_of(plan)
    broken = engine.violations(problem, placed)
    if broken:
        raise ValidationError({"sessions": [text for _k, text in broken]})
    from icihub.training.models import Instructor

    with audit.acting(actor, reason=reason), transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.state != Plan.State.SOLVED:
            raise Conflict(_("Only a solved plan can be published."))
        created = {}
        instructors = Instructor.objects.in_bulk({i for p in placed for i in p.instructors})
        for ps in plan.sessions.filter(existing__isnull=True).select_related("course"):
            session = training.create_session(
                actor, ps.course, {"start": ps.start, "end": ps.end}, reason=reason
            )
            created[ps.key] = session
            ps.published_as = session
            ps.save(update_fields=["published_as", "updated_at"])
            for n, inst in enumerate(ps.instructors.all()):
                role = Assignment.Part.LEAD if n == 0 else Assignment.Part.INSTRUCTOR
                training.assign(actor, session, inst, role, reason=reason)
        for trip in engine.chains(problem, placed):
            sessions = [created[k] for k in trip.sessions if k in created]
            if not sessions:
                continue
            inst = instructors[trip.instructor]
            training.create_trip(
                actor,
                inst,
                origin=inst.organisation.name,
                arrival=trip.arrival,
                departure=trip.departure,
                sessions=sessions,
                reason=reason,
            )
        before = plan.state
        plan.state = Plan.State.PUBLISHED
        plan.published_at = timezone.now()
        plan.published_by = actor
        plan.save()
        _transition(plan, before, plan.state, reason)
    return plan


def new_version(actor, plan: Plan, *, reason: str = "") -> Plan:
    """Re-plan a published year: a new version with the same courses; the
    published sessions are training's now, and the new version plans around
    them."""
    check_change(actor, plan)
    if plan.state != Plan.State.PUBLISHED:
        raise Conflict(_("Only a published plan gets a new version; edit this one."))
    latest = Plan.objects.filter(year=plan.year).order_by("-version").first()
    if latest.pk != plan.pk:
        raise Conflict(_("A newer version of this year's plan exists."))
    return create_plan(actor, plan.year, reason=reason)


def diff(a: Plan, b: Plan) -> list[dict]:
    """The differences between two versions: sessions added, removed, moved
    or with other instructors, matched by course and order."""

    def rows(plan):
        out = defaultdict(list)
        for ps in plan.sessions.select_related("course").prefetch_related("instructors"):
            out[ps.course.code].append(
                (ps.start, ps.end, tuple(sorted(i.full_name for i in ps.instructors.all())))
            )
        for v in out.values():
            v.sort()
        return out

    ra, rb = rows(a), rows(b)
    changes = []
    for code in sorted(set(ra) | set(rb)):
        xs, ys = ra.get(code, []), rb.get(code, [])
        for k in range(max(len(xs), len(ys))):
            x = xs[k] if k < len(xs) else None
            y = ys[k] if k < len(ys) else None
            if x == y:
                continue
            kind = "added" if x is None else "removed" if y is None else "changed"
            changes.append({"course": code, "kind": kind, "before": x, "after": y})
    return changes


# -- the Centre's rooms and the instructors' unavailable periods (inputs of every plan) ----------

ROOM_FIELDS = ("name", "capacity")
UNAVAILABILITY_FIELDS = ("instructor", "start", "end", "reason")
MAX_ROOM_CAPACITY = 32767  # what the column holds on every database (apikit.MAX_SMALL)


def _known(data: dict, fields: tuple[str, ...]) -> dict:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    return dict(data)


def _room_data(data: dict) -> dict:
    data = _known(data, ROOM_FIELDS)
    capacity = data.get("capacity")
    if capacity is not None and (
        isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1
    ):
        raise ValidationError({"capacity": _("A room holds at least one session at once.")})
    if capacity is not None and capacity > MAX_ROOM_CAPACITY:
        raise ValidationError(
            {"capacity": _("Give at most %(n)s sessions at once.") % {"n": MAX_ROOM_CAPACITY}}
        )
    return data


def _unavailability_data(actor, data: dict) -> dict:
    """The fields, with the instructor (an id or a row) one the actor sees."""
    from icihub.training.models import Instructor

    data = _known(data, UNAVAILABILITY_FIELDS)
    if "instructor" in data:
        value = data["instructor"]
        pk = getattr(value, "pk", value)
        instructor = None
        if isinstance(pk, int) and not isinstance(pk, bool):
            instructor = Instructor.objects.visible_to(actor).filter(pk=pk).first()
        if instructor is None:
            raise ValidationError({"instructor": _("No such instructor.")})
        data["instructor"] = instructor
    return data


def create_room(actor, data: dict, *, reason: str = "") -> Room:
    from icihub.core import services as core_services

    check_create(actor, Room)
    return core_services.create(Room, actor, _room_data(data), reason=reason)


def update_room(actor, room: Room, data: dict, *, reason: str = "") -> Room:
    from icihub.core import services as core_services

    check_change(actor, room)
    return core_services.update(room, actor, _room_data(data), reason=reason)


def delete_room(actor, room: Room, *, reason: str = "") -> None:
    from icihub.core import services as core_services

    core_services.delete(room, actor, reason=reason)


def create_unavailability(actor, data: dict, *, reason: str = "") -> Unavailability:
    from icihub.core import services as core_services

    check_create(actor, Unavailability)
    data = _unavailability_data(actor, data)
    return core_services.create(Unavailability, actor, data, reason=reason)


def update_unavailability(
    actor, period: Unavailability, data: dict, *, reason: str = ""
) -> Unavailability:
    from icihub.core import services as core_services

    check_change(actor, period)
    data = _unavailability_data(actor, data)
    return core_services.update(period, actor, data, reason=reason)


def delete_unavailability(actor, period: Unavailability, *, reason: str = "") -> None:
    from icihub.core import services as core_services

    core_services.delete(period, actor, reason=reason)
