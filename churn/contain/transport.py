"""What travels between the caller and a worker, never pickled.

The frame goes as an Arrow IPC file (:func:`write_frame` / :func:`read_frame`) with each
column's type and missing-value markers spelled out in JSON; every other answer is one
length-prefixed JSON message on the worker's pipe (:func:`send_answer` /
:func:`receive_answer`).
"""

from __future__ import annotations

import json
import logging
import os
import struct
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from churn.text import from_json, to_json

log = logging.getLogger("churnlens.contain")


def send_answer(pipe_w: int, answer: dict[str, Any]) -> None:
    """Write ``answer`` to the pipe as one message: its length (8 bytes), then its JSON."""
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    view = memoryview(struct.pack(">Q", len(body)) + body)
    while view:
        view = view[os.write(pipe_w, view) :]


def receive_answer(answers: BinaryIO) -> dict[str, Any] | None:
    """The next message :func:`send_answer` wrote; None when the stream ended before a
    whole message (the worker ended or was killed)."""
    head = answers.read(8)
    size = struct.unpack(">Q", head)[0] if len(head) == 8 else -1
    body = answers.read(size) if size >= 0 else b""
    if len(body) != size:
        return None
    return json.loads(body.decode("utf-8"))


#: Missing-value markers of object columns, by code.
_MISSING = {0: None, 1: np.nan, 2: pd.NaT, 3: pd.NA}


def _missing_code(v: Any) -> int | None:
    """The code of a missing-value marker (``None``, NaN, NaT, NA), None for a value."""
    if v is None:
        return 0
    if v is pd.NaT:
        return 2
    if v is pd.NA:
        return 3
    if isinstance(v, float) and v != v:
        return 1
    return None


def _pointers(values: np.ndarray) -> np.ndarray:
    """The object pointers of a contiguous object array, as integers (a view, no copy).

    Equal pointers are the same object, so columns whose cells share a few str objects
    (churn.io builds low-cardinality text that way) are grouped by integer hashing
    instead of comparing strings.
    """
    import ctypes

    return np.ctypeslib.as_array((ctypes.c_size_t * len(values)).from_address(values.ctypes.data))


def _by_object(ptr: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """(code of each cell, the distinct objects in order of first appearance), for the
    pointers of objects the caller's array holds (and so keeps alive).

    The codes come in the smallest integer type that holds them.
    """
    import ctypes

    codes, uniq = pd.factorize(ptr)
    objs = [ctypes.cast(int(p), ctypes.py_object).value for p in uniq]
    small = np.min_scalar_type(-max(len(objs), 1))  # signed: int8 below 128 objects
    return codes.astype(small, copy=False), objs


def write_frame(frame: pd.DataFrame, path: str) -> list[dict[str, Any]]:
    """Write ``frame`` to ``path`` as one Arrow IPC record batch; return its column specs.

    Each spec says how :func:`read_frame` rebuilds the column exactly: its name, its dtype
    and, for object columns, which missing-value marker (``NaN``, ``None``, ...) it held.
    The frame's index is a default ``RangeIndex``, as :func:`~churn.io.read_table` gives.
    """
    import pyarrow as pa

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        raise ValueError("only frames with a default RangeIndex can be sent back")
    arrays: dict[str, Any] = {}
    specs: list[dict[str, Any]] = []
    for j in range(frame.shape[1]):
        spec, arr, extra = _encode(frame.iloc[:, j])
        spec["name"] = to_json(frame.columns[j])
        arrays[f"v{j}"] = arr
        if extra is not None:
            arrays[f"m{j}"] = extra
        specs.append(spec)
    table = pa.table(arrays) if arrays else pa.table({"_rows": pa.nulls(len(frame))})
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return [{"columns": str(frame.columns.dtype), "rows": len(frame)}, *specs]


def _encode(s: pd.Series) -> tuple[dict[str, Any], Any, Any]:
    """(spec, Arrow array, Arrow array of missing markers or None) for one column."""
    import pyarrow as pa

    d = s.dtype
    if isinstance(d, np.dtype) and d.kind in "iufb":
        return {"kind": "numpy", "dtype": d.str}, pa.array(s.to_numpy()), None
    if isinstance(d, np.dtype) and d.kind in "mM":
        return {"kind": "numpy", "dtype": d.str}, pa.array(s.to_numpy().view("i8")), None
    if isinstance(d, pd.StringDtype):
        na = "nan" if d.na_value is np.nan else "NA"
        spec = {"kind": "string", "storage": d.storage, "na": na}
        return spec, pa.array(s.array).cast(pa.large_string()), None
    if isinstance(d, pd.CategoricalDtype):
        sub, dictionary, _ = _encode(pd.Series(d.categories))
        codes = s.cat.codes.to_numpy()
        arr = pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=codes < 0), dictionary, ordered=bool(d.ordered)
        )
        return {"kind": "category", "ordered": bool(d.ordered), "categories": sub}, arr, None
    if not isinstance(d, np.dtype) and hasattr(d, "__from_arrow__"):
        try:
            arr = pa.array(s.array)
            back = pd.api.types.pandas_dtype(str(d)).__from_arrow__(pa.chunked_array([arr]))
            if pd.Series(back).equals(s.reset_index(drop=True)):
                return {"kind": "extension", "dtype": str(d)}, arr, None
        except (TypeError, ValueError, pa.ArrowException):
            pass
    return _encode_objects(s.to_numpy(dtype=object))


def _encode_objects(values: np.ndarray) -> tuple[dict[str, Any], Any, Any]:
    """An object column: text (the usual case), else any type Arrow carries exactly."""
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=object)
    n = len(values)
    ptr = _pointers(values)
    if n > 1000 and len(set(ptr[:2000].tolist())) < 1000:
        # Few distinct objects (a plan, a region, missing cells): one dictionary entry per
        # object, the missing markers by position in it.
        codes, objs = _by_object(ptr)
        marks = [_missing_code(o) if type(o) is not str else None for o in objs]
        if all(type(o) is str or m is not None for o, m in zip(objs, marks, strict=True)):
            dictionary = pa.array(
                [None if m is not None else o for o, m in zip(objs, marks, strict=True)],
                type=pa.large_string(),
            )
            arr = pa.DictionaryArray.from_arrays(pa.array(codes), dictionary)
            markers = [[i, m] for i, m in enumerate(marks) if m is not None]
            return {"kind": "object", "arrow": "text_dictionary", "markers": markers}, arr, None
    elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        try:
            arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = None
        if arr is not None:
            spec: dict[str, Any] = {"kind": "object", "arrow": "text"}
            extra = None
            if arr.null_count:
                nulls = arr.is_null().to_numpy(zero_copy_only=False)
                codes, objs = _by_object(ptr[nulls])
                kinds = np.array([_missing_code(o) for o in objs], dtype=np.int8)
                if len(set(kinds.tolist())) == 1:
                    spec["missing"] = int(kinds[0])
                else:
                    full = np.zeros(n, dtype=np.int8)
                    full[nulls] = kinds[codes]
                    extra = pa.array(full)
            return spec, arr, extra
    return _encode_other_objects(values)


def _encode_other_objects(values: np.ndarray) -> tuple[dict[str, Any], Any, Any]:
    """Objects other than text (dates, decimals, bytes, booleans with gaps): kept if exact."""
    import pyarrow as pa

    missing = pd.isna(values)
    spec: dict[str, Any] = {"kind": "object"}
    extra = None
    if missing.any():
        kinds = np.array([_missing_code(v) or 0 for v in values[missing]], dtype=np.int8)
        if (kinds == kinds[0]).all():
            spec["missing"] = int(kinds[0])
        else:
            full = np.zeros(len(values), dtype=np.int8)
            full[missing] = kinds
            extra = pa.array(full)
    try:
        arr = pa.array(values, mask=missing, from_pandas=True)
        spec["arrow"] = "objects"
        back = _objects_from_arrow(arr, spec, extra)
        if pd.Series(back, dtype=object).equals(pd.Series(values, dtype=object)):
            return spec, arr, extra
    except (pa.ArrowException, TypeError, ValueError):
        pass
    # Mixed types Arrow cannot hold: as text (logged; churn.io never makes such columns).
    log.warning("an object column of mixed types is sent back as text")
    text = [None if m else str(v) for v, m in zip(values, missing, strict=True)]
    spec["arrow"] = "text"
    return spec, pa.array(text, type=pa.large_string()), extra


def read_frame(path: str, specs: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame :func:`write_frame` wrote to ``path``, in memory the caller owns."""
    import pyarrow as pa

    head, specs = specs[0], specs[1:]
    with pa.memory_map(path, "r") as source:
        table = pa.ipc.open_file(source).read_all()
        cols = {}
        arr = extra = None
        for j, spec in enumerate(specs):
            arr = table.column(f"v{j}").combine_chunks()
            extra = (
                table.column(f"m{j}").combine_chunks() if f"m{j}" in table.schema.names else None
            )
            values = _decode(arr, spec, extra)
            cols[f"__{j}"] = pd.Series(values, dtype=getattr(values, "dtype", None), copy=False)
        del table, arr, extra
    frame = pd.DataFrame(cols, copy=False) if cols else pd.DataFrame(index=range(head["rows"]))
    names = [from_json(s["name"]) for s in specs]
    try:
        frame.columns = pd.Index(names, dtype=head["columns"])
    except (TypeError, ValueError):
        frame.columns = names
    return frame


def _decode(arr, spec: dict[str, Any], extra) -> Any:
    """One column's values (numpy array or pandas extension array), copied off the map."""
    import pyarrow as pa

    kind = spec["kind"]
    if kind == "numpy":
        dtype = np.dtype(spec["dtype"])
        values = arr.to_numpy(zero_copy_only=False, writable=True)
        return values.view(dtype) if dtype.kind in "mM" else values.astype(dtype, copy=False)
    if kind == "string":
        na = np.nan if spec["na"] == "nan" else pd.NA
        dtype = pd.StringDtype(storage=spec["storage"], na_value=na)
        return dtype.__from_arrow__(pa.chunked_array([pa.concat_arrays([arr])]))  # a copy
    if kind == "category":
        categories = _decode(arr.dictionary, spec["categories"], None)
        codes = arr.indices.fill_null(-1).to_numpy(zero_copy_only=False, writable=True)
        return pd.Categorical.from_codes(
            codes, categories=pd.Index(categories), ordered=spec["ordered"]
        )
    if kind == "extension":
        dtype = pd.api.types.pandas_dtype(spec["dtype"])
        return dtype.__from_arrow__(pa.chunked_array([pa.concat_arrays([arr])]))
    return _objects_from_arrow(arr, spec, extra)


def _objects_from_arrow(arr, spec: dict[str, Any], extra) -> np.ndarray:
    """An object column back from Arrow, with its own missing-value markers."""
    how = spec.get("arrow")
    if how == "text_dictionary":
        uniq = arr.dictionary.to_numpy(zero_copy_only=False)
        for i, code in spec["markers"]:
            uniq[i] = _MISSING[code]
        return uniq[arr.indices.to_numpy(zero_copy_only=False)]
    if how == "objects":
        values = arr.to_pandas(date_as_object=True, timestamp_as_object=True).to_numpy(dtype=object)
    else:
        values = arr.to_numpy(zero_copy_only=False)
    values = np.array(values, dtype=object, copy=not values.flags.writeable)
    if arr.null_count:
        nulls = arr.is_null().to_numpy(zero_copy_only=False)
        if extra is not None:
            markers = extra.to_numpy(zero_copy_only=False)
            for code, marker in _MISSING.items():
                values[nulls & (markers == code)] = marker
        else:
            values[nulls] = _MISSING[spec.get("missing", 0)]
    return values
