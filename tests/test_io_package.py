"""churn.io as a package: read_table dispatches through READERS, a new reader is one
register_reader call, a sheet calamine cannot read is a clear error, and the helpers
live in their submodules."""

from __future__ import annotations

import io
import zipfile

import pytest

from churn.errors import ChurnDataError
from churn.io import READERS, ReadNote, read_table, register_reader, size_text
from churn.io.convert import convert_strings
from churn.io.decode import _decode_mixed
from churn.io.result import Parsed
from churn.text import error_text


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _with_part(data: bytes, part: str, change) -> bytes:
    """The workbook with the bytes of one part changed by ``change``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            z.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def test_read_table_dispatches_on_the_kind_found_in_the_bytes(monkeypatch):
    assert set(READERS) == {"csv", "xlsx", "xls", "ods", "parquet"}
    seen: list[tuple[str, str | None]] = []
    for kind in ("csv", "xlsx"):
        real = READERS[kind]

        def spy(data, *, real=real, **kw):
            seen.append((kw["kind"], kw["sheet"]))
            return real(data, **kw)

        monkeypatch.setitem(READERS, kind, spy)
    text = read_table(b"id,fee\n007,1\n008,2\n", name="a.xlsx")  # the name does not count
    book = read_table(_workbook({"Data": [["id", "fee"], ["007", 1]]}), sheet="Data")
    assert seen == [("csv", None), ("xlsx", "Data")]
    assert (text.kind, book.kind, book.sheet) == ("csv", "xlsx", "Data")
    assert text.frame.to_dict("list") == {"id": ["007", "008"], "fee": [1, 2]}
    assert book.frame.to_dict("list") == {"id": ["007"], "fee": [1]}


def _key_values(data: bytes, *, kind: str, name, sheet, limits) -> Parsed:
    """A toy format, one row per line: ``key=value;key=value`` (keys of the first line)."""
    import pyarrow as pa

    rows = [dict(p.split("=", 1) for p in ln.split(";")) for ln in data.decode().splitlines()]
    header = list(rows[0])
    cols = [pa.array([r.get(h, "") for r in rows], pa.string()) for h in header]

    def convert(names: list[str]) -> list:
        return [
            convert_strings(c, nm, decimal_comma=None) for c, nm in zip(cols, names, strict=True)
        ]

    return Parsed(
        header=header,
        nrows=len(rows),
        convert=convert,
        notes=[ReadNote("Read as key=value pairs.", "key_values")],
        blank_notes=lambda blank: [ReadNote(f"{blank} blank", "toy_blank")],
    )


def test_a_registered_reader_gets_the_same_cleaning_as_the_built_in_ones(monkeypatch):
    monkeypatch.setitem(READERS, "csv", READERS["csv"])  # put back after the test
    register_reader("csv", _key_values)
    got = read_table(b"id=007;fee=$1,200;note= \nid=;fee=;note=\nid=009;fee=$30;note=x\n")
    assert got.frame["id"].tolist() == ["007", "009"]  # leading zeros: kept as text
    assert got.frame["fee"].tolist() == [1200.0, 30.0]  # (a blank made it float)
    assert got.frame["note"].isna().tolist() == [True, False]
    assert got.blank_cells == 1  # the empty row's cells are not counted
    assert [n.code for n in got.notes] == [
        "key_values",
        "empty_rows",
        "kept_leading_zeros",
        "toy_blank",
        "blank_cells",
        "converted",
    ]
    assert [str(n) for n in got.notes][-3:] == [
        "1 blank",
        "1 blank or whitespace-only cell(s) are treated as missing.",
        "Column 'fee' read as numbers (currency/thousands).",
    ]


def test_a_sheet_calamine_cannot_read_is_a_clear_error():
    good = _workbook({"Data": [["id", "fee"], ["a", 1]], "Notes": [["k", "v"], ["x", 2]]})
    broken = _with_part(good, "xl/worksheets/sheet1.xml", lambda b: b[: b.index(b"</sheetData>")])
    for sheet in ("Data", None):  # named, or read by the sheet picker
        with pytest.raises(ChurnDataError) as err:
            read_table(broken, sheet=sheet)
        assert str(err.value) == (
            "Sheet 'Data' of the XLSX file could not be read (sheetData). Fix: open it in "
            "Excel and save it again as .xlsx (or export the sheet as CSV)."
        )
        assert error_text(err.value, "ko").startswith(
            "XLSX 파일의 'Data' 시트를 읽지 못했습니다(sheetData)."
        )
    # the other sheet still reads
    notes = read_table(broken, sheet="Notes").frame
    assert notes.to_dict("list") == {"k": ["x"], "v": [2]} and notes["v"].dtype == "int64"


def test_a_mixed_encoding_file_is_decoded_line_by_line():
    data = "지역,fee\n".encode() + "서울,1\n".encode("cp949") + "부산,2\n".encode()
    text, encoding, [note] = _decode_mixed(data)
    assert text == "지역,fee\n서울,1\n부산,2\n" and encoding == "utf-8+cp949"
    assert (note.code, note.params) == ("mixed_encoding", {"lines": 1, "encoding": "cp949"})
    assert str(note).startswith(
        "The file mixes encodings: 1 of 3 lines were not UTF-8 and were read as CP949 "
        "(Korean) (lines 2); the other lines were read as UTF-8."
    )
    assert _decode_mixed("지역\n".encode("cp949")) is None  # a plain legacy file


def test_sizes_are_worded_in_decimal_units():
    assert [size_text(n) for n in (512, 12_400, 200 * 1000**2, 1_500_000_000)] == [
        "512 bytes",
        "12 KB",
        "200.0 MB",
        "1.5 GB",
    ]
