"""Personal data (issue 6, item 8): the export of a participant's data (by
themselves, staff, their own country's coordinator, the command line) and the
anonymisation after the retention period (figures and certificate
verification unchanged, personal fields and audit values gone)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from icihub.core import audit
from icihub.core.errors import Conflict
from icihub.core.models import AuditEntry, User
from icihub.partners.models import Country, Organisation
from icihub.reports import figures as F
from icihub.reports.scope import Period, Scope
from icihub.testing import assert_constant_queries, client_for, make_user, run_cli
from icihub.training import privacy, services
from icihub.training.models import (
    Attendance,
    Certificate,
    Evaluation,
    Nomination,
    Participant,
    Session,
)

from . import factories

pytestmark = pytest.mark.django_db

COMMENT = "Major Al-Mutairi-KWT1 asked sharp questions"
NOTE = "Kuwait's first choice: Al-Mutairi-KWT1 leads the crisis cell"


def _shift(session: Session, years: int) -> Session:
    """Move a held session (and its attendance) ``years`` back in time."""
    delta = session.start - privacy.years_after(session.start, -years)
    Session.objects.filter(pk=session.pk).update(
        start=session.start - delta,
        end=session.end - delta,
        nomination_deadline=session.nomination_deadline - delta,
        reallocation_date=session.reallocation_date - delta,
    )
    for row in Attendance.objects.filter(nomination__session=session):
        Attendance.objects.filter(pk=row.pk).update(day=row.day - delta)
    session.refresh_from_db()
    return session


@pytest.fixture
def participant_user(db):
    """The participant's own account (a user name found nowhere else)."""
    return make_user("participant", username="yousef.k1")


@pytest.fixture
def held(session, kuwaitis, qataris, kwt_coordinator, centre_staff, participant_user):
    """A session held six years ago: kuwaitis[0] (with an account, a nomination
    note, an evaluation comment and a certificate) and kuwaitis[1] completed,
    kuwaitis[2] did not; qataris[0] completed too."""
    services.update_participant(
        centre_staff, kuwaitis[0], {"user": participant_user, "date_of_birth": dt.date(1980, 5, 1)}
    )
    nominations = services.nominate_many(kwt_coordinator, session, kuwaitis[:2], reason=NOTE)
    services.reallocate(actor=centre_staff, session=session)
    nominations.append(services.nominate(kwt_coordinator, session, kuwaitis[2]))
    nominations.append(services.nominate(centre_staff, session, qataris[0]))
    for n in nominations:
        services.accept(centre_staff, n, reason=f"accepted: {n.participant.family_name}")
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    days = session.days
    services.record_attendance(
        centre_staff,
        session,
        {
            nominations[0].pk: set(days),
            nominations[1].pk: set(days),
            nominations[2].pk: {days[0]},
            nominations[3].pk: set(days),
        },
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    services.submit_evaluation(
        participant_user, nominations[0], dict.fromkeys(services.SCORE_FIELDS, 5), comments=COMMENT
    )
    for n in (nominations[1], nominations[3]):
        services.submit_evaluation(centre_staff, n, dict.fromkeys(services.SCORE_FIELDS, 4))
    issued, _skipped = services.issue_certificates(centre_staff, session)
    assert len(issued) == 3
    _shift(session, 6)
    return {
        "session": session,
        "nominations": nominations,
        "person": Participant.objects.get(pk=kuwaitis[0].pk),
        "certificate": Certificate.objects.get(nomination=nominations[0]),
    }


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "no-store"
    return response


# -- export ----------------------------------------------------------------------------------


def test_a_participant_downloads_their_own_data(held, participant_user, kuwaitis):
    client = client_for(participant_user)
    page = client.get(reverse("training:my_training"))
    assert reverse("training:my_data_export", args=["json"]) in page.content.decode()
    response = _download(client, reverse("training:my_data_export", args=["json"]))
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    person = held["person"]
    assert data["participant"]["id"] == person.pk
    assert data["participant"]["family_name"] == person.family_name
    assert data["participant"]["email"] == person.email
    assert data["participant"]["date_of_birth"] == "1980-05-01"
    assert data["account"]["username"] == participant_user.username
    [nomination] = data["nominations"]
    assert nomination["session"]["reference"] == held["session"].reference
    assert [s["step"] for s in nomination["steps"]] == [
        "nominated",
        "accepted",
        "outcome recorded: completed",
    ]
    assert nomination["steps"][0]["why"] == NOTE
    assert nomination["outcome"] == "completed"
    assert len(nomination["attendance"]) == held["session"].day_count
    assert nomination["evaluation"]["comments"] == COMMENT
    assert nomination["certificate"]["code"] == held["certificate"].code
    assert nomination["certificate"]["state"] == "valid"
    assert data["history"] is None  # the audit trail is the staff's
    # Someone else's record is not theirs: 404, through the access layer.
    other = reverse("training:participant_data_export", args=[kuwaitis[1].pk, "json"])
    assert client.get(other).status_code == 404
    # The export is in the audit trail.
    entry = AuditEntry.objects.filter(action=audit.Action.EXPORT, object_id=str(person.pk)).get()
    assert entry.actor == participant_user and entry.changes["format"] == "json"


def test_a_participant_without_a_record_gets_404(participant_user):
    response = client_for(participant_user).get(reverse("training:my_data_export", args=["json"]))
    assert response.status_code == 404


def test_staff_export_everything_with_the_certificates(held, centre_staff, nato_staff):
    person = held["person"]
    url = reverse("training:participant_data_export", args=[person.pk, "json"])
    page = client_for(centre_staff).get(person.get_absolute_url()).content.decode()
    assert url in page
    data = json.loads(_download(client_for(nato_staff), url).content)
    assert data["complete"] is True
    assert data["marking_code"]
    assert data["retention"]["years"] == 5
    assert data["history"], "staff see the trail's entries about the person"
    assert any(h["action"] == "create" for h in data["history"])
    response = _download(
        client_for(centre_staff),
        reverse("training:participant_data_export", args=[person.pk, "zip"]),
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert f"participant-{person.pk}-personal-data.json" in names
        pdf = archive.read(f"certificates/{held['certificate'].code}.pdf")
    assert pdf.startswith(b"%PDF")
    assert response["X-Icihub-Marking"] == data["marking_code"]


def test_coordinators_export_their_own_countrys_participants_only(
    held, kwt_coordinator, qat_coordinator, instructor_user, centre_staff, kuwaitis, qataris
):
    person = held["person"]
    url = reverse("training:participant_data_export", args=[person.pk, "json"])
    data = json.loads(_download(client_for(kwt_coordinator), url).content)
    assert data["participant"]["family_name"] == person.family_name
    assert data["complete"] is False  # no individual evaluations, no trail
    assert data["nominations"][0]["evaluation"] is None
    assert data["history"] is None
    assert client_for(qat_coordinator).get(url).status_code == 404
    qatari = reverse("training:participant_data_export", args=[qataris[0].pk, "json"])
    assert client_for(kwt_coordinator).get(qatari).status_code == 404
    assert client_for(qat_coordinator).get(qatari).status_code == 200
    # An instructor sees the people of their sessions only (404 for anyone else),
    # and exports nobody (403 once they see the person).
    instructor = client_for(instructor_user)
    assert instructor.get(url).status_code == 404
    record = services.create_instructor(
        centre_staff,
        {
            "full_name": "Jens Berg",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="DEU"),
            "user": instructor_user,
        },
    )
    services.assign(centre_staff, held["session"], record, "lead")
    assert instructor.get(person.get_absolute_url()).status_code == 200
    assert instructor.get(url).status_code == 403
    assert client_for(kwt_coordinator).get(url.replace(".json", ".csv")).status_code == 404


def test_cli_export(held, tmp_path, qat_coordinator):
    person = held["person"]
    path = tmp_path / "person.json"
    result = run_cli("privacy", "export", str(person.pk), "--output", str(path))
    assert result.code == 0, result.err
    data = json.loads(path.read_text())
    assert data["participant"]["email"] == person.email and data["complete"] is True
    assert AuditEntry.objects.filter(
        action=audit.Action.EXPORT, object_id=str(person.pk), via=audit.VIA_CLI
    ).exists()
    # JSON on standard output without --output.
    result = run_cli("privacy", "export", str(person.pk))
    assert result.code == 0 and json.loads(result.out)["participant"]["id"] == person.pk
    for bad in ("abc", "999999"):
        result = run_cli("privacy", "export", bad)
        assert result.code != 0 and ("id" in result.err), result.err
    # As another country's coordinator: not found.
    result = run_cli("privacy", "export", str(person.pk), "--as", qat_coordinator.username)
    assert result.code != 0 and result.err.strip()


# -- anonymisation -----------------------------------------------------------------------------


def _figures(year: int) -> dict:
    """Every figure of icihub.reports for ``year``, with every breakdown."""
    scope = Scope.system(Period.of_year(year))
    public = Scope.public(Period.of_year(year))
    values = {}
    for key, figure in F.FIGURES.items():
        values[key] = F.value(key, scope)
        values[f"public:{key}"] = F.value(key, public)
        for dim in figure.dims:
            values[f"{key}/{dim}"] = [(str(r.param), r.value) for r in F.breakdown(key, scope, dim)]
    return values


def _trail_text() -> str:
    return "\n".join(
        json.dumps(
            [e.changes, e.object_repr, e.message, e.reason, e.actor_label], ensure_ascii=False
        )
        for e in AuditEntry.objects.order_by("pk")
    )


def test_anonymise_keeps_the_figures_and_verification_and_removes_the_person(
    held, participant_user, client
):
    person = held["person"]
    code = held["certificate"].code
    year = held["session"].start.year
    before = _figures(year)
    assert before["trained"] == 3 and before["evaluations"] == 3
    email, family = person.email, person.family_name
    assert family in _trail_text() and email in _trail_text()
    # Anything anonymised here is due: kuwaitis[0..2] and qataris[0].
    due = list(privacy.due(privacy.SYSTEM).values_list("pk", flat=True))
    assert set(due) == {n.participant_id for n in held["nominations"]}

    result = run_cli("privacy", "anonymise", "--due")
    assert result.code == 0, result.err
    assert "4 participants due for anonymisation" in result.out
    assert "4/4 participant #" in result.out

    # Figures: identical, value by value and breakdown by breakdown.
    assert _figures(year) == before
    # Verification still answers valid, and shows no holder.
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200 and 'data-state="valid"' in page.content.decode()
    assert family not in page.content.decode()
    # Personal fields gone.
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.user_id is None
    for name in ("given_name", "family_name", "name_ar", "rank", "email", "name_key"):
        assert getattr(person, name) == "", name
    assert person.date_of_birth is None
    assert person.full_name == f"Anonymised participant #{person.pk}"
    assert (person.country.iso3, person.service, person.rank_code) == ("KWT", "army", "OF-3")
    nomination = Nomination.objects.get(pk=held["nominations"][0].pk)
    assert nomination.reason == "" and nomination.outcome == "completed"
    assert Evaluation.objects.get(nomination=nomination).comments == ""
    assert Certificate.objects.get(code=code).is_valid
    # The account is closed.
    account = User.objects.get(pk=participant_user.pk)
    assert not account.is_active and not account.has_usable_password()
    assert account.username == f"anonymised-{account.pk}" and account.email == ""
    assert client_for(account).get(reverse("training:my_training")).status_code != 200
    # The audit trail no longer carries the values; the redaction is recorded.
    text = _trail_text()
    assert family not in text and email not in text and COMMENT not in text
    assert participant_user.username not in text
    assert AuditEntry.objects.filter(action=audit.Action.REDACTION).count() == 4  # one a person
    # The staff page says so; the export holds no name.
    staff = client_for(User.objects.get(role="centre_staff"))
    assert 'data-anonymised="yes"' in staff.get(person.get_absolute_url()).content.decode()
    exported = privacy.export_document(privacy.SYSTEM, person)
    assert family not in json.dumps(exported) and exported["participant"]["anonymised_at"]


def test_a_second_anonymisation_is_refused_and_changes_nothing(held, centre_staff):
    person = held["person"]
    privacy.anonymise(centre_staff, person, reason="retention")
    entries = AuditEntry.objects.count()
    with pytest.raises(Conflict, match="anonymised"):
        privacy.anonymise(centre_staff, person, reason="again")
    result = run_cli("privacy", "anonymise", "--participant", str(person.pk))
    assert result.code == 1 and "anonymised" in result.err
    assert AuditEntry.objects.count() == entries
    assert not privacy.due(privacy.SYSTEM).filter(pk=person.pk).exists()


def test_the_admin_cannot_edit_an_anonymised_participant(held, centre_staff, administrator):
    person = held["person"]
    admin_client = client_for(administrator)
    url = reverse("admin:training_participant_change", args=[person.pk])
    assert admin_client.get(url).status_code == 200  # still editable before
    privacy.anonymise(centre_staff, person, reason="retention")
    response = admin_client.post(url, {"given_name": "Back", "family_name": "Again"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.given_name != "Back"


def test_dry_run_writes_nothing(held):
    person = held["person"]
    entries = AuditEntry.objects.count()
    result = run_cli("privacy", "anonymise", "--due", "--dry-run")
    assert result.code == 0, result.err
    assert f"#{person.pk} KWT: would be anonymised" in result.out
    assert "nothing was written" in result.out
    assert AuditEntry.objects.count() == entries
    person.refresh_from_db()
    assert person.anonymised_at is None and person.family_name


def test_the_cli_refuses_bad_input_and_is_all_or_nothing(held, kuwaitis):
    person = held["person"]
    entries = AuditEntry.objects.count()
    for args in (
        (),  # neither --due nor --participant
        ("--due", "--participant", str(person.pk)),
        ("--participant", "x1"),
        ("--participant", "999999"),
        ("--participant", str(person.pk), "--before-due"),  # an override needs a reason
        ("--due", "--before-due", "--reason", "asked"),
    ):
        result = run_cli("privacy", "anonymise", *args)
        assert result.code != 0 and result.err.strip(), args
    # kuwaitis[3] was never on a course and was recorded today: not due. With it
    # in the run, nobody is anonymised.
    result = run_cli(
        "privacy",
        "anonymise",
        "--participant",
        str(person.pk),
        "--participant",
        str(kuwaitis[3].pk),
    )
    assert result.code == 1 and "Not due" in result.err
    person.refresh_from_db()
    assert person.anonymised_at is None
    assert AuditEntry.objects.count() == entries


def test_not_yet_due_is_refused_unless_an_administrator_overrides(
    session, kuwaitis, kwt_coordinator, centre_staff, administrator, nato_staff
):
    # A course held two years ago: kept three more years.
    nomination = services.nominate(kwt_coordinator, session, kuwaitis[0])
    services.accept(centre_staff, nomination)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    _shift(session, 2)
    person = Participant.objects.get(pk=kuwaitis[0].pk)
    state = privacy.retention(person)
    assert not state.is_due and "Not due" in state.explanation
    assert state.due_on == privacy.years_after(session.end, 5)
    with pytest.raises(Conflict, match="Not due"):
        privacy.anonymise(centre_staff, person, reason="early")
    with pytest.raises(PermissionDenied):
        privacy.anonymise(centre_staff, person, reason="early", before_due=True)
    with pytest.raises(PermissionDenied):
        privacy.anonymise(nato_staff, person, reason="retention")
    url = reverse("training:participant_anonymise", args=[person.pk])
    # Centre staff: the page explains, and a POST is refused.
    staff = client_for(centre_staff)
    page = staff.get(url).content.decode()
    assert 'data-due="no"' in page and "<form" not in page.split("<main", 1)[-1]
    response = staff.post(url, {"reason": "early", "confirm": "on", "before_due": "on"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.anonymised_at is None
    # NATO staff may not.
    assert client_for(nato_staff).get(url).status_code == 403
    # An administrator overrides, with a reason and the explicit box.
    admin = client_for(administrator)
    assert 'data-override="yes"' in admin.get(url).content.decode()
    response = admin.post(url, {"reason": "", "confirm": "on", "before_due": "on"})
    assert response.status_code == 200  # a reason is required
    response = admin.post(url, {"reason": "asked to be forgotten", "confirm": "on"})
    assert response.status_code == 200  # the override box is required
    person.refresh_from_db()
    assert person.anonymised_at is None
    response = admin.post(
        url, {"reason": "asked to be forgotten", "confirm": "on", "before_due": "on"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.family_name == ""
    entry = AuditEntry.objects.filter(
        action=audit.Action.TRANSITION, object_id=str(person.pk), message__contains="override"
    ).get()
    assert entry.actor == administrator and entry.reason == "asked to be forgotten"


def test_an_upcoming_session_keeps_the_person_even_with_an_override(
    held, session, course, centre_staff, administrator
):
    person = held["person"]
    upcoming = factories.make_session(course, centre_staff, capacity=4, quotas={"KWT": 2})
    services.nominate(centre_staff, upcoming, person)
    state = privacy.retention(person)
    assert not state.is_due and upcoming.reference in state.explanation
    assert not privacy.due(privacy.SYSTEM).filter(pk=person.pk).exists()
    with pytest.raises(Conflict):
        privacy.anonymise(administrator, person, reason="asked", before_due=True)


def test_the_pages_are_for_administrators_and_centre_staff(
    held, every_role, centre_staff, kuwaitis
):
    due_url = reverse("training:anonymisation_due")
    person = held["person"]
    one_url = reverse("training:participant_anonymise", args=[person.pk])
    for role, user in every_role.items():
        client = client_for(user)
        expected = 200 if role in ("admin", "centre_staff") else 403
        assert client.get(due_url).status_code == expected, role
        assert client.get(one_url).status_code == expected, role
    client = client_for(centre_staff)
    page = client.get(due_url).content.decode()
    for n in held["nominations"]:
        assert f'data-participant="{n.participant_id}"' in page
    assert f'data-participant="{kuwaitis[3].pk}"' not in page  # recorded today
    # The POST needs the CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(one_url, {"reason": "retention", "confirm": "on"})
    assert response.status_code == 403
    client.handler.enforce_csrf_checks = False
    response = client.post(one_url, {"reason": "retention"})  # no confirmation
    assert response.status_code == 200
    response = client.post(one_url, {"reason": "retention", "confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_anonymised
    # All the others due, at once.
    response = client.post(due_url, {"reason": "retention", "confirm": "on"})
    assert response.status_code == 302
    assert not privacy.due(centre_staff).exists()
    assert Participant.objects.filter(anonymised_at__isnull=False).count() == 4


def test_the_due_list_runs_a_constant_number_of_queries(centre_staff):
    client = client_for(centre_staff)
    url = reverse("training:anonymisation_due")
    counter = iter(range(100))

    def grow():
        for _i in range(3):
            n = next(counter)
            p = factories.make_participant(centre_staff, ("KWT", "QAT", "ARE")[n % 3], 50 + n)
            Participant.objects.filter(pk=p.pk).update(
                created_at=timezone.now() - dt.timedelta(days=366 * 7)
            )

    grow()

    def fetch():
        response = client.get(url)
        assert response.status_code == 200

    assert_constant_queries(fetch, grow)
    assert privacy.due(centre_staff).count() == 6
