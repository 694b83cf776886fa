"""Files that once took the server down, written by hand so a test controls every byte.

Shared by the reader tests, the CLI tests and the browser tests.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)

#: The six real rows of the small workbooks below (header + five customers).
ROWS = [
    ["customer_id", "plan", "monthly_fee", "churned"],
    ["C1", "Basic", 10, "Yes"],
    ["C2", "Pro", 30, "No"],
    ["C3", "Basic", 12, "No"],
    ["C4", "Pro", 28, "Yes"],
    ["C5", "Basic", 11, "No"],
]


def _col_letters(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(ref: str, value) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(dimension: str, extra_cells: str = "", extra_rows: str = "") -> bytes:
    """A one-sheet workbook with :data:`ROWS`, a declared ``dimension`` and extra XML.

    ``extra_cells`` is appended inside the last data row; ``extra_rows`` after it.
    """
    rows = []
    for i, values in enumerate(ROWS, start=1):
        cells = "".join(_cell(f"{_col_letters(j)}{i}", v) for j, v in enumerate(values, 1))
        if i == len(ROWS):
            cells += extra_cells
        rows.append(f'<row r="{i}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{"".join(rows)}{extra_rows}</sheetData>'
        "</worksheet>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def padded_xlsx() -> bytes:
    """Six real rows, a declared range reaching XFD1048576 and one styled empty far cell."""
    return xlsx("A1:XFD1048576", extra_rows='<row r="1048576"><c r="XFD1048576" s="1"/></row>')


def far_cell_xlsx(ref: str = "GR2000000", row: int = 2_000_000) -> bytes:
    """Six real rows and one real value far away (within the row and column caps)."""
    return xlsx(f"A1:{ref}", extra_rows=f'<row r="{row}">{_cell(ref, "x")}</row>')


#: Digests that a C number parser reads as numbers far past a double's range.
NASTY_DIGESTS = [
    "85e6677458279bc000d2c8c516a97e20",
    "85e66774582790000000000000000000",
    "1e999999999999999999999999999999",
    "00000000000000000000000000000000",
]


def hashed_csv_text(n: int = 60) -> str:
    """A small labelled customer CSV whose e-mail column holds MD5 hex digests."""
    lines = ["customer_id,email_md5,plan,monthly_fee,support_tickets,churned"]
    for i in range(n):
        digest = (
            NASTY_DIGESTS[i]
            if i < len(NASTY_DIGESTS)
            else hashlib.md5(f"user{i}@example.com".encode()).hexdigest()
        )
        plan = ("Basic", "Pro", "Team")[i % 3]
        churned = "Yes" if (i * 7) % 5 < 2 else "No"
        lines.append(f"C{i:04d},{digest},{plan},{10 + (i * 13) % 40},{i % 6},{churned}")
    return "\n".join(lines) + "\n"
