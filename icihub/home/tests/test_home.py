"""The home page composes the initiative at a glance with each user's alerts."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from icihub.programmes import services as programmes
from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def _request(coordinator, days_ago):
    return programmes.create_request(
        coordinator,
        {
            "kind": "expert",
            "subject": "Expert advice on cyber defence",
            "requested_on": timezone.localdate() - dt.timedelta(days=days_ago),
        },
    )


def _nav_badge(html: str) -> str | None:
    match = re.search(r'Programmes <span class="nav-badge"[^>]*>(\d+)</span>', html)
    return match.group(1) if match else None


def test_unanswered_requests_are_impossible_to_miss(kwt_coordinator, qat_coordinator, nato_staff):
    _request(kwt_coordinator, 400)
    _request(kwt_coordinator, 3)

    kuwait = client_for(kwt_coordinator).get("/").content.decode()
    assert 'id="home-unanswered-requests"' in kuwait
    assert "400 days" in kuwait
    assert _nav_badge(kuwait) == "2"

    staff = client_for(nato_staff).get("/").content.decode()
    assert _nav_badge(staff) == "2"

    # Qatar's coordinator never learns of Kuwait's requests.
    qatar = client_for(qat_coordinator).get("/").content.decode()
    assert 'id="home-unanswered-requests"' not in qatar
    assert _nav_badge(qatar) is None


def test_anonymous_home_shows_the_initiative_without_alerts(client):
    html = client.get("/").content.decode()
    assert "December 2004" in html
    assert "home-unanswered-requests" not in html
    assert "nav-badge" not in html
