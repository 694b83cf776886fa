"""The ``--tune`` / ``--tune-seconds`` flags of the commands that train a model (``train``,
``explain``, ``at-risk``), and training with them. Registers no command."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_tune_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--tune`` and ``--tune-seconds`` to a command that trains LightGBM."""
    from churn.model.tuning import TUNE_SECONDS

    p.add_argument(
        "--tune",
        action="store_true",
        help="tune LightGBM's settings first (leaves, trees, learning rate, minimum "
        "customers per leaf; early stopping on an inner validation split)",
    )
    p.add_argument(
        "--tune-seconds",
        type=float,
        default=TUNE_SECONDS,
        metavar="S",
        help=f"time budget of --tune in seconds (default {TUNE_SECONDS:g})",
    )


def train_from_args(table: Any, args: argparse.Namespace, **kwargs: Any):
    """``train(table, **kwargs)``, tuned first when ``--tune`` was given (progress on
    stderr, so ``--json`` output stays one object). Returns ``(trained, tune_result)``;
    ``tune_result`` is None without ``--tune``."""
    from churn.errors import ChurnDataError
    from churn.model import train
    from churn.text import msg

    if not getattr(args, "tune", False):
        return train(table, **kwargs), None
    from churn.model.tuning import tune

    model = kwargs.get("model") or "lightgbm"
    if model != "lightgbm":
        raise ChurnDataError(
            msg("--tune tunes LightGBM only, not '{model}'.", model=model),
            fix=msg("leave out --model or --tune."),
        )
    if args.tune_seconds <= 0:
        raise ChurnDataError(
            msg("--tune-seconds must be above 0."), fix=msg("give a number of seconds.")
        )

    def progress(done: int, total: int, stage: str) -> None:
        print(f"tuning: {done}/{total} {stage}".rstrip(), file=sys.stderr, flush=True)

    result = tune(
        table,
        budget_seconds=args.tune_seconds,
        features=kwargs.get("features"),
        progress=progress,
    )
    print(str(result.summary()), file=sys.stderr, flush=True)
    return train(table, params=result.params if result.improved else None, **kwargs), result


def tune_dict(result: Any) -> dict[str, Any] | None:
    """The ``tuning`` part of a ``--json`` output (None without ``--tune``)."""
    if result is None:
        return None
    return {
        "params": result.params,
        "improved": result.improved,
        "validation_roc_auc": {"default": result.default_auc, "tuned": result.tuned_auc},
        "trials": int(len(result.trials)),
        "seconds": round(result.seconds, 3),
        "budget_seconds": result.budget_seconds,
        "stopped": result.stopped or None,
    }
