"""Text decoding: the bytes of a text file to ``str``, with the encoding's label.

BOMs (UTF-8/16/32), BOM-less UTF-16, UTF-8, UTF-8 files with some lines in a legacy
encoding (:func:`_decode_mixed`, one note), CP949 Korean, then a detected code page, and
Latin-1 as the last resort (with a note).
"""

from __future__ import annotations

from churn.errors import ChurnDataError
from churn.io.limits import snip
from churn.io.result import ReadNote
from churn.io.sniff import refuse
from churn.text import msg

_SAMPLE = 1 << 20  # bytes looked at for detection


def _looks_utf16(sample: bytes) -> str | None:
    """utf-16-le/be for BOM-less UTF-16 (NUL every other byte in ASCII-heavy text)."""
    s = sample[:4096]
    if len(s) < 4:
        return None
    even = s[0::2].count(0) / max(1, len(s[0::2]))
    odd = s[1::2].count(0) / max(1, len(s[1::2]))
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _korean_plausible(text: str) -> bool:
    """True if the non-ASCII characters of ``text`` read as ordinary Korean.

    CP949 accepts many byte pairs, so Latin-1 text can decode "successfully" into
    gibberish; real Korean text uses mostly the 2,350 common syllables of KS X 1001
    (exactly what EUC-KR can encode), which such gibberish rarely does.
    """
    chars = [c for c in text if ord(c) > 127]
    if not chars:
        return True
    common = 0
    for c in chars:
        if "\uac00" <= c <= "\ud7a3" or c in "·※○●◎△▲▽▼□■◇◆☆★":
            try:
                c.encode("euc_kr")
                common += 1
            except UnicodeEncodeError:
                pass
    return common / len(chars) >= 0.9


def _legacy_encoding(lines: list[bytes]) -> str:
    """The legacy encoding of the lines that are not UTF-8: Korean, else Western."""
    joined = b"\n".join(lines[:2000])
    try:
        if _korean_plausible(joined.decode("cp949")):
            return "cp949"
    except UnicodeDecodeError:
        pass
    try:
        joined.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_mixed(data: bytes) -> tuple[str, str, list[ReadNote]] | None:
    """A UTF-8 file in which some lines were saved in a legacy encoding, decoded line by line.

    Files glued together from two exports (or edited in two programs) mix UTF-8 lines with
    CP949 or Windows-1252 lines. Decoding the whole file in one legacy encoding would garble
    every UTF-8 line (``지역`` read as CP1251 is ``м§Ђм—­``), so each line keeps UTF-8 when
    it is valid UTF-8 and the others are decoded in the legacy encoding their bytes fit;
    a note says how many lines and which. Legacy Korean or accented text is practically
    never valid UTF-8 (its lead bytes are UTF-8 continuation bytes), so the split is safe.
    Returns None when no line with non-ASCII text is valid UTF-8 (a plain legacy file).
    """
    lines = data.split(b"\n")
    utf8 = 0
    bad: list[int] = []
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            bad.append(i)
    if utf8 == 0 or not bad:
        return None
    enc = _legacy_encoding([lines[i] for i in bad])
    out = [ln.decode("utf-8") if ln.isascii() else "" for ln in lines]
    bad_set = set(bad)
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        out[i] = line.decode(enc, errors="replace") if i in bad_set else line.decode("utf-8")
    first = ", ".join(str(i + 1) for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
    note = ReadNote(
        msg(
            "The file mixes encodings: {n:,} of {total:,} lines were not UTF-8 and were read "
            "as {encoding} (lines {lines}); the other lines were read as UTF-8. Check the "
            "names and values on those lines, and save the file again as 'CSV UTF-8' for a "
            "clean read.",
            n=len(bad),
            total=len(lines) - (1 if lines and lines[-1] == b"" else 0),
            encoding=_ENCODING_NAMES.get(enc, enc),
            lines=first,
        ),
        "mixed_encoding",
        lines=len(bad),
        encoding=enc,
    )
    return "\n".join(out), f"utf-8+{enc}", [note]


_ENCODING_NAMES = {"cp949": "CP949 (Korean)", "cp1252": "Windows-1252", "latin-1": "Latin-1"}


def decode_text(data: bytes, name: str | None) -> tuple[str, str, list[ReadNote]]:
    """Decode text bytes; return (text, encoding label, notes)."""
    notes: list[ReadNote] = []
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", notes
        except UnicodeDecodeError:
            pass  # a BOM followed by non-UTF-8 bytes: let detection decide
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), enc, notes
            except UnicodeDecodeError as exc:
                raise ChurnDataError(
                    msg(
                        "The file starts like {encoding} text but is damaged ({reason}).",
                        encoding=enc.upper(),
                        reason=snip(exc.reason),
                    ),
                    fix=msg("save it again from Excel as 'CSV UTF-8' and upload that file."),
                ) from None
    sample = data[:_SAMPLE]
    enc16 = _looks_utf16(sample)
    if enc16:
        try:
            return data.decode(enc16), enc16, notes
        except UnicodeDecodeError:
            pass
    if b"\x00" in sample:
        raise refuse(name, msg("a binary file of an unknown kind (it contains NUL bytes)"))
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    try:
        if _korean_plausible(sample.decode("cp949", errors="ignore")):
            return data.decode("cp949"), "cp949", notes
    except UnicodeDecodeError:
        pass
    enc = None
    try:
        from charset_normalizer import from_bytes

        matches = from_bytes(sample[:200_000])
        best = matches.best()
        enc = best.encoding if best is not None else None
        # Ties between Western code pages are common on short samples: prefer
        # Windows-1252, what Excel writes for Western European text.
        for m in matches if best is not None else ():
            if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + 0.01:
                enc = "cp1252"
                break
    except Exception:  # detection is a best effort; fall through to Latin-1
        enc = None
    if enc:
        try:
            return data.decode(enc), enc, notes
        except (UnicodeDecodeError, LookupError):
            pass
    notes.append(
        ReadNote(
            msg(
                "The text encoding could not be recognised; the file was read as Latin-1, so "
                "some accented or Korean characters may look wrong. Save it from Excel as "
                "'CSV UTF-8' for a clean read."
            ),
            "encoding_unknown",
        )
    )
    return data.decode("latin-1"), "latin-1", notes
