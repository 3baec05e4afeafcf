"""The programmes demo: the four ICI members, lifecycle states, versions,
deliveries and the old unanswered requests."""

from __future__ import annotations

import datetime as dt

import pytest

from icihub.core import demo as core_demo
from icihub.core.models import User
from icihub.menu import demo as menu_demo
from icihub.programmes import demo, selectors
from icihub.programmes.models import Delivery, PartnerRequest, Programme

pytestmark = pytest.mark.django_db


def test_demo_programmes():
    core_demo.load(lambda line: None)
    menu_demo.load(lambda line: None)
    try:
        from icihub.training import demo as training_demo
    except ImportError:
        training_demo = None
    if training_demo is not None:
        training_demo.load(lambda line: None)
    demo.load(lambda line: None)
    programmes = Programme.objects.all()
    assert set(programmes.values_list("country__iso3", flat=True)) == {"KWT", "BHR", "QAT", "ARE"}
    kuwait_ipcp = programmes.get(country__iso3="KWT", kind="ipcp")
    assert (kuwait_ipcp.start_year, kuwait_ipcp.state) == (2014, "closed")
    assert kuwait_ipcp.agreed_at.year == 2014 and kuwait_ipcp.agreed_by.username == "nato"
    uae = programmes.get(country__iso3="ARE", kind="ipcp")
    assert uae.signed.display() == "October 2016"
    assert programmes.filter(kind="itpp", start_year__gte=2021).count() >= 4
    assert set(programmes.values_list("state", flat=True)) >= {
        "closed",
        "active",
        "agreed",
        "submitted",
    }
    assert programmes.filter(country__iso3="BHR", version=2).exists()
    assert Delivery.objects.count() >= 10
    assert not programmes.exclude(provenance="demo").exists()
    old = PartnerRequest.objects.get(country__iso3="KWT", requested_on=dt.date(2006, 3, 12))
    assert old.is_unanswered and old.is_overdue and old.age > 7000
    assert "frustration at the lack of response" in old.details
    assert PartnerRequest.objects.filter(state="answered").exists()
    kuwait = User.objects.get(username="kuwait")
    assert set(selectors.programmes(kuwait).values_list("country__iso3", flat=True)) == {"KWT"}
    assert selectors.requests(kuwait).first() == old  # oldest unanswered first
    # Idempotent.
    count = Programme.objects.count(), PartnerRequest.objects.count()
    demo.load(lambda line: None)
    assert (Programme.objects.count(), PartnerRequest.objects.count()) == count
