"""Exact copies: customers equal in every feature and in the label, under different ids.

An export can hold the same customers twice under new ids (one public e-commerce file has
799 such rows among 5,630). Copies inflate a cross-validated score: a model is tested on
the twin of a customer it was trained on. :func:`copy_sets` finds them; validation reports
them (``churn.validate``, code ``duplicate_rows``) and cross-validation keeps each set of
copies in one fold (``churn.model.splits.cv_folds``).

Equal rows also happen by chance: when the columns have few values (three plans, a yes/no
flag, a small count), and among the plainest customers of a rich file (Telco's 7,043
customers include 22 new ones with one phone line, no internet and the same first bill).
Those are different customers who look alike, not copies. Rows count as copies only when

- most rows are distinct (:data:`DISTINCT_SHARE`): the columns can tell customers apart;
- at least :data:`MIN_COPY_SHARE` of the rows repeat another one: a handful of look-alikes
  among thousands is what chance gives;
- and at least :data:`COPY_RATIO` times more pairs of rows are equal than if the columns
  were unrelated (the chance of two rows matching is worked out column by column on a
  sample of :data:`CHANCE_ROWS` rows).

Finding equal rows is fast on a million: the numeric columns are hashed together first
(numpy, no Python per row), and only the rows whose numbers repeat are compared exactly,
one column at a time, keeping only rows that still have a twin. A large table is first
looked at through a sample: were :data:`MIN_COPY_SHARE` of its rows copies, a sample of
sqrt(100 n / MIN_COPY_SHARE) rows would hold about :data:`SAMPLE_PAIRS` equal pairs; when
it holds under a quarter of that (a chance below 1e-15 if the copies were there), the
table has too few copies to report and the whole of it is not compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from churn.errors import ValidationIssue
from churn.table import CHURNED, ID, CustomerTable
from churn.text import msg

#: Equal pairs must outnumber the pairs expected by chance this many times.
COPY_RATIO = 10.0
#: Share of rows that must repeat another row (below it, equal rows are look-alikes).
MIN_COPY_SHARE = 0.01
#: Share of distinct rows below which equal rows are expected (the columns cannot tell
#: the customers apart) and none counts as a copy.
DISTINCT_SHARE = 0.5
#: Rows on which the chance of a match is estimated.
CHANCE_ROWS = 20_000
#: Equal pairs a sample of a large table is sized to show when MIN_COPY_SHARE of its rows
#: repeat another one (the sample has sqrt(SAMPLE_PAIRS * n / MIN_COPY_SHARE) rows).
SAMPLE_PAIRS = 100

_MIX = np.uint64(0x9E3779B97F4A7C15)
_NAN_BITS = np.uint64(0x7FF8000000000001)


@dataclass(frozen=True, eq=False)
class CopySets:
    """Sets of rows equal in every compared column.

    Attributes
    ----------
    sets : int array, one entry per row: the set the row belongs to (0, 1, ... in order of
        each set's first row), or -1 for a row that has no copy.
    n_sets : number of sets.
    n_rows : rows that belong to a set (each set has at least two).
    ratio : equal pairs of rows found / pairs expected by chance (inf when a chance match
        is impossible, e.g. a column with a different value in every row).
    """

    sets: np.ndarray
    n_sets: int
    n_rows: int
    ratio: float

    @property
    def n_extra(self) -> int:
        """Rows that repeat an earlier row: the copies beyond the first of each set."""
        return self.n_rows - self.n_sets

    def first_sets(self, k: int = 3) -> list[np.ndarray]:
        """Positions of the rows of the first ``k`` sets (for examples)."""
        return [np.flatnonzero(self.sets == s) for s in range(min(k, self.n_sets))]

    def representatives(self) -> np.ndarray:
        """True for every row without a copy and for the first row of each set."""
        out = self.sets < 0
        in_set = np.flatnonzero(~out)
        _, first = np.unique(self.sets[in_set], return_index=True)
        out[in_set[first]] = True
        return out


def _is_number(col: pd.Series | np.ndarray) -> bool:
    """Whether the column holds numbers or booleans."""
    return pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)


def _number_bits(col: pd.Series | np.ndarray) -> np.ndarray | None:
    """64 bits per row that are equal when the numbers are (None for other columns)."""
    if not _is_number(col):
        return None
    values = col.to_numpy() if isinstance(col, pd.Series) else col
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu" and values.itemsize == 8:
        return values.view(np.uint64)  # integers: their own bits, no conversion
    series = col if isinstance(col, pd.Series) else pd.Series(col, copy=False)
    v = series.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 and 0.0: same bits
    bits = v.view(np.uint64)  # (v is a new array)
    bits[np.isnan(v)] = _NAN_BITS
    return bits


def _mix(h: np.ndarray | None, bits: np.ndarray) -> np.ndarray:
    """``h`` with one more column's bits mixed in (multiply-xorshift)."""
    h = bits * _MIX if h is None else (h ^ bits) * _MIX
    h ^= h >> np.uint64(32)
    return h


def _row_hash(columns: Sequence[pd.Series | np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row (equal rows, equal hash) of the numeric columns and of the
    text column with the most distinct values (one factorisation): it leaves few rows to
    compare exactly."""
    h = None
    text = []
    for j, col in enumerate(columns):
        bits = _number_bits(col)
        if bits is None:
            text.append(j)
        else:
            h = _mix(h, bits)
    if text:
        head = np.arange(min(len(columns[0]), 2000))
        best = max(text, key=lambda j: len(np.unique(_codes(columns[j], head))))
        h = _mix(h, _codes(columns[best], None).astype(np.uint64))
    return h


def _repeated(keys: np.ndarray) -> np.ndarray:
    """True where a key occurs more than once (a radix sort, then a hash lookup)."""
    s = np.sort(keys)
    twice = s[1:][s[1:] == s[:-1]]
    if len(twice) == 0:
        return np.zeros(len(keys), dtype=bool)
    return pd.Series(keys, copy=False).isin(np.unique(twice)).to_numpy()


def _codes(col: pd.Series | np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Integer codes of the column's values (missing is one more value) at ``rows``."""
    if isinstance(col, pd.Series):
        values = col.iloc[rows] if rows is not None else col
    else:
        values = pd.Series(col[rows] if rows is not None else col, copy=False)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    codes[codes < 0] = len(uniques)
    return codes


def _equal_rows(
    columns: Sequence[pd.Series | np.ndarray], n: int, least: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the rows that have an equal row, the set code of each), exactly; none
    when fewer than ``least`` rows can repeat another one."""
    h = _row_hash(columns)
    rows = np.flatnonzero(_repeated(h))
    if len(rows) == 0:
        return rows, rows
    # the rows left: hash every text column in too (on those rows only)
    h = h[rows]
    for col in columns:
        if not _is_number(col):
            h = _mix(h, _codes(col, rows).astype(np.uint64))
    rows = rows[_repeated(h)]
    if len(rows) - 1 < least:  # too few to matter (at most len(rows) - 1 repeat another)
        return rows[:0], rows[:0]
    # then compare exactly, column by column
    key = np.zeros(len(rows), dtype=np.int64)
    for j in _pruning_order(columns, rows):
        if len(rows) == 0:
            break
        codes = _codes(columns[j], rows)
        key = pd.factorize(key * (int(codes.max()) + 1) + codes)[0].astype(np.int64)
        keep = np.bincount(key)[key] > 1
        rows, key = rows[keep], key[keep]
        if not keep.all():
            key = pd.factorize(key)[0].astype(np.int64)
    return rows, pd.factorize(key)[0].astype(np.int64)


def _pruning_order(columns: Sequence[pd.Series | np.ndarray], rows: np.ndarray) -> list[int]:
    """Columns in the order that leaves the fewest rows soonest: text before numbers (the
    hash nearly matched the numbers), most distinct values (in the first rows) first."""
    head = rows[:2000]

    def rank(j: int) -> tuple[bool, int]:
        return _is_number(columns[j]), -len(np.unique(_codes(columns[j], head)))

    return sorted(range(len(columns)), key=rank)


def _chance_pairs(columns: Sequence[pd.Series | np.ndarray], n: int, distinct: np.ndarray) -> float:
    """Pairs of equal rows expected among ``n`` if the columns were unrelated: for each row
    of a sample of the ``distinct`` rows (one of each set of equal rows, so that the copies
    under test do not count as chance), the product over the columns of the share of other
    rows with its value."""
    rows = distinct
    if len(rows) > CHANCE_ROWS:
        pick = np.random.default_rng(0).choice(len(rows), size=CHANCE_ROWS, replace=False)
        rows = rows[np.sort(pick)]
    m = len(rows)
    if m < 2:
        return 0.0
    p = np.ones(m)
    for col in columns:
        codes = _codes(col, rows)
        others = np.bincount(codes)[codes] - 1
        p *= others / (m - 1)
        if not p.any():
            return 0.0
    return float(n * (n - 1) / 2 * p.mean())


def _too_few_in_sample(columns: Sequence[pd.Series | np.ndarray], n: int) -> bool:
    """Whether a sample of a large table shows too few equal pairs for copies to be
    :data:`MIN_COPY_SHARE` of its rows (see the module's description); False for a table
    small enough to compare whole."""
    m = int(np.ceil(np.sqrt(SAMPLE_PAIRS * n / MIN_COPY_SHARE)))
    if m > n // 2:
        return False
    pos = np.sort(np.random.default_rng(0).choice(n, size=m, replace=False))
    sample = [col.iloc[pos] if isinstance(col, pd.Series) else col[pos] for col in columns]
    _, key = _equal_rows(sample, m)
    sizes = np.bincount(key) if len(key) else np.zeros(0, dtype=np.int64)
    return float((sizes * (sizes - 1) / 2).sum()) < SAMPLE_PAIRS / 4


def copy_sets(columns: Sequence[pd.Series | np.ndarray]) -> CopySets | None:
    """Rows equal in every one of ``columns`` that are copies rather than look-alikes.

    Parameters
    ----------
    columns : sequence of Series or arrays of equal length
        The compared columns (a customer table's features and its label).

    Returns
    -------
    CopySets, or None when no two rows are equal or the equal rows are what chance
    gives (see the module's description).
    """
    if not columns:
        return None
    n = len(columns[0])
    if n < 2 or _too_few_in_sample(columns, n):
        return None
    rows, key = _equal_rows(columns, n, least=int(np.ceil(MIN_COPY_SHARE * n)))
    if len(rows) == 0:
        return None
    sizes = np.bincount(key)
    n_sets = len(sizes)
    n_extra = len(rows) - n_sets
    if (n - n_extra) / n < DISTINCT_SHARE or n_extra < MIN_COPY_SHARE * n:
        return None
    sets = np.full(n, -1, dtype=np.int64)
    sets[rows] = key
    copies = CopySets(sets=sets, n_sets=int(n_sets), n_rows=int(len(rows)), ratio=0.0)
    found = float((sizes * (sizes - 1) / 2).sum())
    expected = _chance_pairs(columns, n, np.flatnonzero(copies.representatives()))
    ratio = found / expected if expected > 0 else float("inf")
    if ratio < COPY_RATIO:
        return None
    return replace(copies, ratio=ratio)


def table_copies(table: CustomerTable) -> CopySets | None:
    """Copies among the customers of a table: rows equal in every feature and the label."""
    frame = table.frame
    cols = [c for c in table.features if c in frame.columns] + [CHURNED]
    return copy_sets([frame[c] for c in cols])


def copies_issue(table: CustomerTable) -> ValidationIssue | None:
    """The ``duplicate_rows`` warning of a customer table (None without copies): how many
    customers repeat another one under a different id, and some of their ids."""
    copies = table_copies(table)
    if copies is None:
        return None
    ids = table.frame[ID].to_numpy()
    examples = "; ".join(
        " = ".join(f"'{i}'" for i in ids[rows[:3]]) for rows in copies.first_sets(3)
    )
    return ValidationIssue(
        "warning",
        "duplicate_rows",
        None,
        msg(
            "{n:,} customers are exact copies of another customer under a different id: every "
            "feature and the label are equal ({sets:,} sets of copies, e.g. {examples}). "
            "Model evaluation keeps each set in one fold.",
            n=copies.n_extra,
            sets=copies.n_sets,
            examples=examples,
        ),
        msg(
            "If they are the same customers exported twice, remove the copies from the source "
            "file: they count twice in every rate."
        ),
        copies.n_extra,
    )
