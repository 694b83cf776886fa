"""``python -m churn report`` of a purchase log: the P(alive) section (BG/NBD)."""

from __future__ import annotations

import openpyxl

from tests.cli.helpers import ROOT, ok

TRANSACTIONS = ROOT / "data" / "sample" / "transactions.csv"


def test_report_of_the_purchase_log_sample_has_the_p_alive_section(tmp_path):
    html_out, xlsx_out = tmp_path / "r.html", tmp_path / "r.xlsx"
    proc = ok("report", TRANSACTIONS, "--sections", "data,alive", "-o", html_out)
    assert proc.stdout.strip().endswith("sections: data, alive)")
    page = html_out.read_text(encoding="utf-8")
    assert '<section id="alive">' in page
    assert "P(alive) below 50 %: 660 of 3,000 customers (22.0 %)." in page
    assert "973 of 3,000 customers bought on one day only." in page
    ok("report", TRANSACTIONS, "--sections", "alive", "--lang", "ko", "-o", xlsx_out)
    sheets = openpyxl.load_workbook(xlsx_out).sheetnames
    # a Korean report's workbook is Korean: cover and sheet names (issue 19)
    assert sheets == ["표지", "두 기준의 이탈", "적합한 모수", "연락해 볼 만한 고객"]
