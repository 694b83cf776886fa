"""The report built in a worker process: HTML, XLSX and PDF off the server.

Building the handover report draws every chart (vl-convert's V8 engine), runs the model
over the table and prints the PDF (WeasyPrint): seconds of native code that would hold
the interpreter every participant's page shares, and whose crash would end every session.
:func:`report_contained` runs :func:`report_files` in a worker of the same fork server as
reading, training and explaining; its inputs travel through :mod:`churn.contain.pack`
(frames as Arrow, the model as its skops file, the rest as JSON), the files come back as
bytes in private scratch files. Inputs that cannot travel (an object the packer does not
know) and ``CHURNLENS_CONTAIN=off`` build it in the calling process instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from churn.contain.limits import WorkerLimits, contained, over_limit
from churn.contain.pack import Packer, Unpackable, unpack
from churn.contain.process import Stopped, Worker, log_stopped
from churn.contain.scratch import remove_files, scratch_dir, scratch_file
from churn.contain.train import TRAIN_FACTOR, TRAIN_FLOOR
from churn.errors import ChurnDataError
from churn.text import from_json, msg, to_json

log = logging.getLogger("churnlens.contain")

#: The report's files: kind -> (bytes, sections kept, notes).
Files = dict[str, tuple[bytes, tuple[str, ...], tuple[str, ...]]]

#: Figures of the last contained report (for measurements).
LAST_REPORT: dict[str, Any] = {}

_KINDS = ("html", "xlsx", "pdf")


def report_files(table: Any, trained: Any = None, *, pdf: bool = True, **kwargs: Any) -> Files:
    """:func:`churn.report.build_report`, then its HTML, XLSX and (with ``pdf`` where
    WeasyPrint is installed) the same HTML printed, each with the sections kept and the
    notes."""
    from churn import report as R

    rep = R.build_report(table, trained, **kwargs)
    page = rep.to_html()
    files = {"html": page.encode("utf-8"), "xlsx": rep.to_xlsx()}
    if pdf and R.pdf_available():
        files["pdf"] = R.report_pdf(page)
    kept, notes = tuple(rep.names), tuple(rep.notes())
    return {kind: (data, kept, notes) for kind, data in files.items()}


def report_contained(
    table: Any,
    trained: Any = None,
    *,
    pdf: bool = True,
    worker: WorkerLimits | None = None,
    method: str | None = None,
    target: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **kwargs: Any,
) -> Files:
    """:func:`report_files` in a worker process with memory and time limits.

    ``kwargs`` go to :func:`churn.report.build_report` (sections, lang, issues, scenarios,
    segment_columns, survival_by, personal, alive, alive_threshold, comparison).
    ``worker``, ``method`` and ``target`` as for
    :func:`churn.contain.explain.drivers_contained` (the fork server by default).

    Raises
    ------
    ChurnDataError
        The report's own errors, unchanged; or "The report could not be built safely: ..."
        when the worker crashed, ran out of memory or time.
    """
    if not contained():
        return report_files(table, trained, pdf=pdf, **kwargs)
    worker, method, target = worker or WorkerLimits(), method or "forkserver", target or report_job
    ref = f"{target.__module__}:{target.__qualname__}"
    if "<" in ref:
        raise ValueError("target must be a module-level function (the worker imports it)")
    size = int(table.frame.memory_usage(deep=True).sum())
    cap = int(min(worker.memory, max(TRAIN_FLOOR, TRAIN_FACTOR * size)))
    folder = scratch_dir(4 * size + 128 * 1000**2)
    made: list[str] = []
    try:
        t0 = time.perf_counter()
        packer = Packer(folder, made)
        try:
            args = packer.pack({"table": table, "trained": trained, "kwargs": kwargs})
        except Unpackable as exc:
            log.warning("The report is built in the server process: %s", exc)
            return report_files(table, trained, pdf=pdf, **kwargs)
        job = {
            "work": "churn.contain.worker:answer_job",
            "name": "report",
            "target": ref,
            "args": args,
            "pdf": pdf,
            "out": {kind: scratch_file(folder, f"report-{kind}", made) for kind in _KINDS},
            "log": scratch_file(folder, "report-log", made),
            "seconds": worker.seconds,
        }
        return _receive(job, cap, worker, method, time.perf_counter() - t0)
    finally:
        remove_files(made)


def _receive(job, cap, worker, method, sent) -> Files:
    try:
        with Worker(job, cap, worker.seconds, method) as w:
            answer = w.receive()
            kept, notes = tuple(answer["kept"]), tuple(from_json(answer["notes"]))
            files: Files = {}
            for kind in answer["kinds"]:
                with open(job["out"][kind], "rb") as fh:
                    files[kind] = (fh.read(), kept, notes)
        LAST_REPORT.clear()
        LAST_REPORT.update(
            seconds=time.monotonic() - w.started,
            work=answer["work_seconds"],
            send=sent,
            peak=w.run.peak,
            cap=cap,
        )
        log.debug("Report built in a worker: %s", LAST_REPORT)
        return files
    except Stopped as stop:
        log_stopped("The report", stop, cap, job["log"])
        raise report_error(stop.reason, cap=cap, worker=worker) from None


def report_error(reason: str, *, cap: int, worker: WorkerLimits) -> ChurnDataError:
    """The one error a user sees when the report's worker crashed, hit its memory cap or
    its time limit; ``reason`` is ``"crash"``, ``"memory"`` or ``"time"``."""
    why, var, example = over_limit(
        reason, cap=cap, worker=worker, crashed=msg("the process building it crashed")
    )
    error = ChurnDataError(
        msg("The report could not be built safely: {why}.", why=why),
        fix=msg(
            "choose fewer sections and build it again; or raise the limit by setting the "
            "environment variable {var} (e.g. {var}={example}) before starting the app.",
            var=var,
            example=example,
        )
        if reason in ("memory", "time")
        else msg(
            "build it again; if it crashes again, choose fewer sections. Nobody else's work "
            "was affected."
        ),
    )
    error.reason = reason
    return error


# --------------------------------------------------------------------------------------
# Inside the worker
# --------------------------------------------------------------------------------------


def report_job(job: dict[str, Any]) -> dict[str, Any]:
    """Inside the worker: the report's files written to the job's scratch files; the
    answer's JSON part (the kinds written, the sections kept, the notes)."""
    args = unpack(job["args"])
    files = report_files(args["table"], args["trained"], pdf=job["pdf"], **args["kwargs"])
    for kind, (data, _, _) in files.items():
        with open(job["out"][kind], "wb") as fh:
            fh.write(data)
    _, kept, notes = files["html"]
    return {"kinds": list(files), "kept": list(kept), "notes": to_json(list(notes))}
