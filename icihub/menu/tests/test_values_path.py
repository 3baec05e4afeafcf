"""The menu's list served from values() rows (``apikit.ValuesOut``, issue 11)
answers exactly what ``ActivityOut`` answers from model instances: activities
with several areas, frameworks and countries and with none, with a provider and
without, in Arabic and English, in every order the list offers, paged, as NATO
staff, a coordinator and a visitor."""

from __future__ import annotations

import pytest

from icihub.testing import ApiClient, assert_both_paths_agree


@pytest.fixture
def activities(make_activity):
    return [
        make_activity(
            "VP-1",
            title="Cyber defence",
            title_ar="الدفاع السيبراني",
            areas=["cyber-defence", "cbrn"],
            frameworks=["ici", "md"],
            countries=["KWT", "QAT"],
            provider="jallc",
            languages="en,ar",
            first_year=2019,
            last_year=2027,
        ),
        make_activity("VP-2", title="Bare", format="seminar"),
        make_activity("VP-3", title="Arabic only", languages="ar", areas=["cbrn"], first_year=2024),
        make_activity("VP-4", title="Kept from partners", marking="nato", frameworks=["ici"]),
    ]


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_activity_list(who, request, activities):
    api = ApiClient(request.getfixturevalue(who) if who else None)
    page = assert_both_paths_agree(api, "menu/activities", {"limit": 1000})
    codes = [row["code"] for row in page["items"]]
    assert {"VP-1", "VP-2", "VP-3"} <= set(codes)
    assert ("VP-4" in codes) == (who == "nato_staff")
    first = next(row for row in page["items"] if row["code"] == "VP-1")
    assert sorted(first["areas"]) == ["cbrn", "cyber-defence"]
    assert first["eligible_countries"] == ["KWT", "QAT"]
    assert first["provider"]["slug"] == "jallc"
    for params in (
        {"limit": 2, "offset": 1},
        {"sort": "title"},
        {"sort": "-year"},
        {"q": "cyber"},
        {"area": "cbrn", "status": "all"},
        {"country": "KWT"},
    ):
        assert_both_paths_agree(api, "menu/activities", params)
