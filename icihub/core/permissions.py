"""Who may act: the generic predicates every app builds on.

``core/access.py`` answers *which rows* a user may see and change (the
``Policy`` of each model). The predicates here answer *who may act* in the
rules that are not about one row: "staff or a national coordinator", "a
coordinator acts only for their own country", "may this user create some row
of this model". Each app's ``permissions.py`` names its domain rules
(``training.permissions.can_nominate``, ...) on top of these; views, templates,
the API, imports and services ask the predicates instead of testing roles.

:data:`~icihub.core.access.SYSTEM` may do everything: it acts for every country.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .access import (
    NATO_ROLES,
    STAFF_ROLES,
    SYSTEM,
    Role,
    is_staff,
    is_system,
    policy_for,
    role_of,
    user_country_id,
)
from .countries import country_model

__all__ = [
    "SYSTEM",
    "acts_for",
    "countries_for",
    "country_choices",
    "is_coordinator",
    "is_nato",
    "is_staff",
    "is_staff_or_coordinator",
    "is_system",
    "may_create",
    "outside_own_country",
    "own_country",
]


def is_coordinator(user) -> bool:
    """A national coordinator (bound to one country: ``user.country``)."""
    return role_of(user) == Role.COORDINATOR


def is_nato(user) -> bool:
    """An administrator or NATO staff (or the system)."""
    return is_system(user) or role_of(user) in NATO_ROLES


def is_staff_or_coordinator(user) -> bool:
    """Staff, a national coordinator, or the system: those who act for countries
    (nominate, import people, file requests, produce a country's report)."""
    return is_system(user) or role_of(user) in STAFF_ROLES | {Role.COORDINATOR}


def _country_id(country) -> int | None:
    return getattr(country, "pk", country)


def countries_for(user) -> frozenset[int] | None:
    """The ids of the countries ``user`` may act for: ``None`` meaning every
    country (staff and the system), a coordinator's own country, and none for
    every other role and for visitors."""
    if is_staff(user):
        return None
    country_id = user_country_id(user)
    return frozenset({country_id}) if country_id else frozenset()


def acts_for(user, country) -> bool:
    """Whether ``user`` may act for ``country`` (a country or its id): staff and
    the system for every country, a coordinator for their own only, nobody else."""
    ids = countries_for(user)
    return ids is None or _country_id(country) in ids


def outside_own_country(user, country) -> bool:
    """Whether ``user`` is a coordinator and ``country`` (a country or its id) is
    not theirs: the rule "a coordinator acts only for their own country", for the
    checks where the other roles are decided by the role check that follows
    (so that they keep its error)."""
    return is_coordinator(user) and not acts_for(user, country)


def country_choices(user, countries: QuerySet) -> QuerySet:
    """The countries a form or a filter offers ``user``: a coordinator their own
    country only (whatever ``countries`` holds), everybody else ``countries``
    (what they may do with their choice is the services' check)."""
    ids = countries_for(user)
    if not ids:  # every country (None), or a role bound to none
        return countries
    return country_model()._default_manager.filter(pk__in=ids).order_by("name")


def own_country(user):
    """The country a coordinator is bound to (a country row), else None: the
    country their forms preselect."""
    country_id = user_country_id(user)
    return user.country if country_id else None


def may_create(user, model) -> bool:
    """Whether ``user`` may create some row of ``model``: a coordinator one of
    their own country (``Policy.can_create`` with that country), the others as
    the policy says. Pages ask it to offer their "new" buttons."""
    return policy_for(model).can_create(user, country_id=user_country_id(user))
