"""Execution: what delivered each item, planned against delivered, suggested matches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from icihub.core.errors import Conflict
from icihub.dialogue.models import Event
from icihub.programmes import selectors, services
from icihub.programmes.models import Delivery, ProgrammeItem
from icihub.training.models import Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(build_programme, kwt_coordinator, nato_staff):
    def make(**kwargs):
        programme = build_programme(kwt_coordinator, **kwargs)
        services.submit(kwt_coordinator, programme)
        services.agree(nato_staff, programme)
        services.activate(nato_staff, programme)
        programme.refresh_from_db()
        return programme

    return make


def test_delivered_sessions_show_up_as_executed_items(
    build_programme, kwt_coordinator, nato_staff, attended_session
):
    course = Course.objects.create(code="NIRC-EX-1", title="Crisis management", marking="public")
    programme = build_programme(kwt_coordinator, items=2)
    goal = programme.objectives.first().goals.first()
    services.add_item(kwt_coordinator, goal, {"activity": course, "planned_year": 2025, "seats": 3})
    services.submit(kwt_coordinator, programme)
    services.agree(nato_staff, programme)
    # Kuwaitis attended a session of the course; Qataris attended another one.
    session = attended_session(course, "KWT", attendees=3)
    attended_session(course, "QAT", attendees=2, start=dt.date(2025, 5, 4))
    matches = selectors.suggested_matches(programme, nato_staff)
    assert [(m.item.activity_id, m.session.pk, m.attendees) for m in matches] == [
        (course.pk, session.pk, 3)
    ]
    services.confirm_matches(nato_staff, programme, [(matches[0].item.pk, session.pk)])
    assert selectors.suggested_matches(programme, nato_staff) == []
    detail = selectors.programme_detail(nato_staff, programme.pk)
    goal = detail.objectives.all()[0].goals.all()[0]
    assert (goal.progress.planned, goal.progress.delivered) == (3, 1)
    assert (goal.progress.seats, goal.progress.participants) == (7, 3)
    assert detail.progress.percent == 33
    # Someone else's session cannot be claimed.
    other = attended_session(course, "QAT", attendees=1, start=dt.date(2025, 9, 7))
    item = ProgrammeItem.objects.get(activity=course)
    with pytest.raises(ValidationError) as excinfo:
        services.record_delivery(nato_staff, item, {"kind": "session", "session": other})
    assert "session" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.confirm_matches(nato_staff, programme, [(item.pk, other.pk)])


def test_expert_visits_and_meetings(agreed, nato_staff, kwt_coordinator, qat_coordinator):
    programme = agreed()
    item = ProgrammeItem.objects.get(goal__objective__programme=programme)
    with pytest.raises(ValidationError):
        services.record_delivery(
            nato_staff, item, {"kind": "expert_visit", "delivered_on": dt.date(2025, 2, 1)}
        )
    visit = services.record_delivery(
        nato_staff,
        item,
        {
            "kind": "expert_visit",
            "title": "JALLC advisory team",
            "delivered_on": dt.date(2025, 2, 1),
            "participants": 12,
        },
    )
    assert visit.recorded_by == nato_staff
    event = Event.objects.create(
        title="Consultations in Kuwait", format="consultations", date="2025-04", marking="public"
    )
    meeting = services.record_delivery(nato_staff, item, {"kind": "meeting", "event": event})
    assert meeting.delivered_on == dt.date(2025, 4, 30)
    # Coordinators and Centre staff do not record deliveries; other countries do not see them.
    with pytest.raises(PermissionDenied):
        services.record_delivery(
            kwt_coordinator,
            item,
            {"kind": "other", "title": "x", "delivered_on": dt.date(2025, 1, 1)},
        )
    with pytest.raises(PermissionDenied):
        services.record_delivery(
            qat_coordinator,
            item,
            {"kind": "other", "title": "x", "delivered_on": dt.date(2025, 1, 1)},
        )
    assert not Delivery.objects.visible_to(qat_coordinator).exists()
    assert Delivery.objects.visible_to(kwt_coordinator).count() == 2
    services.delete_delivery(nato_staff, visit)
    assert Delivery.objects.count() == 1


def test_deliveries_need_an_agreed_programme(build_programme, kwt_coordinator, nato_staff):
    programme = build_programme(kwt_coordinator)
    item = ProgrammeItem.objects.get(goal__objective__programme=programme)
    with pytest.raises(Conflict):
        services.record_delivery(
            nato_staff, item, {"kind": "other", "title": "x", "delivered_on": dt.date(2025, 1, 1)}
        )


def test_delivered_items_cannot_be_removed(agreed, nato_staff):
    programme = agreed()
    item = ProgrammeItem.objects.get(goal__objective__programme=programme)
    services.record_delivery(
        nato_staff,
        item,
        {"kind": "other", "title": "Workshop", "delivered_on": dt.date(2025, 1, 1)},
    )
    with pytest.raises(Conflict):
        services.delete_item(nato_staff, item)
    with pytest.raises(Conflict):
        services.delete_goal(nato_staff, item.goal)


def test_hidden_item_is_404_for_recording(agreed, qat_coordinator, administrator):
    programme = agreed()
    item = ProgrammeItem.objects.get(goal__objective__programme=programme)
    with pytest.raises((Http404, PermissionDenied)):
        services.record_delivery(
            qat_coordinator,
            item,
            {"kind": "other", "title": "x", "delivered_on": dt.date(2025, 1, 1)},
        )


def test_the_matches_panel_loads_after_the_programme_page(
    agreed, nato_staff, kwt_coordinator, attended_session
):
    from django.urls import reverse

    from icihub.testing import client_for

    course = Course.objects.create(code="NIRC-EX-9", title="Maritime security", marking="public")
    programme = agreed()
    goal = programme.objectives.first().goals.first()
    other = ProgrammeItem.objects.get(goal=goal)  # planned, nothing attended
    item = services.add_item(nato_staff, goal, {"activity": course, "planned_year": 2025})
    session = attended_session(course, "KWT", attendees=3)
    panel_url = reverse("programmes:programme_matches", args=[programme.pk])
    staff = client_for(nato_staff)

    # The page carries a placeholder that asks for the panel once loaded, with
    # a link for a browser without scripts; the matches are not on the page.
    page = staff.get(programme.get_absolute_url()).content.decode()
    assert f'hx-get="{panel_url}"' in page and f'href="{panel_url}"' in page
    assert 'name="match"' not in page
    # The panel (htmx): the item's match, checked, and the form that records it.
    fragment = staff.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="execution"' in fragment
    assert fragment.count('name="match"') == 1
    assert f'value="{item.pk}:{session.pk}" checked' in fragment
    assert reverse("programmes:matches_confirm", args=[programme.pk]) in fragment
    # Without htmx: a page of its own with the same panel.
    whole = staff.get(panel_url).content.decode()
    assert "<html" in whole and f'value="{item.pk}:{session.pk}"' in whole
    # The item's page lists its own matches only.
    assert f'value="{item.pk}:{session.pk}"' in staff.get(item.get_absolute_url()).content.decode()
    assert 'name="match"' not in staff.get(other.get_absolute_url()).content.decode()

    # Recorded: nothing left to suggest; the htmx panel is empty (the
    # placeholder goes), the page says so.
    response = staff.post(
        reverse("programmes:matches_confirm", args=[programme.pk]),
        {"match": f"{item.pk}:{session.pk}"},
    )
    assert response.url.endswith("#execution")
    assert Delivery.objects.filter(item=item, session=session).exists()
    assert staff.get(panel_url, headers={"HX-Request": "true"}).content.decode().strip() == ""
    assert "data-empty" in staff.get(panel_url).content.decode()

    # A coordinator reads the programme but records nothing: no placeholder,
    # and the panel answers 403.
    coordinator = client_for(kwt_coordinator)
    assert panel_url not in coordinator.get(programme.get_absolute_url()).content.decode()
    assert coordinator.get(panel_url).status_code == 403
