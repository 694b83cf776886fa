"""Dates: :func:`parse_dates` reads a column the user marked as dates.

:func:`date_share` (how many values read as dates, for proposing date roles) and
:func:`date_order_ambiguous` (whether day-first vs month-first is undecided) look at a
column without raising. Parsing works on the distinct values of a column.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.io.limits import snip
from churn.text import msg

_RE_KO = re.compile(r"^\s*(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s*(.*)$")
_RE_NUMDATE = re.compile(
    r"^(?P<a>\d{1,4})(?P<s1>[-/.])(?P<b>\d{1,2})(?P=s1)(?P<c>\d{1,4})\.?"
    r"(?:[ T]+(?P<time>.*))?$"
)
_RE_TIME = re.compile(
    r"^(?:(?P<ampm1>오전|오후|AM|PM|am|pm)\s*)?(?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ampm2>AM|PM|am|pm|오전|오후)?$"
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954-10-03 .. 2119-01-10


def _split_numeric(uniq: pd.Series) -> pd.DataFrame:
    """Components of d/m/y-like strings: columns a, b, c (ints) and time (str)."""
    ko = uniq.str.extract(_RE_KO)
    is_ko = ko[0].notna()
    s = uniq.copy()
    if is_ko.any():
        s[is_ko] = ko[0] + "-" + ko[1] + "-" + ko[2] + " " + ko[3].fillna("")
        s = s.str.strip()
    parts = s.str.extract(_RE_NUMDATE)
    return parts


def _ymd(y, m, d) -> pd.Series:
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    bad = (
        frame.isna().any(axis=1)
        | (frame["month"] < 1)
        | (frame["month"] > 12)
        | (frame["day"] < 1)
        | (frame["day"] > 31)
        | (frame["year"] < 1678)
        | (frame["year"] > 2261)
    )
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    good = frame[~bad].astype("int64")
    if len(good):
        out[~bad] = pd.to_datetime(good, errors="coerce")
    return out


def _times(t: pd.Series) -> pd.Series:
    """Time-of-day strings -> timedelta (NaT where not a time; 0 where empty)."""
    t = t.fillna("").str.strip()
    out = pd.Series(pd.Timedelta(0), index=t.index)
    has = t.ne("")
    if not has.any():
        return out
    p = t[has].str.extract(_RE_TIME)
    h = pd.to_numeric(p["h"], errors="coerce")
    ampm = pd.Series(
        np.where(p["ampm1"].notna(), p["ampm1"], p["ampm2"]), index=p.index, dtype=object
    )
    ampm = ampm.where(ampm.notna(), "").astype(str).str.lower()
    pm = ampm.isin(["pm", "오후"]) & (h < 12)
    am12 = ampm.isin(["am", "오전"]) & (h == 12)
    h = h + 12 * pm - 12 * am12
    frac = p["f"].fillna("0").str.ljust(9, "0").str.slice(0, 9)
    ns = (
        h * 3600 + pd.to_numeric(p["m"], errors="coerce") * 60
        + pd.to_numeric(p["s"].fillna("0"), errors="coerce")
    ) * 1_000_000_000 + pd.to_numeric(frac, errors="coerce")  # fmt: skip
    ok = ns.notna() & (h < 24)
    td = pd.to_timedelta(ns.where(ok), unit="ns")
    out[has] = td
    out[has & ~ok.reindex(t.index, fill_value=False)] = pd.NaT
    return out


def _order_evidence(parts: pd.DataFrame) -> tuple[pd.Series, int, int, pd.Series]:
    """For x/y/YYYY values: (mask, #first>12, #second>12, ambiguous mask)."""
    a = pd.to_numeric(parts["a"], errors="coerce")
    b = pd.to_numeric(parts["b"], errors="coerce")
    c_len = parts["c"].str.len()
    a_len = parts["a"].str.len()
    xy = parts["a"].notna() & (a_len <= 2) & c_len.isin([2, 4])
    first_big = int((xy & (a > 12) & (b <= 12)).sum())
    second_big = int((xy & (b > 12) & (a <= 12)).sum())
    amb = xy & (a <= 12) & (b <= 12) & (a != b)
    return xy, first_big, second_big, amb


def _parse_unique(
    uniq: pd.Series, dayfirst: bool | None, allow_numbers: bool, column: str | None
) -> tuple[pd.Series, str | None]:
    """Parse unique non-blank strings; return (timestamps, decided order or None)."""
    uniq = uniq.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    # Fast path: full ISO dates/timestamps (C parser), then the other forms.
    full = uniq.str.len().ge(10) & uniq.str.slice(0, 4).str.isdigit()
    if full.any():
        iso = pd.to_datetime(uniq[full], format="ISO8601", errors="coerce", utc=True)
        iso = iso.dt.tz_convert(None).astype("datetime64[ns]")
        out.loc[iso.index] = iso
    todo = uniq[out.isna()]
    parts = _split_numeric(todo)
    matched = parts["a"].notna()
    order = None
    if matched.any():
        a_len = parts["a"].str.len()
        ymd = matched & (a_len == 4)
        if ymd.any():
            p = parts[ymd]
            out.loc[p.index] = _ymd(
                pd.to_numeric(p["a"]), pd.to_numeric(p["b"]), pd.to_numeric(p["c"])
            ) + _times(p["time"])
        xy, first_big, second_big, amb = _order_evidence(parts)
        if xy.any():
            if dayfirst is None:
                if first_big and not second_big:
                    dayfirst_eff = True
                elif second_big and not first_big:
                    dayfirst_eff = False
                elif amb.any() and not first_big and not second_big:
                    examples = snip(", ".join(todo[amb].head(3)))
                    raise ChurnDataError(
                        msg(
                            "dates such as {examples} could be day-first or month-first, and "
                            "no value in the column decides which.",
                            examples=examples,
                        ),
                        fix=msg(
                            "choose the date order for this column (day first, e.g. 03/04 = "
                            "3 April, or month first, e.g. 03/04 = March 4)."
                        ),
                        column=column,
                    )
                else:
                    dayfirst_eff = first_big >= second_big
            else:
                dayfirst_eff = dayfirst
            order = "dayfirst" if dayfirst_eff else "monthfirst"
            p = parts[xy]
            year = pd.to_numeric(p["c"])
            year = year.where(p["c"].str.len() == 4, np.where(year <= 68, 2000 + year, 1900 + year))
            day, month = (p["a"], p["b"]) if dayfirst_eff else (p["b"], p["a"])
            out.loc[p.index] = _ymd(year, pd.to_numeric(month), pd.to_numeric(day)) + _times(
                p["time"]
            )
    rest = out.isna()
    if rest.any() and allow_numbers:
        num = pd.to_numeric(uniq[rest].str.replace(",", ".", regex=False), errors="coerce")
        out[num.index] = _numbers_to_dates(num).where(num.notna(), out[num.index])
        rest = out.isna()
    if rest.any():
        r = uniq[rest]
        looks = r.str.contains(r"\d") & ~r.str.fullmatch(r"[+-]?\d+(\.\d+)?")
        r = r[looks]
        if len(r):
            iso = pd.to_datetime(r, format="ISO8601", errors="coerce", utc=True)
            got = iso.notna()
            if got.any():
                out[r.index[got]] = iso[got].dt.tz_convert(None).astype("datetime64[ns]")
            left = r[~got]
            if len(left) > 1000:
                # dateutil is slow: go on only if a sample of the leftovers are dates
                probe = pd.to_datetime(left.head(200), errors="coerce", format="mixed")
                if probe.notna().mean() < 0.5:
                    left = left.iloc[:0]
            if len(left):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    vals = []
                    for v in left:  # row-wise fallback, on the few leftover distinct values
                        try:
                            ts = pd.to_datetime(v, dayfirst=bool(dayfirst), errors="coerce")
                        except (ValueError, TypeError, OverflowError):
                            ts = pd.NaT
                        if ts is not pd.NaT and getattr(ts, "tzinfo", None) is not None:
                            ts = ts.tz_convert(None)
                        vals.append(ts)
                out[left.index] = pd.to_datetime(pd.Series(vals, index=left.index, dtype=object))
    return out, order


def _numbers_to_dates(num: pd.Series) -> pd.Series:
    """Excel serials (1900 system), yyyymmdd integers and Unix epoch seconds/ms -> dates."""
    out = pd.Series(pd.NaT, index=num.index, dtype="datetime64[ns]")
    serial = num.between(_SERIAL_MIN, _SERIAL_MAX)
    if serial.any():
        out[serial] = _EXCEL_EPOCH + pd.to_timedelta((num[serial] * 86_400_000).round(), unit="ms")
    ymd = num.between(19000101, 21001231) & (num % 1 == 0)
    if ymd.any():
        v = num[ymd].astype("int64")
        out[ymd] = _ymd(v // 10000, (v // 100) % 100, v % 100)
    epoch_s = num.between(1e8, 4e9) & ~ymd
    if epoch_s.any():
        out[epoch_s] = pd.to_datetime(num[epoch_s], unit="s", errors="coerce")
    epoch_ms = num.between(1e11, 4e12)
    if epoch_ms.any():
        out[epoch_ms] = pd.to_datetime(num[epoch_ms], unit="ms", errors="coerce")
    return out


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """(codes over the whole series, unique non-blank strings, blank mask).

    Blank (whitespace-only) values are found on the distinct values, not row by row;
    their codes become -1 like missing values.
    """
    codes, uniques = pd.factorize(series, sort=False)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    blank_u = text.eq("").to_numpy()
    if blank_u.any():
        remap = np.cumsum(~blank_u) - 1
        remap[blank_u] = -1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        text = text[~blank_u].reset_index(drop=True)
    return codes, text, codes < 0


def parse_dates(
    series: pd.Series, *, dayfirst: bool | None = None, column: str | None = None
) -> pd.Series:
    """Read a column the user marked as dates into ``datetime64[ns]`` (NaT for blanks).

    Parameters
    ----------
    series : pandas.Series
        Text, numbers (Excel serial numbers of the 1900 date system between 20,000 and
        80,000, ``yyyymmdd`` integers, Unix seconds or milliseconds), Python datetimes,
        or already datetimes.
    dayfirst : bool, optional
        How to read ``03/04/2024``: True = 3 April, False = March 4. ``None``: decided by
        the data (a value such as ``25/03/2024`` decides); if nothing decides, raise.
    column : str, optional
        The column's name, for messages.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` with the input's index and name; time zones are converted to
        UTC and dropped. ``result.attrs["unparsed"]`` counts non-blank values that are not
        dates (now NaT) and ``result.attrs["unparsed_examples"]`` shows a few.

    Raises
    ------
    ChurnDataError
        Most non-blank values are not dates, or day-first vs month-first is ambiguous and
        ``dayfirst`` is None; the message names the column.

    Notes
    -----
    Formats: ISO 8601 (with ``T``, microseconds, time zones), ``2024.03.01``,
    ``2024/3/1``, ``03/01/2024``, ``01-03-2024``, ``01.03.2024``, two-digit years (68 and
    below = 20xx), ``2024년 3월 1일``, times with AM/PM or 오전/오후, month names (row-wise
    fallback), and mixtures of these in one column. Parsing works on the distinct values,
    so a million rows with a few thousand distinct dates is fast.
    """
    name = column if column is not None else (str(series.name) if series.name is not None else None)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = series.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.astype("datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ChurnDataError(
            msg("holds true/false values, not dates."),
            fix=msg("choose the date column."),
            column=name,
        )
    if pd.api.types.is_numeric_dtype(series.dtype):
        num = pd.to_numeric(series, errors="coerce").astype(float)
        out = _numbers_to_dates(num)
        nonblank = int(num.notna().sum())
        bad = num.notna() & out.isna()
        result = pd.Series(out.to_numpy(), index=series.index, name=series.name)
        return _check_share(result, nonblank, series[bad], name)
    s = series
    if s.dtype == object:
        # Python datetimes / dates mixed with text: convert the objects directly.
        is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
        if is_dt.any():
            conv = pd.to_datetime(s[is_dt], errors="coerce", utc=True).dt.tz_convert(None)
            rest = s[~is_dt]
            out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]", name=s.name)
            out[is_dt] = conv.astype("datetime64[ns]")
            if len(rest):
                sub = parse_dates(rest, dayfirst=dayfirst, column=name)
                out[~is_dt] = sub
                bad_n = sub.attrs.get("unparsed", 0)
            else:
                bad_n = 0
            out.attrs.update(unparsed=bad_n, unparsed_examples=())
            return out
        numeric_objs = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        if numeric_objs.any():
            s = s.where(~numeric_objs, s.map(lambda v: repr(v) if isinstance(v, float) else str(v)))
    codes, uniq, blank = _factorize(s.astype(object))
    if not len(uniq):
        out = pd.Series(pd.NaT, index=series.index, name=series.name, dtype="datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    parsed, _ = _parse_unique(uniq, dayfirst, allow_numbers=True, column=name)
    vals = parsed.to_numpy(dtype="datetime64[ns]")
    res = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = codes >= 0
    res[ok] = vals[codes[ok]]
    result = pd.Series(res, index=series.index, name=series.name)
    nonblank = int((~blank).sum())
    bad_u = parsed.isna().to_numpy()
    bad_mask = ok & bad_u[np.where(ok, codes, 0)]
    return _check_share(result, nonblank, series[bad_mask], name)


def _check_share(result: pd.Series, nonblank: int, bad: pd.Series, name: str | None) -> pd.Series:
    n_bad = len(bad)
    examples = tuple(snip(v, 24) for v in pd.unique(bad.astype(str))[:3])
    if nonblank and n_bad > nonblank / 2:
        raise ChurnDataError(
            msg(
                "{n:,} of {total:,} values are not dates (e.g. {examples}).",
                n=n_bad,
                total=nonblank,
                examples=", ".join(f"'{e}'" for e in examples),
            ),
            fix=msg("choose the column that holds the dates, or fix these values in the file."),
            column=name,
        )
    result.attrs.update(unparsed=n_bad, unparsed_examples=examples)
    return result


def date_order_ambiguous(series: pd.Series) -> bool:
    """True when values like ``03/04/2024`` exist and no value decides day vs month first.

    Parameters
    ----------
    series : pandas.Series
        The column's values (text).

    Returns
    -------
    bool
        True if at least one value reads differently day-first and month-first and no
        value has a day above 12 in either position.
    """
    if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
        return False
    _, uniq, _ = _factorize(series.astype(object))
    if not len(uniq):
        return False
    parts = _split_numeric(uniq.str.strip())
    _, first_big, second_big, amb = _order_evidence(parts)
    return bool(amb.any()) and not first_big and not second_big


def date_share(series: pd.Series) -> float:
    """Share of non-blank values that read as dates (for proposing date roles).

    Numbers count as dates only when the column already holds datetimes: a number column
    in the Excel-serial range is more often an amount than a date, so it scores 0 here
    (:func:`parse_dates` still reads serials when the user marks the column as dates).

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    float
        In [0, 1]; 0 for an empty column.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        n = int(series.notna().sum())
        return 1.0 if n else 0.0
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return 0.0
    s = series.astype(object)
    if len(s) > 20_000:  # a spread sample estimates the share well enough
        s = s.iloc[:: max(1, len(s) // 20_000)]
    is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month") and not isinstance(v, str))
    codes, uniq, blank = _factorize(s.where(~is_dt, "2000-01-01"))
    nonblank = int((~blank).sum())
    if not nonblank:
        return 0.0
    try:
        parsed, _ = _parse_unique(uniq, True, allow_numbers=False, column=None)
        alt, _ = _parse_unique(uniq, False, allow_numbers=False, column=None)
    except ChurnDataError:
        return 0.0
    good = (parsed.notna() | alt.notna()).to_numpy()
    ok = codes >= 0
    hits = int(good[codes[ok]].sum())
    return hits / nonblank
