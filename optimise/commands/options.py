"""Commands whose options are one frozen dataclass: ``def handler(args: EstateArgs)``.

Typer reads a command's options from its callback's signature (``inspect.signature``,
which honours ``__signature__``). :func:`command` gives Typer a callback whose
signature is the dataclass's fields, in order (each ``Annotated[T, typer.Option(...)]``
with its default), and calls the handler with one instance of the dataclass; so a
command with twenty options takes one parameter, and the command line is the one the
fields declare (names, defaults, help, callbacks).

>>> @dataclass(frozen=True)
... class HelloArgs:
...     name: Annotated[str, typer.Option("--name", help="Who.")] = "world"
>>> @command(app, HelloArgs)
... def hello(args: HelloArgs) -> None:
...     '''Say hello.'''
...     console.print(f"hello {args.name}")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    import typer

__all__ = ["command"]

Args = TypeVar("Args")


def command(
    group: typer.Typer, args: type[Args], name: str | None = None, **settings: Any
) -> Callable[[Callable[[Args], Any]], Callable[[Args], Any]]:
    """Register ``handler(args)`` on ``group`` as the command ``name`` (default: the
    handler's name), its options the fields of the dataclass ``args``; ``settings``
    go to ``group.command`` (``epilog=...``). The handler is returned unchanged."""

    def register(handler: Callable[[Args], Any]) -> Callable[[Args], Any]:
        @functools.wraps(handler)
        def callback(**values: Any) -> Any:
            return handler(args(**values))

        signature = signature_of(args)
        del callback.__wrapped__  # Typer reads the fields, not the handler's ``args``
        callback.__signature__ = signature  # type: ignore[attr-defined]
        callback.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        group.command(name, **settings)(callback)
        return handler

    return register


def signature_of(args: type) -> inspect.Signature:
    """The dataclass ``args``'s fields as keyword parameters, annotations resolved."""
    hints = typing.get_type_hints(args, include_extras=True)
    empty = inspect.Parameter.empty
    return inspect.Signature(
        [
            inspect.Parameter(
                field.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=empty if field.default is dataclasses.MISSING else field.default,
                annotation=hints[field.name],
            )
            for field in dataclasses.fields(args)
        ]
    )
