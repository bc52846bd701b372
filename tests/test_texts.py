"""Every text the bot builds shows what was typed as it was typed: each `str` argument of a
function in bot/shared/texts/ (every module of it) is what someone typed and comes out literally in
Telegram's HTML (no link, no broken message, no `&lt;`), and a plain text (a button's label) is
never escaped."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from bot.shared import texts
from bot.shared.texts.common import TherapistNames
from emulator.htmltext import parse_html

MARKUP = '<b>x</b> & <a href="http://evil">y</a> pain <5'
MADE_BY_THE_BOT = texts.Html("Wed 25 Nov, 21:00–08:00")


def _modules() -> list[types.ModuleType]:
    """Every module of the package, so that no text escapes the checks below."""
    return [
        importlib.import_module(f"{texts.__name__}.{info.name}")
        for info in pkgutil.iter_modules(texts.__path__)
    ]


def _functions() -> list[Callable[..., Any]]:
    return [
        member
        for module in _modules()
        for name, member in vars(module).items()
        if inspect.isfunction(member)
        and member.__module__ == module.__name__
        and not name.startswith("_")
    ]


def test_every_text_is_there_as_texts_dot_its_name() -> None:
    """Callers write `texts.X`: each module's public names are re-exported by the package."""
    assert len(_modules()) > 10
    for module in _modules():
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.FunctionDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            else:
                continue  # an import (`date`, `fit`, …) is not a text of this module
            for name in names:
                if not name.startswith("_"):
                    member = getattr(module, name)
                    assert getattr(texts, name, None) is member, f"texts.{name} ({module.__name__})"


def _choices(hint: Any) -> list[Any]:
    """The values to try for a parameter of this type: every branch a flag or a code opens."""
    if hint is str:
        return [MARKUP]
    if hint is texts.Html:
        return [MADE_BY_THE_BOT]
    if hint is bool:
        return [True, False]
    if hint is int:
        return [3]
    if hint is date:
        return [date(2026, 11, 25)]
    if hint is TherapistNames:  # a therapist's row: names they typed
        return [SimpleNamespace(display_name=MARKUP, letterhead_name=MARKUP)]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return list(args)
    if origin is list:
        return [[value] for value in _choices(args[0])]
    if origin is tuple:  # a fixed tuple: each place's first example
        return [tuple(_choices(arg)[0] for arg in args)]
    if origin in (types.UnionType, typing.Union):
        return [value for arg in args for value in ([None] if arg is type(None) else _choices(arg))]
    raise AssertionError(f"no example for {hint!r}: give the parameter a type the test knows")


def _calls(function: Callable[..., Any]) -> Iterator[tuple[dict[str, Any], Any]]:
    hints = typing.get_type_hints(function)
    names = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty or p.annotation == "bool"
    ]
    for values in itertools.product(*(_choices(hints[name]) for name in names)):
        arguments = dict(zip(names, values, strict=True))
        yield arguments, function(**arguments)


@pytest.mark.parametrize(
    "function", _functions(), ids=lambda f: f"{f.__module__.rsplit('.', 1)[-1]}.{f.__name__}"
)
def test_what_was_typed_comes_out_as_typed(function: Callable[..., Any]) -> None:
    plain = typing.get_type_hints(function).get("return") is texts.Plain
    for arguments, result in _calls(function):
        for text in result if isinstance(result, list) else [result]:
            assert isinstance(text, str)
            if plain:  # shown as it is: escaping would show "&lt;" on the button
                assert "&lt;" not in text and "&amp;" not in text, (arguments, text)
                continue
            shown = parse_html(text)  # raises as Telegram refuses: "can't parse entities"
            assert not [e for e in shown.entities if e["type"] == "text_link"], (arguments, text)
            assert "&lt;" not in shown.text and "&amp;" not in shown.text, (arguments, text)
