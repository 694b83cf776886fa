"""One export seam: churn.export.frame_bytes, which the scored list and the at-risk list use."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from churn import explain as E
from churn import model as M
from churn.errors import ChurnDataError
from churn.export import frame_bytes, to_csv_bytes


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["=1+1", "C2"], "risk": [0.75, 0.25]})


def test_frame_bytes_writes_safe_csv_and_one_named_sheet():
    df = _frame()
    assert frame_bytes(df, "csv") == to_csv_bytes(df)
    assert frame_bytes(df, "csv").decode("utf-8-sig").splitlines()[1] == "'=1+1,0.75"
    book = openpyxl.load_workbook(io.BytesIO(frame_bytes(df, "xlsx", sheet="my list")))
    assert book.sheetnames == ["my list"]
    ws = book["my list"]
    assert [c.value for c in ws[2]] == ["'=1+1", 0.75]
    assert openpyxl.load_workbook(io.BytesIO(frame_bytes(df, "xlsx"))).sheetnames == ["data"]


def test_frame_bytes_refuses_other_kinds_with_a_fix():
    with pytest.raises(ChurnDataError) as err:
        frame_bytes(_frame(), "pdf")
    assert err.value.problem == "cannot write a '.pdf' file."
    assert err.value.fix == "use .csv or .xlsx."
    with pytest.raises(ChurnDataError) as err:
        frame_bytes(_frame(), "json", from_file_name=True)
    assert err.value.fix == "use a name ending in .csv or .xlsx."


def test_scores_and_at_risk_bytes_go_through_the_seam():
    df = _frame()
    assert M.scores_bytes(df, "csv") == frame_bytes(df, "csv")
    assert E.at_risk_bytes(df.assign(row=[0, 1]), "csv") == frame_bytes(df, "csv")
    sheets = openpyxl.load_workbook(io.BytesIO(M.scores_bytes(df, "xlsx"))).sheetnames
    assert sheets == ["scores"]
    sheets = openpyxl.load_workbook(io.BytesIO(E.at_risk_bytes(df, "xlsx"))).sheetnames
    assert sheets == ["at_risk"]
    with pytest.raises(ChurnDataError) as err:
        M.scores_bytes(df, "txt")
    assert err.value.fix == "use a name ending in .csv or .xlsx."
    with pytest.raises(ChurnDataError) as err:
        E.at_risk_bytes(df, "txt")
    assert err.value.fix == "use .csv or .xlsx."
