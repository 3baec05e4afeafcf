"""Writes of the register: access, validation (all or nothing), audit."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.models import AuditEntry
from icihub.dialogue import services
from icihub.dialogue.models import Attendee, Event, FollowUpAction, Participant
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation, Person

from .helpers import make_event, ref

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "title": "NAC with the ICI partners",
        "format": Event.Format.NAC_ICI,
        "date": "2021-03-10",
        "marking": Marking.REL_ICI,
        "topics": list(Area.objects.filter(code__in=["cyber-defence", "energy-security"])),
    }
    data.update(overrides)
    return data


def _country(iso3):
    return Country.objects.get(iso3=iso3)


def _entries(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )


def test_nato_staff_record_an_event_with_participants_and_attendees_audited(nato_staff):
    event = services.create_event(
        nato_staff,
        _data(),
        participants=[
            {"country": _country("KWT"), "role": Participant.Role.HOST},
            {"organisation": Organisation.objects.get(slug="gcc-secretariat"), "role": "observer"},
        ],
        attendees=[
            {"person": Person.objects.get(slug="jens-stoltenberg"), "role": "chaired"},
            {"name": "Academics", "role": "speakers"},
        ],
        reason="minutes received",
    )
    assert event.date.iso() == "2021-03-10"
    assert event.provenance == Event.Provenance.ENTERED
    assert set(event.topics.values_list("code", flat=True)) == {"cyber-defence", "energy-security"}
    assert event.participants.count() == 2
    assert list(event.attendees.values_list("name", "position")) == [("", 1), ("Academics", 2)]
    entry = _entries(event).get(action="create")
    assert entry.actor == nato_staff
    assert entry.reason == "minutes received"
    assert (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Participant), action="create"
        ).count()
        >= 2
    )


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2018-01-23/2018-01-22", "cannot end before it starts"),
        ("2018-02-30", "not a date"),
        ("next spring", "not a date"),
        ("2018-01/2018-01-05", "same precision"),
    ],
)
def test_a_bad_partial_date_is_a_field_error_and_nothing_is_written(nato_staff, date, message):
    events, entries = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_event(nato_staff, _data(date=date))
    assert "date" in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict["date"]).lower()
    assert (Event.objects.count(), AuditEntry.objects.count()) == (events, entries)


def test_unknown_area_code_is_an_error_naming_it():
    with pytest.raises(ValidationError) as exc:
        services.resolve_event_input({"title": "x", "topics": ["cyber-defence", "astrology"]})
    assert "astrology" in exc.value.message_dict["topics"][0]


def test_a_bad_participant_row_rolls_back_the_whole_event(nato_staff):
    events, entries = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_event(
            nato_staff,
            _data(),
            participants=[
                {"country": _country("KWT"), "role": "host"},
                {
                    "country": _country("QAT"),
                    "organisation": Organisation.objects.first(),
                    "role": "member",
                },
            ],
        )
    assert any(key.startswith("participants.1") for key in exc.value.message_dict)
    assert (Event.objects.count(), AuditEntry.objects.count()) == (events, entries)


def test_partner_marking_needs_the_partner(nato_staff):
    with pytest.raises(ValidationError) as exc:
        services.create_event(nato_staff, _data(marking=Marking.REL_PARTNER))
    assert "country" in exc.value.message_dict
    event = services.create_event(
        nato_staff, _data(marking=Marking.REL_PARTNER, country=_country("KWT"))
    )
    assert event.country.iso3 == "KWT"


def test_coordinators_and_participants_do_not_record_events(kwt_coordinator, participant_user):
    for user in (kwt_coordinator, participant_user):
        with pytest.raises(PermissionDenied):
            services.create_event(user, _data(country=_country("KWT")))


def test_centre_staff_record_events_held_at_the_centre_only(centre_staff):
    centre = Organisation.objects.get(slug="nato-ici-rc")
    event = services.create_event(centre_staff, _data(venue=centre, title="Course opening"))
    assert event.venue == centre
    with pytest.raises(PermissionDenied):
        services.create_event(centre_staff, _data(venue=Organisation.objects.get(slug="nato-hq")))
    with pytest.raises(PermissionDenied):
        services.create_event(centre_staff, _data())
    # ... may change it, but not move it away from the Centre
    services.update_event(event, centre_staff, {"summary": "Opened by the director"})
    with pytest.raises(PermissionDenied):
        services.update_event(
            event, centre_staff, {"venue": Organisation.objects.get(slug="nato-hq")}
        )
    # ... and cannot make it NATO-only (they could no longer see it)
    with pytest.raises(ValidationError) as exc:
        services.update_event(event, centre_staff, {"marking": Marking.NATO})
    assert "marking" in exc.value.message_dict
    event.refresh_from_db()
    assert event.marking == Marking.REL_ICI and event.venue == centre


def test_centre_staff_cannot_change_events_elsewhere(centre_staff):
    event = ref("first-ici-foreign-ministers-2014")
    with pytest.raises(PermissionDenied):
        services.update_event(event, centre_staff, {"summary": "changed"})
    with pytest.raises(PermissionDenied):
        services.delete_event(event, centre_staff)


def test_nato_only_event_is_not_found_for_centre_staff(nato_staff, centre_staff):
    event = make_event(marking=Marking.NATO, venue="nato-ici-rc")
    with pytest.raises(Http404):
        services.update_event(event, centre_staff, {"summary": "x"})


def test_update_changes_only_the_participants_that_differ(nato_staff):
    event = make_event(participants=("KWT", "QAT", "BHR"))
    qat = event.participants.get(country__iso3="QAT")
    services.update_event(
        event,
        nato_staff,
        {"title": "Renamed"},
        participants=[
            {"country": _country("KWT"), "role": "host"},
            {"country": _country("QAT"), "role": "member"},
            {"country": _country("ARE"), "role": "member"},
        ],
    )
    rows = dict(event.participants.values_list("country__iso3", "role"))
    assert rows == {"KWT": "host", "QAT": "member", "ARE": "member"}
    assert event.participants.get(country__iso3="QAT").pk == qat.pk  # untouched
    assert not _entries(qat).filter(action__in=["update", "delete"]).exists()


def test_listing_a_country_twice_is_refused(nato_staff):
    event = make_event()
    with pytest.raises(ValidationError):
        services.set_participants(
            event,
            nato_staff,
            [
                {"country": _country("KWT"), "role": "host"},
                {"country": _country("KWT"), "role": "member"},
            ],
        )


def test_delete_removes_the_event_with_its_rows_audited(nato_staff):
    event = make_event(actions=1)
    pk = event.pk
    services.delete_event(event, nato_staff, reason="duplicate")
    assert not Event.objects.filter(pk=pk).exists()
    assert not FollowUpAction.objects.filter(event_id=pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_id=str(pk), content_type=ContentType.objects.get_for_model(Event)
    ).exists()


# -- follow-up actions -----------------------------------------------------------------------


def test_an_action_has_exactly_one_owner(nato_staff, kwt_coordinator):
    event = make_event()
    with pytest.raises(ValidationError):
        services.create_action(event, nato_staff, {"description": "x"})
    with pytest.raises(ValidationError):
        services.create_action(
            event,
            nato_staff,
            {
                "description": "x",
                "owner_user": kwt_coordinator,
                "owner_organisation": Organisation.objects.get(slug="kwt-mfa"),
            },
        )
    assert not event.actions.exists()


def test_overdue_is_open_and_past_due(nato_staff):
    event = make_event()
    today = timezone.localdate()
    org = Organisation.objects.get(slug="kwt-mfa")
    late = services.create_action(
        event,
        nato_staff,
        {"description": "late", "owner_organisation": org, "due": today - dt.timedelta(days=1)},
    )
    on_time = services.create_action(
        event, nato_staff, {"description": "fine", "owner_organisation": org, "due": today}
    )
    assert late.is_overdue and not on_time.is_overdue
    assert list(FollowUpAction.objects.overdue()) == [late]
    services.set_action_state(late, nato_staff, "done", reason="sent")
    late.refresh_from_db()
    assert not late.is_overdue
    assert late.completed_on == today
    transition = _entries(late).get(action="transition")
    assert transition.changes == {"state": {"before": "open", "after": "done"}}
    assert transition.reason == "sent"


def test_the_owner_changes_state_and_notes_only(nato_staff, kwt_coordinator, qat_coordinator):
    event = make_event(country="KWT", marking=Marking.REL_PARTNER)
    action = services.create_action(
        event, nato_staff, {"description": "Confirm funding", "owner_user": kwt_coordinator}
    )
    services.update_action(action, kwt_coordinator, {"state": "done", "notes": "Approved"})
    action.refresh_from_db()
    assert (action.state, action.notes) == ("done", "Approved")
    with pytest.raises(PermissionDenied):
        services.update_action(action, kwt_coordinator, {"description": "Something else"})
    with pytest.raises(Http404):
        services.update_action(action, qat_coordinator, {"state": "open"})


def test_undoing_done_clears_the_completion_date(nato_staff):
    event = make_event(actions=1)
    action = event.actions.get()
    services.set_action_state(action, nato_staff, "done")
    services.set_action_state(action, nato_staff, "open")
    action.refresh_from_db()
    assert action.completed_on is None


def test_citing_a_source_is_for_nato_roles(nato_staff, centre_staff):
    event = make_event(venue="nato-ici-rc")
    citation = services.add_citation(
        event,
        nato_staff,
        attribute="date",
        value="May 2020",
        source_key="seed-000",
        kind="date",
        quote="x",
    )
    assert citation.value == "2020-05"
    with pytest.raises(PermissionDenied):
        services.add_citation(
            event, centre_staff, attribute="place", value="Kuwait", source_key="seed-000"
        )
    with pytest.raises(ValidationError):
        services.add_citation(
            event, nato_staff, attribute="date", value="soon", source_key="seed-000", kind="date"
        )
    with pytest.raises(ValidationError):
        services.add_citation(event, nato_staff, attribute="x", value="y", source_key="nope")


def test_attendee_needs_a_person_or_a_name(nato_staff):
    event = make_event()
    with pytest.raises(ValidationError):
        services.add_attendee(event, nato_staff, {"name": "  ", "role": "speaker"})
    services.add_attendee(event, nato_staff, {"name": "Academics"})
    services.add_attendee(event, nato_staff, {"name": "Officers"})
    assert list(Attendee.objects.filter(event=event).values_list("position", flat=True)) == [1, 2]
