"""The audit trail's hash chain: tamper evidence that holds even against
someone who gets past the database's guard (``core.auditguard``), e.g. a
``DROP TRIGGER`` on SQLite or the schema owner on PostgreSQL.

Design
------
Entries are inserted as before, with no chain values (``seq`` empty): the
domain transactions that write them take no extra lock, so the 20-50 parallel
writes of a seat race neither serialise nor deadlock on the trail. A *sealer*
runs after each audited transaction commits (``transaction.on_commit``, see
:func:`schedule_seal`) and before every verification or digest. It takes one
lock (a transaction-level advisory lock on PostgreSQL; SQLite serialises
writers itself, and the unique ``seq`` refuses a fork either way), reads the
committed unsealed entries in id order and gives each, in turn:

* ``seq``: the next number of the chain (1, 2, 3 ... without a gap, so a
  deleted entry shows as a gap);
* ``content_hash``: SHA-256 of the canonical JSON of the *redactable* fields
  (``changes``, ``object_repr``, ``message``, ``reason``, ``actor_label``,
  ``ip``), the ones ``audit.redact`` may rewrite to remove personal data;
* ``prev_hash``: the previous entry's ``hash``;
* ``hash``: SHA-256 of the canonical JSON of ``seq``, ``prev_hash``, the fixed
  fields (id, time, actor, channel, action, object) and ``content_hash``.

The order of the chain is the order of sealing, not of ids: an entry whose
transaction commits later is sealed later. The sealer reads the rows back from
the database before hashing, so a verification (which reads them again)
computes the same values on either database.

A redaction rewrites only redactable fields, leaves ``content_hash`` as it was
and records, in its own chained ``redaction`` entry, the new content digest of
each entry it changed (``changes["redacted"] = {id: digest}``). The verifier
accepts an entry whose content matches either its sealed ``content_hash`` or the
digest its latest chained redaction recorded: a redaction is visible, a silent
edit is a broken link.

Published report snapshots (``reports.Snapshot``, registered by the reports
app with :func:`register_snapshot_model`) carry the SHA-256 of their
content (``content_hash``); the entry that recorded their creation holds that
hash in its values, and the entry is chained. The verifier recomputes each
snapshot's hash, compares it with the chained one, and notices a snapshot
whose chained record exists but whose row is gone.

The canonical JSON is the standard library's ``json.dumps`` with sorted keys,
compact separators and UTF-8: only icihub reads its own hashes, so a
cross-language canonical form (RFC 8785) would add a dependency for nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

ALGORITHM = "sha256"
GENESIS = "0" * 64
FIXED_FIELDS = ("id", "timestamp", "actor_id", "via", "action", "content_type_id", "object_id")
REDACTABLE_FIELDS = ("changes", "object_repr", "message", "reason", "actor_label", "ip")
SEAL_FIELDS = ("seq", "content_hash", "prev_hash", "hash")
SEAL_BATCH = 1000
# pg_advisory_xact_lock key of the sealer (any fixed 64-bit number; icihub
# takes no other advisory lock with it)
ADVISORY_KEY = 0x1C1_A0D1
# how long a sealer run after a commit waits for another one to finish
SEAL_LOCK_TIMEOUT = "5s"

_local_lock = threading.RLock()


# -- hashing -------------------------------------------------------------------


def canonical(value) -> bytes:
    """The canonical JSON of ``value`` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def _time(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # already serialised
        return value
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def content_digest(row: dict) -> str:
    """The hash of an entry's redactable fields (``row``: field name -> value,
    as read from the database)."""
    values = {name: row.get(name) for name in REDACTABLE_FIELDS}
    values["ip"] = None if values["ip"] in (None, "") else str(values["ip"])
    values["changes"] = json.loads(json.dumps(values["changes"] or {}))
    for name in ("object_repr", "message", "reason", "actor_label"):
        values[name] = values[name] or ""
    return sha256(values)


def fixed_values(row: dict) -> dict:
    return {
        "id": row["id"],
        "timestamp": _time(row["timestamp"]),
        "actor_id": row["actor_id"],
        "via": row["via"] or "",
        "action": row["action"] or "",
        "content_type_id": row["content_type_id"],
        "object_id": row["object_id"] or "",
    }


def entry_hash(row: dict, *, seq: int, prev_hash: str, content_hash: str) -> str:
    return sha256(
        {
            "seq": seq,
            "prev": prev_hash,
            "entry": fixed_values(row),
            "content": content_hash,
        }
    )


def snapshot_digest(snapshot) -> str:
    """The content hash of a published snapshot (``reports.Snapshot``): its
    year, figures, definitions, marking, note and who locked it when."""
    values = {
        "year": snapshot.year,
        "figures": snapshot.figures,
        "definitions": snapshot.definitions,
        "marking": snapshot.marking,
        "note": snapshot.note or "",
        "locked_by_id": snapshot.locked_by_id,
        "locked_by_label": snapshot.locked_by_label or "",
        "locked_at": _time(snapshot.locked_at),
    }
    # the JSON round trip gives what the database gives back (tuples -> lists)
    return sha256(json.loads(json.dumps(values)))


# -- sealing -------------------------------------------------------------------


def _entry_model():
    from django.apps import apps

    return apps.get_model("core", "AuditEntry")


def seal(using: str = "default", *, wait: bool = True) -> int:
    """Chain every committed entry not sealed yet; returns how many were sealed.

    ``wait=False`` (after a commit): give up quietly when another sealer holds
    the lock for longer than :data:`SEAL_LOCK_TIMEOUT` — its run, the next
    commit's or the next verification seals the rest. Each batch of
    :data:`SEAL_BATCH` entries is its own transaction."""
    total, clashes = 0, 0
    while True:
        try:
            count = _seal_batch(using, wait=wait)
        except IntegrityError:
            # another process sealed the same entries meanwhile (SQLite)
            clashes += 1
            if not wait or clashes > 3:
                raise
            continue
        total += count
        if count < SEAL_BATCH:
            return total


def _seal_batch(using: str, *, wait: bool) -> int:
    connection = connections[using]
    Entry = _entry_model()
    postgres = connection.vendor == "postgresql"
    with _local_lock if not postgres else contextlib.nullcontext(), transaction.atomic(using=using):
        if postgres:
            with connection.cursor() as cursor:
                if not wait:
                    cursor.execute(f"SET LOCAL lock_timeout = '{SEAL_LOCK_TIMEOUT}'")
                try:
                    with transaction.atomic(using=using):
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
                except DatabaseError:
                    if wait:
                        raise
                    return 0
                if not wait:
                    cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        manager = Entry._base_manager.using(using)
        head = manager.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
        seq, prev = head if head else (0, GENESIS)
        pending = manager.filter(seq__isnull=True).order_by("id")
        if postgres:
            # an entry being redacted right now is sealed by the next run
            pending = pending.select_for_update(skip_locked=True)
        rows = list(pending.values(*FIXED_FIELDS, *REDACTABLE_FIELDS)[:SEAL_BATCH])
        if not rows:
            return 0
        sealed = []
        for row in rows:
            seq += 1
            content = content_digest(row)
            digest = entry_hash(row, seq=seq, prev_hash=prev, content_hash=content)
            sealed.append((row["id"], seq, content, prev, digest))
            prev = digest
        _write_seals(connection, Entry._meta.db_table, sealed)
        return len(sealed)


def _write_seals(connection, table: str, sealed: list[tuple]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` per 200 entries (both databases
    have it; a row-by-row update would take a round trip per entry)."""
    qn = connection.ops.quote_name
    cast = "::bigint" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for start in range(0, len(sealed), 200):
            chunk = sealed[start : start + 200]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            # only the table's quoted name and placeholders are interpolated
            if connection.vendor == "postgresql":
                sql = (
                    f"UPDATE {qn(table)} AS e SET seq = v.seq{cast}, content_hash = v.c, "  # noqa: S608
                    f"prev_hash = v.p, hash = v.h FROM (VALUES {values}) AS v(id, seq, c, p, h) "
                    f"WHERE e.id = v.id{cast} AND e.seq IS NULL"
                )
            else:
                # SQLite names the columns of VALUES column1, column2 ...
                sql = (
                    f"UPDATE {qn(table)} SET seq = v.column2, content_hash = v.column3, "  # noqa: S608
                    f"prev_hash = v.column4, hash = v.column5 FROM (VALUES {values}) AS v "
                    f"WHERE {qn(table)}.id = v.column1 AND {qn(table)}.seq IS NULL"
                )
            cursor.execute(sql, [value for row in chunk for value in row])
            if cursor.rowcount != len(chunk):
                # another sealer got there first: leave it to the next run
                raise IntegrityError("audit entries sealed meanwhile")


def _seal_after_commit(using: str) -> None:
    try:
        seal(using, wait=False)
    except DatabaseError:  # e.g. a concurrent sealer on SQLite: the next run seals them
        log.warning("audit entries left unsealed for the next run", exc_info=True)


def schedule_seal(using: str = "default") -> None:
    """Seal the entries of the current transaction once it commits (at once
    outside a transaction). Registered once per transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _seal_after_commit(using)
        return
    for _sids, func, _robust in connection.run_on_commit:
        if getattr(func, "_icihub_seal", False):
            return

    def run():
        _seal_after_commit(using)

    run._icihub_seal = True
    transaction.on_commit(run, using=using, robust=True)


# -- verification --------------------------------------------------------------


@dataclass
class Break:
    """The first link of the chain that does not hold."""

    what: str
    entry_id: int | None = None
    seq: int | None = None
    snapshot_id: int | None = None

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(_("sequence %(n)s") % {"n": self.seq})
        if self.entry_id is not None:
            where.append(_("entry %(n)s") % {"n": self.entry_id})
        if self.snapshot_id is not None:
            where.append(_("snapshot %(n)s") % {"n": self.snapshot_id})
        return f"{', '.join(where)}: {self.what}" if where else self.what


@dataclass
class Result:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    redacted: int = 0
    snapshots: int = 0
    broken: Break | None = None
    hashes: dict = field(default_factory=dict, repr=False)  # seq -> hash, when asked

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(using: str = "default", *, seal_first: bool = True, keep: set | None = None) -> Result:
    """Recompute the whole chain and the snapshots' hashes. Returns a
    :class:`Result` whose ``broken`` names the first link that does not hold
    (``None`` when all hold). ``keep``: sequence numbers whose hash to return
    in ``Result.hashes`` (to compare with kept digests)."""
    if seal_first:
        seal(using)
    Entry = _entry_model()
    manager = Entry._base_manager.using(using)
    result = Result()
    redactions = _redactions(manager)
    if isinstance(redactions, Break):
        result.broken = redactions
        return result
    expected, prev = 1, GENESIS
    columns = (*FIXED_FIELDS, *REDACTABLE_FIELDS, *SEAL_FIELDS)
    snapshot_records: dict[str, tuple[int, int, str | None]] = {}
    snapshot_type = _snapshot_content_type_id()
    rows = manager.filter(seq__isnull=False).order_by("seq").values(*columns)
    for row in rows.iterator(chunk_size=2000):
        seq = row["seq"]
        if seq != expected:
            result.broken = Break(
                _("sequence %(n)d is missing (next found: %(next)d): an entry was deleted")
                % {"n": expected, "next": seq},
                entry_id=row["id"],
                seq=expected,
            )
            return result
        if row["prev_hash"] != prev:
            result.broken = Break(
                _("prev_hash is %(stored)s, the previous entry's hash is %(prev)s")
                % {"stored": row["prev_hash"] or "-", "prev": prev},
                entry_id=row["id"],
                seq=seq,
            )
            return result
        content = content_digest(row)
        if content != row["content_hash"]:
            redacted = redactions.get(row["id"])
            if redacted is None or redacted[1] != content:
                result.broken = Break(
                    _(
                        "its content (changes, object, message, reason, who, address) differs "
                        "from what was sealed"
                    )
                    if redacted is None
                    else _(
                        "its content (changes, object, message, reason, who, address) differs "
                        "from what was sealed and from what its redaction recorded"
                    ),
                    entry_id=row["id"],
                    seq=seq,
                )
                return result
            result.redacted += 1
        digest = entry_hash(row, seq=seq, prev_hash=prev, content_hash=row["content_hash"])
        if digest != row["hash"]:
            result.broken = Break(
                _(
                    "its hash does not match its fields (id, time, actor, channel, action, "
                    "object) or its stored content hash"
                ),
                entry_id=row["id"],
                seq=seq,
            )
            return result
        if snapshot_type is not None and row["content_type_id"] == snapshot_type:
            recorded = _recorded_snapshot_hash(row)
            if recorded is not None:
                snapshot_records[row["object_id"]] = (row["id"], seq, recorded)
        if keep is not None and seq in keep:
            result.hashes[seq] = digest
        prev = digest
        expected += 1
        result.checked += 1
    result.head_seq, result.head_hash = expected - 1, prev
    result.broken = _verify_snapshots(using, snapshot_records, result)
    return result


def _redactions(manager) -> dict | Break:
    """entry id -> (seq of the latest chained redaction naming it, digest)."""
    from .audit import Action

    found: dict[int, tuple[int, str]] = {}
    rows = manager.filter(action=Action.REDACTION, seq__isnull=False).values_list("seq", "changes")
    for seq, changes in rows.iterator(chunk_size=200):
        for key, digest in ((changes or {}).get("redacted") or {}).items():
            try:
                entry_id = int(key)
            except (TypeError, ValueError):
                return Break(
                    _("a redaction names an entry “%(key)s” that is no id") % {"key": key}, seq=seq
                )
            if entry_id not in found or found[entry_id][0] < seq:
                found[entry_id] = (seq, digest)
    return found


# The model of the published snapshots whose content hashes the verifier checks
# (reports.Snapshot). The reports app registers it in its AppConfig.ready: the
# kernel names no app above it. Empty: there are no snapshots to check.
_snapshot_models: list = []


def register_snapshot_model(model) -> None:
    """Have :func:`verify` check the rows of ``model`` against the content hash
    chained with their creation (:func:`snapshot_digest`). One model only."""
    if _snapshot_models and _snapshot_models[0] is not model:
        raise ValueError(f"{_snapshot_models[0]._meta.label} is registered already")
    _snapshot_models[:] = [model]


def _snapshot_model():
    return _snapshot_models[0] if _snapshot_models else None


def _snapshot_content_type_id() -> int | None:
    from django.contrib.contenttypes.models import ContentType

    model = _snapshot_model()
    if model is None:
        return None
    return ContentType.objects.get_for_model(model).pk


def _recorded_snapshot_hash(row: dict) -> str | None:
    value = (row.get("changes") or {}).get("content_hash")
    if isinstance(value, dict):
        value = value.get("after")
    return value if isinstance(value, str) and value else None


def _verify_snapshots(using: str, records: dict, result: Result) -> Break | None:
    Snapshot = _snapshot_model()
    if Snapshot is None:
        return None
    seen = set()
    for snapshot in Snapshot._base_manager.using(using).order_by("pk"):
        seen.add(str(snapshot.pk))
        result.snapshots += 1
        label = _("the published figures of %(year)s") % {"year": snapshot.year}
        digest = snapshot_digest(snapshot)
        if digest != snapshot.content_hash:
            return Break(
                _("%(label)s differ from their own content hash (%(stored)s; recomputed %(new)s)")
                % {"label": label, "stored": snapshot.content_hash or "-", "new": digest},
                snapshot_id=snapshot.pk,
            )
        record = records.get(str(snapshot.pk))
        if record is None:
            return Break(
                _("%(label)s have no chained audit entry") % {"label": label},
                snapshot_id=snapshot.pk,
            )
        if record[2] != digest:
            return Break(
                _("%(label)s differ from the content hash chained at sequence %(n)d")
                % {"label": label, "n": record[1]},
                snapshot_id=snapshot.pk,
                entry_id=record[0],
                seq=record[1],
            )
    for pk, (entry_id, seq, _digest) in records.items():
        if pk not in seen:
            return Break(
                _("a published snapshot recorded in the chain is gone"),
                snapshot_id=int(pk) if pk.isdigit() else None,
                entry_id=entry_id,
                seq=seq,
            )
    return None


# -- digests -------------------------------------------------------------------


def daily_digest(day: dt.date | None = None, using: str = "default") -> dict:
    """The chain's head at the end of ``day`` (default: today, so far): what an
    operator keeps elsewhere to check later that the history up to it is
    unchanged (``icihub audit verify --digest FILE``). Seals first.

    ``last_seq``: the highest sequence among the entries timed on or before
    ``day`` (local time zone); ``head_hash``: that entry's hash; ``count``: the
    chained entries of ``day`` up to ``last_seq``. The worker's schedule calls
    it once a day for the day before."""
    seal(using)
    Entry = _entry_model()
    manager = Entry._base_manager.using(using)
    day = day or timezone.localdate()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    start = end - dt.timedelta(days=1)
    head = (
        manager.filter(seq__isnull=False, timestamp__lt=end)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    last_seq, head_hash = head if head else (0, GENESIS)
    count = manager.filter(
        seq__isnull=False, seq__lte=last_seq, timestamp__gte=start, timestamp__lt=end
    ).count()
    return {
        "date": day.isoformat(),
        "last_seq": last_seq,
        "head_hash": head_hash,
        "count": count,
        "algorithm": ALGORITHM,
    }


class DigestError(ValueError):
    pass


def parse_digests(text: str) -> list[dict]:
    """The digests of a kept file: one JSON object, a JSON list of them, or one
    object per line."""
    text = text.strip()
    if not text:
        raise DigestError(_("the digest file is empty"))
    try:
        data = json.loads(text)
        items = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DigestError(_("not a digest (JSON): %(error)s") % {"error": exc}) from None
    digests = []
    for item in items:
        if not isinstance(item, dict):
            raise DigestError(_("a digest is a JSON object"))
        try:
            digest = {
                "date": dt.date.fromisoformat(str(item["date"])).isoformat(),
                "last_seq": int(item["last_seq"]),
                "head_hash": str(item["head_hash"]),
                "count": int(item["count"]),
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise DigestError(
                _("a digest needs date, last_seq, head_hash and count (%(error)s)") % {"error": exc}
            )
        if digest["last_seq"] < 0:
            raise DigestError(_("last_seq cannot be negative"))
        digests.append(digest)
    return digests


def check_digests(digests: list[dict], result: Result, using: str = "default") -> Break | None:
    """Compare kept digests with a verified chain (``verify(keep=...)``)."""
    Entry = _entry_model()
    manager = Entry._base_manager.using(using)
    for digest in digests:
        seq = digest["last_seq"]
        label = _("the digest of %(date)s") % {"date": digest["date"]}
        if seq == 0:
            if digest["head_hash"] != GENESIS:
                return Break(_("%(label)s has an empty chain with a head hash") % {"label": label})
            continue
        if seq > result.head_seq:
            return Break(
                _(
                    "%(label)s ends at sequence %(n)d, the chain now ends at %(head)d: "
                    "entries were removed"
                )
                % {"label": label, "n": seq, "head": result.head_seq},
                seq=seq,
            )
        actual = result.hashes.get(seq)
        if actual != digest["head_hash"]:
            entry_id = manager.filter(seq=seq).values_list("id", flat=True).first()
            return Break(
                _("%(label)s kept head hash %(kept)s, the chain has %(actual)s")
                % {"label": label, "kept": digest["head_hash"], "actual": actual},
                entry_id=entry_id,
                seq=seq,
            )
        day = dt.date.fromisoformat(digest["date"])
        end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
        count = manager.filter(
            seq__lte=seq, timestamp__gte=end - dt.timedelta(days=1), timestamp__lt=end
        ).count()
        if count != digest["count"]:
            return Break(
                _("%(label)s counted %(kept)d entries of that day, the chain has %(count)d")
                % {"label": label, "kept": digest["count"], "count": count},
                seq=seq,
            )
    return None
