"""Query budgets as data: each main page and list/detail endpoint declares in
``icihub/query_budgets.json`` how many SQL queries it runs, as staff and as a
coordinator, on a small demo-like data set; a change that adds queries fails
here, naming the read. Timing stays out of the tests (benchmarks/).

A change that rightly moves a count regenerates the file:

    ICIHUB_UPDATE_QUERY_BUDGETS=1 python -m pytest icihub/home/tests/test_query_budgets.py

and the diff of the file shows what moved in review."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from icihub.dialogue.tests.helpers import make_event
from icihub.notifications import services as notifications
from icihub.partners.models import Country, Organisation
from icihub.planning.models import Plan, PlannedSession
from icihub.programmes import services as programmes
from icihub.testing import ApiClient, client_for, count_queries
from icihub.training import services
from icihub.training.models import Certificate
from icihub.training.tests import factories

pytestmark = pytest.mark.django_db

BUDGETS = Path(__file__).resolve().parents[2] / "query_budgets.json"

# (name, path): {placeholders} are filled from the data set; "api:" paths go
# through the API with a bearer token, the others through a signed-in browser.
READS = [
    ("home", "/"),
    ("sessions list page", "/training/sessions/"),
    ("session page", "/training/sessions/{session}/"),
    ("nomination page", "/training/nominations/{nomination}/"),
    ("nominations list page", "/training/nominations/"),
    ("participants list page", "/training/participants/"),
    ("participant page", "/training/participants/{participant}/"),
    ("courses list page", "/training/courses/"),
    ("course page", "/training/courses/{course}/"),
    ("dialogue register page", "/dialogue/"),
    ("dialogue event page", "/dialogue/events/{event}/"),
    ("follow-up actions page", "/dialogue/actions/"),
    ("menu page", "/menu/"),
    ("certificates list page", "/training/certificates/"),
    ("instructors list page", "/training/instructors/"),
    ("api: sessions", "api:training/sessions"),
    ("api: session", "api:training/sessions/{session}"),
    ("api: nominations", "api:training/nominations"),
    ("api: nomination", "api:training/nominations/{nomination}"),
    ("api: participants", "api:training/participants"),
    ("api: participant", "api:training/participants/{participant}"),
    ("api: dialogue events", "api:dialogue/events"),
    ("api: dialogue event", "api:dialogue/events/{event}"),
    ("api: dialogue timeline", "api:dialogue/timeline"),
    ("api: menu activities", "api:menu/activities"),
    ("api: courses", "api:training/courses"),
    ("api: course", "api:training/courses/{course}"),
    ("api: programmes", "api:programmes"),
    ("api: programme", "api:programmes/{programme}"),
    ("api: programme requests", "api:programmes/requests"),
    ("api: programme request", "api:programmes/requests/{request}"),
    ("plan page", "/planning/{plan}/"),
    ("calendar month page", "/training/calendar/?view=month&month={month}"),
    ("programmes list page", "/programmes/"),
    ("programme page", "/programmes/{programme}/"),
    ("menu activity page", "/menu/activities/{course}/"),
    ("api: programme execution", "api:programmes/{programme}/execution"),
    ("api: goal recommendations", "api:programmes/goals/{goal}/recommendations"),
    ("api: menu facets", "api:menu/facets"),
    ("api: menu activity", "api:menu/activities/{course}"),
    ("api: report figures", "api:reports/figures"),
    ("api: published figures", "api:reports/published"),
    ("api: certificates", "api:training/certificates"),
    ("api: certificate", "api:training/certificates/{certificate}"),
    ("api: instructors", "api:training/instructors"),
    ("api: evaluations", "api:training/evaluations"),
    ("api: attendance", "api:training/attendance"),
    ("api: trips", "api:training/trips"),
]
# Reads only staff may make (a coordinator is refused them): measured as staff.
STAFF_READS = [
    ("programme sessions to record page", "/programmes/{agreed_programme}/matches/suggested/"),
]


@pytest.fixture
def data(centre_staff, nato_staff, kwt_coordinator):
    course = factories.make_course(centre_staff)
    session = factories.make_session(course, centre_staff, capacity=6, quotas={"KWT": 3, "QAT": 2})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 4)]
    qataris = [factories.make_participant(centre_staff, "QAT", i) for i in range(1, 3)]
    nominations = services.nominate_many(centre_staff, session, kuwaitis)
    services.nominate_many(centre_staff, session, qataris)
    event = make_event("Budget event", country="KWT", actions=2, overdue=1)
    programme = programmes.create_programme(
        nato_staff,
        {
            "country": Country.objects.get(iso3="KWT"),
            "kind": "itpp",
            "start_year": session.start.year,
            "end_year": session.start.year + 3,
        },
    )
    request = programmes.create_request(
        kwt_coordinator, {"kind": "course_seat", "subject": "Seats", "programme": programme}
    )
    objective = programmes.add_objective(nato_staff, programme, {"title": "Objective"})
    # The course's area among the goal's: the recommendations have a candidate
    # to read about (without one they stop before their reads).
    goal = programmes.add_goal(
        nato_staff,
        objective,
        {"title": "Goal", "areas": ["cyber-defence", "crisis-management"]},
    )
    programmes.add_item(
        nato_staff, goal, {"activity": course, "planned_year": session.start.year, "seats": 2}
    )
    # A published plan (test set-up through the ORM: publishing needs a solver run).
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Budget Instructor",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="ITA"),
        },
    )
    plan = Plan.objects.create(year=session.start.year + 1, state=Plan.State.PUBLISHED)
    planned = PlannedSession.objects.create(
        plan=plan, course=course, key="budget-1", start=session.start, end=session.end
    )
    planned.instructors.set([instructor])
    # An agreed programme (its deliveries are recorded): agreeing it leaves Kuwait's
    # coordinator an unread notice, which the bell counts on every page through
    # its visibility rule; staff have none (the bell's one query).
    agreed = programmes.create_programme(
        nato_staff,
        {
            "country": Country.objects.get(iso3="KWT"),
            "kind": "itpp",
            "start_year": session.start.year + 4,
            "end_year": session.start.year + 5,
        },
    )
    agreed_goal = programmes.add_goal(
        nato_staff,
        programmes.add_objective(nato_staff, agreed, {"title": "Objective"}),
        {"title": "Goal", "areas": ["cyber-defence"]},
    )
    programmes.add_item(
        nato_staff,
        agreed_goal,
        {"activity": course, "planned_year": session.start.year + 4, "seats": 2},
    )
    programmes.submit(nato_staff, agreed)
    programmes.agree(nato_staff, agreed)
    # (notices go out after the commit, which a test's transaction never makes)
    assert notifications.deliver("programme_agreed", "programmes.Programme", agreed.pk)
    # A certificate of a Kuwaiti (through the ORM: issuing needs a completed session).
    certificate = Certificate.objects.create(
        nomination=nominations[0], code="BUDGET-0001", issued_by=centre_staff
    )
    return {
        "certificate": certificate.pk,
        "course": course.pk,
        "session": session.pk,
        "nomination": nominations[0].pk,
        "participant": kuwaitis[0].pk,
        "event": event.pk,
        "programme": programme.pk,
        "agreed_programme": agreed.pk,
        "request": request.pk,
        "goal": goal.pk,
        "plan": plan.pk,
        "month": session.start.strftime("%Y-%m"),
    }


def measure(user, data, reads=READS) -> dict[str, int]:
    browser, api = client_for(user), ApiClient(user)
    counts = {}
    for name, path in reads:
        path = path.format(**data)
        if path.startswith("api:"):
            fetch = lambda p=path[4:]: api.get(p)  # noqa: E731
        else:
            fetch = lambda p=path: browser.get(p)  # noqa: E731
        assert fetch().status_code == 200, f"{name}: {path}"  # warm caches (sessions, types)
        with count_queries() as queries:
            response = fetch()
        assert response.status_code == 200, f"{name}: {path}"
        counts[name] = len(queries)
    return counts


def test_no_read_exceeds_its_query_budget(nato_staff, kwt_coordinator, data):
    measured = {}
    for role, user in (("staff", nato_staff), ("coordinator", kwt_coordinator)):
        for name, count in measure(user, data).items():
            measured[f"{name}, {role}"] = count
    for name, count in measure(nato_staff, data, STAFF_READS).items():
        measured[f"{name}, staff"] = count
    if os.environ.get("ICIHUB_UPDATE_QUERY_BUDGETS"):
        BUDGETS.write_text(json.dumps(measured, indent=2, ensure_ascii=False) + "\n")
        return
    budgets = json.loads(BUDGETS.read_text())
    over = [
        f"{read}: {count} queries, budget {budgets[read]}"
        for read, count in measured.items()
        if read in budgets and count > budgets[read]
    ]
    missing = sorted(set(measured) - set(budgets))
    assert not over and not missing, (
        "\n".join(over)
        + (f"\nno budget for: {', '.join(missing)}" if missing else "")
        + "\n(a change that rightly moves a count: ICIHUB_UPDATE_QUERY_BUDGETS=1 pytest "
        + "icihub/home/tests/test_query_budgets.py, then review the file's diff)"
    )
