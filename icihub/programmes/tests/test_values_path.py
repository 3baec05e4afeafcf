"""The programmes' and the requests' lists and records are served from their
converters' dicts without ninja's re-validation (``apikit.prebuilt_page``,
issue 11) and answer exactly what the response schemas answer: on rows with
their optional fields set and empty, as staff and as a coordinator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.programmes import services
from icihub.testing import ApiClient, assert_both_paths_agree


@pytest.fixture
def programmes(nato_staff, kwt_coordinator, build_programme, activity):
    draft = build_programme(nato_staff, "KWT", objectives=0)
    agreed = build_programme(nato_staff, "KWT", start=2021, kind="ipcp", goals=2, items=2)
    services.submit(nato_staff, agreed)
    services.agree(nato_staff, agreed, signed="2021-03")
    qatari = build_programme(nato_staff, "QAT", start=2023)
    today = timezone.localdate()
    requests = [
        services.create_request(
            kwt_coordinator,
            {
                "kind": "course_seat",
                "subject": "مقاعد في دورة إدارة الأزمات",
                "requested_on": today - dt.timedelta(days=400),
                "programme": agreed,
                "seats": 3,
                "wanted_from": dt.date(2026, 5, 1),
                "wanted_to": dt.date(2026, 6, 1),
            },
        ),
        services.create_request(
            kwt_coordinator, {"kind": "course_seat", "subject": "Plain", "details": ""}
        ),
    ]
    services.respond(nato_staff, requests[1], response="Yes, two seats.")
    return [draft, agreed, qatari], requests


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_programme_list_and_records(who, request, programmes):
    api = ApiClient(request.getfixturevalue(who))
    page = assert_both_paths_agree(api, "programmes")
    assert page["items"]
    assert_both_paths_agree(api, "programmes", {"limit": 1, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"programmes/{item['id']}")
    signed = [item["signed"] for item in page["items"]]
    assert None in signed and any(signed)


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_request_list_and_records(who, request, programmes):
    api = ApiClient(request.getfixturevalue(who))
    page = assert_both_paths_agree(api, "programmes/requests")
    assert len(page["items"]) == 2
    for item in page["items"]:
        assert_both_paths_agree(api, f"programmes/requests/{item['id']}")
    by_subject = {item["subject"]: item for item in page["items"]}
    assert by_subject["Plain"]["seats"] is None and by_subject["Plain"]["responded_by"]
    assert by_subject["مقاعد في دورة إدارة الأزمات"]["overdue"] is True
