"""The operations app's scheduled jobs (run by ``icihub worker``; icihub.core.jobs)."""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.utils import timezone

from icihub.core.jobs import scheduled

log = logging.getLogger("icihub.audit")


@scheduled("audit-digest", daily_at=dt.time(0, 30))
def audit_digest(run) -> str:
    """The audit chain's digest of the day before (icihub.core.auditchain): one
    JSON line appended to ``ICIHUB_AUDIT_DIGEST_FILE`` and written to the log,
    for the operator to keep off the server and check later with ``icihub audit
    verify --digest FILE``. Running it again for the same day appends the same
    digest (the chain up to that day does not change)."""
    from icihub.core import auditchain

    day = timezone.localdate(run.due_at) - dt.timedelta(days=1)
    digest = auditchain.daily_digest(day)
    line = json.dumps(digest, sort_keys=True)
    path = settings.ICIHUB_AUDIT_DIGEST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    log.info("audit digest %s", line)
    return f"audit digest of {digest['date']}: seq {digest['last_seq']}, {digest['head_hash']}"
