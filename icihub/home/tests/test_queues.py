"""The work queues of each role's home page, their counts in the navigation,
and the bulk closing of follow-up actions (issue 14, point 1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from icihub.core.models import AuditEntry
from icihub.dialogue import selectors as dialogue_selectors
from icihub.dialogue import services as dialogue
from icihub.dialogue.models import FollowUpAction
from icihub.dialogue.tests.helpers import make_event
from icihub.partners.models import Country, Organisation
from icihub.programmes import services as programmes
from icihub.programmes.models import Programme
from icihub.testing import assert_constant_queries, client_for
from icihub.training import selectors, services
from icihub.training.models import Certificate, Nomination, Session
from icihub.training.tests import factories

pytestmark = pytest.mark.django_db

S = Nomination.Status


def _today():
    return timezone.localdate()


def _soon_session(course, actor, days=20, **extra):
    start = _today() + dt.timedelta(days=days)
    return factories.make_session(
        course,
        actor,
        start=start,
        nomination_deadline=start - dt.timedelta(days=10),
        reallocation_date=start - dt.timedelta(days=5),
        **extra,
    )


def _queue(html: str, key: str) -> str:
    match = re.search(
        rf'<section class="card queue" data-queue="{key}" data-count="(\d+)"(.*?)</section>',
        html,
        re.S,
    )
    assert match, f"no queue {key}"
    return match.group(0)


def _count(html: str, key: str) -> int:
    return int(re.search(rf'data-queue="{key}" data-count="(\d+)"', html).group(1))


def _nav(html: str, label: str) -> int | None:
    match = re.search(rf'{label} <span class="nav-badge">(\d+)</span></a>', html)
    return int(match.group(1)) if match else None


def _complete(session, nominations):
    """A completed session whose ``nominations`` completed the course (set
    straight in the database: the lifecycle is tested in training)."""
    Session.objects.filter(pk=session.pk).update(state=Session.State.COMPLETED)
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(
        status=S.ACCEPTED, outcome=Nomination.Outcome.COMPLETED
    )


@pytest.fixture
def centre_data(centre_staff, kwt_coordinator, qat_coordinator):
    course = factories.make_course(centre_staff)
    soon = _soon_session(course, centre_staff, capacity=6, quotas={"KWT": 3, "QAT": 2})
    later = factories.make_session(
        course, centre_staff, capacity=4, quotas={"KWT": 2}, start=_today() + dt.timedelta(weeks=12)
    )
    kuwaitis = [factories.make_participant(centre_staff, "KWT", i) for i in range(1, 4)]
    qataris = [factories.make_participant(centre_staff, "QAT", i) for i in range(1, 3)]
    first = services.nominate(kwt_coordinator, later, kuwaitis[0])  # the oldest
    pending = services.nominate_many(kwt_coordinator, soon, kuwaitis[:2])
    pending += services.nominate_many(qat_coordinator, soon, qataris[:1])
    past = factories.make_session(
        course, centre_staff, capacity=4, quotas={"KWT": 4}, start=_today() + dt.timedelta(weeks=9)
    )
    done = services.nominate_many(kwt_coordinator, past, kuwaitis)
    _complete(past, done)
    return {
        "soon": soon,
        "later": later,
        "past": past,
        "pending": [first, *pending],
        "done": done,
        "kuwaitis": kuwaitis,
        "qataris": qataris,
        "course": course,
    }


# -- Centre staff --------------------------------------------------------------------------------


def test_centre_staff_see_nominations_to_decide_sessions_with_issues_and_certificates(
    centre_staff, centre_data
):
    html = client_for(centre_staff).get("/").content.decode()

    decide = _queue(html, "nominations-to-decide")
    assert _count(html, "nominations-to-decide") == 4
    ids = [int(i) for i in re.findall(r'data-queue-item="(\d+)"', decide)]
    assert ids[0] == centre_data["pending"][0].pk  # the oldest first, its session's group first
    assert set(ids) == {n.pk for n in centre_data["pending"]}
    assert re.findall(r'data-session-id="(\d+)"', decide) == [
        str(centre_data["later"].pk),
        str(centre_data["soon"].pk),
    ]
    assert "/training/nominations/?status=nominated" in decide

    issues = _queue(html, "sessions-with-issues")
    assert f'data-queue-item="{centre_data["soon"].pk}"' in issues
    assert f'data-queue-item="{centre_data["later"].pk}"' not in issues  # not soon
    assert 'data-issue="undecided"' in issues and 'data-issue="no-instructor"' in issues
    assert "3 nominations await a decision" in issues

    certificates = _queue(html, "certificates-to-issue")
    assert _count(html, "certificates-to-issue") == 3
    assert set(re.findall(r'data-queue-item="(\d+)"', certificates)) == {
        str(n.pk) for n in centre_data["done"]
    }

    assert _nav(html, "Nominations") == 4
    assert _nav(html, "Certificates") == 3
    # the Centre's queues only: NATO's are not on this page
    assert 'data-queue="actions-due"' not in html


def test_an_issued_certificate_and_a_decided_nomination_leave_the_queues(centre_staff, centre_data):
    services.accept(centre_staff, centre_data["pending"][0])
    # issued straight in the database (issuing is tested in training)
    Certificate.objects.create(nomination=centre_data["done"][0], code="QUEUE-TEST-1")
    assert selectors.nominations_to_decide_count(centre_staff) == 3
    assert selectors.certificates_to_issue_count(centre_staff) == 2


def test_an_instructor_without_a_trip_and_a_missing_evaluation_are_issues(centre_staff):
    course = factories.make_course(centre_staff)
    soon = _soon_session(course, centre_staff)
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Dr Test Instructor",
            "organisation": Organisation.objects.get(slug="nato-school"),
            "country": Country.objects.get(iso3="ITA"),
        },
    )
    services.assign(centre_staff, soon, instructor, "lead")
    row = selectors.sessions_with_open_issues(centre_staff).get(pk=soon.pk)
    assert not row.no_instructor and row.without_trip == 1 and row.undecided == 0
    html = client_for(centre_staff).get("/").content.decode()
    assert 'data-issue="no-trip"' in _queue(html, "sessions-with-issues")

    # an instructor based in Kuwait, where the Centre is, travels to no session
    local = services.create_instructor(
        centre_staff,
        {
            "full_name": "Local Expert",
            "organisation": Organisation.objects.get(slug="nato-ici-rc"),
            "country": Country.objects.get(iso3="KWT"),
        },
    )
    other = _soon_session(course, centre_staff, days=25)
    services.assign(centre_staff, other, local, "lead")
    assert not selectors.sessions_with_open_issues(centre_staff).filter(pk=other.pk).exists()

    # a session that ended, not yet completed, whose nominee returned no evaluation
    ended = factories.make_session(
        course,
        centre_staff,
        start=_today() + dt.timedelta(weeks=8),
        quotas={"KWT": 2},
    )
    person = factories.make_participant(centre_staff, "KWT", 7)
    nomination = services.nominate(centre_staff, ended, person)
    Nomination.objects.filter(pk=nomination.pk).update(status=S.ACCEPTED)
    Session.objects.filter(pk=ended.pk).update(
        start=_today() - dt.timedelta(days=9),
        end=_today() - dt.timedelta(days=5),
        nomination_deadline=_today() - dt.timedelta(days=20),
        reallocation_date=_today() - dt.timedelta(days=20),
        state=Session.State.RUNNING,
    )
    row = selectors.sessions_with_open_issues(centre_staff).get(pk=ended.pk)
    assert row.missing_evaluations == 1


def test_the_centre_queues_read_a_constant_number_of_queries(centre_staff, centre_data):
    client = client_for(centre_staff)
    n = iter(range(100, 200))

    def grow():
        course = centre_data["course"]
        session = _soon_session(course, centre_staff, days=15 + next(n) % 20, quotas={"KWT": 3})
        people = [factories.make_participant(centre_staff, "KWT", next(n)) for _ in range(3)]
        services.nominate_many(centre_staff, session, people)
        past = factories.make_session(
            course, centre_staff, quotas={"KWT": 3}, start=_today() + dt.timedelta(weeks=9)
        )
        more = [factories.make_participant(centre_staff, "KWT", next(n)) for _ in range(2)]
        _complete(past, services.nominate_many(centre_staff, past, more))

    assert_constant_queries(lambda: client.get("/"), grow)


# -- a national coordinator ---------------------------------------------------------------------


def test_a_coordinator_sees_their_countrys_sessions_seats_and_nominations_only(
    kwt_coordinator, qat_coordinator, centre_staff, centre_data
):
    qatar_only = factories.make_session(
        centre_data["course"],
        centre_staff,
        start=_today() + dt.timedelta(weeks=11),
        quotas={"QAT": 3},
    )
    html = client_for(kwt_coordinator).get("/").content.decode()

    open_sessions = _queue(html, "open-sessions")
    rows = dict(re.findall(r'data-queue-item="(\d+)" data-free="(\d+)"', open_sessions))
    # Kuwait's quota of 3 on the soon session holds 2, of 2 on the later one holds 1
    assert rows == {str(centre_data["soon"].pk): "1", str(centre_data["later"].pk): "1"}
    assert str(qatar_only.pk) not in rows

    mine = _queue(html, "my-nominations")
    states = dict(re.findall(r'data-state="(\w+)" data-count="(\d+)"', mine))
    assert states == {"nominated": "3", "accepted": "3"}
    items = {int(i) for i in re.findall(r'data-queue-item="(\d+)"', mine)}
    qatari_nominations = set(
        Nomination.objects.filter(country__iso3="QAT").values_list("pk", flat=True)
    )
    assert items and not items & qatari_nominations
    for n in centre_data["qataris"]:
        assert n.full_name not in html

    # the Centre's and NATO's queues are not a coordinator's
    assert 'data-queue="nominations-to-decide"' not in html
    assert _nav(html, "Nominations") is None

    qatar = client_for(qat_coordinator).get("/").content.decode()
    qatar_states = dict(re.findall(r'data-state="(\w+)" data-count="(\d+)"', qatar))
    assert qatar_states == {"nominated": "1"}
    assert str(centre_data["soon"].pk) in _queue(qatar, "open-sessions")
    assert f'data-queue-item="{centre_data["later"].pk}"' not in _queue(qatar, "open-sessions")


def test_a_coordinators_programme_steps_are_their_countrys_drafts(kwt_coordinator, qat_coordinator):
    draft = programmes.create_programme(
        kwt_coordinator,
        {"country": kwt_coordinator.country, "kind": "itpp", "start_year": 2025, "end_year": 2028},
    )
    kuwait = client_for(kwt_coordinator).get("/").content.decode()
    steps = _queue(kuwait, "programme-steps")
    assert f'data-queue-item="{draft.pk}"' in steps
    assert _nav(kuwait, "Individual programmes") == 1

    qatar = client_for(qat_coordinator).get("/").content.decode()
    assert _count(qatar, "programme-steps") == 0
    assert "No programme waits for you." in _queue(qatar, "programme-steps")
    assert _nav(qatar, "Individual programmes") is None


def test_the_coordinator_queues_read_a_constant_number_of_queries(
    kwt_coordinator, centre_staff, centre_data
):
    client = client_for(kwt_coordinator)
    n = iter(range(300, 400))

    def grow():
        session = factories.make_session(
            centre_data["course"],
            centre_staff,
            start=_today() + dt.timedelta(weeks=10, days=next(n) % 30),
            quotas={"KWT": 3},
        )
        people = [factories.make_participant(centre_staff, "KWT", next(n)) for _ in range(2)]
        services.nominate_many(kwt_coordinator, session, people)

    assert_constant_queries(lambda: client.get("/"), grow)


# -- NATO staff ---------------------------------------------------------------------------------


def _request(coordinator, days_ago, subject="Expert advice"):
    return programmes.create_request(
        coordinator,
        {
            "kind": "expert",
            "subject": subject,
            "requested_on": _today() - dt.timedelta(days=days_ago),
        },
    )


def test_nato_staff_see_submitted_programmes_requests_and_actions_due(nato_staff, kwt_coordinator):
    submitted = programmes.create_programme(
        kwt_coordinator,
        {"country": kwt_coordinator.country, "kind": "itpp", "start_year": 2025, "end_year": 2028},
    )
    Programme.objects.filter(pk=submitted.pk).update(
        state=Programme.State.SUBMITTED, submitted_at=timezone.now()
    )
    recent = _request(kwt_coordinator, 3, "Recent request")
    old = _request(kwt_coordinator, 40, "Old request")
    event = make_event("Event with actions", actions=1, overdue=2)
    FollowUpAction.objects.create(
        event=event,
        description="Far away",
        owner_organisation=event.actions.first().owner_organisation,
        due=_today() + dt.timedelta(days=60),
    )

    html = client_for(nato_staff).get("/").content.decode()
    assert f'data-queue-item="{submitted.pk}"' in _queue(html, "programmes-to-answer")
    requests = _queue(html, "requests-to-answer")
    assert re.findall(r'data-queue-item="(\d+)"', requests) == [str(old.pk), str(recent.pk)]

    actions = _queue(html, "actions-due")
    assert _count(html, "actions-due") == 2  # the two overdue; not those due in 30 or 60 days
    assert "Far away" not in actions
    assert actions.count('name="ids"') == 2  # NATO staff may close both
    assert "/dialogue/actions/?due=soon" in actions

    assert _nav(html, "Individual programmes") == 1
    assert _nav(html, "Follow-up actions") == 2
    assert 'data-queue="nominations-to-decide"' not in html


def test_the_nato_queues_read_a_constant_number_of_queries(nato_staff, kwt_coordinator):
    client = client_for(nato_staff)
    make_event(actions=0, overdue=1)
    _request(kwt_coordinator, 5)

    def grow():
        make_event(actions=0, overdue=3)
        _request(kwt_coordinator, 10)

    assert_constant_queries(lambda: client.get("/"), grow)


def test_visitors_instructors_and_participants_have_no_queues(
    client, instructor_user, participant_user
):
    for c in (client, client_for(instructor_user), client_for(participant_user)):
        assert "data-queue=" not in c.get("/").content.decode()


# -- closing follow-up actions in bulk ----------------------------------------------------------


def test_close_actions_closes_all_in_one_go_and_audits_each(nato_staff):
    event = make_event(actions=2, overdue=2)
    ids = list(event.actions.values_list("pk", flat=True))
    closed = dialogue.close_actions(nato_staff, ids, reason="Done at the meeting")
    assert len(closed) == 4
    assert set(FollowUpAction.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "done"
    }
    assert (
        AuditEntry.objects.filter(
            action="transition", object_id__in=[str(i) for i in ids], reason="Done at the meeting"
        ).count()
        == 4
    )
    assert dialogue_selectors.actions_due_count(nato_staff) == 0


def test_close_actions_is_all_or_nothing(centre_staff, nato_staff):
    """Centre staff see every action but close only their own: one row they may
    not change refuses the whole batch."""
    event = make_event(actions=1, overdue=1)
    own = FollowUpAction.objects.create(
        event=event, description="Mine", owner_user=centre_staff, due=_today()
    )
    ids = [own.pk, *event.actions.exclude(pk=own.pk).values_list("pk", flat=True)]
    with pytest.raises(PermissionDenied, match="Nothing was closed"):
        dialogue.close_actions(centre_staff, ids)
    assert not FollowUpAction.objects.filter(state="done").exists()

    # an action no longer open refuses the batch too
    done = event.actions.exclude(pk=own.pk).first()
    dialogue.close_actions(nato_staff, [done.pk])
    with pytest.raises(Exception, match="no longer open"):
        dialogue.close_actions(nato_staff, ids)
    assert FollowUpAction.objects.filter(state="done").count() == 1

    # own rows alone: closed
    dialogue.close_actions(centre_staff, [own.pk])
    own.refresh_from_db()
    assert own.state == "done" and own.completed_on == _today()


def test_the_page_asks_then_closes(nato_staff):
    event = make_event(actions=0, overdue=4)
    ids = [str(i) for i in event.actions.values_list("pk", flat=True)]
    client = client_for(nato_staff)

    confirm = client.post("/dialogue/actions/close/", {"ids": ids, "next": "/"})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Close 4 actions?" in page
    assert FollowUpAction.objects.filter(state="open").count() == 4  # nothing yet

    done = client.post(
        "/dialogue/actions/close/", {"ids": ids, "confirm": "1", "next": "/"}, follow=True
    )
    assert "4 actions closed." in done.content.decode()
    assert FollowUpAction.objects.filter(state="done").count() == 4


def test_the_page_shows_the_refusal_and_closes_nothing(centre_staff):
    event = make_event(actions=1, overdue=0)
    own = FollowUpAction.objects.create(
        event=event, description="Mine", owner_user=centre_staff, due=_today()
    )
    ids = [str(i) for i in event.actions.values_list("pk", flat=True)]
    client = client_for(centre_staff)
    response = client.post(
        "/dialogue/actions/close/",
        {"ids": ids, "confirm": "1", "next": "/dialogue/actions/"},
        follow=True,
    )
    html = response.content.decode()
    assert "You may not close this action" in html and "Nothing was closed." in html
    assert not FollowUpAction.objects.filter(state="done").exists()

    # the list offers a checkbox only on the row this user may close
    listing = client.get("/dialogue/actions/").content.decode()
    assert re.findall(r'name="ids" value="(\d+)"', listing) == [str(own.pk)]


def test_an_action_out_of_sight_answers_404(kwt_coordinator, nato_staff):
    event = make_event(actions=1)
    ids = [str(i) for i in event.actions.values_list("pk", flat=True)]
    response = client_for(kwt_coordinator).post(
        "/dialogue/actions/close/", {"ids": ids, "confirm": "1"}
    )
    assert response.status_code == 404
    assert not FollowUpAction.objects.filter(state="done").exists()


def test_the_actions_list_filters_the_actions_due(nato_staff):
    make_event(actions=2, overdue=1)
    html = client_for(nato_staff).get("/dialogue/actions/?due=soon").content.decode()
    assert html.count('class="action-row') == 1


def test_the_list_offers_no_bulk_close_to_whom_it_cannot_succeed(centre_staff, nato_staff):
    make_event(actions=2, overdue=1)  # owned by an organisation: NATO staff's to close
    centre = client_for(centre_staff).get("/dialogue/actions/").content.decode()
    assert 'data-action="close-selected"' not in centre and 'name="ids"' not in centre
    nato = client_for(nato_staff).get("/dialogue/actions/").content.decode()
    assert 'data-action="close-selected"' in nato and nato.count('name="ids"') == 3


def test_the_queues_name_courses_in_the_page_s_language(kwt_coordinator, centre_staff, centre_data):
    from django.conf import settings

    course = centre_data["course"]
    type(course).objects.filter(pk=course.pk).update(title_ar="دورة إدارة الأزمات")
    client = client_for(kwt_coordinator)
    english = _queue(client.get("/").content.decode(), "open-sessions")
    assert course.title in english and "دورة إدارة الأزمات" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = _queue(client.get("/").content.decode(), "open-sessions")
    assert "دورة إدارة الأزمات" in arabic and course.title not in arabic
