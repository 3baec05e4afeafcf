"""The Arabic catalogue is complete, consistent with its sources and compiled, and
the pages render right-to-left in Arabic.

The committed ``icihub/locale/ar/LC_MESSAGES/django.po`` is read with a small
parser below (polib is not a dependency); the ``.mo`` beside it with the standard
library's ``gettext``. How to update both: docs/testing.md, "Translations".
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import formats, translation

from icihub.testing import client_for

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "ar" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "ar" / "LC_MESSAGES" / "django.mo"

ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 && n%100<=99 ? 4 : 5;"
)


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request with the language cookie makes Django's LocaleMiddleware activate
    Arabic in this thread, and nothing deactivates it: the next test run by this
    process would format its dates in Arabic."""
    yield
    translation.deactivate()


# -- a minimal .po reader -----------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural.get(i, "") for i in range(max(self.msgstr_plural) + 1)]


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the other (non-obsolete) entries of a .po file."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            word, index, text = match.groups()
            if (
                word in ("msgctxt", "msgid")
                and current is not None
                and target[0].startswith("msgstr")
            ):
                finish()
            if current is None:
                current = Entry(flags=flags, line=number)
                flags = set()
            target = (word.split("[")[0], int(index) if index is not None else None)
        elif line.startswith('"'):
            text = line
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        value = ast.literal_eval(text)
        name, index = target
        if name == "msgstr" and index is not None:
            current.msgstr_plural[index] = current.msgstr_plural.get(index, "") + value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    finish()
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    return header, [e for e in entries if e is not header]


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    return read_po(PO)


def describe(entry: Entry) -> str:
    context = f" [{entry.msgctxt}]" if entry.msgctxt else ""
    return f"{PO.name}:{entry.line}{context} {entry.msgid!r}"


# -- the catalogue -------------------------------------------------------------------------


def test_the_header_declares_arabic_and_its_six_plural_forms(catalogue):
    header, entries = catalogue
    assert "fuzzy" not in header.flags
    metadata = dict(line.split(": ", 1) for line in header.msgstr.splitlines() if ": " in line)
    assert metadata["Language"] == "ar"
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert metadata["Plural-Forms"] == ARABIC_PLURAL_FORMS
    assert len(entries) > 1500  # every app's strings, not a stub
    assert all(len(e.translations) == 6 for e in entries if e.msgid_plural is not None)


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    _header, entries = catalogue
    untranslated = [describe(e) for e in entries if not all(t.strip() for t in e.translations)]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy (check and remove the flag):\n" + "\n".join(fuzzy)


PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}|%%")
TAG = re.compile(r"</?[a-z][a-z0-9]*|&[a-z]+;")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_placeholders_and_markup_survive_translation(catalogue):
    _header, entries = catalogue
    problems = []
    for e in entries:
        if e.msgid_plural is None:
            if placeholders(e.msgstr) != placeholders(e.msgid):
                problems.append(f"{describe(e)}: {placeholders(e.msgstr)}")
        else:
            # The forms for one and two may leave the number out ("مشارك واحد").
            wanted = set(placeholders(e.msgid_plural)) | set(placeholders(e.msgid))
            for index, form in enumerate(e.translations):
                got = set(placeholders(form))
                if not got <= wanted or (index not in (1, 2) and got != wanted):
                    problems.append(f"{describe(e)} form {index}: {sorted(got)}")
        for form in e.translations:
            if sorted(TAG.findall(form)) != sorted(TAG.findall(e.msgid)):
                problems.append(f"{describe(e)}: markup differs in {form!r}")
    assert not problems, "\n".join(problems)


def test_every_translation_actually_formats(catalogue):
    """Django formats blocktranslate strings with ``%``: a stray percent sign or a
    misspelt name would raise at run time, on one language only. Each form is
    formatted with the values the English message takes."""
    _header, entries = catalogue
    problems = []
    for e in entries:
        names = set(re.findall(r"%\((\w+)\)", e.msgid + (e.msgid_plural or "")))
        if not names and "python-format" not in e.flags:
            continue
        values = (
            dict.fromkeys(names, 3)
            if names
            else tuple(3 for _ in re.findall(r"%[sdif]", e.msgid.replace("%%", "")))
        )
        e.msgid % values  # the English message itself formats with them
        for form in e.translations:
            try:
                formatted = form % values
            except (KeyError, ValueError, TypeError) as error:
                problems.append(f"{describe(e)}: {error!r} in {form!r}")
            else:
                assert "%(" not in formatted, describe(e)
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    _header, entries = catalogue
    with MO.open("rb") as fp:
        compiled = gnu_gettext.GNUTranslations(fp)._catalog
    expected: dict = {}
    for e in entries:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr
        else:
            for index, form in enumerate(e.translations):
                expected[(e.key, index)] = form
    compiled = {k: v for k, v in compiled.items() if k != ""}
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    changed = sorted(
        str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k]
    )
    assert not stale and not changed, (
        "django.mo is out of date: run `icihub compilemessages -l ar` in icihub/ and commit it.\n"
        + "\n".join((stale + changed)[:20])
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogue_has_every_message_of_the_sources(catalogue, tmp_path, monkeypatch):
    """Extract the messages as makemessages does and require each in the Arabic
    catalogue. The sources are copied to a scratch directory first: makemessages
    writes a ``<template>.py`` beside every template it reads, which in the shared
    checkout would race with another run of this test (and show in ``git status``);
    the committed catalogue stays untouched."""
    _header, entries = catalogue
    shutil.copytree(
        settings.BASE_DIR,
        tmp_path / "src",
        ignore=shutil.ignore_patterns("tests", "locale", "static", "__pycache__", "*.pyc"),
    )
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        call_command("makemessages", locale=["ar"], verbosity=0)
    _h, extracted = read_po(tmp_path / "locale" / "ar" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 1500
    known = {e.key for e in entries}
    missing = sorted({e.key for e in extracted} - known)
    assert not missing, (
        "Messages not in the Arabic catalogue; run makemessages, translate them and "
        "compilemessages (docs/testing.md, 'Translations'):\n"
        + "\n".join(repr(m) for m in missing[:40])
    )


# -- pages in Arabic -----------------------------------------------------------------------


def arabic(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    return client


ARABIC_INDIC_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
NAVIGATION = ["الشركاء", "قائمة التعاون", "التدريب", "الحوار", "تسجيل الدخول"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/", ["مبادرة إسطنبول للتعاون في لمحة", "أعضاء المبادرة"]),
        ("/partners/countries/KWT/", ["الشراكات مع الناتو", "المعلومات ومصادرها"]),
        # The test database holds the reference data only (no course, no activity):
        # the words are the page's own, not its rows'.
        ("/training/courses/", ["دليل الدورات", "أسلوب التنفيذ"]),
        # A search shows the link that clears it and the "matching" phrase.
        ("/menu/?q=cyber", ["أنشطة التعاون العملي", "مسح البحث وعوامل التصفية", "مطابقة لـ"]),
    ],
)
def test_pages_render_right_to_left_in_arabic(client, path, words):
    response = arabic(client).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    for word in NAVIGATION + words:
        assert word in html, word
    # Numbers stay in Western digits (docs/testing.md, "Translations").
    assert not ARABIC_INDIC_DIGIT.search(html)
    # The same page without the cookie stays English and left-to-right.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    english = client.get(path).content.decode()
    assert '<html lang="en" dir="ltr">' in english
    assert "الشركاء" not in english


@pytest.mark.django_db
def test_the_language_switcher_sets_arabic(client):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/menu/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert 'dir="rtl"' in client.get("/menu/").content.decode()


@pytest.mark.django_db
def test_a_signed_in_coordinator_sees_arabic_pages(kwt_coordinator):
    client = arabic(client_for(kwt_coordinator))
    html = client.get("/programmes/").content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert "البرامج الفردية" in html
    assert "تسجيل الخروج" in html


@pytest.mark.django_db
def test_a_form_help_text_is_translated_when_shown(nato_staff):
    """The menu import's help text is formatted with the upload limit: formatted when
    the module was imported, it stayed English."""
    size = settings.ICIHUB_MAX_UPLOAD_BYTES // (1024 * 1024)
    english = client_for(nato_staff).get("/menu/import/").content.decode()
    assert f"At most {size} MB. The columns are listed below." in english
    html = arabic(client_for(nato_staff)).get("/menu/import/").content.decode()
    assert f"بحد أقصى {size} ميغابايت. الأعمدة مدرجة أدناه." in html
    assert "At most" not in html


@pytest.mark.django_db
def test_partial_dates_use_django_s_arabic_month_names(client):
    """A date known to the month ("December 2004") reads "ديسمبر 2004", and ranges
    keep their shape; the home page's launch date, which comes from the sources, too."""
    from icihub.core.dates import PartialDate

    with translation.override("ar"):
        assert formats.date_format(PartialDate.parse("2004-12").earliest, "F Y") == "ديسمبر 2004"
        assert str(PartialDate.parse("2004-12")) == "ديسمبر 2004"
        assert str(PartialDate.parse("2018-01-22/2018-01-23")) == "22–23 يناير 2018"
        assert str(PartialDate.parse("2005-01/2005-03")) == "يناير–مارس 2005"
        assert str(PartialDate.parse("2004/2006")) == "2004 – 2006"
    html = arabic(client).get("/").content.decode()
    assert "يونيو 2004" in html  # launched at Istanbul in June 2004
    assert "June 2004" not in html


@pytest.mark.django_db
def test_reference_names_follow_the_language_and_the_audit_stays_english(
    kwt_coordinator, nato_staff
):
    """Countries, frameworks and areas read in Arabic on Arabic pages (their
    recorded ``name_ar``); the audit trail names them in English whoever acted."""
    from icihub.core import audit
    from icihub.core.models import AuditEntry
    from icihub.partners.models import Country

    kuwait = Country.objects.get(iso3="KWT")
    assert kuwait.name_ar == "الكويت"
    english = client_for(kwt_coordinator).get("/partners/countries/KWT/").content.decode()
    assert "<title>Kuwait · icihub</title>" in english
    html = arabic(client_for(kwt_coordinator)).get("/partners/countries/KWT/").content.decode()
    assert "<title>الكويت · icihub</title>" in html
    assert "مبادرة إسطنبول للتعاون" in html  # the ICI framework's Arabic name

    translation.activate("ar")
    try:
        assert str(kuwait) == "الكويت"
        with audit.acting(nato_staff, reason="test"):
            audit.record(audit.Action.UPDATE, kuwait, {"official_name": ["", "State of Kuwait"]})
    finally:
        translation.deactivate()
    assert AuditEntry.objects.latest("pk").object_repr == "Kuwait"
