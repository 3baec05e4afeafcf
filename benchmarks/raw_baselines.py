"""The raw-SQL baselines of ``run.py`` (issue 11): for the main list and detail
endpoints, the hand-written SQL of the same read -- the same filter for each
role, the same page and order, and every field the endpoint answers -- its rows
serialised with the stdlib ``json``. ``run.py`` times each beside its endpoint,
in process and over HTTP through ``rawwsgi.py``. Not part of icihub."""

from __future__ import annotations

import datetime as dt
import json


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _nest(row: dict) -> dict:
    """A row whose columns named ``a__b`` become the object ``a`` (None when
    all its columns are: an empty LEFT JOIN)."""
    out: dict = {}
    for name, value in row.items():
        head, sep, tail = name.partition("__")
        if sep:
            out.setdefault(head, {})[tail] = value
        else:
            out[name] = value
    for name, value in out.items():
        if isinstance(value, dict) and all(v is None for v in value.values()):
            out[name] = None
    return out


def _children(cursor, items, name, sql, params=(), build=None) -> None:
    """Each item's list ``name``: the rows of ``sql`` (its ``{ids}`` the
    items' ids, its first column ``parent`` the item's id; ``params`` after the
    ids), in the query's order; a row of one other column is that value."""
    ids = [item["id"] for item in items]
    cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [*ids, *params])
    grouped: dict = {}
    for row in _rows(cursor):
        parent = row.pop("parent")
        if build is not None:
            value = build(row)
        elif len(row) == 1:
            (value,) = row.values()
        else:
            value = _nest(row)
        grouped.setdefault(parent, []).append(value)
    for item in items:
        item[name] = grouped.get(item["id"], [])


def _partial_date(text) -> dict | None:
    """A partial date's stored text as the API's object (its display, precision
    and bounds are derived from the text: left out)."""
    return None if text is None else {"value": text}


def _period(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a partial date's canonical text (``2004``,
    ``2004-12``, ``2004-12-07``, ``a/b``); ValueError for anything else."""

    def bounds(point: str) -> tuple[dt.date, dt.date]:
        parts = [int(p) for p in point.split("-")]
        if len(parts) == 3:
            day = dt.date(*parts)
            return day, day
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        if len(parts) == 1:
            return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
        raise ValueError(point)

    first, _, last = text.partition("/")
    return bounds(first)[0], bounds(last or first)[1]


def _facts(citations: list[dict]) -> list[dict]:
    """A record's citations (in their order) grouped by attribute and by value,
    as the API's facts: a conflict when sources state values that cannot all be
    true (two dates conflict only when their periods do not overlap)."""
    grouped: dict = {}
    for citation in citations:
        by_value = grouped.setdefault(citation["attribute"], {})
        by_value.setdefault(citation["value"], []).append(citation)
    facts = []
    for attribute, by_value in grouped.items():
        conflict = len(by_value) > 1
        if conflict and all(c["kind"] == "date" for cs in by_value.values() for c in cs):
            try:
                periods = [_period(value) for value in by_value]
            except ValueError:
                pass
            else:
                conflict = any(
                    a[1] < b[0] or b[1] < a[0]
                    for i, a in enumerate(periods)
                    for b in periods[i + 1 :]
                )
        values = [
            {"value": value, "sources": [c["source"]["key"] for c in cs], "citations": cs}
            for value, cs in by_value.items()
        ]
        facts.append({"attribute": attribute, "conflict": conflict, "values": values})
    return facts


def raw_baselines(world) -> dict:
    """(read name, role) -> a function running the hand-written SQL of that read
    and serialising what it reads with the stdlib json: every field the
    endpoint answers, read as a plain program would read it -- related rows by
    JOIN (a name, a code, a nested object), each list of child rows (quotas,
    codes of many-to-many relations, participants, attendees, actions,
    citations with their sources) by one query keyed by the page's ids, counts
    by correlated subqueries, and the list's count capped as the API caps it
    (``ICIHUB_LIST_COUNT_CAP``) -- with the endpoint's filter, order and page
    (50). Values the endpoint derives from these without the database (labels,
    URLs, a partial date's display and bounds) are left out; rules of a few
    columns (free seats, overdue, a request's age, the facts of the citations)
    are computed in Python. The orderings are the endpoints' (keep them in
    step when an endpoint changes its order, or its fields). Written against
    the tables as they are; the coordinator's filter is the one the access
    policy applies to these rows and to their lists (their country, or the
    markings released to the partners)."""
    from types import SimpleNamespace

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from icihub.core.models import Citation, Source, User
    from icihub.dialogue.models import Attendee, Event, FollowUpAction
    from icihub.dialogue.models import Participant as EventParticipant
    from icihub.menu.models import Activity, Area
    from icihub.partners.models import Country, Framework, Organisation, Person
    from icihub.programmes.models import (
        Delivery,
        PartnerRequest,
        PartnershipGoal,
        Programme,
        ProgrammeItem,
        StrategicObjective,
    )
    from icihub.training.models import (
        Course,
        Instructor,
        Nomination,
        Participant,
        SeatQuota,
        Session,
    )

    def table(model) -> str:
        return model._meta.db_table

    t = SimpleNamespace(
        nomination=table(Nomination),
        session=table(Session),
        participant=table(Participant),
        country=table(Country),
        user=table(User),
        quota=table(SeatQuota),
        course=table(Course),
        activity=table(Activity),
        organisation=table(Organisation),
        area=table(Area),
        framework=table(Framework),
        activity_areas=table(Activity.areas.through),
        activity_frameworks=table(Activity.eligible_frameworks.through),
        activity_countries=table(Activity.eligible_countries.through),
        citation=table(Citation),
        source=table(Source),
        event=table(Event),
        event_topics=table(Event.topics.through),
        event_participant=table(EventParticipant),
        attendee=table(Attendee),
        action=table(FollowUpAction),
        person=table(Person),
        programme=table(Programme),
        objective=table(StrategicObjective),
        goal=table(PartnershipGoal),
        item=table(ProgrammeItem),
        delivery=table(Delivery),
        request=table(PartnerRequest),
        instructor=table(Instructor),
    )
    kwt, kuwait = world.kwt.pk, world.kuwait.pk
    cap = settings.ICIHUB_LIST_COUNT_CAP
    overdue_days = settings.ICIHUB_REQUEST_OVERDUE_DAYS
    # The markings a coordinator reads (rel_partner: their own country's rows only).
    ici = "('public', 'rel_ici')"
    partner = "('public', 'rel_ici', 'rel_partner')"
    # The content types of the cited records, read once (as Django caches them).
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model, id FROM django_content_type")
        content_types = {(app, model): pk for app, model, pk in cursor.fetchall()}

    def content_type(model) -> int:
        return content_types[(model._meta.app_label, model._meta.model_name)]

    def page(select, source, where="", order="", params=(), *, count_from=None, extend=None):
        """A list: its count (as the API counts, up to the cap), its page of 50
        and the page's lists (``extend``). ``select`` may be a function of
        today (its parameters first); ``count_from`` the FROM the count needs
        (by default ``source``)."""

        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM (SELECT 1 {count_from or source} {where} "
                    f"LIMIT {cap + 1}) counted",
                    params,
                )
                found = cursor.fetchone()[0]
                sql, select_params = (
                    select(timezone.localdate()) if callable(select) else (select, ())
                )
                cursor.execute(
                    f"{sql} {source} {where} {order} LIMIT 50", [*select_params, *params]
                )
                items = [_nest(row) for row in _rows(cursor)]
                if extend is not None and items:
                    extend(cursor, items)
            answer = {"items": items, "count": min(found, cap), "count_capped": found > cap}
            return json.dumps(answer, default=str)

        return run

    def one(select, source, where, params, *, extend=None):
        """A record (null when the caller may not see it) with its lists."""

        def run():
            with connection.cursor() as cursor:
                cursor.execute(f"{select} {source} {where}", params)
                rows = [_nest(row) for row in _rows(cursor)]
                if extend is not None and rows:
                    extend(cursor, rows)
            return json.dumps(rows[0] if rows else None, default=str)

        return run

    def both(name, staff, coordinator):
        return {(name, "staff"): staff, (name, "coordinator"): coordinator}

    def list_and_record(
        name, select, source, order, *, key, record, visible, count_from, extend=None
    ):
        """A register's list (``name``) and record (``name/{pk}``, the row
        ``record``; ``key`` its id column): staff see every row, Kuwait's
        coordinator those of ``visible`` (a condition on Kuwait's id)."""
        return both(
            name,
            page(select, source, "", order, count_from=count_from, extend=extend),
            page(
                select,
                source,
                f"WHERE {visible}",
                order,
                (kwt,),
                count_from=count_from,
                extend=extend,
            ),
        ) | both(
            f"{name}/{{pk}}",
            one(select, source, f"WHERE {key} = %s", (record,), extend=extend),
            one(select, source, f"WHERE {key} = %s AND {visible}", (record, kwt), extend=extend),
        )

    def username(column: str) -> str:
        # A user's name by a subquery: three joins more to the users made
        # PostgreSQL weigh every order of seven tables (16 ms of planning for
        # a page of nominations).
        return f"(SELECT u.username FROM {t.user} u WHERE u.id = {column})"

    out = {}

    # -- nominations: the session, the nominee (with their country), the
    # nomination's country and the names of the users who nominated, decided
    # and withdrew.
    nomination_select = (
        "SELECT n.id, n.session_id AS session__id, s.reference AS session__reference, "
        "s.start AS session__start, s.end AS session__end, "
        "n.participant_id AS participant__id, p.given_name AS participant__given_name, "
        "p.family_name AS participant__family_name, p.name_ar AS participant__name_ar, "
        "pc.iso3 AS participant__country, c.iso3 AS country, n.priority, n.status, "
        "n.has_seat, n.via_reallocation, n.reason, "
        f"{username('n.nominated_by_id')} AS nominated_by, n.nominated_at, n.promoted_at, "
        f"{username('n.decided_by_id')} AS decided_by, n.decided_at, n.decision_reason, "
        f"{username('n.withdrawn_by_id')} AS withdrawn_by, n.withdrawn_at, "
        "n.withdrawal_reason, n.substitute_for_id AS substitute_for, n.outcome, "
        "n.attendance_percent"
    )
    nomination_from = (
        f"FROM {t.nomination} n JOIN {t.session} s ON s.id = n.session_id "
        f"JOIN {t.participant} p ON p.id = n.participant_id "
        f"JOIN {t.country} pc ON pc.id = p.country_id "
        f"JOIN {t.country} c ON c.id = n.country_id"
    )
    nomination_order = "ORDER BY s.start, n.session_id, c.name, n.priority, n.id"
    out |= list_and_record(
        "API /api/v1/training/nominations",
        nomination_select,
        nomination_from,
        nomination_order,
        key="n.id",
        record=world.nomination.pk,
        visible="n.country_id = %s",
        count_from=f"FROM {t.nomination} n",
    )

    # -- participants: their country and their user account.
    participant_select = (
        "SELECT p.id, p.given_name, p.family_name, p.name_ar, c.iso3 AS country, p.service, "
        "p.rank, p.rank_code, p.position, p.organisation, p.email, p.date_of_birth, "
        "u.username AS user, p.provenance"
    )
    participant_from = (
        f"FROM {t.participant} p JOIN {t.country} c ON c.id = p.country_id "
        f"LEFT JOIN {t.user} u ON u.id = p.user_id"
    )
    participant_order = "ORDER BY p.family_name, p.given_name, p.id"
    out |= list_and_record(
        "API /api/v1/training/participants",
        participant_select,
        participant_from,
        participant_order,
        key="p.id",
        record=world.participant.pk,
        visible="p.country_id = %s",
        count_from=f"FROM {t.participant} p",
    )

    # -- sessions: the course, and the quotas the caller may see (a
    # coordinator: their country's); a coordinator sees the sessions of the
    # courses released to the partners.
    session_select = (
        "SELECT s.id, s.reference, s.course_id AS course__id, a.code AS course__code, "
        "a.title AS course__title, s.start, s.end, s.venue, s.capacity, s.seats_taken, "
        "s.director, s.nomination_deadline, s.reallocation_date, s.quotas_released_at, "
        "s.state, s.cancel_reason, s.is_public, s.provenance"
    )
    session_from = f"FROM {t.session} s JOIN {t.activity} a ON a.id = s.course_id"
    quota_sql = (
        f"SELECT q.session_id AS parent, c.iso3 AS country, q.seats FROM {t.quota} q "
        f"JOIN {t.country} c ON c.id = q.country_id WHERE q.session_id IN ({{ids}})"
    )

    def session_lists(coordinator: bool):
        def extend(cursor, items):
            today = timezone.localdate()
            for item in items:
                item["free_seats"] = max(item["capacity"] - item["seats_taken"], 0)
                item["accepts_nominations"] = (
                    item["state"] == "open"
                    and item["nomination_deadline"] >= today
                    and item["start"] > today
                )
            if coordinator:
                sql, params = quota_sql + " AND q.country_id = %s", (kwt,)
            else:
                sql, params = quota_sql, ()
            _children(cursor, items, "quotas", sql + " ORDER BY q.session_id, c.name", params)

        return extend

    session_order = "ORDER BY s.start, s.id"
    out |= both(
        "API /api/v1/training/sessions",
        page(
            session_select,
            session_from,
            order=session_order,
            count_from=f"FROM {t.session} s",
            extend=session_lists(False),
        ),
        page(
            session_select,
            session_from,
            f"WHERE a.marking IN {ici}",
            session_order,
            extend=session_lists(True),
        ),
    )
    out |= both(
        "API /api/v1/training/sessions/{pk}",
        one(
            session_select,
            session_from,
            "WHERE s.id = %s",
            (world.session.pk,),
            extend=session_lists(False),
        ),
        one(
            session_select,
            session_from,
            f"WHERE s.id = %s AND a.marking IN {ici}",
            (world.session.pk,),
            extend=session_lists(True),
        ),
    )

    # -- courses and the menu's activities: the provider, and the codes of
    # their areas, frameworks and countries (a query each).
    def codes(cursor, items, country_order: str, framework_order: str):
        _children(
            cursor,
            items,
            "areas",
            f"SELECT x.activity_id AS parent, r.code FROM {t.activity_areas} x "
            f"JOIN {t.area} r ON r.id = x.area_id WHERE x.activity_id IN ({{ids}}) "
            "ORDER BY r.position, r.name",
        )
        _children(
            cursor,
            items,
            "eligible_frameworks",
            f"SELECT x.activity_id AS parent, f.code FROM {t.activity_frameworks} x "
            f"JOIN {t.framework} f ON f.id = x.framework_id WHERE x.activity_id IN ({{ids}}) "
            f"ORDER BY {framework_order}",
        )
        _children(
            cursor,
            items,
            "eligible_countries",
            f"SELECT x.activity_id AS parent, c.iso3 FROM {t.activity_countries} x "
            f"JOIN {t.country} c ON c.id = x.country_id WHERE x.activity_id IN ({{ids}}) "
            f"ORDER BY {country_order}",
        )

    course_select = (
        "SELECT a.id, a.code, a.title, a.title_ar, a.description, a.level, a.format, "
        "k.delivery, o.slug AS provider__slug, o.name AS provider__name, "
        "o.acronym AS provider__acronym, k.duration_days, a.languages, k.aim, "
        "k.performance_objectives, k.security_classification, k.training_audience, "
        "k.prerequisites, k.default_capacity, k.min_attendance_percent, "
        "k.level1_evaluation_required, k.level2_test, k.fee_eur, a.marking, a.status, "
        "a.external_ref, a.provenance"
    )
    course_from = (
        f"FROM {t.course} k JOIN {t.activity} a ON a.id = k.activity_ptr_id "
        f"LEFT JOIN {t.organisation} o ON o.id = a.provider_id"
    )
    courses = f"FROM {t.course} k JOIN {t.activity} a ON a.id = k.activity_ptr_id"

    def course_lists(cursor, items):
        for item in items:
            text = item["performance_objectives"]
            item["performance_objectives"] = [
                line.strip() for line in text.splitlines() if line.strip()
            ]
        codes(cursor, items, "c.name", "f.launched NULLS LAST, f.name")

    out |= both(
        "API /api/v1/training/courses",
        page(
            course_select,
            course_from,
            order="ORDER BY a.code",
            count_from=courses,
            extend=course_lists,
        ),
        page(
            course_select,
            course_from,
            f"WHERE a.marking IN {ici}",
            "ORDER BY a.code",
            count_from=courses,
            extend=course_lists,
        ),
    )
    out |= both(
        "API /api/v1/training/courses/{pk}",
        one(course_select, course_from, "WHERE a.id = %s", (world.course.pk,), extend=course_lists),
        one(
            course_select,
            course_from,
            f"WHERE a.id = %s AND a.marking IN {ici}",
            (world.course.pk,),
            extend=course_lists,
        ),
    )

    activity_select = (
        "SELECT a.id, a.code, a.title, a.title_ar, a.description, a.description_ar, a.format, "
        "o.slug AS provider__slug, o.name AS provider__name, o.acronym AS provider__acronym, "
        "a.languages, a.level, a.first_year, a.last_year, a.marking, a.external_ref, "
        "a.status, a.provenance"
    )
    activity_from = f"FROM {t.activity} a LEFT JOIN {t.organisation} o ON o.id = a.provider_id"

    def activity_lists(cursor, items):
        for item in items:
            item["languages"] = [c.strip() for c in item["languages"].split(",") if c.strip()]
        codes(cursor, items, "c.iso3", "f.code")

    # The menu's list: active activities unless asked otherwise, by code.
    out |= both(
        "API /api/v1/menu/activities",
        page(
            activity_select,
            activity_from,
            "WHERE a.status = 'active'",
            "ORDER BY a.code",
            count_from=f"FROM {t.activity} a",
            extend=activity_lists,
        ),
        page(
            activity_select,
            activity_from,
            f"WHERE a.status = 'active' AND a.marking IN {ici}",
            "ORDER BY a.code",
            count_from=f"FROM {t.activity} a",
            extend=activity_lists,
        ),
    )

    # Citations with their sources, as the caller may see them (a coordinator:
    # the sources released to the partners), in the API's order.
    citation_select = (
        "SELECT c.content_type_id, c.object_id, c.id, c.attribute, c.kind, c.value, c.quote, "
        "c.locator, c.note, s.key AS source__key, s.title AS source__title, "
        "s.publisher AS source__publisher, s.published AS source__published "
        f"FROM {t.citation} c JOIN {t.source} s ON s.id = c.source_id"
    )
    citation_order = "ORDER BY c.attribute, s.published NULLS FIRST, s.key, c.id"

    def citations(cursor, coordinator: bool, wanted: list[tuple[int, list]]) -> dict:
        """{(content type, object id): [citation, ...]} of the rows ``wanted``
        ((content type, ids) pairs), in one query."""
        wanted = [(ct, ids) for ct, ids in wanted if ids]
        if not wanted:
            return {}
        clauses = " OR ".join(
            f"(c.content_type_id = %s AND c.object_id IN ({', '.join(['%s'] * len(ids))}))"
            for _ct, ids in wanted
        )
        where = f"WHERE ({clauses})" + (f" AND s.marking IN {ici}" if coordinator else "")
        cursor.execute(
            f"{citation_select} {where} {citation_order}",
            [v for ct, ids in wanted for v in (ct, *ids)],
        )
        grouped: dict = {}
        for row in _rows(cursor):
            key = (row.pop("content_type_id"), row.pop("object_id"))
            citation = _nest(row)
            citation["source"]["published"] = _partial_date(citation["source"]["published"])
            grouped.setdefault(key, []).append(citation)
        return grouped

    activity_type = content_type(Activity)

    def activity_record(coordinator: bool):
        def extend(cursor, items):
            activity_lists(cursor, items)
            item = items[0]
            item["is_course"] = item["is_course"] is not None
            cited = citations(cursor, coordinator, [(activity_type, [item["id"]])])
            item["citations"] = cited.get((activity_type, item["id"]), [])
            item["facts"] = _facts(item["citations"])

        return extend

    activity_record_select = f"{activity_select}, k.activity_ptr_id AS is_course"
    activity_record_from = f"{activity_from} LEFT JOIN {t.course} k ON k.activity_ptr_id = a.id"
    out |= both(
        "API /api/v1/menu/activities/{pk}",
        one(
            activity_record_select,
            activity_record_from,
            "WHERE a.id = %s",
            (world.activity.pk,),
            extend=activity_record(False),
        ),
        one(
            activity_record_select,
            activity_record_from,
            f"WHERE a.id = %s AND a.marking IN {ici}",
            (world.activity.pk,),
            extend=activity_record(True),
        ),
    )

    # -- dialogue events: the venue, the countries, the topics' codes, the
    # participants and the overdue follow-up actions the caller may see (a
    # coordinator: those of their country's events, and their own of the
    # events released to the partners).
    visible_event = f"(e.marking IN {ici} OR (e.country_id = %s AND e.marking = 'rel_partner'))"
    coordinator_actions = f"(e.country_id = %s OR (f.owner_user_id = %s AND e.marking IN {ici}))"
    event_columns = (
        "e.id, e.key, e.title, e.format, e.date, e.place, v.slug AS venue, "
        "vc.iso3 AS venue_country, e.level, e.marking, c.iso3 AS country, e.provenance"
    )
    event_from = (
        f"FROM {t.event} e LEFT JOIN {t.organisation} v ON v.id = e.venue_id "
        f"LEFT JOIN {t.country} vc ON vc.id = e.venue_country_id "
        f"LEFT JOIN {t.country} c ON c.id = e.country_id"
    )

    def event_select(coordinator: bool):
        def select(today):
            overdue = (
                f"(SELECT COUNT(*) FROM {t.action} f WHERE f.event_id = e.id "
                "AND f.state = 'open' AND f.due < %s"
            )
            if coordinator:
                return (
                    f"SELECT {event_columns}, {overdue} AND {coordinator_actions}) "
                    "AS overdue_actions",
                    (today, kwt, kuwait),
                )
            return f"SELECT {event_columns}, {overdue}) AS overdue_actions", (today,)

        return select

    def event_dates(items):
        for item in items:
            item["date_stated"] = item["date"] is not None
            item["date"] = _partial_date(item["date"])

    def event_lists(cursor, items):
        event_dates(items)
        _children(
            cursor,
            items,
            "topics",
            f"SELECT x.event_id AS parent, r.code FROM {t.event_topics} x "
            f"JOIN {t.area} r ON r.id = x.area_id WHERE x.event_id IN ({{ids}}) "
            "ORDER BY r.position, r.name",
        )
        _children(
            cursor,
            items,
            "participants",
            f"SELECT p.event_id AS parent, c.iso3 AS country, o.slug AS organisation, p.role "
            f"FROM {t.event_participant} p LEFT JOIN {t.country} c ON c.id = p.country_id "
            f"LEFT JOIN {t.organisation} o ON o.id = p.organisation_id "
            "WHERE p.event_id IN ({ids}) ORDER BY p.role, c.name, o.name",
            build=dict,
        )

    event_order = "ORDER BY e.date DESC NULLS LAST, e.title, e.id"
    out |= both(
        "API /api/v1/dialogue/events",
        page(
            event_select(False),
            event_from,
            order=event_order,
            count_from=f"FROM {t.event} e",
            extend=event_lists,
        ),
        page(
            event_select(True),
            event_from,
            f"WHERE {visible_event}",
            event_order,
            (kwt,),
            count_from=f"FROM {t.event} e",
            extend=event_lists,
        ),
    )

    event_type = content_type(Event)
    event_participant_type = content_type(EventParticipant)
    attendee_type = content_type(Attendee)

    def owner_label(action) -> str:
        user, organisation = action.pop("owner_user_name"), action.pop("owner_organisation_name")
        if action["owner_user"] is not None:
            full = f"{user['first']} {user['last']}".strip()
            return f"{full} ({action['owner_user']})" if full else action["owner_user"]
        if organisation is None:
            return ""
        name, acronym = organisation["name"], organisation["acronym"]
        return f"{name} ({acronym})" if acronym else name

    def event_record(coordinator: bool):
        def extend(cursor, items):
            event = items[0]
            event_dates(items)
            today = timezone.localdate()
            _children(
                cursor,
                items,
                "topics_detail",
                f"SELECT x.event_id AS parent, r.code, r.name FROM {t.event_topics} x "
                f"JOIN {t.area} r ON r.id = x.area_id WHERE x.event_id IN ({{ids}}) "
                "ORDER BY r.position, r.name",
            )
            event["topics"] = [topic["code"] for topic in event["topics_detail"]]
            _children(
                cursor,
                items,
                "participants_detail",
                "SELECT p.event_id AS parent, p.id, c.iso3 AS country__iso3, "
                "c.name AS country__name, o.slug AS organisation__slug, "
                "o.name AS organisation__name, o.acronym AS organisation__acronym, p.role, "
                f"p.note FROM {t.event_participant} p "
                f"LEFT JOIN {t.country} c ON c.id = p.country_id "
                f"LEFT JOIN {t.organisation} o ON o.id = p.organisation_id "
                "WHERE p.event_id IN ({ids}) ORDER BY p.role, c.name, o.name",
            )
            event["participants"] = [
                {
                    "country": p["country"] and p["country"]["iso3"],
                    "organisation": p["organisation"] and p["organisation"]["slug"],
                    "role": p["role"],
                }
                for p in event["participants_detail"]
            ]
            _children(
                cursor,
                items,
                "attendees",
                "SELECT a.event_id AS parent, a.id, ps.slug AS person__slug, "
                "ps.name AS person__name, ps.honorific AS person__honorific, a.name, a.role, "
                f"a.affiliation FROM {t.attendee} a LEFT JOIN {t.person} ps ON ps.id = a.person_id "
                "WHERE a.event_id IN ({ids}) ORDER BY a.position, a.id",
            )
            for attendee in event["attendees"]:
                person = attendee["person"]
                if person is not None:
                    person["name"] = f"{person.pop('honorific')} {person['name']}".strip()
            action_sql = (
                "SELECT f.event_id AS parent, f.id, f.description, "
                "u.username AS owner_user, u.first_name AS owner_user_name__first, "
                "u.last_name AS owner_user_name__last, o.slug AS owner_organisation, "
                "o.name AS owner_organisation_name__name, "
                "o.acronym AS owner_organisation_name__acronym, f.due, f.state, "
                f"f.completed_on, f.notes FROM {t.action} f "
                f"JOIN {t.event} e ON e.id = f.event_id "
                f"LEFT JOIN {t.user} u ON u.id = f.owner_user_id "
                f"LEFT JOIN {t.organisation} o ON o.id = f.owner_organisation_id "
                "WHERE f.event_id IN ({ids})"
            )
            if coordinator:
                action_sql, params = f"{action_sql} AND {coordinator_actions}", (kwt, kuwait)
            else:
                params = ()
            action_order = " ORDER BY f.state, f.due NULLS LAST, f.id"
            _children(cursor, items, "actions", action_sql + action_order, params)
            for action in event["actions"]:
                action["event"], action["event_title"] = event["id"], event["title"]
                action["owner"] = owner_label(action)
                action["overdue"] = (
                    action["state"] == "open"
                    and action["due"] is not None
                    and action["due"] < today
                )
            event["overdue_actions"] = sum(1 for a in event["actions"] if a["overdue"])
            cited = citations(
                cursor,
                coordinator,
                [
                    (event_type, [event["id"]]),
                    (event_participant_type, [p["id"] for p in event["participants_detail"]]),
                    (attendee_type, [a["id"] for a in event["attendees"]]),
                ],
            )
            for kind, rows in (
                (event_participant_type, event["participants_detail"]),
                (attendee_type, event["attendees"]),
            ):
                for row in rows:
                    row["citations"] = cited.get((kind, row["id"]), [])
            event["citations"] = cited.get((event_type, event["id"]), [])
            event["facts"] = _facts(event["citations"])

        return extend

    event_record_select = (
        f"SELECT {event_columns}, e.title_ar, e.date_note, e.summary, e.outcomes, "
        "m.slug AS milestone_of, e.milestone"
    )
    event_record_from = f"{event_from} LEFT JOIN {t.organisation} m ON m.id = e.milestone_of_id"
    out |= both(
        "API /api/v1/dialogue/events/{event_id}",
        one(
            event_record_select,
            event_record_from,
            "WHERE e.id = %s",
            (world.event.pk,),
            extend=event_record(False),
        ),
        one(
            event_record_select,
            event_record_from,
            f"WHERE e.id = %s AND {visible_event}",
            (world.event.pk, kwt),
            extend=event_record(True),
        ),
    )

    # -- programmes: the country, who agreed it, and their numbers of items,
    # delivered items and open requests.
    programme_items = (
        f"SELECT COUNT(*) FROM {t.item} i JOIN {t.goal} pg ON pg.id = i.goal_id "
        f"JOIN {t.objective} so ON so.id = pg.objective_id WHERE so.programme_id = g.id"
    )
    programme_select = (
        "SELECT g.id, c.iso3 AS country, c.name AS country_name, g.kind, g.title, "
        "g.start_year, g.end_year, g.state, g.version, g.marking, g.signed, g.submitted_at, "
        "g.agreed_at, u.username AS agreed_by, g.activated_at, g.closed_at, "
        f"({programme_items}) AS item_count, "
        f"({programme_items} AND EXISTS (SELECT 1 FROM {t.delivery} d "
        "WHERE d.item_id = i.id)) AS delivered_count, "
        f"(SELECT COUNT(*) FROM {t.request} r WHERE r.programme_id = g.id "
        "AND r.state = 'open') AS open_requests"
    )
    programme_from = (
        f"FROM {t.programme} g JOIN {t.country} c ON c.id = g.country_id "
        f"LEFT JOIN {t.user} u ON u.id = g.agreed_by_id"
    )

    def programme_fields(cursor, items):
        for item in items:
            if not item["title"]:
                years = (
                    str(item["start_year"])
                    if item["start_year"] == item["end_year"]
                    else f"{item['start_year']}–{item['end_year']}"
                )
                item["title"] = f"{item['country_name']} {item['kind'].upper()} {years}"
            item["signed"] = _partial_date(item["signed"])

    programme_order = "ORDER BY c.name, g.start_year DESC"
    out |= both(
        "API /api/v1/programmes",
        page(
            programme_select,
            programme_from,
            order=programme_order,
            count_from=f"FROM {t.programme} g",
            extend=programme_fields,
        ),
        page(
            programme_select,
            programme_from,
            f"WHERE g.country_id = %s AND g.marking IN {partner}",
            programme_order,
            (kwt,),
            count_from=f"FROM {t.programme} g",
            extend=programme_fields,
        ),
    )

    # -- partners' requests: the country, the activity's code, the users who
    # asked and answered; the unanswered first.
    request_select = (
        "SELECT r.id, c.iso3 AS country, r.programme_id AS programme, r.kind, r.subject, "
        "r.details, a.code AS activity, r.session_id AS session, r.seats, r.wanted_from, "
        f"r.wanted_to, r.requested_on, {username('r.requested_by_id')} AS requested_by, "
        f"r.state, r.response, r.responded_on, {username('r.responded_by_id')} AS responded_by, "
        "r.closed_on, r.close_note, r.marking"
    )
    request_from = (
        f"FROM {t.request} r JOIN {t.country} c ON c.id = r.country_id "
        f"LEFT JOIN {t.activity} a ON a.id = r.activity_id"
    )

    def request_fields(cursor, items):
        today = timezone.localdate()
        for item in items:
            end = item["responded_on"] or item["closed_on"] or today
            item["age_days"] = max((end - item["requested_on"]).days, 0)
            item["unanswered"] = item["state"] == "open"
            item["overdue"] = item["unanswered"] and item["age_days"] > overdue_days

    request_order = "ORDER BY CASE WHEN r.state = 'open' THEN 0 ELSE 1 END, r.requested_on, r.id"
    out |= list_and_record(
        "API /api/v1/programmes/requests",
        request_select,
        request_from,
        request_order,
        key="r.id",
        record=world.request.pk,
        visible=f"r.country_id = %s AND r.marking IN {partner}",
        count_from=f"FROM {t.request} r",
        extend=request_fields,
    )

    # -- instructors: the organisation and the country. A coordinator sees
    # none (the access policy's filter is false: the same empty page).
    instructor_select = (
        "SELECT i.id, i.full_name, i.name_ar, i.title, o.slug AS organisation__slug, "
        "o.name AS organisation__name, o.acronym AS organisation__acronym, "
        "c.iso3 AS country, i.email, i.expertise, i.is_active, i.provenance"
    )
    instructor_from = (
        f"FROM {t.instructor} i JOIN {t.organisation} o ON o.id = i.organisation_id "
        f"JOIN {t.country} c ON c.id = i.country_id"
    )
    instructors = f"FROM {t.instructor} i"
    out |= both(
        "API /api/v1/training/instructors",
        page(
            instructor_select,
            instructor_from,
            order="ORDER BY i.full_name, i.id",
            count_from=instructors,
        ),
        page(
            instructor_select,
            instructor_from,
            "WHERE 1 = 0",
            "ORDER BY i.full_name, i.id",
            count_from=instructors,
        ),
    )
    return out
