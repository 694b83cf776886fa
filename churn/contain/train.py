"""train_contained: train a model in a worker process, so a crash costs only that job.

Training runs native code (LightGBM, scikit-learn's compiled trees): a segmentation fault,
a memory runaway or a hang there would end every user's session of the server process.
:func:`train_contained` runs :func:`churn.model.train` in a fresh worker instead (the
same :class:`~churn.contain.process.Worker`, fork server and watchdog as reading):

* the customer table's frame goes to the worker as an Arrow IPC file
  (:func:`~churn.contain.transport.write_frame`), its other attributes and the split as
  JSON (:func:`churn.text.to_json`, which keeps translatable sentences);
* the worker writes the fitted model with :func:`~churn.model.persistence.save_model` (a
  skops file) and the evaluation predictions as Arrow; the caller reads the model with
  :func:`~churn.model.persistence.load_model` (an allow-list of types, never pickle);
* a crash, the memory cap or the time limit becomes one :class:`ChurnDataError`
  (:func:`training_error`); the details go to the ``churnlens.contain`` log.

``CHURNLENS_CONTAIN=off`` trains in the calling process.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from churn.contain.limits import GB, WorkerLimits, contained, over_limit
from churn.contain.process import Stopped, Worker, log_stopped
from churn.contain.scratch import remove_files, scratch_dir, scratch_file
from churn.contain.transport import read_frame, send_answer, write_frame
from churn.errors import ChurnDataError
from churn.text import from_json, msg, to_json

log = logging.getLogger("churnlens.contain")

#: ``target(table, model=, features=, split=, random_state=, params=) -> TrainedModel``.
TrainTarget = Callable[..., Any]

#: Every training worker may use this much resident memory, however small the table
#: (a worker with LightGBM and scikit-learn loaded starts at about 0.2 GB).
TRAIN_FLOOR = 2 * GB
#: Resident memory allowed per byte of the customer table's frame (folds, the feature
#: frame, one-hot columns and the estimators' own copies).
TRAIN_FACTOR = 40

#: Figures of the last contained training (for measurements): seconds in all, the
#: worker's own training seconds, the seconds spent saving and loading the model and the
#: frames, the worker's peak resident memory and its cap.
LAST_TRAIN: dict[str, float | None] = {}


def train_contained(
    table: Any,
    *,
    model: str,
    features: Sequence[str] | None = None,
    split: Any = None,
    random_state: int = 0,
    params: dict[str, Any] | None = None,
    worker: WorkerLimits | None = None,
    target: TrainTarget | None = None,
    method: str | None = None,
):
    """:func:`churn.model.train` in a worker process with memory and time limits.

    Parameters
    ----------
    table : CustomerTable
    model, features, split, random_state, params
        As for :func:`churn.model.train`.
    worker : WorkerLimits, optional
        Memory ceiling and time limit (default from the environment); the cap is
        ``min(ceiling, max(2 GB, 40 x the frame's bytes))``.
    target : callable, optional
        What the worker runs instead of :func:`churn.model.train` (same signature), a
        module-level function. Tests use it to crash a worker on purpose.
    method : "fork" or "forkserver", optional
        As for :func:`~churn.contain.read_contained`.

    Returns
    -------
    TrainedModel
        Equal to training in this process: the same pipeline (same scores), metrics,
        split (its sentence still translatable) and evaluation predictions.

    Raises
    ------
    ChurnDataError
        Training's own errors, unchanged; or "Training could not finish safely: ..." when
        the worker crashed, needed more memory than its cap or ran out of time.
    """
    if target is None:
        from churn.model import train as target
    kwargs = {"model": model, "features": None if features is None else list(features)}
    kwargs.update(split=split, random_state=random_state, params=params)
    if not contained():
        return target(table, **kwargs)
    worker = worker or WorkerLimits()
    ref = f"{target.__module__}:{target.__qualname__}"
    if "<" in ref:
        raise ValueError("target must be a module-level function (the worker imports it)")
    size = int(table.frame.memory_usage(deep=True).sum())
    cap = int(min(worker.memory, max(TRAIN_FLOOR, TRAIN_FACTOR * size)))
    folder = scratch_dir(3 * size + 64 * 1000**2)
    made: list[str] = []
    try:
        t0 = time.perf_counter()
        frame_path = scratch_file(folder, "train-table", made)
        frame = table.frame
        if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0):
            frame = frame.reset_index(drop=True)  # the model keeps ids, not the index
        specs = write_frame(frame, frame_path)
        job = {
            "work": f"{__name__}:work",
            "name": "training",
            "target": ref,
            "frame": frame_path,
            "specs": specs,
            "table": table_json(table),
            "kwargs": {
                **kwargs,
                "split": None if split is None else split_json(split),
                "params": to_json(params),  # numpy numbers of a tuning become plain ones
            },
            "model_out": scratch_file(folder, "train-model", made),
            "preds_out": scratch_file(folder, "train-preds", made),
            "log": scratch_file(folder, "train-log", made),
            "seconds": worker.seconds,
        }
        send_seconds = time.perf_counter() - t0
        return _run(job, cap, worker, method, send_seconds)
    finally:
        remove_files(made)


def _run(job: dict[str, Any], cap: int, worker: WorkerLimits, method: str | None, sent: float):
    from churn.model.persistence import load_model

    try:
        with Worker(job, cap, worker.seconds, method) as w:
            answer = w.receive()
            t0 = time.perf_counter()
            trained = load_model(job["model_out"])
            preds = read_frame(job["preds_out"], answer["predictions"])
            trained = dataclasses.replace(
                trained,
                predictions=preds,
                split=split_from_json(answer["split"]),
                metrics=from_json(answer["metrics"]),
                class_balance=from_json(answer["class_balance"]),
                roles=from_json(answer["roles"]),  # tuples stay tuples (not so in skops' JSON)
            )
            loaded = time.perf_counter() - t0
        seconds = time.monotonic() - w.started
        LAST_TRAIN.clear()
        LAST_TRAIN.update(
            seconds=seconds,
            train=answer["train_seconds"],
            transfer=sent + answer["rebuild_seconds"] + answer["save_seconds"] + loaded,
            send=sent,
            rebuild=answer["rebuild_seconds"],
            save=answer["save_seconds"],
            load=loaded,
            peak=w.run.peak,
            cap=cap,
        )
        log.debug("Trained in a worker: %s", LAST_TRAIN)
        return trained
    except Stopped as stop:
        log_stopped("Training", stop, cap, job["log"])
        raise training_error(stop.reason, cap=cap, worker=worker) from None


def training_error(reason: str, *, cap: int, worker: WorkerLimits) -> ChurnDataError:
    """The one error a user sees when a training worker crashed, hit its memory cap or its
    time limit; its ``reason`` attribute says which (``"crash"``, ``"memory"``, ``"time"``)."""
    why, var, example = over_limit(
        reason, cap=cap, worker=worker, crashed=msg("the training process crashed")
    )
    error = ChurnDataError(
        msg("Training could not finish safely: {why}.", why=why),
        fix=msg(
            "choose fewer features or a simpler model (logistic regression) and train again; "
            "or raise the limit by setting the environment variable {var} (e.g. {var}={example}) "
            "before starting the app.",
            var=var,
            example=example,
        )
        if reason in ("memory", "time")
        else msg(
            "train again; if it crashes again, choose another model (e.g. logistic "
            "regression). Nobody else's work was affected."
        ),
    )
    error.reason = reason
    return error


# --------------------------------------------------------------------------------------
# What travels: the table's attributes and the split as JSON
# --------------------------------------------------------------------------------------


def table_json(table: Any) -> dict[str, Any]:
    """A :class:`~churn.table.CustomerTable` without its frame, as JSON (:func:`table_from_json`)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(table):
        v = getattr(table, f.name)
        if f.name == "frame":
            continue
        if f.name == "roles":
            v = v.to_dict()
        elif f.name == "settings":
            v = None if v is None else v.to_dict()
        elif isinstance(v, pd.Timestamp):
            v = {"$timestamp": v.isoformat()}
        out[f.name] = to_json(v)
    return out


def table_from_json(frame: pd.DataFrame, data: dict[str, Any]):
    """The :class:`~churn.table.CustomerTable` that ``table_json`` described, on ``frame``."""
    from churn.roles import ColumnRoles
    from churn.settings import IntakeSettings
    from churn.table import CustomerTable

    values = {k: from_json(v) for k, v in data.items()}
    values["roles"] = ColumnRoles.from_dict(values["roles"])
    if values.get("settings") is not None:
        values["settings"] = IntakeSettings.from_dict(values["settings"])
    for k, v in values.items():
        if isinstance(v, dict) and "$timestamp" in v:
            values[k] = pd.Timestamp(v["$timestamp"])
    return CustomerTable(frame=frame, **values)


def split_json(split: Any) -> dict[str, Any]:
    """A :class:`~churn.model.SplitSpec` as JSON (its sentence kept translatable)."""
    out = {f.name: to_json(getattr(split, f.name)) for f in dataclasses.fields(split)}
    out["cutoff"] = None if split.cutoff is None else split.cutoff.isoformat()
    return out


def split_from_json(data: dict[str, Any]):
    """The :class:`~churn.model.SplitSpec` that :func:`split_json` wrote."""
    from churn.model.splits import SplitSpec

    values = {k: from_json(v) for k, v in data.items()}
    values["cutoff"] = None if values["cutoff"] is None else pd.Timestamp(values["cutoff"])
    return SplitSpec(**values)


# --------------------------------------------------------------------------------------
# Inside the worker
# --------------------------------------------------------------------------------------


def work(job: dict[str, Any], pipe_w: int) -> None:
    """A training worker's whole life: rebuild the table, train, save, answer."""
    from churn.contain.worker import import_target, isolate, send_failure

    isolate(job)
    try:
        t0 = time.perf_counter()
        table = table_from_json(read_frame(job["frame"], job["specs"]), job["table"])
        target = import_target(job["target"])
        kwargs = dict(job["kwargs"])
        kwargs["params"] = from_json(kwargs["params"])
        if kwargs["split"] is not None:
            kwargs["split"] = split_from_json(kwargs["split"])
        t1 = time.perf_counter()
        trained = target(table, **kwargs)
        t2 = time.perf_counter()
        _answer(trained, job, pipe_w, rebuild=t1 - t0, train=t2 - t1)
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises it
        send_failure(pipe_w, job, exc)


def _answer(trained: Any, job: dict[str, Any], pipe_w: int, *, rebuild: float, train: float):
    from churn.model.persistence import save_model

    t0 = time.perf_counter()
    save_model(trained, job["model_out"])
    specs = write_frame(trained.predictions.reset_index(drop=True), job["preds_out"])
    answer = {
        "predictions": specs,
        "split": split_json(trained.split),
        "metrics": to_json(trained.metrics),
        "class_balance": to_json(trained.class_balance),
        "roles": to_json(trained.roles),
        "rebuild_seconds": rebuild,
        "train_seconds": train,
        "save_seconds": time.perf_counter() - t0,
    }
    send_answer(pipe_w, answer)
