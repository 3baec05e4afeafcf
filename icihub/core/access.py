"""The access model: the one place that answers "which rows may this user see,
and which may they change" for every model.

Every model declares a :class:`Policy` as ``access_policy`` and uses
:class:`AccessQuerySet` (through :class:`~icihub.core.models.AccessManager`).
Views, the API, exports and reports read through ``Model.objects.visible_to(user)``;
services check ``editable_by`` / ``can_create`` before writing. A row that a user
may not see is reported as not found (404), never as forbidden.

:data:`SYSTEM` is the one actor that is no user: scheduled jobs and commands run
without ``--as`` act as it. It sees every row and may do everything; its writes
are audited as the system (no user, the channel's label). The named predicates
built on this module ("who may act") live in ``core/permissions.py`` and in each
app's ``permissions.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .sqlplan import joins_as_written


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    NATO_STAFF = "nato_staff", _("NATO partnership staff")
    CENTRE_STAFF = "centre_staff", _("Centre staff")
    COORDINATOR = "coordinator", _("National coordinator")
    INSTRUCTOR = "instructor", _("Instructor or expert")
    PARTICIPANT = "participant", _("Participant")


STAFF_ROLES = frozenset({Role.ADMIN, Role.NATO_STAFF, Role.CENTRE_STAFF})
NATO_ROLES = frozenset({Role.ADMIN, Role.NATO_STAFF})
ALL_ROLES = frozenset(Role)


class Marking(models.TextChoices):
    """Releasability markings, from the least to the most restrictive."""

    PUBLIC = "public", _("Public")
    REL_ICI = "rel_ici", _("NATO UNCLASSIFIED – Releasable to ICI")
    REL_PARTNER = "rel_partner", _("NATO UNCLASSIFIED – Releasable to the partner concerned")
    NATO = "nato", _("NATO UNCLASSIFIED")


MARKING_ORDER = [Marking.PUBLIC, Marking.REL_ICI, Marking.REL_PARTNER, Marking.NATO]


def most_restrictive(markings: Iterable[str]) -> Marking:
    """The marking an export carries: the most restrictive of its contents."""
    rank = {m.value: i for i, m in enumerate(MARKING_ORDER)}
    worst = Marking.PUBLIC
    for marking in markings:
        if marking and rank.get(str(marking), 0) > rank[worst.value]:
            worst = Marking(str(marking))
    return worst


class SystemActor:
    """The system acting without a user (scheduled jobs, the command line without
    ``--as``). Not a user: it has no role, no account and no country, and is not
    signed in (``audit.acting`` then leaves the entry's user empty and keeps the
    channel's label, e.g. ``job:...`` or ``cli:...``). ``visible_to`` /
    ``get_visible`` give it every row and the ``check_*`` functions let it do
    everything."""

    is_authenticated = False
    is_anonymous = False
    is_active = True
    pk = None
    id = None
    role = None
    country = None
    country_id = None

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    """Whether ``actor`` is :data:`SYSTEM` (never a user, never ``None``)."""
    return actor is SYSTEM


def role_of(user) -> Role | None:
    """The user's role, or None for an anonymous visitor or an inactive account."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    role = getattr(user, "role", None)
    return Role(role) if role else None


def is_staff(user) -> bool:
    """Staff (administrators, NATO and Centre staff), or :data:`SYSTEM`, which may
    do whatever staff may."""
    return is_system(user) or role_of(user) in STAFF_ROLES


def has_role(user, *roles: Role) -> bool:
    return role_of(user) in roles


def user_country_id(user) -> int | None:
    """The country a coordinator is bound to (None for everybody else)."""
    if role_of(user) == Role.COORDINATOR:
        return user.country_id
    return None


def markings_visible_to(user) -> list[str]:
    """Markings a user may see regardless of which country a row belongs to."""
    role = role_of(user)
    if role is None:
        return [Marking.PUBLIC]
    if role in NATO_ROLES:
        return [m.value for m in Marking]
    if role == Role.CENTRE_STAFF:
        return [Marking.PUBLIC, Marking.REL_ICI, Marking.REL_PARTNER]
    return [Marking.PUBLIC, Marking.REL_ICI]


def marking_q(user, marking_field: str = "marking", country_field: str | None = None) -> Q:
    """Rows whose releasability marking lets ``user`` see them. A row marked
    "releasable to the partner concerned" is visible to that partner's coordinator."""
    q = Q(**{f"{marking_field}__in": markings_visible_to(user)})
    country_id = user_country_id(user)
    if country_field and country_id:
        q |= Q(**{marking_field: Marking.REL_PARTNER, country_field: country_id})
    return q


NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)


def _rows(q: Q) -> Q:
    """An empty Q means "every row" here (Django drops empty Qs when combining)."""
    return q if q else EVERYTHING


@dataclass
class Policy:
    """Who may see and change the rows of one model.

    Reading, for a user with role R:
      * ``read_all`` roles see every row (subject to markings when ``marking`` is set);
      * everyone, signed in or not, sees rows matching ``public`` (a callable
        returning a Q, e.g. ``lambda: Q(is_public=True)``);
      * signed-in users see rows matching ``signed_in``;
      * a coordinator sees rows whose ``country`` lookup is their country;
      * ``own[R]`` is a lookup from the row to a user: the row is theirs;
      * ``extra_q(user)`` may add a Q for special cases declared with the model.

    Changing: ``write_all`` roles change every row they can see; a coordinator
    changes their country's rows when ``coordinator_writes``; ``write_own[R]`` as
    ``own``. Business rules about *state* (a submitted programme is frozen) live
    in the services; this decides only *whose* rows.
    """

    read_all: frozenset = STAFF_ROLES
    public: Callable[[], Q] | None = None
    signed_in: Callable[[], Q] | None = None
    country: str | None = None
    marking: str | None = None
    own: dict[Role, str] = field(default_factory=dict)
    extra_q: Callable[[object], Q | None] | None = None
    write_all: frozenset = frozenset({Role.ADMIN})
    coordinator_writes: bool = False
    write_own: dict[Role, str] = field(default_factory=dict)
    create_roles: frozenset | None = (
        None  # defaults to write_all (+ coordinator if coordinator_writes)
    )

    # -- reading ---------------------------------------------------------
    def visible_q(self, user) -> Q | None:
        """A Q selecting visible rows, or None when the user sees everything."""
        if is_system(user):
            return None
        role = role_of(user)
        if role in self.read_all:
            if self.marking and role not in NATO_ROLES:
                return marking_q(user, self.marking, self.country)
            return None
        q = NOTHING
        if self.public:
            public = _rows(self.public())
            if self.marking:
                public &= marking_q(user, self.marking, self.country)
            q |= public
        if role is None:
            return q
        if self.signed_in:
            signed_in = _rows(self.signed_in())
            if self.marking:
                signed_in &= marking_q(user, self.marking, self.country)
            q |= signed_in
        if role == Role.COORDINATOR and self.country and user.country_id:
            country_q = Q(**{self.country: user.country_id})
            if self.marking:
                country_q &= marking_q(user, self.marking, self.country)
            q |= country_q
        lookup = self.own.get(role)
        if lookup:
            q |= Q(**{lookup: user.pk})
        if self.extra_q:
            extra = self.extra_q(user)
            if extra is not None:
                q |= extra
        return q

    def visible(self, qs: models.QuerySet, user) -> models.QuerySet:
        if isinstance(user, Scope):
            return user.visible(qs)
        q = self.visible_q(user)
        if q is None:
            return qs
        return _filter_distinct(qs, q)

    # -- changing ----------------------------------------------------------
    def editable_q(self, user) -> Q | None:
        if is_system(user):
            return None
        role = role_of(user)
        if role is None:
            return NOTHING
        if role in self.write_all:
            return None
        q = NOTHING
        if role == Role.COORDINATOR and self.coordinator_writes and self.country:
            q |= Q(**{self.country: user.country_id})
        lookup = self.write_own.get(role)
        if lookup:
            q |= Q(**{lookup: user.pk})
        return q

    def editable(self, qs: models.QuerySet, user) -> models.QuerySet:
        visible = self.visible(qs, user)
        q = self.editable_q(user)
        if q is None:
            return visible
        return _filter_distinct(visible, q)

    def can_create(self, user, country_id: int | None = None) -> bool:
        if is_system(user):
            return True
        role = role_of(user)
        if role is None:
            return False
        roles = self.create_roles
        if roles is None:
            roles = self.write_all
            if self.coordinator_writes:
                roles = roles | {Role.COORDINATOR}
        if role not in roles:
            return False
        if role == Role.COORDINATOR and self.country:
            return country_id is not None and country_id == user.country_id
        return True


def _filter_distinct(qs: models.QuerySet, q: Q) -> models.QuerySet:
    """Filter by ``q`` without duplicating rows when ``q`` crosses a to-many join."""
    if _crosses_many(qs.model, q):
        return qs.filter(pk__in=qs.model._base_manager.filter(q).values("pk"))
    return qs.filter(q)


def _crosses_many(model, q: Q) -> bool:
    for child in q.children:
        if isinstance(child, Q):
            if _crosses_many(model, child):
                return True
            continue
        lookup = child[0]
        current = model
        for part in lookup.split("__"):
            try:
                f = current._meta.get_field(part)
            except Exception:
                break
            if f.many_to_many or f.one_to_many:
                return True
            if not f.is_relation:
                break
            current = f.related_model
    return False


# -- a user's reading rights as data -------------------------------------------


class Scope:
    """What one user may read of some models, as data: each model's
    :meth:`Policy.visible_q` for that user, taken once. ``visible(qs)`` (and
    ``Model.objects.visible_to(scope)``) filters exactly as for the user.

    For a read compiled to SQL once and run again with another key
    (:class:`~icihub.core.precompiled.PrecompiledRecord`): its SQL is a function
    of the code that builds it and of these predicates only, so :attr:`key`
    (the predicates' lookups and values, type by type) names it. A scope is not
    a user: asking it for anything a user has (a role, a country) raises, so a
    read that looks at the user other than through ``visible`` fails loudly
    instead of being kept under a key that does not name what it read. A
    model not given to the scope raises too.

    :attr:`key` is None when a predicate holds something other than plain
    values (a model instance, a subquery): such a read is never kept."""

    def __init__(self, user, *models_: type[models.Model]):
        self._q = {model: policy_for(model).visible_q(user) for model in models_}
        try:
            self.key = tuple((model._meta.label, _q_key(q)) for model, q in self._q.items())
        except _NotPlain:
            self.key = None

    def visible(self, qs: models.QuerySet) -> models.QuerySet:
        try:
            q = self._q[qs.model]
        except KeyError:
            raise LookupError(f"this scope was not given {qs.model.__name__}") from None
        return qs if q is None else _filter_distinct(qs, q)

    def __getattr__(self, name):
        # (only for names a Scope does not have: a user's attributes)
        raise TypeError(f"a Scope is not a user: it has no {name!r}")


class _NotPlain(Exception):
    pass


_PLAIN = (str, int, float, bool, type(None), dt.date, decimal.Decimal)


def _q_key(q: Q | None):
    if q is None:
        return None  # every row
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_q_key(child))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            children.append((child[0], _plain(child[1])))
        else:  # an expression as a condition (Exists(...))
            raise _NotPlain(type(child).__qualname__)
    return (q.connector, q.negated, tuple(children))


def _plain(value):
    # The type is part of the key: True and 1 are equal in Python, not in SQL.
    if isinstance(value, _PLAIN):
        return (type(value).__qualname__, value)
    if isinstance(value, list | tuple):
        return ("seq", tuple(_plain(v) for v in value))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((_plain(v) for v in value), key=repr)))
    raise _NotPlain(type(value).__qualname__)


# -- helpers used by views, API and services ---------------------------------


def policy_for(model) -> Policy:
    policy = getattr(model, "access_policy", None)
    if policy is None:
        raise LookupError(f"{model.__name__} declares no access_policy")
    return policy


def visible(model_or_qs, user) -> models.QuerySet:
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return policy_for(qs.model).visible(qs, user)


def get_visible(model_or_qs, user, **lookup):
    """The row if ``user`` may see it, else :class:`Http404` (never 403). Read
    by its key, its joins are planned as written (:mod:`~icihub.core.sqlplan`)."""
    qs = visible(model_or_qs, user)
    by_key = bool(lookup) and lookup.keys() <= {"pk", "id"}  # (none: the queryset chose)
    try:
        with joins_as_written(qs.db) if by_key else contextlib.nullcontext():
            return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found."))
    except qs.model.MultipleObjectsReturned:
        raise Http404(_("Not found."))


def can_see(user, obj) -> bool:
    model = type(obj)
    return visible(model._base_manager.filter(pk=obj.pk), user).exists()


def can_change(user, obj) -> bool:
    model = type(obj)
    return policy_for(model).editable(model._base_manager.filter(pk=obj.pk), user).exists()


def check_change(user, obj) -> None:
    """Raise 404 when the user may not see ``obj``, 403 when they may see but not change it."""
    if not can_see(user, obj):
        raise Http404(_("Not found."))
    if not can_change(user, obj):
        raise PermissionDenied(_("You may not change this record."))


def check_create(user, model, country_id: int | None = None) -> None:
    if not policy_for(model).can_create(user, country_id=country_id):
        raise PermissionDenied(_("You may not create this kind of record."))


def require_role(user, *roles: Role) -> None:
    """PermissionDenied unless ``user`` has one of ``roles`` (:data:`SYSTEM` passes)."""
    if not is_system(user) and role_of(user) not in roles:
        raise PermissionDenied(_("Your role does not allow this."))
