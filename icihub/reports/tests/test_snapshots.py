"""Published snapshots: staff lock a year's figures; the snapshot never changes
(model and queryset refuse it, like the audit trail); the report shows it and
any difference from the live figures after a correction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.dialogue import services as dialogue
from icihub.reports import report as reports
from icihub.reports import services
from icihub.reports.models import Snapshot
from icihub.reports.scope import Period, Scope
from icihub.testing import ApiClient, client_for

pytestmark = pytest.mark.django_db


def _event(nato, title, day):
    return dialogue.create_event(
        nato,
        {
            "title": title,
            "format": "conference",
            "level": "expert",
            "date": day.isoformat(),
            "marking": Marking.PUBLIC,
        },
    )


@pytest.fixture
def this_year():
    return timezone.localdate().year


@pytest.fixture
def locked(nato_staff, this_year):
    _event(nato_staff, "A conference", dt.date(this_year, 1, 15))
    return services.lock_year(nato_staff, this_year, note="Published in the annual review")


def test_staff_lock_a_year(locked, nato_staff, this_year):
    assert locked.year == this_year
    assert locked.locked_by == nato_staff and locked.locked_by_label == "nato"
    assert locked.note == "Published in the annual review"
    events = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(this_year)))
    assert locked.figures["totals"]["events"] == events.figures_json()["totals"]["events"] >= 1
    assert "events" in locked.definitions
    assert AuditEntry.objects.filter(action="create", object_id=str(locked.pk)).exists()
    assert AuditEntry.objects.filter(action="transition", object_id=str(locked.pk)).exists()


def test_a_locked_snapshot_never_changes(locked):
    locked.note = "changed"
    with pytest.raises(PermissionError):
        locked.save()
    with pytest.raises(PermissionError):
        locked.delete()
    with pytest.raises(PermissionError):
        Snapshot.objects.filter(pk=locked.pk).update(note="changed")
    with pytest.raises(PermissionError):
        Snapshot.objects.filter(pk=locked.pk).delete()
    with pytest.raises(PermissionError):
        Snapshot.objects.all().visible_to(None).update(figures={})
    fresh = Snapshot.objects.get(pk=locked.pk)
    assert fresh.note == "Published in the annual review"


def test_a_year_is_locked_once_by_staff_only(locked, nato_staff, kwt_coordinator, this_year):
    with pytest.raises(Conflict):
        services.lock_year(nato_staff, this_year)
    with pytest.raises(PermissionDenied):
        services.lock_year(kwt_coordinator, this_year - 1)
    with pytest.raises(ValidationError):
        services.lock_year(nato_staff, this_year + 1)
    with pytest.raises(ValidationError):
        services.lock_year(nato_staff, "20x7")
    assert Snapshot.objects.count() == 1


def test_the_report_shows_the_differences_after_a_correction(locked, nato_staff, this_year):
    report = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(this_year)))
    assert report.snapshot == locked
    assert report.differences == []
    before = locked.figures["totals"]["events"]
    _event(nato_staff, "A meeting recorded late", dt.date(this_year, 2, 1))
    report = reports.build_annual(Scope.for_user(nato_staff, Period.of_year(this_year)))
    changed = {d["key"]: d for d in report.differences}
    assert changed["events"] == {
        "key": "events",
        "label": "Dialogue events",
        "snapshot": before,
        "live": before + 1,
        "difference": 1,
    }
    assert "events_by_format/conference/events" in changed
    # The snapshot itself still says what was published.
    assert Snapshot.objects.get(pk=locked.pk).figures["totals"]["events"] == before
    # The page and every format show it.
    html = client_for(nato_staff).get("/reports/annual/", {"year": this_year}).content.decode()
    assert 'id="snapshot"' in html and 'data-key="events"' in html
    data = report.as_dict()
    assert data["snapshot"]["differences"][0]["key"] in changed
    detail = client_for(nato_staff).get(f"/reports/snapshots/{locked.pk}/").content.decode()
    assert 'data-key="events"' in detail  # the difference
    assert f'data-total="events"><td>Dialogue events</td><td class="num">{before}<' in detail


def test_lock_from_the_page(nato_staff, kwt_coordinator, this_year):
    response = client_for(kwt_coordinator).post(f"/reports/annual/{this_year}/lock/")
    assert response.status_code == 403
    assert not Snapshot.objects.exists()
    response = client_for(nato_staff).post(
        f"/reports/annual/{this_year}/lock/", {"note": "As published"}
    )
    assert response.status_code == 302
    snapshot = Snapshot.objects.get(year=this_year)
    assert response["Location"] == snapshot.get_absolute_url()
    again = client_for(nato_staff).post(f"/reports/annual/{this_year}/lock/", follow=True)
    assert "already locked" in again.content.decode()


def test_snapshots_are_staff_only(locked, kwt_coordinator, centre_staff):
    assert client_for(kwt_coordinator).get(f"/reports/snapshots/{locked.pk}/").status_code == 404
    assert client_for(kwt_coordinator).get("/reports/snapshots/").status_code == 404
    assert client_for(centre_staff).get("/reports/snapshots/").status_code == 200
    assert ApiClient(kwt_coordinator).get(f"reports/snapshots/{locked.pk}").status_code == 404
    assert ApiClient(kwt_coordinator).get("reports/snapshots").json()["count"] == 0


def test_snapshots_through_the_api(nato_staff, kwt_coordinator, this_year):
    api = ApiClient(nato_staff)
    created = api.post("reports/snapshots", {"year": this_year, "note": "As published"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["year"] == this_year and body["locked_by"] == "nato"
    assert api.post("reports/snapshots", {"year": this_year}).status_code == 409
    assert ApiClient(kwt_coordinator).post("reports/snapshots", {"year": 2020}).status_code == 403
    bad = api.post("reports/snapshots", {"year": this_year + 5})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "year"
    listing = api.get("reports/snapshots").json()
    assert listing["count"] == 1
    detail = api.get(f"reports/snapshots/{body['id']}").json()
    assert detail["differences"] == []
    assert "totals" in detail["figures"]
