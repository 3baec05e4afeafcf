""" "Seats reallocated" counts seats that went to a *waiting* nominee after the
quotas were released (issue 15, defect 5): the flag ``via_reallocation`` is set
only for nominees who were on the waiting list, the figure follows it, and a
data migration clears the flag of existing rows that never waited."""

from __future__ import annotations

import importlib

from django.apps import apps

from icihub.core import audit
from icihub.core.models import AuditEntry
from icihub.reports import figures
from icihub.reports.scope import Period, Scope
from icihub.training import services
from icihub.training.models import Nomination, Session

S = Nomination.Status
migration = importlib.import_module(
    "icihub.training.migrations.0004_via_reallocation_only_for_waiting_nominees"
)


def _waited_ids(session):
    """Checker written apart from the code: the nominees of ``session`` whose
    audit trail shows them on the waiting list."""
    ids = set()
    for n in session.nominations.all():
        for changes in AuditEntry.objects.filter(
            content_type__model="nomination", object_id=str(n.pk)
        ).values_list("changes", flat=True):
            status = changes.get("status") or {}
            if "waitlisted" in (status.get("before"), status.get("after")):
                ids.add(n.pk)
    return ids


def test_a_seat_taken_at_once_after_the_release_is_not_from_reallocation(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])  # 2 seats, 1 waiting
    services.reallocate(actor=centre_staff, session=session)  # the Kuwaiti is promoted
    direct = services.nominate(qat_coordinator, session, qataris[0])  # the last free seat
    assert direct.status == S.NOMINATED and direct.has_seat
    assert not direct.via_reallocation
    waiting = Nomination.objects.get(pk=made[2].pk)
    assert waiting.status == S.NOMINATED and waiting.via_reallocation
    flagged = set(session.nominations.filter(via_reallocation=True).values_list("pk", flat=True))
    assert flagged == _waited_ids(session) & flagged == {waiting.pk}


def test_a_waiting_nominee_accepted_after_the_release_is_from_reallocation(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:4])  # 2 seats, 2 waiting
    services.update_session(centre_staff, session, {"capacity": 3})
    services.reallocate(actor=centre_staff, session=session)  # one promoted, one still waits
    last = Nomination.objects.get(pk=made[3].pk)
    assert last.status == S.WAITLISTED
    services.withdraw(kwt_coordinator, Nomination.objects.get(pk=made[0].pk))
    last.refresh_from_db()  # the freed seat went to the waiting nominee
    assert last.status == S.NOMINATED and last.via_reallocation


def _complete(session, centre_staff):
    for n in session.nominations.filter(status=S.NOMINATED):
        services.accept(centre_staff, n)
    services.change_state(
        centre_staff, session, Session.State.RUNNING, override_dates=True, reason="test"
    )
    session.refresh_from_db()
    services.record_attendance(
        centre_staff,
        session,
        {n.pk: set(session.days) for n in session.nominations.filter(status=S.ACCEPTED)},
    )
    services.complete_session(centre_staff, session, override_dates=True, reason="test")


def test_the_figure_counts_only_seats_that_went_to_waiting_nominees(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    services.reallocate(actor=centre_staff, session=session)
    services.nominate(qat_coordinator, session, qataris[0])
    _complete(session, centre_staff)
    scope = Scope.system(Period.of_year(session.start.year))
    assert figures.value("seats_filled", scope) == 4
    assert figures.value("seats_reallocated", scope) == 1 == len(_waited_ids(session))


def test_the_data_migration_clears_the_flag_of_nominees_who_never_waited(
    session, kuwaitis, qataris, kwt_coordinator, qat_coordinator, centre_staff
):
    made = services.nominate_many(kwt_coordinator, session, kuwaitis[:3])
    services.reallocate(actor=centre_staff, session=session)
    promoted = made[2]
    direct = services.nominate(qat_coordinator, session, qataris[0])
    replaced = services.nominate(qat_coordinator, session, qataris[1])  # waits: session full
    services.withdraw(kwt_coordinator, Nomination.objects.get(pk=made[0].pk))
    replaced.refresh_from_db()
    assert replaced.via_reallocation  # promoted into the freed seat
    substitute = services.substitute(qat_coordinator, replaced, qataris[2])
    # A row whose history was never recorded: it cannot be determined.
    with audit.suspended():
        unknown = services.nominate(centre_staff, session, kuwaitis[3])
    # The data as the old code left them: seated at once after the release, flagged.
    Nomination.objects.filter(pk__in=[direct.pk, unknown.pk]).update(via_reallocation=True)

    migration.forwards(apps, None)

    flags = dict(session.nominations.values_list("pk", "via_reallocation"))
    assert flags[direct.pk] is False  # never waited: cleared
    assert flags[promoted.pk] is True  # promoted from the waiting list
    assert flags[substitute.pk] is True  # keeps the seat of a promoted nominee
    assert flags[unknown.pk] is True  # not determinable: left, and named
    cleared = AuditEntry.objects.filter(
        action="update", object_id=str(direct.pk), reason=migration.REASON
    )
    assert cleared.count() == 1
    assert cleared.get().changes == {"via_reallocation": {"before": True, "after": False}}
    named = AuditEntry.objects.filter(action="event", reason=migration.REASON).get()
    assert named.changes == {"nominations": [unknown.pk]}
    # Running it again changes nothing.
    count = AuditEntry.objects.count()
    migration.forwards(apps, None)
    assert AuditEntry.objects.count() == count + 1  # only the "not determinable" note again
    assert dict(session.nominations.values_list("pk", "via_reallocation")) == flags
