"""The PDF writer: the report's HTML page printed to A4 by WeasyPrint, fonts embedded.

The same HTML as :func:`churn.report.html_writer.report_html` (one source of truth); the
page's font list names Nanum Gothic, so Hangul is drawn with an installed Korean font and
embedded (a subset) in the file. WeasyPrint is imported only when a PDF is asked for.
"""

from __future__ import annotations

import re

from churn.errors import ChurnDataError
from churn.text import msg

_UNIT = re.compile(r"(\d) (%|points\b)")
_SHORT_CELL = re.compile(r"<td>([^<]{1,16})</td>")
_CELL = re.compile(r"(<td[^>]*>)(.*?)(</td>)", re.S)
_TEXT = re.compile(r"(?<=>)([^<]+)|^([^<]+)")
_HANGUL_WORD = re.compile(r"\S*[\uac00-\ud7a3]\S*")
#: A word that must not break inside: WeasyPrint (70) knows only word-break normal and
#: break-all (css/validation/properties.py), not keep-all, and breaks Hangul between
#: syllables; a no-wrap span leaves the spaces between words as the only breaks.
_KEEP = "<style>span.kw{white-space:nowrap}</style>"


def keep_words(page: str) -> str:
    """``page`` with each Korean word of a table cell in a no-wrap span, so a narrow
    column breaks a long Korean reason only between words."""

    def words(text: str) -> str:
        return _HANGUL_WORD.sub(r'<span class="kw">\g<0></span>', text)

    def cell(m: re.Match) -> str:
        inner = _TEXT.sub(lambda t: words(t.group(0)), m.group(2))
        return m.group(1) + inner + m.group(3)

    out = _CELL.sub(cell, page)
    return out.replace("</head>", _KEEP + "</head>", 1) if "</head>" in out else _KEEP + out


def pdf_available() -> bool:
    """True when WeasyPrint and its system libraries (Pango) can be loaded."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def report_pdf(page: str) -> bytes:
    """The HTML ``page`` as PDF bytes (charts are ``data:`` SVG images: no network)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise ChurnDataError(
            msg("a PDF cannot be written on this machine: WeasyPrint is not installed."),
            fix=msg("install it with 'pip install weasyprint', or download the HTML and print it."),
        ) from exc

    # a number keeps its unit on the printed line ("35 %", not "35" and "%" on two lines)
    page = _UNIT.sub("\\1\u00a0\\2", page)
    # short cells (a code, a level, yes/no) stay on one line: WeasyPrint has no
    # word-break:keep-all, so a narrow column would break a Korean word between syllables
    page = _SHORT_CELL.sub(r'<td class="s">\1</td>', page)
    page = keep_words(page)  # and a long Korean reason breaks only between words
    # the page holds no external reference (charts are data: URIs): nothing is fetched
    return weasyprint.HTML(string=page).write_pdf()
