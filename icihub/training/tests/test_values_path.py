"""The training reads served from values() rows (``apikit.ValuesOut``, issue 11)
answer exactly what the response schemas answer from model instances: on rows
with their optional fields set and empty (nulls, empty lists, Arabic text), as
staff, as a coordinator and as a visitor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from icihub.core.apikit import schema_path
from icihub.testing import ApiClient, assert_both_paths_agree, assert_not_found_on_both_paths
from icihub.training.models import Session

from . import factories


@pytest.fixture
def sessions(centre_staff):
    arabic = factories.make_course(
        centre_staff, "NIRC-T-AR", title="إدارة الأزمات للممارسين", title_ar="إدارة الأزمات"
    )
    plain = factories.make_course(centre_staff, "NIRC-T-002", title="Cyber defence")
    start = timezone.localdate() + dt.timedelta(weeks=12)
    made = [
        factories.make_session(arabic, centre_staff, quotas={"KWT": 2, "QAT": 1}),
        factories.make_session(plain, centre_staff, start=start, quotas={}, venue="الكويت"),
        factories.make_session(
            plain, centre_staff, start=start + dt.timedelta(days=7), state=Session.State.PLANNED
        ),
        factories.make_session(
            arabic,
            centre_staff,
            start=start + dt.timedelta(days=14),
            quotas={"KWT": 1},
            is_public=False,
        ),
        factories.make_session(
            plain,
            centre_staff,
            start=start + dt.timedelta(days=21),
            quotas={"BHR": 3},
            state=Session.State.CANCELLED,
        ),
    ]
    # one whose quotas were released (a datetime with microseconds), one still held
    Session.objects.filter(pk=made[0].pk).update(
        quotas_released_at=dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    )
    return made


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_sessions_list_and_records(who, request, sessions):
    api = ApiClient(request.getfixturevalue(who) if who else None)
    page = assert_both_paths_agree(api, "training/sessions")
    assert page["count"] == len(page["items"]) >= 3
    for params in ({"limit": 2, "offset": 1}, {"state": "open"}):
        assert_both_paths_agree(api, "training/sessions", params)
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/sessions/{item['id']}")
    if who == "nato_staff":
        by_id = {item["id"]: item for item in page["items"]}
        assert by_id[sessions[0].pk]["quotas_released_at"] == "2026-03-01T09:30:15.123Z"
        assert by_id[sessions[1].pk]["quotas"] == []
        assert by_id[sessions[0].pk]["course"]["title"] == "إدارة الأزمات للممارسين"
        assert [q["country"] for q in by_id[sessions[0].pk]["quotas"]] == ["KWT", "QAT"]


def test_a_session_not_visible_is_404_on_both_paths(sessions):
    assert_not_found_on_both_paths(ApiClient(None), f"training/sessions/{sessions[3].pk}")


@pytest.fixture
def nominations(sessions, centre_staff, kwt_coordinator, kuwaitis, qataris):
    from icihub.training import services
    from icihub.training.models import Nomination

    open_session = sessions[0]
    seated = services.nominate_many(kwt_coordinator, open_session, kuwaitis[:3], reason="قائد")
    services.accept(centre_staff, seated[0], reason="Qualified")
    services.reject(centre_staff, seated[1], reason="مرفوض")
    services.withdraw(kwt_coordinator, seated[2], reason="")
    waiting = services.nominate(centre_staff, open_session, qataris[0])
    services.substitute(centre_staff, waiting, qataris[1], reason="ill")
    # a person without an Arabic name; an attendance recorded on one nomination
    qataris[2].name_ar = ""
    qataris[2].save(update_fields=["name_ar"])
    services.nominate(centre_staff, sessions[1], qataris[2])
    Nomination.objects.filter(pk=seated[0].pk).update(attendance_percent=90)
    return Nomination.objects.all()


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_nominations_list_and_records(who, request, nominations):
    api = ApiClient(request.getfixturevalue(who))
    page = assert_both_paths_agree(api, "training/nominations")
    assert page["count"] == len(page["items"]) >= 3
    assert_both_paths_agree(api, "training/nominations", {"limit": 2, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/nominations/{item['id']}")
    if who == "nato_staff":
        values = {key: {str(item[key]) for item in page["items"]} for key in page["items"][0]}
        assert {"None", "90"} <= values["attendance_percent"]
        assert "None" in values["decided_by"] and len(values["decided_by"]) > 1
        assert "None" in values["substitute_for"] and len(values["substitute_for"]) > 1
        assert "" in {item["participant"]["name_ar"] for item in page["items"]}


@pytest.fixture
def courses(centre_staff):
    from decimal import Decimal

    from icihub.menu.models import Area
    from icihub.partners.models import Country

    full = factories.make_course(
        centre_staff,
        "NIRC-T-FULL",
        title="إدارة الأزمات",
        performance_objectives="Plan a response.\n\n  Lead a cell.  \n",
        fee_eur=Decimal("1250.50"),
        areas=list(Area.objects.all()[:3]),
        frameworks=("ici", "md"),
    )
    full.eligible_countries.set(Country.objects.filter(iso3__in=["SAU", "OMN"]))
    bare = factories.make_course(centre_staff, "NIRC-T-BARE", areas=[], frameworks=())
    bare.provider = None
    bare.save(update_fields=["provider"])
    return [full, bare]


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_courses_list_and_records(who, request, courses):
    api = ApiClient(request.getfixturevalue(who) if who else None)
    page = assert_both_paths_agree(api, "training/courses")
    assert_both_paths_agree(api, "training/courses", {"limit": 1, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/courses/{item['id']}")
    by_code = {item["code"]: item for item in page["items"]}
    full, bare = by_code["NIRC-T-FULL"], by_code["NIRC-T-BARE"]
    assert full["performance_objectives"] == ["Plan a response.", "Lead a cell."]
    assert full["fee_eur"] == "1250.50"
    assert len(full["areas"]) == 3 and sorted(full["eligible_countries"]) == ["OMN", "SAU"]
    assert bare["provider"] is None and bare["areas"] == bare["eligible_frameworks"] == []


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_participants_list_and_records(who, request, kuwaitis, qataris, participant_user):
    from icihub.training.models import Participant

    # with and without an account, an Arabic name, a date of birth
    Participant.objects.filter(pk=kuwaitis[0].pk).update(
        user=participant_user, date_of_birth=dt.date(1980, 2, 29)
    )
    Participant.objects.filter(pk=kuwaitis[1].pk).update(name_ar="", rank="")
    api = ApiClient(request.getfixturevalue(who))
    page = assert_both_paths_agree(api, "training/participants")
    assert_both_paths_agree(api, "training/participants", {"limit": 2, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/participants/{item['id']}")
    by_id = {item["id"]: item for item in page["items"]}
    assert by_id[kuwaitis[0].pk]["user"] == participant_user.username
    assert by_id[kuwaitis[0].pk]["date_of_birth"] == "1980-02-29"
    assert by_id[kuwaitis[1].pk]["user"] is None


@pytest.fixture
def certificates(session, kuwaitis, qataris, kwt_coordinator, centre_staff):
    """Three certificates of a completed session: two of Kuwait's (one revoked,
    one printed with another issuing address) and one of Qatar's."""
    from icihub.training import services
    from icihub.training.models import Certificate

    nominated = services.nominate_many(kwt_coordinator, session, kuwaitis[:2])
    nominated.append(services.nominate(centre_staff, session, qataris[0]))
    for n in nominated:
        services.accept(centre_staff, n)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    session.refresh_from_db()
    services.record_attendance(centre_staff, session, {n.pk: set(session.days) for n in nominated})
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    marks = ("relevance", "content", "instructors", "organisation", "facilities", "overall")
    for n in nominated:
        n.refresh_from_db()
        services.submit_evaluation(centre_staff, n, dict.fromkeys(marks, 4))
    issued = [services.issue_certificate(centre_staff, n) for n in nominated]
    services.revoke_certificate(centre_staff, issued[0], reason="إلغاء")
    Certificate.objects.filter(pk=issued[1].pk).update(base_url="https://verify.example.org")
    return issued


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator"])
def test_certificates_list_and_records(who, request, certificates):
    api = ApiClient(request.getfixturevalue(who))
    page = assert_both_paths_agree(api, "training/certificates")
    assert page["count"] == len(page["items"]) == (3 if who == "nato_staff" else 2)
    assert_both_paths_agree(api, "training/certificates", {"limit": 1, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/certificates/{item['id']}")
    by_id = {item["id"]: item for item in page["items"]}
    revoked, elsewhere = by_id[certificates[0].pk], by_id[certificates[1].pk]
    assert revoked["valid"] is False and revoked["revocation_reason"] == "إلغاء"
    assert elsewhere["valid"] is True and elsewhere["revoked_at"] is None
    assert elsewhere["verify_url"].startswith("https://verify.example.org/verify/")
    assert revoked["participant"]["country"] == "KWT"
    assert revoked["course"]["id"] == certificates[0].nomination.session.course_id


def test_a_certificate_not_visible_is_404_on_both_paths(certificates, kwt_coordinator):
    qatari = certificates[2]
    assert_not_found_on_both_paths(ApiClient(kwt_coordinator), f"training/certificates/{qatari.pk}")


@pytest.fixture
def instructors(centre_staff):
    from icihub.partners.models import Country, Organisation
    from icihub.training import services

    school = Organisation.objects.get(slug="nato-school")
    made = [
        services.create_instructor(
            centre_staff,
            {
                "full_name": "Amira Haddad",
                "name_ar": "أميرة حداد",
                "title": "Dr",
                "organisation": school,
                "country": Country.objects.get(iso3="KWT"),
                "email": "amira@example.org",
                "expertise": "Crisis management\\nCyber defence",
            },
        ),
        services.create_instructor(
            centre_staff,
            {
                "full_name": "Lars Berg",
                "organisation": school,
                "country": Country.objects.get(iso3="NOR"),
            },
        ),
    ]
    services.update_instructor(centre_staff, made[1], {"is_active": False})
    return made


def test_instructors_list_and_records(nato_staff, kwt_coordinator, instructors):
    api = ApiClient(nato_staff)
    page = assert_both_paths_agree(api, "training/instructors")
    assert_both_paths_agree(api, "training/instructors", {"limit": 1, "offset": 1})
    for item in page["items"]:
        assert_both_paths_agree(api, f"training/instructors/{item['id']}")
    by_id = {item["id"]: item for item in page["items"]}
    amira, lars = by_id[instructors[0].pk], by_id[instructors[1].pk]
    assert amira["country"] == "KWT" and amira["organisation"]["slug"] == "nato-school"
    assert amira["name_ar"] == "أميرة حداد" and lars["is_active"] is False
    assert lars["name_ar"] == lars["email"] == ""
    # A coordinator reads no instructor, on either path.
    coordinator = ApiClient(kwt_coordinator)
    fast = coordinator.get("training/instructors")
    with schema_path():
        slow = coordinator.get("training/instructors")
    assert fast.status_code == slow.status_code == 200
    assert fast.content == slow.content and fast.json()["items"] == []
    assert_not_found_on_both_paths(coordinator, f"training/instructors/{amira['id']}")
