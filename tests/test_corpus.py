"""The bad-file corpus: awkward and hostile files, each generated here into ``tmp_path``.

Every file goes through the whole intake path a user's upload takes (``read_table`` ->
``infer_roles`` -> ``build_customer_table`` -> ``validate``) and must either load with
the numbers worked out by hand below, or stop with a :class:`ChurnDataError` whose
message names the problem and the fix. Any other exception is a defect.
"""

from __future__ import annotations

import codecs
import io
import random
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnDataError
from churn.io import Limits, read_table
from churn.roles import infer_roles
from churn.shapes import build_customer_table
from churn.table import CustomerTable
from churn.validate import validate

MB = 1024 * 1024


@dataclass
class Loaded:
    frame: pd.DataFrame
    kind: str
    encoding: str | None
    notes: tuple[str, ...]
    roles: object
    table: CustomerTable
    issues: list


def intake(path: Path, limits: Limits | None = None) -> Loaded | ChurnDataError:
    """The user's path through the app; a ChurnDataError is returned, anything else raises."""
    try:
        res = read_table(path, limits=limits)
        roles = infer_roles(res.frame)
        table = build_customer_table(res.frame, roles)
        issues = validate(res.frame, roles, table)
    except ChurnDataError as exc:
        return exc
    return Loaded(res.frame, res.kind, res.encoding, res.notes, roles, table, issues)


def refused(path: Path, *words: str, limits: Limits | None = None) -> str:
    """Assert the file is refused with a message naming the problem and a fix."""
    out = intake(path, limits)
    assert isinstance(out, ChurnDataError), f"{path.name} loaded but should be refused"
    msg = str(out)
    assert out.problem and out.fix, f"no problem/fix in {msg!r}"
    assert "Fix:" in msg and len(out.fix) > 10
    for w in words:
        assert w.lower() in msg.lower(), f"{w!r} not in {msg!r}"
    return msg


def loaded(path: Path, limits: Limits | None = None) -> Loaded:
    out = intake(path, limits)
    assert not isinstance(out, ChurnDataError), f"{path.name} refused: {out}"
    return out


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return p


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def customers_csv(n: int = 12, churned_every: int = 3) -> str:
    """n customers C01..; every ``churned_every``-th churned: n // churned_every churned."""
    lines = ["customer_id,plan,monthly_fee,churn"]
    for i in range(1, n + 1):
        lab = "Yes" if i % churned_every == 0 else "No"
        lines.append(f"C{i:02d},{'pro' if i % 2 else 'basic'},{10 + i},{lab}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------
# Empty and tiny
# ------------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    refused(write(tmp_path, "empty.csv", b""), "empty")


def test_whitespace_only_file(tmp_path):
    refused(write(tmp_path, "blank.csv", b"  \r\n\n \t\n"), "empty")


def test_header_only(tmp_path):
    refused(write(tmp_path, "header.csv", "customer_id,churn\n"), "no data rows", "customer_id")


def test_one_row(tmp_path):
    # one customer carries one label: summarised (100 % churned) with a note, not refused
    t = loaded(write(tmp_path, "one.csv", "customer_id,churn\nC1,Yes\n")).table
    assert (t.n_customers, t.n_churned) == (1, 1)
    assert any("the churn rate is 100 %" in n for n in t.notes)


def test_one_column(tmp_path):
    p = write(tmp_path, "onecol.csv", "churn\n" + "Yes\nNo\nNo\n" * 4)
    t = loaded(p).table
    # no id column: rows numbered 1..12, 4 churned
    assert (t.n_customers, t.n_churned) == (12, 4)
    assert t.frame["customer_id"].tolist()[:3] == ["1", "2", "3"]


def test_one_column_of_ids_only(tmp_path):
    p = write(tmp_path, "ids.csv", "customer_id\n" + "".join(f"C{i}\n" for i in range(30)))
    refused(p, "fix")


# ------------------------------------------------------------------------------------
# Labels
# ------------------------------------------------------------------------------------


def test_all_customers_churned(tmp_path):
    p = write(tmp_path, "all.csv", customers_csv(12, churned_every=1))
    assert infer_roles(read_table(p).frame).label == "churn"  # still proposed as the label
    out = loaded(p)
    assert (out.table.n_customers, out.table.n_churned) == (12, 12)
    assert any("Every one of the 12 labelled customers" in n for n in out.table.notes)
    # the one place that needs both kinds says so: the model's minimum
    assert any("a model needs" in i.message for i in out.issues)


def test_none_churned(tmp_path):
    p = write(tmp_path, "none.csv", customers_csv(12, churned_every=99))
    assert infer_roles(read_table(p).frame).label == "churn"
    out = loaded(p)
    assert (out.table.n_customers, out.table.n_churned) == (12, 0)
    assert any("None of the 12 labelled customers" in n for n in out.table.notes)


def test_nul_byte_in_a_text_file_is_refused_as_binary(tmp_path):
    p = write(tmp_path, "nul.csv", customers_csv().replace("C05", "C\x0005"))
    refused(p, "NUL", "not a data table")


def test_labels_with_unknown_values(tmp_path):
    # 12 rows: 4 Yes, 6 No, 1 'paused', 1 'unknown' -> 10 labelled, 2 left out
    text = customers_csv(12)
    text = text.replace("C05,pro,15,No", "C05,pro,15,paused").replace(
        "C07,pro,17,No", "C07,pro,17,unknown"
    )
    out = loaded(write(tmp_path, "unknown.csv", text))
    t = out.table
    assert t.n_customers == 12
    assert t.n_churned == 4
    assert int(t.frame["churned"].notna().sum()) == 10
    assert (t.frame["label_status"] == "excluded").sum() == 2
    assert t.churn_rate == pytest.approx(4 / 10)
    codes = {i.code for i in out.issues}
    assert "unknown_label_values" in codes


def test_duplicate_ids_with_conflicting_labels(tmp_path):
    text = customers_csv(12) + "C01,pro,11,Yes\nC02,basic,12,No\n"  # C01 was No: conflict
    out = loaded(write(tmp_path, "dups.csv", text))
    codes = {i.code for i in out.issues}
    assert {"duplicate_ids", "conflicting_labels"} <= codes
    conflict = next(i for i in out.issues if i.code == "conflicting_labels")
    assert conflict.count == 1
    dup = next(i for i in out.issues if i.code == "duplicate_ids")
    assert dup.count in (2, 4)  # 2 ids repeated (or their 4 rows)


# ------------------------------------------------------------------------------------
# Encodings and delimiters
# ------------------------------------------------------------------------------------

KO_TEXT = "고객번호,요금제,월요금,이탈여부\n" + "".join(
    f"K{i:03d},{'기본' if i % 2 else '프로'},{9900 if i % 2 else 19900},{'이탈' if i % 4 == 0 else '유지'}\n"
    for i in range(1, 41)
)


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("cp949", b""),
        ("euc-kr", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_korean_encodings(tmp_path, encoding, bom):
    p = write(tmp_path, f"ko_{encoding}.csv", bom + KO_TEXT.encode(encoding))
    out = loaded(p)
    assert list(out.frame.columns) == ["고객번호", "요금제", "월요금", "이탈여부"]
    assert out.frame["월요금"].sum() == 20 * 9900 + 20 * 19900
    # 40 customers, every 4th churned -> 10
    assert (out.table.n_customers, out.table.n_churned) == (40, 10)
    assert out.roles.id == "고객번호" and out.roles.label == "이탈여부"


def test_utf16_big_endian_with_bom(tmp_path):
    p = write(tmp_path, "be.csv", codecs.BOM_UTF16_BE + customers_csv().encode("utf-16-be"))
    assert loaded(p).table.n_churned == 4


def test_semicolon_with_decimal_commas(tmp_path):
    text = "customer_id;fee;score;churn\n" + "".join(
        f"C{i};{i},50;1.00{i},25;{'Yes' if i % 3 == 0 else 'No'}\n" for i in range(1, 10)
    )
    out = loaded(write(tmp_path, "eu.csv", text))
    assert out.frame["fee"].tolist() == [i + 0.5 for i in range(1, 10)]
    assert out.frame["score"].tolist() == [1000 + i + 0.25 for i in range(1, 10)]
    assert out.table.n_churned == 3


def test_blank_strings_in_numeric_columns(tmp_path):
    # like Telco's TotalCharges: a single space where the value is unknown
    lines = ["customer_id,total,churn"] + [
        f"C{i},{' ' if i in (3, 7) else f'{i * 10}.5'},{'Yes' if i % 2 else 'No'}"
        for i in range(1, 11)
    ]
    out = loaded(write(tmp_path, "blanks.csv", "\n".join(lines) + "\n"))
    total = out.frame["total"]
    assert total.dtype.kind == "f"
    assert int(total.isna().sum()) == 2
    assert total.sum() == pytest.approx(sum(i * 10 + 0.5 for i in range(1, 11) if i not in (3, 7)))


# ------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------


def test_mixed_date_formats(tmp_path):
    starts = ["2023-01-05", "2023/02/10", "2023.03.15", "2023년 4월 20일", "2023-05-25"] * 2
    ends = ["2023-06-30", "", "2023/08/01", "", ""] * 2
    rows = [f"C{i},{s},{e}" for i, (s, e) in enumerate(zip(starts, ends, strict=True))]
    text = "customer_id,start_date,end_date\n" + "\n".join(rows) + "\n"
    out = loaded(write(tmp_path, "mixed_dates.csv", text))
    t = out.table
    assert t.shape == "subscriptions"
    assert t.n_customers == 10 and t.n_churned == 4
    assert t.frame["start_date"].notna().all()
    assert t.frame.loc[t.frame["customer_id"] == "C3", "start_date"].iloc[0] == pd.Timestamp(
        "2023-04-20"
    )


def test_excel_serial_dates(tmp_path):
    # 44927 = 2023-01-01, 45107 = 2023-06-30 in Excel's 1900 system
    rows = [f"C{i},{44927 + 10 * i},{45107 + i if i % 3 == 0 else ''}" for i in range(1, 13)]
    text = "customer_id,start_date,end_date\n" + "\n".join(rows) + "\n"
    out = loaded(write(tmp_path, "serials.csv", text))
    t = out.table
    assert t.shape == "subscriptions" and t.n_churned == 4
    first = t.frame.loc[t.frame["customer_id"] == "C1", "start_date"].iloc[0]
    assert first == pd.Timestamp("2023-01-11")


def test_dates_in_the_future(tmp_path):
    future = (pd.Timestamp.today() + pd.Timedelta(days=400)).strftime("%Y-%m-%d")
    rows = [f"C{i},2023-0{1 + i % 9}-01,{'2023-12-01' if i % 3 == 0 else ''}" for i in range(12)]
    rows.append(f"C99,{future},")
    text = "customer_id,start_date,end_date\n" + "\n".join(rows) + "\n"
    out = intake(write(tmp_path, "future.csv", text))
    if isinstance(out, ChurnDataError):
        assert out.fix
    else:
        # loads: the snapshot is the latest date, so the future start is the snapshot and
        # no tenure is negative
        t = out.table
        assert t.n_customers == 13
        assert (t.frame["tenure_days"].dropna() >= 0).all()


# ------------------------------------------------------------------------------------
# Not what the name says
# ------------------------------------------------------------------------------------


def test_csv_renamed_to_xlsx(tmp_path):
    p = write(tmp_path, "really_csv.xlsx", customers_csv())
    out = loaded(p)
    assert out.kind == "csv" and out.table.n_churned == 4


def test_xlsx_renamed_to_csv(tmp_path):
    rows = [["customer_id", "fee", "churn"]] + [
        [f"C{i}", i, "Yes" if i % 3 == 0 else "No"] for i in range(1, 13)
    ]
    out = loaded(write(tmp_path, "really_xlsx.csv", xlsx({"Data": rows})))
    assert out.kind == "xlsx" and out.table.n_churned == 4


_NOISE = random.Random(20261130)  # the same bytes in every run and xdist worker
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(13) + zlib.compress(bytes(1000))
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + _NOISE.randbytes(2000)


@pytest.mark.parametrize(
    "name,data,what",
    [
        ("photo.csv", PNG, "PNG"),
        ("program.csv", ELF, "executable"),
        ("tool.xlsx", b"MZ\x90\x00" + _NOISE.randbytes(500), "executable"),
        ("doc.csv", b"%PDF-1.7\n" + _NOISE.randbytes(300), "PDF"),
        ("data.csv", b"\x1f\x8b\x08\x00" + _NOISE.randbytes(300), "gzip"),
    ],
    ids=["png", "elf", "exe", "pdf", "gzip"],
)
def test_non_data_binaries_refused(tmp_path, name, data, what):
    refused(write(tmp_path, name, data), what, "not a data table")


def test_random_bytes_do_not_crash(tmp_path):
    rng = np.random.default_rng(7)
    for k in range(5):
        data = rng.integers(0, 256, size=4000, dtype=np.uint8).tobytes()
        out = intake(write(tmp_path, f"noise{k}.csv", data))
        if isinstance(out, ChurnDataError):
            assert out.fix


# ------------------------------------------------------------------------------------
# Workbooks
# ------------------------------------------------------------------------------------


def test_old_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt (a test-only .xls writer) is missing")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Customers")
    for j, v in enumerate(["customer_id", "fee", "churn"]):
        ws.write(0, j, v)
    for i in range(1, 13):
        ws.write(i, 0, f"C{i:02d}")
        ws.write(i, 1, 10.5 * i)
        ws.write(i, 2, "Yes" if i % 3 == 0 else "No")
    p = tmp_path / "old.xls"
    wb.save(str(p))
    out = loaded(p)
    assert out.kind == "xls"
    assert out.frame["fee"].sum() == pytest.approx(10.5 * 78)
    assert (out.table.n_customers, out.table.n_churned) == (12, 4)


def test_xlsx_merged_header_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Customer export, March"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"], ws["D2"] = "customer_id", "Billing", "churn"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:D3")
    ws["B3"], ws["C3"] = "monthly_fee", "total"
    for i in range(1, 13):
        ws.append([f"C{i}", i, 10 * i, "Yes" if i % 3 == 0 else "No"])
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    out = loaded(p)
    assert list(out.frame.columns) == ["customer_id", "monthly_fee", "total", "churn"]
    assert out.frame["total"].sum() == 780
    assert out.table.n_churned == 4


def test_xlsx_formulas_without_cached_values(tmp_path):
    rows = [["customer_id", "fee", "double", "churn"]] + [
        [f"C{i}", i, f"=B{i + 1}*2", "Yes" if i % 3 == 0 else "No"] for i in range(1, 13)
    ]
    out = loaded(write(tmp_path, "formulas.xlsx", xlsx({"Data": rows})))
    assert out.frame["double"].isna().all()
    note = next(n for n in out.notes if n.code == "formulas_without_values")
    assert note.params["count"] == 12 and "Paste" in note
    assert out.table.n_churned == 4


def test_xlsx_first_sheet_is_a_data_dictionary(tmp_path):
    dictionary = [["Column", "Meaning"], ["customer_id", "the customer"], ["churn", "Yes/No"]]
    data = [["customer_id", "fee", "churn"]] + [
        [f"C{i}", i, "Yes" if i % 3 == 0 else "No"] for i in range(1, 13)
    ]
    notes = [["Exported by the CRM"], ["Do not edit"]]
    p = write(
        tmp_path,
        "book.xlsx",
        xlsx({"Data dictionary": dictionary, "Customers": data, "Notes": notes}),
    )
    res = read_table(p)
    assert res.sheet == "Customers"
    assert res.sheets == ("Data dictionary", "Customers", "Notes")
    assert loaded(p).table.n_churned == 4


def _zip_member_sizes(data: bytes, declared: int) -> bytes:
    """Rewrite the central directory so the worksheet claims ``declared`` bytes."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + n]).startswith(b"xl/worksheets/"):
            struct.pack_into("<I", buf, pos + 24, declared)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def test_xlsx_zip_bomb_declared_refused_before_decompressing(tmp_path, monkeypatch):
    import churn.io.workbook as cio

    def never(*a, **k):
        raise AssertionError("the workbook was decompressed")

    bomb = _zip_member_sizes(xlsx({"Data": [["a", "b"], [1, 2]]}), 0xFFFFFFF0)
    monkeypatch.setattr(cio, "_open_workbook", never)
    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    refused(write(tmp_path, "bomb.xlsx", bomb), "zip bomb", "not opened")


def test_xlsx_real_zip_bomb_refused_before_decompressing(tmp_path, monkeypatch):
    """A genuine bomb: a worksheet of 64 MB of blank XML that deflates ~1000 times."""
    import churn.io.workbook as cio

    def never(*a, **k):
        raise AssertionError("the workbook was decompressed")

    base = xlsx({"Data": [["a", "b"], [1, 2]]})
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 * MB))
            z.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    data = out.getvalue()
    assert len(data) < 1 * MB
    monkeypatch.setattr(cio, "_open_workbook", never)
    refused(write(tmp_path, "bomb2.xlsx", data), "compressed", "zip bomb")


def test_zip_with_only_junk_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(write(tmp_path, "archive.xlsx", out.getvalue()), "zip")


def test_truncated_xlsx(tmp_path):
    data = xlsx({"Data": [["customer_id", "churn"], ["C1", "Yes"], ["C2", "No"]]})
    refused(write(tmp_path, "cut.xlsx", data[: len(data) // 2]), "fix")


# ------------------------------------------------------------------------------------
# Size
# ------------------------------------------------------------------------------------


def test_5000_columns(tmp_path):
    header = ",".join(["customer_id", "churn"] + [f"f{j}" for j in range(4998)])
    row = ",".join(["C1", "Yes"] + ["1"] * 4998)
    p = write(tmp_path, "wide.csv", header + "\n" + row + "\n")
    msg = refused(p, "5,000 columns", "CHURNLENS_MAX_COLS")
    assert "2,000" in msg


def test_5000_columns_xlsx_refused_too(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["customer_id", "churn"] + [f"f{j}" for j in range(4998)])
    ws.append(["C1", "Yes"] + [1] * 4998)
    p = tmp_path / "wide.xlsx"
    wb.save(p)
    refused(p, "columns", "CHURNLENS_MAX_COLS")


@pytest.mark.slow
def test_200_mb_csv_refused_with_the_cap_message(tmp_path):
    """A file just over the 200 MB cap, written fast (few long rows), is refused up front."""
    cap = Limits().max_bytes
    p = tmp_path / "big.csv"
    with open(p, "wb") as fh:
        fh.write(b"customer_id,note,churn\n")
        row = b"C1," + b"x" * (MB - 10) + b",Yes\n"
        written = 23
        while written <= cap:
            fh.write(row)
            written += len(row)
    assert p.stat().st_size > cap
    t0 = time.perf_counter()
    msg = refused(p, "200.0 MB", "CHURNLENS_MAX_BYTES", "smaller extract")
    assert time.perf_counter() - t0 < 5, "the cap must be checked before reading"
    assert "more than the limit" in msg


@pytest.mark.slow
def test_large_csv_under_the_cap_loads(tmp_path):
    """~40 MB, 1,000,000 customers: loads within the caps with exact counts."""
    n = 1_000_000
    p = tmp_path / "large.csv"
    ids = np.char.add("C", np.arange(n).astype(str))
    fee = (np.arange(n) % 50 + 10).astype(str)
    lab = np.where(np.arange(n) % 4 == 0, "Yes", "No")
    body = "\n".join(
        np.char.add(np.char.add(np.char.add(ids, ","), np.char.add(fee, ",")), lab).tolist()
    )
    p.write_text("customer_id,fee,churn\n" + body + "\n")
    out = loaded(p)
    assert out.table.n_customers == n
    assert out.table.n_churned == n // 4
    assert out.frame["fee"].sum() == sum((i % 50 + 10) for i in range(50)) * (n // 50)


# ------------------------------------------------------------------------------------
# Hostile and odd text
# ------------------------------------------------------------------------------------


def test_very_long_cell_text(tmp_path):
    long = "a" * MB
    lines = ["customer_id,comment,churn"] + [
        f"C{i},{long if i == 5 else 'short'},{'Yes' if i % 3 == 0 else 'No'}" for i in range(1, 13)
    ]
    out = loaded(write(tmp_path, "long.csv", "\n".join(lines) + "\n"))
    assert len(out.frame.loc[4, "comment"]) == MB
    assert out.table.n_churned == 4
    # a free-text column of unique-ish values is not a model feature
    assert "comment" not in out.table.features or len(out.frame["comment"].unique()) == 2


def test_control_characters_and_emoji_in_names(tmp_path):
    names = ["Kim\x02", "Lee\x07🙂", "Park\u200b", "😀😀", "Choi\ttab", "Jung\x1b[31m"]
    rows = [
        f'C{i},"{names[i % len(names)]}",{i},{"Yes" if i % 3 == 0 else "No"}' for i in range(1, 13)
    ]
    text = "customer_id,name 🙂,fee\x01,churn\n" + "\n".join(rows) + "\n"
    out = loaded(write(tmp_path, "ctrl.csv", text))
    assert list(out.frame.columns) == ["customer_id", "name 🙂", "fee", "churn"]
    assert out.table.n_churned == 4
    assert "😀😀" in set(out.frame["name 🙂"])


def test_column_names_that_clash_after_cleaning(tmp_path):
    text = "customer_id,Churn,churn ,CHURN, churn\n" + "".join(
        f"C{i},{'Yes' if i % 3 == 0 else 'No'},a,b,c\n" for i in range(1, 13)
    )
    out = loaded(write(tmp_path, "clash.csv", text))
    cols = list(out.frame.columns)
    assert len(set(cols)) == 5
    assert cols[:2] == ["customer_id", "Churn"]
    assert out.roles.label == "Churn"
    assert out.table.n_churned == 4


def test_column_named_like_a_canonical_column(tmp_path):
    text = "customer_id,churned,value,label_status,churn\n" + "".join(
        f"C{i},x,{i},y,{'Yes' if i % 3 == 0 else 'No'}\n" for i in range(1, 13)
    )
    out = loaded(write(tmp_path, "canon.csv", text))
    assert out.table.n_churned == 4
    assert out.table.frame.columns.is_unique


def test_formula_and_script_text_is_kept_as_text(tmp_path):
    text = "customer_id,name,churn\n" + "".join(
        f'C{i},"=HYPERLINK(""http://x"",""y"")",{"Yes" if i % 3 == 0 else "No"}\n'
        for i in range(1, 13)
    )
    text = text.replace("name", "<script>alert(1)</script>", 1)
    out = loaded(write(tmp_path, "hostile.csv", text))
    assert "<script>alert(1)</script>" in out.frame.columns
    assert out.frame["<script>alert(1)</script>"].iloc[0] == '=HYPERLINK("http://x","y")'


# ------------------------------------------------------------------------------------
# The real files still pass through the whole path
# ------------------------------------------------------------------------------------


def test_real_telco_through_the_corpus_path(shared_data):
    out = loaded(shared_data / "telco_customer_churn.csv")
    assert (out.table.n_customers, out.table.n_churned) == (7043, 1869)
    assert out.frame["TotalCharges"].isna().sum() == 11


def test_every_row_longer_than_the_header_is_refused_not_dropped(tmp_path):
    # two header fields, every row with three: pandas would make an index of the extras
    p = write(tmp_path, "long_rows.csv", "id,note\n1,a,b\n2,c,d\n3,e,f\n")
    refused(p, "more values than the header", "double quotes")


def test_one_column_file_keeps_commas_inside_values(tmp_path):
    # found by tests/test_properties.py: a ";" writer leaves "a,b" unquoted in a one-column
    # file; the reader used to split it on commas and then report "no data rows"
    res = read_table(write(tmp_path, "one_col.csv", "note\na,\t,\nb\n"))
    assert res.frame["note"].tolist() == ["a,\t,", "b"]


def test_won_amounts_in_the_serial_range_are_not_taken_for_dates(tmp_path):
    # 29,000-40,000 won looks like Excel serials (1979-2009): only a plain date name counts
    rows = [
        f"C{i},{29000 + 1000 * i},{30000 if i % 2 else 45000},{44927 + 7 * i},"
        f"{'Yes' if i % 3 == 0 else 'No'}"
        for i in range(12)
    ]
    text = "customer_id,first_purchase_amount,start_fee,가입일,churn\n" + "\n".join(rows) + "\n"
    out = loaded(write(tmp_path, "won.csv", text))
    assert out.roles.start == "가입일"
    assert {"first_purchase_amount", "start_fee"} <= set(out.roles.features)
    assert out.table.frame["start_date"].min() == pd.Timestamp("2023-01-01")
