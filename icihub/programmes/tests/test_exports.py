"""Programme exports: only what the user may see, marked, neutralised, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from icihub.core.models import AuditEntry
from icihub.programmes import services
from icihub.testing import ApiClient, assert_constant_queries, client_for

pytestmark = pytest.mark.django_db


def test_exports_never_contain_another_countrys_programme(build_programme, every_role, activity):
    kuwait = build_programme(
        every_role["coordinator_kwt"], activities=[activity("EXP-KWT", title="=cmd|' /C calc'!A0")]
    )
    qatar = build_programme(every_role["coordinator_qat"], "QAT", activities=[activity("EXP-QAT")])
    body = (
        client_for(every_role["coordinator_qat"])
        .get(reverse("programmes:programme_export"))
        .content.decode("utf-8-sig")
    )
    assert "EXP-QAT" in body and "EXP-KWT" not in body and str(kuwait) not in body
    api = ApiClient(every_role["coordinator_qat"]).get("programmes/export")
    assert api.status_code == 200 and "EXP-KWT" not in api.content.decode("utf-8-sig")
    staff = client_for(every_role["nato_staff"]).get(reverse("programmes:programme_export"))
    text = staff.content.decode("utf-8-sig")
    assert "EXP-QAT" in text and "EXP-KWT" in text
    assert "'=cmd|' /C calc'!A0" in text  # neutralised
    assert staff["X-Icihub-Marking"] == "rel_partner"
    assert text.startswith("# NATO UNCLASSIFIED – Releasable to the partner concerned")
    event = AuditEntry.objects.filter(action="export").latest("id")
    assert event.actor == every_role["nato_staff"] and event.changes["programmes"] == 2
    filtered = client_for(every_role["nato_staff"]).get(
        reverse("programmes:programme_export"), {"country": "QAT"}
    )
    assert "EXP-KWT" not in filtered.content.decode("utf-8-sig")
    assert qatar.pk


def test_export_runs_constant_queries(build_programme, nato_staff):
    client = client_for(nato_staff)
    isos = iter(["KWT", "QAT", "BHR", "ARE", "EGY", "JOR", "MAR", "TUN"])
    years = iter(range(2021, 2100, 7))

    def grow():
        programme = build_programme(nato_staff, next(isos), start=next(years), goals=2, items=3)
        services.submit(nato_staff, programme)

    grow()
    assert_constant_queries(lambda: client.get(reverse("programmes:programme_export")), grow)
