"""Property-based tests (hypothesis): the reader, the label normaliser, metric invariants.

Example counts are bounded so the whole file runs in well under a minute on two cores.
"""

from __future__ import annotations

import csv
import re
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from churn.io import read_table
from churn.metrics import period_table
from churn.roles import (
    ACTIVE_WORDS,
    CHURNED_WORDS,
    ColumnRoles,
    label_key,
    map_label,
    normalize_label_values,
)
from churn.segments import churn_by_segment
from churn.shapes import build_customer_table

# No shrinking phase: a failure prints the example as generated, and a slow shrink can
# never hold the test suite for minutes.
FAST = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)

# ------------------------------------------------------------------------------------
# Reader: frames of text and numbers round-trip through CSV
# ------------------------------------------------------------------------------------

# Text that is clearly text: starts with a letter (so never a number, a date or an NA
# marker), may hold Korean, spaces, quotes, delimiters and newlines inside.
_ALPHA = string.ascii_letters + "가나다라마바사아자차카타파하"
_INNER = _ALPHA + string.digits + " ,;|'\"\t-_.가한"
words = st.builds(
    lambda a, b: a + b.rstrip(),
    st.sampled_from(list(_ALPHA)),
    st.text(alphabet=_INNER, max_size=12),
)
ints = st.integers(min_value=-(10**9), max_value=10**9)
floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=1, max_value=15))
    kinds = draw(st.lists(st.sampled_from(["text", "int", "float"]), min_size=2, max_size=5))
    data = {}
    for j, kind in enumerate(kinds):
        # header cleaning collapses runs of spaces (documented): use names already clean
        col = re.sub(r"\s+", " ", draw(words)).strip()
        name = f"{col or 'c'}_{j}"
        if kind == "text":
            data[name] = draw(st.lists(words, min_size=n, max_size=n))
        elif kind == "int":
            data[name] = draw(st.lists(ints, min_size=n, max_size=n))
        else:
            data[name] = draw(st.lists(floats, min_size=n, max_size=n))
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    "sep,encoding,quoting",
    [
        (",", "utf-8", csv.QUOTE_MINIMAL),
        (";", "utf-8-sig", csv.QUOTE_NONNUMERIC),
        ("\t", "utf-16", csv.QUOTE_MINIMAL),
        ("|", "cp949", csv.QUOTE_NONNUMERIC),
        (",", "euc-kr", csv.QUOTE_NONNUMERIC),
    ],
)
@FAST
@given(df=frames())
def test_reader_round_trips_text_and_numbers(df, sep, encoding, quoting):
    if quoting == csv.QUOTE_MINIMAL:
        # unquoted, another delimiter inside a value is ambiguous to any sniffer: keep only
        # this file's own delimiter (which the writer quotes)
        other = "".join(d for d in ",;\t|" if d != sep)
        df = df.apply(
            lambda c: (
                c.str.translate(str.maketrans(other, "_" * len(other)))
                if not pd.api.types.is_numeric_dtype(c)
                else c
            )
        )
    if encoding in ("cp949", "euc-kr"):
        # A real Korean file has Korean text. With only a syllable or two, EUC-KR bytes can
        # also be valid UTF-8 (e.g. 타 = C5 B8 = "Ÿ"), and no reader can tell them apart.
        df.insert(
            0,
            "고객명",
            ["김민준", "이서연", "박지호"] * (len(df) // 3) + ["최유진"] * (len(df) % 3),
        )
    # a ";" file means decimal commas to the reader: write floats that way
    text = df.to_csv(
        index=False,
        sep=sep,
        decimal="," if sep == ";" else ".",
        lineterminator="\n",
        quoting=quoting,
    )
    got = read_table(text.encode(encoding)).frame
    assert list(got.columns) == list(df.columns)
    assert len(got) == len(df)
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]):  # text (pandas 3: the str dtype)
            assert got[c].tolist() == df[c].tolist(), c
        else:
            assert got[c].dtype.kind in "if", c
            np.testing.assert_allclose(got[c].to_numpy(float), df[c].to_numpy(float), rtol=1e-12)


# ------------------------------------------------------------------------------------
# Label normaliser
# ------------------------------------------------------------------------------------

vocabulary = sorted(CHURNED_WORDS | ACTIVE_WORDS)
label_values = st.lists(
    st.one_of(st.sampled_from(vocabulary), st.text(max_size=8), st.integers(-2, 3)),
    max_size=12,
)


def _restyle(value: str, how: int) -> str:
    """Change case and padding (the same label to a person)."""
    styles = (str.upper, str.lower, str.title, lambda v: f"  {v} ", lambda v: f"\t{v.upper()}")
    return styles[how % len(styles)](value)


@settings(max_examples=150, deadline=None, database=None)
@given(values=label_values)
def test_churned_and_active_never_overlap(values):
    churned, active = normalize_label_values(values)
    assert not set(churned) & set(active)
    assert not {label_key(v) for v in churned} & {label_key(v) for v in active}
    # every value that is mapped maps to the side it was put on
    s = pd.Series(list(churned) + list(active), dtype=object)
    y = map_label(s, churned, active)
    assert y.tolist() == [1.0] * len(churned) + [0.0] * len(active)


@settings(max_examples=150, deadline=None, database=None)
@given(values=st.lists(st.sampled_from(vocabulary), min_size=1, max_size=8), how=st.integers(0, 9))
def test_case_and_space_do_not_change_the_mapping(values, how):
    churned, active = normalize_label_values(values)
    styled = [_restyle(v, how + i) for i, v in enumerate(values)]
    churned2, active2 = normalize_label_values(styled)
    assert {label_key(v) for v in churned2} == {label_key(v) for v in churned}
    assert {label_key(v) for v in active2} == {label_key(v) for v in active}
    # and the mapping of the raw column is the same either way
    y1 = map_label(pd.Series(values, dtype=object), churned, active)
    y2 = map_label(pd.Series(styled, dtype=object), churned2, active2)
    pd.testing.assert_series_equal(y1, y2)


# ------------------------------------------------------------------------------------
# Metric invariants on random subscription tables
# ------------------------------------------------------------------------------------

ROLES = ColumnRoles(
    id="customer_id", start="start", end="end", features=("plan",), categorical=("plan",)
)
DAY0 = pd.Timestamp("2023-01-01")


@st.composite
def subscriptions(draw):
    n = draw(st.integers(min_value=2, max_value=60))
    starts = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    lengths = draw(st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=n, max_size=n))
    plans = draw(st.lists(st.sampled_from(["basic", "pro", "team", None]), min_size=n, max_size=n))
    start = [DAY0 + pd.Timedelta(days=s) for s in starts]
    end = [
        pd.NaT if ln is None else DAY0 + pd.Timedelta(days=s + ln)
        for s, ln in zip(starts, lengths, strict=True)
    ]
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "start": pd.to_datetime(pd.Series(start)),
            "end": pd.to_datetime(pd.Series(end)),
            "plan": plans,
        }
    )


def _table(df):
    return build_customer_table(df, ROLES, snapshot=DAY0 + pd.Timedelta(days=950))


@FAST
@given(df=subscriptions(), period=st.sampled_from(["week", "month", "quarter"]))
def test_period_table_invariants(df, period):
    table = _table(df)
    for definition in ("start", "start_plus_new", "lost_over_new"):
        try:
            p = period_table(table, period=period, definition=definition)
        except KeyError:
            continue  # a definition registered under another name
        rates = p["churn_rate"].dropna()
        assert ((rates >= 0) & (rates <= 1 + 1e-12)).all() or definition == "lost_over_new"
        assert (p["ci_low"].dropna() >= 0).all() and (p["ci_high"].dropna() <= 1).all()
        assert (p["active_end"] == p["active_start"] + p["new"] - p["churned"]).all()
        assert (p["active_start"].iloc[1:].to_numpy() == p["active_end"].iloc[:-1].to_numpy()).all()
        assert p["active_start"].iloc[0] == 0
        assert (p["active_end"] >= 0).all()
        assert p["new"].sum() == len(df)
        assert p["churned"].sum() == table.n_churned


def test_period_definitions_exist():
    from churn.metrics import CHURN_DEFINITIONS

    assert {"start"} <= set(CHURN_DEFINITIONS)


@FAST
@given(df=subscriptions())
def test_start_definition_rate_within_0_1(df):
    p = period_table(_table(df), period="month", definition="start")
    rates = p["churn_rate"].dropna()
    assert ((rates >= 0) & (rates <= 1)).all()
    assert (p["numerator"] <= p["denominator"]).all()


@FAST
@given(df=subscriptions())
def test_segments_add_up_to_the_total(df):
    table = _table(df)
    seg = churn_by_segment(table, "plan")
    labelled = table.frame["churned"].notna()
    assert seg["customers"].sum() == int(labelled.sum())
    assert seg["churned"].sum() == table.n_churned
    assert seg.attrs["overall_churned"] == table.n_churned
    assert ((seg["churn_rate"] >= 0) & (seg["churn_rate"] <= 1)).all()
    np.testing.assert_allclose(seg["churn_rate"], seg["churned"] / seg["customers"])


@FAST
@given(df=subscriptions(), seed=st.integers(0, 2**31 - 1))
def test_shuffling_rows_changes_nothing(df, seed):
    shuffled = df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    t1, t2 = _table(df), _table(shuffled)
    f1 = t1.frame.sort_values("customer_id").reset_index(drop=True)
    f2 = t2.frame.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(f1, f2)
    assert t1.snapshot == t2.snapshot
    pd.testing.assert_frame_equal(period_table(t1), period_table(t2))
    s1 = churn_by_segment(t1, "plan").sort_values("segment").reset_index(drop=True)
    s2 = churn_by_segment(t2, "plan").sort_values("segment").reset_index(drop=True)
    pd.testing.assert_frame_equal(s1, s2)
