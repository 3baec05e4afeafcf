"""Demo data of the individual programmes (provenance "demo"): programmes for
the four ICI members built through the services from the demo menu, agreed,
partly delivered, with requests and answers, among them the old unanswered
ones that icihub must make impossible to miss.

The brief gives the historical frame: Kuwait's IPCP of 2014, the UAE's IPCP
signed in October 2016, ITPPs since 2021; a 2006 cable records Kuwait's
"frustration at the lack of response" to its training requests. The contents
(objectives, goals, activities, deliveries, dates of agreement) are invented
for demonstration. Runs after the menu and training demos: items whose
activity is a Regional Centre course are linked to the sessions the
country's people attended (training's ``sessions_attended_by_country``).
Idempotent: a programme or request that exists is left as it is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.dates import PartialDate
from icihub.core.reference import Progress
from icihub.menu.models import Activity
from icihub.partners.models import Country

from . import services
from .models import (
    Delivery,
    PartnerRequest,
    Programme,
    ProgrammeItem,
    ProgrammeVersion,
    Provenance,
)

S = Programme.State

# A goal: (title, area codes, explicit activity codes, how many more to pick by area)
PROGRAMMES = [
    {
        "country": "KWT",
        "kind": "ipcp",
        "start": 2014,
        "state": S.CLOSED,
        "signed": "2014",
        "agreed": dt.datetime(2014, 3, 18, 11, 0),
        "summary": "Kuwait's Individual Partnership and Cooperation Programme for 2014–2015 "
        "(the brief records a “Kuwait IPCP 2014”). Contents are demonstration data.",
        "delivered_share": 0.8,
        "objectives": [
            (
                "Strengthen national crisis management and civil emergency planning",
                [
                    (
                        "Civil emergency planning capacity",
                        ["civil-emergency-planning"],
                        ["PCM-SRC-005"],
                        2,
                    ),
                    ("CBRN consequence management", ["cbrn"], [], 2),
                ],
            ),
            (
                "Deepen military-to-military cooperation and interoperability",
                [
                    (
                        "Interoperability through selected exercises",
                        ["exercises-interoperability", "mil-to-mil"],
                        ["PCM-SRC-004"],
                        2,
                    ),
                ],
            ),
        ],
    },
    {
        "country": "ARE",
        "kind": "ipcp",
        "start": 2016,
        "state": S.CLOSED,
        "signed": "2016-10",
        "agreed": dt.datetime(2016, 10, 12, 10, 0),
        "summary": "The UAE's Individual Partnership and Cooperation Programme, signed in "
        "October 2016 (per the brief). Contents are demonstration data.",
        "delivered_share": 0.7,
        "objectives": [
            (
                "Modernise defence institutions",
                [
                    ("Defence transformation advice", ["defence-reform"], ["PCM-SRC-001"], 1),
                    (
                        "Defence budgeting and resource management",
                        ["defence-budgeting"],
                        ["PCM-SRC-002"],
                        1,
                    ),
                ],
            ),
            (
                "Protect critical energy infrastructure",
                [("Energy infrastructure protection", ["energy-security"], ["PCM-SRC-012"], 2)],
            ),
        ],
    },
    {
        "country": "KWT",
        "kind": "itpp",
        "start": 2022,
        "end": 2026,
        "state": S.ACTIVE,
        "agreed": dt.datetime(2022, 2, 9, 15, 30),
        "summary": "Kuwait's Individually Tailored Partnership Programme: one partner, one plan.",
        "delivered_share": 0.5,
        "objectives": [
            (
                "A resilient state able to manage crises and disasters",
                [
                    (
                        "Crisis management and civil preparedness",
                        ["crisis-management", "civil-emergency-planning"],
                        [],
                        3,
                    ),
                    ("Disaster preparedness and relief", ["disaster-relief"], ["PCM-SRC-014"], 2),
                ],
            ),
            (
                "Cyber and energy security of critical infrastructure",
                [
                    ("National cyber defence capacity", ["cyber-defence"], ["PCM-SRC-011"], 3),
                    ("Energy security", ["energy-security"], [], 2),
                ],
            ),
            (
                "Training with NATO at the Regional Centre",
                [
                    (
                        "Regional Centre courses for Kuwaiti officers",
                        ["lessons-learned", "strategic-analysis", "maritime-security"],
                        [],
                        3,
                    )
                ],
            ),
        ],
    },
    {
        "country": "BHR",
        "kind": "itpp",
        "start": 2021,
        "end": 2025,
        "state": S.ACTIVE,
        "agreed": dt.datetime(2021, 6, 21, 9, 0),
        "summary": "Bahrain's Individually Tailored Partnership Programme.",
        "delivered_share": 0.6,
        "revision": (
            "Mid-term review: a seminar on countering disinformation added.",
            "hybrid-threats",
        ),
        "objectives": [
            (
                "Maritime security in the Gulf",
                [
                    (
                        "Maritime situational awareness and interdiction",
                        ["maritime-security"],
                        ["PCM-SRC-009"],
                        3,
                    ),
                    ("Counter-piracy cooperation", ["counter-piracy"], [], 2),
                ],
            ),
            (
                "Countering terrorism and hybrid threats",
                [("Counter-terrorism capacity", ["counter-terrorism"], ["PCM-SRC-010"], 2)],
            ),
        ],
    },
    {
        "country": "QAT",
        "kind": "itpp",
        "start": 2021,
        "end": 2024,
        "state": S.CLOSED,
        "agreed": dt.datetime(2021, 11, 3, 14, 0),
        "summary": "Qatar's first Individually Tailored Partnership Programme.",
        "delivered_share": 0.75,
        "objectives": [
            (
                "Security of major events and critical infrastructure",
                [
                    (
                        "Protection of critical infrastructure",
                        ["counter-terrorism", "energy-security"],
                        [],
                        3,
                    ),
                    ("Crisis response planning", ["crisis-management"], [], 2),
                ],
            ),
        ],
    },
    {
        "country": "QAT",
        "kind": "itpp",
        "start": 2025,
        "end": 2028,
        "state": S.SUBMITTED,
        "summary": "Qatar's second ITPP, submitted for agreement.",
        "delivered_share": 0,
        "objectives": [
            (
                "Interoperability with NATO forces",
                [
                    (
                        "Exercises and interoperability",
                        ["exercises-interoperability"],
                        ["PCM-SRC-015"],
                        2,
                    )
                ],
            ),
            (
                "Strategic analysis and public diplomacy",
                [
                    ("Strategic analysis capacity", ["strategic-analysis"], [], 2),
                    ("Joint public diplomacy", ["public-diplomacy"], ["PCM-SRC-006"], 1),
                ],
            ),
        ],
    },
    {
        "country": "ARE",
        "kind": "itpp",
        "start": 2023,
        "end": 2026,
        "state": S.AGREED,
        "agreed": dt.datetime(2023, 9, 19, 10, 0),
        "summary": "The UAE's Individually Tailored Partnership Programme.",
        "delivered_share": 0.3,
        "meeting": ("nac-ici-brussels-2023", "Political dialogue at the North Atlantic Council"),
        "objectives": [
            (
                "Political dialogue and strategic understanding",
                [
                    (
                        "Political dialogue at the North Atlantic Council",
                        ["strategic-analysis", "public-diplomacy"],
                        [],
                        2,
                    )
                ],
            ),
            (
                "Non-proliferation and CBRN defence",
                [("CBRN defence and non-proliferation", ["cbrn", "non-proliferation"], [], 3)],
            ),
        ],
    },
]

# country, subject, kind, requested on (a date, or days before today), details, answer, answered after (days), close
REQUESTS = [
    (
        "KWT",
        "Places for Kuwaiti officers on NATO School courses",
        PartnerRequest.Kind.COURSE_SEAT,
        dt.date(2006, 3, 12),
        "Kuwait asks for places on NATO School Oberammergau courses for officers of its armed "
        "forces and National Guard. (Demonstration record modelled on a 2006 cable that "
        "records Kuwait's “frustration at the lack of response” to its training requests.)",
        None,
        None,
        False,
    ),
    (
        "KWT",
        "Training in civil emergency planning for Kuwaiti civil defence staff",
        PartnerRequest.Kind.ACTIVITY,
        dt.date(2006, 9, 20),
        "A follow-up to the March request: training for civil defence staff in civil emergency "
        "planning. Still unanswered.",
        None,
        None,
        False,
    ),
    (
        "KWT",
        "Expert visit on the protection of critical energy infrastructure",
        PartnerRequest.Kind.EXPERT,
        200,
        "An advisory visit by the Energy Security Centre of Excellence to Kuwait's oil "
        "installations.",
        "Agreed: the ENSEC COE will send a team of three experts in the first quarter.",
        21,
        False,
    ),
    (
        "ARE",
        "Advisory support on defence budgeting",
        PartnerRequest.Kind.EXPERT,
        45,
        "Advice on programme-based defence budgeting for the Ministry of Defence.",
        None,
        None,
        False,
    ),
    (
        "QAT",
        "Four seats on the maritime security course",
        PartnerRequest.Kind.COURSE_SEAT,
        12,
        "Seats for officers of the Qatari Emiri Naval Forces on the next maritime security "
        "course at the Regional Centre.",
        None,
        None,
        False,
    ),
    (
        "QAT",
        "Table-top exercise on crisis response for a major sporting event",
        PartnerRequest.Kind.ACTIVITY,
        dt.date(2021, 2, 8),
        "An exercise designed with the Crisis Management and Disaster Response COE.",
        "Delivered in Doha in May 2021 with the CMDR COE.",
        30,
        True,
    ),
    (
        "BHR",
        "E-learning accounts on cyber defence for the Bahrain Defence Force",
        PartnerRequest.Kind.ACTIVITY,
        5,
        "Twenty accounts for the cyber defence e-learning modules.",
        None,
        None,
        False,
    ),
]


def _pick(
    area_codes: list[str], exclude: set[int], count: int, start: int, end: int
) -> list[Activity]:
    """The first ``count`` active activities of the areas, offered during the
    programme, that any partner coordinator may see (not NATO-only), by code."""
    if count <= 0:
        return []
    qs = (
        Activity.objects.active()
        .offered_during(start, end)
        .filter(areas__code__in=area_codes, marking__in=[Marking.PUBLIC, Marking.REL_ICI])
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("code")
    )
    return list(qs[:count])


def _activities(codes, area_codes, exclude: set[int], count: int, start: int, end: int):
    explicit = list(
        Activity.objects.active().offered_during(start, end).filter(code__in=codes).order_by("code")
    )
    chosen = [a for a in explicit if a.pk not in exclude]
    taken = exclude | {a.pk for a in chosen}
    return chosen + _pick(area_codes, taken, count, start, end)


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _deliver(staff, programme: Programme, share: float) -> int:
    """Record deliveries: sessions attended by the country's people first, then
    expert visits or other deliveries for a share of the remaining items."""
    from icihub.training.selectors import sessions_attended_by_country

    delivered = 0
    items = list(
        ProgrammeItem.objects.filter(goal__objective__programme=programme)
        .select_related("activity")
        .order_by("planned_year", "pk")
    )
    sessions = {}
    for session in sessions_attended_by_country(programme.country, staff).filter(
        start__year__gte=programme.start_year, start__year__lte=programme.end_year
    ):
        sessions.setdefault(session.course_id, session)
    for item in items:
        session = sessions.get(item.activity_id)
        if session is not None:
            services.record_delivery(
                staff, item, {"kind": Delivery.Kind.SESSION, "session": session}, reason="demo"
            )
            delivered += 1
    budget = int(len(items) * share)
    this_year = timezone.localdate().year
    for index, item in enumerate(items):
        if delivered >= budget:
            break
        if item.deliveries.exists() or item.planned_year > this_year:
            continue
        if index % 4 == 3:
            continue  # leave some planned items undelivered in every goal
        visit = item.activity.format == Activity.Format.EXPERT_VISIT
        services.record_delivery(
            staff,
            item,
            {
                "kind": Delivery.Kind.EXPERT_VISIT if visit else Delivery.Kind.OTHER,
                "title": ("Advisory team visit: " if visit else "Delivered: ")
                + item.activity.title,
                "delivered_on": dt.date(item.planned_year, 3 * (item.planned_quarter or 2) - 1, 15),
                "participants": item.seats,
            },
            reason="demo",
        )
        delivered += 1
    return delivered


def _meeting(staff, programme: Programme, spec) -> None:
    from icihub.dialogue.models import Event

    key, goal_title = spec
    event = Event.objects.filter(key=key).first()
    item = (
        ProgrammeItem.objects.filter(goal__objective__programme=programme, goal__title=goal_title)
        .order_by("pk")
        .first()
    )
    if event is not None and item is not None and event.date is not None:
        services.record_delivery(
            staff, item, {"kind": Delivery.Kind.MEETING, "event": event}, reason="demo"
        )


def _course_items(staff, programme: Programme, goal) -> None:
    """Add the Regional Centre courses the country's people attended during the
    programme to its training goal (so their sessions show as delivered)."""
    from icihub.training.selectors import sessions_attended_by_country

    planned = set(goal.items.values_list("activity_id", flat=True))
    for session in sessions_attended_by_country(programme.country, staff).filter(
        start__year__gte=programme.start_year, start__year__lte=programme.end_year
    )[:6]:
        if session.course_id in planned or session.course.status != Activity.Status.ACTIVE:
            continue
        services.add_item(
            staff,
            goal,
            {"activity": session.course, "planned_year": session.start.year, "seats": 4},
            reason="demo",
        )
        planned.add(session.course_id)


def _user_or(username: str, fallback):
    from icihub.core.models import User

    user = User.objects.filter(username=username, role="coordinator").first()
    return user if user is not None else fallback


def load(progress: Progress = print) -> None:
    from icihub.core.demo import demo_user

    staff = demo_user("nato")
    made = 0
    for spec in PROGRAMMES:
        country = Country.objects.get(iso3=spec["country"])
        if Programme.objects.filter(country=country, start_year=spec["start"]).exists():
            continue
        end = spec.get("end", spec["start"] + 1)
        programme = services.create_programme(
            staff,
            {
                "country": country,
                "kind": spec["kind"],
                "start_year": spec["start"],
                "end_year": end,
                "summary": spec["summary"],
                "marking": Marking.REL_PARTNER,
            },
            reason="demo",
        )
        used: set[int] = set()
        for o_index, (objective_title, goals) in enumerate(spec["objectives"]):
            objective = services.add_objective(staff, programme, {"title": objective_title})
            for g_index, (goal_title, areas, codes, count) in enumerate(goals):
                goal = services.add_goal(staff, objective, {"title": goal_title, "areas": areas})
                chosen = _activities(codes, areas, used, count, spec["start"], end)
                for i_index, activity in enumerate(chosen):
                    used.add(activity.pk)
                    services.add_item(
                        staff,
                        goal,
                        {
                            "activity": activity,
                            "priority": 1 + (o_index + i_index) % 3,
                            "planned_year": activity.nearest_offered_year(
                                spec["start"] + (g_index + i_index) % (end - spec["start"] + 1)
                            ),
                            "planned_quarter": 1 + (i_index + g_index) % 4,
                            "seats": 2 + (i_index * 3) % 7,
                        },
                        reason="demo",
                    )
                if goal_title.startswith("Regional Centre courses"):
                    _course_items(staff, programme, goal)
        if spec["state"] != S.DRAFT:
            services.submit(staff, programme, reason="demo")
        if spec["state"] in (S.AGREED, S.ACTIVE, S.CLOSED):
            signed = PartialDate.parse(spec["signed"]) if spec.get("signed") else None
            services.agree(
                staff, programme, signed=signed, reason="Agreed by the North Atlantic Council"
            )
        if spec["state"] in (S.ACTIVE, S.CLOSED):
            services.activate(staff, programme, reason="demo")
        programme.refresh_from_db()
        if programme.is_agreed:
            _deliver(staff, programme, spec["delivered_share"])
            if spec.get("meeting"):
                _meeting(staff, programme, spec["meeting"])
        if spec.get("revision"):
            reason, area = spec["revision"]
            goal = (
                programme.objectives.order_by("-position")
                .first()
                .goals.order_by("position")
                .first()
            )
            planned = set(
                ProgrammeItem.objects.filter(goal__objective__programme=programme).values_list(
                    "activity_id", flat=True
                )
            )
            extra = _pick([area], planned, 1, end, end)
            if extra:
                services.add_item(
                    staff,
                    goal,
                    {"activity": extra[0], "planned_year": end, "seats": 3},
                    reason=reason,
                )
        if spec["state"] == S.CLOSED:
            services.close(staff, programme, reason="Programme period ended")
        # Historical dates (the services stamp "now").
        if spec.get("agreed"):
            agreed = _aware(spec["agreed"])
            Programme.objects.filter(pk=programme.pk).update(
                submitted_at=agreed - dt.timedelta(days=40),
                agreed_at=agreed,
                activated_at=agreed + dt.timedelta(days=14)
                if spec["state"] in (S.ACTIVE, S.CLOSED)
                else None,
                closed_at=_aware(dt.datetime(end + 1, 1, 15, 9, 0))
                if spec["state"] == S.CLOSED
                else None,
                provenance=Provenance.DEMO,
            )
            ProgrammeVersion.objects.filter(programme=programme, number=1).update(created_at=agreed)
        else:
            Programme.objects.filter(pk=programme.pk).update(provenance=Provenance.DEMO)
        made += 1

    today = timezone.localdate()
    coordinators = {"KWT": _user_or("kuwait", staff), "QAT": _user_or("qatar", staff)}
    requests_made = 0
    for iso3, subject, kind, when, details, answer, after, close in REQUESTS:
        country = Country.objects.get(iso3=iso3)
        if PartnerRequest.objects.filter(country=country, subject=subject).exists():
            continue
        requested_on = when if isinstance(when, dt.date) else today - dt.timedelta(days=when)
        programme = Programme.objects.filter(
            country=country, start_year__lte=requested_on.year, end_year__gte=requested_on.year
        ).first()
        request = services.create_request(
            coordinators.get(iso3, staff),
            {
                "country": country,
                "programme": programme,
                "kind": kind,
                "subject": subject,
                "details": details,
                "requested_on": requested_on,
            },
            reason="demo",
        )
        if answer:
            services.respond(
                staff,
                request,
                response=answer,
                responded_on=min(requested_on + dt.timedelta(days=after), today),
                close=close,
                reason="demo",
            )
        PartnerRequest.objects.filter(pk=request.pk).update(provenance=Provenance.DEMO)
        requests_made += 1
    progress(f"  {made} individual programmes, {requests_made} requests (demo)")
