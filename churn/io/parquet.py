"""Parquet files: typed columns kept as they are, text columns through the cleaner."""

from __future__ import annotations

import io

import pandas as pd

from churn.errors import ChurnDataError
from churn.io.convert import CleanColumn, convert_strings
from churn.io.limits import Limits, cap_error, columns_text, rows_text, snip
from churn.io.result import Parsed
from churn.text import msg


def read_parquet_file(
    data: bytes, *, kind: str, name: str | None, sheet: str | None, limits: Limits
) -> Parsed:
    """Read a Parquet file (kind "parquet"; ``sheet`` does not apply), within the caps."""
    frame = _read_parquet(data, limits)

    def convert(names: list[str]) -> list[CleanColumn]:
        return [_parquet_column(frame.iloc[:, j], nm) for j, nm in enumerate(names)]

    return Parsed(header=list(frame.columns), nrows=len(frame), convert=convert)


def _read_parquet(data: bytes, limits: Limits) -> pd.DataFrame:
    """The file as a frame; the row and column caps are checked on its metadata first."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        md = pf.metadata
        if md.num_rows > limits.max_rows:
            raise cap_error(
                rows_text(md.num_rows), rows_text(limits.max_rows), "max_rows", md.num_rows + 1000
            )
        if md.num_columns > limits.max_cols:
            raise cap_error(
                columns_text(md.num_columns), columns_text(limits.max_cols), "max_cols",
                md.num_columns + 1000,
            )  # fmt: skip
        table = pf.read()
    except (pa.ArrowException, OSError) as exc:
        raise ChurnDataError(
            msg("The Parquet file could not be read ({reason}).", reason=snip(exc)),
            fix=msg("write it again (e.g. pandas DataFrame.to_parquet) or export the data as CSV."),
        ) from None
    return table.to_pandas()


def _parquet_column(s: pd.Series, column: str) -> CleanColumn:
    """A Parquet column: typed columns stay as they are; text goes through the cleaner."""
    import pyarrow as pa

    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    if s.dtype.kind == "M":  # one resolution everywhere (pandas 3 keeps Parquet's us)
        return CleanColumn(values=s.astype("datetime64[ns]").to_numpy())
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        try:
            arr = pa.array(s.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = None
        if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_null(arr.type)):
            return convert_strings(arr.cast(pa.string()), column, decimal_comma=None)
        return CleanColumn(values=s.to_numpy(dtype=object))
    values = s.to_numpy()
    n_missing = int(pd.isna(values).sum()) if values.dtype.kind in "fMm" else 0
    return CleanColumn(values=values, blank=n_missing)
