"""The access matrix, proven.

Every URL pattern of the site (``django.urls.get_resolver()`` walked
recursively: the apps', the admin's, root-level ones such as
``/verify/<code>``) and every operation of the OpenAPI document
(``/api/v1/openapi.json``: each path and method) has one entry in the tables
below, naming the rule that applies. Each entry is tried as every role
(``matrix_data.ROLES``: the visitor, an administrator, NATO staff, Centre
staff, the coordinators of Kuwait and of Qatar, an instructor, a participant)
against rows of both countries (``matrix_data.build_world``), and the answer
must be the one the rule gives:

* reads: 200, or 404 for a row the role may not see (``SEES``), or the
  sign-in page (401 in the API) for the visitor, or 403 for a role the page
  is not for;
* writes (form POSTs, and POST/PUT/PATCH/DELETE in the API): refused with the
  sign-in page or 401 for the visitor, 404 for a row the role may not see, 403
  for one it sees but may not change; and a refused write changed nothing in
  the database; writers are not refused;
* whatever the answer (pages, lists, exports, JSON), it never holds the marker
  of a row the role may not see (``matrix_data.MARKERS``), and a list shows
  the rows the role may see (``shows``).

A URL pattern or API operation missing from the tables fails
``test_every_route_is_in_the_matrix`` / ``test_every_api_operation_is_in_the_matrix``
with its name: nothing new is left out.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.db import transaction
from django.utils import timezone

from . import matrix_harness as mx
from .matrix_data import MARKERS, ROLES, build_world
from .matrix_harness import (
    ADMIN_ONLY,
    COORDINATORS,
    CUSTOM,
    EVERYONE,
    FORBIDDEN,
    LOGIN,
    NATO,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    ONLY,
    POST_ONLY,
    PUBLIC,
    SIGNED,
    SIGNED_IN,
    STAFF,
    WRITE,
    Op,
    Page,
    both,
)

A, N, C = "admin", "nato", "centre"
K, Q = "coord_kwt", "coord_qat"
I, P = "instructor", "participant"  # noqa: E741

# -- who sees which row of the world ------------------------------------------------------
#
# Written out from SECURITY.md's table and the models' policies, not computed
# from them: ``test_the_table_agrees_with_the_access_model`` compares the two.

SEES: dict[str, frozenset] = {
    # public reference data
    **dict.fromkeys(
        [
            "framework",
            "country_kwt",
            "country_qat",
            "grouping",
            "partnership_kwt",
            "organisation",
            "person",
            "appointment",
            "area",
            "source",
            "activity",
            "course",
            "session_open",  # on the public calendar
            "event_public",
        ],
        EVERYONE,
    ),
    "session_done": SIGNED,  # not on the public calendar: every signed-in user
    "source_nato": NATO,  # NATO UNCLASSIFIED
    "activity_nato": NATO,
    "person_hidden": STAFF,  # kept off the public pages
    "citation": STAFF,  # a citation of the hidden person (the source is public)
    # the users themselves: staff see every account, each user their own
    **{f"user_{r}": STAFF | {r} for r in ROLES if r != "anon"},
    # API tokens: administrators and the owner
    **{f"token_{r}": frozenset({A, r}) for r in ROLES if r != "anon"},
    # training: the participant account is Kuwait's person; the instructor
    # account teaches the open session (where both countries have nominees)
    "participant_kwt": STAFF | {K, P, I},
    "participant_qat": STAFF | {Q, I},
    "nomination_open_kwt": STAFF | {K, P, I},
    "nomination_open_qat": STAFF | {Q, I},
    # issue 15: the instructor taught the completed session too: they see its
    # nominations (the outcome) and attendance, never a certificate (its code)
    "nomination_done_kwt": STAFF | {K, P, I},
    "nomination_done_qat": STAFF | {Q, I},
    "certificate_kwt": STAFF | {K, P},
    "certificate_qat": STAFF | {Q},
    "attendance_kwt": STAFF | {K, P, I},
    "attendance_qat": STAFF | {Q, I},
    "evaluation_kwt": STAFF | {P},  # questionnaires: staff and the one who answered
    "evaluation_qat": STAFF,
    "quota_kwt": STAFF | {K, I},
    "quota_qat": STAFF | {Q, I},
    "instructor_own": STAFF | {I},
    "instructor_other": STAFF,
    "assignment_own": STAFF | {I},
    "assignment_other": STAFF,
    "trip_own": STAFF | {I},
    "trip_other": STAFF,
    # programmes, requests, the dialogue releasable to one partner
    **{
        f"{kind}_{iso}": STAFF | {coord}
        for iso, coord in (("kwt", K), ("qat", Q))
        for kind in (
            "programme",
            "objective",
            "goal",
            "item",
            "delivery",
            "version",
            "request",
            "event",
            "event_participant",
            "attendee",
            "event_citation",
            "action",
            "country_report",
        )
    },
    "action_public": STAFF,  # follow-up actions are internal, even of a public event
    "snapshot": STAFF,
    # the year planner (issue 10): staff plan; coordinators read published
    # plans; an instructor sees their own sessions in published plans
    "plan_draft": STAFF,
    "plan_published": STAFF | {K, Q},
    "planned_draft": STAFF,
    "planned_published": STAFF | {K, Q, I},
    "plan_course": STAFF,
    "plan_run": STAFF,
    "room": STAFF,  # the Centre's rooms: staff's
    "unavailability_own": STAFF | {I},  # an instructor reads their own periods
    "unavailability_other": STAFF,
    # -- gulf: the Gulf calendar (issue 10): no secrets, everyone reads
    "closure": EVERYONE,
    "islamic_date": EVERYONE,
    # notifications: the recipient's alone (not even an administrator's)
    "notification_kwt": frozenset({K}),
    "notification_qat": frozenset({Q}),
}

# The coordinator of a row's country, and the people a row is about.
COUNTRY_OF = {
    key: (K if key.endswith("_kwt") else Q) for key in SEES if key.endswith(("_kwt", "_qat"))
}
OWNERS = {
    "participant_kwt": {P},
    "nomination_open_kwt": {P},
    "nomination_done_kwt": {P},
    "certificate_kwt": {P},
    "evaluation_kwt": {P},
    "instructor_own": {I},
    "assignment_own": {I},
    "trip_own": {I},
    "session_open": {I},  # the instructor teaches it (attendance)
    "session_done": {I},  # issue 15: and taught the completed one
    **{f"user_{r}": {r} for r in ROLES if r != "anon"},
    **{f"token_{r}": {r} for r in ROLES if r != "anon"},
    # notifications: their recipient
    "notification_kwt": {K},
    "notification_qat": {Q},
}


def sees(role: str, target: str) -> bool:
    return role in SEES[target]


def resolve_writers(writers, target) -> frozenset:
    out = set()
    for w in writers:
        if w == "coord":
            if target in COUNTRY_OF:
                out.add(COUNTRY_OF[target])
        elif w == "owner":
            out |= OWNERS.get(target, set())
        elif isinstance(w, frozenset | set):
            out |= w
        else:
            out.add(w)
    return frozenset(out)


def _year() -> int:
    return timezone.localdate().year


# ================================================================================================
# The pages of the site: one entry per URL name (unnamed patterns by their pattern)
# ================================================================================================

sessions = ("session_open", "session_done")
_plans = ("plan_draft", "plan_published")  # the year planner (issue 10)
_planned = ("planned_draft", "planned_published")
_unavailable = ("unavailability_own", "unavailability_other")


def _new_period(world, target):
    return {"instructor": world["instructor_own"].pk, "start": "2031-05-02", "end": "2031-05-06"}


def _changed_period(world, target):
    return {
        "instructor": world[target].instructor_id,
        "start": "2031-04-05",
        "end": "2031-04-20",
        "reason": "Matrix longer",
    }


# A certificate's verification address is printed on it (with a QR code): the
# code is the key, anyone holding it may check the certificate; the page shows
# no row the visitor may not see (the leak check runs on it as on every page).
CODE_IS_THE_KEY = CUSTOM(
    "CODE_IS_THE_KEY: the printed code verifies, to anyone", dict.fromkeys(ROLES, OK)
)
nominations_open = both("nomination_open")
nominations_done = both("nomination_done")
nominations = nominations_open + nominations_done
participants = both("participant")
programmes = both("programme")

PAGES: dict[str, Page] = {
    # -- core: signing in, accounts ---------------------------------------------------------------
    "core:login": Page(
        CUSTOM(
            "SIGN_IN_PAGE: the form for visitors; signed-in users go home",
            {r: (OK if r == "anon" else 302) for r in ROLES},
        ),
        note="POST (a sign-in attempt) is tested in test_security.py",
    ),
    "core:two_factor_verify": Page(
        CUSTOM(
            "CODE_STEP: no pending sign-in -> the sign-in page; a verified or optional session goes on",
            {r: (LOGIN if r == "anon" else 302) for r in ROLES},
        ),
    ),
    "core:logout": Page(
        CUSTOM("SIGN_OUT: POST only", dict.fromkeys(ROLES, NOT_ALLOWED)),
        post=CUSTOM("SIGN_OUT: anyone may sign out", dict.fromkeys(ROLES, OK)),
    ),
    "core:account_security": Page(SIGNED_IN(), post=WRITE(*SIGNED, name="OWN_ACCOUNT")),
    "core:two_factor_setup": Page(
        CUSTOM(
            "ENROL: staff have enrolled (-> their security page); others may enrol",
            {r: (LOGIN if r == "anon" else 302 if r in STAFF else OK) for r in ROLES},
        ),
    ),
    "core:password_change": Page(SIGNED_IN(), post=WRITE(*SIGNED, name="OWN_ACCOUNT")),
    "core:password_reset": Page(
        PUBLIC(),
        post=CUSTOM("PUBLIC_FORM", dict.fromkeys(ROLES, OK)),
        data={"email": "nobody@example.test"},
    ),
    "core:password_reset_done": Page(PUBLIC()),
    "core:password_reset_confirm": Page(PUBLIC(), kwargs={"uidb64": "MQ", "token": "set-password"}),
    "core:password_reset_complete": Page(PUBLIC()),
    "core:source_list": Page(PUBLIC(), shows=("source_nato",)),
    "core:source_detail": Page(PUBLIC(), targets=("source", "source_nato")),
    "core:history": Page(
        PUBLIC(),
        targets=(
            *participants,
            *programmes,
            *both("event"),
            *both("request"),
            "person_hidden",
            "activity_nato",
            "instructor_other",
            "user_coord_kwt",
        ),
        note="the history of a record is shown to whoever may see the record",
    ),
    "core:user_list": Page(ONLY(STAFF)),
    "core:user_create": Page(ONLY(STAFF), post=ONLY(STAFF)),
    "core:user_detail": Page(
        SIGNED_IN(),
        post=WRITE(STAFF),
        targets=("user_coord_kwt", "user_admin", "user_participant"),
    ),
    "core:user_security": Page(
        POST_ONLY(),
        post=WRITE(STAFF, gate=STAFF),
        targets=("user_coord_kwt", "user_participant"),
        data={"action": "unlock"},
    ),
    "core:audit_list": Page(ONLY(STAFF)),
    "core:token_list": Page(SIGNED_IN(), post=WRITE(*SIGNED, name="OWN_TOKENS")),
    "core:token_revoke": Page(
        POST_ONLY(), post=WRITE("admin", "owner"), targets=("token_coord_kwt", "token_admin")
    ),
    "set_language": Page(
        CUSTOM("LANGUAGE: anyone; back to the page", dict.fromkeys(ROLES, 302)),
        post=CUSTOM("LANGUAGE: anyone; back to the page", dict.fromkeys(ROLES, OK)),
        data={"language": "en", "next": "/"},
    ),
    # -- partners: the registry (NATO staff write it) -------------------------------------------
    "partners:framework_list": Page(PUBLIC()),
    "partners:framework_create": Page(WRITE(NATO), post=WRITE(NATO)),
    "partners:framework_detail": Page(PUBLIC(), targets=("framework",)),
    "partners:framework_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=("framework",)),
    "partners:framework_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=("framework",)),
    "partners:country_list": Page(PUBLIC()),
    "partners:country_detail": Page(PUBLIC(), targets=both("country")),
    "partners:country_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=("country_kwt",)),
    "partners:grouping_detail": Page(PUBLIC(), targets=("grouping",)),
    "partners:partnership_list": Page(PUBLIC()),
    "partners:partnership_create": Page(WRITE(NATO), post=WRITE(NATO)),
    "partners:partnership_detail": Page(PUBLIC(), targets=("partnership_kwt",)),
    "partners:partnership_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=("partnership_kwt",)),
    "partners:partnership_delete": Page(
        POST_ONLY(), post=WRITE(NATO), targets=("partnership_kwt",)
    ),
    "partners:organisation_list": Page(PUBLIC()),
    "partners:organisation_create": Page(WRITE(NATO), post=WRITE(NATO)),
    "partners:organisation_detail": Page(PUBLIC(), targets=("organisation",)),
    "partners:organisation_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=("organisation",)),
    "partners:organisation_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=("organisation",)),
    "partners:person_list": Page(PUBLIC(), shows=("person_hidden",)),
    "partners:person_create": Page(WRITE(NATO), post=WRITE(NATO)),
    "partners:person_detail": Page(PUBLIC(), targets=("person", "person_hidden")),
    "partners:person_edit": Page(
        WRITE(NATO), post=WRITE(NATO), targets=("person", "person_hidden")
    ),
    "partners:person_delete": Page(
        POST_ONLY(), post=WRITE(NATO), targets=("person", "person_hidden")
    ),
    "partners:appointment_create": Page(
        WRITE(NATO), post=WRITE(NATO), targets=("person", "person_hidden")
    ),
    "partners:appointment_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=("appointment",)),
    "partners:appointment_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=("appointment",)),
    "partners:citation_create": Page(
        WRITE(NATO), post=WRITE(NATO), targets=("person", "person_hidden")
    ),
    "partners:citation_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=("citation",)),
    # -- menu: the catalogue (NATO and Centre staff write it) -----------------------------------
    "menu:activity_list": Page(PUBLIC(), shows=("activity_nato",)),
    "menu:activity_create": Page(WRITE(STAFF), post=WRITE(STAFF)),
    "menu:activity_detail": Page(PUBLIC(), targets=("activity", "activity_nato")),
    "menu:activity_edit": Page(
        WRITE(STAFF), post=WRITE(STAFF), targets=("activity", "activity_nato")
    ),
    "menu:activity_status": Page(
        POST_ONLY(),
        post=WRITE(STAFF),
        targets=("activity", "activity_nato"),
        data={"status": "retired", "reason": "matrix"},
    ),
    "menu:area_list": Page(PUBLIC()),
    "menu:area_detail": Page(PUBLIC(), targets=("area",)),
    "menu:import": Page(WRITE(STAFF), post=WRITE(STAFF)),
    "menu:export": Page(PUBLIC(), shows=("activity_nato",)),
    # -- training -------------------------------------------------------------------------------
    "training:course_list": Page(PUBLIC()),
    "training:course_create": Page(WRITE(STAFF), post=WRITE(STAFF)),
    "training:course_detail": Page(PUBLIC(), targets=("course",)),
    "training:course_edit": Page(WRITE(STAFF), post=WRITE(STAFF), targets=("course",)),
    "training:session_create": Page(WRITE(STAFF), post=WRITE(STAFF), targets=("course",)),
    "training:session_list": Page(PUBLIC()),
    "training:session_detail": Page(PUBLIC(), targets=sessions),
    "training:session_edit": Page(WRITE(STAFF), post=WRITE(STAFF), targets=sessions),
    "training:session_quotas": Page(WRITE(STAFF), post=WRITE(STAFF), targets=sessions),
    "training:session_state": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=sessions, data={"state": "closed"}
    ),
    "training:session_reallocate": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_nominate": Page(
        ONLY(STAFF | COORDINATORS, check_role_first=False),
        post=ONLY(STAFF | COORDINATORS, check_role_first=False),
        targets=sessions,
    ),
    "training:session_nominate_search": Page(
        ONLY(STAFF | COORDINATORS, check_role_first=False), targets=sessions, query={"q": "al"}
    ),
    "training:session_nominate_person": Page(
        POST_ONLY(),
        post=ONLY(STAFF | COORDINATORS, check_role_first=False),
        targets=sessions,
        data={"new-given_name": ""},
    ),
    "training:session_import": Page(
        WRITE(STAFF, COORDINATORS, gate=STAFF | COORDINATORS),
        post=WRITE(STAFF, COORDINATORS, gate=STAFF | COORDINATORS),
        targets=sessions,
    ),
    "training:session_export": Page(
        SIGNED_IN(), targets=sessions, kwargs=lambda w, t: {"pk": w[t].pk, "fmt": "csv"}
    ),
    "training:session_attendance": Page(
        WRITE(STAFF, "owner"), post=WRITE(STAFF, "owner"), targets=sessions
    ),
    "training:session_complete": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_decide": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_joining": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_assign": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_certify": Page(POST_ONLY(), post=WRITE(STAFF), targets=sessions),
    "training:session_certificates_zip": Page(
        ONLY(STAFF, check_role_first=False), targets=("session_done",)
    ),
    "training:assignment_delete": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=("assignment_own", "assignment_other")
    ),
    "training:nomination_detail": Page(
        PUBLIC(), targets=nominations, note="a visitor gets 404, not the sign-in page"
    ),
    "training:nomination_accept": Page(POST_ONLY(), post=WRITE(STAFF), targets=nominations_open),
    "training:nomination_reject": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=nominations_open, data={"reason": "matrix"}
    ),
    "training:nomination_withdraw": Page(
        POST_ONLY(), post=WRITE(STAFF, "coord", "owner"), targets=nominations_open
    ),
    "training:nomination_substitute": Page(
        POST_ONLY(),
        post=WRITE(STAFF, "coord"),
        targets=nominations_open,
        data=lambda w, t: {"participant": w[f"participant_{t[-3:]}"].pk},
        note="a complete form, so a writer's POST succeeds (the access check comes first)",
    ),
    "training:nomination_certify": Page(POST_ONLY(), post=WRITE(STAFF), targets=nominations_done),
    "training:evaluation_form": Page(
        WRITE(STAFF, "owner"),
        post=WRITE(STAFF, "owner"),
        targets=nominations_done,
        data=dict.fromkeys(
            ("relevance", "content", "instructors", "organisation", "facilities", "overall"), "4"
        ),
        note="a complete form, so a writer's POST succeeds (the access check comes first)",
    ),
    "training:participant_list": Page(SIGNED_IN(), shows=participants),
    "training:participant_create": Page(
        WRITE(STAFF, COORDINATORS), post=WRITE(STAFF, COORDINATORS)
    ),
    "training:participant_import": Page(
        WRITE(STAFF, COORDINATORS), post=WRITE(STAFF, COORDINATORS)
    ),
    "training:participant_export": Page(SIGNED_IN(), kwargs={"fmt": "csv"}, shows=participants),
    "training:participant_detail": Page(SIGNED_IN(), targets=participants),
    "training:participant_edit": Page(
        WRITE(STAFF, "coord"), post=WRITE(STAFF, "coord"), targets=participants
    ),
    "training:certificate_list": Page(SIGNED_IN()),
    "training:nomination_list": Page(ONLY(STAFF | COORDINATORS, check_role_first=False)),
    "training:certificate_detail": Page(SIGNED_IN(), targets=both("certificate")),
    "training:certificate_pdf": Page(SIGNED_IN(), targets=both("certificate")),
    "training:certificate_revoke": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=both("certificate"), data={"reason": "matrix"}
    ),
    "training:instructor_list": Page(SIGNED_IN(), shows=("instructor_other",)),
    "training:instructor_create": Page(WRITE(STAFF), post=WRITE(STAFF)),
    "training:instructor_detail": Page(SIGNED_IN(), targets=("instructor_own", "instructor_other")),
    "training:instructor_edit": Page(
        WRITE(STAFF), post=WRITE(STAFF), targets=("instructor_own", "instructor_other")
    ),
    "training:trip_create": Page(
        WRITE(STAFF), post=WRITE(STAFF), targets=("instructor_own", "instructor_other")
    ),
    "training:calendar": Page(PUBLIC()),
    "training:calendar_public": Page(PUBLIC()),
    "training:calendar_feed_new": Page(POST_ONLY(), post=WRITE(*SIGNED, name="OWN_FEED")),
    "training:calendar_feed_revoke": Page(POST_ONLY(), post=WRITE(*SIGNED, name="OWN_FEED")),
    "training:calendar_feed": Page(
        PUBLIC(),
        kwargs=lambda w, t: {"key": w.feed_keys["coord_kwt"]},
        note="the secret address shows what its owner (Kuwait's coordinator) sees, to anyone",
    ),
    "training:my_training": Page(ONLY({P})),
    "training:my_sessions": Page(ONLY({I})),
    "verify_form": Page(PUBLIC()),
    "verify_certificate": Page(
        CODE_IS_THE_KEY, targets=both("certificate"), kwargs=lambda w, t: {"code": w[t].code}
    ),
    "verify/<str:code>/": Page(
        CODE_IS_THE_KEY, targets=both("certificate"), kwargs=lambda w, t: {"code": w[t].code}
    ),
    "training:participant_data_export": Page(
        ONLY(STAFF | COORDINATORS | {P}, check_role_first=False),
        targets=participants,
        kwargs=lambda w, t: {"pk": w[t].pk, "fmt": "json"},
    ),
    "training:my_data_export": Page(ONLY({P}), kwargs={"fmt": "json"}, shows=("participant_kwt",)),
    "training:anonymisation_due": Page(ONLY({A, C}), post=ONLY({A, C})),
    "training:participant_anonymise": Page(ONLY({A, C}), post=ONLY({A, C}), targets=participants),
    # -- programmes (agreed and active: their content is changed by NATO staff) ------------------
    "programmes:programme_list": Page(SIGNED_IN(), shows=programmes),
    "programmes:programme_create": Page(WRITE(NATO, COORDINATORS), post=WRITE(NATO, COORDINATORS)),
    "programmes:programme_export": Page(SIGNED_IN(), shows=programmes),
    "programmes:programme_detail": Page(SIGNED_IN(), targets=programmes),
    "programmes:programme_edit": Page(WRITE(NATO), post=WRITE(NATO), targets=programmes),
    "programmes:programme_delete": Page(POST_ONLY(), post=WRITE(NATO, "coord"), targets=programmes),
    "programmes:programme_transition": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=programmes,
        kwargs=lambda w, t: {"pk": w[t].pk, "action": "close"},
    ),
    "programmes:objective_create": Page(
        POST_ONLY(), post=WRITE(NATO), targets=programmes, data={"title": "Matrix objective"}
    ),
    "programmes:version_list": Page(SIGNED_IN(), targets=programmes),
    "programmes:version_detail": Page(
        SIGNED_IN(), targets=programmes, kwargs=lambda w, t: {"pk": w[t].pk, "number": 1}
    ),
    "programmes:version_diff": Page(SIGNED_IN(), targets=programmes),
    "programmes:matches_confirm": Page(POST_ONLY(), post=WRITE(NATO), targets=programmes),
    "programmes:programme_matches": Page(WRITE(NATO), targets=programmes),
    "programmes:objective_edit": Page(
        SIGNED_IN(), post=WRITE(NATO), targets=both("objective"), data={"title": "Changed"}
    ),
    "programmes:objective_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=both("objective")),
    "programmes:goal_create": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=both("objective"),
        data={"goal-title": "Matrix goal"},
    ),
    "programmes:goal_detail": Page(SIGNED_IN(), targets=both("goal")),
    "programmes:goal_edit": Page(
        SIGNED_IN(), post=WRITE(NATO), targets=both("goal"), data={"title": "Changed"}
    ),
    "programmes:goal_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=both("goal")),
    "programmes:item_add": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=both("goal"),
        data=lambda w, t: {"activity": w["activity"].pk, "planned_year": str(_year() + 1)},
    ),
    "programmes:item_detail": Page(
        SIGNED_IN(),
        post=WRITE(NATO),
        targets=both("item"),
        data=lambda w, t: {"priority": "2", "planned_year": str(_year()), "seats": "3"},
    ),
    "programmes:item_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=both("item")),
    "programmes:delivery_create": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=both("item"),
        data={"kind": "other", "title": "Matrix delivery", "delivered_on": "2020-01-01"},
    ),
    "programmes:delivery_delete": Page(POST_ONLY(), post=WRITE(NATO), targets=both("delivery")),
    "programmes:request_list": Page(SIGNED_IN(), shows=both("request")),
    "programmes:request_create": Page(WRITE(NATO, COORDINATORS), post=WRITE(NATO, COORDINATORS)),
    "programmes:request_detail": Page(
        SIGNED_IN(),
        post=WRITE(NATO),
        targets=both("request"),
        data={"action": "respond", "answer-response": "Matrix answer"},
    ),
    # -- the political dialogue (NATO staff write it; Centre staff their own events) --------------
    "dialogue:event_list": Page(PUBLIC(), shows=both("event")),
    "dialogue:event_create": Page(WRITE(STAFF), post=WRITE(STAFF)),
    "dialogue:event_detail": Page(PUBLIC(), targets=(*both("event"), "event_public")),
    "dialogue:event_edit": Page(
        WRITE(NATO), post=WRITE(NATO), targets=(*both("event"), "event_public")
    ),
    "dialogue:event_delete": Page(
        POST_ONLY(), post=WRITE(NATO), targets=(*both("event"), "event_public")
    ),
    "dialogue:citation_add": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=both("event"),
        data=lambda w, t: {
            "attribute": "date",
            "value": "2024-05",
            "source": w["source"].key,
            "kind": "date",
        },
    ),
    "dialogue:action_create": Page(
        WRITE(NATO), post=WRITE(NATO), targets=(*both("event"), "event_public")
    ),
    "dialogue:action_list": Page(SIGNED_IN(), shows=(*both("action"), "action_public")),
    "dialogue:action_edit": Page(
        WRITE(NATO), post=WRITE(NATO), targets=(*both("action"), "action_public")
    ),
    "dialogue:action_state": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=(*both("action"), "action_public"),
        data={"state": "done", "reason": "matrix"},
    ),
    "dialogue:action_delete": Page(
        POST_ONLY(), post=WRITE(NATO), targets=(*both("action"), "action_public")
    ),
    "dialogue:actions_close": Page(
        POST_ONLY(),
        post=WRITE(NATO),
        targets=(*both("action"), "action_public"),
        kwargs={},
        data=lambda w, t: {"ids": [w[t].pk], "confirm": "1", "reason": "matrix"},
    ),
    "dialogue:timeline": Page(PUBLIC()),
    # -- reports ------------------------------------------------------------------------------------
    "reports:dashboard": Page(SIGNED_IN()),
    "reports:records": Page(SIGNED_IN(), kwargs={"key": "trained"}),
    "reports:annual": Page(SIGNED_IN()),
    "reports:annual_download": Page(
        SIGNED_IN(), kwargs=lambda w, t: {"year": _year(), "fmt": "csv"}
    ),
    "reports:annual_lock": Page(
        POST_ONLY(), post=WRITE(STAFF, gate=STAFF), kwargs=lambda w, t: {"year": _year()}
    ),
    "reports:country_index": Page(
        CUSTOM(
            "COUNTRY_REPORTS: staff choose; a coordinator goes to their own; others 404",
            {
                "anon": LOGIN,
                **dict.fromkeys(STAFF, OK),
                K: 302,
                Q: 302,
                I: NOT_FOUND,
                P: NOT_FOUND,
            },
        )
    ),
    "reports:country": Page(
        SIGNED_IN(),
        targets=both("country_report"),
        kwargs=lambda w, t: {"iso3": t[-3:].upper()},
    ),
    "reports:country_download": Page(
        SIGNED_IN(),
        targets=both("country_report"),
        kwargs=lambda w, t: {"iso3": t[-3:].upper(), "fmt": "csv"},
    ),
    "reports:snapshot_list": Page(
        CUSTOM(
            "SNAPSHOTS: staff; others 404",
            {"anon": LOGIN, **{r: (OK if r in STAFF else NOT_FOUND) for r in SIGNED}},
        )
    ),
    "reports:snapshot_detail": Page(SIGNED_IN(), targets=("snapshot",)),
    "reports:public": Page(PUBLIC()),
    # -- the API's own pages (its operations are in OPERATIONS) ------------------------------------
    "api:openapi-json": Page(PUBLIC()),
    "api:openapi-view": Page(PUBLIC()),
    "api:api-root": Page(CUSTOM("API_ROOT: nothing there", dict.fromkeys(ROLES, NOT_FOUND))),
    # -- Django's admin: administrators only ------------------------------------------------------
    "admin:index": Page(ADMIN_ONLY()),
    "admin:login": Page(
        CUSTOM("ADMIN_LOGIN: icihub's sign-in page is the only way in", dict.fromkeys(ROLES, LOGIN))
    ),
    "admin:logout": Page(
        CUSTOM(
            "ADMIN_ONLY; sign-out by POST; others go to the admin's index (-> sign in)",
            {r: (NOT_ALLOWED if r == A else 302) for r in ROLES},
        ),
        post=CUSTOM(
            "ADMIN_ONLY; others go to the admin's index (-> sign in)",
            {r: (OK if r == A else 302) for r in ROLES},
        ),
    ),
    "admin:password_change": Page(ADMIN_ONLY(), post=ADMIN_ONLY()),
    "admin:password_change_done": Page(ADMIN_ONLY()),
    "admin:autocomplete": Page(
        CUSTOM(
            "ADMIN_ONLY; a query without a field is refused",
            {r: (FORBIDDEN if r == A else LOGIN) for r in ROLES},
        )
    ),
    "admin:jsi18n": Page(ADMIN_ONLY()),
    "admin:view_on_site": Page(
        CUSTOM("ADMIN_ONLY; to the record's page", {r: (302 if r == A else LOGIN) for r in ROLES}),
        kwargs=lambda w, t: _view_on_site(w),
    ),
    "admin:app_list": Page(ADMIN_ONLY(), kwargs={"app_label": "training"}),
    "admin/(?P<url>.*)$": Page(
        CUSTOM(
            "ADMIN_ONLY; unknown addresses 404",
            {r: (NOT_FOUND if r == A else LOGIN) for r in ROLES},
        ),
        kwargs={"url": "nothing/here/"},
    ),
    # -- gulf: the Gulf calendar (issue 10); everyone reads, staff edit ---------------------------
    "gulf:index": Page(PUBLIC()),
    "gulf:year": Page(PUBLIC(), kwargs={"year": 2027}, shows=("closure",)),
    "gulf:islamic_set": Page(
        POST_ONLY(),
        post=WRITE(STAFF, gate=STAFF),
        kwargs={"hijri_year": 1448, "event": "ramadan"},
        data={"ramadan-1448-shift_days": "1", "ramadan-1448-note": "matrix"},
    ),
    "gulf:closure_create": Page(
        ONLY(STAFF),
        post=ONLY(STAFF),
        data={"name": "Matrix break", "start": "2027-07-18", "end": "2027-07-22", "hard": "on"},
    ),
    "gulf:closure_edit": Page(
        WRITE(STAFF, gate=STAFF),
        post=WRITE(STAFF, gate=STAFF),
        targets=("closure",),
        data={"name": "Matrix break", "start": "2027-07-18", "end": "2027-07-22"},
    ),
    "gulf:closure_delete": Page(POST_ONLY(), post=WRITE(STAFF, gate=STAFF), targets=("closure",)),
    # -- planning: the year planner (issue 10); staff plan, coordinators read published plans --
    "planning:plan_list": Page(SIGNED_IN()),
    "planning:plan_create": Page(POST_ONLY(), post=WRITE(STAFF), data={"year": 2033}),
    "planning:my_plan": Page(ONLY({I})),
    "planning:plan_detail": Page(SIGNED_IN(), targets=_plans),
    "planning:plan_progress": Page(ONLY(STAFF), targets=_plans),
    "planning:plan_solve": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=_plans, data={"time_limit": "1"}
    ),
    "planning:plan_weights": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=_plans, data={"trips": "100"}
    ),
    "planning:plan_publish": Page(POST_ONLY(), post=WRITE(STAFF), targets=_plans),
    "planning:plan_version": Page(POST_ONLY(), post=WRITE(STAFF), targets=_plans),
    "planning:plan_diff": Page(SIGNED_IN(), targets=_plans),
    "planning:run_stop": Page(POST_ONLY(), post=WRITE(STAFF), targets=("plan_run",)),
    "planning:course_edit": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=("plan_course",), data={"iterations": "1"}
    ),
    "planning:session_move": Page(
        WRITE(STAFF, name="PREVIEW: staff"),
        post=WRITE(STAFF),
        targets=_planned,
        data={"start": "2031-03-09"},
    ),
    "planning:session_lock": Page(
        POST_ONLY(), post=WRITE(STAFF), targets=_planned, data={"locked": "1"}
    ),
    # rooms and unavailable periods: staff write; an instructor reads their own periods
    "planning:resources": Page(SIGNED_IN(), shows=("room", *_unavailable)),
    "planning:room_create": Page(
        POST_ONLY(), post=WRITE(STAFF), data={"name": "Matrix annex", "capacity": "1"}
    ),
    "planning:room_edit": Page(
        WRITE(STAFF),
        post=WRITE(STAFF),
        targets=("room",),
        data={"name": "Matrix annex", "capacity": "3"},
    ),
    "planning:room_delete": Page(POST_ONLY(), post=WRITE(STAFF), targets=("room",)),
    "planning:unavailability_create": Page(POST_ONLY(), post=WRITE(STAFF), data=_new_period),
    "planning:unavailability_edit": Page(
        WRITE(STAFF), post=WRITE(STAFF), targets=_unavailable, data=_changed_period
    ),
    "planning:unavailability_delete": Page(POST_ONLY(), post=WRITE(STAFF), targets=_unavailable),
    # -- notifications: one's own ----------------------------------------------------------------
    "notifications:list": Page(SIGNED_IN(), shows=both("notification")),
    "notifications:bell": Page(
        CUSTOM(
            "BELL: the count for the signed-in; nothing (204) for a visitor",
            {r: (204 if r == "anon" else OK) for r in ROLES},
        )
    ),
    "notifications:mark_all_read": Page(POST_ONLY(), post=WRITE(*SIGNED, name="OWN_NOTIFICATIONS")),
    "notifications:mark_read": Page(POST_ONLY(), post=WRITE("owner"), targets=both("notification")),
    "notifications:preferences": Page(
        SIGNED_IN(),
        post=WRITE(*SIGNED, name="OWN_SETTINGS"),
        data={"language": "en"},
    ),
    # -- operations: the probes (no account), the metrics (by address: the test client is
    # 127.0.0.1, allowed by default) and the staff page of the background work ----------------
    "healthz": Page(PUBLIC()),
    "readyz": Page(
        CUSTOM("PROBE: 503 while no worker runs, whoever asks", dict.fromkeys(ROLES, 503))
    ),
    "metrics": Page(PUBLIC(), note="restricted by address or token, not by account"),
    "operations:overview": Page(ONLY(STAFF)),
    # -- home (issue 13: the home page moved out of the kernel into its own top app) ------------
    "home:home": Page(PUBLIC()),
    # -- search boxes of long choice lists (issue 11: instructors, substitutes) --------------
    "training:session_instructor_search": Page(WRITE(STAFF), targets=sessions),
    "training:nomination_substitute_search": Page(WRITE(STAFF, "coord"), targets=nominations_open),
}


def _view_on_site(world):
    from django.contrib.contenttypes.models import ContentType

    course = world["course"]
    return {
        "content_type_id": ContentType.objects.get_for_model(course).pk,
        "object_id": course.pk,
    }


# Every model registered in the admin, and whether the admin may only read it.
# Each has six URL patterns (list, add, history, delete, change, and the bare
# object address that redirects to the change page); a model registered later
# and missing here fails the completeness test.
ADMIN_MODELS = {
    "auth.group": "",
    "core.auditentry": "read-only",
    "core.user": "",
    "core.apitoken": "no-add",
    "core.source": "",
    "core.citation": "",
    "partners.framework": "",
    "partners.country": "",
    "partners.organisation": "",
    "partners.grouping": "",
    "partners.partnership": "",
    "partners.person": "",
    "partners.appointment": "",
    "menu.area": "",
    "menu.activity": "",
    "training.course": "",
    "training.session": "",
    "training.seatquota": "",
    "training.participant": "",
    "training.nomination": "",
    "training.attendance": "",
    "training.evaluation": "",
    "training.certificate": "",
    "training.instructor": "",
    "training.assignment": "",
    "training.trip": "",
    "training.calendarfeed": "",
    "dialogue.event": "",
    "dialogue.participant": "",
    "dialogue.attendee": "",
    "dialogue.followupaction": "",
    "reports.snapshot": "read-only",
    "reports.publishedfigure": "",
    # gulf: the Gulf calendar (issue 10)
    "gulf.islamicdate": "",
    "gulf.closure": "",
}


def _admin_pages() -> dict[str, Page]:
    out = {}
    for label, kind in ADMIN_MODELS.items():
        app, model = label.split(".")
        base = f"admin:{app}_{model}"
        object_kwargs = _admin_object(label)
        read_only = kind == "read-only"
        add_rule = ADMIN_ONLY(read_only=read_only or kind == "no-add")
        out[f"{base}_changelist"] = Page(ADMIN_ONLY())
        out[f"{base}_add"] = Page(add_rule, post=add_rule, note="admin writes are the admin's")
        out[f"{base}_history"] = Page(ADMIN_ONLY(), kwargs=object_kwargs)
        out[f"{base}_delete"] = Page(
            ADMIN_ONLY(read_only=read_only),
            post=ADMIN_ONLY(read_only=read_only),
            kwargs=object_kwargs,
        )
        out[f"{base}_change"] = Page(
            ADMIN_ONLY(), post=ADMIN_ONLY(read_only=read_only), kwargs=object_kwargs
        )
        out[f"admin/{app}/{model}/<path:object_id>/"] = Page(
            CUSTOM(
                "ADMIN_ONLY; to the change page", {r: (302 if r == A else LOGIN) for r in ROLES}
            ),
            kwargs=object_kwargs,
        )
    out["admin:auth_user_password_change"] = Page(
        ADMIN_ONLY(), post=ADMIN_ONLY(), kwargs=lambda w, t: {"id": w.users["coord_kwt"].pk}
    )
    return out


def _admin_object(label):
    def kwargs(world, target):
        from django.apps import apps

        model = apps.get_model(label)
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"the world has no {label} for the admin's pages"
        return {"object_id": row.pk}

    return kwargs


PAGES.update(_admin_pages())

# ================================================================================================
# The operations of the API: one entry per operationId (the sign-in page is 401 there)
# ================================================================================================


def _pk(w, t):
    return {"pk": w[t].pk}


def _code(attr):
    return lambda w, t: {"code": getattr(w[t], attr)}


def _citation_of(kind, key_attr):
    """A citation of a reference row (the reference data cite their sources)."""

    def path(w, t):
        row = w[t]
        citation = row.citations.order_by("pk").first()
        assert citation is not None, f"the world's {t} has no citation"
        return {"key": getattr(row, key_attr), "citation_id": citation.pk}

    return path


def _event_child(relation):
    def path(w, t):
        return {"event_id": w[t].event_id, f"{relation}_id": w[t].pk}

    return path


_events = (*both("event"), "event_public")
_people = ("person", "person_hidden")
_certs = both("certificate")
_instructors = ("instructor_own", "instructor_other")

# The API's tokens: each user revokes their own (an administrator revokes
# others' on the page, core:token_revoke); another's token answers 404.
OWN_ONLY = mx.Rule(
    "OWN_ONLY",
    lambda role, target, sees_, w: (
        LOGIN if role == "anon" else (OK if role in OWNERS.get(target, ()) else NOT_FOUND)
    ),
)


def _accounts(role, target, sees_, w):
    """Staff manage accounts; only an administrator manages administrators."""
    if role == "anon":
        return LOGIN
    if not sees_(role, target):
        return NOT_FOUND
    if role not in STAFF or (target == "user_admin" and role != A):
        return FORBIDDEN
    return OK


ACCOUNTS_RULE = mx.Rule("ACCOUNTS: staff; administrators by an administrator", _accounts)
SCORES = dict.fromkeys(
    ("relevance", "content", "instructors", "organisation", "facilities", "overall"), 4
)

OPERATIONS: dict[str, Op] = {
    # -- core --------------------------------------------------------------------------------------
    "icihub_core_api_me": Op(SIGNED_IN()),
    "icihub_core_api_source_list": Op(PUBLIC(), shows=("source_nato",)),
    "icihub_core_api_source_create": Op(WRITE(NATO)),
    "icihub_core_api_source_detail": Op(PUBLIC(), targets=("source", "source_nato")),
    "icihub_core_api_source_replace": Op(WRITE(NATO), targets=("source", "source_nato")),
    "icihub_core_api_source_update": Op(WRITE(NATO), targets=("source", "source_nato")),
    "icihub_core_api_source_delete": Op(WRITE(NATO), targets=("source", "source_nato")),
    "icihub_core_api_user_list": Op(ONLY(STAFF)),
    "icihub_core_api_user_create": Op(
        ONLY(STAFF), body={"username": "mx-new", "role": "participant"}
    ),
    "icihub_core_api_user_detail": Op(
        SIGNED_IN(), targets=("user_coord_kwt", "user_admin", "user_participant")
    ),
    "icihub_core_api_user_update": Op(
        ACCOUNTS_RULE,
        targets=("user_coord_kwt", "user_admin", "user_participant"),
        body={"is_active": True, "reason": "matrix"},
    ),
    "icihub_core_api_token_list": Op(SIGNED_IN()),
    "icihub_core_api_token_create": Op(WRITE(*SIGNED, name="OWN_TOKENS")),
    "icihub_core_api_token_revoke": Op(
        OWN_ONLY, targets=("token_coord_kwt", "token_admin"), note="the API revokes one's own"
    ),
    "icihub_core_api_audit_list": Op(ONLY(STAFF)),
    # -- partners ----------------------------------------------------------------------------------
    "icihub_partners_api_framework_list": Op(PUBLIC()),
    "icihub_partners_api_framework_create": Op(WRITE(NATO)),
    "icihub_partners_api_framework_detail": Op(PUBLIC(), targets=("framework",)),
    "icihub_partners_api_framework_replace": Op(WRITE(NATO), targets=("framework",)),
    "icihub_partners_api_framework_update": Op(WRITE(NATO), targets=("framework",)),
    "icihub_partners_api_framework_delete": Op(WRITE(NATO), targets=("framework",)),
    "icihub_partners_api_country_list": Op(PUBLIC()),
    "icihub_partners_api_country_create": Op(WRITE(NATO)),
    "icihub_partners_api_country_detail": Op(PUBLIC(), targets=both("country"), path=_code("iso3")),
    "icihub_partners_api_country_replace": Op(
        WRITE(NATO), targets=("country_kwt",), path=_code("iso3")
    ),
    "icihub_partners_api_country_update": Op(
        WRITE(NATO), targets=("country_kwt",), path=_code("iso3")
    ),
    "icihub_partners_api_country_delete": Op(
        WRITE(NATO), targets=("country_kwt",), path=_code("iso3")
    ),
    "icihub_partners_api_partnership_list": Op(PUBLIC()),
    "icihub_partners_api_partnership_create": Op(
        WRITE(NATO),
        body={"country": "KWT", "framework": "ici", "status": "member"},
    ),
    "icihub_partners_api_partnership_detail": Op(PUBLIC(), targets=("partnership_kwt",)),
    "icihub_partners_api_partnership_replace": Op(
        WRITE(NATO),
        targets=("partnership_kwt",),
        body={"country": "KWT", "framework": "ici", "status": "member"},
    ),
    "icihub_partners_api_partnership_update": Op(WRITE(NATO), targets=("partnership_kwt",)),
    "icihub_partners_api_partnership_delete": Op(WRITE(NATO), targets=("partnership_kwt",)),
    "icihub_partners_api_organisation_list": Op(PUBLIC()),
    "icihub_partners_api_organisation_create": Op(
        WRITE(NATO),
        body={"name": "Matrix organisation", "kind": "nato_body"},
    ),
    "icihub_partners_api_organisation_detail": Op(PUBLIC(), targets=("organisation",)),
    "icihub_partners_api_organisation_replace": Op(
        WRITE(NATO),
        targets=("organisation",),
        body={"name": "Matrix organisation", "kind": "nato_body"},
    ),
    "icihub_partners_api_organisation_update": Op(WRITE(NATO), targets=("organisation",)),
    "icihub_partners_api_organisation_delete": Op(WRITE(NATO), targets=("organisation",)),
    "icihub_partners_api_person_list": Op(PUBLIC(), shows=("person_hidden",)),
    "icihub_partners_api_person_create": Op(WRITE(NATO)),
    "icihub_partners_api_person_detail": Op(PUBLIC(), targets=_people),
    "icihub_partners_api_person_replace": Op(WRITE(NATO), targets=_people),
    "icihub_partners_api_person_update": Op(WRITE(NATO), targets=_people),
    "icihub_partners_api_person_delete": Op(WRITE(NATO), targets=_people),
    "icihub_partners_api_appointment_list": Op(PUBLIC(), targets=_people),
    "icihub_partners_api_appointment_create": Op(
        WRITE(NATO),
        targets=_people,
        body={"organisation": "nato-ici-rc", "title": "Matrix post"},
    ),
    **{
        f"icihub_partners_api_appointment_{verb}": Op(
            rule,
            targets=("appointment",),
            path=lambda w, t: {"slug": w[t].person.slug, "appointment_id": w[t].pk},
        )
        for verb, rule in (
            ("detail", PUBLIC()),
            ("update", WRITE(NATO)),
            ("delete", WRITE(NATO)),
        )
    },
    "icihub_partners_api_appointment_replace": Op(
        WRITE(NATO),
        targets=("appointment",),
        path=lambda w, t: {"slug": w[t].person.slug, "appointment_id": w[t].pk},
        body={"organisation": "nato-ici-rc", "title": "Matrix post"},
    ),
    "partners_framework_citation_add": Op(
        WRITE(NATO), targets=("framework",), path=lambda w, t: {"key": w[t].code}
    ),
    "partners_framework_citation_remove": Op(
        WRITE(NATO), targets=("framework",), path=_citation_of("framework", "code")
    ),
    "partners_partnership_citation_add": Op(
        WRITE(NATO), targets=("partnership_kwt",), path=lambda w, t: {"key": w[t].pk}
    ),
    "partners_partnership_citation_remove": Op(
        WRITE(NATO), targets=("partnership_kwt",), path=_citation_of("partnership", "pk")
    ),
    "partners_organisation_citation_add": Op(
        WRITE(NATO), targets=("organisation",), path=lambda w, t: {"key": w[t].slug}
    ),
    "partners_organisation_citation_remove": Op(
        WRITE(NATO), targets=("organisation",), path=_citation_of("organisation", "slug")
    ),
    "partners_person_citation_add": Op(
        WRITE(NATO), targets=_people, path=lambda w, t: {"key": w[t].slug}
    ),
    "partners_person_citation_remove": Op(
        WRITE(NATO),
        targets=("citation",),
        path=lambda w, t: {"key": w["person_hidden"].slug, "citation_id": w[t].pk},
    ),
    # -- menu --------------------------------------------------------------------------------------
    "icihub_menu_api_list_activities": Op(PUBLIC(), shows=("activity_nato",)),
    "icihub_menu_api_create_activity": Op(WRITE(STAFF)),
    "icihub_menu_api_facets": Op(PUBLIC()),
    "icihub_menu_api_get_activity": Op(PUBLIC(), targets=("activity", "activity_nato")),
    "icihub_menu_api_update_activity": Op(WRITE(STAFF), targets=("activity", "activity_nato")),
    "icihub_menu_api_retire_activity": Op(WRITE(STAFF), targets=("activity", "activity_nato")),
    "icihub_menu_api_reinstate_activity": Op(WRITE(STAFF), targets=("activity", "activity_nato")),
    "icihub_menu_api_list_areas": Op(PUBLIC()),
    "icihub_menu_api_get_area": Op(PUBLIC(), targets=("area",)),
    "icihub_menu_api_import_menu": Op(
        WRITE(STAFF), files={"file": ("menu.xlsx", b"Matrix: not a workbook")}
    ),
    "icihub_menu_api_export_menu": Op(PUBLIC(), shows=("activity_nato",)),
    # -- training ----------------------------------------------------------------------------------
    "icihub_training_api_course_list": Op(PUBLIC()),
    "icihub_training_api_course_create": Op(
        WRITE(STAFF), body={"code": "MX-NEW", "title": "Matrix new", "provider": "nato-ici-rc"}
    ),
    "icihub_training_api_course_detail": Op(PUBLIC(), targets=("course",)),
    "icihub_training_api_course_update": Op(WRITE(STAFF), targets=("course",)),
    "icihub_training_api_session_list": Op(PUBLIC()),
    "icihub_training_api_session_create": Op(
        WRITE(STAFF), body=lambda w, t: {"course": w["course"].pk, "start": "2030-01-15"}
    ),
    "icihub_training_api_session_detail": Op(PUBLIC(), targets=sessions),
    **{
        f"icihub_training_api_session_{verb}": Op(WRITE(STAFF), targets=sessions)
        for verb in ("update", "quotas", "state", "reallocate", "complete")
    },
    "icihub_training_api_participant_list": Op(SIGNED_IN(), shows=participants),
    "icihub_training_api_participant_create": Op(
        WRITE(STAFF, COORDINATORS),
        body={"given_name": "New", "family_name": "Matrix", "country": "KWT", "service": "army"},
    ),
    "icihub_training_api_participant_detail": Op(SIGNED_IN(), targets=participants),
    "icihub_training_api_participant_update": Op(WRITE(STAFF, "coord"), targets=participants),
    "icihub_training_api_nomination_list": Op(SIGNED_IN(), shows=participants),
    "icihub_training_api_nomination_create": Op(
        WRITE(STAFF, "coord"),
        targets=participants,
        path={},
        body=lambda w, t: {"session": w["session_done"].pk, "participant": w[t].pk},
        note="the participant named in the body is the row",
    ),
    "icihub_training_api_nomination_detail": Op(SIGNED_IN(), targets=nominations),
    "icihub_training_api_nomination_accept": Op(WRITE(STAFF), targets=nominations_open),
    "icihub_training_api_nomination_reject": Op(WRITE(STAFF), targets=nominations_open),
    "icihub_training_api_nomination_withdraw": Op(
        WRITE(STAFF, "coord", "owner"), targets=nominations_open
    ),
    "icihub_training_api_nomination_substitute": Op(
        WRITE(STAFF, "coord"),
        targets=nominations_open,
        body=lambda w, t: {"participant": w[f"participant_{t[-3:]}"].pk},
    ),
    "icihub_training_api_nomination_decide_many": Op(
        WRITE(STAFF), targets=sessions, body={"nominations": [1], "decision": "accept"}
    ),
    "icihub_training_api_session_lifecycle": Op(
        ONLY(STAFF, check_role_first=False), targets=sessions
    ),
    "icihub_training_api_attendance_list": Op(SIGNED_IN()),
    "icihub_training_api_attendance_record": Op(WRITE(STAFF, "owner"), targets=sessions),
    "icihub_training_api_evaluation_list": Op(SIGNED_IN(), shows=("evaluation_kwt",)),
    "icihub_training_api_evaluation_create": Op(
        WRITE(STAFF, "owner"),
        targets=nominations_done,
        path={},
        body=lambda w, t: {"nomination": w[t].pk, **SCORES},
        note="the nomination named in the body is the row",
    ),
    "icihub_training_api_evaluation_summary": Op(
        WRITE(STAFF, "owner", name="STAFF_AND_THE_SESSION_INSTRUCTORS"), targets=sessions
    ),
    "icihub_training_api_course_evaluation_summary": Op(ONLY(STAFF), targets=("course",)),
    "icihub_training_api_certificate_list": Op(SIGNED_IN()),
    "icihub_training_api_certificate_issue": Op(
        WRITE(STAFF),
        targets=nominations_done,
        path={},
        body=lambda w, t: {"nomination": w[t].pk},
        note="the nomination named in the body is the row",
    ),
    "icihub_training_api_certificate_detail": Op(SIGNED_IN(), targets=_certs),
    "icihub_training_api_certificate_pdf": Op(SIGNED_IN(), targets=_certs),
    "icihub_training_api_session_certificates": Op(WRITE(STAFF), targets=sessions),
    "icihub_training_api_certificate_revoke": Op(WRITE(STAFF), targets=_certs),
    "icihub_training_api_verify": Op(
        CODE_IS_THE_KEY,
        targets=_certs,
        path=lambda w, t: {"code": w[t].code},
    ),
    "icihub_training_api_instructor_list": Op(SIGNED_IN(), shows=("instructor_other",)),
    "icihub_training_api_instructor_create": Op(
        WRITE(STAFF),
        body={"full_name": "Matrix new", "organisation": "nato-school", "country": "ITA"},
    ),
    "icihub_training_api_instructor_detail": Op(SIGNED_IN(), targets=_instructors),
    "icihub_training_api_instructor_update": Op(WRITE(STAFF), targets=_instructors),
    "icihub_training_api_assignment_list": Op(SIGNED_IN()),
    "icihub_training_api_assignment_create": Op(
        WRITE(STAFF),
        targets=_instructors,
        path={},
        body=lambda w, t: {"session": w["session_done"].pk, "instructor": w[t].pk},
        note="the instructor named in the body is the row",
    ),
    "icihub_training_api_assignment_delete": Op(
        WRITE(STAFF), targets=("assignment_own", "assignment_other")
    ),
    "icihub_training_api_trip_list": Op(SIGNED_IN(), shows=("trip_other",)),
    "icihub_training_api_trip_create": Op(
        WRITE(STAFF),
        targets=_instructors,
        path={},
        body=lambda w, t: {
            "instructor": w[t].pk,
            "origin": "Matrix",
            "arrival": "2030-01-15",
            "departure": "2030-01-16",
            "sessions": [],
        },
        note="the instructor named in the body is the row",
    ),
    "icihub_training_api_trip_detail": Op(SIGNED_IN(), targets=("trip_own", "trip_other")),
    "icihub_training_api_trip_delete": Op(WRITE(STAFF), targets=("trip_own", "trip_other")),
    # -- programmes --------------------------------------------------------------------------------
    "icihub_programmes_api_list_programmes": Op(SIGNED_IN(), shows=programmes),
    "icihub_programmes_api_create_programme": Op(
        WRITE(NATO, K, name="WRITE(admin,nato,coordinator of the body's country: Kuwait)"),
        body=lambda w, t: {
            "country": "KWT",
            "kind": "itpp",
            "start_year": _year() + 5,
            "end_year": _year() + 6,
        },
    ),
    "icihub_programmes_api_export_programmes": Op(SIGNED_IN(), shows=programmes),
    "icihub_programmes_api_get_programme": Op(SIGNED_IN(), targets=programmes),
    "icihub_programmes_api_update_programme": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_delete_programme": Op(WRITE(NATO, "coord"), targets=programmes),
    "icihub_programmes_api_submit": Op(WRITE(NATO, "coord"), targets=programmes),
    "icihub_programmes_api_return_to_draft": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_agree": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_activate": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_close": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_add_objective": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_update_objective": Op(WRITE(NATO), targets=both("objective")),
    "icihub_programmes_api_delete_objective": Op(WRITE(NATO), targets=both("objective")),
    "icihub_programmes_api_add_goal": Op(WRITE(NATO), targets=both("objective")),
    "icihub_programmes_api_update_goal": Op(WRITE(NATO), targets=both("goal")),
    "icihub_programmes_api_delete_goal": Op(WRITE(NATO), targets=both("goal")),
    "icihub_programmes_api_goal_recommendations": Op(SIGNED_IN(), targets=both("goal")),
    "icihub_programmes_api_add_item": Op(
        WRITE(NATO), targets=both("goal"), body=lambda w, t: {"activity": w["activity"].code}
    ),
    "icihub_programmes_api_get_item": Op(SIGNED_IN(), targets=both("item")),
    "icihub_programmes_api_update_item": Op(WRITE(NATO), targets=both("item")),
    "icihub_programmes_api_delete_item": Op(WRITE(NATO), targets=both("item")),
    "icihub_programmes_api_list_versions": Op(SIGNED_IN(), targets=programmes),
    "icihub_programmes_api_get_version": Op(
        SIGNED_IN(), targets=programmes, path=lambda w, t: {"pk": w[t].pk, "number": 1}
    ),
    "icihub_programmes_api_diff": Op(SIGNED_IN(), targets=programmes, params={"from": 1, "to": 1}),
    "icihub_programmes_api_execution": Op(SIGNED_IN(), targets=programmes),
    "icihub_programmes_api_confirm_matches": Op(WRITE(NATO), targets=programmes),
    "icihub_programmes_api_list_deliveries": Op(SIGNED_IN(), targets=both("item")),
    "icihub_programmes_api_record_delivery": Op(WRITE(NATO), targets=both("item")),
    "icihub_programmes_api_delete_delivery": Op(WRITE(NATO), targets=both("delivery")),
    "icihub_programmes_api_list_requests": Op(SIGNED_IN(), shows=both("request")),
    "icihub_programmes_api_create_request": Op(WRITE(NATO, COORDINATORS)),
    "icihub_programmes_api_unanswered": Op(SIGNED_IN()),
    "icihub_programmes_api_get_request": Op(SIGNED_IN(), targets=both("request")),
    "icihub_programmes_api_respond": Op(WRITE(NATO), targets=both("request")),
    "icihub_programmes_api_close_request": Op(WRITE(NATO, "coord"), targets=both("request")),
    # -- the political dialogue --------------------------------------------------------------------
    "icihub_dialogue_api_event_list": Op(PUBLIC(), shows=both("event")),
    "icihub_dialogue_api_event_create": Op(
        WRITE(NATO), note="Centre staff record only the Centre's events: this body is not one"
    ),
    "icihub_dialogue_api_event_detail": Op(PUBLIC(), targets=_events),
    "icihub_dialogue_api_event_replace": Op(WRITE(NATO), targets=_events),
    "icihub_dialogue_api_event_update": Op(WRITE(NATO), targets=_events),
    "icihub_dialogue_api_event_delete": Op(WRITE(NATO), targets=_events),
    "icihub_dialogue_api_participant_add": Op(
        WRITE(NATO), targets=both("event"), path=lambda w, t: {"event_id": w[t].pk}
    ),
    "icihub_dialogue_api_participant_remove": Op(
        WRITE(NATO), targets=both("event_participant"), path=_event_child("participant")
    ),
    "icihub_dialogue_api_attendee_add": Op(
        WRITE(NATO), targets=both("event"), path=lambda w, t: {"event_id": w[t].pk}
    ),
    "icihub_dialogue_api_attendee_remove": Op(
        WRITE(NATO), targets=both("attendee"), path=_event_child("attendee")
    ),
    "icihub_dialogue_api_citation_add": Op(
        WRITE(NATO),
        targets=both("event"),
        path=lambda w, t: {"event_id": w[t].pk},
        body=lambda w, t: {"attribute": "date", "value": "2024-05", "source": w["source"].key},
    ),
    "icihub_dialogue_api_citation_remove": Op(
        WRITE(NATO),
        targets=both("event_citation"),
        path=lambda w, t: {"event_id": w[t].object_id, "citation_id": w[t].pk},
    ),
    "icihub_dialogue_api_action_list": Op(SIGNED_IN(), shows=(*both("action"), "action_public")),
    "icihub_dialogue_api_action_detail": Op(
        SIGNED_IN(), targets=(*both("action"), "action_public")
    ),
    "icihub_dialogue_api_action_update": Op(
        WRITE(NATO), targets=(*both("action"), "action_public")
    ),
    "icihub_dialogue_api_action_delete": Op(
        WRITE(NATO), targets=(*both("action"), "action_public")
    ),
    "icihub_dialogue_api_action_create": Op(
        WRITE(NATO), targets=_events, path=lambda w, t: {"event_id": w[t].pk}
    ),
    "icihub_dialogue_api_timeline": Op(PUBLIC()),
    # -- reports -----------------------------------------------------------------------------------
    "icihub_reports_api_list_figures": Op(SIGNED_IN()),
    "icihub_reports_api_get_figure": Op(SIGNED_IN(), path={"key": "trained"}),
    "icihub_reports_api_figure_records": Op(SIGNED_IN(), path={"key": "trained"}),
    "icihub_reports_api_annual_report": Op(SIGNED_IN(), path=lambda w, t: {"year": _year()}),
    "icihub_reports_api_country_report": Op(
        SIGNED_IN(), targets=both("country_report"), path=lambda w, t: {"iso3": t[-3:].upper()}
    ),
    "icihub_reports_api_published_figures": Op(PUBLIC()),
    "icihub_reports_api_list_snapshots": Op(SIGNED_IN()),
    "icihub_reports_api_lock_snapshot": Op(
        WRITE(STAFF, gate=STAFF), body=lambda w, t: {"year": _year()}
    ),
    "icihub_reports_api_get_snapshot": Op(SIGNED_IN(), targets=("snapshot",)),
    # -- gulf: the Gulf calendar (issue 10); everyone reads, staff write ------------------------
    "icihub_gulf_api_year_blocks": Op(PUBLIC(), path={"year": 2027}, shows=("closure",)),
    "icihub_gulf_api_problems": Op(PUBLIC(), params={"start": "2027-02-14", "end": "2027-02-18"}),
    "icihub_gulf_api_islamic_list": Op(PUBLIC(), path={"year": 2027}),
    "icihub_gulf_api_islamic_set": Op(
        WRITE(STAFF, gate=STAFF),
        path={"hijri_year": 1448, "event": "ramadan"},
        body={"shift_days": 1, "confirmed": True},
    ),
    "icihub_gulf_api_closure_list": Op(PUBLIC(), shows=("closure",)),
    "icihub_gulf_api_closure_detail": Op(PUBLIC(), targets=("closure",)),
    "icihub_gulf_api_closure_create": Op(
        WRITE(STAFF, gate=STAFF),
        body={"name": "Matrix break", "start": "2027-07-18", "end": "2027-07-22"},
    ),
    "icihub_gulf_api_closure_update": Op(
        WRITE(STAFF, gate=STAFF), targets=("closure",), body={"name": "Matrix break 2"}
    ),
    "icihub_gulf_api_closure_delete": Op(WRITE(STAFF, gate=STAFF), targets=("closure",)),
    # -- planning: the year planner (issue 10) --------------------------------------------------
    "icihub_planning_api_plan_list": Op(PUBLIC()),
    "icihub_planning_api_plan_create": Op(WRITE(STAFF), body={"year": 2033}),
    "icihub_planning_api_plan_detail": Op(PUBLIC(), targets=_plans),
    "icihub_planning_api_plan_weights": Op(
        WRITE(STAFF), targets=_plans, body={"weights": {"trips": 100}}
    ),
    "icihub_planning_api_course_update": Op(
        WRITE(STAFF), targets=("plan_course",), body={"iterations": 1}
    ),
    "icihub_planning_api_plan_solve": Op(WRITE(STAFF), targets=_plans, body={"time_limit": 1}),
    "icihub_planning_api_run_detail": Op(PUBLIC(), targets=("plan_run",)),
    "icihub_planning_api_run_stop": Op(WRITE(STAFF), targets=("plan_run",)),
    **{
        f"icihub_planning_api_session_{verb}": Op(
            WRITE(STAFF), targets=_planned, body={"start": "2031-03-09"}
        )
        for verb in ("preview", "move", "lock")
    },
    "icihub_planning_api_plan_publish": Op(WRITE(STAFF), targets=_plans),
    "icihub_planning_api_plan_new_version": Op(WRITE(STAFF), targets=_plans),
    "icihub_planning_api_plan_diff": Op(PUBLIC(), targets=_plans),
    "icihub_planning_api_my_sessions": Op(SIGNED_IN()),
    "icihub_planning_api_room_list": Op(PUBLIC(), shows=("room",)),
    "icihub_planning_api_room_create": Op(WRITE(STAFF), body={"name": "Matrix annex"}),
    "icihub_planning_api_room_detail": Op(PUBLIC(), targets=("room",)),
    "icihub_planning_api_room_update": Op(WRITE(STAFF), targets=("room",), body={"capacity": 3}),
    "icihub_planning_api_room_delete": Op(WRITE(STAFF), targets=("room",)),
    "icihub_planning_api_unavailability_list": Op(PUBLIC(), shows=_unavailable),
    "icihub_planning_api_unavailability_create": Op(WRITE(STAFF), body=_new_period),
    "icihub_planning_api_unavailability_detail": Op(PUBLIC(), targets=_unavailable),
    "icihub_planning_api_unavailability_update": Op(
        WRITE(STAFF), targets=_unavailable, body={"end": "2031-04-20"}
    ),
    "icihub_planning_api_unavailability_delete": Op(WRITE(STAFF), targets=_unavailable),
    # -- notifications: one's own ------------------------------------------------------------------
    "icihub_notifications_api_notification_list": Op(SIGNED_IN(), shows=both("notification")),
    "icihub_notifications_api_unread_count": Op(SIGNED_IN()),
    "icihub_notifications_api_mark_all_read": Op(WRITE(*SIGNED, name="OWN_NOTIFICATIONS")),
    "icihub_notifications_api_mark_read": Op(
        WRITE("owner"),
        targets=both("notification"),
        path=lambda w, t: {"notification_id": w[t].pk},
    ),
    "icihub_notifications_api_preferences": Op(SIGNED_IN()),
    "icihub_notifications_api_preferences_update": Op(
        WRITE(*SIGNED, name="OWN_SETTINGS"), body={"language": "en"}
    ),
    # -- operations: the background work (staff) ----------------------------------------------------
    "icihub_operations_api_run_list": Op(ONLY(STAFF)),
    "icihub_operations_api_status": Op(ONLY(STAFF)),
}

# ================================================================================================
# The tests
# ================================================================================================


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per module (and per worker) inside a transaction
    rolled back at the end; each test runs in a savepoint of it."""
    from icihub.api import api as ninja_api

    # The OpenAPI document is the same for every role and takes seconds to
    # build: the documentation pages are tried with it built once.
    original = ninja_api.get_openapi_schema
    documents = {}

    def cached_schema(*args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in documents:
            documents[key] = original(*args, **kwargs)
        return copy.deepcopy(documents[key])

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        ninja_api.get_openapi_schema = cached_schema
        try:
            built = build_world()
            built.clients = mx.Clients(built)
            yield built
        finally:
            del ninja_api.get_openapi_schema
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.ICIHUB_API_RATE_TOKEN = 0
    settings.ICIHUB_API_RATE_ANON = 0
    settings.ICIHUB_VERIFY_RATE = 0
    settings.ICIHUB_PASSWORD_RESET_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


ROUTES = mx.site_routes()


def _api_route(route) -> bool:
    return route.pattern.startswith("api/v1/") and route.key not in PAGES


def test_every_route_is_in_the_matrix():
    """A URL pattern without an entry fails here, by name: add it to PAGES."""
    missing = [r.key for r in ROUTES if r.key not in PAGES and not _api_route(r)]
    assert not missing, "URL patterns missing from the access matrix (PAGES):\n  " + "\n  ".join(
        missing
    )
    stale = set(PAGES) - {r.key for r in ROUTES}
    assert not stale, f"PAGES names URL patterns that no longer exist: {sorted(stale)}"


def test_api_urls_are_operations_of_the_document():
    """Every API URL pattern is an operation of the OpenAPI document (none is
    hidden from it, so none escapes OPERATIONS)."""
    paths = {path for _m, path, _o in mx.cached_operations().values()}
    hidden = []
    for route in ROUTES:
        if not _api_route(route):
            continue
        path = "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route.pattern)
        if path not in paths:
            hidden.append(route.pattern)
    assert not hidden, f"API URLs not in the OpenAPI document: {hidden}"


def test_every_api_operation_is_in_the_matrix():
    operations = mx.cached_operations()
    missing = [
        f"{op_id} ({method} {path})"
        for op_id, (method, path, _o) in operations.items()
        if op_id not in OPERATIONS
    ]
    assert not missing, (
        "API operations missing from the access matrix (OPERATIONS):\n  " + "\n  ".join(missing)
    )
    stale = set(OPERATIONS) - set(operations)
    assert not stale, f"OPERATIONS names operations that no longer exist: {sorted(stale)}"


def _kwargs(route, page, world, target):
    if callable(page.kwargs):
        return page.kwargs(world, target)
    if page.kwargs is not None:
        return dict(page.kwargs)
    if target is None:
        return {}
    return mx.default_kwargs(route.pattern, world[target])


def _data(spec, world, target):
    if callable(spec):
        return spec(world, target)
    return dict(spec or {})


def _describe(role, target, method, url, expected, response):
    got = mx.outcome(response, api=False)
    where = response.get("Location", "")
    return (
        f"{method} {url} as {role}"
        + (f" on {target}" if target else "")
        + f": expected {expected}, got {got}{(' -> ' + where) if where else ''}"
    )


def _check_body(problems, response, role, page_or_op, world, target, url, method, leak_role=None):
    text = mx.body_of(response)
    who = leak_role or role
    # The public check of a certificate echoes the code its visitor typed and
    # shows what the certificate prints: its holder's name (issue 14 point 6),
    # that certificate's holder only.
    rule = getattr(page_or_op, "get", None) or getattr(page_or_op, "rule", None)
    ignore = ()
    if rule is CODE_IS_THE_KEY:
        holder = [target.replace("certificate_", "participant_")] if target else []
        ignore = (*_certs, *holder)
    leaked = mx.leaks(text, who, sees, ignore=ignore)
    if leaked:
        problems.append(f"{method} {url} as {role}: shows rows it may not see: {leaked}")
    if response.status_code == 200 and method == "GET":
        for key in page_or_op.shows:
            if sees(who, key) and mx.MARKERS[key] not in text:
                problems.append(f"{method} {url} as {role}: does not show {key}")


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if not _api_route(r)], ids=lambda r: r.key)
def test_page(route, world):
    page = PAGES.get(route.key)
    assert page is not None, f"{route.key} ({route.pattern}) is not in the access matrix"
    clients = world.clients
    problems: list[str] = []
    leak_role = "coord_kwt" if route.key == "training:calendar_feed" else None
    urls = {}
    for target in page.targets:
        url = mx.build_url(route.pattern, _kwargs(route, page, world, target))
        if page.query:
            url += "?" + mx._qs(page.query)
        urls[target] = url

    # reads
    if page.get is not None:
        for target, url in urls.items():
            for role in ROLES:
                expected = page.get.expect(role, target, sees, resolve_writers)
                with mx.rolled_back():
                    response = clients.ui(role).get(url)
                    if not mx.matches(expected, response, api=False, method="GET"):
                        problems.append(_describe(role, target, "GET", url, expected, response))
                    _check_body(
                        problems, response, role, page, world, target, url, "GET", leak_role
                    )

    # writes: the refused ones first, together, then the database must be as before
    if page.post is not None:
        allowed = []
        with mx.rolled_back():
            before = mx.fingerprint()
            for target, url in urls.items():
                for role in ROLES:
                    expected = page.post.expect(role, target, sees, resolve_writers)
                    if expected == OK:
                        allowed.append((target, url, role))
                        continue
                    response = clients.ui(role).post(url, _data(page.data, world, target))
                    if not mx.matches(expected, response, api=False, method="POST"):
                        problems.append(_describe(role, target, "POST", url, expected, response))
                    _check_body(problems, response, role, page, world, target, url, "POST")
            changed = mx.changed_tables(before, mx.fingerprint())
            if changed:
                problems.append(f"refused writes to {route.key} changed {changed}")
        for target, url, role in allowed:
            with mx.rolled_back():
                response = clients.ui(role).post(url, _data(page.data, world, target))
                if not mx.matches(OK, response, api=False, method="POST"):
                    problems.append(_describe(role, target, "POST", url, OK, response))
                _check_body(problems, response, role, page, world, target, url, "POST")
    assert not problems, f"{route.key}: {len(problems)} problems:\n  " + "\n  ".join(problems)


def _op_path(path, op, world, target):
    if callable(op.path):
        values = op.path(world, target)
    elif op.path is not None:
        values = dict(op.path)
    elif target is None:
        values = {}
    else:
        values = mx.default_path_values(path, world[target])
    return mx.api_path(path, values)


def _op_body(op, operation, world, target):
    if callable(op.body):
        return op.body(world, target)
    if op.body is not None:
        return dict(op.body)
    return mx.default_body(operation)


def _describe_api(role, target, method, url, expected, response):
    got = mx.outcome(response, api=True)
    detail = ""
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        detail = " " + response.content.decode("utf-8", "replace")[:160]
    return (
        f"{method} {url} as {role}"
        + (f" on {target}" if target else "")
        + f": expected {expected}, got {got}{detail}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_api_operation(op_id, world):
    operations = mx.cached_operations()
    assert op_id in operations, f"{op_id} is no operation of the OpenAPI document"
    method, path, operation = operations[op_id]
    op = OPERATIONS[op_id]
    clients = world.clients
    problems: list[str] = []
    expects = {
        (target, role): op.rule.expect(role, target, sees, resolve_writers)
        for target in op.targets
        for role in ROLES
    }

    def call(role, target):
        url = _op_path(path, op, world, target)
        body = _op_body(op, operation, world, target) if method != "GET" else None
        response = clients.api(role, method, url, body=body, params=op.params, files=op.files)
        return url, response

    def check(role, target, expected, url, response):
        if method == "GET" and role == "anon" and expected == LOGIN and response.status_code != 401:
            # The API has no sign-in page: a request without a token is the
            # visitor's, who sees public data only (a row is 404, a list holds
            # only public rows; the leak check below proves it).
            expected = NOT_FOUND if target else OK
        if not mx.matches(expected, response, api=True, method=method):
            problems.append(_describe_api(role, target, method, url, expected, response))
        _check_body(problems, response, role, op, world, target, url, method)

    if method == "GET":
        for (target, role), expected in expects.items():
            url, response = call(role, target)
            check(role, target, expected, url, response)
    else:
        with mx.rolled_back():
            before = mx.fingerprint()
            for (target, role), expected in expects.items():
                if expected == OK:
                    continue
                url, response = call(role, target)
                check(role, target, expected, url, response)
            changed = mx.changed_tables(before, mx.fingerprint())
            if changed:
                problems.append(f"refused {method} {path} changed {changed}")
        for (target, role), expected in expects.items():
            if expected != OK:
                continue
            with mx.rolled_back():
                url, response = call(role, target)
                check(role, target, expected, url, response)
    assert not problems, f"{op_id}: {len(problems)} problems:\n  " + "\n  ".join(problems)


@pytest.mark.django_db
def test_every_marker_is_in_its_row(world):
    """The leak check looks for each private row's marker: a marker its row
    does not hold (a renamed field, a trimmed title) could never be found."""
    missing = []
    for key, word in MARKERS.items():
        row = world[key]
        row.refresh_from_db()
        values = [str(getattr(row, f.attname)) for f in row._meta.concrete_fields]
        if not any(word in value for value in values):
            missing.append(f"{key}: {word!r}")
    assert not missing, "markers not in their rows: " + ", ".join(missing)


@pytest.mark.django_db
def test_the_table_agrees_with_the_access_model(world):
    """SEES is written by hand; the access model must give the same answers
    (a row's visibility through ``visible_to``)."""
    from icihub.core.access import can_see

    disagree = []
    pseudo = {"country_report_kwt", "country_report_qat", "citation", *both("event_citation")}
    for key, roles in SEES.items():
        if key in pseudo:
            continue
        obj = world[key]
        for role in ROLES:
            user = world.users.get(role)
            if user is None:
                from django.contrib.auth.models import AnonymousUser

                user = AnonymousUser()
            model_says = can_see(user, obj)
            if model_says != (role in roles):
                disagree.append(f"{key} as {role}: table {role in roles}, model {model_says}")
    assert not disagree, "\n".join(disagree)
