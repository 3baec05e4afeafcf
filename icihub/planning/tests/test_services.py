"""Planning a year through the services: propose, solve (the task), move,
lock, re-plan, publish, new versions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.gulf import calendar as gulf
from icihub.planning import engine, services
from icihub.planning.models import Plan, PlannedSession, PlanRun, Unavailability
from icihub.training.models import Assignment, Session, Trip

from .checker import check
from .test_engine import as_instance, as_plan

pytestmark = pytest.mark.django_db


def solve(plan, actor, capture, time_limit=10):
    with capture(execute=True):
        run = services.start_run(actor, plan, time_limit=time_limit)
    run.refresh_from_db()
    plan.refresh_from_db()
    return run


def checked(plan):
    problem = services.problem_of(plan)
    existing = [
        engine.Placed(f.key, f.course, f.label, f.start, f.end, f.instructors, True, True)
        for f in problem.fixed
        if f.existing
    ]
    errors = check(as_instance(problem), as_plan(services.placed_of(plan) + existing))
    assert errors == [], errors


def test_a_plan_proposes_courses_from_past_years_with_their_instructors(year_world, centre_staff):
    plan = services.create_plan(centre_staff, 2027)
    courses = {pc.course.code: pc for pc in plan.courses.all()}
    assert courses["CBRN-201"].iterations == 2
    assert courses["LL-101"].iterations == 2
    assert set(courses["LL-101"].instructors.all()) == {year_world["anna"], year_world["bruno"]}
    assert "previous years" in courses["CBRN-201"].proposed_because


def test_solving_records_progress_and_a_plan_that_keeps_the_rules(
    year_world, centre_staff, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    run = solve(plan, centre_staff, django_capture_on_commit_callbacks)
    assert run.status == PlanRun.Status.DONE
    assert run.solutions >= 1 and run.best_objective is not None and run.ended_at
    assert plan.state == Plan.State.SOLVED
    assert plan.sessions.count() == 4
    checked(plan)
    assert plan.terms["trips"] <= plan.baseline["terms"]["trips"]
    assert plan.last_year["sessions"] == 4
    assert all(ps.reasons for ps in plan.sessions.all())


def test_an_impossible_plan_is_explained(
    year_world, centre_staff, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    for inst in (year_world["anna"], year_world["bruno"]):
        Unavailability.objects.create(
            instructor=inst, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31)
        )
    run = solve(plan, centre_staff, django_capture_on_commit_callbacks)
    assert run.status == PlanRun.Status.FAILED
    assert plan.state == Plan.State.DRAFT
    assert any("CBRN-201 needs 2 iterations" in r for r in plan.explanation)
    assert not plan.sessions.exists()


def test_moving_onto_eid_is_refused_with_the_reason(
    year_world, centre_staff, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    ps = plan.sessions.first()
    eid = next(b for b in gulf.islamic_periods(2027) if b.kind == "eid_al_fitr")
    before = (ps.start, ps.end)
    with pytest.raises(ValidationError) as refused:
        services.move_session(centre_staff, ps, eid.start)
    assert "Eid al-Fitr" in str(refused.value.message_dict["start"])
    ps.refresh_from_db()
    assert (ps.start, ps.end) == before


def test_a_move_shows_its_effect_then_lock_and_replan_keep_it(
    year_world, centre_staff, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    ps = plan.sessions.get(course=year_world["cbrn"], key__endswith="-1")
    # the first Sunday from mid-November on where the move breaks nothing
    target = dt.date(2027, 11, 14)
    while services.preview_move(plan, ps, target)["conflicts"]:
        target += dt.timedelta(days=7)
    effect = services.preview_move(plan, ps, target)
    assert effect["conflicts"] == []
    assert target.year == 2027
    assert {t["term"] for t in effect["terms"]} == set(engine.TERMS)
    services.move_session(centre_staff, ps, target)
    services.set_locked(centre_staff, ps, True)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    ps.refresh_from_db()
    assert ps.start == target and ps.locked
    assert plan.sessions.count() == 4
    checked(plan)


def test_publishing_creates_sessions_assignments_and_trips_and_freezes_the_plan(
    year_world, centre_staff, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    trips = engine.chains(services.problem_of(plan), services.placed_of(plan))
    services.publish(centre_staff, plan)
    plan.refresh_from_db()
    assert plan.state == Plan.State.PUBLISHED
    created = Session.objects.filter(start__year=2027)
    assert created.count() == 4
    assert set(created.values_list("state", flat=True)) == {Session.State.PLANNED}
    assert Assignment.objects.filter(session__in=created).count() == 4
    assert Trip.objects.filter(sessions__in=created).distinct().count() == len(trips)
    assert AuditEntry.objects.filter(object_id=str(plan.pk), action="transition").exists()
    with pytest.raises(Conflict):
        services.move_session(centre_staff, plan.sessions.first(), dt.date(2027, 11, 14))
    # a new version plans around the published sessions
    v2 = services.new_version(centre_staff, plan)
    assert v2.version == 2 and v2.previous == plan
    solve(v2, centre_staff, django_capture_on_commit_callbacks)
    assert v2.state == Plan.State.SOLVED
    checked(v2)
    changes = services.diff(plan, v2)
    assert changes  # v2 plans new iterations beside the published ones


def test_publishing_is_all_or_nothing(year_world, centre_staff, django_capture_on_commit_callbacks):
    plan = services.create_plan(centre_staff, 2027)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    # a trip of Anna's already covers the whole year: her trips cannot be created
    anna = year_world["anna"]
    ps = plan.sessions.filter(instructors=anna).first()
    assert ps is not None
    Trip.objects.create(
        instructor=anna, origin="Rome", arrival=dt.date(2027, 1, 1), departure=dt.date(2027, 12, 31)
    )
    sessions_before = Session.objects.count()
    with pytest.raises(ValidationError):
        services.publish(centre_staff, plan)
    assert Session.objects.count() == sessions_before
    assert not Assignment.objects.filter(session__start__year=2027).exists()
    plan.refresh_from_db()
    assert plan.state == Plan.State.SOLVED


def test_only_staff_plan(kwt_coordinator, instructor_user):
    for user in (kwt_coordinator, instructor_user):
        with pytest.raises(PermissionDenied):
            services.create_plan(user, 2027)


def test_coordinators_see_published_plans_and_instructors_their_own_sessions(
    year_world, centre_staff, kwt_coordinator, instructor_user, django_capture_on_commit_callbacks
):
    plan = services.create_plan(centre_staff, 2027)
    solve(plan, centre_staff, django_capture_on_commit_callbacks)
    assert not Plan.objects.visible_to(kwt_coordinator).exists()
    assert not PlannedSession.objects.visible_to(instructor_user).exists()
    services.publish(centre_staff, plan)
    assert list(Plan.objects.visible_to(kwt_coordinator)) == [plan]
    own = PlannedSession.objects.visible_to(instructor_user)
    assert own.exists()
    assert all(year_world["anna"] in ps.instructors.all() for ps in own)


def test_a_partners_request_proposes_its_course_and_period(
    year_world, kwt_coordinator, centre_staff
):
    from icihub.programmes import services as programmes

    programmes.create_request(
        kwt_coordinator,
        {
            "kind": "activity",
            "subject": "A CBRN course in spring",
            "activity": year_world["cbrn"],
            "wanted_from": dt.date(2027, 3, 1),
            "wanted_to": dt.date(2027, 5, 31),
        },
    )
    rows = {r["course"].code: r for r in services.propose_courses(2027)}
    periods = rows["CBRN-201"]["requested_periods"]
    assert periods == [{"from": "2027-03-01", "to": "2027-05-31", "label": "KWT"}]
    assert "asked for by partners" in rows["CBRN-201"]["proposed_because"]
    plan = services.create_plan(centre_staff, 2027)
    course = next(c for c in services.problem_of(plan).courses if c.code == "CBRN-201")
    assert course.requested == (engine.Period(dt.date(2027, 3, 1), dt.date(2027, 5, 31), "KWT"),)


def test_a_stopped_run_keeps_the_best_plan_found(year_world, centre_staff):
    plan = services.create_plan(centre_staff, 2027)
    run = services.start_run(centre_staff, plan, time_limit=60, enqueue=False)
    services.stop_run(centre_staff, run)  # asked before the first poll: stops at once
    run.refresh_from_db()
    run = services.run_solver(run)
    plan.refresh_from_db()
    assert run.ended_at is not None
    if run.status == PlanRun.Status.DONE:  # a plan was found before the stop took effect
        assert plan.state == Plan.State.SOLVED and plan.sessions.count() == 4
        checked(plan)
    assert run.stop_reason in ("stopped", "optimal")
    with pytest.raises(Conflict):
        services.stop_run(centre_staff, run)
