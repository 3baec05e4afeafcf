"""The register's list served from values() rows (``apikit.ValuesOut``, issue 11)
answers exactly what ``EventListOut`` answers from model instances: on events
with their optional fields set and empty (no date, no venue, no country, no
participants or topics, an Arabic title, an organisation as participant),
as staff (overdue actions counted), as a coordinator and as a visitor."""

from __future__ import annotations

import pytest

from icihub.core.access import Marking
from icihub.dialogue.models import Participant
from icihub.partners.models import Organisation
from icihub.testing import ApiClient, assert_both_paths_agree

from .helpers import make_event


@pytest.fixture
def events(db):
    full = make_event(
        "اجتماع مجلس شمال الأطلسي",
        date="2021-03-10",
        country="KWT",
        venue="gcc-secretariat",
        topics=("cyber-defence", "energy-security"),
        actions=1,
        overdue=2,
    )
    Participant.objects.create(
        event=full,
        organisation=Organisation.objects.get(slug="gcc-secretariat"),
        role=Participant.Role.HOST,
    )
    bare = make_event("Undated talks", date=None, participants=(), topics=())
    month = make_event("A month", date="2019-11", participants=("BHR",))
    kept = make_event("Kept from partners", marking=Marking.NATO, participants=("QAT",))
    return [full, bare, month, kept]


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_event_list(who, request, events):
    api = ApiClient(request.getfixturevalue(who) if who else None)
    page = assert_both_paths_agree(api, "dialogue/events", {"limit": 1000})
    assert_both_paths_agree(api, "dialogue/events", {"limit": 3, "offset": 2})
    assert_both_paths_agree(api, "dialogue/events", {"q": "talks"})
    by_title = {item["title"]: item for item in page["items"]}
    full, bare = by_title["اجتماع مجلس شمال الأطلسي"], by_title["Undated talks"]
    assert full["overdue_actions"] == (2 if who == "nato_staff" else 0)
    assert full["venue"] == "gcc-secretariat" and full["country"] == "KWT"
    assert {"country": None, "organisation": "gcc-secretariat", "role": "host"} in full[
        "participants"
    ]
    assert bare["date"] is None and bare["date_stated"] is False
    assert bare["participants"] == bare["topics"] == [] and bare["venue"] is None
