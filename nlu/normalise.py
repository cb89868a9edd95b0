"""The one Thai text normaliser: every matcher sees text through `normalise`.

The original text is kept by the caller for display and storage; this is only for matching.
"""

from __future__ import annotations

import re
import unicodedata

from pythainlp.util import eng_to_thai
from pythainlp.util import normalize as pythainlp_normalize

from nlu.tokens import dictionary_words, tokenize

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Zero-width and bidi marks arrive from copy-paste and some Android keyboards; control
# characters from broken clients. Both would split words invisibly.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_THAI_LETTER_RUN = re.compile(r"([\u0e01-\u0e2e\u0e30-\u0e4e])\1{2,}")  # ยยยย -> ย
_LATIN_LETTER_RUN = re.compile(r"([a-z])\1{2,}")  # soooo -> soo
_MAI_YAMOK_RUN = re.compile(r"ๆ(?:\s*ๆ)+")  # มากๆๆๆ -> มากๆ
_LAUGHTER = re.compile(r"(?<![0-9.\-])5{4,}(?![0-9.\-])")  # 55555 -> 555
_SPACES = re.compile(r"\s+")

_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
# Thai typed on the English layout almost always puts a symbol or digit key inside a word
# (tone marks and vowels sit there: l;ylfu, 5oory'); plain English words do not.
_LAYOUT_TELL = re.compile(r"[a-zA-Z][;'\[\],./\\=\-0-9]|[;'\[\],./\\=\-0-9][a-zA-Z]")
_LATIN_LETTER = re.compile(r"[a-zA-Z]")


def normalise(text: str) -> str:
    """Canonical form for matching: NFC, Arabic digits, no invisible characters, Thai
    spelling repaired, repeated letters and laughter collapsed, lower case, single spaces."""
    cleaned = _clean(text)
    if not _THAI_CHAR.search(cleaned):
        # what is left may be Thai typed on the English layout only now that stray marks
        # are gone; checking the final form is also what keeps normalising idempotent
        reread = fix_keyboard_layout(cleaned)
        if reread != cleaned:
            return _clean(reread)
    return cleaned


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_THAI_DIGITS).translate(_FULLWIDTH_DIGITS)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = fix_keyboard_layout(text).lower()
    text = text.translate(_THAI_DIGITS)  # the Thai layout's shifted keys type Thai digits
    if _THAI_CHAR.search(text):
        text = pythainlp_normalize(text)
    text = _THAI_LETTER_RUN.sub(r"\1", text)
    text = _LATIN_LETTER_RUN.sub(r"\1\1", text)
    text = _MAI_YAMOK_RUN.sub("ๆ", text)
    text = _LAUGHTER.sub("555", text)
    return _SPACES.sub(" ", text).strip()


def fix_keyboard_layout(text: str) -> str:
    """Text typed on the English layout while meaning Thai (`l;ylfu` for สวัสดี) is
    re-read through the Kedmanee layout, but only when the result is clearly Thai words."""
    if _THAI_CHAR.search(text) or len(_LATIN_LETTER.findall(text)) < 3:
        return text
    if not _LAYOUT_TELL.search(text):
        return text  # "clo" reads as แสน, but nothing says it was meant as Thai
    # Shifted keys make upper case meaningful, so read as typed first; then lower case, so
    # that "CLO" and "clo" are decided alike (normalising twice changes nothing).
    for reading in (text, text.lower()):
        candidate = eng_to_thai(reading)
        if _thai_word_coverage(candidate) >= 0.8:
            return candidate
    return text


def _thai_word_coverage(text: str) -> float:
    """Share of the Thai characters that fall inside dictionary words of two or more letters."""
    words = dictionary_words()
    thai_chars = covered = 0
    for token in tokenize(text):
        size = len(_THAI_CHAR.findall(token))
        thai_chars += size
        if size >= 2 and token in words:
            covered += size
    return covered / thai_chars if thai_chars else 0.0
