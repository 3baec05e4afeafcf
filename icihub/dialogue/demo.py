"""Demo data of the dialogue register: a spread of further events from 2005 to
2026 (NAC+4 meetings, policy advisory groups, informal consultations,
conferences and annual reviews at the Centre, bilateral consultations), with
participants, attendees and follow-up actions, some of them overdue.

Every row here is demonstration data, not history: provenance "demo", keys
``demo-...``, and a note on the date saying so. The reference events (the seeds
and the brief) are loaded by ``reference.py`` with their sources. Some demo
events are releasable to ICI, some NATO-only, some releasable to one partner.
Deterministic and idempotent; action states and due dates are relative to
today so that some actions are always overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from icihub.core.access import Marking
from icihub.core.dates import PartialDate
from icihub.core.reference import Progress, sync_m2m, upsert
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation

from .models import Attendee, Event, FollowUpAction, Participant

F = Event.Format
L = Event.Level
R = Participant.Role
PUBLIC, ICI, PARTNER, NATO = Marking.PUBLIC, Marking.REL_ICI, Marking.REL_PARTNER, Marking.NATO
DEMO_NOTE = "Demonstration data: not a recorded event."

ICI4 = ("BHR", "KWT", "QAT", "ARE")
GULF6 = ("BHR", "KWT", "QAT", "ARE", "SAU", "OMN")


def _ici(host=None, chair="org:nato-hq", observers=(), extra=()):
    rows = []
    if host:
        rows.append((host, R.HOST))
    rows += [(c, R.MEMBER) for c in ICI4 if c != host]
    if chair:
        rows.append((chair, R.CHAIR))
    rows += [(o, R.OBSERVER) for o in observers]
    rows += list(extra)
    return rows


# key, date, format, title, place, venue slug, venue country, level, marking, partner
# concerned, participants, attendees [(name, role, affiliation)], topics, summary, outcomes,
# actions [(description, owner "user:x"/"org:y", days after the event, state)]
EVENTS = [
    (
        "demo-pag-2005-10",
        "2005-10",
        F.POLICY_ADVISORY_GROUP,
        "ICI policy advisory group: first exchange with the new partners",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.SENIOR_OFFICIALS,
        PUBLIC,
        None,
        _ici(host=None),
        [("Deputy Assistant Secretary General for Political Affairs", "chair", "NATO")],
        ["defence-reform", "civil-military-relations"],
        "Officials of NATO and the first ICI partners reviewed how the initiative's menu of "
        "activities could be opened to them.",
        "Partners to name points of contact for the cooperation menu.",
        [
            (
                "Circulate the list of menu activities open to ICI partners",
                "org:nato-pasp",
                30,
                "done",
            )
        ],
    ),
    (
        "demo-consult-2006-03",
        "2006-03-14",
        F.INFORMAL_CONSULTATIONS,
        "Informal consultations on training requests with Kuwait",
        "Kuwait City",
        None,
        "KWT",
        L.EXPERT,
        PARTNER,
        "KWT",
        [("KWT", R.HOST), ("org:nato-pasp", R.GUEST)],
        [("Training coordinator, Kuwait Armed Forces", "presented Kuwait's requests", "")],
        ["mil-to-mil", "exercises-interoperability"],
        "Kuwait presented its outstanding training requests and asked for faster answers.",
        "NATO to answer each open request with a date.",
        [
            ("Answer Kuwait's open training requests in writing", "org:nato-pasp", 45, "done"),
            ("Propose two course seats at the NATO School", "org:nato-school", 90, "cancelled"),
        ],
    ),
    (
        "demo-conf-2007-11",
        "2007-11",
        F.CONFERENCE,
        "NATO-ICI conference on Gulf security, Doha",
        "Doha",
        None,
        "QAT",
        L.MIXED,
        PUBLIC,
        None,
        _ici(host="QAT", observers=("SAU", "OMN", "org:gcc-secretariat")),
        [("Academics from Gulf and European institutes", "speakers", "")],
        ["strategic-analysis", "energy-security", "maritime-security"],
        "Officials and academics discussed energy and maritime security in the Gulf.",
        "",
        [],
    ),
    (
        "demo-nac-2010-04",
        "2010-04",
        F.NAC_ICI,
        "North Atlantic Council with the ICI partners",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.AMBASSADORIAL,
        ICI,
        None,
        _ici(),
        [],
        ["counter-piracy", "maritime-security"],
        "Ambassadors reviewed cooperation on counter-piracy off the Horn of Africa.",
        "Partners invited to contribute to maritime situational awareness.",
        [("Brief partners on Operation Ocean Shield", "org:marcom", 60, "done")],
    ),
    (
        "demo-pag-2011",
        "2011",
        F.POLICY_ADVISORY_GROUP,
        "ICI policy advisory group on the new partnership policy",
        "",
        None,
        None,
        L.SENIOR_OFFICIALS,
        ICI,
        None,
        _ici(),
        [],
        ["defence-reform"],
        "The group discussed what the partnership policy agreed in Berlin means for ICI partners.",
        "",
        [],
    ),
    (
        "demo-nato-only-2013-06",
        "2013-06-05",
        F.OTHER,
        "Allies' internal review of ICI engagement",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.SENIOR_OFFICIALS,
        NATO,
        None,
        [("org:nato-pasp", R.ORGANISER)],
        [],
        ["defence-reform"],
        "Allies reviewed the state of cooperation with each ICI partner ahead of the tenth "
        "anniversary.",
        "Options paper to be prepared for the Council.",
        [("Draft the options paper on ICI engagement", "user:nato", 40, "done")],
    ),
    (
        "demo-consult-2015-05",
        "2015-05-10/2015-05-11",
        F.INFORMAL_CONSULTATIONS,
        "Informal consultations with officials, academics and the GCC Secretariat",
        "Manama",
        None,
        "BHR",
        L.MIXED,
        ICI,
        None,
        _ici(host="BHR", observers=("SAU", "OMN", "org:gcc-secretariat")),
        [("Officials of the GCC Secretariat", "observers", "GCC Secretariat")],
        ["counter-terrorism", "hybrid-threats"],
        "Two days of informal exchanges on terrorism and information threats in the region.",
        "",
        [
            (
                "Share the consultations' summary with the GCC Secretariat",
                "org:nato-pasp",
                20,
                "done",
            )
        ],
    ),
    (
        "demo-visit-2016-10",
        "2016-10",
        F.VISIT,
        "Visit of the Deputy Secretary General to Abu Dhabi",
        "Abu Dhabi",
        None,
        "ARE",
        L.MINISTERIAL,
        PARTNER,
        "ARE",
        [("ARE", R.HOST), ("org:nato-hq", R.GUEST)],
        [("NATO Deputy Secretary General", "visitor", "NATO")],
        ["defence-reform", "exercises-interoperability"],
        "Talks on the UAE's individual cooperation programme and its contribution to operations.",
        "",
        [("Schedule staff talks on the UAE programme", "org:nato-pasp", 60, "done")],
    ),
    (
        "demo-conf-2017-05",
        "2017-05-14/2017-05-15",
        F.CONFERENCE,
        "Conference on energy security at the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.EXPERT,
        ICI,
        None,
        _ici(
            host="KWT",
            chair="org:nato-ici-rc",
            observers=("SAU", "OMN"),
            extra=[("org:ensec-coe", R.GUEST)],
        ),
        [("Experts of the Energy Security Centre of Excellence", "speakers", "ENSEC COE")],
        ["energy-security", "civil-emergency-planning"],
        "The first conference hosted by the Centre discussed the protection of critical energy "
        "infrastructure.",
        "A yearly energy security course to be offered at the Centre.",
        [
            (
                "Propose an energy security course for the Centre's programme",
                "org:ensec-coe",
                90,
                "done",
            )
        ],
    ),
    (
        "demo-conf-2018-03",
        "2018-03",
        F.CONFERENCE,
        "Regional seminar on maritime security",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.EXPERT,
        PUBLIC,
        None,
        _ici(
            host="KWT",
            chair="org:nato-ici-rc",
            observers=("SAU", "OMN"),
            extra=[("org:marcom", R.GUEST)],
        ),
        [("MARCOM staff officers", "speakers", "MARCOM")],
        ["maritime-security", "counter-piracy"],
        "Naval officers of the Gulf states and MARCOM discussed maritime situational awareness.",
        "",
        [],
    ),
    (
        "demo-review-2019-10",
        "2019-10-06",
        F.ANNUAL_REVIEW,
        "Second annual review of the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.SENIOR_OFFICIALS,
        PARTNER,
        "KWT",
        [("KWT", R.HOST), ("org:nato-ici-rc", R.ORGANISER), ("org:nato-hq", R.GUEST)],
        [("Director of the Centre", "presented the year", "NATO-ICI Regional Centre")],
        ["lessons-learned"],
        "Kuwait and NATO reviewed the Centre's second year: courses held, seats used, evaluations.",
        "More courses in Arabic; earlier publication of the course calendar.",
        [
            ("Publish the next year's course calendar by 1 December", "user:centre", 56, "done"),
            (
                "Identify Arabic-speaking instructors for two courses",
                "org:nato-ici-rc",
                120,
                "done",
            ),
        ],
    ),
    (
        "demo-pag-2020-11",
        "2020-11-18",
        F.POLICY_ADVISORY_GROUP,
        "ICI policy advisory group (videoconference)",
        "Videoconference",
        None,
        None,
        L.SENIOR_OFFICIALS,
        ICI,
        None,
        _ici(),
        [],
        ["civil-emergency-planning", "disaster-relief"],
        "Exchange on the pandemic response and civil preparedness.",
        "",
        [("Share lessons on pandemic logistics", "org:nato-pasp", 45, "done")],
    ),
    (
        "demo-consult-2021-09",
        "2021-09",
        F.INFORMAL_CONSULTATIONS,
        "Informal consultations with Qatar on the individual programme",
        "Doha",
        None,
        "QAT",
        L.SENIOR_OFFICIALS,
        PARTNER,
        "QAT",
        [("QAT", R.HOST), ("org:nato-pasp", R.GUEST)],
        [],
        ["defence-reform", "public-diplomacy"],
        "Qatar and NATO discussed the priorities of Qatar's tailored programme.",
        "",
        [("Send Qatar the draft programme objectives", "user:qatar", 30, "done")],
    ),
    (
        "demo-nac-2021-12",
        "2021-12",
        F.NAC_ICI,
        "North Atlantic Council with the ICI partners on the strategic concept",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.AMBASSADORIAL,
        ICI,
        None,
        _ici(),
        [],
        ["hybrid-threats", "cyber-defence"],
        "Ambassadors heard the partners' views ahead of NATO's new strategic concept.",
        "",
        [],
    ),
    (
        "demo-conf-2022-02",
        "2022-02-21/2022-02-23",
        F.CONFERENCE,
        "Cyber defence conference at the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.EXPERT,
        ICI,
        None,
        _ici(
            host="KWT", chair="org:nato-ici-rc", observers=("SAU",), extra=[("org:ccdcoe", R.GUEST)]
        ),
        [("Experts of the Cooperative Cyber Defence Centre of Excellence", "speakers", "CCDCOE")],
        ["cyber-defence", "hybrid-threats"],
        "Three days on national cyber strategies and incident response.",
        "A tabletop cyber exercise for the partners.",
        [("Design a tabletop cyber exercise for the partners", "org:ccdcoe", 200, "open")],
    ),
    (
        "demo-review-2022-10",
        "2022-10",
        F.ANNUAL_REVIEW,
        "Annual review of the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.SENIOR_OFFICIALS,
        PARTNER,
        "KWT",
        [("KWT", R.HOST), ("org:nato-ici-rc", R.ORGANISER), ("org:nato-hq", R.GUEST)],
        [],
        ["lessons-learned"],
        "Review of the Centre's fifth year.",
        "Evaluation forms to be analysed per course.",
        [
            ("Analyse course evaluations per course and report", "user:centre", 60, "done"),
            ("Agree a maintenance plan for the Centre's classrooms", "org:kwt-mod", 150, "open"),
        ],
    ),
    (
        "demo-consult-2023-03",
        "2023-03-07",
        F.INFORMAL_CONSULTATIONS,
        "Informal consultations with Bahrain on maritime cooperation",
        "Manama",
        None,
        "BHR",
        L.EXPERT,
        PARTNER,
        "BHR",
        [("BHR", R.HOST), ("org:marcom", R.GUEST)],
        [],
        ["maritime-security"],
        "Bahrain and MARCOM discussed exercises and information exchange.",
        "",
        [("Invite Bahraini officers to the next MARCOM exercise", "org:marcom", 120, "done")],
    ),
    (
        "demo-nato-only-2023-11",
        "2023-11",
        F.OTHER,
        "Allies' review of the Regional Centre's funding",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.SENIOR_OFFICIALS,
        NATO,
        None,
        [("org:nato-pasp", R.ORGANISER)],
        [],
        [],
        "Internal review of NATO's contribution to the Centre's running costs.",
        "",
        [("Prepare a costed proposal for the Centre's NATO office", "user:nato", 75, "open")],
    ),
    (
        "demo-pag-2024-05",
        "2024-05-20/2024-05-21",
        F.POLICY_ADVISORY_GROUP,
        "ICI policy advisory group at the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.SENIOR_OFFICIALS,
        ICI,
        None,
        _ici(host="KWT", observers=("SAU", "OMN", "org:gcc-secretariat")),
        [],
        ["counter-terrorism", "strategic-analysis"],
        "The group prepared the ICI's twentieth anniversary.",
        "Anniversary events in Kuwait and New York.",
        [
            ("Propose the programme of the anniversary meeting", "org:nato-pasp", 30, "done"),
            ("Publish a joint statement for the anniversary", "org:kwt-mfa", 90, "cancelled"),
        ],
    ),
    (
        "demo-conf-2024-06",
        "2024-06-02/2024-06-06",
        F.CONFERENCE,
        "Maritime security week at the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.EXPERT,
        PUBLIC,
        None,
        [
            ("KWT", R.HOST),
            ("BHR", R.MEMBER),
            ("QAT", R.MEMBER),
            ("SAU", R.OBSERVER),
            ("OMN", R.OBSERVER),
            ("org:gcc-secretariat", R.OBSERVER),
            ("org:marcom", R.ORGANISER),
        ],
        [],
        ["maritime-security"],
        "A week of maritime security sessions led by MARCOM.",
        "",
        [],
    ),
    (
        "demo-review-2025-09",
        "2025-09-28/2025-09-29",
        F.ANNUAL_REVIEW,
        "Annual review of the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.SENIOR_OFFICIALS,
        PARTNER,
        "KWT",
        [("KWT", R.HOST), ("org:nato-ici-rc", R.ORGANISER), ("org:nato-hq", R.GUEST)],
        [("Director of the Centre", "presented the year", "NATO-ICI Regional Centre")],
        ["lessons-learned", "public-diplomacy"],
        "Review of the Centre's eighth year and of the course calendar for the next year.",
        "Kuwait to host two additional courses; staff to track unanswered requests.",
        [
            ("Confirm funding for two additional courses", "user:kuwait", 45, "open"),
            ("Report on unanswered partner requests every quarter", "user:nato", 450, "open"),
        ],
    ),
    (
        "demo-nac-2025-12",
        "2025-12",
        F.NAC_ICI,
        "North Atlantic Council with the ICI partners",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.AMBASSADORIAL,
        ICI,
        None,
        _ici(),
        [],
        ["hybrid-threats", "energy-security"],
        "Ambassadors discussed energy security and disinformation in the region.",
        "",
        [("Circulate a paper on disinformation in the Gulf", "org:stratcom-coe", 90, "open")],
    ),
    (
        "demo-consult-2026-04",
        "2026-04",
        F.INFORMAL_CONSULTATIONS,
        "Informal consultations with Saudi Arabia and Oman",
        "Riyadh",
        None,
        "SAU",
        L.SENIOR_OFFICIALS,
        ICI,
        None,
        [
            ("SAU", R.HOST),
            ("OMN", R.GUEST),
            ("org:gcc-secretariat", R.OBSERVER),
            ("org:nato-pasp", R.GUEST),
        ],
        [],
        ["strategic-analysis"],
        "Exchange with the two GCC states that are not ICI members.",
        "",
        [
            (
                "Offer course seats at the Centre to Saudi and Omani officers",
                "org:nato-ici-rc",
                240,
                "open",
            )
        ],
    ),
    (
        "demo-conf-2026-12",
        "2026-12-07/2026-12-08",
        F.CONFERENCE,
        "Conference on crisis management at the Regional Centre",
        "NATO-ICI Regional Centre, Kuwait City",
        "nato-ici-rc",
        "KWT",
        L.EXPERT,
        ICI,
        None,
        _ici(host="KWT", chair="org:nato-ici-rc", extra=[("org:cmdr-coe", R.GUEST)]),
        [],
        ["crisis-management", "disaster-relief"],
        "Planned conference on crisis management and disaster response.",
        "",
        [("Confirm the speakers", "user:centre", -20, "open")],
    ),
    (
        "demo-undated-visit",
        None,
        F.VISIT,
        "Study visit of Gulf officials to NATO Headquarters",
        "NATO Headquarters, Brussels",
        "nato-hq",
        "BEL",
        L.EXPERT,
        ICI,
        None,
        [(c, R.GUEST) for c in ICI4] + [("org:nato-hq", R.HOST)],
        [],
        ["public-diplomacy"],
        "A study visit whose date was not recorded.",
        "",
        [],
    ),
]


def _party(code: str) -> dict:
    if code.startswith("org:"):
        return {"country": None, "organisation": Organisation.objects.get(slug=code[4:])}
    return {"country": Country.objects.get(iso3=code), "organisation": None}


def _owner(code: str) -> dict:
    from icihub.core.models import User

    kind, _, value = code.partition(":")
    if kind == "user":
        user = User.objects.filter(username=value, is_active=True).first()
        if user is not None:
            return {"owner_user": user, "owner_organisation": None}
        value = "nato-pasp"  # demo accounts missing: an organisation owns it
    return {"owner_user": None, "owner_organisation": Organisation.objects.get(slug=value)}


def _action_values(start: dt.date, days: int, state: str, today: dt.date) -> dict:
    """Due ``days`` after the event; a "done" action is completed before today;
    an action of an event still to come is due ``days`` before it."""
    due = start + dt.timedelta(days=days)
    completed = None
    if state == FollowUpAction.State.DONE:
        completed = min(due - dt.timedelta(days=3), today)
    return {"due": due, "state": state, "completed_on": completed}


def load(progress: Progress = print) -> None:
    today = timezone.localdate()
    count = actions = overdue = 0
    for (
        key,
        date,
        fmt,
        title,
        place,
        venue,
        venue_country,
        level,
        marking,
        partner,
        participants,
        attendees,
        topics,
        summary,
        outcomes,
        action_specs,
    ) in EVENTS:
        when = PartialDate.parse(date)
        event, _ = upsert(
            Event,
            {"key": key},
            {
                "title": title,
                "format": fmt,
                "date": when,
                "date_note": DEMO_NOTE if when else f"{DEMO_NOTE} No date was recorded.",
                "place": place,
                "venue": Organisation.objects.get(slug=venue) if venue else None,
                "venue_country": Country.objects.get(iso3=venue_country) if venue_country else None,
                "level": level,
                "marking": marking,
                "country": Country.objects.get(iso3=partner) if partner else None,
                "summary": summary,
                "outcomes": outcomes,
                "provenance": Event.Provenance.DEMO,
            },
        )
        sync_m2m(event, "topics", list(Area.objects.filter(code__in=topics)))
        keep = set()
        for code, role in participants:
            row, _ = upsert(Participant, {"event": event, **_party(code)}, {"role": role})
            keep.add(row.pk)
        for stale in event.participants.exclude(pk__in=keep):
            stale.delete()
        for position, (name, role, affiliation) in enumerate(attendees, start=1):
            upsert(
                Attendee,
                {"event": event, "person": None, "name": name},
                {"role": role, "affiliation": affiliation, "position": position},
            )
        start = when.earliest if when else today
        for description, owner, days, state in action_specs:
            values = {**_owner(owner), **_action_values(start, days, state, today)}
            action, _ = upsert(FollowUpAction, {"event": event, "description": description}, values)
            actions += 1
            overdue += action.is_overdue
        count += 1
    progress(
        f"  {count} demo dialogue events (2005-2026), {actions} follow-up actions "
        f"({overdue} overdue)"
    )
