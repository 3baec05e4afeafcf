"""What blocks a session's next step: the one place that says it.

The services refuse a step with these blockers (:func:`change_state`,
:func:`complete_session`, :func:`issue_certificates`), and the session page
lists them ahead of time, each with a link to where it is fixed. A blocker that
is ``overridable`` (the session's dates) lets Centre staff go ahead with a
recorded reason (:func:`~icihub.training.permissions.can_override_dates`);
``advisory`` ones are shown but refuse nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Assignment, Attendance, Evaluation, Nomination, Session

St = Session.State
S = Nomination.Status

#: The lifecycle's forward order; a session moves from a state to those after it
#: (``TRANSITIONS`` in the services say which), or back a step, or is cancelled.
FORWARD = [St.PLANNED, St.OPEN, St.CLOSED, St.RUNNING, St.COMPLETED]

#: The pseudo-step after completion: issuing the certificates.
CERTIFICATES = "certificates"


@dataclass(frozen=True)
class Blocker:
    """Why a step cannot be taken now: a stable ``code``, the ``message``, the
    ``field`` the API names, and where to fix it (``url_name`` and ``url_args``,
    optionally a ``fragment``)."""

    code: str
    message: str
    url_name: str = ""
    url_args: tuple = ()
    fragment: str = ""
    field: str = "state"
    overridable: bool = False
    advisory: bool = False
    link_text: str = dataclasses.field(default="", compare=False)

    @property
    def url(self) -> str:
        if not self.url_name:
            return ""
        url = reverse(self.url_name, args=self.url_args)
        return f"{url}#{self.fragment}" if self.fragment else url


def _today() -> dt.date:
    return timezone.localdate()


def _pending(session: Session) -> int:
    return session.nominations.filter(status=S.NOMINATED).count()


def blockers(session: Session, step: str, *, today: dt.date | None = None) -> list[Blocker]:
    """What stands between ``session`` and ``step`` (a state, or
    :data:`CERTIFICATES`), in the order to fix them."""
    today = today or _today()
    found: list[Blocker] = []
    if step == St.OPEN and session.nomination_deadline < today:
        found.append(
            Blocker(
                "deadline_passed",
                _("The nomination deadline has passed: move it first."),
                "training:session_edit",
                (session.pk,),
                field="nomination_deadline",
                link_text=_("Edit the session"),
            )
        )
    if step == St.RUNNING:
        pending = _pending(session)
        if pending:
            found.append(
                Blocker(
                    "pending_nominations",
                    ngettext(
                        "%(n)d pending nomination awaits a decision: accept or reject it first.",
                        "%(n)d pending nominations await a decision: accept or reject them first.",
                        pending,
                    )
                    % {"n": pending},
                    "training:session_detail",
                    (session.pk,),
                    fragment="nominations",
                    link_text=_("Decide them"),
                )
            )
        if session.start > today:
            found.append(
                Blocker(
                    "before_start",
                    _(
                        "The session starts on %(date)s: it cannot run before then "
                        "(Centre staff may override with a reason)."
                    )
                    % {"date": session.start.isoformat()},
                    "training:session_edit",
                    (session.pk,),
                    field="start",
                    overridable=True,
                    link_text=_("Edit the dates"),
                )
            )
        if not Assignment.objects.filter(session=session).exists():
            found.append(
                Blocker(
                    "no_instructor",
                    _("No instructor is assigned."),
                    "training:session_detail",
                    (session.pk,),
                    fragment="instructors",
                    advisory=True,
                    link_text=_("Assign one"),
                )
            )
    if step == St.COMPLETED:
        if session.state != St.RUNNING:
            found.append(
                Blocker("not_running", _("Only a running session can be completed."), field="state")
            )
        if session.end > today:
            found.append(
                Blocker(
                    "before_end",
                    _(
                        "The session ends on %(date)s: it cannot be completed before then "
                        "(Centre staff may override with a reason)."
                    )
                    % {"date": session.end.isoformat()},
                    "training:session_edit",
                    (session.pk,),
                    field="end",
                    overridable=True,
                    link_text=_("Edit the dates"),
                )
            )
        missing = without_attendance(session)
        if missing:
            found.append(
                Blocker(
                    "no_attendance",
                    ngettext(
                        "%(n)d accepted participant has no attendance recorded.",
                        "%(n)d accepted participants have no attendance recorded.",
                        missing,
                    )
                    % {"n": missing},
                    "training:session_attendance",
                    (session.pk,),
                    advisory=True,
                    link_text=_("Record attendance"),
                )
            )
    if step == CERTIFICATES:
        for nomination in missing_evaluations(session):
            found.append(
                Blocker(
                    "evaluation_missing",
                    _("%(name)s: the level-1 evaluation the course requires is missing.")
                    % {"name": nomination.participant.full_name},
                    "training:evaluation_form",
                    (nomination.pk,),
                    field="evaluation",
                    link_text=_("Enter it"),
                )
            )
    return found


def refusing(found: list[Blocker], *, override: bool = False) -> list[Blocker]:
    """The blockers that refuse the step: not the advisory ones, and not the
    overridable ones when the step is overridden."""
    return [b for b in found if not b.advisory and not (override and b.overridable)]


def without_attendance(session: Session) -> int:
    """How many accepted nominees have no day marked present (the no-shows that
    completing the session would record)."""
    present = Attendance.objects.filter(
        nomination__session=session,
        present=True,
        day__gte=session.start,
        day__lte=session.end,
    ).values("nomination_id")
    return session.nominations.filter(status=S.ACCEPTED).exclude(pk__in=present).count()


def missing_evaluations(session: Session) -> list[Nomination]:
    """Nominees who completed the course, have no certificate yet, and lack the
    level-1 evaluation the course requires (their certificates wait for it)."""
    if session.state != St.COMPLETED or not session.course.level1_evaluation_required:
        return []
    return list(
        session.nominations.filter(
            status=S.ACCEPTED, outcome=Nomination.Outcome.COMPLETED, certificate__isnull=True
        )
        .exclude(pk__in=Evaluation.objects.values("nomination_id"))
        .select_related("participant")
        .order_by("participant__family_name", "pk")
    )


def forward_states(session: Session, transitions: dict) -> list[str]:
    """The states after the current one that ``transitions`` allows, in the
    lifecycle's order (never a step back, never the cancellation; completion has
    its own action)."""
    if session.state not in FORWARD:
        return []
    here = FORWARD.index(session.state)
    allowed = transitions.get(session.state, set())
    return [s for s in FORWARD[here + 1 :] if s in allowed]


def backward_states(session: Session, transitions: dict) -> list[str]:
    if session.state not in FORWARD:
        return []
    here = FORWARD.index(session.state)
    allowed = transitions.get(session.state, set())
    return [s for s in reversed(FORWARD[:here]) if s in allowed]


def next_steps(session: Session, transitions: dict) -> list[str]:
    """The steps ahead of ``session``: the forward states, completion when it
    runs, the certificates once completed."""
    steps = forward_states(session, transitions)
    if session.state == St.RUNNING:
        steps.append(St.COMPLETED)
    if session.state == St.COMPLETED:
        steps.append(CERTIFICATES)
    return steps
