"""An instructor's trips never overlap, even under concurrent requests (issue 15,
defect 4): the service locks the instructor's row before it checks, and on
PostgreSQL an exclusion constraint (a date range per instructor) refuses any
overlap whatever wrote it, answered as a 409 with a clear message. The figures
"trips" and "instructor-days" count the one trip made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from icihub.partners.models import Country, Organisation
from icihub.reports import figures
from icihub.reports.scope import Period, Scope
from icihub.testing import ApiClient, race, skip_unless_postgres
from icihub.training import services
from icihub.training.models import Instructor, Session, Trip

from . import factories

START = dt.date(2027, 3, 7)


def _on_postgres():
    skip_unless_postgres()


@pytest.fixture
def taught(course, centre_staff):
    """A completed session (so that it counts in the figures of 2027) and the
    instructor assigned to it."""
    session = factories.make_session(course, centre_staff, start=START)
    instructor = services.create_instructor(
        centre_staff,
        {
            "full_name": "Ana Costa",
            "organisation": Organisation.objects.get(slug="jallc"),
            "country": Country.objects.get(iso3="PRT"),
        },
    )
    services.assign(centre_staff, session, instructor, "lead")
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")
    session.refresh_from_db()
    return session, instructor


def _body(session, instructor, arrival=START - dt.timedelta(days=1), days=6):
    return {
        "instructor": instructor.pk,
        "origin": "Lisbon",
        "arrival": arrival.isoformat(),
        "departure": (arrival + dt.timedelta(days=days - 1)).isoformat(),
        "sessions": [session.pk],
    }


def _trip_figures(year=2027):
    scope = Scope.system(Period.of_year(year))
    return figures.value("trips", scope), figures.value("instructor_days", scope)


def test_an_overlapping_trip_is_refused_with_the_field(taught, centre_staff):
    session, instructor = taught
    api = ApiClient(centre_staff)
    assert api.post("training/trips", _body(session, instructor)).status_code == 201
    again = api.post("training/trips", _body(session, instructor, arrival=START + dt.timedelta(1)))
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "arrival"
    assert Trip.objects.count() == 1
    assert _trip_figures() == (1, 6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_identical_requests_create_one_trip(taught, centre_staff):
    _on_postgres()
    session, instructor = taught
    clients = [ApiClient(centre_staff) for _i in range(10)]
    body = _body(session, instructor)
    responses = race([lambda c=c: c.post("training/trips", body) for c in clients])
    assert not [r for r in responses if isinstance(r, Exception)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [400] * 9, codes
    refused = [r.json() for r in responses if r.status_code == 400]
    assert all("overlaps" in body["detail"] for body in refused)
    assert Trip.objects.filter(instructor=instructor).count() == 1
    assert _trip_figures() == (1, 6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_written_by_any_path(taught, centre_staff, monkeypatch):
    _on_postgres()
    session, instructor = taught
    api = ApiClient(centre_staff)
    assert api.post("training/trips", _body(session, instructor)).status_code == 201
    # A raw write: the exclusion constraint refuses it.
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Trip.objects.create(instructor=instructor, origin="Rome", arrival=START, departure=START)
    assert "training_trip_no_overlap" in str(error.value)
    # The service's own check skipped (another path): the constraint's
    # violation answers 409 with a clear message, never 500.
    monkeypatch.setattr(services.staffing, "_overlapping_trip", lambda *args: None)
    response = api.post("training/trips", _body(session, instructor, arrival=START))
    assert response.status_code == 409, response.content
    assert "Another trip of this instructor overlaps" in response.json()["detail"]
    # Back to back (departure one day, next arrival the day after) is no overlap;
    # another instructor's trip on the same days neither.
    later = START + dt.timedelta(days=5)
    Trip.objects.create(instructor=instructor, origin="Rome", arrival=later, departure=later)
    other = Instructor.objects.create(
        full_name="Other", organisation=instructor.organisation, country=instructor.country
    )
    Trip.objects.create(instructor=other, origin="Rome", arrival=START, departure=START)
    assert Trip.objects.count() == 3


# unapplies and reapplies a migration (DDL): the schema owner's run
@pytest.mark.schema_owner
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_removes_duplicates_and_names_other_overlaps(taught):
    """The data step before the constraint: identical trips of the old race are
    removed (audited), keeping the oldest; another overlap stops the migration."""
    import importlib

    from django.apps import apps

    from icihub.core.models import AuditEntry

    _on_postgres()
    step = importlib.import_module("icihub.training.migrations.0003_trip_no_overlap")
    session, instructor = taught
    with connection.schema_editor() as editor:
        step._drop_constraint(apps, editor)
    try:
        made = []
        for _i in range(3):
            trip = Trip.objects.create(
                instructor=instructor, origin="Lisbon", arrival=START, departure=START
            )
            trip.sessions.set([session])
            made.append(trip)
        with connection.schema_editor() as editor:
            step._remove_duplicates_and_check(apps, editor)
        assert list(Trip.objects.values_list("pk", flat=True)) == [made[0].pk]
        removed = AuditEntry.objects.filter(
            action="delete", object_id__in=[str(t.pk) for t in made[1:]]
        )
        assert removed.count() == 2
        assert all("Duplicate trip removed" in entry.reason for entry in removed)
        Trip.objects.create(instructor=instructor, origin="Rome", arrival=START, departure=START)
        with pytest.raises(RuntimeError, match="overlap"), connection.schema_editor() as editor:
            step._remove_duplicates_and_check(apps, editor)
        Trip.objects.filter(origin="Rome").delete()
    finally:
        with connection.schema_editor() as editor:
            step._add_constraint(apps, editor)
