"""``python -m churn report``: the HTML or Excel report of a file."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from churn import report as R
from tests.cli.helpers import ROOT, SIX_ROLES, bad, ok, wilson
from tests.test_report import external_refs, section_ids

SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"


@pytest.fixture(scope="module")
def six_workbook(six_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "six.xlsx"
    proc = ok("report", six_csv, *SIX_ROLES, "--no-model", "-o", out)
    size = out.stat().st_size
    sections = "summary, data, over_time, cohorts, segments, glossary"
    assert proc.stdout == f"wrote {out} ({size:,} bytes; sections: {sections})\n"
    assert "note: Left out: Model quality: no model was trained" in proc.stderr.splitlines()
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    # sheets and columns are named in words ("Churn by month", "churn rate"): read them
    # back under the report's own names for the numbers below
    names = {R.header(k): k for k in R.HEADERS["en"]} | {"Executive summary": "summary"}
    return {names.get(k, k): v.rename(columns=lambda c: names.get(c, c)) for k, v in sheets.items()}


def test_excel_sheets_hold_the_numbers_by_hand(six_workbook):
    """The six subscriptions of tests.cli.helpers.SIX_CSV (see tests/cli/test_rate.py)."""
    assert list(six_workbook) == [
        "Cover", "summary", "issues", "churn_by_month", "survival_groups", "cohorts", "churn_by_segment",
        "glossary",
    ]  # fmt: skip
    months = six_workbook["churn_by_month"]
    assert list(months.columns) == [
        "period", "active_start", "new", "churned", "numerator", "denominator", "churn_rate",
        "ci_low", "ci_high", "partial",
    ]  # fmt: skip
    assert months["period"].tolist() == ["2023-12", "2024-01", "2024-02", "2024-03"]
    counts = months[["active_start", "new", "churned", "numerator", "denominator"]]
    assert counts.to_numpy().tolist() == [
        [0, 1, 0, 0, 0], [1, 2, 1, 1, 1], [2, 2, 2, 1, 2], [2, 1, 1, 1, 2],
    ]  # fmt: skip
    assert months["churn_rate"].iloc[1:].tolist() == [1.0, 0.5, 0.5]
    assert months["churn_rate"].isna().iloc[0]
    assert months["partial"].tolist() == ["no", "no", "no", "yes"]  # words, not TRUE/FALSE
    assert months["ci_low"].iloc[2] == pytest.approx(wilson(1, 2)[0], abs=1e-12)
    # Kaplan-Meier: pro B 12, C 15 days (churned), A 65 (active) -> median 15;
    # basic E 0 (active), D 24, F 31 (churned) -> half left after day 24
    surv = six_workbook["survival_groups"].set_index("group")
    assert surv.loc["pro", ["customers", "churned", "median_lifetime_days"]].tolist() == [3, 2, 15]
    assert surv.loc["basic", ["customers", "churned", "median_lifetime_days"]].tolist() == [
        3, 2, 24,
    ]  # fmt: skip
    seg = six_workbook["churn_by_segment"].set_index("segment")
    assert seg.loc["pro", ["customers", "churned", "lift"]].tolist() == [3, 2, 1]
    assert seg.loc["basic", ["customers", "churned", "lift"]].tolist() == [3, 2, 1]
    assert seg["churn_rate"].tolist() == pytest.approx([2 / 3, 2 / 3], abs=1e-12)
    issues = six_workbook["issues"]
    assert set(issues["code"]) == {"too few rows", "too few churned"}


def test_cli_writes_both_formats(tmp_path):
    html_out, xlsx_out = tmp_path / "r.html", tmp_path / "r.xlsx"
    ok("report", SAMPLE, "--lang", "ko", "--sections", "data,over_time,model", "-o", html_out)
    page = html_out.read_text("utf-8")
    assert section_ids(page) == ["data", "over_time", "model"] and external_refs(page) == []
    b = ok("report", SAMPLE, "--no-model", "-o", xlsx_out)
    assert "Model quality: no model was trained" in b.stderr
    wb = openpyxl.load_workbook(xlsx_out)
    assert wb.sheetnames[0] == "Cover" and "Churn by month" in wb.sheetnames


def test_cli_keeps_customer_names_only_when_asked(customers_csv, tmp_path):
    pages = {}
    for flag in ([], ["--with-personal"]):
        out = tmp_path / f"r{len(flag)}.html"
        ok("report", customers_csv, "--sections", "at_risk", *flag, "-o", out)
        pages[bool(flag)] = out.read_text("utf-8")
    assert "<th>name</th>" in pages[True] and "<th>name</th>" not in pages[False]
    names = re.compile(r"<td>Customer \d+</td>")
    assert names.search(pages[True]) and not names.search(pages[False])
    assert "customers are listed by id" in pages[False]


def test_cli_bad_input_is_one_error_line(tmp_path):
    line = bad("report", SAMPLE, "--sections", "nope", "-o", tmp_path / "r.html")
    assert line.startswith("error: unknown section(s) in --sections: nope")
    line = bad("report", SAMPLE, "-o", tmp_path / "r.docx")
    assert line.startswith("error: output 'r.docx' has an unknown extension")


def test_cli_writes_a_pdf_beside_the_html(six_csv, tmp_path):
    out = tmp_path / "six.html"
    proc = ok("report", six_csv, *SIX_ROLES, "--no-model", "--lang", "ko", "--pdf", "-o", out)
    pdf = out.with_suffix(".pdf")
    assert f"wrote {pdf}" in proc.stdout and pdf.read_bytes().startswith(b"%PDF")
