"""The pages: the whole chain in the browser's forms (without a browser), field
errors, and what each role sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from icihub.partners.models import Country, Organisation
from icihub.testing import client_for
from icihub.training import services
from icihub.training.models import Certificate, Nomination, Participant, Session

from . import factories


def test_every_page_renders_for_staff(
    session, kuwaitis, kwt_coordinator, centre_staff, instructor_user
):
    nominations = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Marco Bianchi",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="ITA"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, session, instructor, "lead")
    client = client_for(centre_staff)
    urls = [
        reverse("training:course_list"),
        reverse("training:course_detail", args=[session.course_id]),
        reverse("training:course_edit", args=[session.course_id]),
        reverse("training:course_create"),
        reverse("training:session_create", args=[session.course_id]),
        reverse("training:session_list"),
        reverse("training:session_list") + "?state=open&year=2027&q=crisis",
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:session_edit", args=[session.pk]),
        reverse("training:session_quotas", args=[session.pk]),
        reverse("training:session_nominate", args=[session.pk]),
        reverse("training:session_import", args=[session.pk]),
        reverse("training:nomination_detail", args=[nominations[0].pk]),
        reverse("training:participant_list"),
        reverse("training:participant_detail", args=[kuwaitis[0].pk]),
        reverse("training:participant_edit", args=[kuwaitis[0].pk]),
        reverse("training:participant_create"),
        reverse("training:participant_import"),
        reverse("training:certificate_list"),
        reverse("training:instructor_list"),
        reverse("training:instructor_detail", args=[instructor.pk]),
        reverse("training:instructor_edit", args=[instructor.pk]),
        reverse("training:instructor_create"),
        reverse("training:trip_create", args=[instructor.pk]),
        reverse("training:calendar"),
        reverse("training:calendar") + "?view=list",
        reverse("training:calendar") + f"?month={session.start:%Y-%m}",
        reverse("training:calendar") + "?month=garbage",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "round-robin across countries" in page  # the reallocation rule is shown
    assert "Marco Bianchi" in page
    accept = reverse("training:nomination_accept", args=[nominations[0].pk])
    assert f'class="small accept" formaction="{accept}" data-action="accept"' in page


class Committing:
    """A test client whose requests run their on-commit callbacks (the e-mails)."""

    def __init__(self, client, capture):
        self.client, self.capture = client, capture

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.capture(execute=True):
            return self.client.post(*args, **kwargs)


def test_the_whole_chain_through_the_pages(
    course,
    centre_staff,
    kwt_coordinator,
    participant_user,
    kuwaitis,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    staff = Committing(client_for(centre_staff), capture)
    start = dt.date.today() + dt.timedelta(weeks=10)
    response = staff.post(
        reverse("training:session_create", args=[course.pk]),
        {
            "start": start.isoformat(),
            "capacity": "2",
            "nomination_deadline": (start - dt.timedelta(weeks=7)).isoformat(),
            "is_public": "on",
            "joining_instructions": "Report to the Centre at 08:00.",
        },
    )
    session = Session.objects.get(course=course)
    assert response.url == reverse("training:session_quotas", args=[session.pk])
    staff.post(reverse("training:session_quotas", args=[session.pk]), {"quota_KWT": "1"})
    assert session.quotas.get().seats == 1
    staff.post(reverse("training:session_state", args=[session.pk]), {"state": "open"})
    session.refresh_from_db()
    assert session.state == "open"

    coordinator = Committing(client_for(kwt_coordinator), capture)
    nominate = reverse("training:session_nominate", args=[session.pk])
    found = coordinator.get(nominate, {"q": kuwaitis[0].family_name}).content.decode()
    assert kuwaitis[0].full_name in found
    coordinator.post(nominate, {"participant": [kuwaitis[0].pk, kuwaitis[1].pk]})
    first = Nomination.objects.get(participant=kuwaitis[0])
    second = Nomination.objects.get(participant=kuwaitis[1])
    assert (first.priority, first.status) == (1, "nominated")
    assert (second.priority, second.status) == (2, "waitlisted")
    assert any("waiting list" in m.subject for m in mailoutbox)

    staff.post(reverse("training:nomination_accept", args=[first.pk]))
    staff.post(reverse("training:session_reallocate", args=[session.pk]))
    second.refresh_from_db()
    assert second.status == "nominated" and second.via_reallocation
    staff.post(reverse("training:nomination_accept", args=[second.pk]))
    staff.post(reverse("training:session_joining", args=[session.pk]))
    assert any("Joining instructions" in m.subject for m in mailoutbox)
    # The session starts in ten weeks: running it now overrides its dates, with a reason.
    staff.post(
        reverse("training:session_state", args=[session.pk]),
        {"state": "running", "override_dates": "on", "reason": "rehearsal"},
    )

    days = Session.objects.get(pk=session.pk).days
    attendance = {f"p-{first.pk}-{d:%Y%m%d}": "1" for d in days}
    attendance.update({f"p-{second.pk}-{d:%Y%m%d}": "1" for d in days[:2]})
    staff.post(reverse("training:session_attendance", args=[session.pk]), attendance)
    complete = reverse("training:session_complete", args=[session.pk])
    confirm = staff.post(complete)  # the first POST asks to confirm
    assert (
        confirm.status_code == 200 and 'data-action="confirm-complete"' in confirm.content.decode()
    )
    staff.post(complete, {"confirm": "1", "override_dates": "on", "reason": "rehearsal"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcome, first.attendance_percent) == ("completed", 100)
    assert (second.outcome, second.attendance_percent) == ("not_completed", 40)

    # The participant fills in the evaluation; then the certificate is issued.
    services.update_participant(centre_staff, kuwaitis[0], {"user": participant_user})
    participant = Committing(client_for(participant_user), capture)
    assert participant.get(reverse("training:my_training")).status_code == 200
    scores = dict.fromkeys(("relevance", "content", "instructors", "organisation"), "4")
    scores.update({"facilities": "5", "overall": "5", "comments": "Very useful."})
    participant.post(reverse("training:evaluation_form", args=[first.pk]), scores)
    assert first.evaluation.source == "online"
    staff.post(reverse("training:session_certify", args=[session.pk]))
    certificate = Certificate.objects.get(nomination=first)
    assert not Certificate.objects.filter(nomination=second).exists()
    pdf = staff.get(reverse("training:certificate_pdf", args=[certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    archive = staff.get(reverse("training:session_certificates_zip", args=[session.pk]))
    assert archive["Content-Type"] == "application/zip"
    verify = client_for(None).get(f"/verify/{certificate.code}")
    assert verify.status_code == 200 and 'data-state="valid"' in verify.content.decode()
    # What the certificate prints (issue 14 point 6: the name shows), nothing more.
    assert kuwaitis[0].full_name in verify.content.decode()
    assert kuwaitis[0].email not in verify.content.decode()
    # Issued in the browser: it prints the address of that request.
    assert certificate.verify_url() == f"http://testserver/verify/{certificate.code}"


def test_form_errors_change_nothing(course, centre_staff):
    staff = client_for(centre_staff)
    start = dt.date.today() + dt.timedelta(weeks=10)
    response = staff.post(
        reverse("training:session_create", args=[course.pk]),
        {"start": start.isoformat(), "end": (start - dt.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Session.objects.exists()


def test_capacity_below_accepted_seats_shows_a_field_error(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    response = client_for(centre_staff).post(
        reverse("training:session_edit", args=[session.pk]),
        {"start": session.start.isoformat(), "capacity": "1", "is_public": "on"},
    )
    assert "cannot go below the 2 seats" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 4


def test_duplicate_person_is_refused_on_entry(centre_staff, kuwaitis):
    existing = kuwaitis[0]
    response = client_for(centre_staff).post(
        reverse("training:participant_create"),
        {
            "given_name": existing.given_name.upper(),
            "family_name": existing.family_name.replace("-", " "),
            "country": "KWT",
            "service": "navy",
            "rank_code": "OF-2",
        },
    )
    assert "already recorded as participant" in response.content.decode()
    assert Participant.objects.filter(country__iso3="KWT").count() == 4


def test_coordinator_records_only_their_own_people(kwt_coordinator):
    response = client_for(kwt_coordinator).post(
        reverse("training:participant_create"),
        {"given_name": "Khalid", "family_name": "Al-Thani", "country": "QAT", "service": "army"},
    )
    assert response.status_code == 200
    assert not Participant.objects.exists()


# -- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def world(session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff):
    kwt = services.nominate(kwt_coordinator, session, kuwaitis[0])
    qat = services.nominate(qat_coordinator, session, qataris[0])
    return {"session": session, "kwt": kwt, "qat": qat}


def test_a_coordinator_sees_only_their_countrys_nominations_and_people(world, qat_coordinator):
    client = client_for(qat_coordinator)
    kwt, qat = world["kwt"], world["qat"]
    page = client.get(reverse("training:session_detail", args=[world["session"].pk]))
    html = page.content.decode()
    assert qat.participant.full_name in html
    assert kwt.participant.full_name not in html
    assert client.get(reverse("training:nomination_detail", args=[kwt.pk])).status_code == 404
    assert (
        client.get(reverse("training:participant_detail", args=[kwt.participant_id])).status_code
        == 404
    )
    people = client.get(reverse("training:participant_list")).content.decode()
    assert kwt.participant.family_name not in people
    export = client.get(reverse("training:participant_export", args=["csv"])).content.decode()
    assert qat.participant.family_name in export and kwt.participant.family_name not in export
    session_export = client.get(
        reverse("training:session_export", args=[world["session"].pk, "csv"])
    ).content.decode()
    assert kwt.participant.family_name not in session_export
    # Another country's nomination cannot be acted on either.
    response = client.post(reverse("training:nomination_withdraw", args=[kwt.pk]))
    assert response.status_code == 404
    kwt.refresh_from_db()
    assert kwt.status == "nominated"


def test_instructors_see_and_record_attendance_for_their_own_sessions_only(
    world, course, centre_staff, instructor_user
):
    session = world["session"]
    other = factories.make_session(course, centre_staff, quotas={"KWT": 1})
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Ana Costa",
            "organisation": Organisation.objects.get(slug="jallc"),
            "country": Country.objects.get(iso3="PRT"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, session, instructor, "instructor")
    for n in (world["kwt"], world["qat"]):
        services.accept(centre_staff, n)
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    client = client_for(instructor_user)
    assert client.get(reverse("training:my_sessions")).status_code == 200
    page = client.get(reverse("training:session_attendance", args=[session.pk]))
    assert page.status_code == 200
    assert client.get(reverse("training:session_attendance", args=[other.pk])).status_code == 403
    assert (
        client.get(reverse("training:nomination_detail", args=[world["kwt"].pk])).status_code == 200
    )
    day = session.start
    client.post(
        reverse("training:session_attendance", args=[session.pk]),
        {f"p-{world['kwt'].pk}-{day:%Y%m%d}": "1"},
    )
    assert world["kwt"].attendance.get(day=day).present


def test_anonymous_sees_the_public_catalogue_calendar_and_verification(world, centre_staff):
    anonymous = client_for(None)
    session = world["session"]
    hidden = factories.make_course(centre_staff, "NIRC-T-002", marking="rel_ici")
    catalogue = anonymous.get(reverse("training:course_list")).content.decode()
    assert session.course.code in catalogue and hidden.code not in catalogue
    assert anonymous.get(reverse("training:course_detail", args=[hidden.pk])).status_code == 404
    assert anonymous.get(reverse("training:session_detail", args=[session.pk])).status_code == 200
    page = anonymous.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert world["kwt"].participant.family_name not in page
    assert anonymous.get(reverse("training:calendar") + "?view=list").status_code == 200
    assert anonymous.get(reverse("training:participant_list")).status_code == 302
    assert anonymous.get("/verify/AAAA-BBBB-CCCC").status_code == 404


def test_participant_sees_their_own_nominations_only(world, participant_user, centre_staff):
    services.update_participant(centre_staff, world["kwt"].participant, {"user": participant_user})
    client = client_for(participant_user)
    page = client.get(reverse("training:my_training")).content.decode()
    assert world["kwt"].session.course.title in page
    assert (
        client.get(reverse("training:nomination_detail", args=[world["kwt"].pk])).status_code == 200
    )
    assert (
        client.get(reverse("training:nomination_detail", args=[world["qat"].pk])).status_code == 404
    )


def test_navigation_shows_the_training_module(client, centre_staff):
    page = client_for(centre_staff).get(reverse("training:course_list")).content.decode()
    for name in ("course_list", "session_list", "calendar", "participant_list", "instructor_list"):
        assert reverse(f"training:{name}") in page


def test_a_refused_substitution_or_evaluation_is_403_whatever_the_form_holds(
    session, kuwaitis, kwt_coordinator, instructor_user
):
    """The access check comes before the form: an empty form from someone who
    may not act is refused, not answered with a form error or a message."""
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    instructor = client_for(instructor_user)
    coordinator = client_for(kwt_coordinator)
    substitute = reverse("training:nomination_substitute", args=[nomination.pk])
    evaluation = reverse("training:evaluation_form", args=[nomination.pk])
    # the instructor is not on this session: the nomination is not theirs to see
    assert instructor.post(substitute, {}).status_code == 404
    # the coordinator sees it, may substitute, but does not fill in evaluations
    assert coordinator.get(evaluation).status_code == 403
    assert coordinator.post(evaluation, {}).status_code == 403
    response = coordinator.post(substitute, {})
    assert response.status_code == 302  # allowed: back to the nomination with a message
    nomination.refresh_from_db()
    assert nomination.participant_id == kuwaitis[0].pk


def test_the_calendar_opens_on_the_month_of_the_next_session(centre_staff):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    course = factories.make_course(centre_staff, "NIRC-CAL-001")
    later = (today.replace(day=1) + dt.timedelta(days=100)).replace(day=10)
    factories.make_session(course, centre_staff, start=later)
    page = client_for(centre_staff).get(reverse("training:calendar")).content.decode()
    assert course.code in page
    # A month asked for is the month shown.
    asked = (
        client_for(centre_staff)
        .get(reverse("training:calendar"), {"month": f"{today:%Y-%m}"})
        .content.decode()
    )
    assert course.code not in asked
