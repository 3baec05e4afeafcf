"""The audit trail's hash chain (core.auditchain) and the database guard of
published snapshots: tampering that gets past the triggers is named by
``icihub audit verify``; a redaction is not tampering; kept daily digests
catch a history rewritten with its hashes recomputed. These run on SQLite and
on PostgreSQL alike (the guard is lifted here as a superuser or the file's
owner could: the point is what the chain notices afterwards)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from icihub.core import audit, auditchain, auditguard
from icihub.core.models import AuditEntry, Source
from icihub.reports import services as reports
from icihub.reports.models import Snapshot

# schema_owner: the tampering below lifts the guard as only the owner can
pytestmark = [pytest.mark.django_db, pytest.mark.schema_owner]

TABLE = AuditEntry._meta.db_table


# -- an independent checker ------------------------------------------------------
# Written apart from core.auditchain, from the documented rule alone: hash =
# sha256(canonical JSON of seq, prev, the fixed fields and the content hash),
# content hash = sha256(canonical JSON of the redactable fields).


def _canon(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def independent_check(rows) -> None:
    prev = "0" * 64
    for number, row in enumerate(rows, start=1):
        assert row["seq"] == number
        assert row["prev_hash"] == prev
        content = hashlib.sha256(
            _canon(
                {
                    "changes": row["changes"] or {},
                    "object_repr": row["object_repr"],
                    "message": row["message"],
                    "reason": row["reason"],
                    "actor_label": row["actor_label"],
                    "ip": None if row["ip"] is None else str(row["ip"]),
                }
            )
        ).hexdigest()
        assert row["content_hash"] == content
        expected = hashlib.sha256(
            _canon(
                {
                    "seq": number,
                    "prev": prev,
                    "entry": {
                        "id": row["id"],
                        "timestamp": _utc(row["timestamp"]),
                        "actor_id": row["actor_id"],
                        "via": row["via"],
                        "action": row["action"],
                        "content_type_id": row["content_type_id"],
                        "object_id": row["object_id"],
                    },
                    "content": content,
                }
            )
        ).hexdigest()
        assert row["hash"] == expected
        prev = expected


def _chain():
    return list(AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values())


@pytest.fixture
def sources(nato_staff):
    with audit.acting(nato_staff, reason="chain test"):
        made = [
            Source.objects.create(key=f"chain-{i}", title=f"Título {i} ☃", publisher="P")
            for i in range(3)
        ]
        made[0].title = "changed"
        made[0].save()
    return made


def _entry_of(source) -> AuditEntry:
    return AuditEntry.objects.filter(object_id=str(source.pk), action="create").latest("id")


def _tamper(sql: str, params) -> None:
    """What someone past the database's guard can do (the schema owner, a
    superuser, or anyone after a DROP TRIGGER on SQLite)."""
    with auditguard.lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# -- sealing ---------------------------------------------------------------------------


def test_verify_seals_every_entry_into_one_chain_that_an_independent_check_accepts(sources):
    assert AuditEntry.objects.filter(seq__isnull=True).exists()
    result = auditchain.verify()
    assert result.ok, result.broken
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    rows = _chain()
    assert result.head_seq == len(rows) == result.checked
    assert result.head_hash == rows[-1]["hash"]
    independent_check(rows)


def test_an_audited_transaction_is_sealed_when_it_commits(db, django_capture_on_commit_callbacks):
    auditchain.seal()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        audit.acting(reason="commit test"),
        transaction.atomic(),
    ):
        source = Source.objects.create(key="sealed-on-commit", title="T", publisher="P")
        audit.record_many(audit.Action.EVENT, [(source, {"n": i}) for i in range(3)])
        assert AuditEntry.objects.filter(seq__isnull=True).count() == 4
    # One sealer per transaction, however many entries (beside it: the response
    # cache's version bump, also once per transaction).
    sealers = [c for c in callbacks if "schedule_seal" in c.__qualname__]
    assert len(sealers) == 1
    assert len(callbacks) == 2
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    independent_check(_chain())


def test_bulk_entries_are_sealed_in_batches_without_a_gap(nato_staff):
    source = Source.objects.create(key="bulk", title="T", publisher="P")
    with audit.acting(nato_staff):
        audit.record_many(
            audit.Action.EVENT, [(source, {"n": i}) for i in range(auditchain.SEAL_BATCH + 7)]
        )
    auditchain.seal()
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert auditchain.verify().ok


def test_the_database_refuses_a_second_seal_and_a_pre_sealed_insert(sources):
    auditchain.seal()
    entry = _entry_of(sources[1])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(seq=10**9)
    Source.objects.create(key="unsealed", title="T", publisher="P")
    unsealed = AuditEntry.objects.get(seq__isnull=True)
    with pytest.raises(DatabaseError), transaction.atomic():  # sealing must leave the rest
        AuditEntry._base_manager.filter(pk=unsealed.pk).update(seq=10**9, message="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry._base_manager.create(action="event", via="system", seq=10**9, hash="f" * 64)


# -- tampering ---------------------------------------------------------------------


def test_verify_names_the_entry_whose_content_was_changed(sources):
    auditchain.seal()
    entry = _entry_of(sources[1])
    _tamper(f"UPDATE {TABLE} SET reason = 'forged' WHERE id = %s", [entry.pk])
    result = auditchain.verify()
    assert not result.ok
    assert (result.broken.entry_id, result.broken.seq) == (entry.pk, entry.seq)
    assert "content" in result.broken.what


def test_verify_names_the_entry_whose_fixed_fields_were_changed(sources):
    auditchain.seal()
    entry = _entry_of(sources[2])
    _tamper(f"UPDATE {TABLE} SET action = 'delete' WHERE id = %s", [entry.pk])
    broken = auditchain.verify().broken
    assert (broken.entry_id, broken.seq) == (entry.pk, entry.seq)
    assert "action" in broken.what


def test_verify_names_a_deleted_entry(sources):
    auditchain.seal()
    entry = _entry_of(sources[0])
    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    broken = auditchain.verify().broken
    assert broken.seq == entry.seq
    assert "missing" in broken.what


def test_verify_names_an_entry_reordered_or_relinked(sources):
    auditchain.seal()
    entry = _entry_of(sources[2])
    _tamper(f"UPDATE {TABLE} SET prev_hash = %s WHERE id = %s", ["a" * 64, entry.pk])
    broken = auditchain.verify().broken
    assert (broken.entry_id, broken.seq) == (entry.pk, entry.seq)
    assert "prev_hash" in broken.what


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's DROP TRIGGER")
def test_on_sqlite_a_dropped_trigger_lets_an_edit_through_but_verify_names_it(sources):
    auditchain.seal()
    entry = _entry_of(sources[1])
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER core_auditentry_no_update")
        cursor.execute(f"UPDATE {TABLE} SET object_repr = 'nothing here' WHERE id = %s", [entry.pk])
    assert not auditguard.installed(connection)
    broken = auditchain.verify().broken
    assert (broken.entry_id, broken.seq) == (entry.pk, entry.seq)
    auditguard.install(connection)


# -- redaction -------------------------------------------------------------------------


def test_a_redaction_is_not_tampering_but_an_edit_after_it_is(sources, administrator):
    auditchain.seal()
    entry = _entry_of(sources[1])
    count = audit.redact(
        AuditEntry.objects.filter(pk=entry.pk),
        lambda e: {"object_repr": "[redacted]", "changes": {}, "reason": ""},
        actor=administrator,
        reason="retention period over",
    )
    assert count == 1
    entry.refresh_from_db()
    assert entry.object_repr == "[redacted]" and entry.seq is not None
    record = AuditEntry.objects.filter(action=audit.Action.REDACTION).latest("id")
    assert set(record.changes["redacted"]) == {str(entry.pk)}
    result = auditchain.verify()
    assert result.ok, result.broken
    assert result.redacted == 1
    # an unsealed entry redacted before the sealer runs is fine too
    with audit.acting(administrator):
        fresh = Source.objects.create(key="fresh", title="T", publisher="P")
    audit.redact(
        AuditEntry.objects.filter(object_id=str(fresh.pk)),
        lambda e: {"object_repr": "[gone]"},
        reason="r",
    )
    assert auditchain.verify().ok
    # the same field changed again, outside a redaction
    _tamper(f"UPDATE {TABLE} SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    broken = auditchain.verify().broken
    assert broken.entry_id == entry.pk and "redaction" in broken.what


def test_a_redaction_never_reaches_the_fixed_fields(sources):
    entry = _entry_of(sources[0])
    with pytest.raises(ValueError):
        audit.redact([entry], lambda e: {"action": "x"}, reason="r")
    with pytest.raises(ValueError):
        auditguard.redact_entry(connection, entry.pk, {"timestamp": "2000-01-01"})


# -- snapshots -------------------------------------------------------------------------


@pytest.fixture
def snapshot(nato_staff):
    return reports.lock_year(nato_staff, timezone.localdate().year - 1, note="annual review")


def test_the_database_refuses_to_change_or_delete_a_published_snapshot(snapshot):
    assert auditguard.installed(connection, Snapshot._meta.db_table)
    table = Snapshot._meta.db_table
    for sql in (
        f"UPDATE {table} SET note = 'forged' WHERE id = %s",
        f"UPDATE {table} SET figures = '{{}}' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="snapshot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [snapshot.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Snapshot._base_manager.filter(pk=snapshot.pk).update(note="forged")
    snapshot.refresh_from_db()
    assert snapshot.note == "annual review"


def test_a_snapshot_is_chained_and_verify_names_a_changed_one(snapshot):
    assert snapshot.content_hash == auditchain.snapshot_digest(snapshot)
    result = auditchain.verify()
    assert result.ok, result.broken
    assert result.snapshots == 1
    table = Snapshot._meta.db_table
    _tamper(f"UPDATE {table} SET note = 'edited' WHERE id = %s", [snapshot.pk])
    broken = auditchain.verify().broken
    assert broken.snapshot_id == snapshot.pk and "own content hash" in broken.what
    # figures and their hash rewritten together: the chained hash still differs
    snapshot.refresh_from_db()
    snapshot.figures = {"totals": {"events": 999}}
    _tamper(
        f"UPDATE {table} SET figures = %s, content_hash = %s WHERE id = %s",
        [json.dumps(snapshot.figures), auditchain.snapshot_digest(snapshot), snapshot.pk],
    )
    broken = auditchain.verify().broken
    assert broken.snapshot_id == snapshot.pk and "chained" in broken.what
    assert broken.seq is not None


def test_verify_names_a_deleted_snapshot(snapshot):
    _tamper(f"DELETE FROM {Snapshot._meta.db_table} WHERE id = %s", [snapshot.pk])
    broken = auditchain.verify().broken
    assert broken.snapshot_id == snapshot.pk and "gone" in broken.what


# -- digests -----------------------------------------------------------------------


def _rewrite_history(entry: AuditEntry, **values) -> None:
    """A forger past the guard edits an entry and recomputes every hash after
    it: the chain verifies again on its own."""
    with auditguard.lifted():
        if values:
            AuditEntry._base_manager.filter(pk=entry.pk).update(**values)
        prev = auditchain.GENESIS
        fields = (*auditchain.FIXED_FIELDS, *auditchain.REDACTABLE_FIELDS)
        for row in AuditEntry._base_manager.order_by("seq").values(*fields, "seq"):
            content = auditchain.content_digest(row)
            digest = auditchain.entry_hash(
                row, seq=row["seq"], prev_hash=prev, content_hash=content
            )
            AuditEntry._base_manager.filter(pk=row["id"]).update(
                content_hash=content, prev_hash=prev, hash=digest
            )
            prev = digest


def test_a_kept_digest_catches_a_history_rewritten_with_new_hashes(sources, nato_staff):
    digest = auditchain.daily_digest()
    assert digest["date"] == timezone.localdate().isoformat()
    assert digest["last_seq"] == AuditEntry.objects.count() > 0
    assert digest["count"] >= 4  # today's entries at least
    assert digest["head_hash"] == AuditEntry.objects.get(seq=digest["last_seq"]).hash
    kept = [digest]
    with audit.acting(nato_staff):
        Source.objects.create(key="later", title="T", publisher="P")
    result = auditchain.verify(keep={digest["last_seq"]})
    assert result.ok and auditchain.check_digests(kept, result) is None
    _rewrite_history(_entry_of(sources[0]), reason="rewritten")
    result = auditchain.verify(keep={digest["last_seq"]})
    assert result.ok  # the chain alone cannot tell ...
    broken = auditchain.check_digests(kept, result)
    assert broken is not None and broken.seq == digest["last_seq"]  # ... the digest can


def test_the_digest_of_an_earlier_day_stops_at_that_day(sources):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    auditchain.seal()
    older = AuditEntry.objects.order_by("seq").first()
    _tamper(
        f"UPDATE {TABLE} SET timestamp = %s WHERE seq <= 2",
        [timezone.now() - dt.timedelta(days=1)],
    )
    # (the timestamps are part of the hash: re-seal the two entries honestly)
    _rewrite_history(older)
    digest = auditchain.daily_digest(yesterday)
    assert digest["date"] == yesterday.isoformat()
    assert digest["last_seq"] == 2 and digest["count"] == 2
    assert digest["head_hash"] == AuditEntry.objects.get(seq=2).hash
    assert auditchain.daily_digest(yesterday - dt.timedelta(days=400))["last_seq"] == 0


def test_digest_files_are_parsed_strictly():
    one = {"date": "2026-12-01", "last_seq": 3, "head_hash": "a" * 64, "count": 2}
    assert auditchain.parse_digests(json.dumps(one)) == [one]
    lines = json.dumps(one) + "\n" + json.dumps({**one, "date": "2026-12-02"}) + "\n"
    assert len(auditchain.parse_digests(lines)) == 2
    for bad in ("", "{", '{"date": "x"}', json.dumps({**one, "last_seq": -1}), "[1]"):
        with pytest.raises(auditchain.DigestError):
            auditchain.parse_digests(bad)


# -- the command -------------------------------------------------------------------


def test_audit_verify_command_passes_then_names_the_first_broken_link(sources, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    entry = _entry_of(sources[1])
    _tamper(f"UPDATE {TABLE} SET message = 'forged' WHERE id = %s", [entry.pk])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert f"entry {entry.pk}" in str(failure.value)
    assert f"sequence {entry.seq}" in str(failure.value)


def test_audit_digest_command_writes_a_digest_that_verify_checks(sources, tmp_path, capsys):
    out = tmp_path / "digest.json"
    call_command("audit", "digest", "--output", str(out))
    kept = json.loads(out.read_text())
    assert kept["last_seq"] == AuditEntry.objects.count()
    call_command("audit", "digest")
    assert (
        json.loads(capsys.readouterr().out.strip().splitlines()[-1])["head_hash"]
        == kept["head_hash"]
    )
    call_command("audit", "verify", "--digest", str(out))
    _rewrite_history(_entry_of(sources[0]), object_repr="rewritten")
    call_command("audit", "verify")  # the chain alone holds
    with pytest.raises(CommandError, match="digest"):
        call_command("audit", "verify", "--digest", str(out))


def test_audit_command_refuses_bad_input(tmp_path):
    with pytest.raises(CommandError, match="date"):
        call_command("audit", "digest", "--date", "2026-13-45")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--digest", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="digest"):
        call_command("audit", "verify", "--digest", str(bad))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal on SQLite")
def test_setup_create_roles_is_for_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("setup", "--create-roles")
