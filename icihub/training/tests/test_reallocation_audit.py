"""The reallocation records one transition per promoted nominee, with who, the
reason and the change, written in one bulk insert (``audit.record_many``)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from icihub.core.models import AuditEntry
from icihub.training import services
from icihub.training.models import Nomination

from . import factories


def test_promotions_are_recorded_one_entry_each_in_one_insert(
    session, kuwaitis, kwt_coordinator, centre_staff
):
    services.nominate_many(kwt_coordinator, session, kuwaitis)  # quota 2: two wait
    saudis = [factories.make_participant(centre_staff, "SAU", i) for i in (1, 2)]
    waiting = [
        *Nomination.objects.filter(status="waitlisted"),
        *(services.nominate(centre_staff, session, p) for p in saudis),
    ]
    assert len(waiting) == 4
    with CaptureQueriesContext(connection) as ctx:
        report = services.reallocate(actor=centre_staff, session=session, reason="seats freed")
    assert len(report.promoted) == session.capacity - 2  # 2 free seats (of 4)
    promoted = list(Nomination.objects.filter(status="nominated", via_reallocation=True))
    assert len(promoted) == 2
    inserts = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('INSERT INTO "core_auditentry"')
    ]
    # the session's release and the promotions' bulk insert
    assert len(inserts) == 2
    for nomination in promoted:
        (entry,) = AuditEntry.objects.filter(
            content_type__model="nomination",
            object_id=str(nomination.pk),
            action="transition",
            changes__status__after="nominated",
        )
        assert entry.actor == centre_staff and entry.reason == "seats freed"
        assert entry.changes["status"] == {"before": "waitlisted", "after": "nominated"}
        assert entry.changes["via_reallocation"] == {"before": False, "after": True}
        assert entry.object_repr == str(nomination)
