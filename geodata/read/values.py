"""The team's own words in flag and choice columns: ``[values.KIND.FIELD]`` tables.

A config file maps a file's cell text onto the engine's values before validation::

    [columns.stops]
    unsafe = "Safety"            # the file's column
    [values.stops.unsafe]
    Unsafe = true                # the file's words → the engine's value
    Safe = false

Matching ignores case and surrounding spaces. A mapping for a field is the whole
vocabulary of that column: a non-empty cell with another word is a bad row (never
guessed), so an inverted flag maps without editing the file and cannot be misread.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from geodata.errors import InputError, Problem
from geodata.schema import SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geodata.read._records import Parsed

__all__ = ["check_value_tables", "map_values"]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_value_tables(table: object, source: str) -> dict[str, dict[str, dict[str, str]]]:
    """A config's ``[values]`` table, checked: ``{kind: {field: {word: value}}}``."""

    def bad(where: str, expected: str, found: object) -> InputError:
        return InputError(f"{source}: [values{where}]: expected {expected}, found {found!r}")

    if not isinstance(table, dict):
        raise bad("", "tables [values.KIND.FIELD] of WORD = VALUE", table)
    out: dict[str, dict[str, dict[str, str]]] = {}
    for kind, fields in table.items():
        if kind not in SCHEMAS:
            raise bad(f".{kind}", f"a kind ({', '.join(SCHEMAS)})", kind)
        if not isinstance(fields, dict):
            raise bad(f".{kind}", "tables [values.KIND.FIELD]", fields)
        for name, words in fields.items():
            if name not in SCHEMAS[kind].names:
                known = ", ".join(SCHEMAS[kind].names)
                raise bad(f".{kind}.{name}", f"a field of {kind} ({known})", name)
            if not isinstance(words, dict) or not words:
                raise bad(f".{kind}.{name}", "WORD = VALUE lines, e.g. Unsafe = true", words)
            for word, value in words.items():
                if not isinstance(value, str | bool | int | float):
                    raise bad(f".{kind}.{name}", f"a value for '{word}'", value)
            out.setdefault(kind, {})[name] = {str(w).strip().lower(): _text(v)
                                              for w, v in words.items()}  # fmt: skip
    return out


def map_values(parsed: Parsed, mapping: Mapping[str, Mapping[str, str]] | None) -> Parsed:
    """``parsed`` with each mapped field's words replaced by the engine's values."""
    if not mapping:
        return parsed
    frame, problems = parsed.frame.copy(), list(parsed.problems)
    for name, words in mapping.items():
        if name not in frame.columns:
            continue
        out: list[str] = []
        for row, cell in zip(frame.index, frame[name], strict=True):
            text = "" if cell is None else str(cell).strip()
            if not text:
                out.append(text)
            elif text.lower() in words:
                out.append(words[text.lower()])
            else:  # the row is bad: its cell left empty so it is reported once
                out.append("")
                label = str(parsed.names.get(name, name))
                expected = f"one of {', '.join(repr(w) for w in words)} (the [values] mapping)"
                hint = "add the word to the mapping or correct the cell"
                problems.append(
                    Problem(parsed.source, int(row), label, expected, f"'{text}'", hint)
                )
        frame[name] = out
    return replace(parsed, frame=frame, problems=tuple(problems))
