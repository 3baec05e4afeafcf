"""Releasability: who sees which event, on every page and endpoint."""

import pytest

from icihub.core.access import Marking
from icihub.dialogue.models import Event, FollowUpAction
from icihub.dialogue.selectors import latest_events, timeline
from icihub.testing import ApiClient, client_for

from .helpers import make_event

pytestmark = pytest.mark.django_db

KUWAIT_ONLY = "Kuwait-only consultations on the Centre"
NATO_ONLY = "Allies-only review"
ICI_ONLY = "Releasable to ICI meeting"


@pytest.fixture
def marked(db):
    return {
        "kwt": make_event(
            KUWAIT_ONLY,
            marking=Marking.REL_PARTNER,
            country="KWT",
            participants=("KWT",),
            actions=1,
            date="2025-03",
        ),
        "nato": make_event(
            NATO_ONLY, marking=Marking.NATO, participants=("KWT",), date="2025-04", actions=1
        ),
        "ici": make_event(ICI_ONLY, marking=Marking.REL_ICI, date="2025-05"),
    }


def _api_titles(user, path="dialogue/events?limit=1000"):
    body = ApiClient(user).get(path).json()
    return {row["title"] for row in body["items"]}


def _timeline_titles(user, country=""):
    result = timeline(user, country=country)
    return {str(i.title) for i in result.dated + result.undated}


def test_anonymous_visitors_see_only_public_events(client, marked):
    page = client.get("/dialogue/?year=2025").content.decode()
    assert KUWAIT_ONLY not in page and NATO_ONLY not in page and ICI_ONLY not in page
    assert _api_titles(None) == set(
        Event.objects.filter(marking=Marking.PUBLIC).values_list("title", flat=True)
    )
    for event in marked.values():
        assert client.get(event.get_absolute_url()).status_code == 404
        assert ApiClient().get(f"dialogue/events/{event.pk}").status_code == 404
    titles = _timeline_titles(None)
    assert not titles & {KUWAIT_ONLY, NATO_ONLY, ICI_ONLY}
    assert "Inauguration of the NATO-ICI Regional Centre" in titles
    assert all(e.marking == Marking.PUBLIC for e in latest_events(None, limit=50))


def test_a_qatari_coordinator_never_sees_the_kuwait_only_event(qat_coordinator, marked):
    event = marked["kwt"]
    client = client_for(qat_coordinator)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(f"/dialogue/events/{event.pk}/edit/").status_code == 404
    assert KUWAIT_ONLY not in client.get("/dialogue/?country=KWT").content.decode()
    assert KUWAIT_ONLY not in client.get("/dialogue/timeline/?country=KWT").content.decode()
    assert KUWAIT_ONLY not in client.get("/dialogue/timeline/").content.decode()
    api = ApiClient(qat_coordinator)
    assert api.get(f"dialogue/events/{event.pk}").status_code == 404
    assert KUWAIT_ONLY not in _api_titles(qat_coordinator)
    timeline_json = api.get("dialogue/timeline").json()
    assert KUWAIT_ONLY not in {i["title"] for i in timeline_json["dated"]}
    assert KUWAIT_ONLY not in _timeline_titles(qat_coordinator)
    assert KUWAIT_ONLY not in {e.title for e in latest_events(qat_coordinator, limit=100)}
    # ... nor its follow-up actions
    action = event.actions.get()
    assert api.get(f"dialogue/actions/{action.pk}").status_code == 404
    assert client.get(f"/dialogue/actions/{action.pk}/edit/").status_code == 404
    assert action.description not in client.get("/dialogue/actions/").content.decode()
    assert api.get("dialogue/actions").json()["count"] == 0
    # the ICI-releasable one is visible, the NATO-only one is not
    assert ICI_ONLY in _api_titles(qat_coordinator)
    assert NATO_ONLY not in _api_titles(qat_coordinator)


def test_the_kuwaiti_coordinator_sees_kuwait_s_event_and_its_actions(kwt_coordinator, marked):
    event = marked["kwt"]
    client = client_for(kwt_coordinator)
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert event.actions.get().description in page.content.decode()
    assert KUWAIT_ONLY in _api_titles(kwt_coordinator)
    assert KUWAIT_ONLY in _timeline_titles(kwt_coordinator, country="KWT")
    actions = ApiClient(kwt_coordinator).get("dialogue/actions").json()
    assert [a["event"] for a in actions["items"]] == [event.pk]
    # NATO-only stays hidden even though Kuwait took part
    assert client.get(marked["nato"].get_absolute_url()).status_code == 404
    # coordinators read, they do not edit
    assert client.get(f"/dialogue/events/{event.pk}/edit/").status_code == 403


def test_nato_only_events_are_for_nato_roles(nato_staff, centre_staff, administrator, marked):
    event = marked["nato"]
    for user in (nato_staff, administrator):
        assert client_for(user).get(event.get_absolute_url()).status_code == 200
        assert NATO_ONLY in _api_titles(user)
    assert client_for(centre_staff).get(event.get_absolute_url()).status_code == 404
    assert NATO_ONLY not in _api_titles(centre_staff)
    assert KUWAIT_ONLY in _api_titles(centre_staff)  # Centre staff see partner-releasable rows


def test_participants_and_instructors_see_public_and_ici_events(participant_user, marked):
    titles = _api_titles(participant_user)
    assert ICI_ONLY in titles
    assert not titles & {KUWAIT_ONLY, NATO_ONLY}
    # follow-up actions are internal
    assert ApiClient(participant_user).get("dialogue/actions").json()["count"] == 0


def test_an_action_owner_sees_their_action(participant_user, marked):
    event = marked["ici"]
    action = FollowUpAction.objects.create(
        event=event, description="Send the slides", owner_user=participant_user
    )
    body = ApiClient(participant_user).get("dialogue/actions").json()
    assert [a["id"] for a in body["items"]] == [action.pk]
    # but not on an event they may not see
    action.event = marked["nato"]
    action.save()
    assert ApiClient(participant_user).get("dialogue/actions").json()["count"] == 0


def test_marking_filter_offers_only_visible_markings(client, kwt_coordinator, nato_staff):
    def options(c):
        html = c.get("/dialogue/").content.decode()
        return {m for m in Marking.values if f'<option value="{m}"' in html}

    assert options(client) == {"public"}
    assert options(client_for(kwt_coordinator)) == {"public", "rel_ici", "rel_partner"}
    assert options(client_for(nato_staff)) == set(Marking.values)
