"""The waiting list and the daily reallocation of seats."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from icihub import notifications
from icihub.core import audit
from icihub.core.access import (
    check_change,
)
from icihub.core.errors import Conflict
from icihub.notifications.kinds import Kind as Notice

from ..models import (
    Nomination,
    Session,
)
from ..seats import SeatLedger, fair_order  # noqa: F401  (fair_order: re-exported)
from ._common import Progress, S, _on_commit, _require_staff, _transition, today, without_cyclic_gc

# -- waiting list and reallocation -----------------------------------------------------


def _eligible_country_ids(
    session: Session, country_ids: Iterable[int], cache: dict | None = None
) -> set[int]:
    """Which of ``country_ids`` may take part in the session's course on its
    start date (the rule of ``partners.selectors.is_eligible``), in one query.
    ``cache`` keeps each course's eligible frameworks and countries."""
    from icihub.partners.models import Country
    from icihub.partners.selectors import eligible_countries_q

    cache = {} if cache is None else cache
    audience = cache.get(session.course_id)
    if audience is None:
        course = session.course
        audience = (
            list(course.eligible_frameworks.values_list("pk", flat=True)),
            list(course.eligible_countries.values_list("pk", flat=True)),
        )
        cache[session.course_id] = audience
    ids = set(country_ids)
    frameworks, countries = audience
    if not frameworks and not countries:
        return ids
    key = (session.course_id, session.start)
    eligible = cache.get(key)
    if eligible is None:
        eligible = set(
            Country.objects.filter(
                eligible_countries_q(frameworks, countries, on=session.start)
            ).values_list("pk", flat=True)
        )
        cache[key] = eligible
    return ids & eligible


def _promotion_plan(
    session: Session, waiting: list, ledger: SeatLedger, cache: dict | None = None
) -> list:
    """Which waiting nominees take the free seats of ``session`` now (in order):
    the ledger's plan, among the countries eligible on the session's start."""
    return ledger.promotion_plan(
        session, waiting, eligible=lambda ids: _eligible_country_ids(session, ids, cache)
    )


def _promote(
    session: Session,
    nominations: list,
    reason: str,
    notify: list | None = None,
    ledger: SeatLedger | None = None,
):
    """Give the seats to ``nominations`` (waiting nominees of the locked
    ``session``, as ``ledger`` planned them): one update, one audit entry (the
    transition, with its reason) per nominee written in one bulk insert
    (``audit.record_many``), and the "promoted" e-mails after commit (or into
    ``notify``)."""
    if not nominations:
        return []
    now = timezone.now()
    released = session.quotas_released_at is not None
    pks = [n.pk for n in nominations]
    ledger = ledger or SeatLedger.of(session)
    ledger.take_many(session, [n.country_id for n in nominations])
    changed = Nomination.objects.filter(pk__in=pks, status=S.WAITLISTED).update(
        status=S.NOMINATED,
        has_seat=True,
        promoted_at=now,
        via_reallocation=released,
        updated_at=now,
    )
    if changed != len(pks):
        raise Conflict(_("The waiting list changed meanwhile: try again."))
    changes = {
        "status": {"before": S.WAITLISTED.value, "after": S.NOMINATED.value},
        "has_seat": {"before": False, "after": True},
        "via_reallocation": {"before": False, "after": released},
    }
    for nomination in nominations:
        nomination.session = session  # (for the audit's description, without a query)
        nomination.status = S.NOMINATED
        nomination.has_seat = True
        nomination.promoted_at = now
        nomination.via_reallocation = released
    # One transition entry per promoted nominee, in one bulk insert.
    audit.record_many(audit.Action.TRANSITION, [(n, changes) for n in nominations], reason=reason)
    notifications.notify(Notice.NOMINATION_PROMOTED, nominations)
    if notify is not None:
        notify.extend(pks)
    else:
        from .. import emails

        _on_commit(lambda: emails.nominations_promoted(pks))
    return nominations


def _fill_free_seats(session: Session, reason: str = "", ledger: SeatLedger | None = None) -> list:
    """Give free seats to waiting nominees (the session row is locked; ``ledger``,
    if given, is the one the caller told of its changes)."""
    if session.state not in (Session.State.OPEN, Session.State.CLOSED, Session.State.PLANNED):
        return []
    waiting = list(session.nominations.filter(status=S.WAITLISTED).select_related("participant"))
    ledger = ledger or SeatLedger.of(session)
    if not waiting or not ledger.free(session):
        return []
    plan = _promotion_plan(session, waiting, ledger)
    return _promote(session, plan, reason or _("A seat became free."), ledger=ledger)


#: How many times the daily run tries one session before reporting it failed.
REALLOCATION_ATTEMPTS = 3


class SessionOutcome:
    """What the reallocation did to one session."""

    REALLOCATED = "reallocated"  # quotas released, waiting nominees promoted
    UNCHANGED = "unchanged"  # quotas released (or already), nobody to promote
    CONFLICT = "conflict"  # still failing after every attempt: nothing written


@dataclass
class SessionReallocation:
    """The result of the reallocation of one session (its own transaction)."""

    session_id: int
    reference: str
    outcome: str
    attempts: int = 1
    reason: str = ""
    promoted: list = field(default_factory=list)  # (nominee, country iso3)

    @property
    def failed(self) -> bool:
        return self.outcome == SessionOutcome.CONFLICT

    def as_dict(self) -> dict:
        return {
            "session": self.session_id,
            "reference": self.reference,
            "outcome": self.outcome,
            "attempts": self.attempts,
            "reason": self.reason,
            "promoted": [{"participant": name, "country": iso3} for name, iso3 in self.promoted],
        }

    def line(self) -> str:
        """One line of the command's report."""
        if self.outcome == SessionOutcome.REALLOCATED:
            text = _("%(ref)s: reallocated, %(n)d promoted") % {
                "ref": self.reference,
                "n": len(self.promoted),
            }
        elif self.outcome == SessionOutcome.UNCHANGED:
            text = _("%(ref)s: unchanged (%(why)s)") % {"ref": self.reference, "why": self.reason}
        else:
            text = ngettext(
                "%(ref)s: conflict after %(n)d attempt: %(why)s",
                "%(ref)s: conflict after %(n)d attempts: %(why)s",
                self.attempts,
            ) % {
                "ref": self.reference,
                "n": self.attempts,
                "why": self.reason,
            }
        if self.outcome != SessionOutcome.CONFLICT and self.attempts > 1:
            text += " " + _("(after %(n)d attempts)") % {"n": self.attempts}
        return text


@dataclass
class ReallocationReport:
    """What a reallocation run did: per session (``results``) and in total. A
    scheduled job records :meth:`as_dict`; ``ok`` is false when some session
    finally failed (the others were processed all the same)."""

    day: dt.date
    dry_run: bool
    sessions: int = 0
    released: int = 0
    promoted: list = field(default_factory=list)  # (session reference, nominee, country iso3)
    results: list[SessionReallocation] = field(default_factory=list)

    @property
    def failed(self) -> list[SessionReallocation]:
        return [r for r in self.results if r.failed]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(
            (SessionOutcome.REALLOCATED, SessionOutcome.UNCHANGED, SessionOutcome.CONFLICT), 0
        )
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "dry_run": self.dry_run,
            "sessions": self.sessions,
            "released": self.released,
            "promoted": len(self.promoted),
            "counts": self.counts(),
            "ok": self.ok,
            "results": [r.as_dict() for r in self.results],
        }

    def summary(self) -> str:
        verb = _("would be") if self.dry_run else _("were")
        text = _(
            "%(day)s: %(released)d of %(sessions)d due sessions released their quotas; "
            "%(n)d waiting nominees %(verb)s promoted."
        ) % {
            "day": self.day.isoformat(),
            "released": self.released,
            "sessions": self.sessions,
            "n": len(self.promoted),
            "verb": verb,
        }
        if self.failed:
            text += " " + ngettext(
                "%(n)d session failed: %(refs)s.",
                "%(n)d sessions failed: %(refs)s.",
                len(self.failed),
            ) % {
                "n": len(self.failed),
                "refs": ", ".join(r.reference for r in self.failed),
            }
        return text


def due_for_reallocation(day: dt.date):
    """Sessions whose reallocation date has come and whose quotas still bind."""
    return Session.objects.filter(
        state__in=[Session.State.OPEN, Session.State.CLOSED],
        reallocation_date__lte=day,
        start__gt=day,
        quotas_released_at__isnull=True,
    )


def reallocate(
    day: dt.date | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor=None,
    session: Session | None = None,
    reason: str = "",
) -> ReallocationReport:
    """Release the quotas of the sessions due on ``day`` (today by default) and
    promote waiting nominees of any eligible country to the free seats, in the
    fair order of :func:`fair_order`. With ``session``, do it for that session
    now, whatever its reallocation date (staff, on demand). ``dry_run`` writes
    nothing and reports what would happen.

    Each session is its own transaction, tried up to
    :data:`REALLOCATION_ATTEMPTS` times when it conflicts with a concurrent
    change (a nominee withdrawn meanwhile, a deadlock): one session that still
    fails is reported (``report.results``, outcome "conflict") and never stops
    the others. On demand (``session``), a final failure raises :class:`Conflict`."""
    with without_cyclic_gc():
        report = _reallocate(day, dry_run, progress, actor, session, reason)
    if session is not None and report.failed:
        raise Conflict(report.failed[0].reason)
    return report


# The errors worth another attempt: a changed waiting list (Conflict from
# _promote), a deadlock, a lock timeout or a constraint hit by a concurrent
# write (DatabaseError: OperationalError, IntegrityError, ...).
_RETRYABLE = (Conflict, DatabaseError)


def _reallocate(day, dry_run, progress, actor, session, reason) -> ReallocationReport:
    day = day or today()
    progress = progress or (lambda line: None)
    report = ReallocationReport(day=day, dry_run=dry_run)
    if session is not None:
        check_change(actor, session)
        _require_staff(actor)
        if session.state not in (Session.State.OPEN, Session.State.CLOSED):
            raise Conflict(_("Only sessions open or closed for nominations are reallocated."))
        ids = [session.pk]  # released now, or already: fill any seat freed since
    else:
        ids = list(due_for_reallocation(day).values_list("pk", flat=True))
    report.sessions = len(ids)
    reason = reason or _("Reallocation of unused quota seats (%(day)s)") % {"day": day.isoformat()}
    progress(f"{len(ids)} sessions due for reallocation on {day.isoformat()}")
    # One query for every waiting nominee of the due sessions (the first attempt
    # of each session uses it; a retry reads the session's list again, locked).
    waiting_by_session: dict[int, list] = defaultdict(list)
    for n in (
        Nomination.objects.filter(session_id__in=ids, status=S.WAITLISTED)
        .select_related("participant", "country")
        .order_by("session_id", "priority", "nominated_at", "id")
        .iterator(chunk_size=2000)
    ):
        waiting_by_session[n.session_id].append(n)
    quiet = [pk for pk in ids if pk not in waiting_by_session]
    busy = [pk for pk in ids if pk in waiting_by_session]
    now = timezone.now()
    cache: dict = {}
    notify: list[int] = []
    with audit.acting(actor, reason=reason):
        if quiet:
            # Sessions nobody waits for only release their quotas: one UPDATE per
            # 500 (a batch cannot conflict: it skips any session that has been
            # released or has got a waiting nominee meanwhile, which then goes
            # through the per-session path below).
            busy.extend(_release_quiet(quiet, now, dry_run, report))
        for index, pk in enumerate(busy, start=1):
            result = _reallocate_one(
                pk, waiting_by_session.get(pk), now, dry_run, reason, cache, notify
            )
            report.results.append(result)
            if not result.failed:
                report.released += 1
                report.promoted.extend((result.reference, *p) for p in result.promoted)
            if index % 200 == 0:
                progress(f"  {index}/{len(busy)} sessions with waiting nominees")
    if notify:
        from .. import emails

        # After the sessions' own commits: one batch, one mail connection.
        _on_commit(lambda: emails.nominations_promoted(notify))
        progress(f"  {len(notify)} promotion e-mails queued")
    report.results.sort(key=lambda r: r.reference)
    progress(report.summary())
    return report


def _release_quiet(ids: list[int], now, dry_run: bool, report: ReallocationReport) -> list[int]:
    """Release the quotas of sessions without waiting nominees; returns those
    that got a waiting nominee (or were released) meanwhile, left for the
    per-session path."""
    left: list[int] = []
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        with transaction.atomic():
            pending = Session.objects.filter(pk__in=chunk, quotas_released_at__isnull=True).exclude(
                pk__in=Nomination.objects.filter(session_id__in=chunk, status=S.WAITLISTED).values(
                    "session_id"
                )
            )
            rows = list(pending.order_by().values_list("pk", "reference"))
            done = {pk for pk, _ref in rows}
            if rows and not dry_run:
                Session.objects.filter(pk__in=done, quotas_released_at__isnull=True).update(
                    quotas_released_at=now
                )
                audit.log_event(
                    audit.Action.TRANSITION,
                    None,
                    message=f"quotas released (no waiting nominees): {len(rows)} sessions",
                    data={"sessions": sorted(done)},
                )
        left.extend(pk for pk in chunk if pk not in done)
        report.released += len(rows)
        report.results.extend(
            SessionReallocation(
                pk, ref, SessionOutcome.UNCHANGED, reason=_("nobody on the waiting list")
            )
            for pk, ref in rows
        )
    return left


def _reallocate_one(pk, prefetched, now, dry_run, reason, cache, notify) -> SessionReallocation:
    """Reallocate one session in its own transaction, with up to
    :data:`REALLOCATION_ATTEMPTS` attempts. Never raises for a conflict: the
    result says what happened."""
    reference = ""
    error: Exception | None = None
    for attempt in range(1, REALLOCATION_ATTEMPTS + 1):
        promoted_pks: list[int] = []
        try:
            with transaction.atomic():
                locked = (
                    Session.objects.select_for_update(of=("self",))
                    .select_related("course")
                    .get(pk=pk)
                )
                reference = locked.reference
                if locked.quotas_released_at is None:
                    locked.quotas_released_at = now
                    if not dry_run:
                        Session.objects.filter(pk=pk).update(quotas_released_at=now)
                        _transition(locked, "quotas_released_at", None, now.isoformat(), reason)
                if attempt == 1 and prefetched is not None:
                    waiting = [n for n in prefetched if n.status == S.WAITLISTED]
                else:  # read again, under the session's lock
                    waiting = list(
                        locked.nominations.filter(status=S.WAITLISTED)
                        .select_related("participant", "country")
                        .order_by("priority", "nominated_at", "id")
                    )
                ledger = SeatLedger.of(locked)
                plan = _promotion_plan(locked, waiting, ledger, cache)
                if not dry_run:
                    _promote(locked, plan, reason, promoted_pks, ledger=ledger)
                if dry_run:
                    transaction.set_rollback(True)
        except _RETRYABLE as exc:
            error = exc
            continue
        except Session.DoesNotExist:
            error = Conflict(_("The session was deleted meanwhile."))
            break
        notify.extend(promoted_pks)
        promoted = [(n.participant.full_name, n.country.iso3) for n in plan]
        if promoted:
            return SessionReallocation(
                pk, reference, SessionOutcome.REALLOCATED, attempt, promoted=promoted
            )
        why = _("no free seat") if waiting else _("nobody on the waiting list")
        return SessionReallocation(pk, reference, SessionOutcome.UNCHANGED, attempt, reason=why)
    if not reference:
        reference = Session.objects.filter(pk=pk).values_list("reference", flat=True).first() or ""
    return SessionReallocation(
        pk,
        reference or f"#{pk}",
        SessionOutcome.CONFLICT,
        attempts=attempt,
        reason=str(error) or error.__class__.__name__,
    )
