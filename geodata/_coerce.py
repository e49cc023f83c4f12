"""Convert one cell of a user's file to a schema field's type, or say why not.

Used by :func:`geodata.validate.validate`; each converter raises :class:`BadValue`
with what was expected and what to do, and the caller turns it into a
:class:`~geodata.errors.Problem` naming the file, row and column.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from geodata.timefmt import format_time, parse_days, parse_hours, parse_time

if TYPE_CHECKING:
    from geodata.schema import Field

__all__ = ["BadValue", "coerce", "describe", "is_empty", "printable"]

#: Cells that mean "no value" in a number, flag, time or choice column.
_EMPTY = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "#n/a"})
#: Largest whole number a float holds exactly (int columns go through float).
_MAX_WHOLE = 2**53
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class BadValue(Exception):
    """A cell that cannot be converted (internal: becomes a Problem)."""

    def __init__(self, expected: str, hint: str):
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


def is_empty(value: object, *, loose: bool = True) -> bool:
    """True for None, NaN and blank text (and NA-like text when ``loose``)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        text = value.strip()
        return text.lower() in _EMPTY if loose else not text
    try:  # pandas.NA, NaT and numpy NaN scalars
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (none reach the terminal)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def describe(value: object) -> str:
    """A short, quoted rendering of a cell for a message."""
    text = printable(str(value))
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def coerce(value: object, field: Field, *, decimal: str = ".") -> object:
    """Convert ``value`` to ``field``'s type; None when empty (caller fills defaults).

    ``decimal`` is the file's decimal mark: ``"."``, ``","`` (a semicolon CSV written
    with decimal commas: ``18000,0``, ``1.234,5``) or ``"?"`` (a semicolon CSV
    without them); see :func:`_plain`.
    """
    if is_empty(value, loose=field.type != "str"):
        return None
    kind = field.type
    if kind == "str":
        return _text(value)
    if kind in ("int", "float"):
        number = _number(value, whole=kind == "int", decimal=decimal)
        _check_range(number, field)
        return number
    if kind == "bool":
        return _bool(value)
    if kind == "enum":
        return _enum(value, field.choices)
    if kind == "time":
        return _time(value)
    if kind == "hours":
        return _hours(value)
    if kind == "days":
        return _days(value)
    raise BadValue(f"a field type the engine knows (not '{kind}')", "fix the schema")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 108320.0 from a spreadsheet is the id 108320
    return str(value).strip()


def _number(value: object, *, whole: bool, decimal: str = ".") -> int | float:
    expected = "a whole number" if whole else "a number"
    if isinstance(value, bool):
        raise BadValue(expected, "use a number, not true/false")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("£", "").replace(" ", "").replace("\u00a0", "")
        text = _plain(text, decimal)
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            number = float(text) * scale
        except ValueError:
            raise BadValue(expected, "write digits only, e.g. 1200 or 0.85") from None
    if not math.isfinite(number):
        raise BadValue(f"{expected} (finite)", "write digits only, e.g. 1200 or 0.85")
    if whole:
        if not number.is_integer():
            raise BadValue(expected, "round it to a whole number")
        if abs(number) > _MAX_WHOLE:
            raise BadValue(f"{expected} below {_MAX_WHOLE:.0e}", "check the value")
        return int(number)
    return number


_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?%?")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?%?")
_ONE_DOT_GROUP = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}%?")


def _plain(text: str, decimal: str) -> str:
    """A number's text with a dot as the decimal mark and no thousands separators.

    ``decimal="."`` (comma-separated files): a comma only groups thousands, in threes
    (``1,234.5``). ``","`` (a semicolon CSV with decimal commas): the comma is the
    decimal mark and a dot only groups thousands (``1.234,5``). ``"?"`` (a semicolon
    CSV without them): a dot is a decimal mark. In a semicolon CSV ``1.234`` could be
    either and is refused; so is anything else that would be a guess.
    """
    if decimal == ".":
        if "," not in text:
            return text
        if _COMMA_GROUPS.fullmatch(text):
            return text.replace(",", "")
        raise BadValue(
            "a number with a dot as the decimal mark",
            "write e.g. 18000.0 or 18,000.5; a semicolon CSV may use decimal commas",
        )
    if _DOT_GROUPS.fullmatch(text) and (text.count(".") > 1 or "," in text):
        return text.replace(".", "").replace(",", ".")
    if _ONE_DOT_GROUP.fullmatch(text):
        raise BadValue(
            "a number whose dot is plainly a decimal mark or plainly groups thousands "
            "(in a semicolon CSV, 1.234 could be either)",
            f"write {text.replace('.', '')} for a thousand or more, or "
            f"{text.replace('.', ',')} for a decimal",
        )
    if "," in text and (decimal != "," or "." in text or text.count(",") > 1):
        raise BadValue(
            "a number with one decimal mark, as in the rest of the file",
            "write e.g. 18000,5 or 18.000,5 (or 18000.5 throughout the file)",
        )
    return text.replace(",", ".")


def _check_range(number: float, field: Field) -> None:
    if field.min is not None and number < field.min:
        raise BadValue(f"a value of at least {field.min:g}", "correct it or leave it empty")
    if field.max is not None and number > field.max:
        hint = "write shares as fractions, e.g. 0.85 for 85%" if field.max == 1 else "correct it"
        raise BadValue(f"a value of at most {field.max:g}", hint)


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("yes or no", "write yes/no, true/false, y/n or 1/0")


def _enum(value: object, choices: tuple[str, ...]) -> str:
    def norm(text: str) -> str:
        return re.sub(r"[\s_-]+", "-", text.strip().lower())

    wanted = norm(_text(value))
    for choice in choices:
        if norm(choice) == wanted:
            return choice
    raise BadValue("one of " + ", ".join(choices), "use one of the listed values")


def _time(value: object) -> str:
    try:
        return format_time(parse_time(_text(value)))
    except ValueError as exc:
        raise BadValue(_expected(exc), "write a 24-hour clock time, e.g. 08:45") from None


def _hours(value: object) -> str:
    try:
        spans = parse_hours(_text(value))
    except ValueError as exc:
        raise BadValue(
            _expected(exc), "write e.g. 09:00-17:00, or 09:00-12:30,13:30-17:00; empty for closed"
        ) from None
    return ",".join(f"{format_time(a)}-{format_time(b)}" for a, b in spans)


def _days(value: object) -> str:
    """Weekdays as written (checked: the reader parses them again), e.g. ``Mon-Fri``."""
    text = _text(value)
    try:
        parse_days(text)
    except ValueError as exc:
        raise BadValue(_expected(exc), "write e.g. Mon-Fri, or Mon, Wed, Fri") from None
    return text


def _expected(exc: ValueError) -> str:
    """The 'expected' part of a geodata.timefmt message ('X, found Y')."""
    return str(exc).split(", found ")[0]
