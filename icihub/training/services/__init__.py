"""Every write of the training app: access check, validation, one transaction,
audit (signals under ``audit.acting``; state changes as TRANSITION entries with
their reason), and the e-mails that follow a committed change.

Seats
-----
A nomination holds a seat when its status is *nominated* or *accepted*
(``has_seat``). The session row counts them in ``seats_taken``, which a check
constraint keeps within the capacity. The seat ledger (``training/seats.py``,
:class:`~icihub.training.seats.SeatLedger`) alone says what is free, held and
within a quota, and alone changes the counter. Every service that gives or frees
a seat first locks the session row (``select_for_update``) inside its
transaction and asks the ledger of that row, so concurrent nominations for the
last seat are served one after the other: the first gets the seat, the others
the waiting list.

Until the reallocation date a country holds at most its quota of seats; beyond
it, nominations go to the waiting list. A seat freed before that date (a
withdrawal, a rejection) goes to the same country's next waiting nominee.

Reallocation (:func:`reallocate`)
---------------------------------
On a session's reallocation date (by default six weeks before the start) the
quotas are released: every free seat may go to a waiting nominee of *any*
eligible country, in this order (:func:`fair_order`):

1. each free seat goes to the country that holds the fewest seats in the
   session so far, so seats are spread across countries round-robin;
2. ties between countries go to the one whose next waiting nominee was
   nominated earliest, then to the lower country code;
3. within a country, nominees go by the country's own priority (1 first), then
   by the time of nomination.

``icihub reallocate-seats`` runs it for every session whose date has come
(the worker's nightly job ``reallocate-seats``); staff can also run it on demand
for one session."""

from ..models import SCORE_FIELDS  # noqa: F401  (the evaluation's score fields, as callers name them)
from ._common import (  # noqa: F401
    Progress,
    S,
    _on_commit,
    _require_staff,
    _transition,
    _visible_or_404,
    today,
    without_cyclic_gc,
)
from .attendance import (  # noqa: F401
    attended,
    can_take_attendance,
    complete_session,
    evaluation_source,
    outcome_for,
    record_attendance,
    submit_evaluation,
)
from .certificates import (  # noqa: F401
    CODE_ALPHABET,
    _certificate_blocker,
    clean_base_url,
    is_code,
    issue_certificate,
    issue_certificates,
    new_certificate_code,
    normalise_code,
    revoke_certificate,
)
from .courses import (  # noqa: F401
    _course_format,
    create_course,
    update_course,
)
from .feeds import (  # noqa: F401
    feed_hash,
    feed_user,
    new_feed_key,
    revoke_feed,
)
from .nominations import (  # noqa: F401
    DECISIONS,
    _audience,
    _decide_check,
    _no_seat_message,
    accept,
    check_can_nominate,
    check_substitute,
    decide_many,
    nominate,
    nominate_many,
    nomination_problems,
    reallocation_phase,
    reject,
    substitute,
    waiting_list_outlook,
    withdraw,
)
from .participants import (  # noqa: F401
    PARTICIPANT_FIELDS,
    _clean_participant_data,
    _duplicate_error,
    create_participant,
    find_duplicates,
    rank_code_of,
    update_participant,
)
from .reallocation import (  # noqa: F401
    _RETRYABLE,
    REALLOCATION_ATTEMPTS,
    ReallocationReport,
    SessionOutcome,
    SessionReallocation,
    _eligible_country_ids,
    _fill_free_seats,
    _promote,
    _promotion_plan,
    _reallocate,
    _reallocate_one,
    _release_quiet,
    due_for_reallocation,
    fair_order,
    reallocate,
)
from .sessions import (  # noqa: F401
    SESSION_FIELDS,
    TRANSITIONS,
    _accepted_count,
    _apply_quotas,
    _check_session_dates,
    _lock,
    _unique_reference,
    change_state,
    create_session,
    send_joining_instructions,
    set_quotas,
    update_session,
)
from .staffing import (  # noqa: F401
    _overlapping_trip,
    assign,
    create_instructor,
    create_trip,
    delete_trip,
    unassign,
    update_instructor,
)
