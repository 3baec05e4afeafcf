"""The engine on hand-made and random instances; every plan goes through the
independent checker (tests/checker.py)."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icihub.planning import engine as e

from .checker import check

SUN_THU = frozenset({6, 0, 1, 2, 3})
D = dt.date


def as_instance(problem: e.Problem) -> dict:
    cal = problem.calendar
    return {
        "year": cal.year,
        "working_days": set(cal.working_days),
        "blocked": [(p.start, p.end) for p in cal.blocked],
        "rooms": problem.rooms,
        "courses": {
            c.key: {
                "duration": c.duration,
                "iterations": c.iterations,
                "qualified": set(c.instructors),
                "needed": c.needed,
                "min_gap": c.min_gap,
            }
            for c in problem.courses
        },
        "unavailable": {
            i: [(p.start, p.end) for p in inst.unavailable]
            for i, inst in problem.instructors.items()
        },
        "fixed": {f.key: (f.start, f.instructors) for f in problem.fixed},
    }


def as_plan(placed) -> list[dict]:
    return [
        {
            "key": p.key,
            "course": p.course,
            "start": p.start,
            "end": p.end,
            "instructors": p.instructors,
            "existing": p.existing,
        }
        for p in placed
    ]


def checked(problem, placed):
    errors = check(as_instance(problem), as_plan(placed))
    assert errors == [], errors
    return placed


def calendar(year=2027, blocked=(), near=()):
    return e.Calendar(year, SUN_THU, tuple(blocked), tuple(near))


RAMADAN = e.Period(D(2027, 2, 8), D(2027, 3, 9), "Ramadan", "ramadan")
EID = e.Period(D(2027, 3, 10), D(2027, 3, 13), "Eid al-Fitr", "eid_al_fitr")


def small(**kw):
    instructors = {
        1: e.Instructor(1, "Anna Berg", "NATO School", 1),
        2: e.Instructor(2, "Bruno Costa", "JALLC", 1),
        3: e.Instructor(3, "Carla Dias", "MARCOM", 1),
    }
    courses = (
        e.Course(10, "CBRN-201", 5, 2, (1,), min_gap=30, preferred_months=(4, 10)),
        e.Course(11, "LL-101", 4, 2, (1, 2)),
        e.Course(
            12, "MS-301", 5, 1, (3,), requested=(e.Period(D(2027, 6, 1), D(2027, 6, 30), "KWT"),)
        ),
    )
    defaults = {
        "calendar": calendar(
            blocked=(RAMADAN, EID), near=(e.Period(D(2027, 3, 14), D(2027, 3, 20)),)
        ),
        "courses": courses,
        "instructors": instructors,
        "rooms": 1,
    }
    defaults.update(kw)
    return e.Problem(**defaults)


def test_a_small_year_is_solved_to_optimality_and_keeps_every_hard_constraint():
    problem = small()
    result = e.solve(problem, time_limit=20)
    assert result.status == "optimal"
    checked(problem, result.sessions)
    assert len(result.sessions) == 5
    terms = e.costs(problem, result.sessions)
    # the solver's objective is the cost function's total on its plan
    assert result.objective == e.weighted(problem.weights, terms)
    # CBRN-201 in April and October, MS-301 in June: nothing to pay there
    assert terms["preferred_month"] == 0
    assert terms["requested_period"] == 0


def test_back_to_back_sessions_make_one_trip():
    # one instructor, two one-week courses: the optimum puts them in consecutive weeks
    instructors = {1: e.Instructor(1, "Anna Berg", "NATO School", 1)}
    courses = (e.Course(1, "A-1", 5, 1, (1,)), e.Course(2, "B-1", 5, 1, (1,)))
    problem = e.Problem(calendar(), courses, instructors, rooms=1)
    result = e.solve(problem, time_limit=10)
    checked(problem, result.sessions)
    trips = e.chains(problem, result.sessions)
    assert len(trips) == 1 and len(trips[0].sessions) == 2
    greedy, missing = e.greedy(problem)
    assert missing == []
    checked(problem, greedy)


def test_a_kuwaiti_instructor_makes_no_trip():
    instructors = {1: e.Instructor(1, "Local", "Kuwait", 0)}
    problem = e.Problem(calendar(), (e.Course(1, "A-1", 5, 2, (1,)),), instructors)
    result = e.solve(problem, time_limit=5)
    assert e.costs(problem, result.sessions)["trips"] == 0


def test_locked_and_existing_sessions_stay_and_count():
    locked = e.Fixed("p7", 10, D(2027, 5, 2), D(2027, 5, 6), (1,))
    existing = e.Fixed("s3", 99, D(2027, 5, 9), D(2027, 5, 13), (3,), existing=True, label="OLD-1")
    problem = small(fixed=(locked, existing))
    result = e.solve(problem, time_limit=20)
    checked(problem, result.sessions)
    by_key = {p.key: p for p in result.sessions}
    assert by_key["p7"].start == D(2027, 5, 2) and by_key["s3"].start == D(2027, 5, 9)
    # CBRN-201 still has two iterations: the locked one and one more
    assert sum(1 for p in result.sessions if p.course == 10) == 2


def test_an_existing_session_in_ramadan_is_kept_but_nothing_new_goes_there():
    existing = e.Fixed("s1", 99, D(2027, 2, 14), D(2027, 2, 18), (), existing=True)
    problem = small(fixed=(existing,))
    result = e.solve(problem, time_limit=20)
    checked(problem, result.sessions)


def test_the_only_instructor_free_for_two_weeks_is_explained():
    away = (e.Period(D(2027, 1, 1), D(2027, 6, 5)), e.Period(D(2027, 6, 20), D(2027, 12, 31)))
    instructors = {1: e.Instructor(1, "Anna Berg", "NATO School", 1, away)}
    courses = (e.Course(1, "CBRN-201", 5, 3, (1,)),)
    problem = e.Problem(calendar(), courses, instructors)
    result = e.solve(problem, time_limit=5)
    assert result.status == "infeasible"
    text = " ".join(result.explanation)
    assert "CBRN-201 needs 3 iterations" in text
    assert "its only instructor, Anna Berg" in text
    assert "2 of them" in text


def test_an_infeasibility_the_counting_misses_is_named_by_cp_sat():
    # two courses of one instructor each fit alone, but one room and the
    # instructors' windows make them collide: only the solver sees it
    window = (e.Period(D(2027, 1, 1), D(2027, 5, 1)), e.Period(D(2027, 5, 9), D(2027, 12, 31)))
    instructors = {
        1: e.Instructor(1, "Anna Berg", "A", 1, window),
        2: e.Instructor(2, "Bruno Costa", "B", 1, window),
    }
    courses = (e.Course(1, "A-1", 5, 1, (1,)), e.Course(2, "B-1", 5, 1, (2,)))
    problem = e.Problem(calendar(), courses, instructors, rooms=1)
    assert e.precheck(problem) == []
    result = e.solve(problem, time_limit=5)
    assert result.status == "infeasible"
    assert result.explanation[0] == "These cannot all hold together:"
    joined = " ".join(result.explanation)
    assert "rooms" in joined
    assert "infeasible" not in joined.lower()


def test_a_course_longer_than_any_clear_run_is_explained():
    problem = e.Problem(
        calendar(), (e.Course(1, "LONG-1", 400, 1, (1,)),), {1: e.Instructor(1, "A")}
    )
    result = e.solve(problem, time_limit=5)
    assert "LONG-1 lasts 400 days" in result.explanation[0]


def test_the_greedy_baseline_keeps_the_hard_constraints_and_costs_more_trips():
    problem = small()
    placed, missing = e.greedy(problem)
    assert missing == []
    checked(problem, placed)
    best = e.solve(problem, time_limit=20)
    assert e.weighted(problem.weights, e.costs(problem, best.sessions)) <= e.weighted(
        problem.weights, e.costs(problem, placed)
    )


def test_violations_name_eid_and_a_busy_instructor():
    problem = small()
    result = e.solve(problem, time_limit=20)
    key = next(p.key for p in result.sessions if p.code == "LL-101")
    moved = e.move(result.sessions, key, D(2027, 3, 11))
    texts = [t for k, t in e.violations(problem, moved) if k == key]
    assert any("Eid al-Fitr" in t for t in texts)
    assert e.violations(problem, result.sessions) == []


def test_reasons_say_why_a_session_sits_where_it_does():
    problem = small()
    result = e.solve(problem, time_limit=20)
    key = next(p.key for p in result.sessions if p.code == "MS-301")
    why = e.reasons(problem, result.sessions, key)
    assert any("partners asked for" in r for r in why)
    assert len(why) >= 2


def test_progress_is_reported_and_a_stop_keeps_the_best_plan():
    seen = []

    def on_progress(p):
        seen.append(p)
        return p.solutions >= 1  # stop at the first solution

    problem = small()
    result = e.solve(problem, time_limit=20, on_progress=on_progress)
    assert seen and seen[-1].solutions >= 1
    assert result.sessions
    checked(problem, result.sessions)


# -- random instances ------------------------------------------------------------------------


@st.composite
def instances(draw):
    n_instructors = draw(st.integers(1, 5))
    instructors = {}
    for i in range(1, n_instructors + 1):
        away = ()
        if draw(st.booleans()):
            a = draw(st.integers(0, 330))
            away = (
                e.Period(
                    D(2027, 1, 1) + dt.timedelta(a),
                    D(2027, 1, 1) + dt.timedelta(a + draw(st.integers(0, 40))),
                ),
            )
        instructors[i] = e.Instructor(i, f"I{i}", "", draw(st.integers(0, 2)), away)
    courses = []
    for c in range(1, draw(st.integers(1, 4)) + 1):
        qualified = draw(st.sets(st.integers(1, n_instructors), min_size=1, max_size=3))
        courses.append(
            e.Course(
                c,
                f"C-{c}",
                draw(st.integers(1, 10)),
                draw(st.integers(1, 3)),
                tuple(sorted(qualified)),
                needed=draw(st.integers(1, len(qualified))),
                min_gap=draw(st.integers(0, 40)),
                preferred_months=tuple(draw(st.sets(st.integers(1, 12), max_size=3))),
            )
        )
    blocked = []
    for _ in range(draw(st.integers(0, 4))):
        a = draw(st.integers(0, 350))
        blocked.append(
            e.Period(
                D(2027, 1, 1) + dt.timedelta(a),
                D(2027, 1, 1) + dt.timedelta(a + draw(st.integers(0, 20))),
                "Blocked",
            )
        )
    fixed = []
    if draw(st.booleans()):
        c = courses[0]
        start = D(2027, 1, 1) + dt.timedelta(draw(st.integers(0, 300)))
        fixed.append(e.Fixed("ex", 999, start, start + dt.timedelta(days=2), (1,), existing=True))
    return e.Problem(
        calendar(blocked=blocked, near=(e.Period(D(2027, 4, 1), D(2027, 4, 10)),)),
        tuple(courses),
        instructors,
        rooms=draw(st.integers(1, 2)),
        fixed=tuple(fixed),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_get_a_valid_plan_or_an_explanation(problem):
    result = e.solve(problem, time_limit=5, workers=1)
    if result.sessions:
        checked(problem, result.sessions)
        assert e.violations(problem, result.sessions) == []
        if result.status == "optimal":
            assert result.objective == e.weighted(
                problem.weights, e.costs(problem, result.sessions)
            )
    else:
        assert result.status in ("infeasible", "unknown")
        assert result.explanation and all(r.strip() for r in result.explanation)
    greedy, missing = e.greedy(problem)
    if not missing:
        checked(problem, greedy)


def test_should_stop_ends_a_long_search_with_the_best_plan_so_far():
    from icihub.planning import synthetic

    problem = synthetic.year(calendar(blocked=(RAMADAN, EID)), seed=5)
    result = e.solve(problem, time_limit=60, workers=1, should_stop=lambda: True)
    assert result.stop_reason == "stopped"
    if result.sessions:
        checked(problem, result.sessions)
    else:
        assert result.explanation
