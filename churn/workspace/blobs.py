"""The trained model in a workspace: the skops blob, its checksum, its settings (the
handle) and its evaluation scores as JSON columns.

The model is written by :func:`churn.model.save_model` and read by
:func:`churn.model.load_model` (an explicit allow-list of types; never pickle). The
evaluation scores are stored as column lists with their dtypes, so the floats come back
exactly.
"""

from __future__ import annotations

import json
import math
import sqlite3
import tempfile
import threading
import weakref
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.text import msg
from churn.workspace.schema import checksum, json_text

if TYPE_CHECKING:
    from churn.model import TrainedModel

__all__ = [
    "model_bytes",
    "model_columns",
    "model_from_bytes",
    "read_model",
    "scores_frame",
    "scores_json",
]


def model_bytes(model: TrainedModel) -> bytes:
    """``churn.model.save_model`` as bytes (skops, never pickle)."""
    from churn.model import save_model

    with tempfile.TemporaryDirectory() as tmp:
        return save_model(model, Path(tmp) / "model.skops").read_bytes()


def model_from_bytes(data: bytes) -> TrainedModel:
    """``churn.model.load_model`` (allow-listed types only) from bytes."""
    from churn.model import load_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.skops"
        path.write_bytes(data)
        return load_model(path)


#: dtypes the evaluation scores may have; anything else is stored as text.
_SCORE_DTYPES = ("float64", "int64", "bool")


def scores_json(frame: pd.DataFrame) -> str:
    """The model's evaluation scores as column lists with their dtypes (exact floats)."""
    cols = []
    for name in frame.columns:
        s = frame[name]
        dtype = str(s.dtype)
        if dtype in _SCORE_DTYPES:
            values = [None if isinstance(v, float) and math.isnan(v) else v for v in s.tolist()]
        else:
            dtype = "str"
            values = [None if pd.isna(v) else str(v) for v in s.tolist()]
        cols.append({"name": str(name), "dtype": dtype, "values": values})
    return json.dumps({"columns": cols}, allow_nan=False)


def scores_frame(text: str) -> pd.DataFrame:
    """The frame :func:`scores_json` wrote, with its dtypes."""
    data = json.loads(text)
    out = {}
    for col in data["columns"]:
        dtype, values = col["dtype"], col["values"]
        if dtype == "float64":
            out[col["name"]] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
        elif dtype in ("int64", "bool"):
            out[col["name"]] = pd.Series(values, dtype=dtype)
        elif dtype == "str":
            out[col["name"]] = pd.Series(values, dtype="str")  # pandas 3: the text dtype
        else:
            raise ValueError(f"unexpected column type {dtype!r}")
    return pd.DataFrame(out)


#: The stored form of recently saved models, by the model object itself (a weak reference:
#: an entry never keeps a model alive). A workshop room autosaves the one shared model
#: into every participant's workspace: it is serialised once, not once per participant.
#: Models are never changed after training (the app shares them read-only).
_BLOBS: OrderedDict[int, tuple[weakref.ref, bytes, str, str]] = OrderedDict()
_BLOBS_MAX = 8
_BLOBS_LOCK = threading.Lock()


def _stored(model: TrainedModel) -> tuple[bytes, str, str]:
    """(skops bytes, their checksum, the scores as JSON) of ``model``, made once."""
    key = id(model)
    with _BLOBS_LOCK:
        hit = _BLOBS.get(key)
        if hit is not None and hit[0]() is model:
            _BLOBS.move_to_end(key)
            return hit[1], hit[2], hit[3]
    blob = model_bytes(model)
    out = (blob, checksum(blob), scores_json(model.predictions))
    try:
        ref = weakref.ref(model)
    except TypeError:  # not weakly referable: not kept
        return out
    with _BLOBS_LOCK:
        _BLOBS[key] = (ref, *out)
        while len(_BLOBS) > _BLOBS_MAX:
            _BLOBS.popitem(last=False)
    return out


def model_columns(model: TrainedModel | None, handle: dict[str, Any] | None) -> dict:
    """The model's columns of the workspace row (all None: no model)."""
    if model is None:
        return {"model": None, "model_sha256": None, "model_handle": None, "model_scores": None}
    blob, digest, scores = _stored(model)
    return {
        "model": blob,
        "model_sha256": digest,
        "model_handle": json_text(handle or {}, msg("model settings")),
        "model_scores": scores,
    }


def read_model(row: sqlite3.Row) -> dict[str, Any]:
    """The model and its handle from a workspace row; raises when either is damaged."""
    blob = row["model"]
    if not isinstance(blob, bytes) or checksum(blob) != row["model_sha256"]:
        raise ValueError("the model bytes do not match their checksum (truncated?)")
    model = model_from_bytes(blob)
    if row["model_scores"]:
        model = replace(model, predictions=scores_frame(row["model_scores"]))
    handle = json.loads(row["model_handle"]) if row["model_handle"] else None
    if handle is not None and not isinstance(handle, dict):
        raise TypeError("the model settings are not a JSON object")
    return {"model": model, "model_handle": handle}
