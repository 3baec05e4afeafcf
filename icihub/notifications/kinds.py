"""The kinds of notification: who gets each, about which model, the message,
and the channel a user has until they choose another.

A message is stored as its kind and parameters and rendered when it is read,
in the reader's language (the list page in the page's language, an e-mail in
the recipient's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from icihub.core.access import Role


class Kind(models.TextChoices):
    NOMINATION_ACCEPTED = "nomination_accepted", _("A nomination accepted")
    NOMINATION_REJECTED = "nomination_rejected", _("A nomination rejected")
    NOMINATION_WAITLISTED = "nomination_waitlisted", _("A nomination put on the waiting list")
    NOMINATION_PROMOTED = "nomination_promoted", _("A nomination promoted from the waiting list")
    PROGRAMME_RETURNED = "programme_returned", _("A programme returned to draft")
    PROGRAMME_AGREED = "programme_agreed", _("A programme agreed")
    REQUEST_ANSWERED = "request_answered", _("A request answered")
    DEADLINE_SOON = "deadline_soon", _("A nomination deadline in 7 days")
    NOMINATIONS_WAITING = "nominations_waiting", _("New nominations waiting for a decision")
    SESSION_UNDECIDED = "session_undecided", _("A session due to start with undecided nominations")
    PROGRAMME_SUBMITTED = "programme_submitted", _("A programme submitted")
    REQUEST_OVERDUE = "request_overdue", _("A request overdue")
    ACTION_DUE = "action_due", _("A follow-up action due")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application only")
    EMAIL = "email", _("In the application and by e-mail at once")
    DIGEST = "digest", _("In the application and in a daily digest e-mail")


@dataclass(frozen=True)
class KindSpec:
    model: str  # "app_label.Model" of the record the notice is about
    audience: frozenset  # roles that receive it (for the preferences page)
    message: str  # lazy; %(subject)s and, where given, %(date)s
    by_country: bool = False  # sent to the coordinators of the record's country
    default: str = Channel.EMAIL


COORDINATOR = frozenset({Role.COORDINATOR})
CENTRE = frozenset({Role.CENTRE_STAFF})
NATO_STAFF = frozenset({Role.NATO_STAFF})

KINDS: dict[str, KindSpec] = {
    Kind.NOMINATION_ACCEPTED: KindSpec(
        "training.Nomination",
        COORDINATOR,
        _("The nomination of %(subject)s was accepted."),
        by_country=True,
    ),
    Kind.NOMINATION_REJECTED: KindSpec(
        "training.Nomination",
        COORDINATOR,
        _("The nomination of %(subject)s was rejected."),
        by_country=True,
    ),
    Kind.NOMINATION_WAITLISTED: KindSpec(
        "training.Nomination",
        COORDINATOR,
        _("The nomination of %(subject)s is on the waiting list."),
        by_country=True,
    ),
    Kind.NOMINATION_PROMOTED: KindSpec(
        "training.Nomination",
        COORDINATOR,
        _("The nomination of %(subject)s was promoted from the waiting list to a seat."),
        by_country=True,
    ),
    Kind.PROGRAMME_RETURNED: KindSpec(
        "programmes.Programme",
        COORDINATOR,
        _("The programme %(subject)s was returned to draft."),
        by_country=True,
    ),
    Kind.PROGRAMME_AGREED: KindSpec(
        "programmes.Programme",
        COORDINATOR,
        _("The programme %(subject)s was agreed."),
        by_country=True,
    ),
    Kind.REQUEST_ANSWERED: KindSpec(
        "programmes.PartnerRequest",
        COORDINATOR,
        _("The request %(subject)s was answered."),
        by_country=True,
    ),
    Kind.DEADLINE_SOON: KindSpec(
        "training.Session",
        COORDINATOR,
        _("Nominations for %(subject)s close on %(date)s."),
    ),
    Kind.NOMINATIONS_WAITING: KindSpec(
        "training.Session",
        CENTRE,
        _("New nominations for %(subject)s are waiting for a decision."),
        default=Channel.DIGEST,
    ),
    Kind.SESSION_UNDECIDED: KindSpec(
        "training.Session",
        CENTRE,
        _("%(subject)s starts on %(date)s and has nominations still undecided."),
    ),
    Kind.PROGRAMME_SUBMITTED: KindSpec(
        "programmes.Programme",
        NATO_STAFF,
        _("The programme %(subject)s was submitted for agreement."),
    ),
    Kind.REQUEST_OVERDUE: KindSpec(
        "programmes.PartnerRequest",
        NATO_STAFF,
        _("The request %(subject)s is overdue for an answer."),
    ),
    Kind.ACTION_DUE: KindSpec(
        "dialogue.FollowUpAction",
        # NATO staff, and whoever owns the action (any role)
        frozenset(Role),
        _("The follow-up action “%(subject)s” is due on %(date)s."),
    ),
}


def spec(kind: str) -> KindSpec:
    return KINDS[Kind(kind)]


def kinds_for(user) -> list[Kind]:
    """The kinds a user may receive (the rows of their preferences)."""
    role = getattr(user, "role", None)
    return [kind for kind in Kind if role in KINDS[kind].audience]
