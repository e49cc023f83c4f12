"""What every page's POST handler shares: the posted form with its CSRF token checked,
the refusal when it is missing, and the form's values checked as numbers and choices
(one line, InputError, shown on the page)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException
from fastapi.responses import PlainTextResponse

from geodata.errors import InputError
from optimise.app.context import ctx
from optimise.app.security import BodyTooLarge, csrf_ok

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["form", "number", "one_of", "refused", "small_form", "whole"]


async def form(request: Request) -> Any:
    """The posted form, or None when its CSRF token is missing or wrong (a body over
    the cap raises BodyTooLarge)."""
    posted = await request.form(max_files=1, max_fields=200)
    return posted if csrf_ok(posted, ctx(request).csrf) else None


async def small_form(request: Request) -> Any:
    """:func:`form` for the forms without a file (a body over the cap: 413)."""
    try:
        return await form(request)
    except BodyTooLarge:
        raise HTTPException(413, "the form is too large") from None


def refused() -> Response:
    return PlainTextResponse("403: the form's CSRF token is missing or wrong; reload the page",
                             status_code=403)  # fmt: skip


def number(values: Mapping[str, Any], name: str, label: str, low: float, high: float):
    """The form's number ``name`` (None when left empty), finite and in [low, high]."""
    text = str(values.get(name, "")).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(
            f"{label}: expected a number from {low:g} to {high:g}, found {text[:40]!r}"
        )
    return value


def whole(values: Mapping[str, Any], name: str, label: str, low: int, high: int) -> int | None:
    """:func:`number`, a whole one."""
    value = number(values, name, label, low, high)
    if value is not None and value != int(value):
        raise InputError(f"{label}: expected a whole number, found {values.get(name)!r}")
    return None if value is None else int(value)


def one_of(values: Mapping[str, Any], name: str, label: str, options: tuple) -> str:
    """The form's choice ``name`` (the first option when left out), one of ``options``."""
    value = str(values.get(name, options[0][0]))
    if value not in dict(options):
        keys = ", ".join(dict(options))
        raise InputError(f"{label}: expected one of {keys}, found {value[:20]!r}")
    return value
