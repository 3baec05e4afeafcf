"""Text helpers shared by search, duplicate detection and exports."""

from __future__ import annotations

import re
import unicodedata

from django.utils import translation

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


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Make a spreadsheet cell inert: text starting with = + - @ (or a tab or
    carriage return) is prefixed with an apostrophe so Excel shows it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class LocalName:
    """For models with ``name`` and ``name_ar``: ``local_name`` follows the
    active language (the models' ``__str__`` returns it): the Arabic form when
    Arabic is active and one is recorded, the English one otherwise. The audit
    trail records English (``audit._safe_str``)."""

    @property
    def local_name(self) -> str:
        if self.name_ar and (translation.get_language() or "").startswith("ar"):
            return self.name_ar
        return self.name
