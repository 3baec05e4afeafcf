"""Pages and API agree on certificates (issue 15, defect 8): an instructor sees
the outcome of their own sessions' participants, certificate issued or not,
and never a verification code; staff and the participant see the code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from icihub.partners.models import Country, Organisation
from icihub.testing import ApiClient, client_for
from icihub.training import services
from icihub.training.models import Nomination, Session

S = Nomination.Status


@pytest.fixture
def certified(session, kuwaitis, kwt_coordinator, centre_staff, instructor_user):
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Teaching Instructor",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="ITA"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, session, instructor, "lead")
    done, absent = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    for n in (done, absent):
        services.accept(centre_staff, n)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    session.refresh_from_db()
    services.record_attendance(
        centre_staff, session, {done.pk: set(session.days), absent.pk: set()}
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    done.refresh_from_db()
    services.submit_evaluation(
        centre_staff,
        done,
        dict.fromkeys(
            ("relevance", "content", "instructors", "organisation", "facilities", "overall"), 4
        ),
    )
    certificate = services.issue_certificate(centre_staff, done)
    return done, absent, certificate


def test_the_instructor_sees_the_outcome_and_no_code(certified, instructor_user, kuwaitis):
    done, absent, certificate = certified
    browser = client_for(instructor_user)
    for url in (
        reverse("training:nomination_detail", args=[done.pk]),
        reverse("training:participant_detail", args=[kuwaitis[0].pk]),
    ):
        page = browser.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert certificate.code not in text
        assert "Completed" in text and "issued" in text
    absent_page = browser.get(reverse("training:nomination_detail", args=[absent.pk])).content
    assert b"No-show" in absent_page and b"issued" not in absent_page
    # The API says the same: no certificate row for the instructor.
    api = ApiClient(instructor_user)
    assert api.get(f"training/certificates/{certificate.pk}").status_code == 404
    assert api.get("training/certificates").json()["count"] == 0
    assert api.get(f"training/nominations/{done.pk}").json()["outcome"] == "completed"


def test_staff_and_the_coordinator_see_the_code(certified, centre_staff, kwt_coordinator):
    done, _absent, certificate = certified
    for user in (centre_staff, kwt_coordinator):
        page = client_for(user).get(reverse("training:nomination_detail", args=[done.pk]))
        assert certificate.code in page.content.decode()
