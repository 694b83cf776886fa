"""SHAP in a worker process: the global drivers and the at-risk list off the server.

Explaining a model runs native code (shap's tree explainer, LightGBM's and scikit-learn's
compiled predictors) for seconds at a time: in the server process that holds the
interpreter every page script of every participant shares, and a crash there ends every
session. :func:`drivers_contained` and :func:`at_risk_contained` run
:func:`churn.explain.global_drivers` and :func:`churn.explain.at_risk_list` in a worker
of the same fork server as reading and training (:class:`~churn.contain.process.Worker`,
watchdog, memory cap, time limit):

* the model travels as its skops file (:func:`~churn.model.persistence.save_model`, read
  back through the allow-list; saved once per model object), the customer table as an
  Arrow IPC file with its index, the risk scores as a second one;
* the worker builds the explainer exactly as the pages do (:func:`~churn.explain.make_explainer`
  on :data:`~churn.explain.LINEAR_BACKGROUND` sampled rows), the playbook and the
  reference values, and sends the result's frames back as Arrow, its numbers as JSON;
* a crash, the memory cap or the time limit becomes one :class:`ChurnDataError`
  (:func:`explain_error`); the library's own errors come back unchanged.

``CHURNLENS_CONTAIN=off`` explains in the calling process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from churn.contain.limits import WorkerLimits, contained, over_limit
from churn.contain.pack import index_back, model_bytes, with_index
from churn.contain.process import Stopped, Worker, log_stopped
from churn.contain.scratch import remove_files, scratch_dir, scratch_file
from churn.contain.train import TRAIN_FACTOR, TRAIN_FLOOR, table_from_json, table_json
from churn.contain.transport import read_frame, write_frame
from churn.errors import ChurnDataError
from churn.text import from_json, msg, to_json

log = logging.getLogger("churnlens.contain")

#: Figures of the last contained explanation (for measurements): its kind, seconds in
#: all, the worker's own seconds, its peak resident memory and its cap.
LAST_EXPLAIN: dict[str, Any] = {}

#: The frames each kind of job sends back.
_OUTS = {"drivers": ("importance", "points"), "at_risk": ("list",)}


def drivers_contained(
    trained: Any,
    table: Any,
    *,
    sample: int | None = None,
    seed: int = 0,
    worker: WorkerLimits | None = None,
    method: str | None = None,
    target: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
):
    """:func:`churn.explain.global_drivers` (with the pages' explainer) in a worker.

    ``worker``: memory ceiling and time limit (default from the environment; the cap is
    the training worker's, ``min(ceiling, max(2 GB, 40 x the frame's bytes))``).
    ``method``: ``"forkserver"`` (the default) or ``"fork"``. Never ``fork`` by default,
    not even from a single-threaded caller: a process that has predicted with LightGBM
    keeps OpenMP's threads, and a child forked from it hung in ``libgomp`` at its first
    prediction until the time limit.
    ``target``: what the worker runs instead of :func:`explain_job` (a module-level
    function of the job; tests crash a worker with it).

    Returns the same :class:`~churn.explain.GlobalDrivers` as in this process; raises
    :class:`ChurnDataError` (:func:`explain_error`) when the worker crashed, ran out of
    memory or time, and the library's own errors unchanged.
    """
    from churn import explain as E

    kwargs = {"sample": sample, "seed": seed}
    if not contained():
        explainer = E.make_explainer(trained, E.sample_rows(table, E.LINEAR_BACKGROUND))
        return E.global_drivers(trained, table, explainer=explainer, **kwargs)
    answer, frames = _run("drivers", trained, table, None, kwargs, worker, method, target)
    return E.GlobalDrivers(
        importance=frames["importance"],
        points=frames["points"],
        n_sample=int(answer["n_sample"]),
        n_total=int(answer["n_total"]),
        base_risk=float(answer["base_risk"]),
    )


def at_risk_contained(
    trained: Any,
    table: Any,
    risk: pd.Series,
    *,
    sort: str = "risk",
    top: int | None = 100,
    band: tuple[float, float] | None = None,
    segment: tuple[str, Any] | None = None,
    lang: str = "en",
    worker: WorkerLimits | None = None,
    method: str | None = None,
    target: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """:func:`churn.explain.at_risk_list` (built-in playbook, the table's reference values,
    the pages' explainer) in a worker; the same frame as in this process. ``worker``,
    ``method`` and ``target`` as for :func:`drivers_contained`."""
    from churn import explain as E

    kwargs = {"sort": sort, "top": top, "band": band, "segment": segment, "lang": lang}
    if not contained():
        explainer = E.make_explainer(trained, E.sample_rows(table, E.LINEAR_BACKGROUND))
        return at_risk_here(trained, table, risk, explainer=explainer, **kwargs)
    _, frames = _run("at_risk", trained, table, risk, kwargs, worker, method, target)
    return frames["list"]


def at_risk_here(trained: Any, table: Any, risk: pd.Series, *, explainer: Any, **kwargs: Any):
    """The at-risk list as the pages make it: the built-in playbook, the table's reference."""
    from churn import explain as E

    reference = E.make_reference(table, trained.features)
    playbook = E.load_playbook()
    return E.at_risk_list(
        trained, table, risk, explainer=explainer, playbook=playbook, reference=reference, **kwargs
    )


def explain_error(reason: str, *, cap: int, worker: WorkerLimits) -> ChurnDataError:
    """The one error a user sees when an explaining worker crashed, hit its memory cap or
    its time limit; ``reason`` is ``"crash"``, ``"memory"`` or ``"time"``."""
    why, var, example = over_limit(
        reason, cap=cap, worker=worker, crashed=msg("the explaining process crashed")
    )
    error = ChurnDataError(
        msg("The explanations could not be computed safely: {why}.", why=why),
        fix=msg(
            "train a simpler model (fewer features, or logistic regression) and open the "
            "page again; or raise the limit by setting the environment variable {var} "
            "(e.g. {var}={example}) before starting the app.",
            var=var,
            example=example,
        )
        if reason in ("memory", "time")
        else msg(
            "open the page again; if it crashes again, train another model (e.g. logistic "
            "regression). Nobody else's work was affected."
        ),
    )
    error.reason = reason
    return error


# --------------------------------------------------------------------------------------
# The caller's side
# --------------------------------------------------------------------------------------


def _run(kind, trained, table, risk, kwargs, worker, method, target):
    worker, method = worker or WorkerLimits(), method or "forkserver"
    target = target or explain_job
    ref = f"{target.__module__}:{target.__qualname__}"
    if "<" in ref:
        raise ValueError("target must be a module-level function (the worker imports it)")
    size = int(table.frame.memory_usage(deep=True).sum())
    cap = int(min(worker.memory, max(TRAIN_FLOOR, TRAIN_FACTOR * size)))
    data = model_bytes(trained)
    folder = scratch_dir(3 * size + len(data) + 64 * 1000**2)
    made: list[str] = []
    try:
        t0 = time.perf_counter()
        frame_path = scratch_file(folder, f"{kind}-table", made)
        model_path = scratch_file(folder, f"{kind}-model", made)
        with open(model_path, "wb") as fh:
            fh.write(data)
        job: dict[str, Any] = {
            "work": "churn.contain.worker:answer_job",
            "name": f"explaining ({kind})",
            "kind": kind,
            "target": ref,
            "frame": frame_path,
            "specs": write_frame(with_index(table.frame), frame_path),
            "table": table_json(table),
            "model": model_path,
            "kwargs": to_json(kwargs),
            "out": {name: scratch_file(folder, f"{kind}-{name}", made) for name in _OUTS[kind]},
            "log": scratch_file(folder, f"{kind}-log", made),
            "seconds": worker.seconds,
        }
        if risk is not None:
            job["risk"] = scratch_file(folder, f"{kind}-risk", made)
            job["risk_specs"] = write_frame(with_index(risk.rename("risk").to_frame()), job["risk"])
        sent = time.perf_counter() - t0
        return _receive(job, cap, worker, method, sent)
    finally:
        remove_files(made)


def _receive(job, cap, worker, method, sent):
    try:
        with Worker(job, cap, worker.seconds, method) as w:
            answer = w.receive()
            frames: dict[str, pd.DataFrame] = {}
            for name, part in answer["frames"].items():
                frame = read_frame(job["out"][name], part["specs"])
                frames[name] = index_back(frame) if part["index"] else frame
        LAST_EXPLAIN.clear()
        LAST_EXPLAIN.update(
            kind=job["kind"],
            seconds=time.monotonic() - w.started,
            work=answer["work_seconds"],
            send=sent,
            peak=w.run.peak,
            cap=cap,
        )
        log.debug("Explained in a worker: %s", LAST_EXPLAIN)
        return answer, frames
    except Stopped as stop:
        log_stopped(f"Explaining ({job['kind']})", stop, cap, job["log"])
        raise explain_error(stop.reason, cap=cap, worker=worker) from None


# --------------------------------------------------------------------------------------
# Inside the worker
# --------------------------------------------------------------------------------------


def explain_job(job: dict[str, Any]) -> dict[str, Any]:
    """Inside the worker: rebuild the table and the model, explain, write the frames;
    the answer's JSON part."""
    from churn import explain as E
    from churn.model.persistence import load_model

    table = table_from_json(index_back(read_frame(job["frame"], job["specs"])), job["table"])
    trained = load_model(job["model"])
    kwargs = from_json(job["kwargs"])
    explainer = E.make_explainer(trained, E.sample_rows(table, E.LINEAR_BACKGROUND))
    if job["kind"] == "drivers":
        found = E.global_drivers(trained, table, explainer=explainer, **kwargs)
        answer = {
            "n_sample": found.n_sample,
            "n_total": found.n_total,
            "base_risk": float(found.base_risk),
        }
        parts = {"importance": (found.importance, False), "points": (found.points, False)}
    else:
        risk = index_back(read_frame(job["risk"], job["risk_specs"]))["risk"]
        for key in ("band", "segment"):  # JSON made the tuples lists
            kwargs[key] = _tuples(kwargs[key])
        listed = at_risk_here(trained, table, risk, explainer=explainer, **kwargs)
        answer, parts = {}, {"list": (with_index(listed), True)}
    answer["frames"] = {
        name: {"specs": write_frame(frame, job["out"][name]), "index": index}
        for name, (frame, index) in parts.items()
    }
    return answer


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value
