import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape

from icihub.gulf import calendar as gulf
from icihub.planning.models import Plan, PlannedSession
from icihub.testing import assert_constant_queries, client_for, database_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_plan(year_world, centre_staff, django_capture_on_commit_callbacks):
    client = client_for(centre_staff)
    r = client.post(reverse("planning:plan_create"), {"year": 2027})
    plan = Plan.objects.get(year=2027)
    assert r.status_code == 302 and r.url == plan.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("planning:plan_solve", args=[plan.pk]), {"time_limit": 5})
    plan.refresh_from_db()
    assert plan.state == Plan.State.SOLVED
    return client, plan


def test_the_plan_page_shows_sessions_trips_comparison_and_progress(staff_plan):
    client, plan = staff_plan
    page = client.get(plan.get_absolute_url()).content.decode()
    ps = plan.sessions.first()
    assert ps.key in page
    assert escape(gulf.hijri(ps.start)) in page  # "Sha'ban" is escaped in HTML
    assert 'id="comparison"' in page and "Greedy earliest-fit" in page
    assert "Instructor trips" in page
    assert "Publish" in page and "Re-plan the unlocked sessions" in page
    assert "Re-plan: new version" not in page
    fragment = client.get(reverse("planning:plan_progress", args=[plan.pk])).content.decode()
    assert "Solutions found" in fragment and 'data-run-status="done"' in fragment
    assert "every 1s" not in fragment  # a finished run is not polled
    done = client.get(reverse("planning:plan_progress", args=[plan.pk]), {"running": "1"})
    assert done["HX-Refresh"] == "true"


def test_the_move_preview_and_a_refused_move_onto_eid(staff_plan):
    client, plan = staff_plan
    ps = plan.sessions.first()
    eid = next(b for b in gulf.islamic_periods(2027) if b.kind == "eid_al_fitr")
    url = reverse("planning:session_move", args=[ps.pk])
    outside = client.get(url, {"start": "2031-01-05"})
    assert outside.status_code == 200 and "2027" in outside.content.decode()
    assert "Give a date" in client.get(url, {"start": "soon"}).content.decode()
    preview = client.get(url, {"start": eid.start.isoformat()}).content.decode()
    assert "Eid al-Fitr" in preview and "Weighted total" in preview
    r = client.post(url, {"start": eid.start.isoformat()}, follow=True)
    assert "Eid al-Fitr" in r.content.decode()
    before = ps.start
    ps.refresh_from_db()
    assert ps.start == before


def test_lock_publish_and_the_coordinators_view(staff_plan, kwt_coordinator):
    client, plan = staff_plan
    ps = plan.sessions.first()
    client.post(reverse("planning:session_lock", args=[ps.pk]), {"locked": "1"})
    ps.refresh_from_db()
    assert ps.locked
    coordinator = client_for(kwt_coordinator)
    assert coordinator.get(plan.get_absolute_url()).status_code == 404
    client.post(reverse("planning:plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.state == Plan.State.PUBLISHED
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Publish</button>" not in page and "Re-plan: new version" in page
    seen = coordinator.get(plan.get_absolute_url())
    assert seen.status_code == 200
    text = seen.content.decode()
    assert ps.course.code in text and "Objective weights" not in text and "Move" not in text
    assert coordinator.post(reverse("planning:plan_publish", args=[plan.pk])).status_code == 403


def test_arabic_plan_page_is_right_to_left_with_hijri_dates(staff_plan):
    client, plan = staff_plan
    client.cookies["django_language"] = "ar"
    page = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page
    with translation.override("ar"):
        assert escape(gulf.hijri(plan.sessions.first().start)) in page


def test_the_plan_page_reads_the_same_queries_for_more_sessions(staff_plan, kwt_coordinator):
    """With the cache as deployed (a database table), whatever the plan's
    sessions: the Gulf calendar's state is read once a request, not twice a
    session."""
    client, plan = staff_plan
    model = plan.sessions.filter(existing__isnull=True).first()
    weeks = itertools.count(1)

    def grow():
        for _i in range(3):
            n = next(weeks)
            ps = PlannedSession.objects.create(
                plan=plan,
                course=model.course,
                key=f"grown-{n}",
                start=model.start + dt.timedelta(weeks=n),
                end=model.end + dt.timedelta(weeks=n),
                reasons=["grown"],
            )
            ps.instructors.set(model.instructors.all())

    with database_cache():
        assert_constant_queries(lambda: client.get(plan.get_absolute_url()), grow)
        plan.sessions.filter(key__startswith="grown-").delete()
        client.post(reverse("planning:plan_publish", args=[plan.pk]))
        plan.refresh_from_db()
        assert plan.state == Plan.State.PUBLISHED
        coordinator = client_for(kwt_coordinator)
        assert_constant_queries(lambda: coordinator.get(plan.get_absolute_url()), grow)
        page = coordinator.get(plan.get_absolute_url()).content.decode()
        assert 'data-session="grown-4"' in page


def test_the_sessions_problems_follow_the_gulf_calendar_and_the_language(staff_plan, centre_staff):
    """The page's texts of a session (its dates, Hijri dates and problems) are
    kept per calendar and language (``planning.gulf``): a new closure over a
    session shows at once, and the Arabic page has the Arabic texts."""
    from icihub.gulf import services as gulf_services

    client, plan = staff_plan
    ps = plan.sessions.filter(existing__isnull=True).order_by("start").first()
    problems = lambda: gulf.session_problems(  # noqa: E731
        ps.start, ps.end, gulf.blocked_periods(ps.start, ps.end)
    )
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Staff retreat" not in page
    assert all(escape(p) in page for p in problems())
    gulf_services.create_closure(
        centre_staff, {"name": "Staff retreat", "start": ps.start, "end": ps.start}
    )
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Overlaps Staff retreat" in page
    assert all(escape(p) in page for p in problems())
    client.cookies["django_language"] = "ar"
    page = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    with translation.override("ar"):
        assert all(escape(p) in page for p in problems())
        assert escape(gulf.hijri(ps.end)) in page
        assert escape(formats.date_format(ps.start, "D j M Y")) in page
