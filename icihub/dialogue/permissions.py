"""Who may act in the dialogue register: the named predicates that services and
views ask (built on ``core/access.py``; the rows a user may see or change are
the models' ``EventPolicy``)."""

from __future__ import annotations

from icihub.core.access import Role, role_of


def writes_centre_events_only(user) -> bool:
    """Centre staff record only the events held at the Regional Centre (and
    cannot move one away); NATO staff and the system record any event."""
    return role_of(user) == Role.CENTRE_STAFF
