"""Library objects to and from a worker: JSON for the small parts, Arrow for the frames.

A job's inputs (a customer table, a P(alive) fit, a month-over-month comparison, the
validation issues) are the library's own frozen dataclasses holding frames, sentences and
numbers. :func:`pack` turns one into JSON, writing each frame (and series, and array) to
an Arrow IPC file of its own through :func:`~churn.contain.transport.write_frame`;
:func:`unpack` rebuilds an equal object on the other side. Nothing is pickled:

* a dataclass is rebuilt only when its class lives in the ``churn`` package (and is a
  dataclass there), from its fields by name;
* a trained model travels as its skops file (read back through the allow-list of
  :func:`churn.model.load_model`), its evaluation predictions as a frame, the parts the
  file does not keep (the split's sentence, metrics, class balance, roles) as JSON;
* an enum by its class (``churn`` only) and value; a timestamp as ISO text; a sentence
  (:class:`~churn.text.Text`) keeps its template (:func:`churn.text.to_json`).

Anything else raises :class:`Unpackable` in :func:`pack`, before any worker starts, so the
caller can do the work in its own process instead.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import os
import tempfile
import threading
import weakref
from typing import Any

import numpy as np
import pandas as pd

from churn.contain.scratch import scratch_file
from churn.contain.train import split_from_json, split_json
from churn.contain.transport import read_frame, write_frame
from churn.text import Text, from_json, to_json

_PLAIN = (type(None), bool, int, float, str)
#: The column that carries a frame's index (and a series' values) through Arrow.
INDEX = "__churnlens_index__"
_VALUES = "__churnlens_values__"

# A model's skops bytes, saved once per model object.
_SAVED: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()
_SAVED_LOCK = threading.Lock()


class Unpackable(TypeError):
    """A value :func:`pack` cannot send to a worker (the caller works in-process)."""


class Packer:
    """Packs values for one job: frames go to private scratch files in ``folder``.

    ``made`` collects the files' paths; the caller removes them after the job.
    """

    def __init__(self, folder: str, made: list[str]):
        self.folder, self.made = folder, made

    def frame(self, frame: pd.DataFrame) -> dict[str, Any]:
        path = scratch_file(self.folder, "pack", self.made)
        specs = write_frame(with_index(frame), path)
        return {"path": path, "specs": specs, "index_name": self.pack(frame.index.name)}

    def pack(self, value: Any) -> Any:  # noqa: C901 - one branch per kind of value
        if type(value) in _PLAIN:
            if isinstance(value, float) and not np.isfinite(value):
                return {"$float": repr(value)}
            return value
        if isinstance(value, Text):
            return {"$text": to_json(value)}
        if isinstance(value, np.generic) and value.shape == ():
            return self.pack(value.item())
        if isinstance(value, enum.Enum):
            return {"$enum": _class_ref(type(value)), "value": self.pack(value.value)}
        if isinstance(value, pd.Timestamp):
            return {"$timestamp": None if value is pd.NaT else value.isoformat()}
        if isinstance(value, pd.DataFrame):
            return {"$frame": self.frame(value), "attrs": self.pack(dict(value.attrs))}
        if isinstance(value, pd.Series):
            name = self.pack(value.name)
            part = self.frame(value.rename(_VALUES).to_frame())
            return {"$series": part, "name": name, "attrs": self.pack(dict(value.attrs))}
        if isinstance(value, np.ndarray) and value.ndim == 1:
            return {"$array": self.frame(pd.DataFrame({_VALUES: value}))}
        if _is_model(value):
            return self.model(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {}
            for f in dataclasses.fields(value):
                if not f.init:
                    raise Unpackable(f"{type(value).__name__}.{f.name} is not an init field")
                fields[f.name] = self.pack(getattr(value, f.name))
            return {"$dataclass": _class_ref(type(value)), "fields": fields}
        if isinstance(value, tuple | list):
            items = [self.pack(v) for v in value]
            return {"$tuple": items} if isinstance(value, tuple) else items
        if isinstance(value, dict):
            return {"$dict": [[self.pack(k), self.pack(v)] for k, v in value.items()]}
        raise Unpackable(f"cannot send a {type(value).__module__}.{type(value).__name__}")

    def model(self, trained: Any) -> dict[str, Any]:

        path = scratch_file(self.folder, "pack-model", self.made)
        with open(path, "wb") as fh:
            fh.write(model_bytes(trained))
        return {
            "$model": path,
            "predictions": self.pack(trained.predictions),
            "split": split_json(trained.split),
            "metrics": to_json(trained.metrics),
            "class_balance": to_json(trained.class_balance),
            "roles": to_json(trained.roles),
        }


def unpack(data: Any) -> Any:  # noqa: C901 - the inverse of Packer.pack
    """The value :meth:`Packer.pack` wrote (frames read back from their files)."""
    if isinstance(data, list):
        return [unpack(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$float" in data:
        return float(data["$float"])
    if "$text" in data:
        return from_json(data["$text"])
    if "$enum" in data:
        return _class(data["$enum"], enum.Enum)(unpack(data["value"]))
    if "$timestamp" in data:
        return pd.NaT if data["$timestamp"] is None else pd.Timestamp(data["$timestamp"])
    if "$frame" in data:
        return _with_attrs(_frame(data["$frame"]), data)
    if "$series" in data:
        return _with_attrs(_frame(data["$series"])[_VALUES].rename(unpack(data["name"])), data)
    if "$array" in data:
        return _frame(data["$array"])[_VALUES].to_numpy()
    if "$model" in data:
        return _model(data)
    if "$dataclass" in data:
        cls = _class(data["$dataclass"], None)
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{data['$dataclass']} is not a dataclass")
        return cls(**{k: unpack(v) for k, v in data["fields"].items()})
    if "$tuple" in data:
        return tuple(unpack(v) for v in data["$tuple"])
    if "$dict" in data:
        return {unpack(k): unpack(v) for k, v in data["$dict"]}
    raise TypeError(f"unknown packed value: {sorted(data)}")


def model_bytes(trained: Any) -> bytes:
    """The model's skops file, saved once per model object (a shared, read-only entry)."""
    from churn.model.persistence import save_model  # heavy (skops): loaded on first use

    with _SAVED_LOCK:
        data = _SAVED.get(trained)
    if data is None:
        with tempfile.TemporaryDirectory(prefix="churnlens-model-") as folder:
            path = os.path.join(folder, "model.skops")
            save_model(trained, path)
            with open(path, "rb") as fh:
                data = fh.read()
        with _SAVED_LOCK:
            _SAVED[trained] = data
    return data


def with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its index as the column :data:`INDEX` (a fresh range index)."""
    out = frame.copy(deep=False)
    out.insert(0, INDEX, frame.index.to_numpy())
    return out.reset_index(drop=True)


def index_back(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame :func:`with_index` wrote, its index restored (nameless, as it was sent)."""
    out = frame.set_index(INDEX)
    out.index.name = None
    return out


def _with_attrs(obj: Any, data: dict[str, Any]) -> Any:
    obj.attrs = unpack(data.get("attrs")) or {}
    return obj


def _frame(part: dict[str, Any]) -> pd.DataFrame:
    out = index_back(read_frame(part["path"], part["specs"]))
    out.index.name = unpack(part.get("index_name"))
    return out


def _is_model(value: Any) -> bool:
    cls = type(value)
    return cls.__name__ == "TrainedModel" and cls.__module__ == "churn.model.trained"


def _model(data: dict[str, Any]) -> Any:
    from churn.model.persistence import load_model  # heavy (skops): loaded on first use

    return dataclasses.replace(
        load_model(data["$model"]),
        predictions=unpack(data["predictions"]),
        split=split_from_json(data["split"]),
        metrics=from_json(data["metrics"]),
        class_balance=from_json(data["class_balance"]),
        roles=from_json(data["roles"]),
    )


def _class_ref(cls: type) -> str:
    ref = f"{cls.__module__}:{cls.__qualname__}"
    if not cls.__module__.startswith("churn.") or "<" in ref:
        raise Unpackable(f"cannot send a {ref} (only the library's own classes travel)")
    return ref


def _class(ref: str, base: type | None) -> Any:
    module, _, qualname = ref.partition(":")
    if not module.startswith("churn."):
        raise TypeError(f"refusing to rebuild {ref}: not a class of the library")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type) or (base is not None and not issubclass(obj, base)):
        raise TypeError(f"refusing to rebuild {ref}")
    return obj
