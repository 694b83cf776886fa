"""churn.io.guard: workbooks are checked before python-calamine builds a grid from them.

The workbooks are written here by hand (zipfile + XML strings, or xlwt for .xls) so the
tests control exactly what the sheet XML says. Reads that would crash or exhaust the
process without the guard run in a child process with a memory cap, so a regression
fails a test instead of killing the test run.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import churn.io.guard as sg
from churn.errors import ChurnDataError
from churn.io import Limits, read_table
from churn.io.guard import extent as g_extent
from churn.io.guard import ods as g_ods
from churn.io.guard import shared as g_shared
from churn.io.guard import xls as g_xls
from churn.io.guard import xlsx as g_xlsx

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------------------------
# Workbooks written by hand
# ------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx(sheets: dict[str, str], dims: dict[str, str] | None = None, sst: str | None = None):
    """A workbook whose sheet ``name`` holds ``<sheetData>`` + the given XML."""
    dims = dims or {}
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + over + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        tags = "".join(
            f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1)
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{tags}'
            "</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        if sst is not None:
            rels += (
                f'<Relationship Id="rId99" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            z.writestr("xl/sharedStrings.xml", sst)
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}">{rels}</Relationships>',
        )
        for i, (name, body) in enumerate(sheets.items(), 1):
            dim = f'<dimension ref="{dims[name]}"/>' if name in dims else ""
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">{dim}<sheetData>{body}'
                "</sheetData></worksheet>",
            )
    return buf.getvalue()


def row(r: int, cells: list[tuple[str, object]]) -> str:
    out = f'<row r="{r}">'
    for ref, v in cells:
        if isinstance(v, str):
            out += f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        else:
            out += f'<c r="{ref}"><v>{v}</v></c>'
    return out + "</row>"


def six_rows() -> str:
    """A header and five customers: id C2..C6, fee 20..60."""
    return row(1, [("A1", "id"), ("B1", "fee")]) + "".join(
        row(i, [(f"A{i}", f"C{i}"), (f"B{i}", i * 10)]) for i in range(2, 7)
    )


SIX = pd.DataFrame({"id": [f"C{i}" for i in range(2, 7)], "fee": [20, 30, 40, 50, 60]})


NOTES_FAR = xlsx({"Data": six_rows(), "Notes": six_rows() + row(2_000_000, [("GR2000000", 1)])})

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(tables: dict[str, str]) -> bytes:
    body = "".join(f'<table:table table:name="{n}">{x}</table:table>' for n, x in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{body}</office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
            zipfile.ZIP_DEFLATED,
        )
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def ocell(v: object = None, rep: int = 1) -> str:
    r = f' table:number-columns-repeated="{rep}"' if rep != 1 else ""
    if v is None:
        return f"<table:table-cell{r}/>"
    if isinstance(v, str):
        return (
            f'<table:table-cell office:value-type="string"{r}><text:p>{v}</text:p>'
            "</table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="float" office:value="{v}"{r}><text:p>{v}'
        "</text:p></table:table-cell>"
    )


def orow(cells: list[str], rep: int = 1) -> str:
    r = f' table:number-rows-repeated="{rep}"' if rep != 1 else ""
    return f"<table:table-row{r}>" + "".join(cells) + "</table:table-row>"


def ods_six() -> str:
    return orow([ocell("id"), ocell("fee")]) + "".join(
        orow([ocell(f"C{i}"), ocell(i * 10)]) for i in range(2, 7)
    )


def xls(far: tuple[int, int] | None = None, rows: int = 6) -> bytearray:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Data")
    ws.write(0, 0, "id")
    ws.write(0, 1, "fee")
    for i in range(1, rows):
        ws.write(i, 0, f"C{i + 1}")
        ws.write(i, 1, (i + 1) * 10)
    if far:
        ws.write(*far, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return bytearray(buf.getvalue())


def extent(ext: g_extent.Extent) -> tuple[int, ...]:
    return ext.cells, ext.top, ext.bottom, ext.left, ext.right


# ------------------------------------------------------------------------------------
# Reads that would crash or exhaust the process without the guard: in a capped child
# ------------------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import base64, json, resource, sys, time
    from churn.errors import ChurnDataError
    from churn.io import read_table

    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

    cap = status("VmSize") + (1 << 30)  # whatever calamine asks for beyond 1 GB fails
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    out = {}
    for name, data in json.load(sys.stdin).items():
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # restart the peak-memory count
        before, start = status("VmRSS"), time.perf_counter()
        try:
            result = read_table(base64.b64decode(data), name=name)
            res = {"shape": list(result.frame.shape)}
        except ChurnDataError as exc:
            res = {"error": str(exc)}
        res["seconds"] = time.perf_counter() - start
        res["grew_mb"] = (status("VmHWM") - before) / 2**20
        out[name] = res
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def contained() -> dict[str, dict]:
    """Every dangerous workbook read once, in one child process capped at +1 GB."""
    cases = {
        "far_GR2000000.xlsx": xlsx(
            {"Data": six_rows() + row(2_000_000, [("GR2000000", 1)])}, {"Data": "A1:GR2000000"}
        ),
        "far_XFD1048576.xlsx": xlsx(
            {"Data": six_rows() + row(1048576, [("XFD1048576", 1)])}, {"Data": "A1:XFD1048576"}
        ),
        "empty_text_far.xlsx": xlsx(
            {
                "Data": six_rows() + '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                "<is><t></t></is></c></row>"
            }
        ),
        "sst_lie.xlsx": xlsx(
            {"Data": six_rows()},
            sst=f'<?xml version="1.0"?><sst xmlns="{_MAIN}" count="1" uniqueCount='
            '"100000000000"><si><t>x</t></si></sst>',
        ),
        "repeated_values.ods": ods({"Data": ods_six() + orow([ocell(1, 16384)], 3000)}),
        "dims.xls": _xls_dims(xls()),
        "loop.xls": _xls_loop(xls(rows=300)),
        "far.xls": bytes(xls(far=(65535, 255))),
        "second_r.xlsx": xlsx(
            {"Data": six_rows() + '<row r="7"><c r="A7" r="XFD1048576"><v>1</v></c></row>'}
        ),
        "prefixed.xlsx": xlsx(
            {
                "Data": six_rows() + f'<row r="7"><x:c xmlns:x="{_MAIN}" r="XFD1048576">'
                "<x:v>1</x:v></x:c></row>"
            }
        ),
        "far_in_notes.xlsx": NOTES_FAR,
    }
    payload = json.dumps({k: base64.b64encode(v).decode() for k, v in cases.items()})
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=payload,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert proc.returncode == 0, f"the reader crashed ({proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout)


def _xls_dims(data: bytearray) -> bytes:
    """The sheet's DIMENSIONS record (type 0x0200, 14 bytes) claims 4 billion x 65,000."""
    at = data.find(b"\x00\x02\x0e\x00")
    struct.pack_into("<IIHH", data, at + 4, 0, 0xFFFFFFF0, 0, 0xFF00)
    return bytes(data)


def _xls_loop(data: bytearray) -> bytes:
    """The directory's sector chain points back at itself (FAT[dir] = dir)."""
    dir_start = struct.unpack_from("<I", data, 48)[0]
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, 512 + fat_sector * 512 + dir_start * 4, dir_start)
    return bytes(data)


def test_a_far_cell_is_refused_fast_naming_the_cell_and_the_cap(contained):
    res = contained["far_GR2000000.xlsx"]
    assert res["error"].startswith(
        "Sheet 'Data' has values as far out as GR2000000: reading it would build a grid of "
        "2,000,000 rows by 200 columns (400,000,000 cells), more than the limit of 50,000,000 "
        "cells, so the workbook was not opened."
    )
    assert (
        "delete the stray cells beyond the data (such as GR2000000) and save again"
        in (res["error"])
    )
    assert "CHURNLENS_MAX_CELLS" in res["error"]
    assert res["seconds"] < 5
    assert res["grew_mb"] < 200  # calamine alone would need over 14 GB


def test_a_value_in_the_last_cell_is_refused_instead_of_aborting_the_process(contained):
    # without the guard calamine asks for 550 GB and aborts the whole process
    res = contained["far_XFD1048576.xlsx"]
    assert res["error"].startswith(
        "Sheet 'Data' has a value as far right as cell XFD1048576: reading it would take "
        "16,384 columns, more than the limit of 2,000 columns"
    )
    assert "CHURNLENS_MAX_COLS" in res["error"] and res["grew_mb"] < 200
    # an empty inline string is still a value to calamine (it builds the grid for it)
    assert "XFD1048576" in contained["empty_text_far.xlsx"]["error"]


def test_an_impossible_shared_string_count_is_refused(contained):
    # calamine reserves room for uniqueCount strings before reading one: 2.4 TB here
    res = contained["sst_lie.xlsx"]
    assert res["error"].startswith(
        "The workbook was not opened: its shared-text part claims 100,000,000,000 entries"
    )
    assert res["grew_mb"] < 200


def test_repeated_values_in_an_ods_are_refused(contained):
    # 883 bytes that calamine expands to 49 million cells (about 5 GB with the rows)
    res = contained["repeated_values.ods"]
    assert res["error"].startswith(
        "Sheet 'Data' has a value as far right as cell XFD7: reading it would take 16,384 "
        "columns, more than the limit of 2,000 columns"
    )
    assert res["grew_mb"] < 200


def test_xls_size_record_and_looping_chains_are_refused(contained):
    assert contained["dims.xls"]["error"].startswith(
        "The workbook was not opened: sheet 'Data' declares 280,375,464,038,400 cells in its "
        "size record, more than an .xls sheet can hold"
    )
    assert contained["loop.xls"]["error"].startswith(
        "The workbook was not opened: the internal structure of the .xls file loops"
    )
    assert contained["loop.xls"]["grew_mb"] < 200


# ------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------


def test_a_lying_dimension_with_padding_reads_the_real_rows():
    # 2 KB: the sheet claims A1:XFD1048576 and pads the last cell with a style only
    body = six_rows() + '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    data = xlsx({"Data": body}, {"Data": "A1:XFD1048576"})
    assert len(data) < 2048
    result = read_table(data)
    pd.testing.assert_frame_equal(result.frame, SIX, check_dtype=False)
    assert extent(g_xlsx.xlsx_extents(data, None)[0]) == (12, 1, 6, 1, 2)


def test_styled_empty_cells_are_padding_not_data():
    pad = (
        '<row r="7"><c r="C7" s="2"></c><c r="Z7" s="1"/></row>'
        '<row r="90000"><c r="ZZ90000" s="3" t="n"></c></row>'
    )
    data = xlsx({"Data": six_rows() + pad})
    pd.testing.assert_frame_equal(read_table(data).frame, SIX, check_dtype=False)
    assert extent(g_xlsx.xlsx_extents(data, None)[0]) == (12, 1, 6, 1, 2)


def test_a_mostly_empty_sheet_is_refused():
    data = xlsx({"Data": six_rows() + row(300_000, [("J300000", 1)])})
    with pytest.raises(ChurnDataError) as err:
        read_table(data)
    assert str(err.value) == (
        "Sheet 'Data' is almost all empty: its values reach J300000, a grid of 3,000,000 "
        "cells, but only 13 of them hold a value (a sheet over 1,000,000 cells needs at least "
        "1 value per 100 cells), so the workbook was not opened. Fix: in sheet 'Data', delete "
        "the stray cells beyond the data (such as J300000) and save again, or copy the data "
        "range into a new workbook."
    )


def test_the_row_column_and_cell_caps_come_from_limits(monkeypatch):
    data = xlsx({"Data": six_rows() + row(1000, [("A1000", 1)])})
    with pytest.raises(ChurnDataError, match=r"as far down as cell A1000: .* 1,000 rows, more "):
        read_table(data, limits=Limits(max_rows=100))
    assert read_table(data, limits=Limits(max_rows=1000)).frame.shape == (6, 2)
    wide = xlsx({"Data": six_rows() + row(7, [("E7", 1)])})
    with pytest.raises(ChurnDataError, match=r"as far right as cell E7: .* 5 columns, more than"):
        read_table(wide, limits=Limits(max_cols=4))
    with pytest.raises(ChurnDataError, match=r"\(35 cells\), more than the limit of 34 cells"):
        read_table(wide, limits=Limits(max_cells=34))
    assert read_table(wide, limits=Limits(max_cells=35)).frame.shape == (6, 3)  # C, D empty
    monkeypatch.setenv("CHURNLENS_MAX_CELLS", "1234")
    assert Limits().max_cells == 1234
    monkeypatch.delenv("CHURNLENS_MAX_CELLS")
    assert Limits().max_cells == 50_000_000


def test_a_normal_workbook_reads_exactly_as_without_the_guard(monkeypatch):
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["id", "plan", "fee", "joined"])
    for i in range(1, 301):
        ws.write_row(
            i, 0, [f"C{i:04d}", ["Basic", "Pro"][i % 2], i * 1.5, f"2024-01-{i % 28 + 1:02d}"]
        )
    ws.write(150, 5, None, wb.add_format({"bold": True}))  # a styled empty cell
    wb.close()
    data = buf.getvalue()
    guarded = read_table(data)
    monkeypatch.setattr(sg, "check_workbook", lambda *a, **k: None)
    pd.testing.assert_frame_equal(guarded.frame, read_table(data).frame)
    assert extent(g_xlsx.xlsx_extents(data, None)[0]) == (1204, 1, 301, 1, 4)


def test_only_the_named_sheet_is_checked(contained):
    pd.testing.assert_frame_equal(read_table(NOTES_FAR, sheet="Data").frame, SIX, check_dtype=False)
    # the sheet picker would read every sheet, so every sheet is checked
    assert contained["far_in_notes.xlsx"]["error"].startswith(
        "Sheet 'Notes' has values as far out as GR2000000"
    )


def test_a_second_r_attribute_is_not_trusted(contained):
    # calamine keeps the later r="XFD1048576" (and aborts); the guard refuses the tag
    assert contained["second_r.xlsx"]["error"].startswith(
        "The workbook was not opened: the XML of sheet 'Data' is malformed (duplicate attribute"
    )


def test_prefixed_cells_and_cells_without_r_are_placed_like_calamine(contained):
    assert "as far right as cell XFD1048576" in contained["prefixed.xlsx"]["error"]
    # no r: the row's r and the cell's place in the row give the position
    implied = "".join(
        f'<row r="{i}"><c t="inlineStr"><is><t>{v}</t></is></c><c><v>{i * 10}</v></c></row>'
        for i, v in [(1, "id")] + [(i, f"C{i}") for i in range(2, 7)]
    )
    ext = g_xlsx.xlsx_extents(xlsx({"Data": implied}), None)[0]
    assert extent(ext) == (12, 1, 6, 1, 2)
    far = xlsx({"Data": six_rows() + '<row r="1048576"><c><v>1</v></c></row>'})
    assert extent(g_xlsx.xlsx_extents(far, None)[0]) == (13, 1, 1048576, 1, 2)


def test_chunk_boundaries_do_not_change_what_is_found(monkeypatch):
    rows = "".join(
        row(i, [(f"A{i}", f"C{i}"), (f"B{i}", i), (f"C{i}", "x")]) for i in range(1, 400)
    )
    pad = '<row r="400"><c r="D400" s="1"/><c r="E400" s="1"></c></row>'
    data = xlsx({"Data": rows + pad + row(401, [("F401", 7)])})
    expect = (399 * 3 + 1, 1, 401, 1, 6)
    assert extent(g_xlsx.xlsx_extents(data, None)[0]) == expect
    for size in (37, 64, 101, 1000):
        monkeypatch.setattr(g_shared, "CHUNK", size)
        assert extent(g_xlsx.xlsx_extents(data, None)[0]) == expect, size


def test_the_fast_reader_matches_the_exact_reader_on_odd_tags():
    body = six_rows() + (
        '<row r="7"><c r="a7" s="1" t="n"><v>1</v></c>'  # lower-case column
        '<c r="B7" s="1" t="inlineStr" cm="1" vm="1" ph="1" xyz="a-long-tag-attribute">'
        "<is><t>x</t></is></c>"  # a tag longer than the bulk window
        '<c r="C7" x="&gt;/"/></row>'  # a quote-protected '/' before the end
        '<row r="8"><c r="D8" title="a&gt;b" s="1"/></row>'
    )
    data = xlsx({"Data": body})
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo("xl/worksheets/sheet1.xml")
    fast = g_xlsx._xlsx_sheet(zf, info, "Data")
    exact = g_xlsx._xlsx_sheet_exact(zf, info, "Data")
    assert extent(fast) == extent(exact) == (14, 1, 7, 1, 2)


# ------------------------------------------------------------------------------------
# ODS
# ------------------------------------------------------------------------------------


def test_libreoffice_trailing_padding_reads():
    # LibreOffice pads rows to its used width and the sheet to row 1,048,576 with
    # repeated empty cells and rows; calamine never materialises a trailing empty run
    rows = orow([ocell("id"), ocell("fee"), ocell(None, 1022)]) + "".join(
        orow([ocell(f"C{i}"), ocell(i * 10), ocell(None, 1022)]) for i in range(2, 7)
    )
    data = ods({"Data": rows + orow([ocell(None, 1024)], 1_048_570)})
    pd.testing.assert_frame_equal(read_table(data).frame, SIX, check_dtype=False)
    assert extent(g_ods.ods_extents(data)[0]) == (12, 1, 6, 1, 2)


def test_ods_empty_rows_before_a_far_value_are_padding():
    data = ods({"Data": ods_six() + orow([ocell(None, 2)], 1_000_000) + orow([ocell(1)])})
    with pytest.raises(
        ChurnDataError, match=r"its values reach A1000007 and B1, a grid of 2,000,014 cells"
    ):
        read_table(data)


def test_ods_repeated_rows_with_values_count_against_the_row_cap():
    data = ods({"Data": ods_six() + orow([ocell(1), ocell(2)], 3_000_000)})
    with pytest.raises(ChurnDataError, match=r"as far down as cell B3000006: .* 3,000,006 rows"):
        read_table(data)


def test_ods_repeats_are_counted_like_calamine(monkeypatch):
    table = (
        orow([ocell("a"), ocell(None, 3), ocell(5)])  # values in columns 1 and 5
        + orow([ocell(None, 2), ocell(1, 2)], 4)  # rows 2-5: columns 3-4
        + orow([ocell(None)], 10)  # rows 6-15 empty
        + orow([ocell(None, 6), ocell("z")])  # row 16, column 7
        + orow([ocell(None, 100)], 50)  # trailing padding
    )
    data = ods({"First": table, "Second": ods_six()})
    expect = [(2 + 2 * 4 + 1, 1, 16, 1, 7), (12, 1, 6, 1, 2)]
    assert [extent(e) for e in g_ods.ods_extents(data)] == expect
    assert [e.sheet for e in g_ods.ods_extents(data)] == ["First", "Second"]
    for size in (29, 50, 113, 400):
        monkeypatch.setattr(g_shared, "CHUNK", size)
        assert [extent(e) for e in g_ods.ods_extents(data)] == expect, size


# ------------------------------------------------------------------------------------
# XLS
# ------------------------------------------------------------------------------------


def test_xls_reads_and_far_cells_are_found(contained):
    plain = bytes(xls())
    pd.testing.assert_frame_equal(read_table(plain).frame, SIX, check_dtype=False)
    assert extent(g_xls.xls_extents(plain)[0]) == (12, 1, 6, 1, 2)
    assert "its values reach IV65536, a grid of 16,777,216 cells" in contained["far.xls"]["error"]


# ------------------------------------------------------------------------------------
# Odds and ends
# ------------------------------------------------------------------------------------


def test_cell_references_are_read_as_calamine_reads_them():
    assert g_shared.parse_ref(b"A1") == (1, 1)
    assert g_shared.parse_ref(b"xfd1048576") == (1048576, 16384)
    assert g_shared.parse_ref(b"A0001") == (1, 1)
    assert (
        g_shared.parse_ref(b"1") is None
        and g_shared.parse_ref(b"A") is None
        and g_shared.parse_ref(b"A1$") is None
    )
    assert [g_extent.address(c) for c in [(1, 1), (7, 26), (7, 27), (2000000, 200)]] == [
        "A1",
        "Z7",
        "AA7",
        "GR2000000",
    ]


def test_nothing_but_workbooks_is_looked_at():
    assert sg.check_workbook(b"not a zip", "xlsx", None, Limits()) is None
    assert sg.check_workbook(b"", "ods", None, Limits()) is None
    assert sg.check_workbook(b"\xd0\xcf\x11\xe0" + bytes(600), "xls", None, Limits()) is None
    assert np.array_equal(g_xlsx._cells_fast(b"<sheetData></sheetData>", 10)[0], g_shared.NONE)


def test_sheet_parts_are_still_checked_when_the_index_parts_cannot_be_followed():
    data = xlsx({"Data": six_rows() + row(2_000_000, [("GR2000000", 1)])})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith(".rels"):
                dst.writestr(info, src.read(info))
    (ext,) = g_xlsx.xlsx_extents(buf.getvalue(), None)
    assert extent(ext) == (13, 1, 2_000_000, 1, 200)
