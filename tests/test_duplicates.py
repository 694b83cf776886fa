"""Exact copies of a customer under another id: found, reported with examples, and kept in
one fold by cross-validation (churn.duplicates, churn.validate, churn.model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from churn.duplicates import copy_sets
from churn.model import choose_split, load_model, save_model, train
from churn.model.splits import cv_folds
from churn.roles import infer_roles
from churn.shapes import build_customer_table
from churn.validate import validate

N, K = 600, 60  # customers, then K copies of K of them under new ids


def with_copies(n: int = N, k: int = K, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` distinct customers (a fee with cents keeps them apart), then copies of ``k`` of
    them (every column equal but the id); and the positions of the copied customers."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(n)],
            "plan": rng.choice(["basic", "pro", "max"], n),
            "monthly_fee": rng.integers(900, 9900, n) / 100,
            "tickets": rng.integers(0, 8, n),
            "logins": rng.integers(0, 40, n),
            "churn": rng.choice(["Yes", "No"], n, p=[0.3, 0.7]),
        }
    )
    picked = np.sort(rng.choice(n, k, replace=False))
    twins = df.iloc[picked].assign(customer_id=[f"k{i:04d}" for i in range(k)])
    return pd.concat([df, twins], ignore_index=True), picked


def issues_of(df: pd.DataFrame, code: str = "duplicate_rows"):
    return [i for i in validate(df, infer_roles(df)) if i.code == code]


def test_copies_are_counted_with_example_ids():
    df, picked = with_copies()
    assert not df.drop(columns="customer_id").iloc[:N].duplicated().any()  # no chance twins
    (issue,) = issues_of(df)
    assert (issue.severity, issue.column, issue.count) == ("warning", None, K)
    assert issue.message.startswith("60 customers are exact copies of another customer")
    assert "(60 sets of copies, e.g. " in issue.message
    # the first sets, by their first row: each original and its copy
    first = "; ".join(f"'c{p:04d}' = 'k{i:04d}'" for i, p in enumerate(picked[:3]))
    assert f"e.g. {first})" in issue.message
    assert "remove the copies" in issue.fix


def test_copies_are_found_exactly_as_pandas_finds_equal_rows():
    """Missing values match each other, -0.0 matches 0.0, text and numbers are compared
    exactly (the hashes only narrow the search)."""
    df, _ = with_copies()
    cols = ["plan", "monthly_fee", "tickets", "logins", "churn"]
    df.loc[[0, 1, 2], "monthly_fee"] = np.nan
    df.loc[[1, 2], cols[2:]] = df.loc[0, cols[2:]].to_numpy()
    df.loc[1, "plan"] = df.loc[2, "plan"] = df.loc[0, "plan"]  # rows 0-2: equal, fee missing
    df.loc[6, cols] = df.loc[5, cols].to_numpy()
    df.loc[5, "monthly_fee"], df.loc[6, "monthly_fee"] = 0.0, -0.0  # equal numbers
    found = copy_sets([df[c] for c in cols])
    equal = df[cols].fillna(-1).replace(-0.0, 0.0).duplicated(keep=False).to_numpy()
    assert np.array_equal(found.sets >= 0, equal)
    assert found.n_rows == int(equal.sum())
    assert found.n_extra == int(df[cols].fillna(-1).duplicated().sum())
    # rows of one set are equal; rows of two sets are not
    for s in range(found.n_sets):
        assert len(df.loc[found.sets == s, cols].fillna(-1).drop_duplicates()) == 1
    assert found.ratio > 1000
    assert found.sets[0] == found.sets[1] == found.sets[2] >= 0
    assert found.sets[5] == found.sets[6] >= 0


def test_look_alikes_are_not_copies():
    # few values per column: equal rows are expected (120 customers, 36 combinations)
    rng = np.random.default_rng(5)
    plain = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(120)],
            "plan": rng.choice(["basic", "pro", "max"], 120),
            "tickets": rng.integers(0, 6, 120),
            "churn": ["Yes"] * 30 + ["No"] * 90,
        }
    )
    assert plain.drop(columns="id").duplicated().sum() > 50
    assert issues_of(plain) == []
    # a handful of equal rows among many distinct ones (0.3 %): chance, not an export error
    df, _ = with_copies(n=1000, k=3)
    assert issues_of(df) == []


def test_the_same_id_twice_is_a_duplicate_id_not_a_copy():
    df, _ = with_copies(k=0)
    again = pd.concat([df, df.iloc[:40]], ignore_index=True)
    codes = {i.code for i in validate(again, infer_roles(df))}
    assert "duplicate_ids" in codes and "duplicate_rows" not in codes


def _labels(df: pd.DataFrame) -> np.ndarray:
    return (df["churn"] == "Yes").to_numpy(dtype=float)


def test_cv_folds_keep_each_set_of_copies_in_one_fold():
    df, _ = with_copies()
    y = _labels(df)
    copies = copy_sets([df[c] for c in ("plan", "monthly_fee", "tickets", "logins")] + [y])
    assert copies.n_sets == K
    folds = cv_folds(y, 5, 0, copies)
    fold_of = np.full(len(df), -1)
    for i, (train_rows, test_rows) in enumerate(folds):
        assert len(np.intersect1d(train_rows, test_rows)) == 0
        assert len(train_rows) + len(test_rows) == len(df)
        assert (fold_of[test_rows] == -1).all()  # each row is tested once
        fold_of[test_rows] = i
        assert abs(y[test_rows].mean() - y.mean()) < 0.03  # still stratified
    assert (fold_of >= 0).all()
    for s in range(copies.n_sets):
        assert len(set(fold_of[copies.sets == s])) == 1  # no set split across folds


def test_cv_folds_without_copies_are_scikit_learns():
    y = _labels(with_copies(k=0)[0])
    skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    for (a_tr, a_te), (b_tr, b_te) in zip(
        cv_folds(y, 5, 7), skf.split(np.zeros(len(y)), y), strict=True
    ):
        assert np.array_equal(a_tr, b_tr) and np.array_equal(a_te, b_te)


def test_training_keeps_copies_in_one_fold_and_says_so(tmp_path):
    df, picked = with_copies()
    table = build_customer_table(df, infer_roles(df))
    trained = train(table, model="logistic", split=choose_split(table, prefer="cv"))
    sp = trained.split
    assert (sp.kind, sp.copies, sp.copy_sets) == ("cv", K, K)
    assert "60 customers are exact copies of another one" in sp.description
    assert sp.to_dict()["copies"] == K and sp.to_dict()["copy_sets"] == K
    fold = trained.predictions.set_index("customer_id")["fold"]
    for i, p in enumerate(picked):
        assert fold[f"c{p:04d}"] == fold[f"k{i:04d}"]
    path = tmp_path / "m.skops"
    save_model(trained, path)
    assert load_model(path).split.copies == K  # kept in the saved model


def test_training_without_copies_is_unchanged():
    df, _ = with_copies(k=0)
    table = build_customer_table(df, infer_roles(df))
    split = choose_split(table, prefer="cv")
    trained = train(table, model="logistic", split=split)
    assert trained.split == split  # no note, no count
    assert trained.split.copies == 0


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_model_page_words_mention_the_copies(lang, monkeypatch):
    from ui.pages import model as page

    df, _ = with_copies()
    table = build_customer_table(df, infer_roles(df))
    trained = train(table, model="logistic", split=choose_split(table, prefer="cv"))
    monkeypatch.setattr("ui.i18n.current_lang", lambda: lang)
    words = page.split_words(trained)
    assert ("60 of them are exact copies" if lang == "en" else "그중 60명은") in words


def test_a_large_table_is_first_looked_at_through_a_sample():
    """200,000 rows: a sample of 44,722 decides whether comparing all rows is worth it;
    copies of 1.5 % of the rows are found, and counted on every row; 0.5 % are too few."""
    rng = np.random.default_rng(0)
    n = 200_000
    base = pd.DataFrame(
        {"a": rng.random(n), "b": rng.integers(0, 5, n), "c": rng.choice(["x", "y"], n)}
    )
    twins = base.iloc[np.sort(rng.choice(n, 3_000, replace=False))]
    found = copy_sets([pd.concat([base, twins], ignore_index=True)[c] for c in "abc"])
    assert (found.n_extra, found.n_sets) == (3_000, 3_000)
    few = pd.concat([base, base.iloc[:1_000]], ignore_index=True)
    assert copy_sets([few[c] for c in "abc"]) is None
