"""Idempotent loading of reference data.

``icihub load-reference`` calls ``load(progress)`` of each app's ``reference.py``
in ``ORDER``. Loaders use :func:`upsert`, :func:`sync_m2m` and :func:`cite`,
which write only what differs: a second run changes nothing (not even the
audit trail)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .dates import PartialDate
from .models import Citation, Source

# The apps in layer order, as settings.ICIHUB_APPS lists them (one list: an app
# without a reference.py or demo.py is passed over). load_all here and in
# core/demo.py walk this registry by module name (import_module): the kernel
# imports no app above it by name, the setting says which apps there are.
ORDER = list(settings.ICIHUB_APPS)

Progress = Callable[[str], None]


def seeds_dir() -> Path:
    """The seed articles: ``ICIHUB_SEEDS_DIR``, else the copies shipped inside the
    package (identical to ``../shared/seeds``)."""
    import os

    configured = os.environ.get("ICIHUB_SEEDS_DIR")
    if configured:
        return Path(configured)
    return settings.BASE_DIR / "core" / "data" / "seeds"


def _normal(value):
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, models.Model):
        return value.pk
    return value


def upsert(model: type[models.Model], lookup: dict, values: dict | None = None):
    """Create the row matching ``lookup`` or bring it to ``values``; returns (obj, changed)."""
    values = values or {}
    obj = model._base_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True
    changed = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        current = getattr(obj, field.attname if field.is_relation else name)
        wanted = _normal(value)
        if isinstance(wanted, str) and isinstance(current, PartialDate):
            current = current.iso()
        if _normal(current) != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.full_clean()
        obj.save()
    return obj, bool(changed)


def sync_m2m(obj: models.Model, name: str, targets) -> bool:
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    current = set(manager.values_list("pk", flat=True))
    if wanted == current:
        return False
    if current - wanted:
        manager.remove(*(current - wanted))
    if wanted - current:
        manager.add(*(wanted - current))
    return True


def source(key: str) -> Source:
    return Source.objects.get(key=key)


def cite(
    subject: models.Model,
    attribute: str,
    value,
    source_key: str,
    *,
    quote: str = "",
    kind: str = Citation.Kind.DATE,
    locator: str = "",
    note: str = "",
) -> Citation:
    """Record that ``source_key`` states ``attribute`` = ``value`` for ``subject``."""
    if isinstance(value, PartialDate):
        value = value.iso()
    elif kind == Citation.Kind.DATE:
        value = PartialDate.parse(str(value)).iso()
    obj, _changed = upsert(
        Citation,
        {
            "content_type": ContentType.objects.get_for_model(type(subject)),
            "object_id": subject.pk,
            "attribute": attribute,
            "source": source(source_key),
            "value": str(value),
        },
        {"kind": kind, "quote": quote, "locator": locator, "note": note},
    )
    return obj


def load_all(progress: Progress = print, apps: list[str] | None = None) -> None:
    """Load the reference data of every app, in order, in one transaction."""
    with transaction.atomic():
        for app in apps or ORDER:
            try:
                module = import_module(f"icihub.{app}.reference")
            except ModuleNotFoundError as exc:
                if exc.name != f"icihub.{app}.reference":
                    raise
                continue
            progress(f"reference data: {app}")
            module.load(progress)


# -- the sources -------------------------------------------------------------------

SEEDS = [
    {
        "key": "seed-000",
        "file": "000_6959a5d08bea30eb.txt",
        "title": "Cybersecurity, crisis management, energy security and civil emergency "
        "planning: the current focus of the NATO-ICI Regional Centre",
        "publisher": "Gulf press (dateline Manama), quoting Kuwait News Agency (KUNA)",
        "published": None,
        "kind": Source.Kind.NEWS,
    },
    {
        "key": "seed-001",
        "file": "001_a446ceb063a6615c.txt",
        "title": "Rasmussen opens the first meeting of NATO and ICI foreign ministers",
        "publisher": "Gulf press (dateline Manama)",
        "published": "2014",
        "kind": Source.Kind.NEWS,
    },
    {
        "key": "seed-002",
        "file": "002_ed1c481b4c36d8df.txt",
        "title": "NATO opens its first office in the Gulf: the NATO-ICI Regional Centre in Kuwait",
        "publisher": "Press agency report (photo: Anadolu Agency), dateline Kuwait City",
        "published": "2017-01-24",
        "kind": Source.Kind.NEWS,
    },
    {
        "key": "seed-003",
        "file": "003_1bf22e1bb8d90469.txt",
        "title": "Kuwait opens its first diplomatic mission to NATO in Brussels",
        "publisher": "Gulf press (dateline Manama), quoting Kuwait News Agency (KUNA)",
        "published": None,
        "kind": Source.Kind.NEWS,
    },
    {
        "key": "seed-004",
        "file": "004_6c5f52e63ca1087f.txt",
        "title": "NATO Istanbul Cooperation Initiative (ICI): overview",
        "publisher": "Reference overview (publisher not stated)",
        "published": None,
        "kind": Source.Kind.WEBSITE,
    },
]

# Documents the brief cites without their full text: kept as sources so that
# the facts they state (and their disagreements with the seeds) stay traceable.
OTHER_SOURCES = [
    {
        "key": "nato-ici-page",
        "title": "Istanbul Cooperation Initiative (ICI)",
        "publisher": "NATO",
        "kind": Source.Kind.WEBSITE,
        "text": "NATO's own page on the initiative. It says that Bahrain, Kuwait and Qatar "
        "joined the ICI \u201cin the first three months of 2005\u201d.",
    },
    {
        "key": "nato-ici-text-2004",
        "title": "Istanbul Cooperation Initiative: official text",
        "publisher": "NATO",
        "published": "2004-06-28",
        "kind": Source.Kind.OFFICIAL,
        "text": "The official text of the initiative, issued at the Istanbul Summit and dated 28 June 2004.",
    },
    {
        "key": "nato-news-uae-2005",
        "title": "The United Arab Emirates joins the Istanbul Cooperation Initiative",
        "publisher": "NATO",
        "kind": Source.Kind.OFFICIAL,
        "text": "NATO's news item on the UAE's accession gives the date 22 June 2005.",
    },
    {
        "key": "nato-centre-2017",
        "title": "Inauguration of the NATO-ICI Regional Centre in Kuwait",
        "publisher": "NATO",
        "kind": Source.Kind.OFFICIAL,
        "text": "NATO gives 23 January 2017 as the date of the Centre's inauguration.",
    },
    {
        "key": "kuwaiti-outlets",
        "title": "Kuwaiti press reports on Kuwait's accession to the ICI",
        "publisher": "Kuwaiti news outlets",
        "kind": Source.Kind.NEWS,
        "text": "Kuwaiti outlets give November 2004, and in some reports June 2004, for "
        "Kuwait's accession to the initiative.",
    },
    {
        "key": "kuna-2025-04",
        "title": "NATO-ICI Regional Centre activity since its opening",
        "publisher": "Kuwait News Agency (KUNA)",
        "published": "2025-04",
        "kind": Source.Kind.NEWS,
        "text": "To April 2025: 101 political-dialogue events and 56 military training courses.",
    },
    {
        "key": "nato-partnerships",
        "title": "Partnerships: projecting stability through cooperation",
        "publisher": "NATO",
        "kind": Source.Kind.WEBSITE,
        "text": "NATO's overview of its partnership frameworks: the Partnership for Peace "
        "(launched at the Brussels Summit, January 1994), the Mediterranean Dialogue "
        "(December 1994), the Istanbul Cooperation Initiative (June 2004) and partners "
        "across the globe (the partnership policy agreed in Berlin, April 2011).",
    },
    {
        "key": "icihub-brief",
        "title": "icihub domain brief: the Istanbul Cooperation Initiative and its Regional Centre",
        "publisher": "icihub project",
        "published": "2026",
        "kind": Source.Kind.REPORT,
        "text": "The project's summary of the initiative, its dialogue and the Centre, "
        "compiled from NATO texts and the press; cited where no primary text is held.",
    },
]


def load(progress: Progress = print) -> None:
    directory = seeds_dir()
    for seed in SEEDS:
        path = directory / seed["file"]
        if not path.exists():
            raise FileNotFoundError(f"seed article missing: {path}")
        upsert(
            Source,
            {"key": seed["key"]},
            {
                "title": seed["title"],
                "publisher": seed["publisher"],
                "published": PartialDate.parse(seed["published"]),
                "kind": seed["kind"],
                "language": "en",
                "file_name": seed["file"],
                "text": path.read_text(encoding="utf-8").strip(),
                "marking": "public",
            },
        )
    for other in OTHER_SOURCES:
        upsert(
            Source,
            {"key": other["key"]},
            {
                "title": other["title"],
                "publisher": other["publisher"],
                "published": PartialDate.parse(other.get("published")),
                "kind": other["kind"],
                "language": "en",
                "text": other["text"],
                "marking": "public",
            },
        )
    progress(f"  {len(SEEDS)} seed articles and {len(OTHER_SOURCES)} other sources")
