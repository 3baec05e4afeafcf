"""Pages of the cooperation menu."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from icihub.core.models import AuditEntry, Citation
from icihub.core.reference import cite
from icihub.menu import sample
from icihub.menu.models import Activity
from icihub.testing import assert_constant_queries, client_for

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def test_menu_list_searches_and_shows_facets(make_activity):
    make_activity("P-1", title="Cyber defence course", areas=["cyber-defence"])
    make_activity("P-2", title="Maritime seminar", format="seminar")
    client = client_for(None)
    page = client.get(reverse("menu:activity_list"), {"q": "cyber"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cyber defence course" in html and "Maritime seminar" not in html
    assert 'name="area" value="cyber-defence" checked' not in html
    assert 'data-facet="format"' in html
    # htmx asks for the results only; the facets come out-of-band.
    fragment = client.get(
        reverse("menu:activity_list"), {"format": "seminar"}, headers=HTMX
    ).content.decode()
    assert "<html" not in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert "Maritime seminar" in fragment and "Cyber defence course" not in fragment
    assert 'name="format" value="seminar" checked' in fragment


def test_menu_list_hides_what_the_visitor_may_not_see(make_activity):
    make_activity("V-1", title="Visible public", marking="public")
    make_activity("V-2", title="Alliance only", marking="nato")
    html = client_for(None).get(reverse("menu:activity_list")).content.decode()
    assert "Visible public" in html and "Alliance only" not in html


def test_menu_list_query_count_is_constant(make_activity, nato_staff):
    client = client_for(nato_staff)
    counter = iter(range(1000))

    def grow():
        for _ in range(15):
            make_activity(
                f"Q-{next(counter):04d}",
                areas=["cbrn", "cyber-defence"],
                frameworks=["ici"],
                countries=["SAU"],
                provider="jallc",
            )

    grow()
    assert_constant_queries(
        lambda: client.get(reverse("menu:activity_list"), {"q": "activity"}), grow
    )
    assert_constant_queries(lambda: client.get(reverse("menu:area_list")), grow)
    assert_constant_queries(lambda: client.get(reverse("menu:area_detail", args=["cbrn"])), grow)


def test_activity_detail_shows_sources_and_404s_when_not_visible(make_activity, kwt_coordinator):
    a = make_activity("D-1", title="Sourced advice", marking="public", areas=["defence-budgeting"])
    cite(
        a,
        "offered",
        "tailored advice on defence budgeting",
        "seed-001",
        quote="Activities include tailored advice",
        kind=Citation.Kind.TEXT,
    )
    html = client_for(None).get(a.get_absolute_url()).content.decode()
    assert "Sourced advice" in html and "Activities include tailored advice" in html
    assert "Defence budgeting" in html
    hidden = make_activity("D-2", marking="nato")
    assert client_for(None).get(hidden.get_absolute_url()).status_code == 404
    assert client_for(kwt_coordinator).get(hidden.get_absolute_url()).status_code == 404


def test_staff_create_edit_and_retire(nato_staff, kwt_coordinator, centre_staff):
    url = reverse("menu:activity_create")
    assert client_for(kwt_coordinator).get(url).status_code == 403
    client = client_for(centre_staff)
    bad = client.post(url, {"code": "N-1", "title": "", "format": "course", "languages": "en"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    response = client.post(
        url,
        {
            "code": "N-1",
            "title": "New course",
            "format": "course",
            "languages": "en, AR",
            "marking": "rel_ici",
            "areas": [],
            "first_year": "2025",
            "last_year": "2024",
        },
    )
    assert response.status_code == 200  # years out of order
    assert "cannot precede" in response.content.decode()
    response = client.post(
        url,
        {
            "code": "N-1",
            "title": "New course",
            "format": "course",
            "languages": "en, AR",
            "marking": "rel_ici",
            "first_year": "2024",
        },
    )
    a = Activity.objects.get(code="N-1")
    assert response.status_code == 302 and a.languages == "en,ar"
    assert a.provenance == Activity.Provenance.ENTERED
    edit = reverse("menu:activity_edit", args=[a.pk])
    assert client_for(kwt_coordinator).get(edit).status_code == 403
    response = client.post(
        edit,
        {
            "code": "N-1",
            "title": "Renamed",
            "format": "seminar",
            "languages": "en",
            "marking": "rel_ici",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.title, a.format) == ("Renamed", "seminar")
    status = reverse("menu:activity_status", args=[a.pk])
    assert client_for(kwt_coordinator).post(status, {"status": "retired"}).status_code == 403
    client.post(status, {"status": "retired"})
    a.refresh_from_db()
    assert a.status == "retired"
    assert AuditEntry.objects.filter(action="transition", object_id=str(a.pk)).exists()


def test_import_page_dry_run_then_commit(nato_staff, kwt_coordinator):
    url = reverse("menu:import")
    assert client_for(kwt_coordinator).get(url).status_code == 403
    client = client_for(nato_staff)
    content = sample.csv_bytes(sample.rows(12, prefix="UI"))
    upload = io.BytesIO(content)
    upload.name = "menu.csv"
    page = client.post(url, {"file": upload, "dry_run": "on"})
    html = page.content.decode()
    assert page.status_code == 200 and "12 to create" in html
    assert not Activity.objects.filter(code__startswith="UI-").exists()
    token = page.context["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert Activity.objects.filter(code__startswith="UI-").count() == 12
    # The token is used up.
    assert client.post(url, {"token": token}).status_code == 302
    assert Activity.objects.filter(code__startswith="UI-").count() == 12


def test_import_page_shows_row_errors(nato_staff):
    upload = io.BytesIO(b"code,title,format\nE-1,Fine,course\nE-2,Bad,picnic\n")
    upload.name = "menu.csv"
    page = client_for(nato_staff).post(reverse("menu:import"), {"file": upload})
    html = page.content.decode()
    assert "nothing was written" in html and "picnic" in html
    assert not Activity.objects.filter(code="E-1").exists()


def test_export_download_follows_the_search(make_activity, kwt_coordinator):
    make_activity("EX-1", title="Cyber one", marking="rel_ici")
    make_activity("EX-2", title="Maritime two", marking="rel_ici")
    make_activity("EX-3", title="Cyber secret", marking="nato")
    response = client_for(kwt_coordinator).get(
        reverse("menu:export"), {"download": "csv", "q": "cyber"}
    )
    body = response.content.decode("utf-8-sig")
    assert response["X-Icihub-Marking"] == "rel_ici"
    assert "EX-1" in body and "EX-2" not in body and "EX-3" not in body
    assert "attachment" in response["Content-Disposition"]
    assert (
        client_for(kwt_coordinator).get(reverse("menu:export"), {"download": "pdf"}).status_code
        == 400
    )


def test_a_course_shows_its_sessions_on_its_menu_page(centre_staff):
    import datetime as dt

    from icihub.training.models import Course, Session

    course = Course.objects.create(
        code="NIRC-M-1", title="Lessons learned course", marking="public"
    )
    start = dt.date(2026, 4, 5)
    Session.objects.create(
        course=course,
        reference="NIRC-M-1-2026",
        start=start,
        end=start + dt.timedelta(days=3),
        capacity=20,
        nomination_deadline=start,
        reallocation_date=start,
        state="open",
    )
    activity = Activity.objects.get(pk=course.pk)  # one record: the course is the activity
    html = (
        client_for(None).get(reverse("menu:activity_detail", args=[activity.pk])).content.decode()
    )
    assert "Regional Centre course" in html and "NIRC-M-1-2026" in html
    plain = Activity.objects.create(
        code="PLAIN-1", title="Plain", format="seminar", marking="public"
    )
    html = client_for(None).get(reverse("menu:activity_detail", args=[plain.pk])).content.decode()
    assert 'id="course-sessions"' not in html
