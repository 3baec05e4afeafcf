"""Who may act on programmes and partners' requests: the named predicates that
views, forms, the API and services ask (built on ``core/permissions.py``).

Whose rows are the models' ``Policy`` (a coordinator changes only their own
country's rows); the state rules (a submitted programme is frozen) stay in the
services.
"""

from __future__ import annotations

from icihub.core.permissions import is_coordinator, is_nato, may_create

from .models import PartnerRequest, Programme

__all__ = [
    "agrees_programmes",
    "can_create_programme",
    "can_file_request",
    "is_nato",
    "prepares_programmes",
]


def can_create_programme(user) -> bool:
    """Whether ``user`` may create a programme: NATO staff for any partner, a
    coordinator for their own country."""
    return may_create(user, Programme)


def can_file_request(user) -> bool:
    """Whether ``user`` may file a partner's request: staff, and a coordinator
    for their own country."""
    return may_create(user, PartnerRequest)


def agrees_programmes(user) -> bool:
    """Whether ``user`` answers submitted programmes (agrees or returns them):
    NATO staff and administrators."""
    return is_nato(user)


def prepares_programmes(user) -> bool:
    """Whether ``user`` prepares and submits their country's programmes: a
    national coordinator (staff may too, but it is not their work queue)."""
    return is_coordinator(user)
