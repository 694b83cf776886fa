"""The real kind of a file, from its first bytes (never from its name).

:func:`sniff_kind` tells zip (XLSX/ODS), OLE2 (XLS), Parquet and text apart and refuses
what is clearly not a table (images, executables, PDFs, archives, web pages) with
:func:`refuse`; :func:`empty_file` is the error for a file without content.
"""

from __future__ import annotations

from churn.errors import ChurnDataError
from churn.text import Text, msg

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES: tuple[tuple[bytes, Text, str], ...] = (
    (b"\x89PNG", msg("a PNG image"), "image"),
    (b"\xff\xd8\xff", msg("a JPEG image"), "image"),
    (b"GIF8", msg("a GIF image"), "image"),
    (b"II*\x00", msg("a TIFF image"), "image"),
    (b"MM\x00*", msg("a TIFF image"), "image"),
    (b"%PDF", msg("a PDF document"), "pdf"),
    (b"\x7fELF", msg("a Linux executable (ELF)"), "exe"),
    (b"MZ", msg("a Windows executable"), "exe"),
    (b"\xca\xfe\xba\xbe", msg("a macOS executable"), "exe"),
    (b"\xcf\xfa\xed\xfe", msg("a macOS executable"), "exe"),
    (b"\xfe\xed\xfa\xcf", msg("a macOS executable"), "exe"),
    (b"\x1f\x8b", msg("a gzip-compressed file"), "archive"),
    (b"BZh", msg("a bzip2-compressed file"), "archive"),
    (b"7z\xbc\xaf\x27\x1c", msg("a 7-Zip archive"), "archive"),
    (b"Rar!", msg("a RAR archive"), "archive"),
    (b"\xfd7zXZ\x00", msg("an XZ-compressed file"), "archive"),
    (b"SQLite format 3\x00", msg("an SQLite database"), "other"),
    (b"ID3", msg("an MP3 audio file"), "other"),
    (b"OggS", msg("an audio/video file"), "other"),
    (b"{\\rtf", msg("an RTF document"), "other"),
    (b"\x00asm", msg("a WebAssembly binary"), "exe"),
)


def refuse(name: str | None, seems: Text, fix: str = "upload") -> ChurnDataError:
    """Not a data table; ``fix``: "upload", "archive" (decompress), "unzip" or "word"."""
    return ChurnDataError(
        msg("'{name}' is not a data table: it seems to be {seems}.", name=name, seems=seems)
        if name
        else msg("The file is not a data table: it seems to be {seems}.", seems=seems),
        fix=msg("decompress it and upload the CSV or Excel file inside.")
        if fix == "archive"
        else msg("unzip it and upload the CSV or Excel file inside.")
        if fix == "unzip"
        else msg("copy the table into Excel and save it as .xlsx.")
        if fix == "word"
        else msg("upload the customer data as CSV, Excel (.xlsx, .xls) or Parquet instead."),
    )


def sniff_kind(data: bytes, name: str | None) -> str:
    """'zip', 'ole2', 'parquet' or 'text'; refuse what is clearly not a table."""
    head = data[:64]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(b"PAR1"):
        return "parquet"
    for sig, what, group in _SIGNATURES:
        if head.startswith(sig):
            if group == "archive":
                raise refuse(name, what, "archive")
            raise refuse(name, what)
    if head[4:8] == b"ftyp":
        raise refuse(name, msg("a video or image file (MP4/HEIC)"))
    if head.startswith(b"RIFF"):
        raise refuse(name, msg("an audio/video or WebP file (RIFF)"))
    if head.startswith(b"BM") and len(data) > 14:
        declared = int.from_bytes(data[2:6], "little")
        if declared == len(data):
            raise refuse(name, msg("a BMP image"))
    # A web page, often saved by a reporting system under an .xls name: Excel opens it,
    # but it is not a table this reader parses (it would become one column of tags).
    lead = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lead.startswith((b"<!doctype html", b"<html", b"<table")) or (
        lead.startswith(b"<?xml") and b"<html" in lead
    ):
        raise refuse(name, msg("a web page (HTML)"), "word")
    return "text"


def empty_file(name: str | None) -> ChurnDataError:
    """The file is empty (or only blanks)."""
    return ChurnDataError(
        msg("'{name}' is empty.", name=name) if name else msg("The file is empty."),
        fix=msg("export the data again: the file needs a header row and at least one row of data."),
    )
