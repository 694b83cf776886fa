"""ODS: the extent of every table in ``content.xml``, rows and cells with their repeat
counts, read the way calamine reads them.

A cell counts when its tag carries an ``office:`` value or a formula. A trailing run of
empty rows or cells is never materialised; repeated cells with a value count once per
repeat.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from churn.io.guard.extent import Extent
from churn.io.guard.shared import NONE, PAD, SPACE, TAG_END, attribute, chunks, zip_members

_TABLE, _TABLE_END, _ROW, _ROW_END, _CELL = range(5)
_ODS_TAGS = (  # bytes after '<' -> kind (calamine matches these literal names)
    (b"table:table", _TABLE),
    (b"table:table-row", _ROW),
    (b"table:table-cell", _CELL),
    (b"table:covered-table-cell", _CELL),
)
# (Closing tags are not looked for: cells after a </table:table-row> or rows after a
# </table:table> are counted with the row or table before them, which only widens the box.)
_RE_VALUE = re.compile(rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAX_REPEAT = 1 << 40  # beyond every cap; keeps running sums inside 64 bits


def _matches(w64: np.ndarray, w: np.ndarray, text: bytes) -> np.ndarray:
    """Which windows (rows of ``w``, 32 bytes; ``w64`` the same as 64-bit words) start
    with ``text`` followed by a tag-name end."""
    pad = text.ljust(32, b"\0")
    mask = (b"\xff" * len(text)).ljust(32, b"\0")
    want = np.frombuffer(pad, dtype="<u8")
    keep = np.frombuffer(mask, dtype="<u8")
    hit = TAG_END[w[:, len(text)]]
    for i in range((len(text) + 7) // 8):
        hit &= (w64[:, i] & keep[i]) == want[i]
    return hit


def _words(buf: bytes) -> np.ndarray:
    """``w[i]``: the 8 bytes of ``buf`` from offset ``i`` as one little-endian number."""
    return np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))


def _is(words: np.ndarray, at: np.ndarray, text: bytes) -> np.ndarray:
    """Which positions ``at`` hold ``text`` (compared 8 bytes at a time)."""
    hit = np.ones(len(at), dtype=bool)
    for i in range(0, len(text), 8):
        part = text[i : i + 8]
        mask = (1 << (8 * len(part))) - 1
        hit &= (words[at + i] & np.uint64(mask)) == np.uint64(int.from_bytes(part, "little"))
    return hit


def _ods_tokens(buf: bytes, stop: int) -> tuple[np.ndarray, ...]:
    """Position, kind, repeat count and has-a-value of every table, row and cell tag that
    starts before ``stop``, in order.

    A tag's attributes are looked for from its start to the next table tag: whatever the
    quoting, nothing calamine reads as an attribute of it can sit elsewhere.
    """
    a = np.frombuffer(buf + bytes(PAD), dtype=np.uint8)
    want = int.from_bytes(b"<tab", "little")
    lt = np.sort(
        np.concatenate(
            [
                np.flatnonzero(np.frombuffer(buf, "<u4", count=(stop - o) // 4, offset=o) == want)
                * 4
                + o
                for o in range(min(4, stop))
            ]
        )
    )
    w = np.ascontiguousarray(sliding_window_view(a, 32)[lt])
    w64 = w.view("<u8")
    kind = np.full(len(lt), -1, dtype=np.int64)
    for text, k in _ODS_TAGS:
        kind[_matches(w64, w, b"<" + text)] = k
    pos, kind = lt[kind >= 0], kind[kind >= 0]
    value = np.zeros(len(pos), dtype=bool)
    reps = np.ones(len(pos), dtype=np.int64)
    if not len(pos):
        return pos, kind, reps, value
    # "office:..." and "table:formula" (a value), "table:number-...-repeated" (a count)
    padded = buf + bytes(PAD)
    words = _words(padded)
    n = stop - 1
    e_colon = int.from_bytes(b"e:", "little")
    colon = 1 + np.concatenate(
        (
            np.flatnonzero(np.frombuffer(padded, "<u2", count=n // 2) == e_colon) * 2,
            np.flatnonzero(np.frombuffer(padded, "<u2", count=(n - 1) // 2, offset=1) == e_colon)
            * 2
            + 1,
        )
    )  # each ':' after an 'e' (office: and table: end so)
    colon = colon[colon >= 7]
    before = a[colon - 6]
    office = colon[before == 111]  # o
    office = office[_is(words, office - 6, b"office:")]
    table = colon[(a[colon - 5] == 116) & (before != 60) & (before != 47)]  # not a tag name
    table = table[_is(words, table - 5, b"table:")]
    formula = table[_is(words, table + 1, b"formula")]
    for hits in (office, formula):
        owner = np.searchsorted(pos, hits, side="right") - 1
        value[owner[owner >= 0]] = True
    number = table[_is(words, table + 1, b"number-")]
    for text, tag_kind in ((b"number-columns-repeated", _CELL), (b"number-rows-repeated", _ROW)):
        m = len(text)
        at = number[_is(words, number + 1, text)] + 1 + m
        at = at[(a[at] == 61) | SPACE[a[at]]]
        owner = np.searchsorted(pos, at, side="right") - 1
        at, owner = at[owner >= 0], owner[owner >= 0]
        keep = kind[owner] == tag_kind
        at, owner = at[keep], owner[keep]
        if len(at):
            np.maximum.at(reps, owner, [_repeat_at(buf, int(i)) for i in at])
    return pos, kind, reps, value


def _repeat_at(buf: bytes, at: int) -> int:
    """The repeat count whose ``="..."`` starts at ``at`` (1 if calamine could not read it:
    it then stops with an error, so no grid is built)."""
    m = _RE_VALUE.match(buf, at, min(len(buf), at + 256))
    text = (m.group(1) if m.group(1) is not None else m.group(2)) if m else b""
    text = text.removeprefix(b"+")
    return min(int(text), _MAX_REPEAT) if text.isdigit() else 1


@dataclass
class _OpenRow:
    row: int  # 1-based row number
    reps: int
    cursor: int = 0  # 0-based column the next cell starts at
    first: int = -1  # 0-based first and last column holding a value
    last: int = -1
    count: int = 0  # values in one copy of the row

    def extend(self, width: int, first: int, last: int, count: int) -> None:
        if count:
            f = self.cursor + first
            self.first = f if not self.count else min(self.first, f)
            self.last = max(self.last, self.cursor + last)
            self.count += count
        self.cursor += width


def _row_parts(owner: np.ndarray, reps: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per run of cells with the same owner: owner, width, first/last value column
    (0-based, relative to the run) and number of values."""
    if not len(owner):
        return (NONE,) * 5
    starts_at = np.flatnonzero(np.diff(owner, prepend=owner[0] - 1))
    run_len = np.diff(np.append(starts_at, len(owner)))
    ends = np.cumsum(reps)
    col = ends - reps
    col = col - np.repeat(col[starts_at], run_len)
    big = np.iinfo(np.int64).max
    return (
        owner[starts_at],
        np.add.reduceat(reps, starts_at),
        np.minimum.reduceat(np.where(value, col, big), starts_at),
        np.maximum.reduceat(np.where(value, col + reps - 1, -1), starts_at),
        np.add.reduceat(np.where(value, reps, 0), starts_at),
    )


class _OdsScan:
    """content.xml, chunk by chunk, read the way calamine reads it: a row is the cells
    between ``<table:table-row>`` and the next row, table or row-end tag; its
    ``number-rows-repeated`` copies it; a cell's ``number-columns-repeated`` widens it."""

    def __init__(self) -> None:
        self.tables: list[Extent] = []
        self.in_table = False
        self.next_row = 1
        self.open: _OpenRow | None = None  # a row still open at the end of a chunk

    def _close(self) -> None:
        row, self.open = self.open, None
        if row is None or not row.count or not self.in_table:
            return
        bottom = row.row + row.reps - 1
        self.tables[-1].add_box(
            row.row, bottom, row.first + 1, row.last + 1, row.count * row.reps,
            (bottom, row.last + 1), (row.row, row.last + 1),
        )  # fmt: skip

    def feed(self, buf: bytes, stop: int) -> None:
        pos, kind, reps, value = _ods_tokens(buf, stop)
        tags = np.flatnonzero(kind != _CELL)  # table and row tags, in order
        cells = np.flatnonzero(kind == _CELL)
        owner = np.searchsorted(tags, cells) - 1  # -1: the row still open from before
        keys, width, first, last, count = _row_parts(owner, reps[cells], value[cells])
        if len(keys) and keys[0] == -1 and self.open is not None:
            self.open.extend(int(width[0]), int(first[0]), int(last[0]), int(count[0]))
        if not len(tags):
            return
        self._close()
        t_kind, t_reps = kind[tags], reps[tags]
        bounds = np.flatnonzero(t_kind <= _TABLE_END)
        for s, e in zip(np.append(0, bounds), np.append(bounds, len(tags)), strict=True):
            if s < e and t_kind[s] <= _TABLE_END:
                if t_kind[s] == _TABLE:
                    name = _table_name(buf, int(pos[tags[s]]))
                    self.tables.append(Extent(name or f"Sheet{len(self.tables) + 1}"))
                    self.in_table, self.next_row = True, 1
                else:
                    self.in_table = False
                s += 1
            rows = s + np.flatnonzero(t_kind[s:e] == _ROW)
            if not len(rows):
                continue
            r_reps = t_reps[rows]
            start = self.next_row + np.cumsum(r_reps) - r_reps
            self.next_row = int(start[-1] + r_reps[-1])
            i = np.minimum(np.searchsorted(keys, rows), max(len(keys) - 1, 0))
            has = (keys[i] == rows) if len(keys) else np.zeros(len(rows), dtype=bool)
            r_count = np.where(has, count[i] if len(keys) else 0, 0)
            r_first = np.where(has, first[i] if len(keys) else 0, 0)
            r_last = np.where(has, last[i] if len(keys) else 0, 0)
            if rows[-1] == len(tags) - 1:  # the chunk's last tag: the row stays open
                self.open = _OpenRow(int(start[-1]), int(r_reps[-1]))
                if has[-1]:
                    self.open.extend(
                        int(width[i[-1]]), int(r_first[-1]), int(r_last[-1]), int(r_count[-1])
                    )
                start, r_reps, r_first, r_last, r_count = (
                    x[:-1] for x in (start, r_reps, r_first, r_last, r_count)
                )
            self._add_rows(start, r_reps, r_first, r_last, r_count)

    def _add_rows(self, start, reps, first, last, count) -> None:
        keep = count > 0
        if not self.in_table or not keep.any():
            return
        start, reps, first, last, count = (x[keep] for x in (start, reps, first, last, count))
        bottom = start + reps - 1
        i, j = int(np.argmax(bottom)), int(np.argmax(last))
        self.tables[-1].add_box(
            int(start.min()),
            int(bottom[i]),
            int(first.min()) + 1,
            int(last[j]) + 1,
            int((count * reps).sum()),
            (int(bottom[i]), int(last[i]) + 1),
            (int(start[j]), int(last[j]) + 1),
        )

    def finish(self) -> list[Extent]:
        self._close()
        return self.tables


def _table_name(buf: bytes, at: int) -> str | None:
    end = buf.find(b"<", at + 1)
    tag = buf[at : end if end > 0 else len(buf)].decode("utf-8", "replace")
    return attribute(tag, "table:name")


def ods_extents(data: bytes) -> list[Extent]:
    """The extent of each table of the workbook (every copy of ``content.xml``)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    out: list[Extent] = []
    for info in zip_members(zf).get("content.xml", ()):
        scan = _OdsScan()
        tail = b""
        for block in chunks(zf, info):
            buf = tail + block
            cut = max(buf.rfind(b"<table:"), buf.rfind(b"</table:"))
            if cut > 0:
                scan.feed(buf, cut)
                buf = buf[cut:]
            tail = buf
        if tail:
            scan.feed(tail, len(tail))
        out += scan.finish()
    return out
