"""Who may act in training: the named predicates that services, views, the API,
imports and templates ask (built on ``core/permissions.py``).

The rows a user may see or change are the models' ``Policy``; these say who
may take part in the nominating work (national coordinators for their own
country's people, Centre staff for everyone), who decides and who records.
:data:`~icihub.core.access.SYSTEM` may do everything.
"""

from __future__ import annotations

from icihub.core.access import Role, has_role
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


def can_decide(user, nomination: Nomination | None = None) -> bool:
    """Whether ``user`` accepts and rejects nominations (staff), and when a
    nomination is given, whether it is still open to a decision."""
    if not is_staff(user):
        return False
    return nomination is None or nomination.is_active


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
