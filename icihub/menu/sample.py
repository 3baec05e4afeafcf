"""Generated menus for tests and benchmarks: ``rows(n)`` gives ``n`` plausible
activities in the import/export columns, ``csv_bytes(n)`` / ``xlsx_bytes(n)``
the corresponding files. Deterministic."""

from __future__ import annotations

import csv
import io

from .models import Activity
from .reference import AREAS
from .transfer import COLUMN_NAMES

FORMATS = Activity.Format.values
LEVELS = Activity.Level.values
PROVIDERS = ["nato-school", "jallc", "marcom", "nmiotc", "ccdcoe", "ensec-coe", "nato-ici-rc"]
FRAMEWORKS = ["ici", "ici; md", "ici; md; pfp", ""]
WORDS = [
    "resilience",
    "planning",
    "interoperability",
    "awareness",
    "operations",
    "analysis",
    "management",
    "cooperation",
    "training",
    "leadership",
]


def rows(n: int, *, prefix: str = "GEN") -> list[dict]:
    out = []
    for i in range(n):
        area = AREAS[i % len(AREAS)]
        word = WORDS[i % len(WORDS)]
        out.append(
            {
                "code": f"{prefix}-{i + 1:05d}",
                "title": f"{area[1]}: {word} {i + 1}",
                "title_ar": f"{area[2]} {i + 1}" if i % 4 == 0 else "",
                "description": f"Generated activity {i + 1} on {area[1].lower()} and {word}.",
                "description_ar": "",
                "areas": area[0] if i % 5 else f"{area[0]}; {AREAS[(i + 3) % len(AREAS)][0]}",
                "format": FORMATS[i % len(FORMATS)],
                "provider": PROVIDERS[i % len(PROVIDERS)],
                "frameworks": FRAMEWORKS[i % len(FRAMEWORKS)],
                "countries": "SAU; OMN" if i % 9 == 0 else "",
                "languages": "en,ar" if i % 3 == 0 else "en",
                "level": LEVELS[i % len(LEVELS)],
                "first_year": str(2010 + i % 15),
                "last_year": str(2026 + i % 3) if i % 6 == 0 else "",
                "marking": "public" if i % 2 else "rel_ici",
                "external_ref": f"EP-{i + 1:05d}",
                "status": "active",
                "provenance": "",
            }
        )
    return out


def csv_bytes(data: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(data)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(data: list[dict]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Menu"
    sheet.append(COLUMN_NAMES)
    for row in data:
        sheet.append([row.get(name, "") for name in COLUMN_NAMES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
