"""Pages: the register, an event, staff forms, follow-up actions and the timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.models import AuditEntry
from icihub.dialogue.models import Event, FollowUpAction
from icihub.testing import assert_constant_queries, client_for

from .helpers import make_event, ref

pytestmark = pytest.mark.django_db


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# -- the event page ------------------------------------------------------------------------


def test_inauguration_page_shows_the_date_conflict_and_sources(client):
    html = _html(client.get(ref("centre-inauguration-2017").get_absolute_url()))
    assert "24 January 2017" in html
    assert "Sources disagree" in html
    assert "23 January 2017" in html
    assert "/sources/nato-centre-2017/" in html and "/sources/seed-002/" in html
    assert "inaugurated in Kuwait City on January 24, 2017." in html  # quoted passage
    assert "Jens Stoltenberg" in html and "Jaber Mubarak Al Sabah" in html


def test_an_undated_event_says_so(client):
    html = _html(client.get(ref("ici-advisory-group-consultations").get_absolute_url()))
    assert "date not stated" in html
    assert "The article gives no date" in html
    assert "Saudi Arabia" in html and "Oman" in html and "Gulf Cooperation Council" in html
    assert "Observer" in html


def test_foreign_ministers_meeting_is_shown_at_year_precision(client):
    html = _html(client.get(ref("first-ici-foreign-ministers-2014").get_absolute_url()))
    assert '<span class="fact">2014<sup' in html
    assert "Anders Fogh Rasmussen" in html


def test_overdue_actions_are_flagged_on_the_event_page(nato_staff):
    event = make_event(actions=1, overdue=2)
    html = _html(client_for(nato_staff).get(event.get_absolute_url()))
    assert "2 follow-up actions are overdue" in html
    assert html.count('class="action-row overdue"') == 2
    assert html.count('class="badge bad">overdue<') == 2


def test_anonymous_visitors_do_not_see_actions(client):
    event = make_event(overdue=1)
    html = _html(client.get(event.get_absolute_url()))
    assert "Overdue action" not in html
    assert "overdue" not in html.lower().split("follow-up actions are shown")[0].split("<main")[1]


# -- the register ------------------------------------------------------------------------------


def test_register_lists_seed_events_with_filters(client):
    html = _html(client.get("/dialogue/"))
    assert "Political dialogue register" in html
    html = _html(client.get("/dialogue/?format=inauguration"))
    assert "Inauguration of the NATO-ICI Regional Centre" in html
    assert "First meeting of NATO and ICI foreign ministers" not in html
    html = _html(client.get("/dialogue/?year=2014"))
    assert "First meeting of NATO and ICI foreign ministers" in html
    assert "Inauguration of the NATO-ICI" not in html
    html = _html(client.get("/dialogue/?country=OMN"))
    assert "ICI advisory group: two-day informal consultations" in html
    assert "Opening of Kuwait" not in html
    html = _html(client.get("/dialogue/?topic=cbrn"))
    assert "Inauguration of the NATO-ICI Regional Centre" in html
    assert "New York" not in html
    html = _html(client.get("/dialogue/?level=ministerial"))
    assert "First meeting of NATO and ICI foreign ministers" in html
    assert "Inauguration of the NATO-ICI" not in html
    html = _html(client.get("/dialogue/?q=ribbon"))
    assert "Opening of Kuwait" in html and "Inauguration of the NATO-ICI" not in html
    html = _html(client.get("/dialogue/?year=2018"))
    assert "First annual review" in html  # a range 30 September - 1 October 2018
    assert "date not stated" in _html(client.get("/dialogue/?format=mission_opening"))


def test_register_fragment_for_htmx(client):
    response = client.get(
        "/dialogue/?format=summit", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = _html(response)
    assert "<html" not in html
    assert "Chicago" in html and "Istanbul" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("topic=astrology", "topic"),
        ("country=XYZ", "country"),
        ("year=20x4", "year"),
        ("format=party", "format"),
    ],
)
def test_bad_filters_are_explained(client, query, field):
    html = _html(client.get(f"/dialogue/?{query}"))
    assert 'class="errorlist filter-errors"' in html
    assert f"<strong>{field}</strong>" in html
    assert "No events match." in html


def test_staff_see_the_overdue_count(nato_staff, kwt_coordinator):
    make_event(overdue=3)
    html = _html(client_for(nato_staff).get("/dialogue/"))
    assert "follow-up actions are overdue" in html
    assert "3 overdue actions" in html
    assert "overdue" not in _html(client_for(kwt_coordinator).get("/dialogue/"))


def test_demo_events_are_marked_demo(nato_staff):
    from icihub.dialogue import demo

    demo.load(lambda line: None)
    event = Event.objects.get(key="demo-review-2025-09")
    assert event.provenance == Event.Provenance.DEMO
    html = _html(client_for(nato_staff).get(event.get_absolute_url()))
    assert 'class="badge demo"' in html
    assert "Demonstration data" in html
    assert FollowUpAction.objects.overdue().filter(event__provenance="demo").exists()
    assert Event.objects.filter(provenance="demo", marking=Marking.NATO).exists()
    assert Event.objects.filter(provenance="demo", marking=Marking.REL_PARTNER).exists()
    years = {e.date.year for e in Event.objects.filter(provenance="demo").dated()}
    assert min(years) == 2005 and max(years) == 2026
    before = AuditEntry.objects.count()
    demo.load(lambda line: None)
    assert AuditEntry.objects.count() == before  # idempotent


# -- staff forms ------------------------------------------------------------------------------


def _form_post(**overrides):
    data = {
        "title": "NAC+4 on maritime security",
        "format": "nac_ici",
        "date": "2026-02",
        "place": "Brussels",
        "venue": "nato-hq",
        "level": "ambassadorial",
        "topics": ["maritime-security"],
        "summary": "Ambassadors met.",
        "marking": "rel_ici",
        "participants-TOTAL_FORMS": "2",
        "participants-INITIAL_FORMS": "0",
        "participants-0-country": "KWT",
        "participants-0-role": "member",
        "participants-1-organisation": "nato-hq",
        "participants-1-role": "chair",
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-person": "jens-stoltenberg",
        "attendees-0-role": "chaired",
    }
    data.update(overrides)
    return data


def test_nato_staff_record_an_event_in_the_form(nato_staff):
    client = client_for(nato_staff)
    assert client.get("/dialogue/events/new/").status_code == 200
    response = client.post("/dialogue/events/new/", _form_post())
    assert response.status_code == 302
    event = Event.objects.get(title="NAC+4 on maritime security")
    assert response["Location"] == event.get_absolute_url()
    assert event.date.iso() == "2026-02"
    assert event.participants.count() == 2
    assert event.attendees.get().person.slug == "jens-stoltenberg"
    assert AuditEntry.objects.filter(
        object_id=str(event.pk), action="create", actor=nato_staff
    ).exists()
    edit = client.get(f"/dialogue/events/{event.pk}/edit/")
    assert 'value="2026-02"' in _html(edit)
    response = client.post(
        f"/dialogue/events/{event.pk}/edit/",
        _form_post(**{"title": "Renamed", "participants-TOTAL_FORMS": "1"}),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed"
    assert event.participants.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2018-01-23/2018-01-22", "cannot end before it starts"),
        ("date", "sometime", "is not a date"),
        ("marking", "rel_partner", "Name the partner concerned"),
    ],
)
def test_form_errors_are_shown_and_nothing_is_written(nato_staff, field, value, message):
    count = Event.objects.count()
    response = client_for(nato_staff).post("/dialogue/events/new/", _form_post(**{field: value}))
    html = _html(response)
    assert message in html
    assert "errorlist" in html
    assert Event.objects.count() == count


def test_unknown_topic_in_the_form_is_an_error(nato_staff):
    count = Event.objects.count()
    html = _html(
        client_for(nato_staff).post("/dialogue/events/new/", _form_post(topics=["astrology"]))
    )
    assert "astrology" in html and "errorlist" in html
    assert Event.objects.count() == count


def test_centre_staff_form_is_for_the_centre(centre_staff):
    client = client_for(centre_staff)
    response = client.post("/dialogue/events/new/", _form_post(venue="nato-hq"))
    assert Event.objects.filter(title="NAC+4 on maritime security").count() == 0
    assert "errorlist" in _html(response)
    response = client.post("/dialogue/events/new/", _form_post(venue="nato-ici-rc"))
    assert response.status_code == 302
    assert client.get("/dialogue/events/new/").status_code == 200


def test_coordinators_cannot_open_the_forms(kwt_coordinator, client):
    assert client_for(kwt_coordinator).get("/dialogue/events/new/").status_code == 403
    assert client.get("/dialogue/events/new/").status_code == 302  # sign in first


def test_delete_through_the_page(nato_staff):
    event = make_event()
    response = client_for(nato_staff).post(f"/dialogue/events/{event.pk}/delete/")
    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_cite_a_source_on_the_page(nato_staff):
    event = make_event()
    client = client_for(nato_staff)
    client.post(
        f"/dialogue/events/{event.pk}/cite/",
        {
            "attribute": "date",
            "kind": "date",
            "value": "2020-05",
            "source": "seed-001",
            "quote": "on Wednesday",
        },
    )
    html = _html(client.get(event.get_absolute_url()))
    assert "/sources/seed-001/" in html and "on Wednesday" in html


# -- follow-up actions --------------------------------------------------------------------------


def test_action_list_flags_overdue_and_filters(nato_staff):
    make_event(actions=2, overdue=1)
    client = client_for(nato_staff)
    html = _html(client.get("/dialogue/actions/"))
    assert "1 action is overdue" in html
    assert html.count('class="action-row overdue"') == 1
    html = _html(client.get("/dialogue/actions/?overdue=1"))
    assert html.count('class="action-row') == 1
    html = _html(client.get("/dialogue/actions/?overdue=maybe"))
    assert "filter-errors" in html


def test_add_and_complete_an_action_in_the_browser_forms(nato_staff):
    event = make_event()
    client = client_for(nato_staff)
    due = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    response = client.post(
        f"/dialogue/events/{event.pk}/actions/new/",
        {
            "description": "Send minutes",
            "owner_organisation": "kwt-mfa",
            "due": due,
            "state": "open",
        },
    )
    assert response.status_code == 302
    action = event.actions.get()
    assert action.is_overdue
    client.post(f"/dialogue/actions/{action.pk}/state/", {"state": "done"})
    action.refresh_from_db()
    assert action.state == "done" and not action.is_overdue
    html = _html(
        client.post(
            f"/dialogue/events/{event.pk}/actions/new/",
            {"description": "No owner", "state": "open"},
        )
    )
    assert "one owner" in html


def test_the_owner_edits_state_only_in_the_form(nato_staff, kwt_coordinator):
    event = make_event(country="KWT", marking=Marking.REL_PARTNER)
    action = FollowUpAction.objects.create(
        event=event, description="Confirm funding", owner_user=kwt_coordinator
    )
    client = client_for(kwt_coordinator)
    html = _html(client.get(f"/dialogue/actions/{action.pk}/edit/"))
    assert "disabled" in html
    response = client.post(
        f"/dialogue/actions/{action.pk}/edit/",
        {"state": "done", "notes": "Approved", "description": "Hacked"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.state, action.notes, action.description) == (
        "done",
        "Approved",
        "Confirm funding",
    )


# -- the timeline ------------------------------------------------------------------------------


def test_timeline_orders_events_accessions_and_milestones(client):
    html = _html(client.get("/dialogue/timeline/"))
    order = [
        "Launch of the Istanbul Cooperation Initiative",
        "Kuwait joins the ICI",
        "Bahrain joins the ICI",
        "First meeting of the North Atlantic Council",
        "Kuwait requests a NATO-ICI regional centre",
        "First meeting of NATO and ICI foreign ministers",
        "Inauguration of the NATO-ICI Regional Centre",
        "4th meeting of the ICI policy advisory group",
        "New York",
        "Date not stated",
        "ICI advisory group: two-day informal consultations",
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Sources disagree" in html
    # the Centre's inauguration is one item, linked to its milestone, not two
    assert html.count("NATO-ICI Regional Centre: inaugurated") == 0
    assert "Milestone of" in html


def test_timeline_filtered_by_country(client):
    html = _html(client.get("/dialogue/timeline/?country=KWT"))
    assert "Kuwait joins the ICI" in html
    assert "Inauguration of the NATO-ICI Regional Centre" in html
    assert "Opening of Kuwait" in html
    assert "Bahrain joins the ICI" not in html
    assert "Launch of the Istanbul" not in html
    html = _html(client.get("/dialogue/timeline/?country=BHR"))
    assert "Bahrain joins the ICI" in html and "Kuwait joins" not in html
    assert "Inauguration of the NATO-ICI Regional Centre" in html  # Bahrain took part


def test_timeline_filtered_by_topic(client):
    html = _html(client.get("/dialogue/timeline/?topic=cbrn"))
    assert "Inauguration of the NATO-ICI Regional Centre" in html
    assert "joins the ICI" not in html  # accessions have no topic
    assert "foreign ministers" not in html


def test_timeline_htmx_fragment_and_bad_filters(client):
    response = client.get(
        "/dialogue/timeline/?country=QAT", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = _html(response)
    assert "<html" not in html and "Qatar joins the ICI" in html
    html = _html(client.get("/dialogue/timeline/?topic=astrology"))
    assert "Unknown area of cooperation" in html and "astrology" in html


# -- no N+1 ------------------------------------------------------------------------------------


def _grow():
    for i in range(3):
        make_event(
            marking=Marking.PUBLIC,
            participants=("KWT", "QAT", "BHR"),
            topics=("cyber-defence", "cbrn"),
            actions=1,
            overdue=1,
            venue="nato-ici-rc",
            date=f"2020-0{i + 1}",
        )


@pytest.mark.parametrize(
    "url",
    [
        "/dialogue/",
        "/dialogue/?country=KWT",
        "/dialogue/?topic=cyber-defence",
        "/dialogue/actions/",
        "/dialogue/actions/?overdue=1",
        "/dialogue/timeline/",
        "/dialogue/timeline/?country=KWT",
    ],
)
def test_list_pages_run_a_constant_number_of_queries(nato_staff, url):
    client = client_for(nato_staff)
    make_event(actions=1, overdue=1, participants=("KWT",), date="2019-05")  # lists not empty
    assert_constant_queries(lambda: _html(client.get(url)), _grow)


def test_event_page_runs_a_constant_number_of_queries(nato_staff):
    event = make_event(actions=1)
    event.attendees.create(name="First attendee")
    client = client_for(nato_staff)

    def grow():
        from icihub.dialogue import services
        from icihub.partners.models import Country

        for iso3 in ("ARE", "SAU", "OMN"):
            services.add_participant(
                event, nato_staff, {"country": Country.objects.get(iso3=iso3), "role": "observer"}
            )
            services.add_attendee(event, nato_staff, {"name": f"Officer {iso3}"})
            FollowUpAction.objects.create(event=event, description=iso3, owner_user=nato_staff)

    assert_constant_queries(lambda: _html(client.get(event.get_absolute_url())), grow)


def test_the_state_form_goes_back_only_to_this_site(nato_staff):
    event = make_event()
    action = FollowUpAction.objects.create(
        event=event, description="Send minutes", owner_user=nato_staff
    )
    client = client_for(nato_staff)
    url = f"/dialogue/actions/{action.pk}/state/"
    away = client.post(url, {"state": "done", "next": "https://evil.example/"})
    assert away.status_code == 302 and away["Location"] == event.get_absolute_url()
    back = client.post(url, {"state": "open", "next": "/dialogue/actions/"})
    assert back["Location"] == "/dialogue/actions/"
