"""The public certificate check (issue 14, point 6): the form at /verify/, the
result at /verify/<code> (what the certificate prints and its status, nothing
else), the API's check with the same fields, the issuing address stored on the
certificate and used by the printed address and the QR code, and the limit on
attempts per address."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from icihub.testing import ApiClient, client_for
from icihub.training import certificates, services
from icihub.training.models import Certificate, Session

from .test_documents import pdf_text

RESULT_FIELDS = ["code", "holder", "course", "dates", "issued", "status"]


@pytest.fixture
def finished(session, kuwaitis, kwt_coordinator, centre_staff):
    """A completed session whose two nominees completed the course (no
    certificate issued yet); the first has an Arabic name, a position, an
    organisation and a date of birth, none of which the check shows."""
    services.update_participant(
        centre_staff,
        kuwaitis[0],
        {
            "name_ar": "يوسف العجمي",
            "given_name": "Yousef",
            "position": "Head of Planning Branch",
            "organisation": "Kuwait National Guard HQ",
            "date_of_birth": dt.date(1983, 4, 17),
        },
    )
    nominations = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    for n in nominations:
        services.accept(centre_staff, n)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    services.record_attendance(
        centre_staff, session, {n.pk: set(session.days) for n in nominations}
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    for n in nominations:
        services.submit_evaluation(centre_staff, n, dict.fromkeys(services.SCORE_FIELDS, 4))
    return {"session": session, "nominations": nominations, "person": kuwaitis[0]}


@pytest.fixture
def certificate(finished, centre_staff):
    return services.issue_certificate(centre_staff, finished["nominations"][0])


def _fields(html: str) -> dict[str, str]:
    """The result's fields (``data-field``) and their text, tags removed."""
    out = {}
    for name, inner in re.findall(r'<dd data-field="([a-z]+)">(.*?)</dd>', html, re.S):
        text = re.sub(r"<[^>]+>", " ", inner)
        out[name] = " ".join(text.split())
    return out


def _result(html: str) -> str:
    match = re.search(r"<section data-verify-result.*?</section>", html, re.S)
    assert match, "no result on the page"
    return match.group(0)


# -- the form ---------------------------------------------------------------------------------


def test_the_form_is_public_and_shows_no_result(db):
    page = client_for(None).get(reverse("verify_form"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="code"' in html and 'id="verify-form"' in html
    assert "data-verify-result" not in html
    assert page["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{lower}",
        "  {spaced}  ",
        "{bare}",
        "{lower_bare}",
        "{en_dash}",
    ],
)
def test_the_form_reads_a_code_typed_any_way_and_goes_to_its_result(certificate, typed):
    code = certificate.code
    bare = code.replace("-", "")
    typed = typed.format(
        code=code,
        lower=code.lower(),
        spaced=" ".join(bare[i : i + 4] for i in range(0, 12, 4)),
        bare=bare,
        lower_bare=bare.lower(),
        en_dash=code.replace("-", " – "),
    )
    response = client_for(None).get(reverse("verify_form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}"


def test_arabic_indic_digits_and_full_width_letters_are_read_as_ascii():
    assert services.normalise_code("k٧qf ٣mzp wx٢d") == "K7QF-3MZP-WX2D"
    assert services.normalise_code("Ｋ７ＱＦ３ＭＺＰＷＸ２Ｄ") == "K7QF-3MZP-WX2D"
    assert services.is_code("k7qf.3mzp.wx2d")
    assert not services.is_code("K0QF-3MZP-WX2D")  # 0 is not in the alphabet
    assert not services.is_code("K7QF-3MZP")


@pytest.mark.parametrize("typed", ["", "   ", "abc", "K7QF-3MZP-WX2D-AAAA", "<script>"])
def test_a_malformed_code_is_a_form_error_not_a_lookup(db, typed):
    response = client_for(None).get(reverse("verify_form"), {"code": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist"' in html and "data-verify-result" not in html
    assert "<script>" not in html


def test_the_result_path_also_reads_a_code_typed_any_way(certificate):
    bare = certificate.code.replace("-", "").lower()
    page = client_for(None).get(f"/verify/{bare}")
    assert page.status_code == 200
    assert _fields(page.content.decode())["code"] == certificate.code


# -- the result -------------------------------------------------------------------------------


def test_the_result_shows_exactly_what_the_certificate_prints(certificate, finished):
    person = finished["person"]
    session = finished["session"]
    page = client_for(None).get(f"/verify/{certificate.code}")
    html = page.content.decode()
    assert page.status_code == 200
    result = _result(html)
    assert 'data-state="valid"' in result
    assert "This certificate is valid." in result
    fields = _fields(result)
    assert list(fields) == RESULT_FIELDS
    assert fields["code"] == certificate.code
    assert fields["holder"] == f"Major Yousef {person.family_name} يوسف العجمي"
    assert fields["course"] == "NIRC-T-001 – Crisis management for practitioners"
    assert fields["dates"] == f"{session.start:%-d %B %Y} – {session.end:%-d %B %Y}"
    assert fields["issued"] == f"{timezone.localdate(certificate.issued_at):%-d %B %Y}"
    assert fields["status"] == "valid"
    assert page["Cache-Control"] == "no-store"


def test_a_revoked_certificate_says_so_with_its_date_and_not_the_reason(certificate, centre_staff):
    services.revoke_certificate(centre_staff, certificate, reason="Forged attendance sheet")
    certificate.refresh_from_db()
    page = client_for(None).get(f"/verify/{certificate.code}")
    result = _result(page.content.decode())
    revoked = f"{timezone.localdate(certificate.revoked_at):%-d %B %Y}"
    assert page.status_code == 200 and 'data-state="revoked"' in result
    assert f"This certificate was revoked on {revoked}: it is no longer valid." in result
    assert _fields(result)["status"] == f"revoked on {revoked}"
    assert list(_fields(result)) == RESULT_FIELDS
    assert "Forged" not in page.content.decode()


def test_an_unknown_code_says_no_certificate_has_it_in_the_same_shape(certificate):
    page = client_for(None).get("/verify/ZZZZ-ZZZZ-ZZZZ")
    html = page.content.decode()
    assert page.status_code == 404
    result = _result(html)
    assert 'data-state="unknown"' in result
    assert "No certificate has this code." in result
    assert _fields(result) == {"code": "ZZZZ-ZZZZ-ZZZZ"}
    assert certificate.code not in html


def test_the_check_leaks_no_other_personal_field(certificate, finished, centre_staff):
    person = finished["person"]
    other = finished["nominations"][1].participant
    services.revoke_certificate(centre_staff, certificate, reason="Duplicate of another record")
    for user in (None, centre_staff):  # staff see no more here than anyone
        html = client_for(user).get(f"/verify/{certificate.code}").content.decode()
        result = _result(html)
        for absent in (
            person.email,
            person.email.split("@")[0],
            "1983",
            "Head of Planning Branch",
            "Kuwait National Guard HQ",
            person.country.name,
            "Duplicate of another record",
            centre_staff.username,
            other.family_name,
            f"/training/participants/{person.pk}",
            f"/training/certificates/{certificate.pk}",
            f"/training/nominations/{certificate.nomination_id}",
            f"/training/sessions/{finished['session'].pk}",
        ):
            assert absent not in result, absent
        assert person.email not in html and "Head of Planning Branch" not in html


def test_the_arabic_page_shows_the_arabic_names_first(certificate, finished, client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(f"/verify/{certificate.code}").content.decode()
    fields = _fields(_result(html))
    assert fields["holder"] == f"يوسف العجمي Major Yousef {finished['person'].family_name}"
    assert fields["course"] == "NIRC-T-001 – إدارة الأزمات"
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_without_an_arabic_name_the_arabic_page_shows_the_latin_one(
    certificate, finished, centre_staff, client
):
    person = finished["person"]
    services.update_participant(centre_staff, person, {"name_ar": ""})
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ar"
    fields = _fields(_result(client.get(f"/verify/{certificate.code}").content.decode()))
    assert fields["holder"] == f"Major Yousef {person.family_name}"


# -- the API: the same fields -------------------------------------------------------------------


def test_the_api_answers_the_same_fields_as_the_page(certificate, finished, centre_staff):
    person, session = finished["person"], finished["session"]
    body = ApiClient().get(f"training/verify/{certificate.code.replace('-', ' ').lower()}").json()
    assert body == {
        "code": certificate.code,
        "state": "valid",
        "holder": f"Major Yousef {person.family_name}",
        "holder_ar": "يوسف العجمي",
        "anonymised": False,
        "course_code": "NIRC-T-001",
        "course_title": "Crisis management for practitioners",
        "course_title_ar": "إدارة الأزمات",
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "issued_on": timezone.localdate(certificate.issued_at).isoformat(),
        "revoked_on": None,
    }
    services.revoke_certificate(centre_staff, certificate, reason="error")
    certificate.refresh_from_db()
    body = ApiClient().get(f"training/verify/{certificate.code}").json()
    assert body["state"] == "revoked"
    assert body["revoked_on"] == timezone.localdate(certificate.revoked_at).isoformat()
    unknown = ApiClient().get("training/verify/ZZZZ-ZZZZ-ZZZZ").json()
    assert unknown["state"] == "unknown" and unknown["holder"] == "" and unknown["start"] is None


# -- the issuing address ------------------------------------------------------------------------


def test_a_certificate_issued_in_a_browser_prints_the_address_it_was_issued_from(
    finished, centre_staff, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "icihub.centre.example"]
    staff = client_for(centre_staff)
    response = staff.post(
        reverse("training:session_certify", args=[finished["session"].pk]),
        HTTP_HOST="icihub.centre.example",
        secure=True,
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(nomination=finished["nominations"][0])
    assert certificate.base_url == "https://icihub.centre.example"
    expected = f"https://icihub.centre.example/verify/{certificate.code}"
    assert certificate.verify_url() == expected
    assert settings.ICIHUB_BASE_URL not in expected
    # The printed address and the QR code.
    text = pdf_text(certificates.render_pdf(certificate))
    assert expected in text.replace("\n", " ")
    assert settings.ICIHUB_BASE_URL not in text
    html = certificates.render_html(certificate)
    assert certificates.qr_data_uri(expected) in html
    assert certificates.qr_data_uri(
        f"{settings.ICIHUB_BASE_URL}/verify/{certificate.code}"
    ) not in (html)


def test_the_api_stores_its_request_address_too(finished, centre_staff, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.centre.example"]
    api = ApiClient(centre_staff)
    response = api.client.post(
        "/api/v1/training/certificates",
        data={"nomination": finished["nominations"][1].pk},
        content_type="application/json",
        headers=api.headers,
        HTTP_HOST="api.centre.example",
    )
    assert response.status_code == 201, response.content
    assert response.json()["verify_url"].startswith("http://api.centre.example/verify/")


def test_without_a_request_the_configured_address_is_stored(finished, centre_staff, settings):
    settings.ICIHUB_BASE_URL = "https://configured.example"
    certificate = services.issue_certificate(centre_staff, finished["nominations"][0])
    assert certificate.base_url == "https://configured.example"
    # Changing the configuration later does not move a printed address.
    settings.ICIHUB_BASE_URL = "https://elsewhere.example"
    certificate.refresh_from_db()
    assert certificate.verify_url() == f"https://configured.example/verify/{certificate.code}"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://host.example/some/path?q=1", "https://host.example"),
        ("http://host.example:8080", "http://host.example:8080"),
        ("javascript:alert(1)", None),
        ("ftp://host.example", None),
        ("https://user@host.example", None),
        ("", None),
        (None, None),
    ],
)
def test_only_the_scheme_and_host_of_an_http_address_are_kept(given, stored, settings):
    assert services.clean_base_url(given) == (stored or settings.ICIHUB_BASE_URL)


def test_the_migration_gives_existing_certificates_the_configured_address(certificate, settings):
    Certificate.objects.filter(pk=certificate.pk).update(base_url="")
    settings.ICIHUB_BASE_URL = "https://configured.example"
    migration = importlib.import_module("icihub.training.migrations.0006_certificate_base_url")
    migration.configured_base_url(apps, None)
    certificate.refresh_from_db()
    assert certificate.base_url == "https://configured.example"


# -- the limit on attempts ----------------------------------------------------------------------


def test_attempts_are_limited_per_address_with_a_friendly_page(certificate, settings):
    settings.ICIHUB_VERIFY_RATE = 3
    settings.ICIHUB_VERIFY_RATE_WINDOW = 600
    visitor = client_for(None)
    assert visitor.get(f"/verify/{certificate.code}").status_code == 200
    assert visitor.get("/verify/ZZZZ-ZZZZ-ZZZZ").status_code == 404  # unknown codes count
    assert ApiClient().get(f"training/verify/{certificate.code}").status_code == 200  # the API too
    # The form itself is not an attempt.
    assert visitor.get(reverse("verify_form")).status_code == 200
    limited = visitor.get(f"/verify/{certificate.code}")
    html = limited.content.decode()
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 601
    assert "Too many certificate checks from your address." in html
    assert "data-verify-limited" in html and 'id="verify-form"' in html
    assert "data-verify-result" not in html and "Yousef" not in html
    api = ApiClient().get(f"training/verify/{certificate.code}")
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    assert "Retry-After" in api
    # Another address is not affected.
    other = client_for(None).get(f"/verify/{certificate.code}", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_after_anonymisation_the_check_answers_the_same_without_the_name(
    certificate, finished, administrator
):
    from icihub.training import privacy

    url = f"/verify/{certificate.code}"
    before = _fields(_result(client_for(None).get(url).content.decode()))
    api_before = ApiClient().get(f"training/verify/{certificate.code}").json()
    person = finished["person"]
    family = person.family_name
    privacy.anonymise(administrator, person, reason="asked to be forgotten", before_due=True)
    page = client_for(None).get(url)
    html = page.content.decode()
    after = _fields(_result(html))
    assert page.status_code == 200 and 'data-state="valid"' in html
    assert after.pop("holder") == "The name was removed after the retention period."
    before.pop("holder")
    assert after == before
    assert family not in html and "يوسف" not in html and "Anonymised participant" not in html
    api_after = ApiClient().get(f"training/verify/{certificate.code}").json()
    assert (api_after["holder"], api_after["holder_ar"], api_after["anonymised"]) == ("", "", True)
    assert {k: v for k, v in api_after.items() if "holder" not in k and k != "anonymised"} == {
        k: v for k, v in api_before.items() if "holder" not in k and k != "anonymised"
    }
