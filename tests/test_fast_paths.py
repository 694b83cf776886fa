"""The vectorised fast paths give exactly what the value-by-value code gave.

Each speed-up of the performance work (one call per distinct value instead of per row,
two single-threaded LightGBM fits or predictions side by side, ranking the at-risk list
before copying rows) is checked here against the straightforward version it replaced.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from churn import explain as E
from churn import model as M
from churn.explain.wording import value_text, value_texts
from churn.metrics import INVOLUNTARY_PATTERN, classify_reason
from churn.model import features as MF
from churn.model import trained as MT
from churn.roles import column_facts, infer_roles
from churn.sample import generate_subscriptions
from churn.segments.labels import _category_codes as seg_codes
from churn.segments.labels import _category_text as seg_text
from churn.shapes import build_customer_table

CASES = [
    pd.Series(["a", " b", None, np.nan, "a", ""]),
    pd.Series([1.0, 2.5, np.nan, -0.0, 0.0, 1e16, np.inf]),
    pd.Series([True, False, True]),
    pd.Series([1, 2, 3, 2]),
    pd.Series([True, 1, 1.0, "1"], dtype=object),  # equal values of different types
    pd.Series(["x", Decimal("NaN"), "x"], dtype=object),  # an odd missing marker
    pd.Series(pd.Categorical(["a", None, "b", "a"])),
    pd.Series(["a", pd.NA, "b"], dtype="string"),
    pd.Series(pd.to_datetime(["2024-01-01", None, "2024-01-01"])),
    pd.Series([1, None, 1], dtype="Int64"),
    pd.Series([], dtype=object),
    pd.Series([None, None], dtype=object),
]


def _same_objects(a: pd.Series, b: pd.Series) -> None:
    assert a.index.equals(b.index)
    assert len(a) == len(b)
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        assert type(x) is type(y) and (x == y or (pd.isna(x) and pd.isna(y))), (x, y)


@pytest.mark.parametrize("s", CASES, ids=range(len(CASES)))
def test_model_category_texts_equal_the_per_value_map(s):
    slow = s.astype(object).map(MF.category_text).astype(object)
    _same_objects(MF._category_texts(s), slow)


@pytest.mark.parametrize("s", CASES, ids=range(len(CASES)))
def test_segment_category_codes_equal_the_per_value_map(s):
    # the per-value text, an empty text counting as missing
    slow = s.astype(object).map(lambda v: None if pd.isna(v) or not seg_text(v) else seg_text(v))
    codes, texts = seg_codes(s)
    assert len(set(texts)) == len(texts)  # each distinct text once
    fast = [texts[c] if c >= 0 else None for c in codes]
    # pandas 3's map may hold a missing text as NaN rather than None
    expected = [None if pd.isna(x) else x for x in slow.tolist()]
    assert fast == expected
    # first-seen order, as value_counts lists ties
    assert texts == list(dict.fromkeys(x for x in expected if x is not None))


@pytest.mark.parametrize("s", CASES, ids=range(len(CASES)))
def test_reference_value_texts_equal_the_per_value_map(s):
    slow = s.map(value_text)
    fast = value_texts(s)
    assert [None if pd.isna(x) else x for x in fast.tolist()] == [
        None if pd.isna(x) else x for x in slow.tolist()
    ]
    pd.testing.assert_series_equal(
        fast.value_counts(normalize=True, dropna=False),
        slow.value_counts(normalize=True, dropna=False),
        check_exact=True,
        check_index_type=False,  # pandas 3 infers the str dtype for one and not the other
        check_dtype=False,  # and an Arrow-backed float for a "string" series
    )


@pytest.mark.parametrize(
    "s",
    [
        pd.Series(["Card declined", None, "price", "", "결제 실패", "moved"] * 5),
        pd.Series([1, 2, None], dtype=object),
        pd.Series(["payment failed", 3.5], dtype=object),
    ],
)
def test_classify_reason_equals_the_row_by_row_version(s):
    text = s.astype("string").fillna("")
    invol = text.str.contains(INVOLUNTARY_PATTERN, regex=True).fillna(False).astype(bool)
    slow = pd.Series(np.where(invol, "involuntary", "voluntary"), index=s.index)
    pd.testing.assert_series_equal(classify_reason(s), slow)


def test_role_facts_of_distinct_texts_equal_the_general_path():
    rng = np.random.default_rng(0)
    ids = pd.Series([f"C{i:06d}" for i in rng.permutation(3000)])
    padded = ids.where(rng.random(3000) < 0.5, " " + ids + " ")  # strip merges nothing
    dup = pd.Series(np.where(rng.random(3000) < 0.5, " a", "a"))  # strip merges levels
    for s in (ids, padded, dup):
        f = column_facts(s, "customer_id")
        texts = s.astype(str).str.strip()
        assert f.nunique == texts[texts != ""].nunique()


@pytest.fixture(scope="module")
def table():
    df = generate_subscriptions(3000)
    return build_customer_table(df, infer_roles(df))


def _predictions(tm) -> np.ndarray:
    return tm.predictions["score"].to_numpy()


def test_concurrent_fits_give_the_same_model(table, monkeypatch):
    both = M.train(table)
    spec = M.get_spec("lightgbm")
    monkeypatch.setitem(
        M.MODELS,
        "lightgbm",
        M.ModelSpec(spec.name, spec.label, spec.factory, spec.explainer, spec.notes),
    )
    one_by_one = M.train(table)
    np.testing.assert_equal(both.metrics, one_by_one.metrics)  # (NaN equals NaN here)
    np.testing.assert_array_equal(_predictions(both), _predictions(one_by_one))
    X = M.feature_frame(table)
    np.testing.assert_array_equal(both.predict_risk(X), one_by_one.predict_risk(X))


def test_scoring_in_two_halves_equals_one_pass(table, monkeypatch):
    tm = M.train(table)
    whole = M.score(tm, table)
    monkeypatch.setattr(MT, "CONCURRENT_PREDICT_ROWS", 10)  # read by pipeline_risk
    halves = M.score(tm, table)
    pd.testing.assert_series_equal(whole, halves, check_exact=True)


def _select_slow(table, risk, sort="risk", top=100, band=None):
    """select_at_risk as it was: copy the active rows, rank them all, keep the top."""
    frame = table.frame
    keep = (frame["churned"] != 1).to_numpy() & (frame["label_status"] != "churned").to_numpy()
    sub = frame.loc[keep]
    r = risk.reindex(sub["customer_id"].astype(str)).to_numpy(dtype=float)
    out = sub.assign(risk=r)
    out["value_at_risk"] = out["risk"] * out["value"].fillna(0.0).astype(float)
    if band is not None:
        out = out[(out["risk"] >= band[0]) & (out["risk"] <= band[1])]
    out = out[out["risk"].notna()]
    out = out.sort_values(sort, ascending=False, kind="mergesort")
    if top is not None:
        out = out.head(int(top))
    out["risk_rank"] = np.arange(1, len(out) + 1)
    return out


@pytest.mark.parametrize(
    "kw",
    [{}, {"top": None}, {"sort": "value_at_risk", "top": 50}, {"band": (0.2, 0.6), "top": 30}],
)
def test_select_at_risk_equals_the_full_sort(table, kw):
    tm = M.train(table)
    risk = M.score(tm, table).round(2)  # ties: the stable order must be kept
    fast = E.select_at_risk(table, risk, **kw)
    pd.testing.assert_frame_equal(fast, _select_slow(table, risk, **kw), check_exact=True)


def test_reading_columns_in_two_threads_equals_one_by_one(tmp_path, monkeypatch):
    from churn import io as cio
    from churn.io import convert

    rng = np.random.default_rng(3)
    n = 3000
    frame = pd.DataFrame(
        {
            "id": [f"{i:06d}" for i in range(n)],  # leading zeros: kept as text
            "fee": [f"${x:,.2f}" for x in rng.integers(5, 5000, n) * 1.0],
            "pct": [f"{x}%" for x in rng.integers(0, 50, n)],
            "mixed": np.where(rng.random(n) < 0.01, "n/a", rng.integers(0, 9, n).astype(str)),
            "blank": np.where(rng.random(n) < 0.9, " ", "x"),
            "plan": rng.choice(["Basic", " Pro ", "Team"], n),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"),
        }
    )
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setattr(convert, "CONCURRENT_CELLS", 10**12)
    one = cio.read_table(str(path))
    monkeypatch.setattr(convert, "CONCURRENT_CELLS", 0)
    two = cio.read_table(str(path))
    pd.testing.assert_frame_equal(one.frame, two.frame, check_exact=True)
    assert [str(x) for x in one.notes] == [str(x) for x in two.notes]
    assert one.converted == two.converted and one.blank_cells == two.blank_cells
