"""The registry's pages: what they show, search and filters, the staff's forms
with field errors, and who gets edit controls."""

import re

import pytest
from django.urls import reverse

from icihub.core.models import AuditEntry, Citation
from icihub.partners.models import Organisation, Partnership, Person
from icihub.testing import client_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def results(url, params=None, user=None) -> str:
    """The #results fragment of a list page, as htmx asks for it."""
    response = client_for(user).get(
        url, params or {}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    return html


# -- record pages -----------------------------------------------------------------------------


def test_kuwait_page_shows_names_codes_partnership_sources_and_the_conflict():
    response = client_for(None).get("/partners/countries/KWT/")
    assert response.status_code == 200
    html = text(response)
    assert '<span class="ar" dir="rtl" lang="ar">الكويت</span>' in html
    for code in ("KWT", "KW", "414"):
        assert "<code" in html and code in html
    assert "Gulf Cooperation Council" in html
    # the ICI partnership: status, month-precise accession, footnotes, conflict box
    assert "Istanbul Cooperation Initiative" in html
    assert "Member" in html
    assert "December 2004" in html
    assert "2004-12-01" not in html
    assert "[seed-000]" in html and "[nato-ici-page]" in html
    assert "Sources disagree" in html
    assert "January–March 2005" in html
    assert "in the first three months of 2005" in html
    assert "Kuwaiti news outlets" in html
    assert "November 2004" in html
    # the facts table
    assert "Stated value" in html and "Passage" in html
    # organisations, missions, people
    assert "Mission of the State of Kuwait to NATO" in html
    assert "National Security Bureau" in html
    assert "Jassim Al Budiawi" in html
    assert "Head of Mission" in html
    # the history link, and no edit controls for a visitor
    assert reverse("core:history", args=["partners.country", _pk("KWT")]) in html
    assert "/edit/" not in html


def _pk(iso3):
    from icihub.partners.models import Country

    return Country.objects.get(iso3=iso3).pk


@pytest.mark.parametrize("code", ["kwt", "KW", "kw"])
def test_country_codes_in_any_case_lead_to_the_country(code):
    response = client_for(None).get(f"/partners/countries/{code}/")
    assert response.status_code == 302
    assert response["Location"] == "/partners/countries/KWT/"


def test_an_unknown_country_is_404():
    assert client_for(None).get("/partners/countries/XYZ/").status_code == 404


def test_the_centre_page_shows_both_inauguration_dates():
    html = text(client_for(None).get("/partners/organisations/nato-ici-rc/"))
    assert "24 January 2017" in html
    assert "23 January 2017" in html
    assert "Sources disagree" in html
    assert "مركز الناتو الإقليمي" in html
    assert 'dir="rtl" lang="ar"' in html
    assert "History" in html


def test_nato_hq_page_shows_appointments_over_time_missions_and_parts():
    html = text(client_for(None).get("/partners/organisations/nato-hq/"))
    assert html.index("Anders Fogh Rasmussen") < html.index("Jens Stoltenberg")
    assert "2009" in html and "2014" in html and "2024" in html
    assert "Mission of the State of Kuwait to NATO" in html  # accredited mission
    assert "Political Affairs and Security Policy Division" in html  # a part of it


def test_person_page_shows_appointments_and_sources():
    html = text(client_for(None).get("/partners/people/jassim-al-budiawi/"))
    assert "جاسم البديوي" in html
    assert "Head of Mission" in html
    assert "Mission of the State of Kuwait to NATO" in html
    assert "The mission will be headed by Jassim Al Budiawi" in html
    assert "History" in html


def test_gcc_page_shows_its_members_and_secretariat():
    html = text(client_for(None).get("/partners/groupings/gcc/"))
    for name in ("Bahrain", "Kuwait", "Oman", "Qatar", "Saudi Arabia", "United Arab Emirates"):
        assert name in html
    assert reverse("partners:organisation_detail", args=["gcc-secretariat"]) in html
    assert "Secretariat General of the Gulf Cooperation Council" in html


def test_framework_page_lists_partners_by_status():
    html = text(client_for(None).get("/partners/frameworks/ici/"))
    assert "28 June 2004" in html
    assert "NATO Summit, Istanbul" in html
    assert html.index("Kuwait") < html.index("Saudi Arabia")
    assert "Non-member taking part in selected activities and dialogue" in html


def test_partnership_page_shows_sources():
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    html = text(client_for(None).get(f"/partners/partnerships/{kwt.pk}/"))
    assert "December 2004" in html
    assert "Sources disagree" in html
    assert reverse("core:history", args=["partners.partnership", kwt.pk]) in html


def test_home_page_shows_members_timeline_and_the_centre():
    html = text(client_for(None).get("/"))
    assert "December 2004" in html
    assert "Kuwait joins" in html
    assert "Sources disagree" in html
    assert "23 January 2017 (NATO)" in html


# -- lists -------------------------------------------------------------------------------------


def test_country_list_filters_by_framework_and_status():
    html = results("/partners/countries/", {"framework": "ici", "status": "member"})
    for name in ("Bahrain", "Kuwait", "Qatar", "United Arab Emirates"):
        assert name in html
    assert "Saudi Arabia" not in html
    assert "4 records" in html


def test_country_list_filters_by_grouping():
    html = results("/partners/countries/", {"grouping": "gcc"})
    assert "Saudi Arabia" in html and "Oman" in html
    assert "6 records" in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [("الأردن", "Jordan"), ("الاردن", "Jordan"), ("kwt", "Kuwait"), ("QA", "Qatar")],
)
def test_country_search_by_arabic_name_and_iso_codes(q, expected):
    html = results("/partners/countries/", {"q": q})
    assert expected in html


def test_list_answers_htmx_with_the_results_fragment_only():
    response = client_for(None).get(
        "/partners/countries/",
        {"q": "kuwait"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    html = text(response)
    assert "<html" not in html
    assert "Kuwait" in html
    assert "Jordan" not in html


def test_lists_paginate():
    html = text(client_for(None).get("/partners/countries/", {"all": "1", "page": 2}))
    assert "Page 2 of" in html


def test_a_malformed_filter_is_ignored_not_a_500():
    response = client_for(None).get("/partners/partnerships/", {"status": "nonsense", "page": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "params", "present", "absent"),
    [
        ("/partners/organisations/", {"kind": "coe"}, "Cooperative Cyber Defence", "Kuwait City"),
        (
            "/partners/organisations/",
            {"country": "KWT"},
            "National Security Bureau",
            "NATO School Oberammergau",
        ),
        ("/partners/organisations/", {"q": "vyskov"}, "Joint CBRN Defence", "JALLC"),
        ("/partners/people/", {"country": "NOR"}, "Jens Stoltenberg", "Budiawi"),
        ("/partners/people/", {"organisation": "nato-hq"}, "Rasmussen", "Budiawi"),
        ("/partners/people/", {"q": "البديوي"}, "Budiawi", "Stoltenberg"),
        ("/partners/partnerships/", {"framework": "md"}, "Jordan", "Kuwait"),
        ("/partners/partnerships/", {"country": "KWT"}, "Kuwait", "Qatar"),
        ("/partners/frameworks/", {"q": "mediterranean"}, "Mediterranean Dialogue", "Istanbul"),
    ],
)
def test_list_filters_and_search(url, params, present, absent):
    html = results(url, params)
    assert present in html
    assert absent not in html


# -- staff forms -------------------------------------------------------------------------------


def test_staff_see_edit_controls_and_coordinators_do_not(nato_staff, kwt_coordinator, centre_staff):
    edit = reverse("partners:organisation_edit", args=["nato-ici-rc"])
    page = "/partners/organisations/nato-ici-rc/"
    assert edit in text(client_for(nato_staff).get(page))
    for user in (kwt_coordinator, centre_staff, None):
        html = text(client_for(user).get(page))
        assert edit not in html
        assert "Add a source" not in html
    assert reverse("partners:person_create") in text(
        client_for(nato_staff).get("/partners/people/")
    )
    assert reverse("partners:person_create") not in text(
        client_for(kwt_coordinator).get("/partners/people/")
    )


@pytest.mark.parametrize(
    "url",
    [
        "/partners/organisations/nato-ici-rc/edit/",
        "/partners/organisations/nato-ici-rc/delete/",
        "/partners/people/jens-stoltenberg/edit/",
        "/partners/people/new/",
        "/partners/frameworks/ici/edit/",
        "/partners/partnerships/new/",
        "/partners/countries/KWT/edit/",
        "/partners/people/jens-stoltenberg/appointments/new/",
    ],
)
def test_coordinators_get_403_when_they_post(kwt_coordinator, url):
    response = client_for(kwt_coordinator).post(url, {"name": "Changed", "title": "x"})
    assert response.status_code == 403
    assert Organisation.objects.get(slug="nato-ici-rc").name == "NATO-ICI Regional Centre"
    assert Person.objects.get(slug="jens-stoltenberg").name == "Jens Stoltenberg"


def test_visitors_are_sent_to_sign_in_for_forms():
    response = client_for(None).get("/partners/people/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_staff_create_an_organisation_through_the_form(nato_staff):
    client = client_for(nato_staff)
    assert client.get("/partners/organisations/new/").status_code == 200
    response = client.post(
        "/partners/organisations/new/",
        {
            "name": "Qatar National Security Agency",
            "name_ar": "جهاز أمن الدولة",
            "acronym": "QSS",
            "kind": "security_body",
            "country": _pk("QAT"),
            "city": "Doha",
            "established": "2003",
            "is_public": "on",
        },
    )
    org = Organisation.objects.get(slug="qss")
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:organisation_detail", args=["qss"])
    assert org.established.iso() == "2003"
    [entry] = AuditEntry.objects.filter(
        content_type__model="organisation", object_id=str(org.pk), action="create"
    )
    assert (entry.via, entry.actor) == ("ui", nato_staff)


def test_form_errors_are_shown_on_their_field_and_nothing_changes(nato_staff):
    kwt = Partnership.objects.get(country__iso3="KWT", framework__code="ici")
    url = f"/partners/partnerships/{kwt.pk}/edit/"
    response = client_for(nato_staff).post(
        url,
        {
            "country": kwt.country_id,
            "framework": kwt.framework_id,
            "status": "former",
            "accession": "2004-12",
            "exit": "2003",
            "is_public": "on",
        },
    )
    assert response.status_code == 200
    html = text(response)
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S).group(0)
    assert 'name="exit"' in field
    assert "cannot be before" in field
    kwt.refresh_from_db()
    assert (kwt.status, kwt.exit) == ("member", None)


def test_a_bad_partial_date_is_a_field_error_in_the_form(nato_staff):
    response = client_for(nato_staff).post(
        "/partners/people/jens-stoltenberg/appointments/new/",
        {
            "organisation": Organisation.objects.get(slug="nato-hq").pk,
            "title": "x",
            "start": "2014-13",
        },
    )
    assert response.status_code == 200
    assert 'class="field has-error"' in text(response)
    assert Person.objects.get(slug="jens-stoltenberg").appointments.count() == 1


def test_a_second_open_partnership_is_shown_on_the_framework_field(nato_staff):
    response = client_for(nato_staff).post(
        "/partners/partnerships/new/",
        {
            "country": _pk("KWT"),
            "framework": Partnership.objects.filter(framework__code="ici").first().framework_id,
            "status": "member",
        },
    )
    assert response.status_code == 200
    field = re.search(r'<div class="field has-error">.*?</div>', text(response), re.S).group(0)
    assert 'name="framework"' in field
    assert "already has an open partnership" in field


def test_partnership_form_is_prefilled_from_the_country_page(nato_staff):
    html = text(client_for(nato_staff).get("/partners/partnerships/new/?country=kwt&framework=md"))
    assert re.search(rf'<option value="{_pk("KWT")}" selected>Kuwait</option>', html)


def test_staff_add_and_remove_a_source_through_the_pages(nato_staff):
    client = client_for(nato_staff)
    person = Person.objects.get(slug="jens-stoltenberg")
    url = reverse("partners:citation_create", args=["person", person.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"attribute": "born", "kind": "date", "value": "soon", "source": "seed-000"}
    )
    assert bad.status_code == 200
    assert "is not a date" in text(bad)
    response = client.post(
        url,
        {
            "attribute": "born",
            "kind": "date",
            "value": "1959-03-16",
            "source": "seed-000",
            "quote": "Jens Stoltenberg",
        },
    )
    assert response.status_code == 302
    citation = Citation.objects.get(attribute="born", object_id=person.pk)
    assert citation.value == "1959-03-16"
    page = text(client.get("/partners/people/jens-stoltenberg/"))
    assert "16 March 1959" in page
    response = client.post(reverse("partners:citation_delete", args=[citation.pk]))
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()


def test_coordinators_cannot_add_sources(kwt_coordinator):
    person = Person.objects.get(slug="jens-stoltenberg")
    url = reverse("partners:citation_create", args=["person", person.pk])
    response = client_for(kwt_coordinator).post(
        url, {"attribute": "born", "kind": "date", "value": "1959", "source": "seed-000"}
    )
    assert response.status_code == 403
    citation = Citation.objects.filter(content_type__model="partnership").first()
    assert (
        client_for(kwt_coordinator)
        .post(reverse("partners:citation_delete", args=[citation.pk]))
        .status_code
        == 403
    )
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_deleting_a_referred_organisation_shows_why(nato_staff):
    response = client_for(nato_staff).post("/partners/organisations/nato-hq/delete/", follow=True)
    assert response.status_code == 200
    assert "still referred to" in text(response)
    assert Organisation.objects.filter(slug="nato-hq").exists()


def test_staff_edit_a_person_and_delete_an_appointment(administrator):
    client = client_for(administrator)
    response = client.post(
        "/partners/people/khalid-al-jarallah/edit/",
        {
            "name": "Khaled Al-Jarallah",
            "name_ar": "خالد الجارالله",
            "slug": "khalid-al-jarallah",
            "country": _pk("KWT"),
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(slug="khalid-al-jarallah").name == "Khaled Al-Jarallah"
    appointment = Person.objects.get(slug="khalid-al-jarallah").appointments.get()
    response = client.post(reverse("partners:appointment_delete", args=[appointment.pk]))
    assert response.status_code == 302
    assert not Person.objects.get(slug="khalid-al-jarallah").appointments.exists()


def test_list_filters_ignore_the_case_of_codes():
    html = results(
        "/partners/countries/", {"framework": "ICI", "status": "member", "grouping": "GCC"}
    )
    assert "4 records" in html
    assert "Kuwait" in results("/partners/partnerships/", {"country": "kwt"})
    assert "National Security Bureau" in results("/partners/organisations/", {"country": "kwt"})


def test_country_list_opens_on_the_partners_not_every_iso_country():
    opening = results("/partners/countries/")
    for name in ("Bahrain", "Kuwait", "Qatar", "United Arab Emirates"):
        assert name in opening
    assert "Brazil" not in opening
    page = text(client_for(None).get("/partners/countries/"))
    assert 'data-country-scope="partners"' in page
    assert "249 records" in results("/partners/countries/", {"all": "1"})
    assert "249 records" not in opening
    # A search finds any country.
    assert "Brazil" in results("/partners/countries/", {"q": "Brazil"})
