"""One declaration of a model's filters serves its API list and its list page
(``core.listing.ModelFilters``): the API refuses a bad value with a 422 naming
the field, the page ignores it and applies the others, an empty value is no
filter, and a page cannot show a filter its declaration lacks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from icihub.core import audit
from icihub.core.filters import SourceFilters, UserFilters
from icihub.core.listing import Filter, ListPage
from icihub.core.models import AuditEntry, Source, User
from icihub.core.views import AUDIT_LIST, SOURCE_LIST
from icihub.testing import ApiClient


@pytest.fixture
def two_sources(db):
    with audit.suspended():
        return [
            Source.objects.create(
                key="flt-nato", title="A", publisher="NATO", kind=Source.Kind.NEWS
            ),
            Source.objects.create(
                key="flt-ici", title="B", publisher="ICI", kind=Source.Kind.REPORT
            ),
        ]


def _get(path, params=None):
    request = RequestFactory().get(path, params or {})
    request.user = AnonymousUser()
    return request


def _keys(qs) -> set[str]:
    return set(qs.filter(key__startswith="flt-").values_list("key", flat=True))


def test_an_empty_value_is_no_filter(two_sources, kwt_coordinator):
    users = User.objects.all()
    assert UserFilters(country="").filter(users).count() == users.count() > 0
    assert list(UserFilters(country="kwt").filter(users)) == [kwt_coordinator]
    everything = Source.objects.all()
    assert _keys(SourceFilters(publisher="nat").filter(everything)) == {"flt-nato"}
    assert _keys(SourceFilters(q="nato").filter(everything)) == {"flt-nato"}


def test_the_api_refuses_a_bad_value_naming_the_field(two_sources):
    response = ApiClient().get("sources", {"kind": "not-a-kind"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kind"]
    listed = ApiClient().get("sources", {"kind": "report", "limit": 1000}).json()["items"]
    assert {s["key"] for s in listed if s["key"].startswith("flt-")} == {"flt-ici"}


def test_the_page_ignores_a_bad_value_and_applies_the_others(two_sources):
    request = _get("/sources/", {"kind": "not-a-kind", "marking": "public"})
    qs, active = SOURCE_LIST._apply_filterset(request, Source.objects.all(), "")
    assert active == {"marking": "public"}
    request = _get("/sources/", {"kind": "report"})
    qs, active = SOURCE_LIST._apply_filterset(request, Source.objects.all(), "")
    assert active == {"kind": "report"} and _keys(qs) == {"flt-ici"}
    # the search goes through the declaration's q
    request = _get("/sources/")
    qs, _active = SOURCE_LIST._apply_filterset(request, Source.objects.all(), "ici")
    assert _keys(qs) == {"flt-ici"}


def test_a_page_filter_may_name_a_field_of_another_name(two_sources):
    """The audit page's ``from`` is the declaration's ``date_from``."""
    entries = AuditEntry.objects.all()
    request = _get("/audit/", {"from": "2999-01-01"})
    qs, active = AUDIT_LIST._apply_filterset(request, entries, "")
    assert active == {"from": "2999-01-01"} and not qs.exists()
    request = _get("/audit/", {"from": "not-a-date"})
    qs, active = AUDIT_LIST._apply_filterset(request, entries, "")
    assert active == {} and qs.count() == entries.count()


def test_a_page_cannot_show_a_filter_its_declaration_lacks():
    with pytest.raises(ImproperlyConfigured, match="no field"):
        ListPage(
            template="core/source_list.html",
            results_template="core/_source_results.html",
            filterset=SourceFilters,
            filters=[Filter("publisher_country", "Country")],
        )
