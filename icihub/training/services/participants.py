"""Participants: records, duplicate checks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from icihub.core import audit
from icihub.core.access import (
    check_change,
    check_create,
)
from icihub.core.errors import Conflict
from icihub.core.permissions import outside_own_country

from ..models import (
    Participant,
)
from ..permissions import can_link_account
from ..ranks import code_for

# -- participants --------------------------------------------------------------------

PARTICIPANT_FIELDS = {
    "given_name",
    "family_name",
    "name_ar",
    "country",
    "service",
    "rank",
    "rank_code",
    "position",
    "organisation",
    "email",
    "date_of_birth",
    "user",
}


def find_duplicates(
    country_id: int,
    given_name: str,
    family_name: str,
    email: str = "",
    date_of_birth: dt.date | None = None,
    *,
    exclude_pk: int | None = None,
) -> list[Participant]:
    """The participants who are the same person as the one described.

    One person is one participant. Two records of the same country are the same
    person when
      * their e-mail addresses are equal (ignoring case), or
      * their Latin names are equal once normalised (case, accents, spaces and
        punctuation ignored: "Al-Sabah" = "al sabah") and neither the e-mail
        addresses nor the dates of birth prove them different (both given and
        unequal).
    """
    key = Participant.make_name_key(given_name, family_name)
    email = (email or "").strip().lower()
    candidates = Participant.objects.filter(country_id=country_id, name_key=key)
    if email:
        candidates = candidates | Participant.objects.filter(
            country_id=country_id, email__iexact=email
        )
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for other in candidates.select_related("country"):
        if email and other.email.lower() == email:
            found.append(other)
            continue
        if other.name_key != key:
            continue
        if email and other.email and other.email.lower() != email:
            continue
        if date_of_birth and other.date_of_birth and other.date_of_birth != date_of_birth:
            continue
        found.append(other)
    return found


def _duplicate_error(duplicates: list[Participant]) -> ValidationError:
    other = duplicates[0]
    return ValidationError(
        {
            "__all__": _(
                "This person is already recorded as participant #%(pk)d (%(name)s): one "
                "person is one participant."
            )
            % {"pk": other.pk, "name": other.full_name}
        },
        code="duplicate",
    )


def _clean_participant_data(data: dict) -> dict:
    unknown = set(data) - PARTICIPANT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    values = dict(data)
    for name in ("given_name", "family_name", "name_ar", "rank", "position", "organisation"):
        if name in values and isinstance(values[name], str):
            values[name] = " ".join(values[name].split())
    if "email" in values and values["email"]:
        values["email"] = values["email"].strip().lower()
    return values


def rank_code_of(rank: str, service: str) -> str:
    """The NATO code of a rank given without one: from the rank table
    (``training/ranks.py``); no rank is a civilian; a rank the table does not
    know is an error on ``rank``, never a silent "civilian"."""
    if not (rank or "").strip():
        return Participant.RankCode.CIVILIAN
    code = code_for(rank, service)
    if code is None:
        raise ValidationError(
            {
                "rank": _(
                    "The rank table does not know “%(rank)s”: choose its NATO rank code "
                    "(OF-1…OF-10, OR-1…OR-9, or civilian)."
                )
                % {"rank": rank}
            },
            code="unknown_rank",
        )
    return code


def _with_rank_code(values: dict, participant: Participant | None = None) -> dict:
    """``values`` with a rank code: the one given, else the rank table's."""
    given = "rank_code" in values
    if given and values["rank_code"]:
        return values
    if (
        participant is not None
        and not given
        and values.get("rank", participant.rank) == participant.rank
    ):
        return values  # an update leaving the rank as it is
    rank = values["rank"] if "rank" in values else getattr(participant, "rank", "")
    service = values.get("service") or getattr(participant, "service", "")
    values["rank_code"] = rank_code_of(rank, service)
    return values


def create_participant(actor, data: dict, *, reason: str = "") -> Participant:
    """Record a person. A coordinator records their own country's people only;
    a duplicate of an existing participant is refused (see :func:`find_duplicates`)."""
    values = _clean_participant_data(data)
    country = values.get("country")
    if country is None:
        raise ValidationError({"country": _("Give the country.")})
    if outside_own_country(actor, country):
        raise ValidationError(
            {"country": _("A national coordinator records only their own country's people.")}
        )
    check_create(actor, Participant, country_id=country.pk)
    if values.get("user") is not None and not can_link_account(actor):
        raise PermissionDenied(_("Only staff link a participant to an account."))
    _with_rank_code(values)
    participant = Participant(**values)
    participant.full_clean(validate_constraints=False)
    duplicates = find_duplicates(
        country.pk,
        participant.given_name,
        participant.family_name,
        participant.email,
        participant.date_of_birth,
    )
    if duplicates:
        raise _duplicate_error(duplicates)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            participant.save()
        except IntegrityError:
            raise Conflict(_("This person is already recorded: one person is one participant."))
    return participant


def update_participant(actor, participant: Participant, data: dict, *, reason: str = ""):
    check_change(actor, participant)
    if participant.is_anonymised:
        raise Conflict(_("This participant was anonymised: the record can no longer be changed."))
    values = _clean_participant_data(data)
    if "user" in values and values["user"] != participant.user and not can_link_account(actor):
        raise PermissionDenied(_("Only staff link a participant to an account."))
    if "country" in values and outside_own_country(actor, values["country"]):
        raise ValidationError({"country": _("You may not move a person to another country.")})
    _with_rank_code(values, participant)
    for name, value in values.items():
        setattr(participant, name, value)
    participant.full_clean(validate_constraints=False)
    duplicates = find_duplicates(
        participant.country_id,
        participant.given_name,
        participant.family_name,
        participant.email,
        participant.date_of_birth,
        exclude_pk=participant.pk,
    )
    if duplicates:
        raise _duplicate_error(duplicates)
    with audit.acting(actor, reason=reason), transaction.atomic():
        try:
            participant.save()
        except IntegrityError:
            raise Conflict(_("This person is already recorded: one person is one participant."))
    return participant
