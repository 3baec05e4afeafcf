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
from icihub.testing import ApiClient, client_for, count_queries
from icihub.training import services
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
    ("api: menu activities", "api:menu/activities"),
    ("api: certificates", "api:training/certificates"),
    ("api: evaluations", "api:training/evaluations"),
    ("api: attendance", "api:training/attendance"),
    ("api: trips", "api:training/trips"),
]


@pytest.fixture
def data(centre_staff):
    course = factories.make_course(centre_staff)
    session = factories.make_session(course, centre_staff, capacity=6, quotas={"KWT": 3, "QAT": 2})
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 4)]
    qataris = [factories.make_participant(centre_staff, "QAT", i) for i in range(1, 3)]
    nominations = services.nominate_many(centre_staff, session, kuwaitis)
    services.nominate_many(centre_staff, session, qataris)
    event = make_event("Budget event", country="KWT", actions=2, overdue=1)
    return {
        "course": course.pk,
        "session": session.pk,
        "nomination": nominations[0].pk,
        "participant": kuwaitis[0].pk,
        "event": event.pk,
    }


def measure(user, data) -> dict[str, int]:
    browser, api = client_for(user), ApiClient(user)
    counts = {}
    for name, path in READS:
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
