"""``Nomination.via_reallocation`` only for nominees who waited (issue 15,
defect 5). The figure "seats reallocated" counts "seats that went to a waiting
nominee after the quotas were released"; until now a nominee seated at once
after the release (a new nomination, an imported row) was flagged too.

Which flagged rows never waited, from the nomination's own history:
  * ``promoted_at`` set: promoted from the waiting list, the flag stands;
  * the audit trail shows the nomination on the waiting list (its creation or a
    status change, before or after "waitlisted"): the flag stands;
  * a substitute keeps the seat of the one replaced, so the flag of the one
    replaced (the same rules, followed along the chain) decides;
  * the trail records the nomination's creation with another status and never
    "waitlisted": the flag is cleared (audited, with the reason);
  * nothing recorded about it (an older trail): it cannot be determined, the
    flag stays and one audit event names these nominations for a person to check.
"""

from django.db import migrations

REASON = "Seat from reallocation only for nominees who waited (issue 15)"


def _status_entries(apps, ids):
    """Per nomination id: (waited, creation recorded) from the audit trail."""
    AuditEntry = apps.get_model("core", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="training", model="nomination").first()
    found = {}
    if content_type is None:
        return found
    entries = AuditEntry.objects.filter(
        content_type_id=content_type.pk, object_id__in=[str(pk) for pk in ids]
    ).values_list("object_id", "action", "changes")
    for object_id, action, changes in entries.iterator():
        status = (changes or {}).get("status") if isinstance(changes, dict) else None
        waited, created = found.get(int(object_id), (False, False))
        if isinstance(status, dict):
            if "waitlisted" in (status.get("before"), status.get("after")):
                waited = True
            if action == "create" or (action == "transition" and status.get("before") is None):
                created = True
        found[int(object_id)] = (waited, created)
    return found


def forwards(apps, schema_editor):
    from icihub.core import audit

    Nomination = apps.get_model("training", "Nomination")
    flagged = list(
        Nomination.objects.filter(via_reallocation=True).values_list(
            "pk", "promoted_at", "substitute_for_id"
        )
    )
    if not flagged:
        return
    rows = {pk: (promoted_at, original) for pk, promoted_at, original in flagged}
    # The ones replaced by substitutes, along the chains, are needed too.
    pending = {original for _p, original in rows.values() if original and original not in rows}
    while pending:
        more = Nomination.objects.filter(pk__in=pending).values_list(
            "pk", "promoted_at", "substitute_for_id"
        )
        pending = set()
        for pk, promoted_at, original in more:
            rows[pk] = (promoted_at, original)
            if original and original not in rows:
                pending.add(original)
    history = _status_entries(apps, list(rows))

    def waited(pk, seen=()):
        """True (waited), False (proven never waited) or None (unknown)."""
        promoted_at, original = rows[pk]
        did_wait, created = history.get(pk, (False, False))
        if promoted_at is not None or did_wait:
            return True
        if original is not None and original not in seen:
            return waited(original, (*seen, pk))
        return False if created else None

    clear, unknown = [], []
    for pk, _promoted, _original in flagged:
        verdict = waited(pk)
        if verdict is False:
            clear.append(pk)
        elif verdict is None:
            unknown.append(pk)
    with audit.acting(None, via=audit.VIA_SYSTEM, reason=REASON):
        if clear:
            Nomination.objects.filter(pk__in=clear).update(via_reallocation=False)
            changes = {"via_reallocation": {"before": True, "after": False}}
            audit.record_many(
                audit.Action.UPDATE,
                [(n, changes) for n in Nomination.objects.filter(pk__in=clear)],
            )
        if unknown:
            audit.log_event(
                audit.Action.EVENT,
                None,
                message=(
                    f"{len(unknown)} nominations flagged 'seat from reallocation' whose "
                    "history is not recorded: check them by hand"
                ),
                data={"nominations": sorted(unknown)},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_trip_no_overlap"),
        ("core", "0005_installation"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
