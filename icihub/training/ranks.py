"""The rank table: the usual ranks of the ICI partners' forces, in English and
Arabic, per service branch, with their NATO codes (STANAG 2116: OF-1…OF-10 for
officers, OR-1…OR-9 for other ranks).

A rank entered without its NATO code takes its code from here (the
participants service, the import and the nomination picker's inline form ask
:func:`code_for`); a rank the table does not know, without a code, is an error,
never a silent "civilian".

The same English name may mean different ranks in different branches (a navy
captain is OF-5, an army captain OF-2), so a rank is looked up first in the
table of the person's branch (:data:`BRANCH_OF_SERVICE`), then among the names
that mean one code in every branch. Arabic names are matched without the
article, the "staff" mark (ركن) and the usual spelling variants (hamza on alef,
taa marbuta, alef maqsura); English ones without case, dots and hyphens.
"""

from __future__ import annotations

import re
from functools import cache

# (code, English names, Arabic names); the first name of each is the usual one.
Row = tuple[str, tuple[str, ...], tuple[str, ...]]

ARMY: tuple[Row, ...] = (
    ("OF-10", ("Field marshal", "Marshal"), ("مشير",)),
    ("OF-9", ("General", "Gen"), ("فريق أول",)),
    ("OF-8", ("Lieutenant general", "Lt Gen", "Lieutenant-general"), ("فريق",)),
    ("OF-7", ("Major general", "Maj Gen"), ("لواء",)),
    ("OF-6", ("Brigadier general", "Brigadier", "Brig Gen", "Brig"), ("عميد",)),
    ("OF-5", ("Colonel", "Col", "Staff colonel"), ("عقيد",)),
    ("OF-4", ("Lieutenant colonel", "Lt Col", "Staff lieutenant colonel"), ("مقدم",)),
    ("OF-3", ("Major", "Maj", "Staff major"), ("رائد",)),
    ("OF-2", ("Captain", "Capt", "Cpt"), ("نقيب",)),
    (
        "OF-1",
        ("First lieutenant", "Lieutenant", "Second lieutenant", "1st Lt", "2nd Lt", "Lt"),
        ("ملازم أول", "ملازم"),
    ),
    (
        "OR-9",
        ("Sergeant major", "Command sergeant major", "Warrant officer class 1", "WO1"),
        ("مساعد أول", "وكيل أول", "وكيل ضابط أول"),
    ),
    (
        "OR-8",
        ("Master sergeant", "First sergeant", "Warrant officer class 2", "Warrant officer", "WO2"),
        ("مساعد", "وكيل", "وكيل ضابط"),
    ),
    ("OR-7", ("Sergeant first class", "Colour sergeant"), ("رئيس رقباء",)),
    ("OR-6", ("Staff sergeant", "Sergeant staff"), ("رقيب أول",)),
    ("OR-5", ("Sergeant", "Sgt"), ("رقيب",)),
    ("OR-4", ("Corporal", "Cpl"), ("عريف",)),
    ("OR-3", ("Lance corporal", "LCpl"), ("نائب عريف", "وكيل عريف")),
    ("OR-2", ("Private first class", "PFC"), ("جندي أول",)),
    ("OR-1", ("Private", "Pvt", "Soldier", "Recruit"), ("جندي", "مستجد")),
)

NAVY: tuple[Row, ...] = (
    ("OF-10", ("Admiral of the fleet", "Fleet admiral"), ("أمير البحار", "مشير بحري")),
    ("OF-9", ("Admiral", "Adm"), ("فريق أول بحري", "أدميرال")),
    ("OF-8", ("Vice admiral", "VAdm", "Vice-admiral"), ("فريق بحري", "نائب أدميرال")),
    ("OF-7", ("Rear admiral", "RAdm", "Rear-admiral"), ("لواء بحري",)),
    ("OF-6", ("Commodore", "Cdre", "Rear admiral lower half"), ("عميد بحري",)),
    ("OF-5", ("Captain", "Capt", "Naval captain"), ("عقيد بحري",)),
    ("OF-4", ("Commander", "Cdr"), ("مقدم بحري",)),
    ("OF-3", ("Lieutenant commander", "Lt Cdr", "LCdr"), ("رائد بحري",)),
    ("OF-2", ("Lieutenant", "Lt"), ("نقيب بحري",)),
    (
        "OF-1",
        ("Sub-lieutenant", "Lieutenant junior grade", "Ensign", "Midshipman", "Sub lieutenant"),
        ("ملازم أول بحري", "ملازم بحري"),
    ),
    (
        "OR-9",
        ("Master chief petty officer", "Warrant officer class 1", "Warrant officer"),
        ("مساعد أول بحري",),
    ),
    ("OR-8", ("Senior chief petty officer",), ("مساعد بحري",)),
    ("OR-7", ("Chief petty officer", "CPO"), ("رئيس رقباء بحري",)),
    ("OR-6", ("Petty officer first class", "Petty officer"), ("رقيب أول بحري",)),
    ("OR-5", ("Petty officer second class",), ("رقيب بحري",)),
    ("OR-4", ("Leading seaman", "Petty officer third class"), ("عريف بحري",)),
    ("OR-3", ("Able seaman", "Seaman"), ("نائب عريف بحري",)),
    ("OR-2", ("Seaman apprentice", "Ordinary seaman"), ("بحار أول",)),
    ("OR-1", ("Seaman recruit", "Sailor"), ("بحار", "بحار مستجد")),
)

AIR_FORCE: tuple[Row, ...] = (
    ("OF-10", ("Marshal of the air force", "General of the air force"), ("مشير طيار",)),
    ("OF-9", ("Air chief marshal", "General"), ("فريق أول طيار", "فريق أول جوي")),
    ("OF-8", ("Air marshal", "Lieutenant general"), ("فريق طيار", "فريق جوي")),
    ("OF-7", ("Air vice-marshal", "Air vice marshal", "Major general"), ("لواء طيار", "لواء جوي")),
    ("OF-6", ("Air commodore", "Brigadier general"), ("عميد طيار", "عميد جوي")),
    ("OF-5", ("Group captain", "Colonel", "Gp Capt"), ("عقيد طيار", "عقيد جوي")),
    ("OF-4", ("Wing commander", "Lieutenant colonel", "Wg Cdr"), ("مقدم طيار", "مقدم جوي")),
    ("OF-3", ("Squadron leader", "Major", "Sqn Ldr"), ("رائد طيار", "رائد جوي")),
    ("OF-2", ("Flight lieutenant", "Captain", "Flt Lt"), ("نقيب طيار", "نقيب جوي")),
    (
        "OF-1",
        ("Flying officer", "Pilot officer", "First lieutenant", "Second lieutenant"),
        ("ملازم أول طيار", "ملازم طيار", "ملازم أول جوي", "ملازم جوي"),
    ),
    ("OR-9", ("Chief master sergeant", "Warrant officer"), ("مساعد أول جوي",)),
    ("OR-8", ("Senior master sergeant", "Flight sergeant"), ("مساعد جوي",)),
    ("OR-7", ("Master sergeant", "Chief technician"), ("رئيس رقباء جوي",)),
    ("OR-6", ("Technical sergeant",), ("رقيب أول جوي",)),
    ("OR-5", ("Staff sergeant", "Sergeant"), ("رقيب جوي",)),
    ("OR-4", ("Senior airman", "Corporal"), ("عريف جوي",)),
    ("OR-3", ("Airman first class", "Senior aircraftman"), ("نائب عريف جوي",)),
    ("OR-2", ("Airman", "Leading aircraftman"), ("جندي أول جوي",)),
    ("OR-1", ("Airman basic", "Aircraftman"), ("جندي جوي",)),
)

# Titles of civilians: a code of their own (CIV), not an unknown rank.
CIVILIAN: tuple[str, ...] = (
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "Doctor",
    "Eng",
    "Engineer",
    "Professor",
    "Prof",
    "Civilian",
    "Sheikh",
    "السيد",
    "السيدة",
    "سيد",
    "سيدة",
    "الدكتور",
    "الدكتورة",
    "دكتور",
    "المهندس",
    "المهندسة",
    "مهندس",
    "الأستاذ",
    "أستاذ",
    "الشيخ",
    "مدني",
)
CIVILIAN_CODE = "CIV"

BRANCHES: dict[str, tuple[Row, ...]] = {"army": ARMY, "navy": NAVY, "air_force": AIR_FORCE}
# Participant.Service -> branch table; the Gulf's national guards, police and
# civil defence use the land forces' ranks; ministries and "other" too.
BRANCH_OF_SERVICE = {
    "army": "army",
    "national_guard": "army",
    "police": "army",
    "civil_defence": "army",
    "ministry": "army",
    "other": "army",
    "navy": "navy",
    "air_force": "air_force",
}

_ARABIC_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": None})
_ARABIC = re.compile(r"[\u0600-\u06FF]")


def normalise(rank: str) -> str:
    """The key a rank is matched by (see the module's documentation)."""
    text = " ".join(str(rank or "").replace(".", " ").replace("-", " ").replace("/", " ").split())
    if not _ARABIC.search(text):
        return text.casefold()
    words = []
    for word in text.translate(_ARABIC_VARIANTS).split():
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word != "ركن":
            words.append(word)
    return " ".join(words)


@cache
def _tables() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    by_branch: dict[str, dict[str, str]] = {}
    anywhere: dict[str, set[str]] = {}
    for branch, rows in BRANCHES.items():
        table = by_branch.setdefault(branch, {})
        for code, english, arabic in rows:
            for name in (*english, *arabic):
                key = normalise(name)
                table.setdefault(key, code)
                anywhere.setdefault(key, set()).add(code)
    unique = {key: codes.pop() for key, codes in anywhere.items() if len(codes) == 1}
    for name in CIVILIAN:
        unique[normalise(name)] = CIVILIAN_CODE
    return by_branch, unique


def code_for(rank: str, service: str = "") -> str | None:
    """The NATO code of ``rank`` for a person of ``service`` (a
    ``Participant.Service`` value), or None when the table does not know it
    (or the name means different codes and the branch does not say which)."""
    key = normalise(rank)
    if not key:
        return None
    by_branch, unique = _tables()
    branch = BRANCH_OF_SERVICE.get(service or "")
    if branch and key in by_branch[branch]:
        return by_branch[branch][key]
    return unique.get(key)


def _row_of(rank: str, service: str = "") -> Row | None:
    """The table's row of ``rank`` (the branch of ``service`` first), or None."""
    if not rank:
        return None
    key = normalise(rank)
    branch = BRANCH_OF_SERVICE.get(service or "", "army")
    for rows in (BRANCHES[branch], *[r for b, r in BRANCHES.items() if b != branch]):
        for row in rows:
            if any(normalise(name) == key for name in (*row[1], *row[2])):
                return row
    return None


def arabic_name(rank: str, service: str = "") -> str | None:
    """The usual Arabic name of ``rank``, or None when the table does not know it."""
    row = _row_of(rank, service)
    return row[2][0] if row else None


def in_language(rank: str, service: str, language: str) -> str:
    """``rank`` as the usual name of its row in ``language`` ("ar" or another:
    English), for a page in that language; a rank the table does not know as
    it was written."""
    row = _row_of(rank, service)
    if row is None:
        return rank
    return row[2][0] if language.startswith("ar") else row[1][0]


def names(service: str = "") -> list[str]:
    """The usual rank names (English, then Arabic) of ``service``'s branch, or
    of every branch without one, senior first: the suggestions of a rank field."""
    branch = BRANCH_OF_SERVICE.get(service or "")
    tables = [BRANCHES[branch]] if branch else list(BRANCHES.values())
    found: list[str] = []
    for language in (1, 2):
        for rows in tables:
            for row in rows:
                if row[language][0] not in found:
                    found.append(row[language][0])
    return found
