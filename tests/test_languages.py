"""Languages declared once (churn.languages); every sentence in locale files; one formatter.

(a) no Hangul in the Python of churn/ and ui/ outside docstrings and comments, except where
    the library *recognises* Korean input or writes the Korean sample data;
(b) every language of LANGUAGES has every keyed table, the app's strings, the sentence
    catalogue and the playbook's columns, with English's keys and placeholders;
(c) the Korean report, reasons and formats read exactly as before the move to locale files.
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from churn import formatting as F
from churn import report as R
from churn.errors import ValidationIssue
from churn.explain import PLAYBOOK_COLUMNS, reason_text
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES, SOURCE_LANGUAGE, norm_lang
from churn.text import TableSet, catalogue, table
from tests.conftest import ROOT, SAMPLE_DIR
from tests.test_text import _msg_calls

HANGUL = re.compile("[\uac00-\ud7a3]")
TABLES = ROOT / "churn" / "locales"
UI_LOCALES = ROOT / "ui" / "locales"

#: Where Hangul may stay in code: the library *reads* Korean (column names, yes/no words,
#: dates, amounts) or *generates* the Korean sample. Whole files, or only named module-level
#: constants. Never text the library or the app shows: that goes to the locale files.
INPUT_VOCABULARY: dict[str, set[str] | None] = {
    "churn/io/": None,  # Korean dates, AM/PM, currency words, "none" words, legend sheets
    "churn/roles/": None,  # Korean column names and label values that propose roles
    "churn/sample/": None,  # the generator of the Korean sample workbook
    "churn/segments/signs.py": None,  # Korean names of warning-sign columns
    "churn/whatif/linked.py": None,  # Korean names of linked columns
    "churn/whatif/space.py": None,  # Korean names of actionable / fixed columns
    "churn/whatif/kinds.py": {"KIND_NAME_PATTERNS", "KIND_VALUE_PATTERNS"},  # Korean kinds
    "churn/model/monotone.py": {"_ACTIVITY", "_DROP"},  # Korean activity / "drop" names
    "churn/shapes/helpers.py": None,  # "2024년 3월 1일" dates
    "churn/metrics/helpers.py": None,  # Korean payment-failure reasons
    "churn/explain/at_risk.py": {"_PLAN_LIKE"},  # Korean plan column names
    "churn/explain/wording.py": {"_YES"},  # Korean yes-words in the data
    "churn/languages.py": {"LANGUAGES"},  # each language named in itself
}

#: Keyed tables whose English lives in code: the chart builders' own labels.
ENGLISH_IN_CODE = {"report_chart_labels"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _allowed(rel: str) -> set[str] | None | bool:
    """None: the whole file may hold Hangul; a set: those constants; False: none."""
    for where, names in INPUT_VOCABULARY.items():
        if rel == where or (where.endswith("/") and rel.startswith(where)):
            return names
    return False


def _hangul_strings(path: Path, allowed: set[str]) -> list[tuple[int, str]]:
    """(line, text) of every string literal with Hangul that is not a docstring and not in a
    module-level assignment to a name of ``allowed``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }
    found = []
    for stmt in tree.body:
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            targets = [stmt.target.id]
        if set(targets) & allowed:
            continue
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and HANGUL.search(node.value)
            ):
                found.append((node.lineno, node.value))
    return found


# ------------------------------------------------------------------------ (a) no Hangul
def test_no_korean_text_in_the_python_of_churn_and_ui():
    bad = []
    for top in ("churn", "ui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            allowed = _allowed(rel)
            if allowed is None:
                continue
            for line, text in _hangul_strings(path, allowed or set()):
                bad.append(f"{rel}:{line}: {text[:60]!r}")
    assert not bad, "Korean text belongs in churn/locales or ui/locales:\n" + "\n".join(bad)


def test_the_hangul_scan_finds_a_korean_sentence(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        '"""모듈 설명."""\n'
        'OK = ("예", "네")\n'
        "def f(x):\n"
        '    """설명."""\n'
        "    # 주석\n"
        '    return f"{x} 해결 방법"\n',
        encoding="utf-8",
    )
    assert _hangul_strings(src, {"OK"}) == [(6, " 해결 방법")]
    assert [line for line, _ in _hangul_strings(src, set())] == [2, 2, 6]


# ------------------------------------------------------------ (b) every language complete
def test_languages_are_declared_once():
    assert DEFAULT_LANGUAGE in LANGUAGES and SOURCE_LANGUAGE in LANGUAGES
    assert all(isinstance(name, str) and name for name in LANGUAGES.values())
    assert norm_lang("ko") == "ko" and norm_lang("xx") == DEFAULT_LANGUAGE
    assert norm_lang(None) == DEFAULT_LANGUAGE and norm_lang(["ko"]) == DEFAULT_LANGUAGE
    from churn.explain import LANGS as explain_langs
    from ui import i18n

    assert R.LANGS == explain_langs == tuple(LANGUAGES)
    assert i18n.LANGUAGES is LANGUAGES and i18n.DEFAULT_LANG == DEFAULT_LANGUAGE


def _table_names(lang: str) -> set[str]:
    return {p.stem for p in (TABLES / lang / "tables").glob("*.json")}


def _read(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_keyed_table_has_englishs_keys_and_placeholders(lang):
    english = _table_names(SOURCE_LANGUAGE)
    assert english, "no keyed tables in churn/locales/en/tables"
    names = _table_names(lang)
    if lang == SOURCE_LANGUAGE:
        assert not names & ENGLISH_IN_CODE
        return
    assert names == english | ENGLISH_IN_CODE, f"{lang}: tables differ from English's"
    for name in sorted(english):
        ref = _read(TABLES / SOURCE_LANGUAGE / "tables" / f"{name}.json")
        got = _read(TABLES / lang / "tables" / f"{name}.json")
        assert got.keys() == ref.keys(), f"{lang}/{name}: other keys than English"
        for key, text in ref.items():
            assert got[key].strip(), f"{lang}/{name}: {key} is empty"
            assert _fields(got[key]) == _fields(text), f"{lang}/{name}: {key} placeholders"


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != SOURCE_LANGUAGE])
def test_chart_labels_name_only_what_the_chart_builders_label(lang):
    import churn.charts.model as cm
    import churn.charts.over_time as co

    known = set(co.DEFAULT_LABELS) | set(cm.DEFAULT_LABELS)
    labels = R.chart_labels(lang)
    assert labels and set(labels) <= known
    assert R.chart_labels(SOURCE_LANGUAGE) is None  # English: the builders' own labels


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_app_strings_and_the_library_sentences_exist_in_every_language(lang):
    ref = {p.name: _read(p) for p in sorted((UI_LOCALES / SOURCE_LANGUAGE).glob("*.json"))}
    got = {p.name: _read(p) for p in sorted((UI_LOCALES / lang).glob("*.json"))}
    assert got.keys() == ref.keys(), f"ui/locales/{lang}: other files than English"
    for name, strings in ref.items():
        assert got[name].keys() == strings.keys(), f"ui/locales/{lang}/{name}: other keys"
    if lang != SOURCE_LANGUAGE:  # every msg() template of the library is translated
        templates = {c.args[0].value for name, _, c in _msg_calls() if name != "text.py"}
        assert templates <= catalogue(lang).keys()


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_default_playbook_has_the_actions_in_every_language(lang):
    rows = pd.read_csv(ROOT / "churn" / "playbook.csv", dtype=str, keep_default_na=False)
    for col in (f"action_{lang}", f"why_{lang}"):
        assert col in PLAYBOOK_COLUMNS and (rows[col].str.strip() != "").all(), col


def test_cli_languages_come_from_languages():
    from churn.cli import build_parser

    parser = build_parser()
    for lang in LANGUAGES:
        assert parser.parse_args(["report", "f.csv", "-o", "r.html", "--lang", lang]).lang == lang
        args = parser.parse_args(["explain", "f.csv", "--customer", "c1", "--lang", lang])
        assert args.lang == lang
        assert parser.parse_args(["at-risk", "f.csv", "-o", "a.csv", "--lang", lang]).lang == lang
    assert parser.parse_args(["report", "f.csv", "-o", "r.html"]).lang == DEFAULT_LANGUAGE
    with pytest.raises(ValueError, match="invalid choice"):
        parser.parse_args(["report", "f.csv", "-o", "r.html", "--lang", "xx"])


def test_table_set_and_table_fallbacks():
    text = TableSet("report_text")
    assert list(text) == list(LANGUAGES) and len(text) == len(LANGUAGES)
    assert text["ko"]["contents"] == "목차" and text["en"]["contents"] == "Contents"
    with pytest.raises(KeyError):
        text["xx"]
    assert table("xx", "report_text") is table(SOURCE_LANGUAGE, "report_text")
    assert dict(table("en", "report_chart_labels")) == {}  # English has none: code defaults
    with pytest.raises(TypeError):  # read-only: a caller cannot change the cached table
        table("ko", "report_text")["contents"] = "x"  # type: ignore[index]


# ----------------------------------------------------------- model names from ModelSpec
def test_model_names_come_from_the_registry_in_each_language():
    from churn.model import MODELS, model_label
    from ui.i18n import catalogue as ui_catalogue
    from ui.i18n import model_name

    assert [str(s.label) for s in MODELS.values()] == [
        "LightGBM",
        "Logistic regression",
        "Random forest",
        "Gradient boosting (scikit-learn)",
    ]
    assert [model_label(n, "ko") for n in MODELS] == [
        "LightGBM",
        "로지스틱 회귀",
        "랜덤 포레스트",
        "그래디언트 부스팅 (scikit-learn)",
    ]
    assert model_label("logistic", "xx") == "Logistic regression"
    assert model_label("plugin", "ko") == "plugin"
    assert model_label("plugin", "ko", default="My model") == "My model"
    # the app: the default model is the recommended one; the pages' keys still answer
    assert model_name("lightgbm", "en") == "LightGBM (recommended)"
    assert model_name("lightgbm", "ko") == "LightGBM (추천)"
    assert model_name("random_forest", "ko") == "랜덤 포레스트"
    assert model_name("lightgbm", "ko", recommended=False) == "LightGBM"
    assert ui_catalogue("ko")["model.name_hist_gb"] == "그래디언트 부스팅 (scikit-learn)"
    for lang in LANGUAGES:  # no locale file writes a model's name
        for path in (UI_LOCALES / lang).glob("*.json"):
            assert not [k for k in _read(path) if k.startswith("name_")], path


def test_the_korean_report_names_the_model_in_korean(tiny_table):
    stub = SimpleNamespace(
        name="logistic",
        label="Logistic regression",
        metrics={"roc_auc": 0.8, "pr_auc": 0.5, "brier": 0.15, "top_decile_lift": 2.5},
        class_balance={"base_rate": 0.25},
        split=SimpleNamespace(description="5-fold"),
    )
    ko = R.build_report(tiny_table, stub, sections=["model"], lang="ko", charts=False)
    assert ko.sections[0].paragraphs[0].startswith("모델: 로지스틱 회귀. 측정 방법: 5-fold.")
    en = R.build_report(tiny_table, stub, sections=["model"], charts=False)
    assert en.sections[0].paragraphs[0].startswith("Model: Logistic regression. Measured on")


# -------------------------------------------------------- (c) Korean text as it was
@pytest.fixture
def tiny_table():
    from churn.roles import ColumnRoles
    from churn.shapes import build_customer_table

    frame = pd.DataFrame(
        {
            "id": ["c1", "c2", "c3", "c4"],
            "start": ["2024-01-05"] * 4,
            "end": ["2024-02-10", None, None, None],
            "plan": ["A", "A", "B", "B"],
        }
    )
    roles = ColumnRoles(id="id", start="start", end="end", features=("plan",))
    return build_customer_table(frame, roles, snapshot="2024-03-31")


def test_the_korean_sample_report_reads_as_before():
    from churn.io import read_table
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    df = read_table(SAMPLE_DIR / "subscriptions.csv").frame
    table_ = build_customer_table(df, infer_roles(df))
    issue = ValidationIssue("warning", "x", "plan", "text", "fix", 3)
    rep = R.build_report(
        table_,
        lang="ko",
        issues=[issue],
        scenarios={"Discount": {"risk_before": 0.3, "flag": True}},
        sections=["data", "over_time", "segments", "scenarios", "glossary"],
        charts=False,
    )
    page = rep.to_html()
    for exact in (
        "<h1>고객 이탈 분석 보고서</h1>",
        '<p class="muted">기준일: 2025년 12월 31일.</p>',  # the count of sections went (#19)
        "<h2>데이터와 유의 사항</h2>",
        "<p>파일의 5,000개 행을 구독 형태로 읽어 고객 5,000명을 얻었습니다. 이탈 여부가 있는 "
        "고객 5,000명 중 1,424명이 이탈했습니다(28.5%).</p>",
        "<p>검증에서 문제 1건이 발견되었으며 아래 표에 정리했습니다.</p>",
        "<th>심각도</th><th>코드</th><th>열</th><th>내용</th><th>해결 방법</th><th>건수</th>",
        "<td>경고</td>",
        "<p>월별 이탈률: 그 달에 이탈한 고객 수를 월초 활성 고객 수로 나눈 값입니다. 마지막 "
        "완결 월: 3,450명 중 65명 이탈(1.9%).</p>",
        "<p>세그먼트별 이탈률과 윌슨 95% 구간, 전체 이탈률(28.5%) 대비 리프트입니다. 규모가 "
        "작은 그룹은 숨기지 않고 표시합니다.</p>",
        "<td>예</td>",
        "<td>리프트</td><td>그룹의 이탈률을 전체 이탈률로 나눈 값입니다.</td>",
    ):
        assert exact in page, exact
    en = R.build_report(table_, sections=["data"], charts=False).to_html()
    assert '<p class="muted">Snapshot date: 2025-12-31.</p>' in en


def test_reasons_and_errors_read_as_before():
    assert (
        reason_text("fee", 12.5, -0.031, "higher", 0.456, "ko")
        == "fee 12.5: 고객의 45%보다 높음, 이탈 위험 -3.1%p"  # 45.6 %: rounded down
    )
    assert (
        reason_text("fee", None, 0.031, "missing", 0.2, "ko")
        == "fee 값 없음: 고객의 20%가 같음, 이탈 위험 +3.1%p"
    )
    assert (
        reason_text("fee", 12.5, 0.12, "lower", 0.92, "xx")
        == "fee is 12.5, lower than 92 % of customers: +12.0 points of risk"
    )
    from churn.errors import ChurnDataError
    from churn.text import error_text, msg

    exc = ChurnDataError(msg("the playbook file has no rows."), column="key", fix=msg("x."))
    assert error_text(exc, "ko").startswith("'key' 열: 플레이북 파일에 행이 없습니다. 해결 방법: ")


# ------------------------------------------------------------- one formatter module
def test_one_formatter_for_the_app_and_the_report():
    from ui import i18n

    assert R.fmt_pct is F.fmt_pct and R.fmt_date is F.fmt_date and R.fmt_int is F.fmt_int
    assert F.fmt_pct(0.2655, lang="ko") == "26.6%" and F.fmt_pct(0.2655) == "26.6 %"
    assert i18n.fmt_pct(0.2655, lang="ko") == "26.6%" and i18n.fmt_pct(0.2655) == "26.6 %"
    assert F.fmt_date("2024-03-01", "ko") == "2024년 3월 1일" == i18n.fmt_date("2024-03-01", "ko")
    assert F.fmt_date(pd.Timestamp("0999-03-04")) == "999-03-04"  # as strftime wrote it
    assert F.fmt_date(None) == F.fmt_pct(float("nan")) == F.fmt_int(None) == "–"
    assert F.fmt_int(12_345_678_901_234_567) == "12,345,678,901,234,567"  # exact
    assert F.fmt_int(2.5) == "2" and F.fmt_int(float("inf")) == "∞" == i18n.fmt_int(1e999)
    assert i18n.fmt_money(1234.5) == "1,234" and i18n.fmt_money(12.345) == "12.35"
    # p-values: the report's "= 0.0312" / "< 0.0001", the app's bare three decimals
    assert F.fmt_p(0.03123) == "= 0.0312" and F.fmt_p(1e-9) == "< 0.0001"
    assert F.fmt_p(0.03123, 3, equals=False) == "0.031" and F.fmt_p(2e-4, 3) == "< 0.001"
    from ui.pages.over_time import fmt_p

    assert fmt_p(0.0005) == "< 0.001" and fmt_p(0.05) == "0.050" and fmt_p(float("nan")) == "–"
