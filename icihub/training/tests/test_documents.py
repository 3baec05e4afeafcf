"""Certificates (PDF, QR code, ZIP, public verification), the iCalendar feeds and
the exports."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
import zipfile

import pytest
from django.urls import reverse
from icalendar import Calendar

from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry
from icihub.testing import client_for
from icihub.training import certificates, services
from icihub.training.models import Certificate, Session

from . import factories


@pytest.fixture
def completed(session, kuwaitis, kwt_coordinator, centre_staff):
    """A completed session: two Kuwaitis completed, one did not."""
    services.update_participant(
        centre_staff, kuwaitis[0], {"name_ar": "يوسف العجمي", "given_name": "Yousef"}
    )
    nominations = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    services.reallocate(actor=centre_staff, session=session)
    nominations.append(services.nominate(kwt_coordinator, session, kuwaitis[2]))
    for n in nominations:
        services.accept(centre_staff, n)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    days = session.days
    services.record_attendance(
        centre_staff,
        session,
        {
            nominations[0].pk: set(days),
            nominations[1].pk: set(days[:4]),
            nominations[2].pk: {days[0]},
        },
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    for n in nominations[:2]:
        services.submit_evaluation(centre_staff, n, dict.fromkeys(services.SCORE_FIELDS, 4))
    issued, skipped = services.issue_certificates(centre_staff, session)
    return {"session": session, "nominations": nominations, "issued": issued, "skipped": skipped}


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return unicodedata.normalize("NFKC", result.stdout.decode("utf-8"))


def test_completion_rule_and_certificates(completed):
    outcomes = [n.outcome for n in (n for n in completed["session"].nominations.order_by("pk"))]
    assert outcomes == ["completed", "completed", "not_completed"]  # 5/5, 4/5 (80%), 1/5
    assert len(completed["issued"]) == 2
    codes = {c.code for c in completed["issued"]}
    assert len(codes) == 2 and all(len(code) == 14 for code in codes)


def test_the_pdf_carries_both_scripts_the_course_dates_code_and_a_qr_code(completed):
    certificate = completed["issued"][0]
    data = certificates.render_pdf(certificate)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    participant = certificate.nomination.participant
    assert participant.full_name in text
    assert certificate.code in text
    assert "Crisis management for practitioners" in text
    session = certificate.nomination.session
    assert (
        f"{session.start:%B} {session.start.year}" in text or session.start.strftime("%B") in text
    )
    # Arabic: the glyphs are shaped (joined forms) and map back to the letters.
    letters = set("يوسف العجمي".replace(" ", ""))
    assert letters <= set(text), "the Arabic name is missing from the PDF"
    html = certificates.render_html(certificate)
    assert 'src="data:image/svg+xml' in html  # the QR code is inside the document
    assert "http" not in html.split("data:image/svg+xml", 1)[0].split("<body>", 1)[1]


def test_the_qr_code_encodes_the_public_verification_address(completed, settings):
    certificate = completed["issued"][0]
    assert certificate.verify_url() == f"{settings.ICIHUB_BASE_URL}/verify/{certificate.code}"


def test_nothing_is_fetched_from_outside():
    fetcher = certificates._fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/logo.png")
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"


def test_certificates_need_completion_and_the_evaluation(completed, centre_staff):
    not_completed = completed["nominations"][2]
    with pytest.raises(Conflict):
        services.issue_certificate(centre_staff, not_completed)
    assert not completed["skipped"]
    with pytest.raises(Conflict):  # a second certificate for the same nominee
        services.issue_certificate(centre_staff, completed["nominations"][0])


def test_zip_of_a_sessions_certificates(completed, centre_staff):
    response = client_for(centre_staff).get(
        reverse("training:session_certificates_zip", args=[completed["session"].pk])
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    assert archive.read(names[0]).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="export", message__contains="ZIP").exists()


def test_verify_page_says_valid_revoked_or_unknown_with_what_is_printed(completed, centre_staff):
    # Issue 14 point 6: the check shows the holder's name, the course and the
    # dates as printed (it said valid or revoked only before), still no e-mail.
    certificate = completed["issued"][0]
    anonymous = client_for(None)
    page = anonymous.get(f"/verify/{certificate.code.lower()}")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-state="valid"' in html
    participant = certificate.nomination.participant
    assert participant.family_name in html
    assert certificate.nomination.session.course.title in html
    assert participant.email not in html
    services.revoke_certificate(centre_staff, certificate, reason="issued in error")
    assert 'data-state="revoked"' in anonymous.get(f"/verify/{certificate.code}").content.decode()
    unknown = anonymous.get("/verify/ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 404 and 'data-state="unknown"' in unknown.content.decode()


def test_register_lists_issued_and_revoked(completed, centre_staff, qat_coordinator):
    certificate = completed["issued"][0]
    services.revoke_certificate(centre_staff, certificate, reason="duplicate")
    staff = client_for(centre_staff)
    html = staff.get(reverse("training:certificate_list")).content.decode()
    assert all(c.code in html for c in completed["issued"])
    revoked = staff.get(reverse("training:certificate_list") + "?state=revoked").content.decode()
    assert certificate.code in revoked and completed["issued"][1].code not in revoked
    with pytest.raises(Conflict):
        services.revoke_certificate(centre_staff, certificate, reason="again")
    qatar = client_for(qat_coordinator)
    assert (
        qatar.get(reverse("training:certificate_detail", args=[certificate.pk])).status_code == 404
    )
    assert certificate.code not in qatar.get(reverse("training:certificate_list")).content.decode()
    assert qatar.get(reverse("training:certificate_pdf", args=[certificate.pk])).status_code == 404
    assert Certificate.objects.filter(revoked_at__isnull=False).count() == 1


# -- calendar -------------------------------------------------------------------------------


def test_public_ical_feed_is_valid_rfc5545(session, course, centre_staff):
    hidden = factories.make_session(
        factories.make_course(centre_staff, "NIRC-T-009", marking="rel_ici"), centre_staff
    )
    response = client_for(None).get(reverse("training:calendar_public"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [f"training-session-{session.pk}@127.0.0.1:8000"]
    event = events[0]
    assert event["dtstart"].dt == session.start
    assert event["dtend"].dt == session.end + __import__("datetime").timedelta(days=1)
    assert "Crisis management" in str(event["summary"])
    assert str(event["location"]) == session.venue
    assert hidden.reference not in response.content.decode()


def test_personal_feed_shows_what_the_user_may_see_and_can_be_revoked(
    session, centre_staff, kwt_coordinator
):
    hidden = factories.make_session(
        factories.make_course(centre_staff, "NIRC-T-010", marking="rel_ici"), centre_staff
    )
    client = client_for(kwt_coordinator)
    page = client.post(reverse("training:calendar_feed_new"))
    url = page.context["url"]
    path = url.split("8000", 1)[1]
    feed = client_for(None).get(path)
    assert feed.status_code == 200
    uids = {str(e["uid"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert {
        f"training-session-{session.pk}@127.0.0.1:8000",
        f"training-session-{hidden.pk}@127.0.0.1:8000",
    } <= uids
    # A new address revokes the old; revoking leaves none.
    second = client.post(reverse("training:calendar_feed_new")).context["url"]
    assert client_for(None).get(path).status_code == 404
    second_path = second.split("8000", 1)[1]
    assert client_for(None).get(second_path).status_code == 200
    client.post(reverse("training:calendar_feed_revoke"))
    assert client_for(None).get(second_path).status_code == 404
    assert client_for(None).get("/training/calendar/feed/not-a-key.ics").status_code == 404


def test_month_view_shows_the_sessions_of_the_month(session):
    page = (
        client_for(None)
        .get(reverse("training:calendar") + f"?month={session.start:%Y-%m}")
        .content.decode()
    )
    assert session.course.code in page


# -- exports ----------------------------------------------------------------------------------


def test_exports_neutralise_formulas(centre_staff):
    factories.make_participant(
        centre_staff,
        "KWT",
        1,
        given_name='=HYPERLINK("http://x")',
        family_name="+Evil",
        email="evil@example.test",
    )
    staff = client_for(centre_staff)
    csv_text = staff.get(reverse("training:participant_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text and "'+Evil" in csv_text
    response = staff.get(reverse("training:participant_export", args=["xlsx"]))
    assert response["X-Icihub-Marking"] == "rel_partner"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["participants"].iter_rows(values_only=True))
    assert rows[1][0].startswith("'=")
    assert AuditEntry.objects.filter(action="export").count() == 2
