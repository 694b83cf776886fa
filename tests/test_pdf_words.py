"""Issue 19: the PDF breaks a long Korean reason in the at-risk table only between words.

WeasyPrint 70 has no ``word-break: keep-all`` (its validator accepts normal and break-all)
and breaks Hangul between syllables; ``churn.report.pdf_writer.keep_words`` puts each
Korean word of a cell in a no-wrap span. The lines WeasyPrint lays out are read from its
layout boxes. (Korean is written as escapes: no Korean in Python source.)
"""

from __future__ import annotations

import re

import weasyprint

from churn.report.pdf_writer import keep_words

#: Five Korean words of four to six syllables (a made-up reason: "customer churn risk ...").
WORDS = [
    "\uace0\uac1d\uc774\ud0c8\uc704\ud5d8",
    "\uacc4\uc57d\ud615\ud0dc\uac00",
    "\uc6d4\ub2e8\uc704\uc774\uace0",
    "\uc0c1\ub2f4\uac74\uc218\uac00",
    "\ub298\uc5c8\uc2b5\ub2c8\ub2e4",
]
REASON = " ".join(WORDS * 2)


def page(reason: str) -> str:
    return (
        "<html><head><style>body{font-family:'Nanum Gothic';font-size:11pt}"
        "table{width:90pt;table-layout:fixed}</style></head><body><table>"
        f"<tr><td>K001</td></tr><tr><td>{reason}</td></tr></table></body></html>"
    )


def lines(html: str) -> list[str]:
    """The text of each laid-out line of the document's first page."""
    doc = weasyprint.HTML(string=html).render()
    out: list[str] = []

    def walk(box) -> None:
        if type(box).__name__ == "LineBox":
            out.append("".join(t.text for t in box.descendants() if hasattr(t, "text")))
            return
        for child in getattr(box, "children", []):
            walk(child)

    walk(doc.pages[0]._page_box)
    return [s for s in out if s.strip()]


def split_words(shown: list[str]) -> list[str]:
    """Korean words of REASON that no line holds whole."""
    found = [w for line in shown for w in line.split()]
    return [w for w in WORDS if w not in found]


def test_keep_words_wraps_only_korean_words_of_cells():
    html = keep_words("<html><head></head><body><p>\uace0\uac1d</p><td>ab \uace0\uac1d</td>")
    assert '<td>ab <span class="kw">\uace0\uac1d</span></td>' in html
    assert "<p>\uace0\uac1d</p>" in html  # outside a table cell: unchanged
    assert re.search(r"<style>span\.kw\{white-space:nowrap\}</style></head>", html)


def test_a_long_korean_reason_breaks_only_between_words_in_a_narrow_column():
    plain = lines(page(REASON))
    assert len(plain) > 3 and split_words(plain)  # WeasyPrint alone splits a word
    kept = lines(keep_words(page(REASON)))
    assert len(kept) > 3  # still wrapped over several lines
    assert split_words(kept) == []
    assert " ".join(kept).split()[1:] == REASON.split()  # every word once, in order
