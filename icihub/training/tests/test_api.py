"""The training API: the whole chain, errors (4xx, never 500), access scoping
and constant query counts of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.partners.models import Country, Organisation
from icihub.testing import ApiClient, assert_constant_queries
from icihub.training import services
from icihub.training.models import Nomination, Session

from . import factories


@pytest.fixture
def api_staff(centre_staff):
    return ApiClient(centre_staff)


def test_the_whole_chain_through_the_api(
    centre_staff, kwt_coordinator, participant_user, django_capture_on_commit_callbacks
):
    staff = ApiClient(centre_staff)
    coordinator = ApiClient(kwt_coordinator)
    course = staff.post(
        "training/courses",
        {
            "code": "NIRC-API-1",
            "title": "Energy security",
            "title_ar": "أمن الطاقة",
            "areas": ["energy-security"],
            "provider": "ensec-coe",
            "eligible_frameworks": ["ici"],
            "duration_days": 3,
            "marking": "public",
        },
    )
    assert course.status_code == 201, course.content
    body = course.json()
    assert body["format"] == "course" and body["min_attendance_percent"] == 80
    # The course is a menu activity: one record.
    assert staff.get(f"menu/activities/{body['id']}").status_code == 200

    start = timezone.localdate() + dt.timedelta(weeks=9)
    session = staff.post(
        "training/sessions",
        {"course": body["id"], "start": start.isoformat(), "capacity": 2, "quotas": {"KWT": 1}},
    )
    assert session.status_code == 201, session.content
    sid = session.json()["id"]
    assert session.json()["end"] == (start + dt.timedelta(days=2)).isoformat()
    assert staff.post(f"training/sessions/{sid}/state", {"state": "open"}).status_code == 200

    people = []
    for given in ("Salem", "Fahad"):
        response = coordinator.post(
            "training/participants",
            {
                "given_name": given,
                "family_name": "Al-Azmi",
                "name_ar": "سالم العازمي",
                "country": "KWT",
                "service": "police",
                "rank_code": "OF-2",
                "email": f"{given.lower()}@moi.example",
            },
        )
        assert response.status_code == 201, response.content
        people.append(response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        first = coordinator.post(
            "training/nominations", {"session": sid, "participant": people[0]}
        ).json()
        second = coordinator.post(
            "training/nominations", {"session": sid, "participant": people[1]}
        ).json()
    assert (first["status"], first["has_seat"], first["priority"]) == ("nominated", True, 1)
    assert (second["status"], second["has_seat"], second["priority"]) == ("waitlisted", False, 2)

    accepted = staff.post(f"training/nominations/{first['id']}/accept", {"reason": "ok"})
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == "centre"
    realloc = staff.post(f"training/sessions/{sid}/reallocate")
    assert realloc.status_code == 200
    assert [p["country"] for p in realloc.json()["promoted"]] == ["KWT"]
    staff.post(f"training/nominations/{second['id']}/accept")
    # The session starts in the future: running it needs the dates overridden (issue 14).
    early = staff.post(f"training/sessions/{sid}/state", {"state": "running"})
    assert early.status_code == 400
    assert early.json()["errors"][0]["field"] == "start"
    running = staff.post(
        f"training/sessions/{sid}/state",
        {"state": "running", "override_dates": True, "reason": "dry run"},
    )
    assert running.status_code == 200
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range(3)]
    recorded = staff.post(
        f"training/sessions/{sid}/attendance",
        {
            "records": [
                {"nomination": first["id"], "present_days": days},
                {"nomination": second["id"], "present_days": []},
            ]
        },
    )
    assert recorded.json() == {"written": 6}
    assert staff.post(f"training/sessions/{sid}/complete").status_code == 400  # before the end
    assert staff.post(
        f"training/sessions/{sid}/complete", {"override_dates": True, "reason": "dry run"}
    ).json() == {
        "completed": 1,
        "no_show": 1,
    }
    evaluation = staff.post(
        "training/evaluations",
        {
            "nomination": first["id"],
            "relevance": 5,
            "content": 4,
            "instructors": 5,
            "organisation": 4,
            "facilities": 3,
            "overall": 5,
        },
    )
    assert evaluation.status_code == 201 and evaluation.json()["source"] == "paper"
    summary = staff.get(f"training/sessions/{sid}/evaluation-summary").json()
    assert summary["responses"] == 1 and summary["scores"]["overall"] == 5
    issued = staff.post(f"training/sessions/{sid}/certificates")
    assert issued.status_code == 200 and len(issued.json()) == 1
    code = issued.json()[0]["code"]
    pdf = staff.get(f"training/certificates/{issued.json()[0]['id']}/pdf")
    assert pdf.content.startswith(b"%PDF")
    check = ApiClient().get(f"training/verify/{code.lower()}").json()
    # What the certificate prints and its state (issue 14 point 6: name, course, dates).
    assert {k: check[k] for k in ("code", "state", "course_code")} == {
        "code": code,
        "state": "valid",
        "course_code": "NIRC-API-1",
    }
    revoked = staff.post(
        f"training/certificates/{issued.json()[0]['id']}/revoke", {"reason": "fraud"}
    )
    assert revoked.json()["valid"] is False
    assert ApiClient().get(f"training/verify/{code}").json()["state"] == "revoked"
    assert ApiClient().get("training/verify/NOPE-NOPE-NOPE").json()["state"] == "unknown"


def test_bad_input_gets_4xx_with_field_messages_and_changes_nothing(
    session, kuwaitis, qataris, centre_staff, kwt_coordinator
):
    staff = ApiClient(centre_staff)
    coordinator = ApiClient(kwt_coordinator)
    start = timezone.localdate() + dt.timedelta(weeks=12)
    response = staff.post(
        "training/sessions",
        {
            "course": session.course_id,
            "start": start.isoformat(),
            "end": (start - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "end"
    assert staff.post("training/sessions", {"course": session.course_id}).status_code == 422
    assert (
        staff.post("training/sessions", {"course": 999999, "start": "2027-01-01"}).status_code
        == 404
    )

    # Another country's officer: not visible to the coordinator at all.
    response = coordinator.post(
        "training/nominations", {"session": session.pk, "participant": qataris[0].pk}
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # The same person twice.
    assert (
        coordinator.post(
            "training/nominations", {"session": session.pk, "participant": kuwaitis[0].pk}
        ).status_code
        == 201
    )
    response = coordinator.post(
        "training/nominations", {"session": session.pk, "participant": kuwaitis[0].pk}
    )
    assert response.status_code == 400
    assert "Already nominated" in response.json()["detail"]
    # An ineligible country.
    egyptian = factories.make_participant(centre_staff, "EGY", 1)
    response = staff.post(
        "training/nominations", {"session": session.pk, "participant": egyptian.pk}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "participant"
    # No capacity at all (was silently replaced by the course's), then a
    # capacity below the seats taken.
    response = staff.patch(f"training/sessions/{session.pk}", {"capacity": 0})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "capacity"
    services.nominate(kwt_coordinator, session, kuwaitis[1])
    response = staff.patch(f"training/sessions/{session.pk}", {"capacity": 1})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "capacity"
    # A rejection without a reason; accepting as a coordinator.
    nomination = Nomination.objects.filter(session=session).first()
    assert (
        staff.post(f"training/nominations/{nomination.pk}/reject", {"reason": ""}).status_code
        == 400
    )
    assert coordinator.post(f"training/nominations/{nomination.pk}/accept").status_code == 403
    # Nothing moved.
    session.refresh_from_db()
    assert session.capacity == 4 and session.seats_taken == 2
    assert Nomination.objects.filter(session=session).count() == 2
    # An unknown state, an illegal transition, a duplicate participant.
    assert staff.post(f"training/sessions/{session.pk}/state", {"state": "x"}).status_code == 422
    assert (
        staff.post(f"training/sessions/{session.pk}/state", {"state": "completed"}).status_code
        == 400
    )
    duplicate = coordinator.post(
        "training/participants",
        {
            "given_name": kuwaitis[0].given_name,
            "family_name": kuwaitis[0].family_name,
            "country": "KWT",
            "service": "army",
        },
    )
    assert duplicate.status_code == 400 and "already recorded" in duplicate.json()["detail"]
    anonymous = ApiClient().post(
        "training/nominations", {"session": session.pk, "participant": kuwaitis[2].pk}
    )
    assert anonymous.status_code == 401


def test_a_coordinator_of_another_country_sees_nothing_of_kuwait(
    session, kuwaitis, kwt_coordinator, qat_coordinator, centre_staff
):
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    services.accept(centre_staff, nomination)
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    services.record_attendance(centre_staff, session, {nomination.pk: set(session.days)})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    services.submit_evaluation(centre_staff, nomination, dict.fromkeys(services.SCORE_FIELDS, 4))
    certificate = services.issue_certificate(centre_staff, nomination)
    qatar = ApiClient(qat_coordinator)
    kuwait = ApiClient(kwt_coordinator)
    for path in (
        f"training/nominations/{nomination.pk}",
        f"training/participants/{kuwaitis[0].pk}",
        f"training/certificates/{certificate.pk}",
        f"training/certificates/{certificate.pk}/pdf",
    ):
        assert qatar.get(path).status_code == 404, path
        assert kuwait.get(path).status_code == 200, path
    for path in (
        "training/nominations",
        "training/participants",
        "training/certificates",
        "training/attendance",
        "training/evaluations",
    ):
        assert qatar.get(path).json()["count"] == 0, path
    assert kuwait.get("training/nominations").json()["count"] == 1
    assert kuwait.get("training/attendance").json()["count"] == session.day_count
    quotas = qatar.get(f"training/sessions/{session.pk}").json()["quotas"]
    assert quotas == [{"country": "QAT", "seats": 1}]


def test_instructor_and_participant_see_their_own(
    session, kuwaitis, kwt_coordinator, centre_staff, instructor_user, participant_user
):
    services.update_participant(centre_staff, kuwaitis[0], {"user": participant_user})
    mine, other = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    participant = ApiClient(participant_user)
    assert [n["id"] for n in participant.get("training/nominations").json()["items"]] == [mine.pk]
    assert participant.get(f"training/nominations/{other.pk}").status_code == 404
    instructor = ApiClient(instructor_user)
    assert instructor.get("training/nominations").json()["count"] == 0
    record = services.create_instructor(
        centre_staff,
        {
            "full_name": "Jens Berg",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="DEU"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, session, record, "lead")
    assert instructor.get("training/nominations").json()["count"] == 2
    assert instructor.get("training/instructors").json()["count"] == 1
    for n in (mine, other):
        services.accept(centre_staff, n)
    services.change_state(centre_staff, session, "running", override_dates=True, reason="test")
    response = instructor.post(
        f"training/sessions/{session.pk}/attendance",
        {"records": [{"nomination": mine.pk, "present_days": [session.start.isoformat()]}]},
    )
    assert response.status_code == 200
    other_session = factories.make_session(session.course, centre_staff)
    response = instructor.post(f"training/sessions/{other_session.pk}/attendance", {"records": []})
    assert response.status_code == 403


def test_trips_cover_consecutive_sessions(course, centre_staff, api_staff):
    first = factories.make_session(course, centre_staff, start=dt.date(2027, 3, 7))
    second = factories.make_session(course, centre_staff, start=dt.date(2027, 3, 14))
    instructor = api_staff.post(
        "training/instructors",
        {"full_name": "Ana Costa", "organisation": "jallc", "country": "PRT"},
    ).json()
    for s in (first, second):
        assert (
            api_staff.post(
                "training/assignments",
                {"session": s.pk, "instructor": instructor["id"], "role": "lead"},
            ).status_code
            == 201
        )
    trip = api_staff.post(
        "training/trips",
        {
            "instructor": instructor["id"],
            "origin": "Lisbon",
            "arrival": "2027-03-06",
            "departure": "2027-03-19",
            "sessions": [first.pk, second.pk],
        },
    )
    assert trip.status_code == 201, trip.content
    assert [s["id"] for s in trip.json()["sessions"]] == [first.pk, second.pk]
    overlapping = api_staff.post(
        "training/trips",
        {
            "instructor": instructor["id"],
            "origin": "Lisbon",
            "arrival": "2027-03-10",
            "departure": "2027-03-12",
            "sessions": [first.pk],
        },
    )
    assert overlapping.status_code == 400
    outside = api_staff.post(
        "training/trips",
        {
            "instructor": instructor["id"],
            "origin": "Lisbon",
            "arrival": "2027-04-01",
            "departure": "2027-04-03",
            "sessions": [first.pk],
        },
    )
    assert outside.status_code == 400 and "outside" in outside.json()["detail"]


# -- constant queries ----------------------------------------------------------------------


def test_lists_run_a_constant_number_of_queries(course, centre_staff, kwt_coordinator, api_staff):
    session = factories.make_session(course, centre_staff, capacity=60, quotas={"KWT": 30})
    counter = {"n": 0}

    def grow():
        for _ in range(3):
            counter["n"] += 1
            person = factories.make_participant(centre_staff, "KWT", 100 + counter["n"])
            nomination = services.nominate(kwt_coordinator, session, person)
            services.accept(centre_staff, nomination)
        factories.make_session(course, centre_staff, quotas={"KWT": 2})

    for path in (
        "training/nominations",
        "training/participants",
        "training/sessions",
        "training/courses",
    ):
        grow()
        assert_constant_queries(lambda p=path: api_staff.get(p), grow)


def test_certificate_and_trip_lists_run_a_constant_number_of_queries(
    course, centre_staff, kwt_coordinator, api_staff
):
    sessions = []

    def grow():
        start = timezone.localdate() + dt.timedelta(weeks=10 + 2 * len(sessions))
        session = factories.make_session(
            course, centre_staff, start=start, capacity=5, quotas={"KWT": 5}
        )
        sessions.append(session)
        people = [
            factories.make_participant(centre_staff, "KWT", 300 + 10 * len(sessions) + i)
            for i in range(2)
        ]
        for n in services.nominate_many(kwt_coordinator, session, people):
            services.accept(centre_staff, n)
        Session.objects.filter(pk=session.pk).update(state="running")
        session.refresh_from_db()
        services.record_attendance(
            centre_staff, session, {n.pk: set(session.days) for n in session.nominations.all()}
        )
        services.complete_session(centre_staff, session, override_dates=True, reason="test")
        for n in session.nominations.all():
            services.submit_evaluation(centre_staff, n, dict.fromkeys(services.SCORE_FIELDS, 5))
        services.issue_certificates(centre_staff, session)
        instructor = services.create_instructor(
            centre_staff,
            {
                "full_name": f"Expert {len(sessions)}",
                "organisation": Organisation.objects.get(slug="marcom"),
                "country": Country.objects.get(iso3="GBR"),
            },
        )
        services.assign(centre_staff, session, instructor, "instructor")
        services.create_trip(
            centre_staff,
            instructor,
            origin="Northwood",
            arrival=session.start - dt.timedelta(days=1),
            departure=session.end,
            sessions=[session],
        )

    grow()
    for path in (
        "training/certificates",
        "training/trips",
        "training/assignments",
        "training/attendance",
        "training/evaluations",
        "training/instructors",
    ):
        assert_constant_queries(lambda p=path: api_staff.get(p), grow)
