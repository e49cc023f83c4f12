"""Scenario names to folder names that always stay inside the batch's output folder."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["folder_names", "safe_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._=+-]+")
_MAX = 80
# Windows device names are refused even with an extension (CON.txt).
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def safe_name(name: str) -> str:
    """One path component made of ``A-Za-z0-9._=+-`` from any scenario name.

    Separators, ``..``, control and odd characters become ``_``; accents are dropped;
    leading dots are removed (no hidden or relative folders); an empty result is
    ``scenario``.

    >>> safe_name("../../etc/passwd")
    'etc_passwd'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\.{2,}", "_", text).strip("._-")
    text = re.sub(r"_{2,}", "_", text)[:_MAX].rstrip("._-")
    if not text:
        return "scenario"
    if text.split(".")[0].lower() in _RESERVED:
        text = "_" + text
    return text


def folder_names(names: list[str]) -> list[str]:
    """:func:`safe_name` of each name, made unique case-insensitively (``-2``, ``-3``)."""
    seen: set[str] = set()
    out = []
    for name in names:
        base = safe_name(name)
        folder, n = base, 1
        while folder.lower() in seen:
            n += 1
            folder = f"{base}-{n}"
        seen.add(folder.lower())
        out.append(folder)
    return out
