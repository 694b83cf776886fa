"""Library text in two languages: churn.text (msg / localize) and its Korean catalogue."""

from __future__ import annotations

import ast
import copy
import string
from pathlib import Path

import pytest

from churn.errors import ChurnDataError
from churn.text import Text, catalogue, error_text, localize, msg

CHURN = Path(__file__).resolve().parent.parent / "churn"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _msg_calls() -> list[tuple[str, int, ast.Call]]:
    calls = []
    for path in sorted(CHURN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "msg":
                calls.append((path.name, node.lineno, node))
    return calls


def test_msg_is_english_text_that_remembers_its_template():
    t = msg("column '{column}' has {n:,} empty cells.", column="fee", n=1234)
    assert t == "column 'fee' has 1,234 empty cells."
    assert isinstance(t, str) and t.template.startswith("column '{column}'")
    assert t.params == {"column": "fee", "n": 1234}
    back = copy.deepcopy(t)  # the same __reduce__ that Streamlit's pickling cache uses
    assert isinstance(back, Text) and back == t and back.params == t.params


def test_localize_uses_the_catalogue_and_falls_back_to_english(monkeypatch):
    fake = {"{n:,} rows read.": "{n:,}행을 읽었습니다.", "outer {inner}": "바깥 {inner}"}
    monkeypatch.setattr("churn.text.catalogue", lambda lang: fake)
    assert localize(msg("{n:,} rows read.", n=12000), "ko") == "12,000행을 읽었습니다."
    assert localize(msg("{n:,} rows read.", n=12000), "en") == "12,000 rows read."
    assert localize(msg("not translated {x}", x=1), "ko") == "not translated 1"
    assert localize("plain text", "ko") == "plain text"
    nested = msg("outer {inner}", inner=msg("{n:,} rows read.", n=5))
    assert localize(nested, "ko") == "바깥 5행을 읽었습니다."


def test_error_text_frames_column_problem_and_fix_in_korean(monkeypatch):
    fake = {"has no dates.": "날짜가 없습니다.", "pick a date column.": "날짜 열을 고르세요."}
    monkeypatch.setattr("churn.text.catalogue", lambda lang: fake)
    exc = ChurnDataError(msg("has no dates."), fix=msg("pick a date column."), column="가입일")
    assert str(exc) == "Column '가입일': has no dates. Fix: pick a date column."
    assert error_text(exc, "en") == str(exc)
    assert error_text(exc, "ko") == "'가입일' 열: 날짜가 없습니다. 해결 방법: 날짜 열을 고르세요."
    assert error_text(ValueError("boom"), "ko") == "boom"


def test_every_library_sentence_is_a_literal_template_translated_to_korean():
    ko = catalogue("ko")
    missing, bad = [], []
    for name, line, call in _msg_calls():
        if name == "text.py":
            continue
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            bad.append(f"{name}:{line}: the template must be a string literal")
            continue
        template = first.value
        keywords = {k.arg for k in call.keywords}
        if _fields(template) != keywords:
            bad.append(f"{name}:{line}: placeholders {_fields(template)} != values {keywords}")
        if template not in ko:
            missing.append(f"{name}:{line}: {template!r}")
        elif _fields(ko[template]) != _fields(template):
            bad.append(f"{name}:{line}: the Korean text has other placeholders")
    assert not bad, "\n".join(bad)
    assert not missing, "no Korean text for:\n" + "\n".join(missing)


def _translatable(node: ast.AST) -> bool:
    """msg(...), None, or a conditional expression whose branches are those."""
    if isinstance(node, ast.IfExp):
        return _translatable(node.body) and _translatable(node.orelse)
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "msg"


def test_every_error_the_library_raises_is_translatable():
    """Each ChurnDataError(...) in churn/ builds its problem and fix with msg()."""
    plain = []
    for path in sorted(CHURN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ChurnDataError"
            ):
                continue
            parts = list(node.args[:2]) + [
                k.value for k in node.keywords if k.arg in ("problem", "fix")
            ]
            for part in parts:
                if not _translatable(part):
                    plain.append(f"{path.name}:{node.lineno}")
    assert not plain, "errors not built with msg():\n" + "\n".join(sorted(set(plain)))


@pytest.mark.parametrize("path", sorted((CHURN / "locales").rglob("*.json")), ids=lambda p: p.name)
def test_catalogue_files_are_flat_text_maps(path):
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data and all(isinstance(k, str) and isinstance(v, str) and v for k, v in data.items())


def test_catalogue_files_agree_where_they_share_a_sentence():
    import json

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    # the sentence catalogues (locales/<lang>/*.json), not the keyed tables in tables/
    for path in sorted((CHURN / "locales").glob("*/*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            where = f"{path.parent.name}/{path.name}"
            if (
                key in seen
                and seen[key][1] != text
                and seen[key][0].split("/")[0] == where.split("/")[0]
            ):
                clashes.append(f"{key!r}: {seen[key][0]} and {where} differ")
            seen.setdefault(key, (where, text))
    assert not clashes, "\n".join(clashes)
