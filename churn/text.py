"""Text the library writes for people, in English, that the app can show in Korean.

The library speaks English (the command line and its JSON stay English). Wherever it
writes a sentence a user will read (an error, a note on how a table was built, a
conversion the reader made, a split description), it builds it with :func:`msg`::

    raise ChurnDataError(
        msg("column '{column}' has no dates.", column=col),
        fix=msg("pick a date column."),
    )

``msg`` returns a :class:`Text`: a ``str`` holding the English sentence that also
remembers its template and values. :func:`localize` turns it into another language with
the catalogue ``churn/locales/<lang>/*.json`` (English template -> translated template,
same ``{placeholders}``); text without a translation stays English rather than failing.
Values that are themselves :class:`Text` are translated too.

Words that are looked up by a key rather than by their English sentence (the report's
texts and headers, the reason templates, number and date formats) are *keyed tables*:
:func:`table` reads ``churn/locales/<lang>/tables/<name>.json`` (same keys in every
language; English is the reference), and :class:`TableSet` shows one table in every
language as a mapping ``lang -> table``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from churn.languages import LANGUAGES, SOURCE_LANGUAGE, locale_dir, table_path
from churn.languages import LOCALES as LOCALES  # the folder, still public here


class Text(str):
    """An English sentence that remembers how it was made (``template`` and ``params``)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        obj = super().__new__(cls, template.format(**params) if params else template)
        obj.template = template
        obj.params = params
        return obj

    def __reduce__(self):  # pickling (Streamlit's caches) keeps the template
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)


def msg(template: str, **params: Any) -> Text:
    """The English sentence ``template.format(**params)``, translatable by :func:`localize`.

    The template is the catalogue key: write it as a literal, with named placeholders.
    """
    return Text(template, **params)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """English template -> template in ``lang`` (every JSON file of ``locales/<lang>``)."""
    out: dict[str, str] = {}
    folder = locale_dir(lang)
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            out.update(json.loads(path.read_text(encoding="utf-8")))
    return out


def localize(text: Any, lang: str) -> str:
    """``text`` in ``lang`` when it is a :class:`Text` with a translation; else as it is."""
    if not isinstance(text, Text) or lang == SOURCE_LANGUAGE:
        return str(text)
    translated = catalogue(lang).get(text.template)
    if translated is None:
        return str(text)
    params = {k: localize(v, lang) if isinstance(v, Text) else v for k, v in text.params.items()}
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the text
        return str(text)


@cache
def table(lang: str, name: str) -> Mapping[str, str]:
    """The keyed table ``name`` in ``lang`` (``churn/locales/<lang>/tables/<name>.json``).

    Read once and cached; read-only. A language without the file gets the English table
    (``{}`` when English has none either: the code's own English defaults apply).
    """
    path = table_path(lang, name)
    if path.is_file():
        return MappingProxyType(json.loads(path.read_text(encoding="utf-8")))
    return table(SOURCE_LANGUAGE, name) if lang != SOURCE_LANGUAGE else MappingProxyType({})


class TableSet(Mapping[str, Mapping[str, str]]):
    """One keyed table in every language of :data:`churn.languages.LANGUAGES`:
    ``TableSet("report_text")["ko"]`` is :func:`table` ``("ko", "report_text")``.

    Nothing is read until a language is looked up.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return table(lang, self.name)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __repr__(self) -> str:
        return f"TableSet({self.name!r})"


def error_text(exc: BaseException, lang: str) -> str:
    """A ``ChurnDataError`` (or any exception) as one message in ``lang``.

    The column, the problem and the fix are framed by the keyed table ``errors``.
    """
    problem = getattr(exc, "problem", None)
    if problem is None or lang == SOURCE_LANGUAGE:
        return str(exc)
    column, fix = getattr(exc, "column", None), getattr(exc, "fix", None)
    frames = table(lang, "errors")
    with_column, with_fix = frames["with_column"], frames["with_fix"]
    text = localize(problem, lang)
    if column is not None and f"'{column}'" not in str(problem):
        text = with_column.format(column=column, problem=text)
    if fix:
        text = with_fix.format(text=text, fix=localize(fix, lang))
    return text


# --------------------------------------------------------------------------------------
# JSON form (how text crosses a process boundary without pickle: churn.contain)
# --------------------------------------------------------------------------------------

#: Types besides Text that :func:`to_json` may meet, by name: each has ``to_json()`` and
#: a ``from_json(data)`` classmethod (registered with :func:`json_type`).
_JSON_TYPES: dict[str, type] = {}


def json_type(cls: type) -> type:
    """Class decorator: let :func:`to_json` / :func:`from_json` carry ``cls`` by name."""
    _JSON_TYPES[cls.__name__] = cls
    return cls


def to_json(value: Any) -> Any:
    """``value`` as JSON data that :func:`from_json` turns back into an equal value.

    :class:`Text` keeps its template and values (also when nested), so the other side can
    still translate it; tuples stay tuples and dict keys keep their type. Numpy scalars
    become Python numbers. Anything else is carried as its ``str`` (a safe, lossy form).
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, Text):
        return {"$text": str(value), "template": value.template, "params": to_json(value.params)}
    kind = type(value).__name__
    if _JSON_TYPES.get(kind) is type(value):
        return {"$type": kind, "data": value.to_json()}
    if isinstance(value, tuple | list):
        items = [to_json(v) for v in value]
        return {"$tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {"$dict": [[to_json(k), to_json(v)] for k, v in value.items()]}
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and getattr(value, "shape", None) == ():
        plain = item()
        if plain is None or type(plain) in (bool, int, float, str):
            return plain
    for plain_type in (str, bool, int, float):  # subclasses (an enum, a plain note)
        if isinstance(value, plain_type):
            return plain_type(value)
    return str(value)


def from_json(data: Any) -> Any:
    """The value :func:`to_json` wrote (only Text and registered types are rebuilt)."""
    if isinstance(data, list):
        return [from_json(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$text" in data:
        # The English sentence as it was written: no re-formatting, so it is exact even
        # when a value was carried as its str.
        obj = str.__new__(Text, data["$text"])
        obj.template = data["template"]
        obj.params = from_json(data["params"])
        return obj
    if "$tuple" in data:
        return tuple(from_json(v) for v in data["$tuple"])
    if "$dict" in data:
        return {from_json(k): from_json(v) for k, v in data["$dict"]}
    if "$type" in data:
        return _JSON_TYPES[data["$type"]].from_json(data["data"])
    raise ValueError(f"not a churn.text JSON value: {sorted(data)[:5]}")
