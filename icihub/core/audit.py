"""The audit trail: who changed what, when, through which channel, and why.

Every create, update and delete of a domain model (the apps listed in
``settings.ICIHUB_APPS``) is recorded by the model signals connected in
:func:`connect`, so nothing escapes it: services, the admin, the API and the CLI
all pass through. *Who* and *why* come from the current :class:`AuditContext`,
which the web middleware, the API authentication and the CLI set, and which a
service narrows with ``with acting(actor, reason=...)``.

Events that are not data changes (sign-ins, exports, permission changes) are
recorded with :func:`log_event`. Writes that bypass signals (``bulk_create``,
``bulk_update``, ``QuerySet.update``) record their rows themselves, in one bulk
insert: :func:`record_many` (one entry per row, any action: the transitions of
a reallocation, the updates of an import) and :func:`record_bulk_create` (the
rows a ``bulk_create`` wrote).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal

from . import auditchain

VIA_UI = "ui"
VIA_API = "api"
VIA_ADMIN = "admin"
VIA_CLI = "cli"
VIA_SYSTEM = "system"

# Fields never copied into the trail (secrets, bookkeeping).
SECRET_FIELDS = {"password", "key_hash", "secret", "token_hash", "otp_secret"}
IGNORED_FIELDS = {"updated_at", "last_login", "search_text"}
MASK = "••••"


@dataclass(frozen=True)
class AuditContext:
    actor: object | None = None  # a User or None
    via: str = VIA_SYSTEM
    reason: str = ""
    ip: str | None = None
    label: str = ""  # who, when there is no user (e.g. "cli:root")
    enabled: bool = True


_context: ContextVar[AuditContext] = ContextVar("icihub_audit", default=AuditContext())  # noqa: B039 - frozen


def current() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def acting(actor=None, *, via: str | None = None, reason: str | None = None, **kwargs):
    """Narrow the audit context for the writes inside the block."""
    changes = dict(kwargs)
    if actor is not None and getattr(actor, "is_authenticated", False):
        changes["actor"] = actor
    if via is not None:
        changes["via"] = via
    if reason is not None:
        changes["reason"] = reason
    token = _context.set(replace(_context.get(), **changes))
    try:
        yield _context.get()
    finally:
        _context.reset(token)


def set_base(**kwargs) -> None:
    """Set the context for the rest of this thread/process (CLI entry point)."""
    _context.set(replace(_context.get(), **kwargs))


@contextlib.contextmanager
def suspended():
    """Write without auditing (used only by test fixtures and raw restores)."""
    token = _context.set(replace(_context.get(), enabled=False))
    try:
        yield
    finally:
        _context.reset(token)


# -- serialisation -------------------------------------------------------------


def _json_value(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "iso"):
        return value.iso()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(instance: models.Model) -> dict:
    """The audited field values of ``instance`` (foreign keys as ids)."""
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in IGNORED_FIELDS:
            continue
        if f.name in SECRET_FIELDS:
            data[f.name] = MASK
            continue
        data[f.attname] = _json_value(getattr(instance, f.attname))
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    """``{field: {"before": x, "after": y}}`` for the fields that differ."""
    before = before or {}
    after = after or {}
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = {"before": old, "after": new}
    return changes


# -- recording -----------------------------------------------------------------


def _entry_model():
    return apps.get_model("core", "AuditEntry")


def _actor_fields(ctx: AuditContext) -> dict:
    actor = ctx.actor if ctx.actor is not None and getattr(ctx.actor, "pk", None) else None
    label = ctx.label
    if actor is not None:
        label = actor.get_username()
    return {"actor": actor, "actor_label": label or ctx.via, "via": ctx.via, "ip": ctx.ip}


def record(action: str, instance: models.Model | None, changes: dict | None = None, **extra):
    ctx = current()
    if not ctx.enabled:
        return None
    Entry = _entry_model()
    fields = {
        **_actor_fields(ctx),
        "action": action,
        "changes": changes or {},
        "reason": extra.pop("reason", ctx.reason) or "",
        "message": extra.pop("message", ""),
    }
    if instance is not None:
        from django.contrib.contenttypes.models import ContentType

        # ``instance._meta.model``, not ``type(instance)``: the signed-out user
        # arrives as request.user, a lazy proxy whose type is not the model.
        fields["content_type"] = ContentType.objects.get_for_model(instance._meta.model)
        fields["object_id"] = str(instance.pk)
        fields["object_repr"] = _safe_str(instance)[:250]
    entry = Entry.objects.create(**fields)
    auditchain.schedule_seal()
    return entry


def log_event(action: str, instance=None, message: str = "", data: dict | None = None, **kwargs):
    """Record something that is not a data change: sign-in, export, permission change."""
    with acting(**{k: v for k, v in kwargs.items() if k in {"actor", "via", "reason", "ip"}}):
        return record(action, instance, changes=data or {}, message=message)


BULK_BATCH_SIZE = 500

# Sent by :func:`record_many` once per model of the rows (``sender``: the model),
# whether or not auditing is suspended: the writes that send no model signals
# (``bulk_create``, ``QuerySet.update``), for those who keep something derived
# from the records (the reports' figures: ``reports.figcache``).
bulk_recorded = Signal()


def record_many(
    action: str,
    items: Iterable[tuple[models.Model, dict]],
    *,
    reason: str | None = None,
    message: str = "",
) -> int:
    """Record one entry per ``(instance, changes)`` of ``items``, written in one
    bulk insert (batches of :data:`BULK_BATCH_SIZE` rows): for writes that send
    no model signals, e.g. a ``QuerySet.update`` that promotes many waiting
    nominees (``Action.TRANSITION``, changes ``{"status": {"before": ...,
    "after": ...}}``) or a ``bulk_update`` of imported rows (``Action.UPDATE``).

    Who, the channel, the address and the reason come from the current context
    (:func:`acting`), as for :func:`record`; ``reason`` overrides the context's
    reason for these entries, ``message`` is written on each. ``object_repr`` is
    ``str(instance)``: select the related rows it reads beforehand (no query per
    row). Nothing is written when auditing is suspended. Returns the number of
    entries written."""
    items = list(items)
    for model in {instance._meta.model for instance, _changes in items}:
        bulk_recorded.send(sender=model)
    ctx = current()
    if not ctx.enabled:
        return 0
    from django.contrib.contenttypes.models import ContentType

    Entry = _entry_model()
    base = _actor_fields(ctx)
    why = (ctx.reason if reason is None else reason) or ""
    content_types: dict[type, object] = {}
    entries = []
    for instance, changes in items:
        model = instance._meta.model
        content_type = content_types.get(model)
        if content_type is None:
            content_type = content_types[model] = ContentType.objects.get_for_model(model)
        entries.append(
            Entry(
                **base,
                action=action,
                content_type=content_type,
                object_id=str(instance.pk),
                object_repr=_safe_str(instance)[:250],
                changes=changes or {},
                reason=why,
                message=message,
            )
        )
    if entries:
        Entry.objects.bulk_create(entries, batch_size=BULK_BATCH_SIZE)
        auditchain.schedule_seal()
    return len(entries)


def record_bulk_create(instances: list[models.Model]) -> int:
    """Audit rows written with ``bulk_create`` (which sends no signals): one
    "create" entry per row with its values, as the signal would have written."""
    return record_many(Action.CREATE, ((i, diff(None, snapshot(i))) for i in instances))


def redact(entries, transform, *, actor=None, reason: str) -> int:
    """The one path that changes recorded entries: remove personal data from
    them (anonymisation after the retention period). ``transform(entry)``
    returns the new values of the entry's fields (e.g. ``changes`` with the
    personal fields masked, ``object_repr``); ids, times, actors and actions
    stay. Only the fields the hash chain keeps apart as redactable may change
    (``core.auditchain``): the redaction is recorded in its own chained entry
    with the new content digest of each entry it changed, so that the chain
    still verifies and shows the redaction. The database guard
    (``core.auditguard``) lets this path alone through: on PostgreSQL a
    function of the schema owner that rewrites those fields only. Returns the
    entries changed."""
    from django.db import connection, transaction

    from . import auditguard

    if not reason:
        raise ValueError("a redaction needs a reason")
    Entry = _entry_model()
    changed: list[int] = []
    with transaction.atomic():
        for entry in list(entries):
            values = transform(entry) or {}
            unknown = set(values) - set(auditchain.REDACTABLE_FIELDS)
            if unknown:
                raise ValueError(f"cannot redact {sorted(unknown)}")
            if values:
                auditguard.redact_entry(connection, entry.pk, values)
                changed.append(entry.pk)
        # the digests as the database gives the values back (what verify reads)
        digests = {}
        for start in range(0, len(changed), BULK_BATCH_SIZE):
            rows = Entry._base_manager.filter(
                pk__in=changed[start : start + BULK_BATCH_SIZE]
            ).values("id", *auditchain.REDACTABLE_FIELDS)
            digests.update({str(row["id"]): auditchain.content_digest(row) for row in rows})
        log_event(
            Action.REDACTION,
            None,
            message=f"{len(changed)} audit entries redacted",
            data={"entries": len(changed), "redacted": digests},
            actor=actor,
            reason=reason,
        )
    return len(changed)


def _safe_str(instance) -> str:
    """``str(instance)`` in the site's default language (reference names follow
    the active language elsewhere: the trail reads the same whoever acted)."""
    from django.conf import settings
    from django.utils import translation

    try:
        with translation.override(settings.LANGUAGE_CODE):
            return str(instance)
    except Exception:
        return f"{type(instance).__name__} #{instance.pk}"


class Action(models.TextChoices):
    CREATE = "create", "create"
    UPDATE = "update", "update"
    DELETE = "delete", "delete"
    LOGIN = "login", "login"
    LOGIN_FAILED = "login_failed", "login failed"
    LOGOUT = "logout", "logout"
    LOCKOUT = "lockout", "sign-in locked"
    UNLOCK = "unlock", "sign-in unlocked"
    TWO_FACTOR = "two_factor", "two-factor authentication"
    SESSIONS_ENDED = "sessions_ended", "sessions ended"
    EXPORT = "export", "export"
    PERMISSION = "permission", "permission change"
    TRANSITION = "transition", "state change"
    EVENT = "event", "event"
    REDACTION = "redaction", "audit entries redacted"


# -- signal handlers -----------------------------------------------------------


def _audited(sender) -> bool:
    meta = sender._meta
    if meta.app_label not in settings.ICIHUB_APPS:
        return False
    return not getattr(sender, "audit_exempt", False)


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or not current().enabled:
        return
    if instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None
    # secrets are masked in the trail, so their change is noted separately
    instance._audit_secrets = {
        f.attname: getattr(old, f.attname)
        for f in sender._meta.concrete_fields
        if old is not None and f.name in SECRET_FIELDS
    }


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    changes = diff(before, after)
    if not created:
        for name, old_value in (getattr(instance, "_audit_secrets", None) or {}).items():
            if getattr(instance, name) != old_value:
                changes[name] = {"before": MASK, "after": f"{MASK} (changed)"}
    if not created and not changes:
        return
    record(Action.CREATE if created else Action.UPDATE, instance, changes)


def _post_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    record(Action.DELETE, instance, diff(snapshot(instance), None))


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not _audited(type(instance)) or not pk_set and action != "post_clear":
        return
    through = sender
    name = next(
        (
            f.name
            for f in type(instance)._meta.get_fields()
            if f.many_to_many
            and getattr(getattr(f, "remote_field", None), "through", None) is through
        ),
        through.__name__,
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    record(Action.UPDATE, instance, {name: {verb: sorted(pk_set or [])}})


def connect() -> None:
    pre_save.connect(_pre_save, dispatch_uid="icihub_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="icihub_audit_post_save")
    post_delete.connect(_post_delete, dispatch_uid="icihub_audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="icihub_audit_m2m")
