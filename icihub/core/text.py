"""Text helpers shared by search, duplicate detection, exports, and the one
check of text at the boundary (:func:`check_text`): requests (the middleware),
forms, imports and the command line refuse the same characters."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0622": "\u0627",  # آ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
    }
)
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_for_search(text: str) -> str:
    """Lower-case, accent-free, Arabic-folded text for substring search:
    "Énergie" -> "energie"; "الأمن السيبراني" and "الامن السيبراني" match."""
    if not text:
        return ""
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _PUNCT.sub(" ", text.casefold())
    return _SPACES.sub(" ", text).strip()


def search_terms(query: str) -> list[str]:
    return [term for term in normalise_for_search(query).split(" ") if term]


# -- control characters ------------------------------------------------------------------

#: Characters no text field holds: the C0 controls but tab, line feed and
#: carriage return (NUL, BEL, ESC, vertical tab, form feed, ...), DEL, the C1
#: controls, and lone surrogates ("\ud800" in JSON: not a character at all, it
#: cannot be written as UTF-8). PostgreSQL refuses NUL, XML (XLSX files) the
#: other C0 controls: stored, they broke exports for everyone.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same, for one-line text (a name, a code): tab and line breaks too.
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str, *, multiline: bool = True) -> str | None:
    """The first character of ``text`` that no text field may hold, or None."""
    if not isinstance(text, str):
        return None
    found = (_CONTROL if multiline else _CONTROL_ONE_LINE).search(text)
    return found.group() if found else None


def forbidden_character_message(char: str) -> str:
    if char == "\x00":
        return _("Text may not contain the NUL character (0x00).")
    return _("Text may not contain the control character U+%(code)04X.") % {"code": ord(char)}


def check_text(value, *, field: str = "", multiline: bool = True):
    """``value`` unchanged, or a ValidationError naming ``field`` when it holds
    a character no text may hold (:func:`forbidden_character`)."""
    char = forbidden_character(value, multiline=multiline)
    if char is not None:
        message = forbidden_character_message(char)
        raise ValidationError({field: [message]} if field else message, code="control_character")
    return value


def without_control_characters(value):
    """For output only (a spreadsheet cell, a file name): ``value`` with the
    characters :func:`check_text` refuses removed. Rows stored before the check
    existed must not break an export for everyone."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


# -- download names ------------------------------------------------------------------------


_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_-]+")


def download_name(name: str, ext: str = "") -> str:
    """A safe file name for a download, from any text (a course code, a
    session reference: "../x", "A/B"): ASCII letters, digits, hyphens and
    underscores only, so no path separator, dot-dot or quote reaches a file
    name. Django's ``slugify`` does the same but lower-cases (certificate codes
    and course codes keep their case here). ``ext`` without its dot. Also the
    title of a sheet (which may not hold / \\ ? * [ ] :)."""
    ascii_text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    stem = re.sub("-{2,}", "-", _NOT_IN_NAMES.sub("-", ascii_text)).strip("-_")
    stem = stem[:120].strip("-_") or "download"
    return f"{stem}.{ext}" if ext else stem


def attach(response, filename: str, *, inline: bool = False):
    """Set ``response``'s Content-Disposition to the file name (made safe with
    :func:`download_name`, quoted by Django). Every download goes through it."""
    stem, dot, ext = str(filename).rpartition(".")
    safe = download_name(stem, download_name(ext)) if dot else download_name(filename)
    response["Content-Disposition"] = content_disposition_header(not inline, safe)
    return response


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Make a spreadsheet cell inert: text starting with = + - @ (or a tab or
    carriage return) is prefixed with an apostrophe so Excel shows it as text."""
    value = without_control_characters(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# -- names in the page's language ---------------------------------------------------------


def arabic_active() -> bool:
    """Whether the active language is Arabic (a page, an export or an e-mail
    rendered in Arabic)."""
    return (translation.get_language() or "").startswith("ar")


def localized(english, arabic=None) -> str:
    """THE rule for names that have an Arabic form: ``arabic`` when Arabic is
    active and one is recorded, ``english`` otherwise. Every name shown in the
    page's language goes through it: :func:`local` (a model's ``name`` /
    ``name_ar``, ``title`` / ``title_ar``), the ``local`` template filter
    (``{{ country|local }}``, ``{{ course|local:"title" }}``), the labels of
    values read with ``values_list`` (report tables, filter options)."""
    if arabic and arabic_active():
        return str(arabic)
    return "" if english is None else str(english)


def local(obj, field: str = "name") -> str:
    """``obj.<field>`` in the active language (``obj.<field>_ar`` on Arabic
    pages when recorded); "" for no object."""
    if obj is None or obj == "":
        return ""
    if isinstance(obj, str):
        return obj
    return localized(getattr(obj, field, ""), getattr(obj, f"{field}_ar", ""))


def beside(arabic) -> str:
    """An Arabic form shown *beside* the English name (a second line, a span
    after it): on Arabic pages the name itself is already Arabic, so nothing."""
    return "" if arabic_active() or not arabic else str(arabic)


class LocalName:
    """For models with ``name`` and ``name_ar``: ``local_name`` follows the
    active language (the models' ``__str__`` returns it) by :func:`localized`.
    The audit trail records English (``audit._safe_str``)."""

    @property
    def local_name(self) -> str:
        return local(self)
