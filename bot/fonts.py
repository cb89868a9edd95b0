"""The Thai font shipped with the install (PyPI `fontpkg-sarabun`, SIL Open Font Licence)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def sarabun(weight: str = "Regular") -> bytes:
    return (resources.files("fontpkg_sarabun") / "files" / f"Sarabun-{weight}.ttf").read_bytes()
