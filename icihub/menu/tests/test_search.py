"""Full-text search, filters and facet counts of the cooperation menu."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from icihub.menu import selectors
from icihub.menu.models import Activity
from icihub.testing import assert_constant_queries

pytestmark = pytest.mark.django_db


def codes(result):
    return [a.code for a in result.activities()[:1000]]


def facet_counts(result, name):
    return {v.value: v.count for v in result.facet(name).values}


def test_search_matches_english_case_and_accents(make_activity, nato_staff):
    make_activity("A-1", title="Cyber Incident Handling", description="Réponse aux incidents")
    make_activity("A-2", title="Maritime security")
    assert codes(selectors.search(nato_staff, {"q": "CYBER incident"})) == ["A-1"]
    assert codes(selectors.search(nato_staff, {"q": "reponse"})) == ["A-1"]
    assert codes(selectors.search(nato_staff, {"q": "cyber maritime"})) == []


def test_search_folds_arabic_letters_and_diacritics(make_activity, nato_staff):
    make_activity("AR-1", title="Cyber", title_ar="الأمن السيبراني")
    make_activity("AR-2", title="Energy", description_ar="أمن الطاقة والمرونة")
    # Alef with hamza, taa marbuta and diacritics are folded on both sides.
    assert codes(selectors.search(nato_staff, {"q": "الامن"})) == ["AR-1"]
    assert codes(selectors.search(nato_staff, {"q": "السِّيبرانيّ"})) == ["AR-1"]
    assert codes(selectors.search(nato_staff, {"q": "الطاقه"})) == ["AR-2"]


def test_filters_combine_and_facets_are_disjunctive(make_activity, nato_staff):
    make_activity("F-1", format="course", areas=["cyber-defence"], frameworks=["ici"])
    make_activity("F-2", format="seminar", areas=["cyber-defence"], frameworks=["md"])
    make_activity("F-3", format="course", areas=["maritime-security"], frameworks=["ici"])
    result = selectors.search(nato_staff, {"format": ["course"], "area": ["cyber-defence"]})
    assert codes(result) == ["F-1"]
    # Formats are counted with the area filter only: the seminar stays visible.
    assert facet_counts(result, "format") == {"course": 1, "seminar": 1}
    # Areas are counted with the format filter only.
    assert facet_counts(result, "area") == {"cyber-defence": 1, "maritime-security": 1}
    # Several values of one filter are alternatives.
    both = selectors.search(nato_staff, {"area": ["cyber-defence", "maritime-security"]})
    assert codes(both) == ["F-1", "F-2", "F-3"]


def test_eligibility_facets_follow_frameworks_and_countries(make_activity, nato_staff):
    make_activity("E-ICI", frameworks=["ici"])
    make_activity("E-MD", frameworks=["md"])
    make_activity("E-SAU", frameworks=["md"], countries=["SAU"])
    make_activity("E-ALL")  # no framework, no country: open to every partner
    kuwait = selectors.search(nato_staff, {"country": ["KWT"]})
    assert codes(kuwait) == ["E-ALL", "E-ICI"]
    saudi = selectors.search(nato_staff, {"country": ["SAU"]})
    assert "E-SAU" in codes(saudi) and "E-MD" not in codes(saudi)
    assert codes(selectors.search(nato_staff, {"framework": ["md"]})) == [
        "E-ALL",
        "E-MD",
        "E-SAU",
    ]
    counts = facet_counts(selectors.search(nato_staff, {}), "country")
    assert counts["KWT"] == 2
    assert counts["EGY"] == 3  # MD member: E-MD, E-SAU, E-ALL


def test_year_language_level_provider_and_status(make_activity, nato_staff):
    year = dt.date.today().year
    make_activity("Y-OLD", first_year=2010, last_year=2012, languages="en,ar", level="basic")
    make_activity("Y-NOW", first_year=year - 1, provider="jallc", level="advanced")
    make_activity("Y-RET", status=Activity.Status.RETIRED)
    assert codes(selectors.search(nato_staff, {"year": ["2011"]})) == ["Y-OLD"]
    assert "Y-NOW" in codes(selectors.search(nato_staff, {"year": [str(year)]}))
    assert codes(selectors.search(nato_staff, {"language": ["ar"]})) == ["Y-OLD"]
    assert codes(selectors.search(nato_staff, {"level": ["advanced"]})) == ["Y-NOW"]
    assert codes(selectors.search(nato_staff, {"provider": ["jallc"]})) == ["Y-NOW"]
    # Retired activities are hidden unless asked for.
    assert "Y-RET" not in codes(selectors.search(nato_staff, {}))
    assert codes(selectors.search(nato_staff, {"status": ["retired"]})) == ["Y-RET"]
    assert "Y-RET" in codes(selectors.search(nato_staff, {"status": ["all"]}))
    assert facet_counts(selectors.search(nato_staff, {}), "status") == {"active": 2, "retired": 1}


def test_markings_decide_who_sees_an_activity(make_activity, every_role):
    make_activity("M-PUB", marking="public")
    make_activity("M-ICI", marking="rel_ici")
    make_activity("M-NATO", marking="nato")
    assert codes(selectors.search(AnonymousUser(), {})) == ["M-PUB"]
    assert codes(selectors.search(every_role["coordinator_kwt"], {})) == ["M-ICI", "M-PUB"]
    assert codes(selectors.search(every_role["centre_staff"], {})) == ["M-ICI", "M-PUB"]
    assert codes(selectors.search(every_role["nato_staff"], {})) == ["M-ICI", "M-NATO", "M-PUB"]
    # Facets count only what the user sees.
    assert facet_counts(selectors.search(AnonymousUser(), {}), "format") == {"course": 1}


def test_sorting(make_activity, nato_staff):
    make_activity("S-2", title="alpha")
    make_activity("S-1", title="Beta")
    assert codes(selectors.search(nato_staff, {})) == ["S-1", "S-2"]
    assert codes(selectors.search(nato_staff, {"sort": "title"})) == ["S-2", "S-1"]


def test_search_and_facets_run_a_constant_number_of_queries(make_activity, nato_staff):
    counter = iter(range(1000))

    def grow():
        for _ in range(20):
            n = next(counter)
            make_activity(
                f"G-{n:04d}",
                areas=["cyber-defence", "cbrn"],
                frameworks=["ici", "md"],
                countries=["SAU"],
                provider="jallc" if n % 2 else "marcom",
                first_year=2015,
            )

    def fetch():
        result = selectors.search(nato_staff, {"q": "activity", "area": ["cbrn"]})
        page = result.activities()[:25]
        for a in page:
            list(a.areas.all()), list(a.eligible_frameworks.all()), a.provider

    grow()
    assert_constant_queries(fetch, grow)


def test_areas_with_counts(make_activity, nato_staff):
    make_activity(areas=["cbrn"])
    make_activity(areas=["cbrn"], status=Activity.Status.RETIRED)
    counts = {a.code: a.activity_count for a in selectors.areas_with_counts(nato_staff)}
    assert counts["cbrn"] == 1
    assert len(counts) == 22


# Codes that a collation other than the code points' would order differently:
# case, punctuation, a number's digits, a letter with a diacritic.
ORDERED_CODES = ["A-1", "A-10", "A-2", "B-2", "Z", "_x", "a", "a-1", "Ä-1"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "activity"},
        {"status": ["all"]},
        {"status": ["retired"]},
        {"q": "ac", "status": ["all"]},
    ],
)
def test_the_list_read_in_sql_is_the_list_decided_in_python(make_activity, every_role, params):
    """Without facets, text and status only, by code: the ids are read in order
    by the database (``_ids_by_code``); with facets they are decided on the rows
    in Python. Both answer the same ids in the same order, on both databases,
    for each role's markings."""
    for i, code in enumerate(reversed(ORDERED_CODES)):
        make_activity(
            code,
            title=f"Activity {code}",
            status="retired" if i % 3 == 0 else "active",
            marking=("public", "rel_ici", "nato")[i % 3],
        )
    for user in (AnonymousUser(), every_role["coordinator_kwt"], every_role["nato_staff"]):
        in_sql = selectors.search(user, params, with_facets=False)
        in_python = selectors.search(user, params, with_facets=True)
        assert in_sql.ids == in_python.ids
        assert in_sql.total is None and in_python.total is not None
    everything = selectors.search(every_role["nato_staff"], {"status": ["all"]}, with_facets=False)
    assert codes(everything) == ORDERED_CODES


def test_a_filter_or_another_order_is_decided_in_python(make_activity, nato_staff):
    make_activity("O-2", title="alpha", format="seminar")
    make_activity("O-1", title="Beta")
    assert codes(selectors.search(nato_staff, {"sort": "title"}, with_facets=False)) == [
        "O-2",
        "O-1",
    ]
    assert codes(selectors.search(nato_staff, {"format": ["seminar"]}, with_facets=False)) == [
        "O-2"
    ]
    assert selectors.search(nato_staff, {"format": ["seminar"]}, with_facets=False).total == 2
