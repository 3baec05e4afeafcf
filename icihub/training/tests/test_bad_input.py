"""Bad input on training's boundary (issue 15, defect 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from icihub.testing import ApiClient, client_for
from icihub.training import services
from icihub.training.models import Nomination, Participant, Session

from . import factories

HEADER = "given_name,family_name,name_ar,country,service,rank,rank_code,email,priority\n"
HUGE = 2**63


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_a_course_id_beyond_64_bits_is_a_422(centre_staff):
    response = ApiClient(centre_staff).post(
        "training/sessions", {"course": HUGE, "start": "2030-01-05"}
    )
    assert response.status_code == 422 and "course" in _fields(response)


def test_a_priority_beyond_the_range_is_a_422(session, kuwaitis, kwt_coordinator):
    api = ApiClient(kwt_coordinator)
    for priority in (HUGE, 2**63 - 1, 1000, 0):
        response = api.post(
            "training/nominations",
            {"session": session.pk, "participant": kuwaitis[0].pk, "priority": priority},
        )
        assert response.status_code == 422 and "priority" in _fields(response), priority
    assert not Nomination.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.nominate(kwt_coordinator, session, kuwaitis[0], priority=1000)
    assert "priority" in caught.value.message_dict


def test_a_nomination_after_the_last_priority_stays_in_the_range(
    session, kuwaitis, kwt_coordinator
):
    first = services.nominate(kwt_coordinator, session, kuwaitis[0], priority=999)
    assert first.priority == 999
    response = ApiClient(kwt_coordinator).post(
        "training/nominations", {"session": session.pk, "participant": kuwaitis[1].pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["priority"] == 999


def test_capacity_zero_is_refused_not_replaced(course, centre_staff):
    start = dt.date.today() + dt.timedelta(weeks=12)
    with pytest.raises(ValidationError) as caught:
        services.create_session(centre_staff, course, {"start": start, "capacity": 0})
    assert "capacity" in caught.value.message_dict
    response = ApiClient(centre_staff).post(
        "training/sessions", {"course": course.pk, "start": start.isoformat(), "capacity": 0}
    )
    assert response.status_code == 422 and "capacity" in _fields(response)
    assert not Session.objects.filter(course=course).exists()


def test_a_date_of_birth_in_the_future_is_refused(kwt_coordinator):
    payload = {
        "given_name": "Salem",
        "family_name": "Al-Azmi",
        "country": "KWT",
        "service": "police",
        "date_of_birth": "2999-01-01",
    }
    response = ApiClient(kwt_coordinator).post("training/participants", payload)
    assert response.status_code == 400 and _fields(response) == {"date_of_birth"}
    assert not Participant.objects.exists()


@pytest.mark.parametrize("name", ["Bell\x07", "Esc\x1b[0m", "Vertical\x0btab"])
def test_names_with_control_characters_are_refused(kwt_coordinator, name):
    payload = {"given_name": name, "family_name": "X", "country": "KWT", "service": "army"}
    response = ApiClient(kwt_coordinator).post("training/participants", payload)
    assert response.status_code == 422 and "given_name" in _fields(response)
    assert not Participant.objects.exists()


def test_the_participants_xlsx_export_survives_a_control_character_stored_before(
    centre_staff,
):
    person = factories.make_participant(centre_staff, "KWT", 1)
    Participant.objects.filter(pk=person.pk).update(given_name="Bell\x07Esc\x1b")
    response = client_for(centre_staff).get(reverse("training:participant_export", args=["xlsx"]))
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["A/B", "../../etc"])
def test_a_path_separator_in_a_reference_never_reaches_the_download(centre_staff, code):
    course = factories.make_course(centre_staff, code=f"NIRC-{code}")
    session = factories.make_session(course, centre_staff, reference=f"REF-{code}")
    client = client_for(centre_staff)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("training:session_export", args=[session.pk, fmt]))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        name = disposition.split('filename="', 1)[1].rstrip('"')
        assert "/" not in name and ".." not in name, disposition


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        # the model's constraint (400), and the range the schema declares (422)
        ({"fee_eur": -1}, "fee_eur", 400),
        ({"min_attendance_percent": 101}, "min_attendance_percent", 422),
    ],
)
def test_course_rules_name_their_field(course, centre_staff, change, field, status):
    with pytest.raises(ValidationError) as caught:
        services.update_course(centre_staff, course, change)
    assert field in caught.value.message_dict, caught.value.message_dict
    api = ApiClient(centre_staff)
    response = api.patch(f"training/courses/{course.pk}", change)
    assert response.status_code == status and field in _fields(response)
    course.refresh_from_db()
    assert course.fee_eur == 0 and course.min_attendance_percent == 80


def test_the_participant_import_page_without_a_session(kwt_coordinator):
    client = client_for(kwt_coordinator)
    url = reverse("training:participant_import")
    upload = SimpleUploadedFile(
        "people.csv", (HEADER + "Nasser,Al-Enezi,,KWT,army,,OF-3,,\n").encode(), "text/csv"
    )
    preview = client.post(url, {"file": upload, "action": "preview"})
    assert preview.status_code == 200 and "Al-Enezi" in preview.content.decode()
    done = client.post(url, {"action": "commit"})
    assert done.status_code == 302
    assert Participant.objects.get().family_name == "Al-Enezi"


def test_the_session_import_page_names_a_nul_in_a_name(session, kwt_coordinator):
    client = client_for(kwt_coordinator)
    url = reverse("training:session_import", args=[session.pk])
    upload = SimpleUploadedFile(
        "people.csv", (HEADER + "Nas\x00ser,Al-Enezi,,KWT,army,,OF-3,,\n").encode(), "text/csv"
    )
    html = client.post(url, {"file": upload, "action": "preview"}).content.decode()
    assert "NUL" in html and "given_name" in html
    assert "commit-import" not in html
    assert client.post(url, {"action": "commit"}).status_code == 200
    assert not Participant.objects.exists()


def test_the_import_refuses_a_birth_date_in_the_future(session, kwt_coordinator):
    from icihub.training import imports

    rows = imports.read_table(
        "p.csv",
        (
            b"given_name,family_name,country,service,date_of_birth\n"
            b"Nasser,Al-Enezi,KWT,army,2999-01-01\n"
        ),
    )
    result = imports.run(kwt_coordinator, rows, default_session=session, commit=False)
    assert result.rows[0].errors and "future" in result.rows[0].errors[0]
