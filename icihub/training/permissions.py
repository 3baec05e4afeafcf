"""Who may act in training: the named predicates that services, views, the API,
imports and templates ask (built on ``core/permissions.py``).

The rows a user may see or change are the models' ``Policy``; these say who
may take part in the nominating work (national coordinators for their own
country's people, Centre staff for everyone), who decides and who records.
:data:`~icihub.core.access.SYSTEM` may do everything.
"""

from __future__ import annotations

from icihub.core.access import Role, can_change, has_role, is_system
from icihub.core.permissions import (
    acts_for,
    is_staff,
    is_staff_or_coordinator,
    may_create,
)

from .models import Nomination, Participant, Session


def nominates(user) -> bool:
    """Staff and national coordinators (and the system) nominate, withdraw and
    substitute nominees, record and import people; a coordinator for their own
    country only (:func:`can_nominate_person`)."""
    return is_staff_or_coordinator(user)


def can_nominate(user, session: Session) -> bool:
    """Whether ``user`` may nominate people to ``session`` now (the page offers it)."""
    return nominates(user) and session.accepts_nominations()


def can_nominate_person(user, participant: Participant) -> bool:
    """Whether ``user`` may nominate (or record, or import) ``participant``: staff
    anyone, a coordinator their own country's people only."""
    return nominates(user) and acts_for(user, participant.country_id)


FINISHED = (Session.State.COMPLETED, Session.State.CANCELLED)


def _session_of(nomination: Nomination, session: Session | None) -> Session:
    return session if session is not None else nomination.session


def can_decide(user, nomination: Nomination | None = None, session: Session | None = None) -> bool:
    """Whether ``user`` accepts and rejects nominations (staff), and when a
    nomination is given, whether it is still open to a decision (active, in a
    session neither completed nor cancelled). ``session`` spares a query when the
    caller has it."""
    if not is_staff(user):
        return False
    if nomination is None:
        return True
    return nomination.is_active and _session_of(nomination, session).state not in FINISHED


def can_accept(user, nomination: Nomination, session: Session | None = None) -> bool:
    """Whether ``user`` may accept this nomination now: staff, a nominee not yet
    accepted (nominated or waiting), a session still open to decisions."""
    return can_decide(user, nomination, session) and nomination.status != Nomination.Status.ACCEPTED


def can_reject(user, nomination: Nomination, session: Session | None = None) -> bool:
    """Whether ``user`` may reject this nomination: staff only (never a
    coordinator), while it is active and the session not finished."""
    return can_decide(user, nomination, session)


def _may_change(user, nomination: Nomination, may_change: bool | None) -> bool:
    return can_change(user, nomination) if may_change is None else may_change


def can_withdraw(
    user, nomination: Nomination, session: Session | None = None, may_change: bool | None = None
) -> bool:
    """Whether ``user`` may withdraw this nomination: those who may change it
    (the nominee, their coordinator, staff), while it is active and the session
    neither completed nor cancelled. ``may_change`` is the row's
    ``editable_by(user)`` answer when the caller read it for many rows at once."""
    return (
        nomination.is_active
        and _session_of(nomination, session).state not in FINISHED
        and _may_change(user, nomination, may_change)
    )


def can_substitute(
    user, nomination: Nomination, session: Session | None = None, may_change: bool | None = None
) -> bool:
    """Whether ``user`` may replace this nominee: staff and the country's
    coordinator, while the nomination is active and the session has not started."""
    return (
        nominates(user)
        and nomination.is_active
        and _session_of(nomination, session).state in (Session.State.OPEN, Session.State.CLOSED)
        and _may_change(user, nomination, may_change)
    )


def can_override_dates(user) -> bool:
    """Whether ``user`` may run a session before its start date or complete it
    before its end date (with a recorded reason): Centre staff and
    administrators (and the system)."""
    return is_system(user) or has_role(user, Role.CENTRE_STAFF, Role.ADMIN)


def can_manage_session(user, session: Session, may_change: bool | None = None) -> bool:
    """Whether ``user`` may change ``session`` (edit, quotas, assignments): staff
    who may change the row, while it is neither completed nor cancelled
    (``may_change``: the row's ``can_change`` answer when the caller has it)."""
    if not is_staff(user) or session.state in FINISHED:
        return False
    return can_change(user, session) if may_change is None else may_change


def can_record_people(user) -> bool:
    """Whether ``user`` may record participants (the "new" button): staff, and a
    coordinator for their own country."""
    return may_create(user, Participant)


def can_import_people(user) -> bool:
    """Whether ``user`` may import people and nominations from a spreadsheet:
    staff, and a coordinator (each row of their own country only)."""
    return nominates(user)


def can_link_account(user) -> bool:
    """Whether ``user`` may link a participant to a user account: staff only."""
    return is_staff(user)


def keeps_centre_queues(user) -> bool:
    """Whether ``user``'s home page shows the Centre's work queues (nominations
    to decide, sessions with open issues, certificates to issue): Centre staff
    and administrators."""
    return has_role(user, Role.CENTRE_STAFF, Role.ADMIN)
