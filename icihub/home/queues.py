"""The work queues of the home page: what waits for the signed-in user, by the
work their role does. Each queue's query lives in the app that owns the rows
(``training.selectors.nominations_to_decide``, ...), scoped by
``visible_to(user)``; this module composes them. A queue shows at most
:data:`SHOWN` items, its count and a link to the filtered list with all of them.

A queue is a dict: ``key`` (the ``data-queue`` of its section), ``template``
(the include that renders its items), ``count``, ``items``, ``see_all`` (the
list page's URL), and whatever its template needs besides. Counts the
navigation also shows come from :func:`icihub.core.navigation.badge_count`,
computed once per request."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from icihub.core.navigation import badge_count
from icihub.core.permissions import is_coordinator
from icihub.dialogue import selectors as dialogue
from icihub.programmes import permissions as programme_permissions
from icihub.programmes import selectors as programmes
from icihub.reports import figcache
from icihub.training import permissions as training_permissions
from icihub.training import selectors as training

SHOWN = 10

TRAINING = "icihub.training.selectors."
PROGRAMMES = "icihub.programmes.selectors."
DIALOGUE = "icihub.dialogue.selectors."


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _take(qs, count=None) -> tuple[list, int]:
    """At most :data:`SHOWN` rows of ``qs`` and how many there are: counted by
    ``count()`` (a shared badge count) when given, else from the rows read
    when there are no more than shown, else by one COUNT."""
    rows = list(qs[: SHOWN + 1])
    if count is not None:
        return rows[:SHOWN], count()
    if len(rows) <= SHOWN:
        return rows, len(rows)
    return rows[:SHOWN], qs.count()


def _queue(key: str, items, count: int, see_all: str, **extra) -> dict:
    return {
        "key": key,
        "template": f"home/queues/{key}.html",
        "items": items,
        "count": count,
        "shown": len(items),
        "see_all": see_all,
        **extra,
    }


# -- Centre staff ------------------------------------------------------------------------------


def centre_queues(user) -> list[dict]:
    nominations, count = _take(
        training.nominations_to_decide(user),
        lambda: badge_count(user, TRAINING + "nominations_to_decide_count"),
    )
    sessions, sessions_count = _take(training.sessions_with_open_issues(user))
    certificates, certificates_count = _take(
        training.certificates_to_issue(user),
        lambda: badge_count(user, TRAINING + "certificates_to_issue_count"),
    )
    return [
        _queue(
            "nominations-to-decide",
            nominations,
            count,
            _url("training:nomination_list", status="nominated"),
            groups=training.group_by_session(nominations),
        ),
        _queue(
            "sessions-with-issues",
            sessions,
            sessions_count,
            _url("training:session_list"),
            soon_days=training.SOON_DAYS,
        ),
        _queue(
            "certificates-to-issue",
            certificates,
            certificates_count,
            _url(
                "training:nomination_list",
                status="accepted",
                outcome="completed",
                certificate="missing",
            ),
            groups=training.group_by_session(certificates),
        ),
    ]


# -- a national coordinator -------------------------------------------------------------------


def coordinator_queues(user) -> list[dict]:
    open_sessions = training.sessions_open_to_country(user)
    # counted once per version of the records (reports.figcache), not per view
    states = training.nomination_state_rows(
        figcache.remember(
            "nomination-states", user, lambda: training.nomination_counts_by_state(user)
        )
    )
    for row in states:
        row["url"] = _url("training:nomination_list", status=row["status"])
    recent = list(training.recent_nomination_changes(user, limit=SHOWN))
    steps, steps_count = _take(
        programmes.programme_steps(user),
        lambda: badge_count(user, PROGRAMMES + "programme_queue_count"),
    )
    return [
        _queue(
            "open-sessions",
            open_sessions[:SHOWN],
            len(open_sessions),
            _url("training:session_list", state="open"),
            country=user.country,
        ),
        _queue(
            "my-nominations",
            recent,
            sum(row["count"] for row in states),
            _url("training:nomination_list"),
            states=states,
        ),
        _queue(
            "programme-steps",
            steps,
            steps_count,
            _url("programmes:programme_list", state="draft"),
        ),
    ]


# -- NATO staff --------------------------------------------------------------------------------


def nato_queues(user) -> list[dict]:
    submitted, submitted_count = _take(programmes.programmes_to_answer(user))
    requests, requests_count = _take(
        programmes.requests_to_answer(user),
        lambda: badge_count(user, PROGRAMMES + "unanswered_count"),
    )
    actions, actions_count = _take(
        dialogue.actions_due(user), lambda: badge_count(user, DIALOGUE + "actions_due_count")
    )
    return [
        _queue(
            "programmes-to-answer",
            submitted,
            submitted_count,
            _url("programmes:programme_list", state="submitted"),
        ),
        _queue(
            "requests-to-answer",
            requests,
            requests_count,
            _url("programmes:request_list", state="open"),
        ),
        _queue(
            "actions-due",
            actions,
            actions_count,
            _url("dialogue:action_list", due="soon"),
            closable=dialogue.closable_ids(user, actions),
            due_days=dialogue.DUE_SOON_DAYS,
        ),
    ]


def work_queues(user) -> dict:
    """The queues of ``user``'s role(s), for the home page (none for visitors,
    instructors and participants)."""
    queues: list[dict] = []
    if training_permissions.keeps_centre_queues(user):
        queues += centre_queues(user)
    if is_coordinator(user):
        queues += coordinator_queues(user)
    if programme_permissions.agrees_programmes(user):
        queues += nato_queues(user)
    return {"queues": queues}
