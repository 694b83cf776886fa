"""Exports never produce a live formula or link (CSV and XLSX)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from churn.export import (
    DANGEROUS_PREFIXES,
    neutralise,
    safe_frame,
    sheet_name,
    to_csv_bytes,
    to_xlsx_bytes,
)

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    "  =1+1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_every_dangerous_prefix_is_neutralised(cell):
    assert neutralise(cell) == "'" + cell


def test_all_listed_prefixes_are_covered():
    for p in DANGEROUS_PREFIXES:
        assert neutralise(p + "x").startswith("'")


@pytest.mark.parametrize("cell", ["Kim", "이탈", "a=b", "1-2", "", "http://x.example"])
def test_harmless_text_is_untouched(cell):
    assert neutralise(cell) == cell


def test_numbers_stay_numbers_and_input_is_not_mutated():
    df = pd.DataFrame({"name": ["=1+1", "Lee"], "fee": [-5.0, 3.0]})
    before = df.copy()
    out = safe_frame(df)
    assert out["fee"].tolist() == [-5.0, 3.0]
    assert out["name"].tolist() == ["'=1+1", "Lee"]
    pd.testing.assert_frame_equal(df, before)


def test_csv_has_bom_and_no_cell_starts_a_formula():
    df = pd.DataFrame({"=bad header": HOSTILE, "n": range(len(HOSTILE))})
    raw = to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    assert not any(c[:1] in DANGEROUS_PREFIXES for c in cells if c and not c.isdigit())
    assert rows[0][0] == "'=bad header"


def test_xlsx_has_no_formula_or_hyperlink_cells():
    df = pd.DataFrame(
        {
            "name": HOSTILE,
            "url": ["http://evil.example/x"] * len(HOSTILE),
            "when": pd.to_datetime(["2024-01-31"] * len(HOSTILE)),
            "fee": [1.5] * len(HOSTILE),
        }
    )
    data = to_xlsx_bytes({"At risk": df}, cover=pd.DataFrame({"sheet": ["At risk"]}))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Cover", "At risk"]
    ws = wb["At risk"]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            assert cell.hyperlink is None
    # openpyxl leaves xlsx's escape for a carriage return (_x000D_) as it is.
    names = [
        ws.cell(row=i + 2, column=1).value.replace("_x000D_", "\r") for i in range(len(HOSTILE))
    ]
    assert names == ["'" + h for h in HOSTILE]
    assert ws.cell(row=2, column=3).value.year == 2024
    assert ws.cell(row=2, column=4).value == 1.5


def test_sheet_names_are_legal_and_unique():
    taken: set[str] = set()
    a = sheet_name("Churn by segment: plan/contract [all] " * 3, taken)
    b = sheet_name("Churn by segment: plan/contract [all] " * 3, taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert not set("[]:*?/\\") & set(a)


def test_vectorised_neutralising_agrees_with_the_cell_rule():
    """safe_frame / count_formula_cells (vectorised) give what neutralise() gives per cell,
    on mixed object, categorical and string columns, duplicate names included."""
    import random

    from churn.export import count_formula_cells, neutralise, safe_frame

    rng = random.Random(7)
    pool = ["=1+1", "+x", "-3", "@a", "\tx", " =y", "\u3000＝z", "＋", "plain", "a=b", "", None, 5]
    cols = {f"c{i}": [rng.choice(pool) for _ in range(200)] for i in range(3)}
    frame = pd.DataFrame(cols)
    frame["cat"] = pd.Categorical([rng.choice(["=c", "d", None]) for _ in range(200)])
    frame["str"] = pd.Series([rng.choice(["-s", "t", None]) for _ in range(200)], dtype="string")
    frame = pd.concat([frame, frame[["c0"]]], axis=1)  # a duplicate column name
    frame["=name"] = 1
    expected = 0
    safe = safe_frame(frame)
    for i in range(frame.shape[1]):
        for before, after in zip(frame.iloc[:, i], safe.iloc[:, i], strict=True):
            want = neutralise(before) if isinstance(before, str) else before
            if pd.isna(want):
                assert pd.isna(after)
            else:
                assert after == want
            expected += isinstance(before, str) and want != before
    assert list(safe.columns)[-1] == "'=name"
    assert count_formula_cells(frame) == expected + 1  # + the column name
