"""Writes of the shared kernel, and the generic create/update/delete that
every app's services build on: access check, validation, one transaction,
and the audit entry (written by the audit signals under ``acting``)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .access import (
    NATO_ROLES,
    STAFF_ROLES,
    SYSTEM,
    Role,
    check_change,
    check_create,
    is_system,
    role_of,
)
from .errors import Conflict
from .models import ApiToken, User, hash_token
from .permissions import outside_own_country
from .text import check_text

# -- generic writes ----------------------------------------------------------------


def _apply(instance: models.Model, data: dict) -> dict:
    """Set plain and foreign-key fields; return the many-to-many values."""
    m2m = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(
                instance,
                field.attname
                if field.is_relation and not isinstance(value, models.Model)
                else name,
                value,
            )
    return m2m


def _save(instance: models.Model, m2m: dict, *, validate_unique: bool = True) -> None:
    instance.full_clean(validate_unique=validate_unique)
    try:
        with transaction.atomic():
            instance.save()
            for name, values in m2m.items():
                getattr(instance, name).set(values)
    except IntegrityError:
        # The database's own wording names tables and constraints: not for users.
        raise Conflict(
            _("This conflicts with existing data (a duplicate, or a record still in use).")
        )


def create(
    model: type[models.Model], actor, data: dict, *, country_id: int | None = None, reason: str = ""
):
    """Create a row of ``model`` for ``actor`` after the access check."""
    if country_id is None:
        country_id = _country_of(model, data)
    check_create(actor, model, country_id=country_id)
    instance = model()
    with audit.acting(actor, reason=reason), transaction.atomic():
        m2m = _apply(instance, data)
        _save(instance, m2m)
    return instance


def update(instance: models.Model, actor, data: dict, *, reason: str = ""):
    """Change ``instance`` (404 if not visible, 403 if not changeable)."""
    check_change(actor, instance)
    with audit.acting(actor, reason=reason), transaction.atomic():
        m2m = _apply(instance, data)
        policy_country = _country_of(type(instance), {}, instance)
        if policy_country is not None and outside_own_country(actor, policy_country):
            raise PermissionDenied(_("You may not move a record to another country."))
        _save(instance, m2m)
    return instance


def delete(instance: models.Model, actor, *, reason: str = "") -> None:
    check_change(actor, instance)
    with audit.acting(actor, reason=reason):
        try:
            with transaction.atomic():
                instance.delete()
        except models.ProtectedError:
            raise Conflict(
                _("This record is still referred to by other records and cannot be deleted.")
            )
        except models.RestrictedError:
            raise Conflict(
                _("This record is still referred to by other records and cannot be deleted.")
            )


def _country_of(model, data: dict, instance=None) -> int | None:
    """The owning country of a (future) row, following the policy's ``country`` lookup
    when it is a direct field (``country``) — the common case."""
    lookup = getattr(getattr(model, "access_policy", None), "country", None)
    if not lookup or "__" in lookup:
        return None
    if instance is not None:
        return getattr(instance, f"{lookup}_id", None)
    value = data.get(lookup, data.get(f"{lookup}_id"))
    return getattr(value, "pk", value)


# -- users and roles ------------------------------------------------------------------


def _check_role_grant(actor, role: str, target: User | None = None) -> None:
    if is_system(actor):
        return  # the system: the CLI (`icihub user ...`) and set-up
    actor_role = role_of(actor)
    if actor_role not in STAFF_ROLES:
        raise PermissionDenied(_("Only staff manage users."))
    if actor_role != Role.ADMIN:
        if role == Role.ADMIN or (target is not None and target.role == Role.ADMIN):
            raise PermissionDenied(_("Only an administrator manages administrators."))
        if actor_role == Role.CENTRE_STAFF and role in NATO_ROLES:
            raise PermissionDenied(_("Centre staff cannot grant NATO roles."))


def check_manage(actor, target: User) -> None:
    """``actor`` may manage ``target``'s account (sessions, second factor):
    staff, within the limits of granting roles (Centre staff cannot manage NATO
    roles, only administrators manage administrators)."""
    _check_role_grant(actor, target.role, target=target)


def _validate_role_country(role: str, country) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if role == Role.COORDINATOR and country is None:
        raise ValidationError({"country": _("A national coordinator must be bound to a country.")})


def create_user(
    actor,
    *,
    username: str,
    role: str,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    country=None,
    validate: bool = True,
) -> User:
    """Create an account. ``actor`` SYSTEM is the system (CLI, set-up)."""
    _check_role_grant(actor, role)
    _validate_role_country(role, country)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name “%(name)s” is taken.") % {"name": username}}
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        country=country if role == Role.COORDINATOR or country is not None else None,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages})
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with audit.acting(actor), transaction.atomic():
        user.save()
        audit.record(
            audit.Action.PERMISSION,
            user,
            {
                "role": {"before": None, "after": role},
                "country_id": {"before": None, "after": user.country_id},
            },
        )
    return user


def change_role(actor, user: User, *, role: str, country=None, reason: str = "") -> User:
    _check_role_grant(actor, role, target=user)
    _validate_role_country(role, country)
    before = {"role": user.role, "country_id": user.country_id}
    new_country = country if role == Role.COORDINATOR or country is not None else None
    after = {"role": role, "country_id": new_country.pk if new_country is not None else None}
    if after == before:
        return user  # nothing changes: no audit entry claiming it did
    saved = (user.role, user.country, user.is_staff, user.is_superuser)
    user.role = role
    user.country = new_country
    user.is_staff = user.is_superuser = role == Role.ADMIN
    try:
        user.full_clean(exclude=["password"])
    except ValidationError:
        # leave the caller's object as it was (a form re-displays it)
        user.role, user.country, user.is_staff, user.is_superuser = saved
        raise
    with audit.acting(actor, reason=reason), transaction.atomic():
        user.save()
        audit.record(
            audit.Action.PERMISSION,
            user,
            audit.diff(before, {"role": user.role, "country_id": user.country_id}),
        )
    return user


def set_active(actor, user: User, active: bool, reason: str = "") -> User:
    _check_role_grant(actor, user.role, target=user)
    if not is_system(actor) and actor.pk == user.pk and not active:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    if user.is_active == active:
        return user  # nothing changes: no audit entry claiming it did
    with audit.acting(actor, reason=reason):
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            audit.Action.PERMISSION, user, {"is_active": {"before": not active, "after": active}}
        )
    return user


def set_password(actor, user: User, password: str) -> None:
    if not is_system(actor) and actor.pk != user.pk:
        _check_role_grant(actor, user.role, target=user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    with audit.acting(actor):
        user.set_password(password)
        user.save(update_fields=["password"])


# -- API tokens --------------------------------------------------------------------


def create_token(
    actor, user: User, *, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``; returns the row and the raw token, which
    is shown once and never stored."""
    if not is_system(actor) and actor.pk != user.pk and role_of(actor) != Role.ADMIN:
        raise PermissionDenied(_("You may create tokens for yourself only."))
    if not user.is_active:
        raise ValidationError({"user": _("The account is inactive.")})
    if len(name) > 100:  # refused, not cut: the caller sees what is stored
        raise ValidationError({"name": _("A token's name has at most 100 characters.")})
    check_text(name, field="name", multiline=False)
    days = settings.ICIHUB_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 366:
        raise ValidationError({"days": _("A token lives between 1 and 366 days.")})
    raw = "ici_" + secrets.token_urlsafe(32)
    now = timezone.now()
    with audit.acting(actor):
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:12],
            key_hash=hash_token(raw),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
    return token, raw


def revoke_token(actor, token: ApiToken) -> ApiToken:
    if not is_system(actor):
        check_change(actor, token)
    if token.revoked_at is None:
        with audit.acting(actor):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
    return token


def revoke_tokens(user: User, actor=SYSTEM) -> int:
    tokens: Iterable[ApiToken] = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    count = 0
    for token in tokens:
        revoke_token(actor, token)
        count += 1
    return count
