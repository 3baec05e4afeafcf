"""audit.record_many: many entries in one bulk insert, with the context's who,
channel, address and reason; the users of it (training's reallocation, the
menu import) write one entry per row in one INSERT."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icihub.core import audit
from icihub.core.models import AuditEntry, Source
from icihub.partners.models import Country

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        ).order_by("id")
    )


def inserts_into_the_trail(ctx) -> int:
    return sum(
        1 for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "core_auditentry"')
    )


@pytest.fixture
def sources(db):
    with audit.suspended():
        return [
            Source.objects.create(key=f"many-{i}", title=f"Paper {i}", publisher="Test")
            for i in range(5)
        ]


def test_one_entry_per_item_in_one_insert_with_the_context(nato_staff, sources):
    items = [(s, {"title": {"before": s.title, "after": s.title + "!"}}) for s in sources]
    with (
        audit.acting(nato_staff, via=audit.VIA_API, reason="batch fix", ip="10.0.0.7"),
        CaptureQueriesContext(connection) as ctx,
    ):
        written = audit.record_many(audit.Action.UPDATE, items, message="fixed titles")
    assert written == 5
    assert inserts_into_the_trail(ctx) == 1
    assert len(ctx.captured_queries) <= 2  # the insert (and at most the content type)
    for source in sources:
        (entry,) = entries_for(source)
        assert entry.action == audit.Action.UPDATE
        assert entry.actor == nato_staff
        assert entry.actor_label == nato_staff.username
        assert (entry.via, entry.ip, entry.reason) == ("api", "10.0.0.7", "batch fix")
        assert entry.message == "fixed titles"
        assert entry.object_repr == str(source)
        assert entry.changes == {"title": {"before": source.title, "after": source.title + "!"}}


def test_a_reason_given_overrides_the_contexts_and_models_may_be_mixed(nato_staff, sources):
    kuwait = Country.objects.get(iso3="KWT")
    with audit.acting(nato_staff, reason="context reason"):
        audit.record_many(
            audit.Action.TRANSITION,
            [(sources[0], {"state": {"before": "a", "after": "b"}}), (kuwait, {})],
            reason="own reason",
        )
    (entry,) = entries_for(sources[0])
    assert entry.reason == "own reason" and entry.action == "transition"
    latest = entries_for(kuwait)[-1]
    assert latest.reason == "own reason" and latest.changes == {}
    assert latest.content_type == ContentType.objects.get_for_model(Country)


def test_without_a_user_the_channel_names_who(sources):
    with audit.acting(via=audit.VIA_CLI, label="cli:operator"):
        audit.record_many(audit.Action.UPDATE, [(sources[0], {"x": 1})])
    (entry,) = entries_for(sources[0])
    assert entry.actor is None and entry.actor_label == "cli:operator" and entry.via == "cli"


def test_nothing_is_written_when_suspended_or_empty(sources):
    before = AuditEntry.objects.count()
    with audit.suspended():
        assert audit.record_many(audit.Action.UPDATE, [(sources[0], {"x": 1})]) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert audit.record_many(audit.Action.UPDATE, []) == 0
    assert not ctx.captured_queries
    assert AuditEntry.objects.count() == before


def test_large_batches_are_split(nato_staff, sources, monkeypatch):
    monkeypatch.setattr(audit, "BULK_BATCH_SIZE", 2)
    with audit.acting(nato_staff), CaptureQueriesContext(connection) as ctx:
        audit.record_many(audit.Action.UPDATE, [(s, {}) for s in sources])
    assert inserts_into_the_trail(ctx) == 3  # 2 + 2 + 1
    assert all(len(entries_for(s)) == 1 for s in sources)


def test_record_bulk_create_writes_the_values_as_the_signal_would(nato_staff):
    rows = Source.objects.bulk_create(
        [Source(key=f"bulk-many-{i}", title=f"Bulk {i}", publisher="Test") for i in range(3)]
    )
    rows = list(Source.objects.filter(key__startswith="bulk-many-"))
    with audit.acting(nato_staff, reason="import"), CaptureQueriesContext(connection) as ctx:
        assert audit.record_bulk_create(rows) == 3
    assert inserts_into_the_trail(ctx) == 1
    (entry,) = entries_for(rows[0])
    assert entry.action == "create" and entry.reason == "import"
    assert entry.changes["title"] == {"before": None, "after": "Bulk 0"}
    assert entry.changes["key"] == {"before": None, "after": "bulk-many-0"}
