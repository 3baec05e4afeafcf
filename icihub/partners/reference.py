"""Reference data of the partner registry, each fact with its sources.

Where sources disagree both versions are cited; the record holds the value the
seeds give, and pages and the API show the disagreement."""

from __future__ import annotations

import gettext

import pycountry

from icihub.core.dates import PartialDate
from icihub.core.models import Citation
from icihub.core.reference import Progress, cite, sync_m2m, upsert

from .models import Appointment, Country, Framework, Grouping, Organisation, Partnership, Person

D = PartialDate.parse
TEXT = Citation.Kind.TEXT

# Arabic names pycountry does not carry, or carries in a form we prefer.
ARABIC_OVERRIDES = {
    "ARE": "الإمارات العربية المتحدة",
}


def load_countries(progress: Progress) -> int:
    arabic = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["ar"], fallback=True
    )
    count = 0
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        upsert(
            Country,
            {"iso3": c.alpha_3},
            {
                "iso2": c.alpha_2,
                "numeric": c.numeric,
                "name": name,
                "official_name": getattr(c, "official_name", "") or "",
                "name_ar": ARABIC_OVERRIDES.get(c.alpha_3) or arabic.gettext(c.name),
            },
        )
        count += 1
    progress(f"  {count} countries (ISO 3166-1, English and Arabic names)")
    return count


FRAMEWORKS = [
    {
        "code": "ici",
        "acronym": "ICI",
        "name": "Istanbul Cooperation Initiative",
        "name_ar": "مبادرة إسطنبول للتعاون",
        "launched": "2004-06-28",
        "launch_place": "NATO Summit, Istanbul",
        "description": "Practical, bilateral security cooperation offered to the six states "
        "of the Gulf Cooperation Council. Principles: non-discrimination, "
        "self-differentiation, inclusiveness and joint ownership.",
    },
    {
        "code": "md",
        "acronym": "MD",
        "name": "Mediterranean Dialogue",
        "name_ar": "الحوار المتوسطي",
        "launched": "1994-12",
        "launch_place": "North Atlantic Council, Brussels",
        "description": "NATO's partnership with countries of North Africa and the eastern "
        "Mediterranean; complementary to, but distinct from, the ICI.",
    },
    {
        "code": "pfp",
        "acronym": "PfP",
        "name": "Partnership for Peace",
        "name_ar": "الشراكة من أجل السلام",
        "launched": "1994-01",
        "launch_place": "NATO Summit, Brussels",
        "description": "Bilateral cooperation between NATO and individual Euro-Atlantic partner countries.",
    },
    {
        "code": "patg",
        "acronym": "PATG",
        "name": "Partners across the globe",
        "name_ar": "الشركاء حول العالم",
        "launched": "2011-04",
        "launch_place": "Meeting of NATO foreign ministers, Berlin",
        "description": "Countries outside NATO's regional frameworks with which it cooperates individually.",
    },
]


def load_frameworks(progress: Progress) -> dict[str, Framework]:
    frameworks = {}
    for data in FRAMEWORKS:
        values = {k: v for k, v in data.items() if k != "code"}
        values["launched"] = D(values["launched"])
        frameworks[data["code"]], _ = upsert(Framework, {"code": data["code"]}, values)
    ici, md = frameworks["ici"], frameworks["md"]
    cite(
        ici,
        "launched",
        "2004-06-28",
        "nato-ici-text-2004",
        note="Official text dated 28 June 2004.",
    )
    cite(
        ici,
        "launched",
        "2004-06",
        "seed-001",
        quote="The ICI was launched at the alliance's summit in the Turkish coastal city in June 2004",
    )
    cite(ici, "launched", "2004", "seed-000", quote="Nato launched the ICI in 2004")
    cite(
        md,
        "launched",
        "1994-12",
        "seed-000",
        quote="the Mediterranean Dialogue Nato launched in December 1994",
    )
    cite(
        md,
        "launched",
        "1994-12",
        "seed-001",
        quote="the Mediterranean Dialogue that Nato launched in December 1994",
    )
    cite(frameworks["pfp"], "launched", "1994-01", "nato-partnerships")
    cite(frameworks["patg"], "launched", "2011-04", "nato-partnerships")
    progress(f"  {len(frameworks)} frameworks")
    return frameworks


def _country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


def load_partnerships(frameworks: dict[str, Framework], progress: Progress) -> None:
    ici, md = frameworks["ici"], frameworks["md"]
    MEMBER, PARTICIPANT = Partnership.Status.MEMBER, Partnership.Status.PARTICIPANT

    def partnership(iso3, framework, status, accession=None, notes=""):
        obj, _ = upsert(
            Partnership,
            {"country": _country(iso3), "framework": framework},
            {"status": status, "accession": D(accession), "notes": notes},
        )
        return obj

    kwt = partnership("KWT", ici, MEMBER, "2004-12")
    joined = "Kuwait joined the ICI in December 2004, followed by Bahrain and Qatar in February 2005 and the UAE in June 2005."
    cite(kwt, "accession", "2004-12", "seed-000", quote=joined)
    cite(kwt, "accession", "2004-12", "seed-001", quote=joined)
    cite(
        kwt,
        "accession",
        "2005-01/2005-03",
        "nato-ici-page",
        quote="in the first three months of 2005",
    )
    cite(
        kwt,
        "accession",
        "2004-11",
        "kuwaiti-outlets",
        note="Some Kuwaiti outlets give November 2004.",
    )
    cite(
        kwt, "accession", "2004-06", "kuwaiti-outlets", note="Other Kuwaiti reports give June 2004."
    )
    cite(
        kwt,
        "accession",
        "2004",
        "seed-003",
        kind=Citation.Kind.DATE,
        quote="Kuwait was the first GCC member to join Nato's Istanbul Cooperation Initiative (ICI), launched in 2004",
        note="States that Kuwait was the first GCC member to join.",
    )
    for iso3 in ("BHR", "QAT"):
        p = partnership(iso3, ici, MEMBER, "2005-02")
        cite(p, "accession", "2005-02", "seed-000", quote=joined)
        cite(p, "accession", "2005-02", "seed-001", quote=joined)
        cite(
            p,
            "accession",
            "2005-01/2005-03",
            "nato-ici-page",
            quote="in the first three months of 2005",
        )
    are = partnership("ARE", ici, MEMBER, "2005-06")
    cite(are, "accession", "2005-06", "seed-000", quote=joined)
    cite(are, "accession", "2005-06", "seed-001", quote=joined)
    cite(
        are,
        "accession",
        "2005-06-22",
        "nato-news-uae-2005",
        note="NATO's news item gives 22 June 2005.",
    )
    taking_part = (
        "Not a member. Attends some ICI meetings and sends officers to some courses; "
        "press reports describe it as planning to join."
    )
    for iso3 in ("SAU", "OMN"):
        p = partnership(iso3, ici, PARTICIPANT, None, taking_part)
        cite(
            p,
            "status",
            "participant",
            "seed-000",
            kind=TEXT,
            quote="Saudi, Omani and Gulf Cooperation Council (GCC) Secretariat officials also attended the meeting.",
        )
        cite(
            p,
            "status",
            "participant",
            "seed-002",
            kind=TEXT,
            quote="the remaining two Gulf Cooperation Council states — Saudi Arabia and Oman — plan to join.",
        )
        cite(
            p,
            "status",
            "participant",
            "seed-004",
            kind=TEXT,
            quote="Other Gulf Cooperation Council (GCC) members, such as Saudi Arabia and Oman, have engaged "
            "in dialogue with NATO but have not formally joined the ICI.",
        )
    for iso3, when in (
        ("EGY", "1995-02"),
        ("ISR", "1995-02"),
        ("MRT", "1995-02"),
        ("MAR", "1995-02"),
        ("TUN", "1995-02"),
        ("JOR", "1995-11"),
        ("DZA", "2000-03"),
    ):
        p = partnership(iso3, md, MEMBER, when)
        cite(p, "accession", when, "icihub-brief")
    progress("  ICI and Mediterranean Dialogue partnerships")


ORGANISATIONS = [
    # slug, name, acronym, kind, country, city, extra
    (
        "nato-hq",
        "NATO Headquarters",
        "NATO HQ",
        "nato_body",
        "BEL",
        "Brussels",
        {"name_ar": "مقر حلف الناتو"},
    ),
    (
        "nato-pasp",
        "Political Affairs and Security Policy Division",
        "PASP",
        "nato_body",
        "BEL",
        "Brussels",
        {"parent": "nato-hq"},
    ),
    (
        "nato-ici-rc",
        "NATO-ICI Regional Centre",
        "NIRC",
        "centre",
        "KWT",
        "Kuwait City",
        {
            "name_ar": "مركز الناتو الإقليمي لمبادرة إسطنبول للتعاون",
            "established": "2017-01-24",
            "description": "Requested by Kuwait in February 2012, endorsed at the Chicago Summit "
            "(May 2012) and inaugurated in January 2017; financed and run by Kuwait, "
            "with a NATO office. NATO's first presence in the Gulf region.",
        },
    ),
    (
        "nato-school",
        "NATO School Oberammergau",
        "NSO",
        "school",
        "DEU",
        "Oberammergau",
        {},
    ),
    ("nato-defense-college", "NATO Defense College", "NDC", "school", "ITA", "Rome", {}),
    (
        "jallc",
        "Joint Analysis and Lessons Learned Centre",
        "JALLC",
        "nato_body",
        "PRT",
        "Lisbon",
        {},
    ),
    ("marcom", "Allied Maritime Command", "MARCOM", "nato_body", "GBR", "Northwood", {}),
    (
        "nmiotc",
        "NATO Maritime Interdiction Operational Training Centre",
        "NMIOTC",
        "school",
        "GRC",
        "Souda Bay",
        {},
    ),
    (
        "ccdcoe",
        "NATO Cooperative Cyber Defence Centre of Excellence",
        "CCDCOE",
        "coe",
        "EST",
        "Tallinn",
        {},
    ),
    (
        "ensec-coe",
        "NATO Energy Security Centre of Excellence",
        "ENSEC COE",
        "coe",
        "LTU",
        "Vilnius",
        {},
    ),
    (
        "jcbrn-coe",
        "Joint CBRN Defence Centre of Excellence",
        "JCBRN Defence COE",
        "coe",
        "CZE",
        "Vyškov",
        {},
    ),
    (
        "coe-dat",
        "Centre of Excellence Defence Against Terrorism",
        "COE-DAT",
        "coe",
        "TUR",
        "Ankara",
        {},
    ),
    (
        "stratcom-coe",
        "NATO Strategic Communications Centre of Excellence",
        "StratCom COE",
        "coe",
        "LVA",
        "Riga",
        {},
    ),
    (
        "cmdr-coe",
        "Crisis Management and Disaster Response Centre of Excellence",
        "CMDR COE",
        "coe",
        "BGR",
        "Sofia",
        {},
    ),
    (
        "marsec-coe",
        "Maritime Security Centre of Excellence",
        "MARSEC COE",
        "coe",
        "TUR",
        "Istanbul",
        {},
    ),
    (
        "ccoe",
        "Civil-Military Cooperation Centre of Excellence",
        "CCOE",
        "coe",
        "NLD",
        "The Hague",
        {},
    ),
    (
        "kwt-nsb",
        "National Security Bureau",
        "NSB",
        "security_body",
        "KWT",
        "Kuwait City",
        {"name_ar": "جهاز الأمن الوطني"},
    ),
    (
        "kwt-mfa",
        "Ministry of Foreign Affairs of Kuwait",
        "",
        "ministry",
        "KWT",
        "Kuwait City",
        {"name_ar": "وزارة الخارجية الكويتية"},
    ),
    (
        "kwt-government",
        "Council of Ministers of Kuwait",
        "",
        "ministry",
        "KWT",
        "Kuwait City",
        {"name_ar": "مجلس الوزراء الكويتي"},
    ),
    (
        "kwt-mod",
        "Ministry of Defence of Kuwait",
        "",
        "ministry",
        "KWT",
        "Kuwait City",
        {"name_ar": "وزارة الدفاع الكويتية"},
    ),
    (
        "kwt-moi",
        "Ministry of Interior of Kuwait",
        "",
        "ministry",
        "KWT",
        "Kuwait City",
        {"name_ar": "وزارة الداخلية الكويتية"},
    ),
    (
        "bhr-mod",
        "Bahrain Defence Force",
        "BDF",
        "armed_forces",
        "BHR",
        "Manama",
        {"name_ar": "قوة دفاع البحرين"},
    ),
    (
        "qat-mod",
        "Ministry of Defence of Qatar",
        "",
        "ministry",
        "QAT",
        "Doha",
        {"name_ar": "وزارة الدفاع القطرية"},
    ),
    (
        "are-mod",
        "Ministry of Defence of the United Arab Emirates",
        "",
        "ministry",
        "ARE",
        "Abu Dhabi",
        {"name_ar": "وزارة الدفاع الإماراتية"},
    ),
    (
        "gcc-secretariat",
        "Secretariat General of the Gulf Cooperation Council",
        "GCC Secretariat",
        "regional",
        "SAU",
        "Riyadh",
        {"name_ar": "الأمانة العامة لمجلس التعاون لدول الخليج العربية", "grouping": "gcc"},
    ),
    (
        "kwt-mission-nato",
        "Mission of the State of Kuwait to NATO",
        "",
        "mission",
        "KWT",
        "Brussels",
        {
            "name_ar": "بعثة دولة الكويت لدى حلف الناتو",
            "accredited_to": "nato-hq",
            "description": "Kuwait's first diplomatic mission to NATO, opened by Deputy Foreign "
            "Minister Khalid Al Jarallah and NATO Assistant Secretary General Alejandro "
            "Alvargonzález; headed by Jassim Al Budiawi, ambassador to Belgium and the EU.",
        },
    ),
]


def load_groupings(progress: Progress) -> Grouping:
    gcc, _ = upsert(
        Grouping,
        {"code": "gcc"},
        {
            "acronym": "GCC",
            "name": "Gulf Cooperation Council",
            "name_ar": "مجلس التعاون لدول الخليج العربية",
        },
    )
    sync_m2m(gcc, "members", [_country(c) for c in ("BHR", "KWT", "OMN", "QAT", "SAU", "ARE")])
    return gcc


def load_organisations(gcc: Grouping, progress: Progress) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for slug, name, acronym, kind, iso3, city, extra in ORGANISATIONS:
        values = {
            "name": name,
            "acronym": acronym,
            "kind": kind,
            "country": _country(iso3) if iso3 else None,
            "city": city,
        }
        for key, value in extra.items():
            if key in ("parent", "accredited_to"):
                values[key] = orgs[value]
            elif key == "grouping":
                values[key] = gcc
            elif key == "established":
                values[key] = D(value)
            else:
                values[key] = value
        orgs[slug], _ = upsert(Organisation, {"slug": slug}, values)
    if gcc.secretariat_id != orgs["gcc-secretariat"].pk:
        gcc.secretariat = orgs["gcc-secretariat"]
        gcc.save()

    centre = orgs["nato-ici-rc"]
    cite(
        centre,
        "established",
        "2017-01-24",
        "seed-000",
        quote="The Nato-Istanbul Cooperation Initiative (ICI) Regional Centre was inaugurated in Kuwait City on January 24, 2017.",
    )
    cite(
        centre,
        "established",
        "2017-01-24",
        "seed-002",
        quote="NATO Chief Jens Stoltenberg on Tuesday called for boosting security cooperation with the Gulf states "
        "as the Western military alliance opened its first office in the region.",
        note="Article dated 2017-01-24; “Tuesday” is 24 January 2017.",
    )
    cite(
        centre,
        "established",
        "2017-01",
        "seed-003",
        quote="The Nato-ICI Regional Centre, inaugurated in Kuwait City in January 2017",
    )
    cite(
        centre, "established", "2017-01-23", "nato-centre-2017", note="NATO gives 23 January 2017."
    )
    cite(
        centre,
        "requested",
        "2012-02",
        "icihub-brief",
        note="Requested by Kuwait in February 2012; endorsed at the Chicago Summit in May 2012.",
    )
    mission = orgs["kwt-mission-nato"]
    cite(
        mission,
        "opened",
        "opened in Brussels",
        "seed-003",
        kind=TEXT,
        quote="Kuwait inaugurated the offices of its first diplomatic mission to Nato in Brussels",
        note="The article does not give the date.",
    )
    progress(f"  {len(orgs)} organisations")
    return orgs


PEOPLE = [
    # slug, name, name_ar, honorific, country, biography
    ("anders-fogh-rasmussen", "Anders Fogh Rasmussen", "أندرس فوغ راسموسن", "", "DNK", ""),
    ("jens-stoltenberg", "Jens Stoltenberg", "ينس ستولتنبرغ", "", "NOR", ""),
    ("khalid-al-jarallah", "Khalid Al Jarallah", "خالد الجارالله", "", "KWT", ""),
    ("jassim-al-budiawi", "Jassim Al Budiawi", "جاسم البديوي", "", "KWT", ""),
    (
        "alejandro-alvargonzalez",
        "Alejandro Alvargonzález",
        "أليخاندرو ألفارغونثاليث",
        "",
        "ESP",
        "",
    ),
    ("fawaz-al-sabah", "Fawaz Al Sabah", "فواز الصباح", "Shaikh", "KWT", ""),
    ("sabah-khaled-al-sabah", "Sabah Khaled Al Sabah", "صباح الخالد الصباح", "Sheikh", "KWT", ""),
    (
        "jaber-mubarak-al-sabah",
        "Jaber Mubarak Al Sabah",
        "جابر المبارك الصباح",
        "Sheikh",
        "KWT",
        "",
    ),
]

APPOINTMENTS = [
    # person, organisation, title, is_head, start, end, [(source, quote)]
    (
        "anders-fogh-rasmussen",
        "nato-hq",
        "Secretary General",
        True,
        "2009",
        "2014",
        [("seed-001", "Nato Secretary General Anders Rasmussen"), ("icihub-brief", "")],
    ),
    (
        "jens-stoltenberg",
        "nato-hq",
        "Secretary General",
        True,
        "2014",
        "2024",
        [("seed-000", "Nato Secretary-General Jens Stoltenberg said"), ("icihub-brief", "")],
    ),
    (
        "khalid-al-jarallah",
        "kwt-mfa",
        "Deputy Foreign Minister",
        False,
        None,
        None,
        [("seed-003", "Kuwait's deputy foreign minister Khalid Al Jarallah")],
    ),
    (
        "jassim-al-budiawi",
        "kwt-mission-nato",
        "Head of Mission (Ambassador to Belgium and the European Union)",
        True,
        None,
        None,
        [
            (
                "seed-003",
                "The mission will be headed by Jassim Al Budiawi, Kuwait's ambassador to Belgium and the European Union.",
            )
        ],
    ),
    (
        "alejandro-alvargonzalez",
        "nato-pasp",
        "Assistant Secretary General for Political Affairs and Security Policy",
        True,
        None,
        None,
        [
            (
                "seed-003",
                "Nato's Assistant Secretary General for Political Affairs and Security Policy, Alejandro Alvargonzález",
            )
        ],
    ),
    (
        "fawaz-al-sabah",
        "kwt-nsb",
        "Head of Security Information and Follow-up",
        False,
        None,
        None,
        [
            (
                "seed-000",
                "Shaikh Fawaz Al Sabah, head of security information and follow-up at the Bureau",
            )
        ],
    ),
    (
        "sabah-khaled-al-sabah",
        "kwt-mfa",
        "Foreign Minister",
        True,
        None,
        None,
        [("seed-002", "Kuwaiti Foreign Minister Sheikh Sabah Khaled Al Sabah")],
    ),
    (
        "jaber-mubarak-al-sabah",
        "kwt-government",
        "Prime Minister",
        True,
        None,
        None,
        [("seed-002", "Prime Minister Sheikh Jaber Mubarak Al Sabah")],
    ),
]


def load_people(orgs: dict[str, Organisation], progress: Progress) -> None:
    people = {}
    for slug, name, name_ar, honorific, iso3, biography in PEOPLE:
        people[slug], _ = upsert(
            Person,
            {"slug": slug},
            {
                "name": name,
                "name_ar": name_ar,
                "honorific": honorific,
                "country": _country(iso3),
                "biography": biography,
            },
        )
    for slug, org, title, is_head, start, end, sources in APPOINTMENTS:
        appointment, _ = upsert(
            Appointment,
            {"person": people[slug], "organisation": orgs[org], "title": title},
            {"is_head": is_head, "start": D(start), "end": D(end)},
        )
        for key, quote in sources:
            if start or end:
                cite(
                    appointment,
                    "term",
                    f"{start}/{end}" if start and end else (start or end),
                    key,
                    quote=quote,
                )
            else:
                cite(appointment, "position", title, key, kind=TEXT, quote=quote)
    progress(f"  {len(people)} people and {len(APPOINTMENTS)} appointments")


def load(progress: Progress = print) -> None:
    load_countries(progress)
    frameworks = load_frameworks(progress)
    load_partnerships(frameworks, progress)
    gcc = load_groupings(progress)
    orgs = load_organisations(gcc, progress)
    load_people(orgs, progress)
