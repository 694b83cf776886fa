"""Scoring: risks for a customer table, a frame or a new file; what the explanations need
from the pipeline (its encoded input, encoded column -> user's column); the scored list
as formula-safe CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.export import frame_bytes
from churn.model.features import feature_frame
from churn.model.trained import TrainedModel, pipeline_risk
from churn.settings import IntakeSettings, difference_note
from churn.table import ID, CustomerTable


def score(trained: TrainedModel, frame_or_table: CustomerTable | pd.DataFrame) -> pd.Series:
    """Churn risk (0..1) for every row of a customer table or a frame with the features.

    A CustomerTable's risks are indexed by ``customer_id``; a plain frame keeps its index.
    A missing feature column raises ChurnDataError naming it.
    """
    if isinstance(frame_or_table, CustomerTable):
        frame = frame_or_table.frame
        index = pd.Index(frame[ID].astype(str), name=ID)
    else:
        frame = frame_or_table
        index = frame.index
    X = feature_frame(frame, trained.features, trained.categorical)
    risk = pipeline_risk(trained.pipeline_, X) if len(X) else np.array([])
    return pd.Series(risk, index=index, name="risk")


def _raw_scoring_frame(frame: pd.DataFrame, roles) -> pd.DataFrame:
    """A one-row-per-customer file without a usable label, as the model's input.

    Attribute columns keep their names; ``customer_id``, ``value`` and ``tenure_days`` are
    derived from the id, amount and tenure roles the way intake derives them.
    """
    from churn.shapes import UNIT_DAYS

    out = frame.copy()
    if roles.id and roles.id in frame.columns:
        out[ID] = frame[roles.id].astype(str).str.strip()
    else:
        out[ID] = [str(i + 1) for i in range(len(frame))]
    if roles.amount and roles.amount in frame.columns:
        out["value"] = pd.to_numeric(frame[roles.amount], errors="coerce").astype(float)
    if roles.tenure and roles.tenure in frame.columns:
        days = UNIT_DAYS.get(roles.tenure_unit, UNIT_DAYS["months"])
        out["tenure_days"] = pd.to_numeric(frame[roles.tenure], errors="coerce") * days
    return out


def score_new_file(
    trained: TrainedModel,
    source: str | Path | bytes | pd.DataFrame,
    *,
    name: str | None = None,
    sheet: str | None = None,
    settings: IntakeSettings | None = None,
    roles: Any = None,
    snapshot: Any = None,
    inactivity_days: int | None = None,
) -> pd.DataFrame:
    """Score every customer of a new file that has the training file's columns.

    The file is read with :func:`churn.io.read_table` (or ``source`` is the frame already
    read, e.g. by :func:`churn.contain.read_contained`) and turned into a customer table
    with ``settings``. A file without the label (customers still to be judged) is scored
    from its columns directly.

    Parameters
    ----------
    trained : the model.
    source : a path, the file's bytes, or the frame already read.
    name : the file's name (for messages).
    sheet : the new file's worksheet (default: the sheet that looks most like a data
        table). The sheet in ``settings`` names the training file's sheet; it is not used.
    settings : IntakeSettings, optional
        Roles, snapshot and inactivity window for the new file. Default: the settings the
        model was trained with (:meth:`TrainedModel.intake_settings`), so an event log is
        cut with the model's own inactivity window.
    roles, snapshot, inactivity_days : optional
        Change one setting of ``settings`` (or of the model's own).

    Returns
    -------
    pd.DataFrame
        ``customer_id``, the file's id column (same values, under its own name, for
        joining back), ``risk`` (0..1) and ``risk_rank`` (1 = riskiest), in file order.
        ``attrs["settings"]`` holds the settings used (:meth:`IntakeSettings.to_dict`);
        ``attrs["notes"]`` a sentence when they differ from the ones the model was trained
        with (other roles, snapshot or inactivity window), else nothing.
    """
    from churn.io import read_table
    from churn.shapes import build_customer_table

    own = trained.intake_settings()
    used = settings if settings is not None else own
    changes = {"roles": roles, "snapshot": snapshot, "inactivity_days": inactivity_days}
    changes = {k: v for k, v in changes.items() if v is not None}
    if changes:
        used = used.with_(**changes)
    # A model file saved before settings travelled with models cannot say what it used.
    note = difference_note(own, used) if trained.settings is not None else None
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_table(source, name=name, sheet=sheet).frame
    roles = used.roles
    usable_label = bool(roles.label) and roles.label in frame.columns
    source_frame: CustomerTable | pd.DataFrame
    try:
        if not usable_label and roles.label:
            roles = roles.with_(label=None, churned_values=(), active_values=())
        source_frame = build_customer_table(frame, used.with_(roles=roles))
    except ChurnDataError:
        if roles.shape != "customers":
            raise
        source_frame = _raw_scoring_frame(frame, roles)
    risk = score(trained, source_frame)
    ids = source_frame.frame[ID] if isinstance(source_frame, CustomerTable) else source_frame[ID]
    out = pd.DataFrame({ID: ids.astype(str).to_numpy()})
    if roles.id and roles.id != ID:
        out[roles.id] = out[ID]
    out["risk"] = risk.to_numpy()
    out["risk_rank"] = out["risk"].rank(ascending=False, method="first").astype(int)
    out.attrs["settings"] = used.to_dict()
    out.attrs["notes"] = [] if note is None else [note]
    return out


def transformed_features(trained: TrainedModel, X: pd.DataFrame) -> pd.DataFrame:
    """The last step's input (after encoding) for a feature frame: what shap explains."""
    return trained.pipeline_[:-1].transform(X[list(trained.features)])


def feature_map(trained: TrainedModel) -> dict[str, str]:
    """Transformed column -> the user's column (one-hot levels map to their column)."""
    prep = trained.pipeline_.named_steps["prep"]
    out: dict[str, str] = {}
    for name, trans, cols in prep.transformers_:
        if name == "remainder" or isinstance(trans, str):
            out.update({c: c for c in cols} if trans == "passthrough" else {})
            continue
        names = list(trans.get_feature_names_out(cols))
        if len(names) == len(cols):
            out.update(zip(names, cols, strict=True))
            continue
        enc = trans[-1] if hasattr(trans, "steps") else trans
        n_out = []
        infrequent = getattr(enc, "infrequent_categories_", [None] * len(cols))
        for cats, inf in zip(enc.categories_, infrequent, strict=True):
            n_out.append(len(cats) - (0 if inf is None else len(inf) - 1))
        it = iter(names)
        for col, k in zip(cols, n_out, strict=True):
            for _ in range(k):
                out[next(it)] = col
    return out


# --------------------------------------------------------------------------- export
def write_scores(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a scored list as CSV (UTF-8 with BOM) or XLSX that cannot run formulas.

    Uses :mod:`churn.export`: text cells starting with ``= + - @``, tab or CR (and the
    full-width forms) get a leading apostrophe; XLSX is written by xlsxwriter with
    formula and URL conversion off.
    """
    path = Path(path)
    path.write_bytes(scores_bytes(frame, path.suffix.lower().lstrip(".")))
    return path


def scores_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """The formula-safe export of :func:`write_scores` as bytes (``kind``: csv or xlsx)."""
    return frame_bytes(frame, kind, sheet="scores", from_file_name=True)
