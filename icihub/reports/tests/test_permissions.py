"""Who may produce which report (reports/permissions.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from icihub.core.access import SYSTEM
from icihub.partners.models import Country
from icihub.reports.permissions import may_report_on

pytestmark = pytest.mark.django_db


def test_staff_report_on_any_country_a_coordinator_on_their_own(every_role):
    kwt, qat = Country.objects.get(iso3="KWT"), Country.objects.get(iso3="QAT")
    staff = {"admin", "nato_staff", "centre_staff"}
    on_kwt = {name for name, user in every_role.items() if may_report_on(user, kwt)}
    on_qat = {name for name, user in every_role.items() if may_report_on(user, qat)}
    assert on_kwt == staff | {"coordinator_kwt"}
    assert on_qat == staff | {"coordinator_qat"}
    assert may_report_on(SYSTEM, kwt) and may_report_on(SYSTEM, qat)
    assert not may_report_on(AnonymousUser(), kwt)
