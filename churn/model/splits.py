"""How a model is evaluated: a time-based hold-out when start dates allow, else k-fold CV."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from churn.duplicates import CopySets
from churn.model.features import MIN_PER_CLASS, label_vector
from churn.table import CHURNED, START, CustomerTable
from churn.text import msg

#: Share of the latest customers held out by the time-based split.
TIME_TEST_SHARE = 0.25
CV_FOLDS = 5
#: From this many labelled customers, cross-validation uses :data:`LARGE_CV_FOLDS`
#: folds: each fold still scores over 16,000 customers (the ROC AUC's standard error is
#: then about 0.003), every customer is still scored out of fold, and training fits 3 + 1
#: models instead of 5 + 1 (two rounds of two parallel fits on 2 cores instead of three:
#: the first answer on a 100k-row file comes about a third sooner).
LARGE_CV_ROWS = 50_000
LARGE_CV_FOLDS = 3


@dataclass(frozen=True)
class SplitSpec:
    """How the model is evaluated.

    Attributes
    ----------
    kind : ``"time"`` (hold out the latest customers) or ``"cv"`` (stratified k-fold).
    folds : number of folds for ``"cv"``.
    test_share : share of labelled customers held out for ``"time"``.
    cutoff : first start date in the hold-out (``"time"`` only).
    n_train, n_test : labelled customers trained on and tested on (``"cv"``: per fold).
    time_available : whether a time-based split was possible for this table.
    description : the split in plain words (a :class:`churn.text.Text`, so the app can
        translate it; a plain str once read back from a saved model or workspace).
    train_rate, test_rate : churn rate among the trained-on and held-out customers
        (``"time"`` only). Newer customers have had less time to leave, so the hold-out
        rate is often lower: ranking (ROC AUC, lift) is then the fair measure, and the
        Brier score and log loss look worse than they will be on the whole table.
    copies, copy_sets : labelled customers that are exact copies of another one (every
        feature and the label equal, :mod:`churn.duplicates`) and the sets they form
        (``"cv"`` only): each set is kept in one fold, so no copy is scored by a model
        trained on its twin. Set by :func:`churn.model.train`; 0 without copies.
    """

    kind: Literal["time", "cv"]
    folds: int = CV_FOLDS
    test_share: float = TIME_TEST_SHARE
    cutoff: pd.Timestamp | None = None
    n_train: int = 0
    n_test: int = 0
    time_available: bool = False
    description: str = ""
    train_rate: float = float("nan")
    test_rate: float = float("nan")
    copies: int = 0
    copy_sets: int = 0

    @property
    def rates_differ(self) -> bool:
        """True when the hold-out's churn rate is under 2/3 or over 3/2 of training's."""
        a, b = self.train_rate, self.test_rate
        if self.kind != "time" or not (a > 0 and b > 0):  # NaN compares False
            return False
        return not (2 / 3 <= b / a <= 3 / 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "folds": self.folds if self.kind == "cv" else None,
            "test_share": self.test_share if self.kind == "time" else None,
            "cutoff": None if self.cutoff is None else self.cutoff.date().isoformat(),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "time_available": self.time_available,
            "description": self.description,
            "train_rate": None if math.isnan(self.train_rate) else self.train_rate,
            "test_rate": None if math.isnan(self.test_rate) else self.test_rate,
            "copies": self.copies,
            "copy_sets": self.copy_sets,
        }

    def with_copies(self, copies: CopySets | None) -> SplitSpec:
        """This cross-validation, told that the copies among the labelled customers are
        kept together (the count joins :attr:`description`); unchanged without copies or
        for a time-based hold-out (split by start date)."""
        if copies is None or self.kind != "cv":
            return self
        desc = msg(
            "{split} {n:,} customers are exact copies of another one (every feature and the "
            "label equal, {sets:,} sets): each set is kept in one fold, so no copy is scored "
            "by a model trained on its twin.",
            split=self.description,
            n=copies.n_extra,
            sets=copies.n_sets,
        )
        return replace(self, copies=copies.n_extra, copy_sets=copies.n_sets, description=desc)


def _time_order(table: CustomerTable) -> pd.Series | None:
    """Start dates of the labelled rows, when enough of them have one."""
    lab = table.frame.loc[table.frame[CHURNED].notna(), START]
    if not pd.api.types.is_datetime64_any_dtype(lab) or lab.notna().mean() < 0.9:
        return None
    if lab.nunique() < 10:
        return None
    return lab


def time_split_masks(table: CustomerTable, test_share: float):
    """(train mask, test mask, cutoff) over the labelled rows; latest starters are test."""
    starts = _time_order(table)
    if starts is None:
        return None
    y = label_vector(table)
    order = starts.fillna(pd.Timestamp.min).sort_values(kind="mergesort")
    n_test = int(round(len(order) * test_share))
    cutoff = order.iloc[len(order) - n_test]
    # whole days go to one side, so "started on or after the cutoff" is the rule
    test = (starts >= cutoff).reindex(y.index, fill_value=False)
    train = ~test
    ok = all(
        int(y[m].sum()) >= MIN_PER_CLASS // 2 and int((1 - y[m]).sum()) >= MIN_PER_CLASS // 2
        for m in (train, test)
    )
    return (train, test, cutoff) if ok else None


def choose_split(
    table: CustomerTable,
    prefer: Literal["auto", "time", "cv"] = "auto",
    test_share: float = TIME_TEST_SHARE,
    folds: int | None = None,
) -> SplitSpec:
    """Pick how to evaluate: a time-based hold-out when start dates allow, else k-fold CV.

    With start dates on at least 90 % of labelled customers, the model is trained on the
    customers who started earlier and tested on the latest ``test_share`` of them: the
    situation the model will face (predicting for newer customers). Without dates, or if
    the hold-out would have too few churned or active customers, stratified ``folds``-fold
    cross-validation is used. ``prefer="cv"`` forces cross-validation. ``folds``
    defaults to :data:`CV_FOLDS`, or :data:`LARGE_CV_FOLDS` from :data:`LARGE_CV_ROWS`
    labelled customers.
    """
    masks = time_split_masks(table, test_share)
    n = len(label_vector(table))
    if folds is None:
        folds = LARGE_CV_FOLDS if n >= LARGE_CV_ROWS else CV_FOLDS
    if masks is not None and prefer in ("auto", "time"):
        train, test, cutoff = masks
        y = label_vector(table)
        r_train, r_test = float(y[train].mean()), float(y[test].mean())
        desc = msg(
            "Time-based hold-out: trained on the {n_train:,} customers who started "
            "before {cutoff} and tested on the {n_test:,} who "
            "started on or after it (the latest {share:.0%}), as the model will be "
            "used on newer customers.",
            n_train=int(train.sum()),
            cutoff=cutoff.date().isoformat(),
            n_test=int(test.sum()),
            share=test_share,
        )
        if not (2 / 3 <= r_test / r_train <= 3 / 2):
            desc = msg(
                "{split} The newer customers churned at {test_rate:.1%} against "
                "{train_rate:.1%} before: they have had less time to leave, so judge the "
                "model on ranking (ROC AUC, lift); its Brier score and log loss on them "
                "understate it.",
                split=desc,
                test_rate=r_test,
                train_rate=r_train,
            )
        return SplitSpec(
            "time",
            folds=folds,
            test_share=test_share,
            cutoff=cutoff,
            n_train=int(train.sum()),
            n_test=int(test.sum()),
            time_available=True,
            description=desc,
            train_rate=r_train,
            test_rate=r_test,
        )
    desc = (
        msg(
            "Stratified {folds}-fold cross-validation on {n:,} labelled customers: each "
            "customer is scored once by a model that did not see them (a time-based split "
            "needs start dates and enough churned customers late on).",
            folds=folds,
            n=n,
        )
        if prefer == "time" and masks is None
        else msg(
            "Stratified {folds}-fold cross-validation on {n:,} labelled customers: each "
            "customer is scored once by a model that did not see them.",
            folds=folds,
            n=n,
        )
    )
    n_test = n // folds
    return SplitSpec(
        "cv",
        folds=folds,
        test_share=test_share,
        n_train=n - n_test,
        n_test=n_test,
        time_available=masks is not None,
        description=desc,
    )


def cv_folds(
    y: np.ndarray, folds: int, random_state: int, copies: CopySets | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of each fold of stratified k-fold cross-validation.

    Without ``copies`` these are scikit-learn's ``StratifiedKFold`` folds of ``y``. With
    them, the folds are drawn over one row per set of copies (and every row without a
    copy), and each copy joins its set's fold: copies share their label, so the folds
    stay stratified, and no copy is tested by a model that was trained on its twin.
    """
    from sklearn.model_selection import StratifiedKFold

    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    if copies is None:
        return list(skf.split(np.zeros(len(y)), y))
    rep = np.flatnonzero(copies.representatives())
    fold = np.empty(len(y), dtype=np.int64)
    for i, (_, test) in enumerate(skf.split(np.zeros(len(rep)), y[rep])):
        fold[rep[test]] = i
    first = rep[copies.sets[rep] >= 0]  # the first row of each set
    set_fold = np.empty(copies.n_sets, dtype=np.int64)
    set_fold[copies.sets[first]] = fold[first]
    in_set = copies.sets >= 0
    fold[in_set] = set_fold[copies.sets[in_set]]
    return [(np.flatnonzero(fold != i), np.flatnonzero(fold == i)) for i in range(folds)]
