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


@pytest.fixture
def cited(activities, make_activity):
    """VP-1 cited by a public source and by one kept from the partners, twice on
    one attribute with values that disagree (a conflict)."""
    from icihub.core.models import Citation, Source

    activity = activities[0]
    public = Source.objects.create(key="vp-public", title="Public", publisher="NATO")
    kept = Source.objects.create(
        key="vp-kept", title="Kept", publisher="NATO", marking="nato", published="2020-01"
    )
    Citation.objects.create(subject=activity, attribute="first_year", value="2019", source=public)
    Citation.objects.create(
        subject=activity, attribute="first_year", value="2018", source=kept, quote="q", note="n"
    )
    Citation.objects.create(subject=activity, attribute="title", value="Cyber", source=public)
    return activity


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_activity_record(who, request, cited, activities):
    """The record, with its citations and facts as the caller may see them, and
    ``is_course``, answers the same on both paths; one kept from the partners is
    not found by them."""
    api = ApiClient(request.getfixturevalue(who) if who else None)
    record = assert_both_paths_agree(api, f"menu/activities/{cited.pk}")
    sources = {c["source"]["key"] for c in record["citations"]}
    assert sources == ({"vp-public", "vp-kept"} if who == "nato_staff" else {"vp-public"})
    first_year = next(f for f in record["facts"] if f["attribute"] == "first_year")
    assert first_year["conflict"] == (who == "nato_staff")
    assert record["is_course"] is False
    for activity in activities[1:3]:
        bare = assert_both_paths_agree(api, f"menu/activities/{activity.pk}")
        assert bare["citations"] == bare["facts"] == []
    kept = api.get(f"menu/activities/{activities[3].pk}")
    assert kept.status_code == (200 if who == "nato_staff" else 404)


def test_course_record_is_a_course(nato_staff, centre_staff):
    """A Regional Centre course read through the menu says so, on both paths."""
    from icihub.training.tests import factories

    course = factories.make_course(centre_staff)
    record = assert_both_paths_agree(ApiClient(nato_staff), f"menu/activities/{course.pk}")
    assert record["is_course"] is True
