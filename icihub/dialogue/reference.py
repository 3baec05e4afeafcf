"""Reference data of the dialogue register: the events the seed articles and
the domain brief state, each with its sources and the passages quoted verbatim.

Dates keep the precision of their sources ("2014" stays a year); an event no
source dates has no date, and its ``date_note`` says so. Where sources disagree
(the Centre's inauguration: 24 January 2017 per seeds 000 and 002, 23 January
per NATO) every version is cited and the conflict is shown. Facts the seeds do
not state come from the project brief (source ``icihub-brief``). Idempotent:
``icihub load-reference`` twice changes nothing."""

from __future__ import annotations

from icihub.core.access import Marking
from icihub.core.dates import PartialDate
from icihub.core.models import Citation
from icihub.core.reference import Progress, cite, sync_m2m, upsert
from icihub.menu.models import Area
from icihub.partners.models import Country, Organisation, Person

from .models import Attendee, Event, Participant

D = PartialDate.parse
TEXT = Citation.Kind.TEXT
DATE = Citation.Kind.DATE
ICI4 = ("BHR", "KWT", "QAT", "ARE")

# Each event: key, fields, participants [(ISO3 or "org:slug", role, [(source, quote)])],
# attendees [(person slug or None, name, role, [(source, quote)])], topics (area codes),
# citations [(attribute, value, source, quote, kind, note)].
EVENTS = [
    {
        "key": "ici-launch-istanbul-2004",
        "title": "Launch of the Istanbul Cooperation Initiative at the Istanbul Summit",
        "format": Event.Format.SUMMIT,
        "date": "2004-06-28",
        "date_note": "NATO's official text of the initiative is dated 28 June 2004; seed 001 "
        "gives June 2004 and seeds 000, 002, 003 and 004 the year 2004.",
        "place": "NATO Summit, Istanbul",
        "venue_country": "TUR",
        "level": Event.Level.HEADS,
        "summary": "NATO's heads of state and government launched the Istanbul Cooperation "
        "Initiative, offering all six states of the Gulf Cooperation Council practical, "
        "bilateral security cooperation with NATO.",
        "outcomes": "The initiative is launched on the principles of non-discrimination, "
        "self-differentiation, inclusiveness and joint ownership; it is open to all GCC states.",
        "participants": [
            ("TUR", Participant.Role.HOST, []),
            ("org:nato-hq", Participant.Role.ORGANISER, []),
        ],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2004-06-28",
                "nato-ici-text-2004",
                "",
                DATE,
                "Official text dated 28 June 2004.",
            ),
            (
                "date",
                "2004-06",
                "seed-001",
                "The ICI was launched at the alliance’s summit in the Turkish coastal city in June 2004",
                DATE,
                "",
            ),
            (
                "date",
                "2004",
                "seed-000",
                "Nato launched the ICI in 2004 to “contribute to long-term global and regional "
                "security by offering GCC countries practical bilateral security cooperation with Nato”.",
                DATE,
                "",
            ),
            (
                "date",
                "2004",
                "seed-004",
                "Launch (2004): The ICI was introduced at the NATO Istanbul Summit",
                DATE,
                "",
            ),
            (
                "place",
                "NATO Istanbul Summit",
                "seed-004",
                "The ICI was introduced at the NATO Istanbul Summit",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "first-ici-foreign-ministers-2014",
        "title": "First meeting of NATO and ICI foreign ministers",
        "format": Event.Format.FOREIGN_MINISTERS,
        "date": "2014",
        "date_note": "Seed 001 says the Secretary General spoke “on Wednesday” and looked ahead "
        "to “the Wales Summit this September”: a Wednesday of 2014 before September. "
        "No source held gives the day, so the date stays at the year.",
        "place": "NATO Headquarters, Brussels",
        "venue": "nato-hq",
        "venue_country": "BEL",
        "level": Event.Level.MINISTERIAL,
        "summary": "NATO foreign ministers met the representatives of Bahrain, Kuwait, Qatar and "
        "the United Arab Emirates at NATO Headquarters: the first meeting at the level of "
        "foreign ministers since the initiative was launched in June 2004. Secretary General "
        "Anders Fogh Rasmussen opened it, ten years after the launch and before the Wales Summit.",
        "outcomes": "Ministers discussed how to tailor cooperation to the Gulf partners' specific "
        "security needs and how NATO can work more closely with all Gulf countries; work on "
        "deepening political dialogue and practical cooperation towards the Wales Summit "
        "(September 2014).",
        "participants": [
            (
                iso3,
                Participant.Role.MEMBER,
                [
                    (
                        "seed-001",
                        "the meeting between the Nato foreign ministers and representatives from "
                        "Bahrain, Kuwait, Qatar and the United Arab Emirates",
                    )
                ],
            )
            for iso3 in ICI4
        ]
        + [("org:nato-hq", Participant.Role.ORGANISER, [])],
        "attendees": [
            (
                "anders-fogh-rasmussen",
                "",
                "NATO Secretary General; opened the meeting",
                [
                    (
                        "seed-001",
                        "Rasmussen said as he opened the meeting between the Nato foreign "
                        "ministers and representatives from Bahrain, Kuwait, Qatar and the "
                        "United Arab Emirates",
                    )
                ],
            ),
            (None, "NATO foreign ministers", "Allies' foreign ministers", []),
            (
                None,
                "Representatives of Bahrain, Kuwait, Qatar and the United Arab Emirates",
                "ICI partners",
                [],
            ),
        ],
        "topics": [
            "maritime-security",
            "energy-security",
            "cyber-defence",
            "counter-terrorism",
            "counter-piracy",
            "non-proliferation",
        ],
        "citations": [
            (
                "date",
                "2014",
                "seed-001",
                "“As we look to the Wales Summit this September, we will work on ways to deepen "
                "our political dialogue and practical cooperation,” Rasmussen said as he opened "
                "the meeting",
                DATE,
                "The article is from 2014 (ten years after the launch, before the Wales Summit "
                "of September 2014) and says “on Wednesday” without the day.",
            ),
            ("date", "2014", "icihub-brief", "", DATE, "Brussels, 2014, before the Wales Summit."),
            (
                "place",
                "NATO Headquarters, Brussels",
                "seed-001",
                "the Nato Secretary General said on Wednesday at the alliance headquarters in Brussels.",
                TEXT,
                "",
            ),
            (
                "first",
                "the first foreign ministers' meeting since the launch",
                "seed-001",
                "The meeting at the level of foreign ministers between Nato and ICI countries was "
                "the first since the official launch of the initiative in June 2004.",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "kwt-request-centre-2012",
        "title": "Kuwait requests a NATO-ICI regional centre",
        "format": Event.Format.REQUEST,
        "date": "2012-02",
        "date_note": "Month from the project brief; no seed dates the request.",
        "place": "",
        "country": "KWT",
        "level": "",
        "summary": "Kuwait proposed to host a NATO-ICI regional centre, to be financed and run "
        "by Kuwait with a NATO office.",
        "outcomes": "Endorsed by NATO at the Chicago Summit in May 2012.",
        "milestone": ("nato-ici-rc", "requested"),
        "participants": [("KWT", Participant.Role.ORGANISER, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            ("date", "2012-02", "icihub-brief", "", DATE, "Requested by Kuwait in February 2012."),
        ],
    },
    {
        "key": "chicago-summit-2012",
        "title": "NATO Chicago Summit: the regional centre endorsed",
        "format": Event.Format.SUMMIT,
        "date": "2012-05",
        "date_note": "",
        "place": "NATO Summit, Chicago",
        "venue_country": "USA",
        "level": Event.Level.HEADS,
        "summary": "At the Chicago Summit NATO committed to strengthening political dialogue and "
        "practical cooperation in the ICI and endorsed Kuwait's proposal for a NATO-ICI "
        "regional centre.",
        "outcomes": "Communiqué: “We will strengthen political dialogue and practical cooperation "
        "in the ICI”; Kuwait's proposal for a regional centre endorsed.",
        "participants": [
            ("USA", Participant.Role.HOST, []),
            ("org:nato-hq", Participant.Role.ORGANISER, []),
        ],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2012-05",
                "seed-000",
                "At its Chicago summit in May 2012, Nato in its communiqué said that it looked "
                "forward to a better understanding of common security threats in the region.",
                DATE,
                "",
            ),
            (
                "date",
                "2012-05",
                "icihub-brief",
                "",
                DATE,
                "Endorsed at the Chicago Summit (May 2012).",
            ),
            (
                "outcomes",
                "strengthen political dialogue and practical cooperation in the ICI",
                "seed-000",
                "“We will strengthen political dialogue and practical cooperation in the ICI,” the "
                "communiqué said.",
                TEXT,
                "",
            ),
            (
                "centre-endorsed",
                "the regional centre endorsed",
                "icihub-brief",
                "",
                TEXT,
                "Kuwait's request for the Centre was endorsed at the Chicago Summit in May 2012.",
            ),
        ],
    },
    {
        "key": "nac-ici-2008-11",
        "title": "First meeting of the North Atlantic Council with the ICI partners (NAC+4)",
        "format": Event.Format.NAC_ICI,
        "date": "2008-11",
        "date_note": "Month from the project brief; the place is not stated.",
        "place": "",
        "level": Event.Level.AMBASSADORIAL,
        "summary": "The North Atlantic Council met the four ICI partners together for the first "
        "time, opening a regular NAC+4 format of political dialogue.",
        "outcomes": "",
        "participants": [(iso3, Participant.Role.MEMBER, []) for iso3 in ICI4]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            ("date", "2008-11", "icihub-brief", "", DATE, "NAC+4, first in November 2008."),
        ],
    },
    {
        "key": "centre-inauguration-2017",
        "title": "Inauguration of the NATO-ICI Regional Centre",
        "format": Event.Format.INAUGURATION,
        "date": "2017-01-24",
        "date_note": "Seeds 000 and 002 give 24 January 2017 (seed 002 says “on Tuesday” in an "
        "article dated 24 January 2017); NATO gives 23 January 2017. Both are cited; the "
        "record keeps the seeds' date.",
        "place": "NATO-ICI Regional Centre, Kuwait City",
        "venue": "nato-ici-rc",
        "venue_country": "KWT",
        "country": "KWT",
        "level": Event.Level.HEADS,
        "summary": "NATO opened its first presence in the Gulf region: Secretary General Jens "
        "Stoltenberg led the North Atlantic Council to Kuwait for the inauguration of the "
        "NATO-ICI Regional Centre, in the presence of Prime Minister Sheikh Jaber Mubarak Al "
        "Sabah; the Council then met the ICI partners.",
        "outcomes": "The Centre is to be a hub for practical cooperation: strategic analysis, "
        "civil emergency planning, military-to-military cooperation, public diplomacy, and "
        "courses on cyber security, energy security and CBRN defence.",
        "milestone": ("nato-ici-rc", "established"),
        "participants": [
            (
                "KWT",
                Participant.Role.HOST,
                [
                    (
                        "seed-000",
                        "The Nato-Istanbul Cooperation Initiative (ICI) Regional Centre was "
                        "inaugurated in Kuwait City on January 24, 2017.",
                    )
                ],
            ),
        ]
        + [(iso3, Participant.Role.MEMBER, []) for iso3 in ("BHR", "QAT", "ARE")]
        + [
            (
                "org:nato-hq",
                Participant.Role.ORGANISER,
                [
                    (
                        "seed-000",
                        "Nato Secretary-General Jens Stoltenberg said as he led the North "
                        "Atlantic Council in celebrating the historic event.",
                    )
                ],
            )
        ],
        "attendees": [
            (
                "jens-stoltenberg",
                "",
                "NATO Secretary General; led the North Atlantic Council and spoke at the inauguration",
                [
                    (
                        "seed-000",
                        "Nato Secretary-General Jens Stoltenberg said as he led the North "
                        "Atlantic Council in celebrating the historic event.",
                    ),
                    (
                        "seed-002",
                        '"It will be a vital hub for cooperation between the alliance and our Gulf '
                        'partners," Stoltenberg said at the inauguration of the centre in Kuwait',
                    ),
                ],
            ),
            (
                "jaber-mubarak-al-sabah",
                "",
                "Prime Minister of Kuwait; present at the inauguration",
                [
                    (
                        "seed-002",
                        "at the inauguration of the centre in Kuwait in the presence of Prime "
                        "Minister Sheikh Jaber Mubarak Al Sabah.",
                    )
                ],
            ),
            (
                "sabah-khaled-al-sabah",
                "",
                "Foreign Minister of Kuwait; spoke on the region's security challenges",
                [
                    (
                        "seed-002",
                        "Kuwaiti Foreign Minister Sheikh Sabah Khaled Al Sabah said the region is "
                        "facing serious challenges that require cooperation with international "
                        "organisations.",
                    )
                ],
            ),
            (None, "The North Atlantic Council", "Allies' permanent representatives", []),
        ],
        "topics": [
            "strategic-analysis",
            "civil-emergency-planning",
            "mil-to-mil",
            "public-diplomacy",
            "cyber-defence",
            "energy-security",
            "cbrn",
            "counter-terrorism",
        ],
        "citations": [
            (
                "date",
                "2017-01-24",
                "seed-000",
                "The Nato-Istanbul Cooperation Initiative (ICI) Regional Centre was inaugurated in "
                "Kuwait City on January 24, 2017.",
                DATE,
                "",
            ),
            (
                "date",
                "2017-01-24",
                "seed-002",
                "NATO Chief Jens Stoltenberg on Tuesday called for boosting security cooperation "
                "with the Gulf states as the Western military alliance opened its first office in "
                "the region.",
                DATE,
                "Article dated 2017-01-24; “Tuesday” is 24 January 2017.",
            ),
            (
                "date",
                "2017-01",
                "seed-003",
                "The Nato-ICI Regional Centre, inaugurated in Kuwait City in January 2017",
                DATE,
                "",
            ),
            ("date", "2017-01-23", "nato-centre-2017", "", DATE, "NATO gives 23 January 2017."),
            (
                "place",
                "Kuwait City",
                "seed-000",
                "The Nato-Istanbul Cooperation Initiative (ICI) Regional Centre was inaugurated in "
                "Kuwait City on January 24, 2017.",
                TEXT,
                "",
            ),
            (
                "outcomes",
                "a vital hub for practical cooperation",
                "seed-000",
                "As Nato’s first presence in the Gulf region, the Centre will be a vital hub for "
                "practical cooperation in a range of areas, including strategic analysis, civil "
                "emergence planning, military-to-military cooperation and public diplomacy, Nato said.",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "nac-ici-kuwait-2017",
        "title": "North Atlantic Council meeting with the ICI partners in Kuwait",
        "format": Event.Format.NAC_ICI,
        "date": "2017-01-24",
        "date_note": "Held after the opening ceremony of the Centre (seed 002, photo caption "
        "dated 24 January 2017). NATO dates the inauguration 23 January 2017: see the "
        "inauguration.",
        "place": "Kuwait City",
        "venue_country": "KWT",
        "level": Event.Level.AMBASSADORIAL,
        "summary": "After the opening ceremony of the Regional Centre the North Atlantic Council, "
        "led by Secretary General Jens Stoltenberg, met the ICI partners in Kuwait. Stoltenberg "
        "said NATO had developed individual cooperation programmes with all its Gulf partners.",
        "outcomes": "",
        "participants": [("KWT", Participant.Role.HOST, [])]
        + [(iso3, Participant.Role.MEMBER, []) for iso3 in ("BHR", "QAT", "ARE")]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [
            (
                "jens-stoltenberg",
                "",
                "NATO Secretary General; spoke during the meeting",
                [
                    (
                        "seed-002",
                        "NATO Secretary General Jens Stoltenberg (3rd right) speaks during the "
                        "North Atlantic Council — Istanbul Cooperation Initiative (ICI) meeting "
                        "after opening ceremony of NATO-ICI regional centre in Kuwait on Tuesday",
                    )
                ],
            )
        ],
        "topics": ["counter-terrorism", "non-proliferation", "cyber-defence"],
        "citations": [
            (
                "date",
                "2017-01-24",
                "seed-002",
                "date 2017-01-24 NATO Secretary General Jens Stoltenberg (3rd right) speaks during "
                "the North Atlantic Council — Istanbul Cooperation Initiative (ICI) meeting after "
                "opening ceremony of NATO-ICI regional centre in Kuwait on Tuesday",
                DATE,
                "",
            ),
            (
                "outcomes",
                "individual cooperation programmes with all Gulf partners",
                "seed-002",
                "We have now developed individual cooperation programmes with all our Gulf partners",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "pag-4-centre-2018",
        "title": "4th meeting of the ICI policy advisory group",
        "format": Event.Format.POLICY_ADVISORY_GROUP,
        "date": "2018-01-22/2018-01-23",
        "date_note": "",
        "place": "NATO-ICI Regional Centre, Kuwait City",
        "venue": "nato-ici-rc",
        "venue_country": "KWT",
        "level": Event.Level.SENIOR_OFFICIALS,
        "summary": "The ICI policy advisory group met for the fourth time, at the Regional Centre "
        "in Kuwait.",
        "outcomes": "",
        "participants": [("KWT", Participant.Role.HOST, [])]
        + [(iso3, Participant.Role.MEMBER, []) for iso3 in ("BHR", "QAT", "ARE")]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2018-01-22/2018-01-23",
                "icihub-brief",
                "",
                DATE,
                "The 4th ICI policy advisory group at the Centre, 22-23 January 2018.",
            ),
        ],
    },
    {
        "key": "centre-first-annual-review-2018",
        "title": "First annual review of the NATO-ICI Regional Centre",
        "format": Event.Format.ANNUAL_REVIEW,
        "date": "2018-09-30/2018-10-01",
        "date_note": "",
        "place": "NATO-ICI Regional Centre, Kuwait City",
        "venue": "nato-ici-rc",
        "venue_country": "KWT",
        "country": "KWT",
        "level": Event.Level.SENIOR_OFFICIALS,
        "summary": "Kuwait and NATO reviewed the Centre's first year of courses and activities.",
        "outcomes": "",
        "participants": [
            ("KWT", Participant.Role.HOST, []),
            ("org:nato-ici-rc", Participant.Role.ORGANISER, []),
            ("org:nato-hq", Participant.Role.GUEST, []),
        ],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2018-09-30/2018-10-01",
                "icihub-brief",
                "",
                DATE,
                "First annual review 30 September - 1 October 2018.",
            ),
        ],
    },
    {
        "key": "ici-advisory-group-consultations",
        "title": "ICI advisory group: two-day informal consultations",
        "format": Event.Format.INFORMAL_CONSULTATIONS,
        "date": None,
        "date_note": "The article gives no date. It says the meeting also discussed preparations "
        "for NATO's June summit in Brussels, without the year; no date is recorded.",
        "place": "",
        "level": Event.Level.MIXED,
        "summary": "A two-day informal meeting of the ICI advisory group, with medium-level "
        "commanders, academics and representatives of the ICI and NATO countries; Saudi, Omani "
        "and GCC Secretariat officials also attended. Afterwards Shaikh Fawaz Al Sabah of "
        "Kuwait's National Security Bureau named cyber security, crisis management, energy "
        "security and civil emergency planning as the Regional Centre's current focus.",
        "outcomes": "The consultations touched upon the development of relations and "
        "partnerships between ICI countries and NATO members, and discussed preparations for "
        "NATO's June summit in Brussels.",
        "participants": [
            (
                "KWT",
                Participant.Role.MEMBER,
                [
                    (
                        "seed-000",
                        "Shaikh Fawaz Al Sabah, head of security information and follow-up at the "
                        "Bureau, said in a statement following a meeting of the ICI advisory group.",
                    )
                ],
            ),
        ]
        + [
            (
                party,
                Participant.Role.OBSERVER,
                [
                    (
                        "seed-000",
                        "Saudi, Omani and Gulf Cooperation Council (GCC) Secretariat officials also "
                        "attended the meeting.",
                    )
                ],
            )
            for party in ("SAU", "OMN", "org:gcc-secretariat")
        ],
        "attendees": [
            (
                "fawaz-al-sabah",
                "",
                "Head of security information and follow-up, National Security Bureau of Kuwait; "
                "made a statement after the meeting",
                [
                    (
                        "seed-000",
                        "Shaikh Fawaz Al Sabah, head of security information and follow-up at the "
                        "Bureau, said in a statement following a meeting of the ICI advisory group.",
                    )
                ],
            ),
            (None, "Medium-level commanders", "", []),
            (None, "Academics", "", []),
            (None, "Representatives of the ICI and NATO countries", "", []),
            (None, "Saudi, Omani and GCC Secretariat officials", "", []),
        ],
        "topics": [
            "cyber-defence",
            "crisis-management",
            "energy-security",
            "civil-emergency-planning",
            "cbrn",
        ],
        "citations": [
            (
                "format",
                "two-day informal meeting of the ICI advisory group",
                "seed-000",
                "The two-day consultations touched upon the development of relations and "
                "partnerships between ICI countries and Nato members, Kuwait News Agency (Kuna) "
                "quoted him as saying.",
                TEXT,
                "",
            ),
            (
                "participants",
                "medium-level commanders, academics, ICI and NATO representatives",
                "seed-000",
                "The informal meeting, which saw the participation of medium-level commanders, "
                "academics and representatives from the ICI and Nato countries, also discussed "
                "preparations for Nato’s June summit in the Belgian capital Brussels.",
                TEXT,
                "",
            ),
            (
                "observers",
                "Saudi Arabia, Oman and the GCC Secretariat",
                "seed-000",
                "Saudi, Omani and Gulf Cooperation Council (GCC) Secretariat officials also "
                "attended the meeting.",
                TEXT,
                "",
            ),
            (
                "focus",
                "cyber security, crisis management, energy security, civil emergency planning",
                "seed-000",
                "Cybersecurity, crisis management, energy security and civil emergency planning "
                "are the current focus of the Kuwait-based Nato-Istanbul Cooperation Initiative "
                "(ICI) Regional Centre, an official at Kuwait’s National Security Bureau said.",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "kwt-mission-nato-opening",
        "title": "Opening of Kuwait's mission to NATO in Brussels",
        "format": Event.Format.MISSION_OPENING,
        "date": None,
        "date_note": "The article gives no date. It reports the Centre's first-year figures and "
        "calls NATO the “29-member alliance”; no date is recorded.",
        "place": "Brussels",
        "venue": "kwt-mission-nato",
        "venue_country": "BEL",
        "country": "KWT",
        "level": Event.Level.SENIOR_OFFICIALS,
        "summary": "Kuwait inaugurated the offices of its first diplomatic mission to NATO. "
        "Deputy Foreign Minister Khalid Al Jarallah and NATO Assistant Secretary General "
        "Alejandro Alvargonzález opened it with a ribbon-cutting ceremony; the mission is headed "
        "by Jassim Al Budiawi, Kuwait's ambassador to Belgium and the European Union.",
        "outcomes": "Kuwait's first diplomatic mission to NATO; Kuwait looks forward to broader "
        "cooperation with, and regular visits to, NATO.",
        "participants": [
            (
                "KWT",
                Participant.Role.HOST,
                [
                    (
                        "seed-003",
                        "Kuwait inaugurated the offices of its first diplomatic mission to Nato in "
                        "Brussels in a significant step to strengthen cooperation.",
                    )
                ],
            ),
            ("org:nato-pasp", Participant.Role.GUEST, []),
        ],
        "attendees": [
            (
                "khalid-al-jarallah",
                "",
                "Deputy Foreign Minister of Kuwait; opened the mission",
                [
                    (
                        "seed-003",
                        "The mission was opened by Kuwait’s deputy foreign minister Khalid Al "
                        "Jarallah and Nato’s Assistant Secretary General for Political Affairs and "
                        "Security Policy, Alejandro Alvargonzález.",
                    )
                ],
            ),
            (
                "alejandro-alvargonzalez",
                "",
                "NATO Assistant Secretary General for Political Affairs and Security Policy; "
                "opened the mission",
                [
                    (
                        "seed-003",
                        "The mission was opened by Kuwait’s deputy foreign minister Khalid Al "
                        "Jarallah and Nato’s Assistant Secretary General for Political Affairs and "
                        "Security Policy, Alejandro Alvargonzález.",
                    )
                ],
            ),
            (
                "jassim-al-budiawi",
                "",
                "Head of the mission; Kuwait's ambassador to Belgium and the European Union",
                [
                    (
                        "seed-003",
                        "The mission will be headed by Jassim Al Budiawi, Kuwait’s ambassador to "
                        "Belgium and the European Union.",
                    )
                ],
            ),
        ],
        "topics": [],
        "citations": [
            (
                "place",
                "Brussels",
                "seed-003",
                "Kuwait inaugurated the offices of its first diplomatic mission to Nato in "
                "Brussels in a significant step to strengthen cooperation.",
                TEXT,
                "The article does not give the date.",
            ),
            (
                "outcomes",
                "strengthening the relationship between Kuwait and NATO",
                "seed-003",
                "“This mission will contribute to strengthening the relationship between Kuwait "
                "and Nato,” Al Jarallah told reporters following the ribbon-cutting ceremony.",
                TEXT,
                "",
            ),
        ],
    },
    {
        "key": "nac-ici-kuwait-2019",
        "title": "North Atlantic Council with the ICI partners in Kuwait: 15th anniversary of the ICI",
        "format": Event.Format.NAC_ICI,
        "date": "2019-12-16",
        "date_note": "",
        "place": "Kuwait",
        "venue_country": "KWT",
        "level": Event.Level.AMBASSADORIAL,
        "summary": "The North Atlantic Council met the ICI partners in Kuwait to mark the 15th "
        "anniversary of the initiative.",
        "outcomes": "",
        "participants": [("KWT", Participant.Role.HOST, [])]
        + [(iso3, Participant.Role.MEMBER, []) for iso3 in ("BHR", "QAT", "ARE")]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2019-12-16",
                "icihub-brief",
                "",
                DATE,
                "Kuwait, 16 December 2019, for the 15th anniversary.",
            ),
        ],
    },
    {
        "key": "nac-ici-brussels-2023",
        "title": "North Atlantic Council with the ICI partners in Brussels",
        "format": Event.Format.NAC_ICI,
        "date": "2023-09-13",
        "date_note": "",
        "place": "Brussels",
        "venue_country": "BEL",
        "level": Event.Level.AMBASSADORIAL,
        "summary": "The North Atlantic Council met the four ICI partners in Brussels.",
        "outcomes": "",
        "participants": [(iso3, Participant.Role.MEMBER, []) for iso3 in ICI4]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            ("date", "2023-09-13", "icihub-brief", "", DATE, "Brussels, 13 September 2023."),
        ],
    },
    {
        "key": "nac-ici-new-york-2024",
        "title": "North Atlantic Council with the ICI partners in New York: 20th anniversary of the ICI",
        "format": Event.Format.NAC_ICI,
        "date": "2024-09-25",
        "date_note": "",
        "place": "New York",
        "venue_country": "USA",
        "level": Event.Level.AMBASSADORIAL,
        "summary": "The North Atlantic Council met the ICI partners in New York to mark the 20th "
        "anniversary of the initiative.",
        "outcomes": "",
        "participants": [(iso3, Participant.Role.MEMBER, []) for iso3 in ICI4]
        + [("org:nato-hq", Participant.Role.CHAIR, [])],
        "attendees": [],
        "topics": [],
        "citations": [
            (
                "date",
                "2024-09-25",
                "icihub-brief",
                "",
                DATE,
                "New York, 25 September 2024, for the 20th anniversary.",
            ),
        ],
    },
]


def _party(code: str) -> dict:
    if code.startswith("org:"):
        return {"country": None, "organisation": Organisation.objects.get(slug=code[4:])}
    return {"country": Country.objects.get(iso3=code), "organisation": None}


def load_event(spec: dict) -> Event:
    values = {
        "title": spec["title"],
        "format": spec["format"],
        "date": D(spec["date"]),
        "date_note": spec.get("date_note", ""),
        "place": spec.get("place", ""),
        "venue": Organisation.objects.get(slug=spec["venue"]) if spec.get("venue") else None,
        "venue_country": Country.objects.get(iso3=spec["venue_country"])
        if spec.get("venue_country")
        else None,
        "level": spec.get("level", ""),
        "summary": spec.get("summary", ""),
        "outcomes": spec.get("outcomes", ""),
        "marking": spec.get("marking", Marking.PUBLIC),
        "country": Country.objects.get(iso3=spec["country"]) if spec.get("country") else None,
        "milestone_of": Organisation.objects.get(slug=spec["milestone"][0])
        if spec.get("milestone")
        else None,
        "milestone": spec["milestone"][1] if spec.get("milestone") else "",
        "provenance": spec.get("provenance", Event.Provenance.SOURCE),
    }
    event, _ = upsert(Event, {"key": spec["key"]}, values)
    sync_m2m(event, "topics", list(Area.objects.filter(code__in=spec.get("topics", []))))
    if len(spec.get("topics", [])) != event.topics.count():
        raise LookupError(f"{spec['key']}: unknown area in {spec['topics']}")

    keep = set()
    for code, role, sources in spec.get("participants", []):
        party = _party(code)
        participant, _ = upsert(Participant, {"event": event, **party}, {"role": role})
        keep.add(participant.pk)
        for source_key, quote in sources:
            cite(
                participant,
                "role",
                str(Participant.Role(role).label),
                source_key,
                quote=quote,
                kind=TEXT,
            )
    for stale in event.participants.exclude(pk__in=keep):
        stale.delete()

    keep = set()
    for position, (slug, name, role, sources) in enumerate(spec.get("attendees", []), start=1):
        if slug:
            lookup = {"event": event, "person": Person.objects.get(slug=slug)}
            values = {"name": "", "role": role, "position": position}
        else:
            lookup = {"event": event, "person": None, "name": name}
            values = {"role": role, "position": position}
        attendee, _ = upsert(Attendee, lookup, values)
        keep.add(attendee.pk)
        for source_key, quote in sources:
            cite(attendee, "role", role[:300], source_key, quote=quote, kind=TEXT)
    for stale in event.attendees.exclude(pk__in=keep):
        stale.delete()

    for attribute, value, source_key, quote, kind, note in spec.get("citations", []):
        cite(event, attribute, value, source_key, quote=quote, kind=kind, note=note)
    return event


def load(progress: Progress = print) -> None:
    for spec in EVENTS:
        load_event(spec)
    progress(f"  {len(EVENTS)} dialogue events from the seeds and the brief, with their sources")
