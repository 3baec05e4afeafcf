"""Demo data of the Regional Centre: its first year, 2017, and the examples the
sources give for later years.

* 2017: fourteen courses and activities in the areas the seeds name (cyber
  security, energy security, CBRN, crisis management, civil emergency planning,
  strategic analysis, military-to-military cooperation, maritime security,
  lessons learned, public diplomacy...), taught by instructors and experts who
  travel in from NATO bodies and Centres of Excellence, for officers of the four
  ICI members and of Saudi Arabia and Oman: nominations (with rejections,
  withdrawals, a substitution, promotions from the waiting list), attendance per
  day, outcomes by the completion rule, level-1 evaluations and certificates.
  The year is built so that 478 people complete a course and 149 instructors and
  experts travel to the Centre, the figures NATO published for the first year
  (seed 003) -- the demo's records are invented ("demo" provenance), the
  published figures are not.
* The examples the brief gives, with provenance "source" and their passage
  cited: the CBRN consequence management course of December 2017 (15 Kuwaiti
  experts), the JALLC lessons-learned course of April 2019 (4 days, 26 students
  from Kuwait, Qatar, the UAE and Saudi Arabia) and the MARCOM maritime security
  course of 2-6 June 2024 (Bahrain, Kuwait, Qatar, Saudi Arabia, Oman and the GCC
  Secretariat). Where a source gives only the month, the session's days are
  illustrative and its notes say so.
* A session of the crisis management course open for nominations about eleven
  weeks from today, with quotas and some nominations; a planned and a cancelled
  session.

The demo account "participant" is linked to a Kuwaiti participant (Yousef
Al-Ajmi) and "instructor" to an instructor of NATO School Oberammergau (Marco
Bianchi), when those accounts exist. Deterministic (seeded random); loading it
again does nothing. Bulk writes use ``bulk_create`` and are audited with
``audit.record_bulk_create``."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone

from icihub.core import audit
from icihub.core.access import Marking
from icihub.core.demo import is_full
from icihub.core.models import Citation, User
from icihub.core.reference import Progress, cite
from icihub.menu.models import Activity, Area
from icihub.partners.models import Country, Framework, Organisation

from . import seats as seat_ledger
from .models import (
    Assignment,
    Attendance,
    Certificate,
    Course,
    Evaluation,
    Instructor,
    Nomination,
    Participant,
    Provenance,
    SeatQuota,
    Session,
    Trip,
)
from .services import CODE_ALPHABET, clean_base_url, outcome_for

SEED = 2017
DEMO = Provenance.DEMO
SOURCE = Provenance.SOURCE
# The full demo's later years: the first year (2017) is built by hand, these
# are generated: sessions a year, growing as the Centre did, in two seasons
# (January to May, mid-September to mid-December), around Ramadan, the Eids
# and the Gulf states' public holidays as the Gulf calendar knows them.
YEARS = range(2018, 2027)
SESSIONS_A_YEAR = {2018: 20, 2019: 24, 2020: 14, 2021: 22, 2022: 28}  # then 32
SEASON_MONTHS = {1: 2, 2: 3, 3: 3, 4: 2, 5: 2, 9: 1, 10: 3, 11: 3, 12: 2}  # weight by month
CANCELLED_SHARE = 0.04
REPEAT_SHARE = 0.25  # nominees who attended an earlier course
POOL_SIZE = 8  # regular instructors of each providing organisation
CANCEL_REASONS = [
    "Too few nominations by the deadline.",
    "The instructors' travel could not be arranged in time.",
    "Moved at the request of the providing organisation.",
]
TEXT = Citation.Kind.TEXT
DATE = Citation.Kind.DATE
NUMBER = Citation.Kind.NUMBER
S = Nomination.Status
O = Nomination.Outcome  # noqa: E741 - the outcome choices

SEED_000_FOCUS = (
    "Cybersecurity, crisis management, energy security and civil emergency planning are the "
    "current focus of the Kuwait-based Nato-Istanbul Cooperation Initiative (ICI) Regional Centre"
)
SEED_000_CBRN = (
    "The centre is also focusing on ways to respond to chemical, biological, nuclear and "
    "radioactive accidents"
)
SEED_000_HUB = (
    "the Centre will be a vital hub for practical cooperation in a range of areas, including "
    "strategic analysis, civil emergence planning, military-to-military cooperation and public "
    "diplomacy, Nato said."
)
SEED_002_COURSES = (
    "The centre will help the Gulf states by providing advanced training courses on cyber "
    "security, energy security, chemical, biological and nuclear weapons."
)
BRIEF_CBRN = "Examples: CBRN consequence management, December 2017, 15 Kuwaiti experts"
BRIEF_JALLC = (
    "JALLC lessons-learned course, 4 days, April 2019, 26 students from Kuwait, Qatar, the UAE "
    "and Saudi Arabia"
)
BRIEF_MARCOM = (
    "MARCOM maritime security, 2-6 June 2024, Bahrain, Kuwait, Qatar, Saudi Arabia, Oman and "
    "the GCC Secretariat."
)
BRIEF_INSTRUCTORS = (
    "Taught by instructors who travel in from NATO bodies: NATO School Oberammergau, the Joint "
    "Analysis and Lessons Learned Centre (JALLC), Allied Maritime Command (MARCOM), the NATO "
    "Maritime Interdiction Operational Training Centre (NMIOTC), Centres of Excellence, and "
    "Allies' institutions"
)

# -- the catalogue ---------------------------------------------------------------------------

# code, title, title_ar, areas, provider, delivery/format, days, level, capacity, aim, sources
COURSES = [
    (
        "NIRC-CM-101",
        "NATO crisis management course",
        "دورة الناتو لإدارة الأزمات",
        ["crisis-management"],
        "nato-school",
        "course",
        5,
        "intermediate",
        40,
        "To give officers and officials a common understanding of NATO's crisis management "
        "process and of how partners take part in it.",
        [("seed-000", "area", "crisis management", SEED_000_FOCUS)],
    ),
    (
        "NIRC-CYB-101",
        "Cyber defence awareness course",
        "دورة التوعية بالدفاع السيبراني",
        ["cyber-defence"],
        "ccdcoe",
        "course",
        5,
        "basic",
        40,
        "To build a shared understanding of cyber threats, national cyber defence organisation "
        "and incident response.",
        [
            ("seed-000", "area", "cyber security", SEED_000_FOCUS),
            ("seed-002", "area", "cyber security", SEED_002_COURSES),
        ],
    ),
    (
        "NIRC-PD-101",
        "Public diplomacy and strategic communications course",
        "دورة الدبلوماسية العامة والاتصال الاستراتيجي",
        ["public-diplomacy", "hybrid-threats"],
        "stratcom-coe",
        "course",
        5,
        "intermediate",
        40,
        "To plan and coordinate public diplomacy and to recognise and counter disinformation.",
        [("seed-000", "area", "public diplomacy", SEED_000_HUB)],
    ),
    (
        "NIRC-ENS-101",
        "Energy security course",
        "دورة أمن الطاقة",
        ["energy-security"],
        "ensec-coe",
        "course",
        5,
        "intermediate",
        40,
        "To assess risks to energy infrastructure and supply routes and to protect critical "
        "energy infrastructure.",
        [
            ("seed-000", "area", "energy security", SEED_000_FOCUS),
            ("seed-002", "area", "energy security", SEED_002_COURSES),
        ],
    ),
    (
        "NIRC-CEP-101",
        "Civil emergency planning course",
        "دورة التخطيط للطوارئ المدنية",
        ["civil-emergency-planning", "disaster-relief"],
        "cmdr-coe",
        "course",
        5,
        "basic",
        40,
        "To plan civil preparedness and the response to disasters, with civil and military "
        "means working together.",
        [("seed-000", "area", "civil emergency planning", SEED_000_FOCUS)],
    ),
    (
        "NIRC-M2M-101",
        "Military-to-military cooperation workshop",
        "ورشة عمل التعاون العسكري",
        ["mil-to-mil", "exercises-interoperability"],
        "nato-school",
        "seminar",
        4,
        "intermediate",
        40,
        "To compare staff procedures and standards that let partner forces work with NATO forces.",
        [("seed-000", "area", "military-to-military cooperation", SEED_000_HUB)],
    ),
    (
        "NIRC-CT-101",
        "Defence against terrorism course",
        "دورة الدفاع ضد الإرهاب",
        ["counter-terrorism"],
        "coe-dat",
        "course",
        5,
        "intermediate",
        40,
        "To understand terrorist threats and the civil and military means to counter them.",
        [],
    ),
    (
        "NIRC-LL-101",
        "Lessons learned course",
        "دورة الدروس المستفادة",
        ["lessons-learned"],
        "jallc",
        "course",
        4,
        "basic",
        40,
        "To set up a lessons learned capability: observations, analysis, lessons, and their "
        "sharing.",
        [("icihub-brief", "delivered", "2019-04", BRIEF_JALLC)],
    ),
    (
        "NIRC-SA-101",
        "Strategic analysis seminar",
        "ندوة التحليل الاستراتيجي",
        ["strategic-analysis"],
        "nato-defense-college",
        "seminar",
        3,
        "advanced",
        40,
        "To analyse the security environment of the Gulf and the Euro-Atlantic area together.",
        [("seed-000", "area", "strategic analysis", SEED_000_HUB)],
    ),
    (
        "NIRC-MAR-101",
        "Maritime security course",
        "دورة الأمن البحري",
        ["maritime-security", "counter-piracy"],
        "marcom",
        "course",
        5,
        "intermediate",
        40,
        "To build maritime situational awareness and cooperation to protect sea lanes.",
        [("icihub-brief", "delivered", "2024-06-02/2024-06-06", BRIEF_MARCOM)],
    ),
    (
        "NIRC-MIO-101",
        "Maritime interdiction operations course",
        "دورة عمليات الاعتراض البحري",
        ["maritime-security"],
        "nmiotc",
        "course",
        5,
        "advanced",
        40,
        "To plan and conduct boarding and maritime interdiction operations.",
        [],
    ),
    (
        "NIRC-CIMIC-101",
        "Civil-military cooperation course",
        "دورة التعاون المدني العسكري",
        ["civil-military-relations"],
        "ccoe",
        "course",
        5,
        "basic",
        40,
        "To coordinate military operations with civil authorities and organisations.",
        [],
    ),
    (
        "NIRC-CBRN-101",
        "CBRN consequence management course",
        "دورة إدارة عواقب الحوادث الكيميائية والبيولوجية والإشعاعية والنووية",
        ["cbrn", "civil-emergency-planning"],
        "jcbrn-coe",
        "course",
        5,
        "advanced",
        20,
        "To manage the consequences of chemical, biological, radiological and nuclear incidents.",
        [
            ("seed-000", "area", "CBRN", SEED_000_CBRN),
            ("seed-002", "area", "CBRN", SEED_002_COURSES),
            ("icihub-brief", "delivered", "2017-12", BRIEF_CBRN),
        ],
    ),
    (
        "NIRC-HYB-101",
        "Countering hybrid threats seminar",
        "ندوة مواجهة التهديدات الهجينة",
        ["hybrid-threats", "strategic-analysis"],
        "nato-pasp",
        "seminar",
        3,
        "executive",
        40,
        "To discuss hybrid threats and disinformation facing the Gulf and the Alliance.",
        [],
    ),
]

SOURCE_BACKED = {"NIRC-CBRN-101", "NIRC-LL-101", "NIRC-MAR-101"}

# The first year: code, start, completers, not completed, no-shows (per course).
YEAR_2017 = [
    ("NIRC-CM-101", dt.date(2017, 2, 12), 38, 1, 1),
    ("NIRC-CYB-101", dt.date(2017, 3, 5), 35, 2, 0),
    ("NIRC-PD-101", dt.date(2017, 3, 26), 36, 1, 1),
    ("NIRC-ENS-101", dt.date(2017, 4, 16), 34, 1, 0),
    ("NIRC-CEP-101", dt.date(2017, 5, 7), 40, 0, 1),
    ("NIRC-M2M-101", dt.date(2017, 9, 17), 33, 1, 0),
    ("NIRC-CT-101", dt.date(2017, 10, 1), 37, 1, 1),
    ("NIRC-LL-101", dt.date(2017, 10, 15), 36, 0, 0),
    ("NIRC-SA-101", dt.date(2017, 10, 29), 35, 1, 0),
    ("NIRC-MAR-101", dt.date(2017, 11, 5), 39, 1, 1),
    ("NIRC-MIO-101", dt.date(2017, 11, 12), 34, 2, 0),
    ("NIRC-CIMIC-101", dt.date(2017, 11, 26), 36, 0, 1),
    ("NIRC-HYB-101", dt.date(2017, 12, 3), 33, 1, 0),
    ("NIRC-CBRN-101", dt.date(2017, 12, 10), 15, 0, 0),
]
REPEATERS = 3  # people who complete two courses in 2017: 481 completions, 478 people
TRAVELLERS_2017 = 149
LOCAL_EXPERTS = 6

COUNTRY_SHARE = [
    ("KWT", 0.34),
    ("BHR", 0.15),
    ("QAT", 0.15),
    ("ARE", 0.15),
    ("SAU", 0.12),
    ("OMN", 0.09),
]

# -- names -----------------------------------------------------------------------------------

GIVEN = [
    ("Ahmad", "أحمد"),
    ("Mohammed", "محمد"),
    ("Abdullah", "عبدالله"),
    ("Khalid", "خالد"),
    ("Fahad", "فهد"),
    ("Saud", "سعود"),
    ("Nasser", "ناصر"),
    ("Salem", "سالم"),
    ("Yousef", "يوسف"),
    ("Hamad", "حمد"),
    ("Ali", "علي"),
    ("Omar", "عمر"),
    ("Faisal", "فيصل"),
    ("Bader", "بدر"),
    ("Jassim", "جاسم"),
    ("Mubarak", "مبارك"),
    ("Sultan", "سلطان"),
    ("Saeed", "سعيد"),
    ("Rashid", "راشد"),
    ("Hamdan", "حمدان"),
    ("Majid", "ماجد"),
    ("Turki", "تركي"),
    ("Talal", "طلال"),
    ("Ibrahim", "إبراهيم"),
    ("Hussain", "حسين"),
    ("Abdulaziz", "عبدالعزيز"),
    ("Mansour", "منصور"),
    ("Nawaf", "نواف"),
    ("Mishal", "مشعل"),
    ("Waleed", "وليد"),
    ("Adel", "عادل"),
    ("Hessa", "حصة"),
    ("Noura", "نورة"),
    ("Maryam", "مريم"),
    ("Fatima", "فاطمة"),
    ("Aisha", "عائشة"),
    ("Sara", "سارة"),
    ("Latifa", "لطيفة"),
    ("Dana", "دانة"),
]
FAMILY = {
    "KWT": [
        ("Al-Mutairi", "المطيري"),
        ("Al-Azmi", "العازمي"),
        ("Al-Ajmi", "العجمي"),
        ("Al-Enezi", "العنزي"),
        ("Al-Rashidi", "الرشيدي"),
        ("Al-Kandari", "الكندري"),
        ("Al-Shammari", "الشمري"),
        ("Al-Hajri", "الهاجري"),
        ("Al-Otaibi", "العتيبي"),
        ("Al-Dosari", "الدوسري"),
        ("Al-Fadhli", "الفضلي"),
        ("Al-Khaldi", "الخالدي"),
        ("Behbehani", "بهبهاني"),
        ("Al-Qattan", "القطان"),
        ("Al-Saleh", "الصالح"),
        ("Al-Ghanim", "الغانم"),
    ],
    "BHR": [
        ("Al-Khalifa", "آل خليفة"),
        ("Al-Dosari", "الدوسري"),
        ("Al-Jalahma", "الجلاهمة"),
        ("Al-Musallam", "المسلم"),
        ("Al-Zayani", "الزياني"),
        ("Al-Buainain", "البوعينين"),
        ("Al-Noaimi", "النعيمي"),
        ("Al-Sayed", "السيد"),
        ("Al-Mahmood", "المحمود"),
        ("Kanoo", "كانو"),
    ],
    "QAT": [
        ("Al-Thani", "آل ثاني"),
        ("Al-Kuwari", "الكواري"),
        ("Al-Marri", "المري"),
        ("Al-Sulaiti", "السليطي"),
        ("Al-Mohannadi", "المهندي"),
        ("Al-Kaabi", "الكعبي"),
        ("Al-Hajri", "الهاجري"),
        ("Al-Naimi", "النعيمي"),
        ("Al-Attiyah", "العطية"),
        ("Al-Khulaifi", "الخليفي"),
    ],
    "ARE": [
        ("Al-Mansoori", "المنصوري"),
        ("Al-Dhaheri", "الظاهري"),
        ("Al-Shamsi", "الشامسي"),
        ("Al-Mazrouei", "المزروعي"),
        ("Al-Ketbi", "الكتبي"),
        ("Al-Suwaidi", "السويدي"),
        ("Al-Falasi", "الفلاسي"),
        ("Al-Hammadi", "الحمادي"),
        ("Al-Nuaimi", "النعيمي"),
        ("Al-Kaabi", "الكعبي"),
    ],
    "SAU": [
        ("Al-Qahtani", "القحطاني"),
        ("Al-Ghamdi", "الغامدي"),
        ("Al-Zahrani", "الزهراني"),
        ("Al-Harbi", "الحربي"),
        ("Al-Shehri", "الشهري"),
        ("Al-Subaie", "السبيعي"),
        ("Al-Malki", "المالكي"),
        ("Al-Otaibi", "العتيبي"),
        ("Al-Anazi", "العنزي"),
        ("Al-Dossary", "الدوسري"),
    ],
    "OMN": [
        ("Al-Busaidi", "البوسعيدي"),
        ("Al-Balushi", "البلوشي"),
        ("Al-Harthy", "الحارثي"),
        ("Al-Hinai", "الهنائي"),
        ("Al-Rawahi", "الرواحي"),
        ("Al-Maamari", "المعمري"),
        ("Al-Kindi", "الكندي"),
        ("Al-Siyabi", "السيابي"),
        ("Al-Amri", "العامري"),
        ("Al-Shukaili", "الشكيلي"),
    ],
}
ORGANISATIONS = {
    "KWT": [
        ("army", "Kuwait Army"),
        ("national_guard", "Kuwait National Guard"),
        ("police", "Ministry of Interior"),
        ("civil_defence", "Kuwait Fire Force"),
        ("ministry", "National Security Bureau"),
        ("ministry", "Ministry of Foreign Affairs"),
        ("navy", "Kuwait Naval Force"),
        ("air_force", "Kuwait Air Force"),
    ],
    "BHR": [
        ("army", "Bahrain Defence Force"),
        ("navy", "Royal Bahrain Naval Force"),
        ("police", "Ministry of Interior"),
        ("national_guard", "Bahrain National Guard"),
        ("ministry", "Ministry of Foreign Affairs"),
    ],
    "QAT": [
        ("army", "Qatar Armed Forces"),
        ("navy", "Qatari Emiri Naval Forces"),
        ("police", "Ministry of Interior"),
        ("civil_defence", "General Directorate of Civil Defence"),
        ("ministry", "Ministry of Defence"),
    ],
    "ARE": [
        ("army", "UAE Land Forces"),
        ("navy", "UAE Navy"),
        ("air_force", "UAE Air Force and Air Defence"),
        ("police", "Ministry of Interior"),
        ("ministry", "National Emergency Crisis and Disaster Management Authority"),
    ],
    "SAU": [
        ("army", "Royal Saudi Land Forces"),
        ("national_guard", "Saudi Arabian National Guard"),
        ("navy", "Royal Saudi Naval Forces"),
        ("civil_defence", "General Directorate of Civil Defense"),
        ("ministry", "Ministry of Interior"),
    ],
    "OMN": [
        ("army", "Royal Army of Oman"),
        ("navy", "Royal Navy of Oman"),
        ("police", "Royal Oman Police"),
        ("ministry", "Ministry of Defence"),
    ],
}
DOMAINS = {
    "KWT": "kw.example",
    "BHR": "bh.example",
    "QAT": "qa.example",
    "ARE": "ae.example",
    "SAU": "sa.example",
    "OMN": "om.example",
}
RANKS = {
    "military": [
        ("Lieutenant", "OF-1"),
        ("Captain", "OF-2"),
        ("Captain", "OF-2"),
        ("Major", "OF-3"),
        ("Major", "OF-3"),
        ("Lieutenant Colonel", "OF-4"),
        ("Lieutenant Colonel", "OF-4"),
        ("Colonel", "OF-5"),
        ("Brigadier", "OF-6"),
        ("Warrant Officer", "OR-9"),
        ("Sergeant Major", "OR-8"),
    ],
    "navy": [
        ("Sub-Lieutenant", "OF-1"),
        ("Lieutenant", "OF-2"),
        ("Lieutenant Commander", "OF-3"),
        ("Commander", "OF-4"),
        ("Captain (Navy)", "OF-5"),
        ("Chief Petty Officer", "OR-7"),
    ],
    "civilian": [("", "CIV")],
}
POSITIONS = [
    "Staff officer, operations",
    "Staff officer, plans",
    "Head of section",
    "Desk officer",
    "Training officer",
    "Liaison officer",
    "Analyst",
    "Deputy director",
    "Emergency planner",
    "Instructor",
]

# Instructors: first and family names of Allied nationals; (organisation, nationalities).
FIRST = [
    "Marco",
    "Anna",
    "Thomas",
    "Elena",
    "Jan",
    "Sofia",
    "Pieter",
    "Ingrid",
    "Luca",
    "Maria",
    "Hans",
    "Katarzyna",
    "João",
    "Inês",
    "Nikos",
    "Eleni",
    "Mehmet",
    "Ayşe",
    "Andrius",
    "Rūta",
    "Tomáš",
    "Petra",
    "Kristjan",
    "Liis",
    "Jānis",
    "Ilze",
    "Georgi",
    "Milena",
    "James",
    "Emma",
    "Michael",
    "Sarah",
    "Pierre",
    "Claire",
    "Javier",
    "Lucía",
    "Lars",
    "Karin",
    "Bogdan",
    "Ioana",
    "Gábor",
    "Eszter",
    "Mark",
    "Laura",
    "David",
    "Julia",
    "Olivier",
    "Sophie",
    "Erik",
    "Helena",
]
LAST = [
    "Bianchi",
    "Schmidt",
    "Müller",
    "Rossi",
    "de Vries",
    "Jansen",
    "Costa",
    "Silva",
    "Papadopoulos",
    "Georgiou",
    "Yılmaz",
    "Demir",
    "Kazlauskas",
    "Petrauskas",
    "Novák",
    "Dvořák",
    "Tamm",
    "Saar",
    "Bērziņš",
    "Ozols",
    "Ivanov",
    "Dimitrov",
    "Smith",
    "Brown",
    "Taylor",
    "Martin",
    "Dubois",
    "García",
    "Fernández",
    "Hansen",
    "Johansson",
    "Kowalski",
    "Nowak",
    "Popescu",
    "Ionescu",
    "Nagy",
    "Horváth",
    "Wilson",
    "Anderson",
    "Moreau",
    "Lefebvre",
    "Larsen",
    "Nielsen",
    "Novotná",
    "Weber",
    "Fischer",
    "Romano",
    "Ferrari",
    "Marino",
    "Santos",
]
ORG_NATIONS = {
    "nato-school": ["DEU", "USA", "ITA", "GBR", "NLD", "POL"],
    "ccdcoe": ["EST", "LVA", "LTU", "USA", "DEU"],
    "stratcom-coe": ["LVA", "GBR", "USA", "EST"],
    "ensec-coe": ["LTU", "FRA", "TUR", "USA"],
    "cmdr-coe": ["BGR", "ROU", "GRC", "ITA"],
    "coe-dat": ["TUR", "USA", "HUN"],
    "jallc": ["PRT", "ESP", "GBR", "NOR"],
    "nato-defense-college": ["ITA", "FRA", "CAN", "BEL"],
    "marcom": ["GBR", "NOR", "DNK", "NLD"],
    "nmiotc": ["GRC", "ITA", "ESP"],
    "ccoe": ["NLD", "DEU", "DNK", "HUN"],
    "jcbrn-coe": ["CZE", "SVK", "POL", "DEU"],
    "nato-pasp": ["BEL", "FRA", "GBR", "CAN"],
    "nato-hq": ["BEL", "USA", "ITA"],
}
GUEST_ORGS = ["nato-hq", "nato-pasp", "nato-defense-college", "nato-school"]


def _rank(rng: random.Random, service: str) -> tuple[str, str]:
    if service in ("ministry",):
        return (
            rng.choice(RANKS["civilian"]) if rng.random() < 0.7 else rng.choice(RANKS["military"])
        )
    if service == "navy":
        return rng.choice(RANKS["navy"])
    if service == "civil_defence" and rng.random() < 0.3:
        return rng.choice(RANKS["civilian"])
    return rng.choice(RANKS["military"])


class _People:
    """Makes unique, plausible participants of each country (not yet saved)."""

    def __init__(self, rng: random.Random, countries: dict[str, Country]):
        self.rng = rng
        self.countries = countries
        self.used: set[tuple[str, str, str]] = set()
        self.made: list[Participant] = []
        self.count = defaultdict(int)

    def make(self, iso3: str, given=None, family=None, organisation=None) -> Participant:
        rng = self.rng
        for _attempt in range(200):
            g = given or rng.choice(GIVEN)
            f = family or rng.choice(FAMILY[iso3])
            if (iso3, g[0], f[0]) not in self.used or (given and family):
                break
        else:  # every combination used: add a father's name
            g = rng.choice(GIVEN)
            father, family = rng.choice(GIVEN[:31]), rng.choice(FAMILY[iso3])
            f = (f"{father[0]} {family[0]}", f"{father[1]} {family[1]}")
        self.used.add((iso3, g[0], f[0]))
        self.count[iso3] += 1
        service, org = organisation or rng.choice(ORGANISATIONS[iso3])
        rank, code = _rank(rng, service)
        n = self.count[iso3]
        person = Participant(
            given_name=g[0],
            family_name=f[0],
            name_ar=f"{g[1]} {f[1]}",
            country=self.countries[iso3],
            service=service,
            rank=rank,
            rank_code=code,
            position=rng.choice(POSITIONS),
            organisation=org,
            email=f"{g[0]}.{f[0]}.{n}@{DOMAINS[iso3]}".lower().replace("'", "").replace(" ", "."),
            provenance=DEMO,
        )
        person.prepare()
        self.made.append(person)
        return person


def _split(total: int, shares: list[tuple[str, float]], rng: random.Random) -> dict[str, int]:
    """``total`` people across countries by their shares (largest remainders)."""
    raw = {iso3: total * share for iso3, share in shares}
    counts = {iso3: int(value) for iso3, value in raw.items()}
    rest = total - sum(counts.values())
    for iso3, _value in sorted(
        raw.items(), key=lambda kv: (kv[1] - int(kv[1]), rng.random()), reverse=True
    )[:rest]:
        counts[iso3] += 1
    return counts


def _code(rng: random.Random, used: set[str]) -> str:
    while True:
        raw = "".join(rng.choice(CODE_ALPHABET) for _i in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if code not in used:
            used.add(code)
            return code


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _user(username: str):
    return User.objects.filter(username=username).first()


# -- loading ---------------------------------------------------------------------------------


def load(progress: Progress = print, size: str | None = None) -> None:
    """Load the demo of the Centre: at the "small" size its first year, the
    sourced examples and the sessions of today; at "full" (the default of
    ``icihub setup``) also every year since, generated (:func:`_plan_years`)."""
    if Course.objects.filter(code="NIRC-CM-101").exists():
        progress("  training demo already loaded")
        return
    rng = random.Random(SEED)
    countries = {c.iso3: c for c in Country.objects.all()}
    orgs = {o.slug: o for o in Organisation.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    ici = Framework.objects.get(code="ici")
    centre_staff = _user("centre")

    courses = _load_courses(progress, orgs, areas, ici)
    people = _People(rng, countries)
    instructors = _Instructors(rng, countries, orgs)

    yousef = people.make(
        "KWT", ("Yousef", "يوسف"), ("Al-Ajmi", "العجمي"), ("police", "Ministry of Interior")
    )
    marco = instructors.make("nato-school", "Marco Bianchi", "ITA", title="Lieutenant Colonel")

    plans = _plan_2017(rng, courses, people, yousef)
    plans += _plan_sources(rng, courses, people, yousef)
    open_plan = _plan_current(rng, courses, people, yousef)
    if is_full(size):
        years = _plan_years(random.Random(SEED + 1), courses, people, plans)
        progress(f"  {len(years)} sessions generated over {YEARS[0]}–{YEARS[-1]}")
        plans += years

    progress(f"  {len(people.made)} participants")
    Participant.objects.bulk_create(people.made, batch_size=500)
    audit.record_bulk_create(people.made)
    participant_user = _user("participant")
    if participant_user is not None and not hasattr(participant_user, "training_participant"):
        Participant.objects.filter(pk=yousef.pk).update(user=participant_user)

    sessions = [_make_session(plan, centre_staff) for plan in plans if not plan.pooled]
    sessions += _make_sessions([plan for plan in plans if plan.pooled])
    _nominations(rng, plans, centre_staff)
    _attendance_outcomes(rng, plans, centre_staff)
    _evaluations_certificates(rng, plans, centre_staff)
    progress(
        f"  {len(sessions)} past sessions with nominations, attendance, evaluations, certificates"
    )

    _instructors_and_trips(rng, plans, instructors, marco)
    instructor_user = _user("instructor")
    if instructor_user is not None and not hasattr(instructor_user, "training_instructor"):
        Instructor.objects.filter(pk=marco.pk).update(user=instructor_user)
    progress(
        f"  {Instructor.objects.count()} instructors and experts, {Trip.objects.count()} trips"
    )

    _load_current(rng, open_plan, centre_staff, marco)
    progress("  one session open for nominations, one planned, one cancelled")


def _load_courses(progress, orgs, areas, ici) -> dict[str, Course]:
    courses = {}
    for (
        code,
        title,
        title_ar,
        area_codes,
        provider,
        fmt,
        days,
        level,
        capacity,
        aim,
        sources,
    ) in COURSES:
        delivery = Course.Delivery.RESIDENT
        course = Course(
            code=code,
            title=title,
            title_ar=title_ar,
            description=aim,
            format=fmt if fmt != "course" else Activity.Format.COURSE,
            delivery=delivery,
            provider=orgs[provider],
            duration_days=days,
            level=level,
            languages="en,ar",
            aim=aim,
            performance_objectives="\n".join(
                [
                    "Explain the principles and the NATO doctrine of the subject.",
                    "Apply them in a syndicate exercise based on a regional scenario.",
                    "Identify the cooperation the Centre and NATO bodies can offer.",
                ]
            ),
            security_classification=Course.Classification.UNCLASSIFIED,
            training_audience="ICI members; Saudi Arabia and Oman as participating GCC states; "
            "GCC Secretariat as approved",
            prerequisites="Working knowledge of English; a post related to the course's subject.",
            default_capacity=capacity,
            min_attendance_percent=80,
            level1_evaluation_required=True,
            level2_test=code in ("NIRC-MIO-101", "NIRC-CBRN-101"),
            marking=Marking.PUBLIC,
            first_year=2017,
            provenance=Activity.Provenance.SOURCE
            if code in SOURCE_BACKED
            else Activity.Provenance.DEMO,
            external_ref=f"ETOC {code}",
        )
        course.full_clean()
        course.save()
        course.areas.set([areas[a] for a in area_codes])
        course.eligible_frameworks.set([ici])
        for source_key, attribute, value, quote in sources:
            kind = DATE if attribute == "delivered" else TEXT
            cite(course, attribute, value, source_key, quote=quote, kind=kind)
        courses[code] = course
    progress(f"  {len(courses)} courses in the catalogue")
    return courses


class _Plan:
    """One session to build: its people and what happens to each."""

    def __init__(
        self,
        course,
        start,
        *,
        state="completed",
        notes="",
        capacity=None,
        sourced=False,
        pooled=False,
        cancel_reason="",
    ):
        self.course = course
        self.sourced = sourced  # the session is one a source gives (its people are demo)
        self.pooled = pooled  # taught by the providers' regular instructors (later years)
        self.cancel_reason = cancel_reason
        self.start = start
        self.end = start + dt.timedelta(days=course.duration_days - 1)
        self.state = state
        self.notes = notes
        self.capacity = capacity
        self.session = None
        # (participant, fate) with fate in completed/not_completed/no_show/rejected/
        # withdrawn/waitlisted/substituted/promoted-completed
        self.entries: list[tuple[Participant, str]] = []
        self.quotas: dict[str, int] = {}
        self.instructors = 0


def _plan_2017(rng, courses, people: _People, yousef) -> list[_Plan]:
    plans = []
    completers_so_far: list[Participant] = []
    repeats_left = REPEATERS
    for code, start, completed, not_completed, no_show in YEAR_2017:
        plan = _Plan(courses[code], start, notes="Demonstration data.")
        if code == "NIRC-CBRN-101":
            plan.sourced = True
            plan.notes = (
                "The brief gives December 2017 and 15 Kuwaiti experts; the days are illustrative."
            )
            plan.entries = [(people.make("KWT"), "completed") for _i in range(completed)]
            plan.quotas = {"KWT": 15}
            plan.capacity = 20
            plan.instructors = 8
            plans.append(plan)
            completers_so_far.extend(p for p, _f in plan.entries)
            continue
        split = _split(completed + not_completed + no_show, COUNTRY_SHARE, rng)
        fates = (
            ["completed"] * completed + ["not_completed"] * not_completed + ["no_show"] * no_show
        )
        rng.shuffle(fates)
        entries = []
        index = 0
        for iso3, count in split.items():
            for _i in range(count):
                entries.append((iso3, fates[index]))
                index += 1
        people_here = []
        for iso3, fate in entries:
            if (
                code == "NIRC-CM-101"
                and iso3 == "KWT"
                and fate == "completed"
                and yousef not in people_here
            ):
                person = yousef
            elif (
                fate == "completed"
                and repeats_left
                and code in ("NIRC-CEP-101", "NIRC-MAR-101", "NIRC-CIMIC-101")
            ):
                candidates = [
                    p
                    for p in completers_so_far
                    if p.country.iso3 == iso3 and p is not yousef and p not in people_here
                ]
                person = rng.choice(candidates) if candidates else people.make(iso3)
                if candidates:
                    repeats_left -= 1
            else:
                person = people.make(iso3)
            people_here.append(person)
            plan.entries.append((person, fate))
        # Two of the seats went to nominees promoted from the waiting list.
        promoted = [i for i, (_p, fate) in enumerate(plan.entries) if fate == "completed"][:2]
        for i in promoted:
            plan.entries[i] = (plan.entries[i][0], "promoted-completed")
        # Others who never sat: rejected, withdrawn, still waiting, one substituted.
        for fate in ("rejected", "withdrawn", "waitlisted", "substituted"):
            iso3 = rng.choice([c for c, _s in COUNTRY_SHARE])
            plan.entries.append((people.make(iso3), fate))
        held = defaultdict(int)
        for person, fate in plan.entries:
            if fate in ("completed", "not_completed", "no_show"):
                held[person.country.iso3] += 1
        plan.quotas = dict(held)
        seated = len(
            [
                f
                for _p, f in plan.entries
                if f in ("completed", "not_completed", "no_show", "promoted-completed")
            ]
        )
        plan.capacity = max(seated, 40)
        plan.instructors = 0
        completers_so_far.extend(
            p for p, f in plan.entries if f in ("completed", "promoted-completed")
        )
        plans.append(plan)
    return plans


def _plan_sources(rng, courses, people: _People, yousef) -> list[_Plan]:
    plans = []
    jallc = _Plan(
        courses["NIRC-LL-101"],
        dt.date(2019, 4, 14),
        sourced=True,
        notes="Source: the JALLC lessons-learned course, 4 days, April 2019, 26 students from "
        "Kuwait, Qatar, the UAE and Saudi Arabia. The days within April are illustrative.",
    )
    for iso3, count in (("KWT", 8), ("QAT", 6), ("ARE", 6), ("SAU", 6)):
        for i in range(count):
            person = yousef if (iso3 == "KWT" and i == 0) else people.make(iso3)
            jallc.entries.append((person, "completed"))
    jallc.quotas = {"KWT": 8, "QAT": 6, "ARE": 6, "SAU": 6}
    jallc.capacity = 26
    jallc.instructors = 4
    plans.append(jallc)
    marcom = _Plan(
        courses["NIRC-MAR-101"],
        dt.date(2024, 6, 2),
        sourced=True,
        notes="Source: the MARCOM maritime security course, 2-6 June 2024, with Bahrain, Kuwait, "
        "Qatar, Saudi Arabia, Oman and the GCC Secretariat.",
    )
    for iso3, count in (("BHR", 5), ("KWT", 6), ("QAT", 4), ("SAU", 4), ("OMN", 3)):
        for _i in range(count):
            marcom.entries.append((people.make(iso3), "completed"))
    for iso3 in ("SAU", "KWT"):  # staff of the GCC Secretariat (by nationality)
        person = people.make(iso3, organisation=("ministry", "Secretariat General of the GCC"))
        marcom.entries.append((person, "completed"))
    marcom.quotas = {"BHR": 5, "KWT": 7, "QAT": 4, "SAU": 5, "OMN": 3}
    marcom.capacity = 24
    marcom.instructors = 5
    plans.append(marcom)
    return plans


def _plan_current(rng, courses, people: _People, yousef) -> dict:
    """The session open for nominations, with its nominees and a pool of Kuwaitis
    the demo coordinator can nominate."""
    today = timezone.localdate()
    start = today + dt.timedelta(weeks=11)
    start += dt.timedelta(days=(6 - start.weekday()) % 7)  # a Sunday
    nominees = [(yousef, "KWT", "accepted"), (people.make("KWT"), "KWT", "nominated")]
    for iso3, fates in (
        ("QAT", ["accepted", "accepted", "nominated"]),
        ("BHR", ["accepted", "nominated", "nominated", "nominated", "waitlisted"]),
        ("ARE", ["nominated", "nominated"]),
        ("SAU", ["nominated"]),
    ):
        for fate in fates:
            nominees.append((people.make(iso3), iso3, fate))
    pool = [people.make("KWT") for _i in range(6)]
    return {"course": courses["NIRC-CM-101"], "start": start, "nominees": nominees, "pool": pool}


def _slots(rng, year: int, count: int, taken: set[dt.date], today: dt.date) -> list[dt.date]:
    """``count`` Sundays of ``year`` for sessions: in the two seasons (weighted
    by month), over before ``today``, not in a week already taken, and whose
    five days no blocked period of the Gulf calendar touches (Ramadan, the
    Eids, the public holidays of the Gulf states, the Centre's closures)."""
    from icihub.gulf import calendar

    day = dt.date(year, 1, 1)
    day += dt.timedelta(days=(6 - day.weekday()) % 7)  # the first Sunday
    blocks = calendar.blocked_periods(day, dt.date(year + 1, 1, 5))
    candidates = []
    while day.year == year:
        end = day + dt.timedelta(days=4)
        if (
            day.month in SEASON_MONTHS
            and not (day.month == 9 and day.day < 14)
            and not (day.month == 12 and day.day > 14)
            and end < today - dt.timedelta(days=14)
            and day not in taken
            and not any(block.overlaps(day, end) for block in blocks)
        ):
            candidates.append(day)
        day += dt.timedelta(weeks=1)
    weights = [SEASON_MONTHS[d.month] for d in candidates]
    chosen: list[dt.date] = []
    while candidates and len(chosen) < count:
        pick = rng.choices(range(len(candidates)), weights)[0]
        chosen.append(candidates.pop(pick))
        weights.pop(pick)
    return sorted(chosen)


def _plan_years(rng, courses, people: _People, earlier: list[_Plan]) -> list[_Plan]:
    """The generated sessions of :data:`YEARS` (the full demo): each course in
    turn, 25-40 seated nominees of the six Gulf states (a quarter of them
    alumni of an earlier course), all the nomination states, a few sessions
    cancelled."""
    today = timezone.localdate()
    taken = {p.start for p in earlier}
    catalogue = [c for code, c in sorted(courses.items())]
    alumni: dict[str, list[Participant]] = defaultdict(list)
    for plan in earlier:
        for person, fate in plan.entries:
            if fate in ("completed", "promoted-completed"):
                alumni[person.country.iso3].append(person)
    plans = []
    for year in YEARS:
        starts = _slots(rng, year, SESSIONS_A_YEAR.get(year, 32), taken, today)
        offset = rng.randrange(len(catalogue))
        for i, start in enumerate(starts):
            course = catalogue[(offset + i) % len(catalogue)]
            if rng.random() < CANCELLED_SHARE:
                plans.append(
                    _Plan(
                        course,
                        start,
                        state=Session.State.CANCELLED,
                        notes="Demonstration data.",
                        capacity=course.default_capacity,
                        pooled=True,
                        cancel_reason=rng.choice(CANCEL_REASONS),
                    )
                )
                continue
            plans.append(_plan_one(rng, course, start, people, alumni))
    return plans


def _plan_one(rng, course, start, people: _People, alumni) -> _Plan:
    plan = _Plan(course, start, notes="Demonstration data.", pooled=True)
    capacity = course.default_capacity
    seated = rng.randint(max(8, capacity * 6 // 10), capacity)
    split = _split(seated, COUNTRY_SHARE, rng)
    here: set[int] = set()
    for iso3, count in split.items():
        for _i in range(count):
            person = None
            if alumni[iso3] and rng.random() < REPEAT_SHARE:
                person = rng.choice(alumni[iso3])
                if id(person) in here:
                    person = None
            person = person or people.make(iso3)
            here.add(id(person))
            roll = rng.random()
            fate = "completed" if roll < 0.9 else "not_completed" if roll < 0.95 else "no_show"
            plan.entries.append((person, fate))
    for i in [i for i, (_p, f) in enumerate(plan.entries) if f == "completed"][: rng.randint(0, 2)]:
        plan.entries[i] = (plan.entries[i][0], "promoted-completed")
    for fate, most in (("rejected", 2), ("withdrawn", 2), ("waitlisted", 3), ("substituted", 1)):
        for _k in range(rng.randint(0, most)):
            plan.entries.append((people.make(rng.choice(list(split))), fate))
    held = defaultdict(int)
    for person, fate in plan.entries:
        if fate in ("completed", "not_completed", "no_show"):
            held[person.country.iso3] += 1
    # Quotas as agreed before the session: what each country used, and a seat or
    # two some left unused.
    plan.quotas = {iso3: n + rng.choice([0, 0, 1, 2]) for iso3, n in held.items()}
    plan.capacity = max(capacity, seated)
    plan.instructors = rng.randint(3, 6)
    for person, fate in plan.entries:
        if fate in ("completed", "promoted-completed"):
            alumni[person.country.iso3].append(person)
    return plan


def _make_sessions(plans: list[_Plan]) -> list[Session]:
    """The generated sessions and their quotas, with ``bulk_create`` (audited)."""
    countries = {c.iso3: c for c in Country.objects.all()}
    sessions = []
    for plan in plans:
        plan.session = _session_for(plan, DIRECTORS[plan.start.year % len(DIRECTORS)])
        sessions.append(plan.session)
    Session.objects.bulk_create(sessions, batch_size=500)
    audit.record_bulk_create(sessions)
    quotas = [
        SeatQuota(session=plan.session, country=countries[iso3], seats=seats)
        for plan in plans
        for iso3, seats in plan.quotas.items()
    ]
    SeatQuota.objects.bulk_create(quotas, batch_size=1000)
    audit.record_bulk_create(quotas)
    return sessions


DIRECTORS = ["Col. Bader Al-Kandari", "Col. Faisal Al-Mutairi", "Col. Nasser Al-Enezi"]


def _session_for(plan: _Plan, director: str) -> Session:
    """The (unsaved) session of ``plan``."""
    course = plan.course
    return Session(
        course=course,
        reference=f"{course.code}-{plan.start:%Y-%m-%d}",
        start=plan.start,
        end=plan.end,
        capacity=plan.capacity or course.default_capacity,
        director=director,
        nomination_deadline=plan.start - dt.timedelta(weeks=8),
        reallocation_date=plan.start - dt.timedelta(weeks=6),
        state=plan.state,
        cancel_reason=plan.cancel_reason,
        provenance=SOURCE if plan.sourced else DEMO,
        quotas_released_at=None
        if plan.state == Session.State.CANCELLED
        else _at(plan.start - dt.timedelta(weeks=6), 2),
        joining_instructions="Report to the NATO-ICI Regional Centre, Kuwait City, at 08:00 on "
        "the first day with your passport or national identity card.",
        notes=plan.notes,
    )


def _make_session(plan: _Plan, centre_staff) -> Session:
    director = "Col. Faisal Al-Mutairi" if plan.start.year == 2017 else "Col. Bader Al-Kandari"
    session = _session_for(plan, director)
    session.full_clean()
    session.save()
    plan.session = session
    for iso3, seats in plan.quotas.items():
        SeatQuota.objects.create(
            session=session, country=Country.objects.get(iso3=iso3), seats=seats
        )
    return session


def _nominations(rng, plans: list[_Plan], centre_staff) -> None:
    rows = []
    substitutions = []
    for plan in plans:
        session = plan.session
        priorities = defaultdict(int)
        nominated_day = plan.start - dt.timedelta(weeks=10)
        for person, fate in plan.entries:
            iso3 = person.country.iso3
            priorities[iso3] += 1
            n = Nomination(
                session=session,
                participant=person,
                country=person.country,
                priority=priorities[iso3],
                nominated_at=_at(
                    nominated_day + dt.timedelta(days=rng.randint(0, 13)), rng.randint(8, 14)
                ),
                nominated_by=None,
                reason="",
            )
            seated = fate in ("completed", "not_completed", "no_show", "promoted-completed")
            if seated:
                n.status, n.has_seat = S.ACCEPTED, True
                n.decided_by = centre_staff
                n.decided_at = _at(plan.start - dt.timedelta(weeks=5), 10)
            if fate == "promoted-completed":
                n.promoted_at = _at(session.reallocation_date, 2)
                n.via_reallocation = True
            elif fate == "rejected":
                n.status = S.REJECTED
                n.decided_by = centre_staff
                n.decided_at = _at(plan.start - dt.timedelta(weeks=5), 11)
                n.decision_reason = rng.choice(
                    [
                        "The nominee's post does not match the course's training audience.",
                        "Prerequisite not met: working knowledge of English.",
                    ]
                )
            elif fate == "withdrawn":
                n.status = S.WITHDRAWN
                n.withdrawn_at = _at(plan.start - dt.timedelta(weeks=3), 12)
                n.withdrawal_reason = "Operational commitments."
            elif fate == "waitlisted":
                n.status = S.WAITLISTED
            elif fate == "substituted":
                n.status = S.SUBSTITUTED
                n.withdrawn_at = _at(plan.start - dt.timedelta(weeks=2), 9)
                n.withdrawal_reason = "Replaced by a colleague of the same unit."
                substitutions.append(n)
            rows.append(n)
    Nomination.objects.bulk_create(rows, batch_size=500)
    audit.record_bulk_create(rows)
    seat_ledger.recount([plan.session for plan in plans])
    # Each substituted nominee's seat went to the colleague seated last in that country.
    for old in substitutions:
        replacement = (
            Nomination.objects.filter(
                session=old.session, country=old.country, status=S.ACCEPTED, substitute_for=None
            )
            .order_by("-priority")
            .first()
        )
        if replacement is not None:
            Nomination.objects.filter(pk=replacement.pk).update(substitute_for=old)
    for plan in plans:
        plan.nominations = {
            n.participant_id: n
            for n in Nomination.objects.filter(session=plan.session).select_related(
                "participant", "session__course", "country"
            )
        }


def _attendance_outcomes(rng, plans: list[_Plan], centre_staff) -> None:
    rows = []
    updates = []
    for plan in plans:
        days = plan.session.days
        rule = plan.course.min_attendance_percent
        for person, fate in plan.entries:
            nomination = plan.nominations[person.pk]
            if not nomination.has_seat:
                continue
            if fate in ("completed", "promoted-completed"):
                present = set(days) if rng.random() < 0.85 else set(days[:-1])
                if len(present) * 100 < rule * len(days):
                    present = set(days)
            elif fate == "not_completed":
                present = set(days[: max(1, len(days) // 2)])
            else:
                present = set()
            for day in days:
                rows.append(
                    Attendance(
                        nomination=nomination,
                        day=day,
                        present=day in present,
                        recorded_by=centre_staff,
                    )
                )
            outcome, percent = outcome_for(len(present), len(days), rule)
            nomination.outcome = outcome
            nomination.attendance_percent = percent
            nomination.outcome_at = _at(plan.end, 16)
            updates.append(nomination)
    Attendance.objects.bulk_create(rows, batch_size=1000)
    audit.record_bulk_create(rows)
    # One UPDATE per outcome, attendance and day (bulk_update's CASE per row is slow).
    groups = defaultdict(list)
    for nomination in updates:
        key = (nomination.outcome, nomination.attendance_percent, nomination.outcome_at)
        groups[key].append(nomination.pk)
    for (outcome, percent, at), pks in groups.items():
        Nomination.objects.filter(pk__in=pks).update(
            outcome=outcome, attendance_percent=percent, outcome_at=at
        )


COMMENTS = [
    "Very relevant to my work; the syndicate exercise was the best part.",
    "Excellent instructors. More time for the case studies, please.",
    "Useful contacts with colleagues from the other Gulf states.",
    "The course should be longer.",
    "Good organisation by the Centre.",
    "",
    "",
    "",
]


def _evaluations_certificates(rng, plans: list[_Plan], centre_staff) -> None:
    evaluations, certificates = [], []
    used = set()
    for plan in plans:
        for person, _fate in plan.entries:
            nomination = plan.nominations[person.pk]
            if nomination.outcome not in (O.COMPLETED, O.NOT_COMPLETED):
                continue
            if (
                rng.random() > (0.9 if nomination.outcome == O.COMPLETED else 0.5)
                and person.given_name != "Yousef"
            ):
                continue
            base = rng.choice([3, 4, 4, 4, 5, 5])
            scores = {
                name: min(5, max(1, base + rng.choice([-1, 0, 0, 0, 1])))
                for name in (
                    "relevance",
                    "content",
                    "instructors",
                    "organisation",
                    "facilities",
                    "overall",
                )
            }
            evaluations.append(
                Evaluation(
                    nomination=nomination,
                    comments=rng.choice(COMMENTS),
                    source=Evaluation.Source.PAPER
                    if plan.start.year == 2017
                    else Evaluation.Source.ONLINE,
                    entered_by=centre_staff,
                    submitted_at=_at(plan.end, 15),
                    **scores,
                )
            )
            if nomination.outcome == O.COMPLETED:
                certificates.append(
                    Certificate(
                        nomination=nomination,
                        code=_code(rng, used),
                        issued_at=_at(plan.end + dt.timedelta(days=1), 10),
                        issued_by=centre_staff,
                        base_url=clean_base_url(None),  # the configured address
                    )
                )
    Evaluation.objects.bulk_create(evaluations, batch_size=500)
    audit.record_bulk_create(evaluations)
    # One certificate revoked, to show the register and the public check.
    revoked = certificates[7]
    revoked.revoked_at = revoked.issued_at + dt.timedelta(days=20)
    revoked.revoked_by = centre_staff
    revoked.revocation_reason = "Issued with a misspelt name; replaced by a corrected record."
    Certificate.objects.bulk_create(certificates, batch_size=500)
    audit.record_bulk_create(certificates)


class _Instructors:
    def __init__(self, rng, countries, orgs):
        self.rng = rng
        self.countries = countries
        self.orgs = orgs
        self.used = set()
        self.made: list[Instructor] = []

    def make(self, org_slug, name=None, iso3=None, title=""):
        rng = self.rng
        while name is None or name in self.used:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        self.used.add(name)
        iso3 = iso3 or rng.choice(ORG_NATIONS[org_slug])
        instructor = Instructor(
            full_name=name,
            title=title
            or rng.choice(
                ["Colonel", "Lieutenant Colonel", "Commander", "Major", "Dr", "Mr", "Ms"]
            ),
            organisation=self.orgs[org_slug],
            country=self.countries[iso3],
            email=f"{name.lower().replace(' ', '.')}@nato.example",
            expertise=f"{self.orgs[org_slug].acronym or self.orgs[org_slug].name}",
            provenance=DEMO,
        )
        instructor.save()
        self.made.append(instructor)
        return instructor

    def pool(self, org_slug: str) -> list[Instructor]:
        """The regular instructors of ``org_slug`` who teach the later years'
        sessions (made on first use)."""
        pools = self.__dict__.setdefault("pools", {})
        if org_slug not in pools:
            pools[org_slug] = [self.make(org_slug) for _k in range(POOL_SIZE)]
        return pools[org_slug]


def _instructors_and_trips(rng, plans: list[_Plan], instructors: _Instructors, marco) -> None:
    """149 instructors and experts travel to the Centre in 2017; six local experts
    speak without travelling. Instructors who teach the back-to-back maritime
    courses of November 2017 cover both with one trip."""
    year = [p for p in plans if p.start.year == 2017]
    later = [p for p in plans if p.start.year != 2017]
    # How many travel for each 2017 session (the CBRN course has its own count).
    fixed = sum(p.instructors for p in year if p.instructors)
    open_plans = [p for p in year if not p.instructors]
    base, extra = divmod(TRAVELLERS_2017 - 1 - fixed, len(open_plans))  # Marco is the 149th
    for i, plan in enumerate(open_plans):
        plan.instructors = base + (1 if i < extra else 0)
    assignments, trips, trip_sessions = [], [], []
    maritime = {p.course.code: p for p in year if p.course.code in ("NIRC-MAR-101", "NIRC-MIO-101")}
    both = []  # instructors who teach both maritime courses
    for plan in year:
        provider = plan.course.provider.slug
        team = []
        if plan.course.code == "NIRC-CM-101":
            team.append((marco, Assignment.Part.LEAD))
        count = plan.instructors
        for k in range(count):
            if plan.course.code == "NIRC-MIO-101" and k < 4:
                continue  # four MARCOM instructors of the previous week stay on (see below)
            org = provider if k < max(count - 2, 1) else rng.choice(GUEST_ORGS)
            part = (
                Assignment.Part.LEAD
                if (k == 0 and not team)
                else (Assignment.Part.GUEST if org != provider else Assignment.Part.INSTRUCTOR)
            )
            team.append((instructors.make(org), part))
        if plan.course.code == "NIRC-MAR-101":
            both = [inst for inst, part in team[1:5]]
        if plan.course.code == "NIRC-MIO-101":
            team.extend((inst, Assignment.Part.INSTRUCTOR) for inst in both)
        plan.team = team
        for inst, part in team:
            assignments.append(Assignment(session=plan.session, instructor=inst, role=part))
    # The MIO course lost four places to the instructors staying on: add four more travellers.
    mio = maritime["NIRC-MIO-101"]
    for _k in range(4):
        inst = instructors.make("nmiotc")
        mio.team.append((inst, Assignment.Part.INSTRUCTOR))
        assignments.append(
            Assignment(session=mio.session, instructor=inst, role=Assignment.Part.INSTRUCTOR)
        )
    for plan in later:
        plan.team = []
        regulars = (
            rng.sample(instructors.pool(plan.course.provider.slug), plan.instructors)
            if plan.pooled
            else None
        )
        for k in range(plan.instructors):
            inst = regulars[k] if regulars else instructors.make(plan.course.provider.slug)
            part = Assignment.Part.LEAD if k == 0 else Assignment.Part.INSTRUCTOR
            plan.team.append((inst, part))
            assignments.append(Assignment(session=plan.session, instructor=inst, role=part))
    # Local experts (Kuwait's National Security Bureau): guest speakers, no travel.
    local = []
    for _k in range(LOCAL_EXPERTS):
        inst = instructors.make("kwt-nsb", iso3="KWT", title="Dr")
        local.append(inst)
    for inst, plan in zip(local, year[:LOCAL_EXPERTS], strict=False):
        assignments.append(
            Assignment(session=plan.session, instructor=inst, role=Assignment.Part.GUEST)
        )
    Assignment.objects.bulk_create(assignments, batch_size=500)
    audit.record_bulk_create(assignments)
    # Trips: one per instructor and session; one trip for both maritime courses.
    mar, mio = maritime["NIRC-MAR-101"], maritime["NIRC-MIO-101"]
    for plan in year + later:
        for inst, part in plan.team:
            if plan is mio and inst in both:
                continue
            covers = [plan.session]
            departure = plan.end + dt.timedelta(days=1)
            if plan is mar and inst in both:
                covers.append(mio.session)
                departure = mio.end + dt.timedelta(days=1)
            arrival = plan.start - dt.timedelta(days=1 if part != Assignment.Part.GUEST else 0)
            if part == Assignment.Part.GUEST:
                departure = arrival + dt.timedelta(days=1)
            trips.append(
                Trip(
                    instructor=inst,
                    origin=inst.organisation.city or inst.country.name,
                    arrival=arrival,
                    departure=departure,
                )
            )
            trip_sessions.append(covers)
    Trip.objects.bulk_create(trips, batch_size=500)
    audit.record_bulk_create(trips)
    through = Trip.sessions.through
    links = [
        through(trip_id=trip.pk, session_id=session.pk)
        for trip, covers in zip(trips, trip_sessions, strict=True)
        for session in covers
    ]
    through.objects.bulk_create(links, batch_size=1000)


def _load_current(rng, plan: dict, centre_staff, marco) -> None:
    course = plan["course"]
    start = plan["start"]
    session = Session(
        course=course,
        reference=f"{course.code}-{start:%Y-%m-%d}",
        start=start,
        end=start + dt.timedelta(days=course.duration_days - 1),
        capacity=30,
        director="Col. Bader Al-Kandari",
        nomination_deadline=start - dt.timedelta(weeks=8),
        reallocation_date=start - dt.timedelta(weeks=6),
        state=Session.State.OPEN,
        joining_instructions="Report to the NATO-ICI Regional Centre, Kuwait City, at 08:00 on "
        "the first day with your passport or national identity card.",
        notes="Demonstration data: open for nominations.",
        provenance=DEMO,
    )
    session.full_clean()
    session.save()
    quotas = {"KWT": 6, "BHR": 4, "QAT": 4, "ARE": 4, "SAU": 3, "OMN": 3}
    for iso3, seats in quotas.items():
        SeatQuota.objects.create(
            session=session, country=Country.objects.get(iso3=iso3), seats=seats
        )
    rows = []
    priorities = defaultdict(int)
    now = timezone.now()
    for person, iso3, fate in plan["nominees"]:
        priorities[iso3] += 1
        seated = fate in ("accepted", "nominated")
        rows.append(
            Nomination(
                session=session,
                participant=person,
                country=person.country,
                priority=priorities[iso3],
                status=fate,
                has_seat=seated,
                nominated_at=now - dt.timedelta(days=rng.randint(2, 20)),
                decided_by=centre_staff if fate == "accepted" else None,
                decided_at=now - dt.timedelta(days=1) if fate == "accepted" else None,
            )
        )
    Nomination.objects.bulk_create(rows)
    audit.record_bulk_create(rows)
    seat_ledger.recount([session])
    assignment = Assignment.objects.create(
        session=session, instructor=marco, role=Assignment.Part.LEAD
    )
    trip = Trip.objects.create(
        instructor=marco,
        origin="Oberammergau",
        arrival=session.start - dt.timedelta(days=1),
        departure=session.end + dt.timedelta(days=1),
        notes="Planned.",
    )
    trip.sessions.set([assignment.session])
    # A planned session later in the year and a cancelled one, for the calendar.
    planned_start = start + dt.timedelta(weeks=17)
    maritime = Course.objects.get(code="NIRC-MAR-101")
    Session.objects.create(
        course=maritime,
        reference=f"{maritime.code}-{planned_start:%Y-%m-%d}",
        start=planned_start,
        end=planned_start + dt.timedelta(days=4),
        capacity=30,
        nomination_deadline=planned_start - dt.timedelta(weeks=8),
        reallocation_date=planned_start - dt.timedelta(weeks=6),
        state=Session.State.PLANNED,
        notes="Demonstration data.",
        provenance=DEMO,
    )
    cancelled_start = timezone.localdate() - dt.timedelta(weeks=20)
    cancelled_start -= dt.timedelta(days=(cancelled_start.weekday() + 1) % 7)
    terror = Course.objects.get(code="NIRC-CT-101")
    Session.objects.create(
        course=terror,
        reference=f"{terror.code}-{cancelled_start:%Y-%m-%d}",
        start=cancelled_start,
        end=cancelled_start + dt.timedelta(days=4),
        capacity=30,
        nomination_deadline=cancelled_start - dt.timedelta(weeks=8),
        reallocation_date=cancelled_start - dt.timedelta(weeks=6),
        state=Session.State.CANCELLED,
        cancel_reason="The instructors' travel could not be arranged in time.",
        notes="Demonstration data.",
        provenance=DEMO,
    )


def figures_2017() -> dict:
    """The demo's own count of the first year (for checks): sessions completed,
    unique people who completed, unique instructors with a trip."""
    year = Session.objects.filter(start__year=2017, state=Session.State.COMPLETED)
    people = (
        Nomination.objects.filter(session__in=year, outcome=O.COMPLETED)
        .values("participant")
        .distinct()
        .count()
    )
    travellers = Trip.objects.filter(arrival__year=2017).values("instructor").distinct().count()
    per_country = dict(
        Nomination.objects.filter(session__in=year, outcome=O.COMPLETED)
        .values_list("country__iso3")
        .annotate(n=Count("participant", distinct=True))
    )
    return {
        "sessions": year.count(),
        "people": people,
        "travellers": travellers,
        "per_country": per_country,
    }
