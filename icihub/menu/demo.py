"""Demo data of the cooperation menu: activities across all 22 areas and all
8 formats, from the organisations of the partner registry.

The activities the seed articles name (seed 001's "tailored advice on defence
transformation, defence budgeting and civil-military relations ..."; seed
004's training, intelligence-sharing, maritime security, cyber, energy
security, hybrid threats, disaster preparedness) have provenance "source" and
cite the passage verbatim; the others are marked "demo". Deterministic and
idempotent (codes PCM-...).

At the "full" size (``icihub setup`` on an empty database) the menu grows to
its real size, :data:`FULL_SIZE` activities of which about :data:`FULL_ICI`
are open to ICI partners (NATO's menu around 2011, per the domain brief): every
topic in the other formats and as a train-the-trainer course, most of them open
to other partnership frameworks only. They are written with ``bulk_create``
(audited with ``audit.record_bulk_create``), provenance "demo"."""

from __future__ import annotations

import random

from icihub.core import audit
from icihub.core.access import Marking
from icihub.core.demo import is_full
from icihub.core.models import Citation
from icihub.core.reference import Progress, cite, sync_m2m, upsert
from icihub.partners.models import Country, Framework, Organisation

from .models import Activity, Area

F = Activity.Format
L = Activity.Level
TEXT = Citation.Kind.TEXT

SEED_001_QUOTE = (
    "Activities include tailored advice on defence transformation, defence budgeting and "
    "civil-military relations; military-to-military cooperation including through selected "
    "military exercises; civil emergency planning and joint public diplomacy activities."
)
SEED_004_FOCUS = (
    "Unlike NATO’s formal alliances, ICI focuses on training, intelligence-sharing, and "
    "maritime security with partners such as Bahrain, Kuwait, Qatar, and the UAE."
)
SEED_004_TRAINING = (
    "ICI members benefit from NATO-led training programs, defense modernization initiatives, "
    "and expert consultations on military planning and logistics."
)
SEED_004_MARITIME = (
    "Cooperation includes joint naval exercises, intelligence-sharing, and strategies to "
    "combat terrorism and piracy in the Gulf region."
)
SEED_004_EXPANDED = (
    "The initiative has expanded into areas such as cybersecurity, energy security, and "
    "hybrid threats, reflecting the evolving nature of modern security challenges."
)
SEED_004_HYBRID = (
    "Over time, the ICI has expanded its focus to include cyber defense, energy security, and "
    "emerging threats such as hybrid warfare and disinformation."
)
SEED_004_DISASTER = (
    "NATO provides support to ICI nations in disaster preparedness and response, helping "
    "strengthen regional resilience."
)
SEED_004_EXERCISES = (
    "ICI countries participate in NATO military exercises, enhancing their ability to operate "
    "alongside NATO forces in regional and global security missions."
)

# code, title, title_ar, format, areas, provider, level, first year, source, quote, stated value
SOURCED = [
    (
        "PCM-SRC-001",
        "Tailored advice on defence transformation",
        "مشورة مصممة خصيصاً بشأن تحويل الدفاع",
        F.EXPERT_VISIT,
        ["defence-reform"],
        "nato-pasp",
        L.EXECUTIVE,
        2005,
        "seed-001",
        SEED_001_QUOTE,
        "tailored advice on defence transformation",
    ),
    (
        "PCM-SRC-002",
        "Tailored advice on defence budgeting",
        "مشورة مصممة خصيصاً بشأن الميزانية الدفاعية",
        F.EXPERT_VISIT,
        ["defence-budgeting"],
        "nato-pasp",
        L.EXECUTIVE,
        2005,
        "seed-001",
        SEED_001_QUOTE,
        "tailored advice on defence budgeting",
    ),
    (
        "PCM-SRC-003",
        "Tailored advice on civil-military relations",
        "مشورة مصممة خصيصاً بشأن العلاقات المدنية العسكرية",
        F.EXPERT_VISIT,
        ["civil-military-relations"],
        "ccoe",
        L.ADVANCED,
        2005,
        "seed-001",
        SEED_001_QUOTE,
        "tailored advice on civil-military relations",
    ),
    (
        "PCM-SRC-004",
        "Military-to-military cooperation through selected military exercises",
        "",
        F.EXERCISE,
        ["mil-to-mil", "exercises-interoperability"],
        "marcom",
        L.ADVANCED,
        2006,
        "seed-001",
        SEED_001_QUOTE,
        "military-to-military cooperation including through selected military exercises",
    ),
    (
        "PCM-SRC-005",
        "Civil emergency planning cooperation",
        "التعاون في التخطيط للطوارئ المدنية",
        F.SEMINAR,
        ["civil-emergency-planning"],
        "cmdr-coe",
        L.INTERMEDIATE,
        2006,
        "seed-001",
        SEED_001_QUOTE,
        "civil emergency planning",
    ),
    (
        "PCM-SRC-006",
        "Joint public diplomacy activities",
        "أنشطة مشتركة للدبلوماسية العامة",
        F.CONFERENCE,
        ["public-diplomacy"],
        "nato-hq",
        L.EXECUTIVE,
        2006,
        "seed-001",
        SEED_001_QUOTE,
        "joint public diplomacy activities",
    ),
    (
        "PCM-SRC-007",
        "NATO-led training programmes for ICI partners",
        "برامج تدريبية بقيادة الناتو لشركاء المبادرة",
        F.COURSE,
        ["mil-to-mil", "defence-reform"],
        "nato-school",
        L.INTERMEDIATE,
        2005,
        "seed-004",
        SEED_004_TRAINING,
        "NATO-led training programs",
    ),
    (
        "PCM-SRC-008",
        "Intelligence-sharing cooperation",
        "التعاون في تبادل المعلومات الاستخبارية",
        F.SEMINAR,
        ["intelligence-sharing"],
        "nato-hq",
        L.ADVANCED,
        2008,
        "seed-004",
        SEED_004_FOCUS,
        "intelligence-sharing",
    ),
    (
        "PCM-SRC-009",
        "Maritime security cooperation: joint naval exercises",
        "التعاون في الأمن البحري: تمارين بحرية مشتركة",
        F.EXERCISE,
        ["maritime-security", "exercises-interoperability"],
        "marcom",
        L.ADVANCED,
        2008,
        "seed-004",
        SEED_004_MARITIME,
        "joint naval exercises",
    ),
    (
        "PCM-SRC-010",
        "Strategies to combat terrorism and piracy in the Gulf region",
        "",
        F.SEMINAR,
        ["counter-terrorism", "counter-piracy"],
        "coe-dat",
        L.ADVANCED,
        2009,
        "seed-004",
        SEED_004_MARITIME,
        "strategies to combat terrorism and piracy",
    ),
    (
        "PCM-SRC-011",
        "Cyber defence cooperation",
        "التعاون في الدفاع السيبراني",
        F.COURSE,
        ["cyber-defence"],
        "ccdcoe",
        L.INTERMEDIATE,
        2014,
        "seed-004",
        SEED_004_EXPANDED,
        "cybersecurity",
    ),
    (
        "PCM-SRC-012",
        "Energy security cooperation",
        "التعاون في أمن الطاقة",
        F.SEMINAR,
        ["energy-security"],
        "ensec-coe",
        L.INTERMEDIATE,
        2014,
        "seed-004",
        SEED_004_EXPANDED,
        "energy security",
    ),
    (
        "PCM-SRC-013",
        "Countering hybrid warfare and disinformation",
        "مواجهة الحرب الهجينة والتضليل",
        F.SEMINAR,
        ["hybrid-threats"],
        "stratcom-coe",
        L.ADVANCED,
        2017,
        "seed-004",
        SEED_004_HYBRID,
        "hybrid warfare and disinformation",
    ),
    (
        "PCM-SRC-014",
        "Disaster preparedness and response support",
        "دعم التأهب للكوارث والاستجابة لها",
        F.EXPERT_VISIT,
        ["disaster-relief", "civil-emergency-planning"],
        "cmdr-coe",
        L.INTERMEDIATE,
        2010,
        "seed-004",
        SEED_004_DISASTER,
        "disaster preparedness and response",
    ),
    (
        "PCM-SRC-015",
        "Participation in NATO military exercises",
        "المشاركة في التمارين العسكرية للناتو",
        F.EXERCISE,
        ["exercises-interoperability"],
        "marcom",
        L.ADVANCED,
        2007,
        "seed-004",
        SEED_004_EXERCISES,
        "participation in NATO military exercises",
    ),
]

# area code: (code abbreviation, providers, [(topic, Arabic topic or "")])
AREAS = {
    "cyber-defence": (
        "CYB",
        ["ccdcoe", "nato-school", "nato-ici-rc"],
        [
            ("cyber incident handling", "التعامل مع الحوادث السيبرانية"),
            ("national cyber security strategy", "الاستراتيجية الوطنية للأمن السيبراني"),
            ("critical information infrastructure protection", ""),
            ("cyber threat intelligence", "استخبارات التهديدات السيبرانية"),
            ("legal aspects of cyber operations", ""),
            ("security operations centre management", ""),
            ("cyber crisis decision-making", ""),
        ],
    ),
    "energy-security": (
        "ENE",
        ["ensec-coe", "nato-ici-rc", "nato-defense-college"],
        [
            ("protection of critical energy infrastructure", "حماية البنية التحتية الحيوية للطاقة"),
            ("energy supply route security", ""),
            ("offshore installation protection", ""),
            ("energy efficiency in military operations", ""),
            ("energy security and resilience", "أمن الطاقة والمرونة"),
            ("hybrid threats to energy networks", ""),
            ("maritime energy chokepoints", ""),
        ],
    ),
    "cbrn": (
        "CBR",
        ["jcbrn-coe", "nato-ici-rc", "nato-school"],
        [
            (
                "CBRN consequence management",
                "إدارة عواقب الحوادث الكيميائية والبيولوجية والإشعاعية والنووية",
            ),
            ("CBRN first responders", ""),
            ("CBRN defence planning", ""),
            ("radiological incident response", ""),
            ("biological threat awareness", ""),
            ("chemical incident management", ""),
            ("CBRN hazard prediction and warning", ""),
        ],
    ),
    "civil-emergency-planning": (
        "CEP",
        ["cmdr-coe", "nato-ici-rc", "nato-hq"],
        [
            ("civil emergency planning fundamentals", "أساسيات التخطيط للطوارئ المدنية"),
            ("resilience of civil communications", ""),
            ("mass casualty planning", ""),
            ("civil protection coordination", ""),
            ("continuity of government", ""),
            ("emergency public warning", ""),
            ("civil preparedness baseline requirements", ""),
        ],
    ),
    "crisis-management": (
        "CRM",
        ["cmdr-coe", "nato-school", "nato-ici-rc"],
        [
            ("crisis management procedures", "إجراءات إدارة الأزمات"),
            ("strategic crisis communication", ""),
            ("crisis response planning", ""),
            ("inter-agency crisis coordination", ""),
            ("crisis management decision-making", ""),
            ("situation centre operations", ""),
            ("crisis management exercises design", ""),
        ],
    ),
    "defence-reform": (
        "DRF",
        ["nato-defense-college", "nato-pasp", "nato-school"],
        [
            ("defence institution building", "بناء المؤسسات الدفاعية"),
            ("defence planning and capability development", ""),
            ("human resources management in defence", ""),
            ("building integrity in defence", "تعزيز النزاهة في قطاع الدفاع"),
            ("defence acquisition and logistics", ""),
            ("professional military education", ""),
            ("defence policy formulation", ""),
        ],
    ),
    "defence-budgeting": (
        "BUD",
        ["nato-pasp", "nato-defense-college", "nato-school"],
        [
            ("defence budgeting and financial management", "الميزانية الدفاعية والإدارة المالية"),
            ("programme-based defence budgeting", ""),
            ("cost analysis of military capabilities", ""),
            ("defence resource management", ""),
            ("audit and oversight of defence spending", ""),
            ("multi-year defence financial planning", ""),
            ("procurement transparency", ""),
        ],
    ),
    "civil-military-relations": (
        "CMR",
        ["ccoe", "nato-defense-college", "nato-school"],
        [
            ("democratic control of armed forces", ""),
            ("civil-military cooperation (CIMIC)", "التعاون المدني العسكري"),
            ("parliamentary oversight of defence", ""),
            ("civil-military interaction in crises", ""),
            ("gender perspectives in military operations", ""),
            ("civil-military liaison", ""),
            ("media and the armed forces", ""),
        ],
    ),
    "mil-to-mil": (
        "MIL",
        ["nato-ici-rc", "nato-school", "nato-defense-college"],
        [
            ("NATO staff procedures", "إجراءات الأركان في الناتو"),
            ("NATO operational planning process", ""),
            ("NATO orientation for partner officers", "تعريف الضباط الشركاء بالناتو"),
            ("military logistics cooperation", ""),
            ("senior officers' dialogue", ""),
            ("military medical cooperation", ""),
            ("special operations forces cooperation", ""),
        ],
    ),
    "exercises-interoperability": (
        "EXI",
        ["marcom", "nato-school", "nato-ici-rc"],
        [
            ("interoperability standards (STANAGs)", ""),
            ("command post procedures", ""),
            ("combined joint exercise planning", ""),
            ("NATO exercise observation", ""),
            ("tactical data link interoperability", ""),
            ("evaluation of partner forces", ""),
            ("multinational force integration", ""),
        ],
    ),
    "maritime-security": (
        "MAR",
        ["marcom", "nmiotc", "marsec-coe"],
        [
            ("maritime situational awareness", "الوعي بالوضع البحري"),
            ("maritime interdiction operations", "عمليات الاعتراض البحري"),
            ("port and harbour security", ""),
            ("boarding team training", ""),
            ("maritime security operations", ""),
            ("protection of sea lines of communication", ""),
            ("maritime law enforcement", ""),
        ],
    ),
    "counter-terrorism": (
        "CTR",
        ["coe-dat", "nato-school", "nato-defense-college"],
        [
            ("defence against terrorism", "الدفاع ضد الإرهاب"),
            ("countering improvised explosive devices", ""),
            ("terrorist financing", ""),
            ("critical infrastructure protection against terrorism", ""),
            ("countering violent extremism", "مكافحة التطرف العنيف"),
            ("terrorist use of the internet", ""),
            ("foreign terrorist fighters", ""),
        ],
    ),
    "counter-piracy": (
        "PIR",
        ["marcom", "nmiotc", "marsec-coe"],
        [
            ("counter-piracy operations", "عمليات مكافحة القرصنة"),
            ("best management practices for shipping", ""),
            ("piracy legal finish", ""),
            ("merchant shipping liaison", ""),
            ("counter-piracy intelligence", ""),
            ("regional counter-piracy coordination", ""),
            ("hostage negotiation at sea", ""),
        ],
    ),
    "non-proliferation": (
        "NPR",
        ["jcbrn-coe", "nato-pasp", "nato-defense-college"],
        [
            ("weapons of mass destruction non-proliferation", "منع انتشار أسلحة الدمار الشامل"),
            ("export controls and dual-use goods", ""),
            ("arms control verification", ""),
            ("counter-proliferation financing", ""),
            ("missile technology control", ""),
            ("nuclear security", ""),
            ("small arms and light weapons control", ""),
        ],
    ),
    "border-security": (
        "BOR",
        ["nato-school", "nato-ici-rc", "coe-dat"],
        [
            ("border security and management", "أمن الحدود وإدارتها"),
            ("counter-smuggling operations", ""),
            ("border surveillance technologies", ""),
            ("integrated border management", ""),
            ("detection of trafficking", ""),
            ("maritime border control", ""),
            ("border crossing point security", ""),
        ],
    ),
    "intelligence-sharing": (
        "INT",
        ["nato-school", "nato-hq", "nato-defense-college"],
        [
            ("intelligence analysis", "تحليل المعلومات الاستخبارية"),
            ("information sharing arrangements", ""),
            ("open-source intelligence", ""),
            ("warning intelligence", ""),
            ("intelligence fusion", ""),
            ("handling of classified information", ""),
            ("intelligence support to operations", ""),
        ],
    ),
    "strategic-analysis": (
        "STR",
        ["nato-defense-college", "nato-ici-rc", "nato-hq"],
        [
            ("strategic foresight", "الاستشراف الاستراتيجي"),
            ("regional security analysis", "تحليل الأمن الإقليمي"),
            ("Gulf security dialogue", "حوار أمن الخليج"),
            ("strategic decision-making", ""),
            ("security sector horizon scanning", ""),
            ("scenario-based planning", ""),
            ("NATO strategic concept", ""),
        ],
    ),
    "public-diplomacy": (
        "PUB",
        ["nato-hq", "stratcom-coe", "nato-ici-rc"],
        [
            (
                "public diplomacy and strategic communications",
                "الدبلوماسية العامة والاتصالات الاستراتيجية",
            ),
            ("media relations", ""),
            ("NATO-Gulf public engagement", ""),
            ("academic outreach", ""),
            ("youth security awareness", ""),
            ("digital communication", ""),
            ("journalists' visit programme", ""),
        ],
    ),
    "hybrid-threats": (
        "HYB",
        ["stratcom-coe", "nato-defense-college", "ccdcoe"],
        [
            ("countering disinformation", "مكافحة التضليل"),
            ("hybrid threat analysis", ""),
            ("information environment assessment", ""),
            ("resilience against hybrid threats", ""),
            ("social media manipulation", ""),
            ("election interference", ""),
            ("cognitive warfare", ""),
        ],
    ),
    "lessons-learned": (
        "LLD",
        ["jallc", "nato-school", "nato-ici-rc"],
        [
            ("lessons learned", "الدروس المستفادة"),
            ("lessons learned staff officer", ""),
            ("operational analysis", ""),
            ("knowledge management", ""),
            ("after-action review", ""),
            ("lessons learned information systems", ""),
            ("exercise lessons analysis", ""),
        ],
    ),
    "science-for-peace": (
        "SPS",
        ["nato-hq", "nato-defense-college", "ccdcoe"],
        [
            ("science for peace and security cooperation", "العلم من أجل السلام والأمن"),
            ("detection of explosives", ""),
            ("environmental security", ""),
            ("water security", ""),
            ("advanced research in security technologies", ""),
            ("human and social aspects of security", ""),
            ("emerging and disruptive technologies", ""),
        ],
    ),
    "disaster-relief": (
        "DIS",
        ["cmdr-coe", "nato-ici-rc", "nato-hq"],
        [
            ("disaster preparedness", "التأهب للكوارث"),
            (
                "humanitarian assistance and disaster relief",
                "المساعدة الإنسانية والإغاثة في حالات الكوارث",
            ),
            ("earthquake response", ""),
            ("flood response", ""),
            ("international disaster assistance coordination", ""),
            ("search and rescue", ""),
            ("medical evacuation in disasters", ""),
        ],
    ),
}

FORMAT_ORDER = [
    F.COURSE,
    F.SEMINAR,
    F.CONFERENCE,
    F.EXERCISE,
    F.EXPERT_VISIT,
    F.MTT,
    F.ELEARNING,
    F.STUDY_VISIT,
]
LEVEL_ORDER = [L.BASIC, L.INTERMEDIATE, L.ADVANCED, L.EXECUTIVE]

TITLES = {
    F.COURSE: ("{Topic} course", "دورة في {topic}"),
    F.SEMINAR: ("Seminar on {topic}", "ندوة حول {topic}"),
    F.CONFERENCE: ("Regional conference on {topic}", "مؤتمر إقليمي حول {topic}"),
    F.EXERCISE: ("Table-top exercise: {topic}", "تمرين مكتبي: {topic}"),
    F.EXPERT_VISIT: ("Advisory visit: {topic}", "زيارة استشارية: {topic}"),
    F.MTT: ("Mobile training team: {topic}", "فريق تدريب متنقل: {topic}"),
    F.ELEARNING: ("{Topic} (e-learning module)", "وحدة تعليم إلكتروني: {topic}"),
    F.STUDY_VISIT: ("Study visit: {topic}", "زيارة دراسية: {topic}"),
}

DESCRIPTIONS = {
    F.COURSE: "A resident course on {topic} for officers and officials of partner nations, taught by instructors of {provider}. Participants work through case studies and syndicate exercises.",
    F.SEMINAR: "A seminar bringing together practitioners from NATO and partner nations to compare approaches to {topic}, hosted with {provider}.",
    F.CONFERENCE: "A regional conference on {topic} with senior officials, experts and academics from the Gulf and NATO nations, organised with {provider}.",
    F.EXERCISE: "A scenario-driven table-top exercise on {topic}, designed and evaluated by {provider}, with a hot wash-up and a written lessons report.",
    F.EXPERT_VISIT: "A team of experts from {provider} visits the requesting partner to review its arrangements for {topic} and to advise on next steps.",
    F.MTT: "A mobile training team from {provider} delivers training on {topic} in the partner country, for up to 30 participants.",
    F.ELEARNING: "A self-paced online module on {topic} prepared by {provider}; a certificate of completion is issued.",
    F.STUDY_VISIT: "A study visit to {provider} for partner officials to see how {topic} is organised in practice.",
}

ELIGIBILITY = [
    (["ici"], []),
    (["ici", "md"], []),
    (["ici", "md", "pfp"], []),
    (["ici"], ["SAU", "OMN"]),
    (["ici", "md", "pfp", "patg"], []),
]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def generated_activities() -> list[dict]:
    """The demo activities (not the sourced ones), deterministically."""
    out = []
    index = 0
    for area_index, (area_code, (abbr, providers, topics)) in enumerate(AREAS.items()):
        for topic_index, (topic, topic_ar) in enumerate(topics):
            fmt = FORMAT_ORDER[(area_index + topic_index) % len(FORMAT_ORDER)]
            title_en, title_ar = TITLES[fmt]
            provider = providers[topic_index % len(providers)]
            frameworks, countries = ELIGIBILITY[index % len(ELIGIBILITY)]
            first_year = 2012 + (index * 3) % 12
            last_year = None
            status = Activity.Status.ACTIVE
            if index % 7 == 6:
                last_year = first_year + 3
            if index % 23 == 11:
                status = Activity.Status.RETIRED
                last_year = last_year or first_year + 2
            if index % 13 == 5:
                marking = Marking.NATO
            elif index % 5 in (0, 2):
                marking = Marking.PUBLIC
            else:
                marking = Marking.REL_ICI
            areas = [area_code]
            if topic_index == 6 and area_index + 1 < len(AREAS):
                areas.append(list(AREAS)[area_index + 1])
            out.append(
                {
                    "code": f"PCM-{abbr}-{topic_index + 1:03d}",
                    "title": title_en.format(Topic=_cap(topic), topic=topic),
                    "title_ar": title_ar.format(topic=topic_ar) if topic_ar else "",
                    "description": DESCRIPTIONS[fmt].format(topic=topic, provider="{provider}"),
                    "format": fmt,
                    "provider": provider,
                    "areas": areas,
                    "frameworks": frameworks,
                    "countries": countries,
                    "languages": "en,ar" if topic_ar and index % 2 == 0 else "en",
                    "level": LEVEL_ORDER[(index + topic_index) % len(LEVEL_ORDER)],
                    "first_year": first_year,
                    "last_year": last_year,
                    "marking": marking,
                    "status": status,
                    "external_ref": f"EPRIME-{abbr}-{1000 + index}" if index % 3 else "",
                }
            )
            index += 1
    return out


# The full menu: about 1,400 activities, about 500 of them open to ICI partners.
FULL_SIZE = 1400
FULL_ICI = 500
# The frameworks of the activities the ICI partners may not join.
OTHER_ELIGIBILITY = [
    ["pfp"],
    ["pfp", "md"],
    ["md"],
    ["pfp", "patg"],
    ["patg"],
    ["pfp", "md", "patg"],
]
TRAINER = ("{Topic}: train-the-trainer course", "تدريب المدربين: {topic}")
TRAINER_DESCRIPTION = (
    "A train-the-trainer course on {topic}: partners' instructors learn to teach it at home "
    "with the material of {provider}."
)


def full_activities(already: int) -> list[dict]:
    """The activities the full menu adds to the ``already`` ones (the sourced and
    :func:`generated_activities`), deterministically: each topic in the formats
    it does not have yet, then as a train-the-trainer course, up to
    :data:`FULL_SIZE`; about :data:`FULL_ICI` in all are open to ICI partners."""
    rng = random.Random(2011)
    base = {spec["title"] for spec in generated_activities()}
    candidates = []
    for area_index, (area_code, (abbr, providers, topics)) in enumerate(AREAS.items()):
        for topic_index, (topic, topic_ar) in enumerate(topics):
            variants = [(fmt, TITLES[fmt]) for fmt in FORMAT_ORDER] + [(F.COURSE, TRAINER)]
            for fmt, (title_en, title_ar) in variants:
                title = title_en.format(Topic=_cap(topic), topic=topic)
                if title in base:
                    continue
                candidates.append(
                    (
                        area_index,
                        area_code,
                        abbr,
                        providers,
                        topic_index,
                        topic,
                        topic_ar,
                        fmt,
                        title,
                        title_ar,
                    )
                )
    wanted = max(0, FULL_SIZE - already)
    rng.shuffle(candidates)
    candidates = sorted(candidates[:wanted], key=lambda c: (c[0], c[4], FORMAT_ORDER.index(c[7])))
    # Every activity generated so far is open to ICI: the rest of the ICI share.
    ici_left = max(0, FULL_ICI - already)
    ici_flags = [True] * min(ici_left, len(candidates))
    ici_flags += [False] * (len(candidates) - len(ici_flags))
    rng.shuffle(ici_flags)
    out = []
    serial: dict[str, int] = {}
    for (
        _area_index,
        area_code,
        abbr,
        providers,
        topic_index,
        topic,
        topic_ar,
        fmt,
        title,
        title_ar,
    ), open_to_ici in zip(candidates, ici_flags, strict=True):
        serial[abbr] = serial.get(abbr, 100) + 1
        index = len(out)
        if open_to_ici:
            frameworks, countries = ELIGIBILITY[index % len(ELIGIBILITY)]
            marking = Marking.PUBLIC if index % 3 == 0 else Marking.REL_ICI
        else:
            frameworks, countries = OTHER_ELIGIBILITY[index % len(OTHER_ELIGIBILITY)], []
            marking = Marking.PUBLIC if index % 2 == 0 else Marking.NATO
        first_year = 1997 + rng.randrange(0, 28)
        last_year = None
        status = Activity.Status.ACTIVE
        if rng.random() < 0.15:
            last_year = min(first_year + rng.randrange(2, 8), 2026)
            if rng.random() < 0.5:
                status = Activity.Status.RETIRED
        description = TRAINER_DESCRIPTION if title_ar == TRAINER[1] else DESCRIPTIONS[fmt]
        areas = [area_code]
        if rng.random() < 0.2:
            areas.append(rng.choice(list(AREAS)))
        out.append(
            {
                "code": f"PCM-{abbr}-{serial[abbr]:03d}",
                "title": title,
                "title_ar": title_ar.format(topic=topic_ar) if topic_ar else "",
                "description": description.format(topic=topic, provider="{provider}"),
                "format": fmt,
                "provider": providers[(topic_index + index) % len(providers)],
                "areas": sorted(set(areas)),
                "frameworks": frameworks,
                "countries": countries,
                "languages": "en,ar" if topic_ar and open_to_ici and index % 2 == 0 else "en",
                "level": LEVEL_ORDER[rng.randrange(len(LEVEL_ORDER))],
                "first_year": first_year,
                "last_year": last_year,
                "marking": marking,
                "status": status,
                "external_ref": f"EPRIME-{abbr}-{2000 + index}" if index % 4 else "",
            }
        )
    return out


def _load_full(progress: Progress, areas, orgs, frameworks, countries) -> None:
    """The full menu's further activities, with ``bulk_create`` (once: the codes
    already there are skipped)."""
    specs = full_activities(Activity.objects.filter(code__startswith="PCM-").count())
    existing = set(
        Activity.objects.filter(code__in=[s["code"] for s in specs]).values_list("code", flat=True)
    )
    specs = [s for s in specs if s["code"] not in existing]
    rows = []
    for spec in specs:
        provider = orgs[spec["provider"]]
        row = Activity(
            code=spec["code"],
            title=spec["title"],
            title_ar=spec["title_ar"],
            description=spec["description"].replace("{provider}", provider.name),
            format=spec["format"],
            provider=provider,
            languages=spec["languages"],
            level=spec["level"],
            first_year=spec["first_year"],
            last_year=spec["last_year"],
            marking=spec["marking"],
            status=spec["status"],
            external_ref=spec["external_ref"],
            provenance=Activity.Provenance.DEMO,
        )
        row.search_text = Activity.compute_search_text(
            row.code, row.title, row.title_ar, row.description, row.description_ar
        )
        rows.append(row)
    Activity.objects.bulk_create(rows, batch_size=500)
    audit.record_bulk_create(rows)
    by_code = {row.code: row for row in rows}
    area_links, framework_links, country_links = [], [], []
    for spec in specs:
        activity = by_code[spec["code"]]
        area_links += [
            Activity.areas.through(activity_id=activity.pk, area_id=areas[c].pk)
            for c in spec["areas"]
        ]
        framework_links += [
            Activity.eligible_frameworks.through(
                activity_id=activity.pk, framework_id=frameworks[c].pk
            )
            for c in spec["frameworks"]
        ]
        country_links += [
            Activity.eligible_countries.through(activity_id=activity.pk, country_id=countries[c].pk)
            for c in spec["countries"]
        ]
    Activity.areas.through.objects.bulk_create(area_links, batch_size=1000)
    Activity.eligible_frameworks.through.objects.bulk_create(framework_links, batch_size=1000)
    Activity.eligible_countries.through.objects.bulk_create(country_links, batch_size=1000)
    progress(f"  full menu: {len(rows)} further demo activities")


def open_to_ici():
    """The menu activities open to ICI partners: through the ICI framework or
    one of its members named as an eligible country."""
    from django.db.models import Q

    from icihub.partners.models import Partnership

    ici = Framework.objects.get(code="ici")
    members = Partnership.objects.filter(framework=ici).values("country_id")
    return Activity.objects.filter(
        Q(eligible_frameworks=ici) | Q(eligible_countries__in=members)
    ).distinct()


def load(progress: Progress = print, size: str | None = None) -> None:
    areas = {a.code: a for a in Area.objects.all()}
    orgs = {o.slug: o for o in Organisation.objects.all()}
    frameworks = {f.code: f for f in Framework.objects.all()}
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["SAU", "OMN"])}

    def save(spec: dict, provenance: str) -> Activity:
        provider = orgs[spec["provider"]]
        activity, _changed = upsert(
            Activity,
            {"code": spec["code"]},
            {
                "title": spec["title"],
                "title_ar": spec.get("title_ar", ""),
                "description": spec["description"].replace("{provider}", provider.name),
                "format": spec["format"],
                "provider": provider,
                "languages": spec.get("languages", "en"),
                "level": spec.get("level", ""),
                "first_year": spec.get("first_year"),
                "last_year": spec.get("last_year"),
                "marking": spec.get("marking", Marking.REL_ICI),
                "status": spec.get("status", Activity.Status.ACTIVE),
                "external_ref": spec.get("external_ref", ""),
                "provenance": provenance,
            },
        )
        sync_m2m(activity, "areas", [areas[c] for c in spec["areas"]])
        sync_m2m(activity, "eligible_frameworks", [frameworks[c] for c in spec["frameworks"]])
        sync_m2m(activity, "eligible_countries", [countries[c] for c in spec["countries"]])
        return activity

    for (
        code,
        title,
        title_ar,
        fmt,
        area_codes,
        provider,
        level,
        first_year,
        source_key,
        quote,
        stated,
    ) in SOURCED:
        activity = save(
            {
                "code": code,
                "title": title,
                "title_ar": title_ar,
                "description": f"Named among the ICI's practical cooperation activities: “{quote}” "
                "Delivered with {provider}.",
                "format": fmt,
                "provider": provider,
                "areas": area_codes,
                "frameworks": ["ici"],
                "countries": [],
                "languages": "en,ar" if title_ar else "en",
                "level": level,
                "first_year": first_year,
                "marking": Marking.PUBLIC,
            },
            Activity.Provenance.SOURCE,
        )
        cite(activity, "offered", stated, source_key, quote=quote, kind=TEXT)
    generated = generated_activities()
    for spec in generated:
        save(spec, Activity.Provenance.DEMO)
    progress(
        f"  {len(SOURCED)} menu activities from the seed articles (with citations), "
        f"{len(generated)} demo activities"
    )
    if is_full(size):
        _load_full(progress, areas, orgs, frameworks, countries)
