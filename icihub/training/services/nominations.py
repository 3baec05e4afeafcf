"""Nominations: nominate, accept, reject, withdraw, substitute."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from icihub import notifications
from icihub.core import audit
from icihub.core.access import (
    check_change,
)
from icihub.core.errors import Conflict
from icihub.core.text import local
from icihub.notifications.kinds import Kind as Notice
from icihub.partners.selectors import is_eligible

from ..models import (
    Course,
    Nomination,
    Participant,
    Session,
)
from ..permissions import can_accept, can_decide, can_nominate_person, can_reject, nominates
from ..seats import SeatLedger
from ._common import S, _on_commit, _require_staff, _transition, _visible_or_404, today
from .reallocation import _fill_free_seats
from .sessions import _lock


def check_can_nominate(actor, session: Session, participant: Participant) -> None:
    """Raise a clear error when ``actor`` may not nominate ``participant`` to ``session``."""
    if not nominates(actor):
        raise PermissionDenied(_("Only national coordinators and Centre staff nominate."))
    if not can_nominate_person(actor, participant):
        raise ValidationError(
            {"participant": _("A national coordinator nominates only their own country's people.")}
        )
    _visible_or_404(actor, session)
    _visible_or_404(actor, participant)
    if participant.is_anonymised:
        raise ValidationError(
            {"participant": _("This participant was anonymised: they cannot be nominated.")}
        )
    if not session.accepts_nominations(today()):
        if session.state != Session.State.OPEN:
            message = _("This session is not open for nominations (it is %(state)s).") % {
                "state": session.get_state_display().lower()
            }
        else:
            message = _("The nomination deadline (%(date)s) has passed.") % {
                "date": session.nomination_deadline.isoformat()
            }
        raise ValidationError({"session": message})
    if not is_eligible(participant.country, session.course, on=session.start):
        raise ValidationError(
            {
                "participant": _(
                    "%(country)s is not eligible for this course: it is open to %(audience)s."
                )
                % {
                    "country": local(participant.country),
                    "audience": _audience(session.course),
                }
            }
        )


def _audience(course: Course) -> str:
    names = [f.acronym for f in course.eligible_frameworks.all()]
    names += [local(c) for c in course.eligible_countries.all()]
    return ", ".join(names) or _("every partner")


def nomination_problems(
    actor, session: Session, participants: list[Participant]
) -> tuple[dict[int, list[str]], list[str]]:
    """Why :func:`nominate_many` would refuse these people, before trying:
    the messages about each person (by participant id), and those about the
    nomination as a whole (the session's state, a person listed twice). Reads
    only; the service checks again under the session lock."""
    per_person: dict[int, list[str]] = {}
    general: list[str] = []
    seen: set[int] = set()
    for participant in participants:
        if participant.pk in seen:
            per_person.setdefault(participant.pk, []).append(_("Listed twice."))
            continue
        seen.add(participant.pk)
        try:
            check_can_nominate(actor, session, participant)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key == "session":
                    general.extend(m for m in messages if m not in general)
                else:
                    per_person.setdefault(participant.pk, []).extend(messages)
    already = set(
        session.nominations.filter(
            participant__in=list(seen), status__in=Nomination.ACTIVE
        ).values_list("participant_id", flat=True)
    )
    for pk in already:
        per_person.setdefault(pk, []).append(_("Already nominated to this session."))
    return per_person, general


def nominate(
    actor,
    session: Session,
    participant: Participant,
    *,
    priority: int | None = None,
    reason: str = "",
) -> Nomination:
    """Nominate one person (see :func:`nominate_many`)."""
    return nominate_many(actor, session, [participant], priority=priority, reason=reason)[0]


def nominate_many(
    actor,
    session: Session,
    participants: list[Participant],
    *,
    priority: int | None = None,
    reason: str = "",
) -> list[Nomination]:
    """Nominate people in priority order (the first is the country's first
    choice). Within the country's quota a nominee holds a seat; beyond it, the
    nominee goes to the waiting list. All or nothing."""
    if not participants:
        raise ValidationError({"participants": _("Choose at least one person.")})
    seen = set()
    for participant in participants:
        if participant.pk in seen:
            raise ValidationError(
                {"participants": _("%(name)s is listed twice.") % {"name": participant.full_name}}
            )
        seen.add(participant.pk)
        check_can_nominate(actor, session, participant)
    if priority is not None and not Nomination.PRIORITY_MIN <= priority <= Nomination.PRIORITY_MAX:
        raise ValidationError(
            {
                "priority": _("A priority is a number from %(min)d to %(max)d.")
                % {"min": Nomination.PRIORITY_MIN, "max": Nomination.PRIORITY_MAX}
            }
        )
    created = []
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        if not locked.accepts_nominations(today()):
            raise ValidationError({"session": _("This session is not open for nominations.")})
        already = set(
            locked.nominations.filter(
                participant__in=participants, status__in=Nomination.ACTIVE
            ).values_list("participant_id", flat=True)
        )
        if already:
            names = [p.full_name for p in participants if p.pk in already]
            raise ValidationError(
                {
                    "participants": _("Already nominated to this session: %(names)s.")
                    % {"names": ", ".join(names)}
                }
            )
        next_priority: dict[int, int] = {}
        ledger = SeatLedger.of(locked)
        for participant in participants:
            country_id = participant.country_id
            if priority is not None and len(participants) == 1:
                rank = priority
            else:
                if country_id not in next_priority:
                    top = locked.nominations.filter(country_id=country_id).aggregate(
                        m=Max("priority")
                    )["m"]
                    next_priority[country_id] = (top or 0) + 1
                # after the last, within the range (the last ones share it and
                # go by nomination time)
                rank = min(next_priority[country_id], Nomination.PRIORITY_MAX)
                next_priority[country_id] += 1
            seated = ledger.try_take(locked, country_id)
            nomination = Nomination(
                session=locked,
                participant=participant,
                country_id=country_id,
                priority=rank,
                status=S.NOMINATED if seated else S.WAITLISTED,
                has_seat=seated,
                # A seat taken at once never came from the waiting list, even
                # after the release: via_reallocation is for promoted nominees.
                via_reallocation=False,
                reason=reason,
                nominated_by=actor if getattr(actor, "is_authenticated", False) else None,
                nominated_at=timezone.now(),
            )
            try:
                with transaction.atomic():
                    nomination.save()
            except IntegrityError:
                raise Conflict(
                    _("%(name)s is already nominated to this session.")
                    % {"name": participant.full_name}
                )
            _transition(nomination, "status", None, nomination.status, reason)
            created.append(nomination)
    from .. import emails

    for nomination in created:
        if nomination.status == S.WAITLISTED:
            _on_commit(lambda pk=nomination.pk: emails.nomination_waitlisted(pk))
    notifications.notify(
        Notice.NOMINATION_WAITLISTED, [n for n in created if n.status == S.WAITLISTED]
    )
    if any(n.status == S.NOMINATED for n in created):
        notifications.notify(Notice.NOMINATIONS_WAITING, locked)
    return created


def _decide_check(actor, nomination: Nomination) -> None:
    check_change(actor, nomination)
    _require_staff(actor)


def accept(actor, nomination: Nomination, *, reason: str = "") -> Nomination:
    """Centre staff accept a nominee. A waiting nominee is accepted only when a
    seat is free for their country."""
    _decide_check(actor, nomination)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        before = nomination.status
        if before == S.ACCEPTED:
            return nomination
        if before not in (S.NOMINATED, S.WAITLISTED):
            raise Conflict(
                _("A %(status)s nomination cannot be accepted.")
                % {"status": nomination.get_status_display().lower()}
            )
        if before == S.WAITLISTED:
            ledger = SeatLedger.of(locked)
            if not ledger.may_take(locked, nomination.country_id):
                raise Conflict(_no_seat_message(locked, local(nomination.country)))
            ledger.take(locked, nomination.country_id)
            nomination.has_seat = True
            nomination.via_reallocation = locked.quotas_released_at is not None
        nomination.status = S.ACCEPTED
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason
        nomination.save()
        _transition(nomination, "status", before, S.ACCEPTED, reason)
    from .. import emails

    _on_commit(lambda: emails.nomination_accepted(nomination.pk))
    notifications.notify(Notice.NOMINATION_ACCEPTED, nomination, params={"detail": reason.strip()})
    return nomination


def reallocation_phase(session: Session) -> str:
    """Where ``session``'s waiting list stands (the one home of the rule; the
    daily reallocation, :func:`reallocate`, processes only sessions open or
    closed for nominations whose quotas still bind; once released, a freed seat
    goes to the next waiting nominee at once, see :func:`_fill_free_seats`,
    while the session is not yet running):

    - ``"started"``: the session has started: no seat is reallocated any more;
    - ``"released"``: the quotas are released: a freed seat goes at once;
    - ``"due"``: the release date has come: the next daily run releases them;
    - ``"scheduled"``: the quotas are released on the reallocation date."""
    if session.state not in (Session.State.OPEN, Session.State.CLOSED, Session.State.PLANNED):
        return "started"
    if session.quotas_released_at is not None:
        return "released"
    if session.reallocation_date <= today():
        return "due"
    return "scheduled"


def _no_seat_message(session: Session, country: str) -> str:
    """Why a waiting nominee cannot be accepted now, and what will really happen
    to the waiting list (:func:`reallocation_phase`)."""
    values = {"country": country, "date": session.reallocation_date.isoformat()}
    phase = reallocation_phase(session)
    if phase == "started":
        return (
            _(
                "No seat is free for %(country)s: the session is full. Seats of a session "
                "that has started are not reallocated; a waiting nominee can be accepted only "
                "after a seat is freed (a withdrawal or a rejection) or the capacity is raised."
            )
            % values
        )
    if phase == "released":
        return _(
            "No seat is free: the session is full (the quotas were released on %(date)s). "
            "When a seat is freed, it goes at once to the next waiting nominee in the fair "
            "order of the reallocation."
        ) % {"date": timezone.localtime(session.quotas_released_at).date().isoformat()}
    if phase == "due":
        return (
            _(
                "No seat is free for %(country)s: the quota is used up or the session is full. "
                "The unused quota seats are due for release since %(date)s and go to the waiting "
                "list at the next daily reallocation."
            )
            % values
        )
    return (
        _(
            "No seat is free for %(country)s: the quota is used up or the session is full. "
            "Unused quota seats are released to the waiting list on %(date)s."
        )
        % values
    )


def waiting_list_outlook(session: Session) -> str:
    """What will happen to a waiting nominee of ``session``, in their words (the
    waiting-list e-mail; :func:`reallocation_phase`)."""
    phase = reallocation_phase(session)
    if phase == "released":
        return _(
            "The unused quota seats were released on %(date)s: when a seat is freed, it "
            "goes at once to the next waiting nominee, and you will hear from us."
        ) % {"date": formats.date_format(timezone.localtime(session.quotas_released_at).date())}
    if phase == "due":
        return _(
            "The unused quota seats are released to the waiting list at the next daily "
            "reallocation; you will hear from us if a seat becomes free."
        )
    if phase == "started":
        return _(
            "The session has started: a seat goes to a waiting nominee only if one is freed; "
            "you will hear from us if it is."
        )
    return _(
        "Unused seats are reallocated on %(date)s; you will hear from us if a seat becomes free."
    ) % {"date": formats.date_format(session.reallocation_date)}


def reject(actor, nomination: Nomination, *, reason: str) -> Nomination:
    """Centre staff reject a nominee, with a reason. A held seat is freed."""
    _decide_check(actor, nomination)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        before = nomination.status
        if before not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be rejected.")
                % {"status": nomination.get_status_display().lower()}
            )
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        ledger = SeatLedger.of(locked)
        if nomination.has_seat:
            ledger.vacate(locked, nomination.country_id)
        nomination.status = S.REJECTED
        nomination.has_seat = False
        nomination.decided_by = actor
        nomination.decided_at = timezone.now()
        nomination.decision_reason = reason.strip()
        nomination.save()
        _transition(nomination, "status", before, S.REJECTED, reason)
        _fill_free_seats(locked, ledger=ledger)
    from .. import emails

    _on_commit(lambda: emails.nomination_rejected(nomination.pk))
    notifications.notify(Notice.NOMINATION_REJECTED, nomination, params={"detail": reason.strip()})
    return nomination


def withdraw(actor, nomination: Nomination, *, reason: str = "") -> Nomination:
    """The nominee, their coordinator or staff withdraw a nomination; a held seat
    goes to the next waiting nominee (see the module's documentation)."""
    check_change(actor, nomination)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        before = nomination.status
        if before not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be withdrawn.")
                % {"status": nomination.get_status_display().lower()}
            )
        if locked.state in (Session.State.COMPLETED, Session.State.CANCELLED):
            raise Conflict(_("The session is %(state)s.") % {"state": locked.get_state_display()})
        ledger = SeatLedger.of(locked)
        if nomination.has_seat:
            ledger.vacate(locked, nomination.country_id)
        nomination.status = S.WITHDRAWN
        nomination.has_seat = False
        nomination.withdrawn_by = actor
        nomination.withdrawn_at = timezone.now()
        nomination.withdrawal_reason = reason
        nomination.save()
        _transition(nomination, "status", before, S.WITHDRAWN, reason)
        _fill_free_seats(locked, ledger=ledger)
    return nomination


def check_substitute(actor, nomination: Nomination) -> None:
    """May ``actor`` replace this nominee? (404 if the nomination is not visible,
    PermissionDenied otherwise.) Pages ask before reading the form."""
    check_change(actor, nomination)
    if not nominates(actor):
        raise PermissionDenied(_("Only national coordinators and Centre staff substitute."))


def substitute(
    actor, nomination: Nomination, participant: Participant, *, reason: str = ""
) -> Nomination:
    """Replace a nominee by another person of the same country, who keeps the
    seat (and the status and priority) of the one replaced."""
    check_substitute(actor, nomination)
    if participant.country_id != nomination.country_id:
        raise ValidationError(
            {"participant": _("The substitute must be of the same country as the nominee.")}
        )
    _visible_or_404(actor, participant)
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(nomination.session)
        old = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if old.status not in Nomination.ACTIVE:
            raise Conflict(
                _("A %(status)s nomination cannot be substituted.")
                % {"status": old.get_status_display().lower()}
            )
        if locked.state not in (Session.State.OPEN, Session.State.CLOSED):
            raise Conflict(_("Substitutions end when the session starts."))
        if locked.nominations.filter(
            participant=participant, status__in=Nomination.ACTIVE
        ).exists():
            raise ValidationError(
                {
                    "participant": _("%(name)s is already nominated to this session.")
                    % {"name": participant.full_name}
                }
            )
        before = old.status
        if old.has_seat:  # the seat passes to the substitute: the count stays
            SeatLedger.of(locked).hand_over(locked, old.country_id, participant.country_id)
        kept = {
            "status": old.status,
            "has_seat": old.has_seat,
            "priority": old.priority,
            "via_reallocation": old.via_reallocation,
            "promoted_at": old.promoted_at,
            "decided_by_id": old.decided_by_id,
            "decided_at": old.decided_at,
            "decision_reason": old.decision_reason,
        }
        old.status = S.SUBSTITUTED
        old.has_seat = False
        old.withdrawn_by = actor
        old.withdrawn_at = timezone.now()
        old.withdrawal_reason = reason
        old.save()
        _transition(old, "status", before, S.SUBSTITUTED, reason)
        new = Nomination(
            session=locked,
            participant=participant,
            country_id=old.country_id,
            substitute_for=old,
            reason=reason,
            nominated_by=actor,
            nominated_at=timezone.now(),
            **kept,
        )
        new.save()
        _transition(new, "status", None, new.status, reason)
    return new


# -- decisions on many nominations at once ----------------------------------------------------

DECISIONS = ("accept", "reject")


def decide_many(
    actor, session: Session, nomination_ids, decision: str, reason: str = ""
) -> list[Nomination]:
    """Accept or reject the nominations ``nomination_ids`` of ``session`` in one
    go: all or nothing. Each is checked with the predicate the page asks
    (:func:`~..permissions.can_accept`, :func:`~..permissions.can_reject`); the
    seat ledger of the locked session is built once; one transaction; every
    decision audited as a transition with ``reason``. If one fails, nothing
    changes and the error names the row(s). Returns the decided nominations."""
    _visible_or_404(actor, session)
    if not can_decide(actor):
        raise PermissionDenied(_("Only Centre staff accept or reject nominations."))
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose accept or reject.")})
    ids = []
    for value in nomination_ids or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"nominations": _("Give the nominations by their ids.")})
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError({"nominations": _("Select at least one nomination.")})
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    decided = []
    with audit.acting(actor, reason=reason), transaction.atomic():
        locked = _lock(session)
        rows = {
            n.pk: n
            for n in Nomination.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .filter(session=locked, pk__in=ids)
            .select_related("participant", "country")
        }
        missing = [pk for pk in ids if pk not in rows]
        if missing:
            raise ValidationError(
                {
                    "nominations": _("Not nominations of this session: %(ids)s.")
                    % {"ids": ", ".join(str(pk) for pk in missing)}
                }
            )
        allowed = can_accept if decision == "accept" else can_reject
        ledger = SeatLedger.of(locked)
        refused: list[str] = []
        for pk in ids:
            nomination = rows[pk]
            if not allowed(actor, nomination, locked):
                refused.append(
                    _("%(name)s (%(status)s)")
                    % {
                        "name": nomination.participant.full_name,
                        "status": nomination.get_status_display().lower(),
                    }
                )
                continue
            if decision == "accept" and nomination.status == S.WAITLISTED:
                if not ledger.may_take(locked, nomination.country_id):
                    refused.append(
                        _("%(name)s (no seat free for %(country)s)")
                        % {
                            "name": nomination.participant.full_name,
                            "country": nomination.country.name,
                        }
                    )
                    continue
                ledger.take(locked, nomination.country_id)
            elif decision == "reject" and nomination.has_seat:
                ledger.vacate(locked, nomination.country_id)
        if refused:
            message = (
                _("Nothing was accepted; these cannot be accepted: %(rows)s.")
                if decision == "accept"
                else _("Nothing was rejected; these cannot be rejected: %(rows)s.")
            ) % {"rows": "; ".join(refused)}
            raise Conflict(message, errors=[{"field": "nominations", "message": message}])
        now = timezone.now()
        for pk in ids:
            nomination = rows[pk]
            before = nomination.status
            if decision == "accept":
                if before == S.WAITLISTED:
                    nomination.has_seat = True
                    nomination.via_reallocation = locked.quotas_released_at is not None
                nomination.status = S.ACCEPTED
            else:
                nomination.status = S.REJECTED
                nomination.has_seat = False
            nomination.decided_by = actor if getattr(actor, "is_authenticated", False) else None
            nomination.decided_at = now
            nomination.decision_reason = reason
            nomination.save()
            _transition(nomination, "status", before, nomination.status, reason)
            decided.append(nomination)
        if decision == "reject":
            _fill_free_seats(locked, ledger=ledger)
    from .. import emails

    send = emails.nomination_accepted if decision == "accept" else emails.nomination_rejected
    for nomination in decided:
        _on_commit(lambda pk=nomination.pk: send(pk))
    kind = Notice.NOMINATION_ACCEPTED if decision == "accept" else Notice.NOMINATION_REJECTED
    notifications.notify(kind, decided, params={"detail": reason})
    session.refresh_from_db()
    return decided
