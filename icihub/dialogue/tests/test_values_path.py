"""The register's list served from values() rows (``apikit.ValuesOut``, issue 11)
answers exactly what ``EventListOut`` answers from model instances: on events
with their optional fields set and empty (no date, no venue, no country, no
participants or topics, an Arabic title, an organisation as participant),
as staff (overdue actions counted), as a coordinator and as a visitor. So does
one event's record built from values() rows (``selectors.event_record``) what
``EventOut`` answers from the model instances of ``selectors.event_detail``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from icihub.core.access import Marking
from icihub.core.models import Citation, Source
from icihub.dialogue import services
from icihub.dialogue.models import Attendee, Event, FollowUpAction, Participant
from icihub.partners.models import Organisation, Person
from icihub.testing import ApiClient, assert_both_paths_agree, assert_not_found_on_both_paths

from .helpers import make_event


@pytest.fixture
def events(db):
    full = make_event(
        "اجتماع مجلس شمال الأطلسي",
        date="2021-03-10",
        country="KWT",
        venue="gcc-secretariat",
        topics=("cyber-defence", "energy-security"),
        actions=1,
        overdue=2,
    )
    Participant.objects.create(
        event=full,
        organisation=Organisation.objects.get(slug="gcc-secretariat"),
        role=Participant.Role.HOST,
    )
    bare = make_event("Undated talks", date=None, participants=(), topics=())
    month = make_event("A month", date="2019-11", participants=("BHR",))
    kept = make_event("Kept from partners", marking=Marking.NATO, participants=("QAT",))
    return [full, bare, month, kept]


@pytest.mark.parametrize("who", ["nato_staff", "kwt_coordinator", None])
def test_event_list(who, request, events):
    api = ApiClient(request.getfixturevalue(who) if who else None)
    page = assert_both_paths_agree(api, "dialogue/events", {"limit": 1000})
    assert_both_paths_agree(api, "dialogue/events", {"limit": 3, "offset": 2})
    assert_both_paths_agree(api, "dialogue/events", {"q": "talks"})
    by_title = {item["title"]: item for item in page["items"]}
    full, bare = by_title["اجتماع مجلس شمال الأطلسي"], by_title["Undated talks"]
    # (the event concerns Kuwait: its coordinator reads its actions, as in its record)
    assert full["overdue_actions"] == (0 if who is None else 2)
    assert full["venue"] == "gcc-secretariat" and full["country"] == "KWT"
    assert {"country": None, "organisation": "gcc-secretariat", "role": "host"} in full[
        "participants"
    ]
    assert bare["date"] is None and bare["date_stated"] is False
    assert bare["participants"] == bare["topics"] == [] and bare["venue"] is None


# -- one event ------------------------------------------------------------------------------


@pytest.fixture
def records(events, nato_staff):
    """``events`` and records with the lists only a record shows: attendees
    from the registry and in free text, follow-up actions owned by a user and
    by an organisation (open, overdue, done, cancelled), citations of the
    event (a conflict), of a participant and of an attendee, one of them from
    a NATO-only source; an event released to Kuwait alone."""
    full = events[0]
    nato_source = Source.objects.create(
        key="nato-only", title="Internal", publisher="NATO", marking=Marking.NATO
    )
    public_source = Source.objects.get(key="seed-000")
    for value, source in (("2021-03-10", public_source), ("2020", nato_source)):
        services.add_citation(
            full, nato_staff, attribute="date", value=value, source_key=source.key, kind="date"
        )
    services.add_citation(
        full, nato_staff, attribute="place", value="Brussels", source_key="seed-000", quote="q"
    )
    participant = full.participants.get(country__iso3="KWT")
    Citation.objects.create(
        subject=participant, attribute="role", value="host", source=public_source, note="n"
    )
    person = Attendee.objects.create(
        event=full, person=Person.objects.get(slug="jens-stoltenberg"), role="chaired"
    )
    Citation.objects.create(subject=person, attribute="role", value="chaired", source=nato_source)
    Attendee.objects.create(event=full, name="Academics", affiliation="Universities", position=2)
    FollowUpAction.objects.create(
        event=full,
        description="Report back",
        owner_user=nato_staff,
        state=FollowUpAction.State.DONE,
        completed_on=dt.date(2021, 4, 1),
        notes="Done on time",
    )
    FollowUpAction.objects.create(
        event=full,
        description="Dropped",
        owner_organisation=Organisation.objects.get(slug="gcc-secretariat"),
        state=FollowUpAction.State.CANCELLED,
    )
    released = make_event("For Kuwait", marking=Marking.REL_PARTNER, country="KWT", actions=1)
    return [*events, released]


@pytest.mark.parametrize(
    "who", ["nato_staff", "centre_staff", "kwt_coordinator", "qat_coordinator", None]
)
def test_event_detail(who, request, records):
    """Every event of the register (the reference events with their sources,
    participants and attendees, and ``records``) answers the same on both
    paths; an event the caller may not see is a 404 on both."""
    user = request.getfixturevalue(who) if who else None
    api = ApiClient(user)
    visible = set(Event.objects.visible_to(user or AnonymousUser()).values_list("pk", flat=True))
    for event in Event.objects.order_by("pk"):
        path = f"dialogue/events/{event.pk}"
        if event.pk not in visible:
            assert_not_found_on_both_paths(api, path)
            continue
        record = assert_both_paths_agree(api, path)
        if event.pk == records[0].pk:
            assert [a["name"] for a in record["attendees"]] == ["", "Academics"]
            assert record["attendees"][0]["person"]["slug"] == "jens-stoltenberg"
            assert [len(a["citations"]) for a in record["attendees"]] == [
                1 if who == "nato_staff" else 0,
                0,
            ]
            notes = [[c["note"] for c in p["citations"]] for p in record["participants_detail"]]
            assert sorted(notes) == [[], [], ["n"]]
            assert [f["attribute"] for f in record["facts"]] == ["date", "place"]
            assert record["facts"][0]["conflict"] == (who == "nato_staff")
            # (the event concerns Kuwait: its coordinator reads its actions)
            # (Qatar's coordinator does not)
            assert len(record["actions"]) == (0 if who in (None, "qat_coordinator") else 5)
            assert record["overdue_actions"] == (0 if who in (None, "qat_coordinator") else 2)
    seen = {event.title for event in Event.objects.filter(pk__in=visible)}
    assert ("For Kuwait" in seen) == (who in ("nato_staff", "centre_staff", "kwt_coordinator"))
    assert ("Kept from partners" in seen) == (who == "nato_staff")
