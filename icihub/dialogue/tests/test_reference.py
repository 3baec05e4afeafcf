"""The seed articles' and the brief's events are reference data, with their
sources quoted verbatim, their dates at the precision the sources give, and the
inauguration's date conflict kept."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from icihub.core.models import AuditEntry, Citation
from icihub.dialogue import reference
from icihub.dialogue.models import Attendee, Event, Participant
from icihub.dialogue.selectors import latest_events

from .helpers import ref

pytestmark = pytest.mark.django_db


def _facts(event):
    return Event.objects.prefetch_related("citations__source").get(pk=event.pk).facts()


def test_every_reference_event_is_loaded_public_and_sourced():
    events = Event.objects.filter(provenance=Event.Provenance.SOURCE)
    assert set(events.values_list("key", flat=True)) == {spec["key"] for spec in reference.EVENTS}
    assert len(reference.EVENTS) >= 14
    for event in events.prefetch_related("citations"):
        assert event.marking == "public", event.key
        assert event.citations.exists(), f"{event.key} cites no source"


def test_every_quote_from_a_seed_is_verbatim():
    quoted = Citation.objects.filter(
        content_type__in=[
            ContentType.objects.get_for_model(m) for m in (Event, Participant, Attendee)
        ],
        source__key__startswith="seed-",
    ).select_related("source")
    assert quoted.count() > 20
    for citation in quoted:
        assert citation.quote, f"{citation} has no quoted passage"
        assert citation.quote in citation.source.text, f"not verbatim: {citation.quote!r}"


def test_istanbul_launch_is_dated_by_the_official_text_and_the_seeds():
    event = ref("ici-launch-istanbul-2004")
    assert event.date.iso() == "2004-06-28"
    assert event.format == Event.Format.SUMMIT
    fact = _facts(event)["date"]
    stated = {v.value: {c.source.key for c in v.citations} for v in fact.values}
    assert stated["2004-06-28"] == {"nato-ici-text-2004"}
    assert stated["2004-06"] == {"seed-001"}
    assert "seed-000" in stated["2004"]
    assert not fact.conflict  # June 2004 and 2004 contain 28 June 2004


def test_first_foreign_ministers_meeting_keeps_the_year_only():
    event = ref("first-ici-foreign-ministers-2014")
    assert event.date.iso() == "2014"
    assert event.date.precision == "year"
    assert event.format == Event.Format.FOREIGN_MINISTERS
    assert event.venue.slug == "nato-hq"
    assert "Wednesday" in event.date_note
    countries = set(event.participants.values_list("country__iso3", flat=True))
    assert {"BHR", "KWT", "QAT", "ARE"} <= countries
    opener = event.attendees.get(person__slug="anders-fogh-rasmussen")
    assert "opened" in opener.role
    assert {c.source.key for c in _facts(event)["date"].citations} == {"seed-001", "icihub-brief"}


def test_inauguration_keeps_both_dates_as_a_conflict():
    event = ref("centre-inauguration-2017")
    assert event.date.iso() == "2017-01-24"
    assert event.venue.slug == "nato-ici-rc"
    assert (event.milestone_of.slug, event.milestone) == ("nato-ici-rc", "established")
    fact = _facts(event)["date"]
    assert fact.conflict
    stated = {v.value: {c.source.key for c in v.citations} for v in fact.values}
    assert stated["2017-01-24"] == {"seed-000", "seed-002"}
    assert stated["2017-01-23"] == {"nato-centre-2017"}
    people = set(event.attendees.values_list("person__slug", flat=True))
    assert {"jens-stoltenberg", "jaber-mubarak-al-sabah", "sabah-khaled-al-sabah"} <= people
    nac = ref("nac-ici-kuwait-2017")
    assert nac.format == Event.Format.NAC_ICI
    assert nac.date.iso() == "2017-01-24"


def test_advisory_group_consultations_have_no_invented_date():
    event = ref("ici-advisory-group-consultations")
    assert event.date is None
    assert "no date" in event.date_note
    assert "June summit in Brussels" in event.date_note
    roles = {
        (p.country.iso3 if p.country else p.organisation.slug): p.role
        for p in event.participants.select_related("country", "organisation")
    }
    assert roles["SAU"] == roles["OMN"] == roles["gcc-secretariat"] == Participant.Role.OBSERVER
    names = set(event.attendees.values_list("name", flat=True))
    assert "Medium-level commanders" in names and "Academics" in names
    assert event.attendees.filter(person__slug="fawaz-al-sabah").exists()


def test_mission_opening_has_its_openers_and_no_date():
    event = ref("kwt-mission-nato-opening")
    assert event.date is None
    assert event.format == Event.Format.MISSION_OPENING
    assert event.country.iso3 == "KWT"
    people = set(event.attendees.values_list("person__slug", flat=True))
    assert {"khalid-al-jarallah", "alejandro-alvargonzalez"} <= people


@pytest.mark.parametrize(
    ("key", "date", "fmt"),
    [
        ("nac-ici-2008-11", "2008-11", Event.Format.NAC_ICI),
        ("nac-ici-kuwait-2019", "2019-12-16", Event.Format.NAC_ICI),
        ("nac-ici-brussels-2023", "2023-09-13", Event.Format.NAC_ICI),
        ("nac-ici-new-york-2024", "2024-09-25", Event.Format.NAC_ICI),
        ("pag-4-centre-2018", "2018-01-22/2018-01-23", Event.Format.POLICY_ADVISORY_GROUP),
        ("centre-first-annual-review-2018", "2018-09-30/2018-10-01", Event.Format.ANNUAL_REVIEW),
        ("kwt-request-centre-2012", "2012-02", Event.Format.REQUEST),
        ("chicago-summit-2012", "2012-05", Event.Format.SUMMIT),
    ],
)
def test_brief_events_cite_the_brief(key, date, fmt):
    event = ref(key)
    assert event.date.iso() == date
    assert event.format == fmt
    assert "icihub-brief" in {c.source.key for c in _facts(event)["date"].citations}


def test_loading_the_reference_again_changes_nothing():
    before = list(Event.objects.order_by("pk").values())
    audit_before = AuditEntry.objects.count()
    call_command("load_reference", stdout=io.StringIO())
    assert list(Event.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.count() == audit_before


def test_latest_events_for_the_home_page(client):
    events = latest_events(None, limit=5)
    assert len(events) == 5
    assert events[0].key == "nac-ici-new-york-2024"
    assert all(e.date is not None and e.get_absolute_url() for e in events)
    page = client.get("/")
    assert page.status_code == 200
    assert "North Atlantic Council with the ICI partners in New York" in page.content.decode()
