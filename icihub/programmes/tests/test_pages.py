"""Programme pages: building, lifecycle buttons, versions, requests, access, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from icihub.programmes import services
from icihub.programmes.models import PartnerRequest, Programme, ProgrammeItem
from icihub.testing import assert_constant_queries, client_for

pytestmark = pytest.mark.django_db


def test_coordinator_builds_and_submits_in_pages(kwt_coordinator, nato_staff, activity):
    cyber = activity("PG-CYB", title="Cyber incident handling course", areas=["cyber-defence"])
    client = client_for(kwt_coordinator)
    response = client.post(
        reverse("programmes:programme_create"),
        {
            "country": "KWT",
            "kind": "itpp",
            "start_year": 2025,
            "end_year": 2028,
            "marking": "rel_partner",
        },
    )
    programme = Programme.objects.get(country__iso3="KWT")
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    client.post(
        reverse("programmes:objective_create", args=[programme.pk]), {"title": "Resilience"}
    )
    objective = programme.objectives.get()
    response = client.post(
        reverse("programmes:goal_create", args=[objective.pk]),
        {"goal-title": "Cyber defence capacity", "goal-areas": ["cyber-defence"]},
    )
    goal = objective.goals.get()
    assert response.url == goal.get_absolute_url()
    page = client.get(goal.get_absolute_url(), {"q": "incident"})
    assert 'data-found="PG-CYB"' in page.content.decode()
    assert 'data-recommended="PG-CYB"' in page.content.decode()
    fragment = client.get(
        goal.get_absolute_url(),
        {"q": "incident"},
        headers={"HX-Request": "true", "HX-Target": "menu-results"},
    ).content.decode()
    assert "<html" not in fragment and 'data-add="PG-CYB"' in fragment
    client.post(reverse("programmes:item_add", args=[goal.pk]), {"activity": cyber.pk})
    assert ProgrammeItem.objects.filter(goal=goal, activity=cyber).exists()
    detail = client.get(programme.get_absolute_url()).content.decode()
    assert 'data-item="PG-CYB"' in detail and 'data-action="submit"' in detail
    client.post(reverse("programmes:programme_transition", args=[programme.pk, "submit"]))
    programme.refresh_from_db()
    assert programme.state == "submitted"
    detail = client.get(programme.get_absolute_url()).content.decode()
    assert 'data-action="agree"' not in detail and 'data-action="submit"' not in detail
    # The coordinator's attempt to change the submitted programme fails visibly.
    response = client.post(
        reverse("programmes:objective_create", args=[programme.pk]), {"title": "Late"}, follow=True
    )
    assert "frozen" in response.content.decode()
    assert programme.objectives.count() == 1
    staff = client_for(nato_staff)
    assert 'data-action="agree"' in staff.get(programme.get_absolute_url()).content.decode()
    staff.post(reverse("programmes:programme_transition", args=[programme.pk, "agree"]))
    programme.refresh_from_db()
    assert programme.state == "agreed" and programme.agreed_by == nato_staff
    page = staff.get(programme.get_absolute_url()).content.decode()
    assert 'id="agreed"' in page and "nato" in page
    # A change by staff makes version 2, visible in the diff page.
    other = activity("PG-MAR", title="Maritime interdiction", areas=["cyber-defence"])
    staff.post(reverse("programmes:item_add", args=[goal.pk]), {"activity": other.pk})
    diff = staff.get(reverse("programmes:version_diff", args=[programme.pk])).content.decode()
    assert 'data-diff="added-item"' in diff and "PG-MAR" in diff
    assert (
        staff.get(reverse("programmes:version_detail", args=[programme.pk, 2])).status_code == 200
    )
    assert staff.get(reverse("programmes:version_list", args=[programme.pk])).status_code == 200


def test_other_countrys_coordinator_gets_404_and_never_lists(build_programme, every_role):
    programme = build_programme(every_role["coordinator_kwt"])
    goal = programme.objectives.first().goals.first()
    item = ProgrammeItem.objects.get(goal=goal)
    request = services.create_request(
        every_role["coordinator_kwt"], {"kind": "expert", "subject": "Kuwaiti request"}
    )
    qatar = client_for(every_role["coordinator_qat"])
    for url in (
        programme.get_absolute_url(),
        reverse("programmes:programme_edit", args=[programme.pk]),
        reverse("programmes:version_list", args=[programme.pk]),
        goal.get_absolute_url(),
        item.get_absolute_url(),
        request.get_absolute_url(),
    ):
        assert qatar.get(url).status_code == 404, url
    assert (
        qatar.post(
            reverse("programmes:programme_transition", args=[programme.pk, "submit"])
        ).status_code
        == 404
    )
    assert (
        qatar.post(
            reverse("programmes:item_add", args=[goal.pk]), {"activity": item.activity_id}
        ).status_code
        == 404
    )
    listing = qatar.get(reverse("programmes:programme_list")).content.decode()
    assert str(programme) not in listing
    assert "Kuwaiti request" not in qatar.get(reverse("programmes:request_list")).content.decode()
    # Kuwait, NATO and Centre staff see it; anonymous visitors are sent to sign in.
    for role in ("coordinator_kwt", "nato_staff", "centre_staff"):
        assert client_for(every_role[role]).get(programme.get_absolute_url()).status_code == 200
    assert (
        str(programme)
        in client_for(every_role["centre_staff"])
        .get(reverse("programmes:programme_list"))
        .content.decode()
    )
    assert client_for(None).get(programme.get_absolute_url()).status_code == 302
    assert (
        client_for(every_role["participant"]).get(programme.get_absolute_url()).status_code == 404
    )


def test_requests_pages_show_age_and_let_nato_answer(kwt_coordinator, nato_staff):
    old = services.create_request(
        kwt_coordinator,
        {
            "kind": "course_seat",
            "subject": "Training requests",
            "requested_on": dt.date(2006, 5, 1),
        },
    )
    client = client_for(kwt_coordinator)
    response = client.post(
        reverse("programmes:request_create"),
        {
            "country": "KWT",
            "kind": "expert",
            "subject": "Advisory visit on CBRN",
            "requested_on": timezone.localdate().isoformat(),
            "activity": "",
        },
    )
    assert response.status_code == 302
    listing = client.get(reverse("programmes:request_list")).content.decode()
    assert listing.index("Training requests") < listing.index("Advisory visit on CBRN")
    assert f'data-age="{old.age}"' in listing and "overdue" in listing
    assert 'id="unanswered-requests"' in listing and 'data-unanswered="2"' in listing
    home = client.get(reverse("programmes:programme_list")).content.decode()
    assert 'id="unanswered-requests"' in home
    detail = client.get(old.get_absolute_url()).content.decode()
    assert "Answer the request" not in detail
    staff = client_for(nato_staff)
    response = staff.post(
        old.get_absolute_url(),
        {
            "action": "respond",
            "answer-response": "Seats offered on the 2026 course.",
            "answer-responded_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.state == "answered"
    bad = staff.post(
        old.get_absolute_url(),
        {"action": "respond", "answer-response": "", "answer-responded_on": ""},
    )
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    assert PartnerRequest.objects.filter(state="open").count() == 1


def test_programme_page_with_200_items_runs_constant_queries(
    build_programme, nato_staff, kwt_coordinator, activity
):
    programme = build_programme(kwt_coordinator, objectives=1, goals=1, items=2)
    services.submit(kwt_coordinator, programme)
    services.agree(nato_staff, programme)
    goal = programme.objectives.first().goals.first()
    client = client_for(nato_staff)
    url = programme.get_absolute_url()
    counter = iter(range(10_000))

    def grow():
        objective = services.add_objective(nato_staff, programme, {"title": f"O{next(counter)}"})
        for g in range(4):
            new_goal = services.add_goal(
                nato_staff, objective, {"title": f"G{g}", "areas": ["cbrn"]}
            )
            for _i in range(50):
                services.add_item(
                    nato_staff, new_goal, {"activity": activity(), "planned_year": 2026}
                )

    count = assert_constant_queries(lambda: client.get(url), grow)
    assert ProgrammeItem.objects.filter(goal__objective__programme=programme).count() == 202
    assert count < 40
    assert goal is not None


def test_list_pages_run_constant_queries(build_programme, nato_staff, kwt_coordinator):
    client = client_for(nato_staff)
    years = iter(range(2021, 2100, 7))
    isos = iter(["KWT", "QAT", "BHR", "ARE", "EGY", "JOR", "MAR", "TUN", "DZA", "ISR", "MRT"] * 3)

    def grow():
        for _ in range(2):
            programme = build_programme(nato_staff, next(isos), start=next(years), items=2)
            services.create_request(
                nato_staff,
                {
                    "country": programme.country,
                    "kind": "expert",
                    "subject": "x",
                    "programme": programme,
                },
            )

    grow()
    assert_constant_queries(lambda: client.get(reverse("programmes:programme_list")), grow)
    assert_constant_queries(lambda: client.get(reverse("programmes:request_list")), grow)
