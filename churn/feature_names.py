"""Any column name trains: internal feature names that estimators and encoders accept.

Two things broke on ordinary spreadsheet headers:

* LightGBM refuses feature names holding the JSON characters ``[ ] { } : , "`` ("Do not
  support special JSON characters in feature name") and rewrites spaces, so a column
  such as ``monthly_fee [KRW]`` could not train. :func:`safe_feature_names` gives the
  booster ``f0_monthly_fee_KRW``-style names (ASCII, unique by their position prefix even
  when two columns differ only by case or read the same once cleaned); the classifier
  that uses them is :class:`churn.lgbm.LGBMClassifierAnyNames`.
* The one-hot encoder of the logistic model names a level ``{column}_{level}``, which can
  be another column's name (a category ``plan`` with level ``basic`` beside a number
  column ``plan_basic``); scikit-learn then refused the duplicate output names.
  :class:`LevelNames` keeps ``{column}_{level}`` and switches to an unambiguous name only
  for the levels whose usual name could be taken.

The scikit-learn estimators accept any text as a feature name. The pipeline's input, the
explanations, charts, exports and saved files keep the user's names throughout: the
booster's names never leave the booster (it reads columns by position), and one-hot names
are mapped back to their column by :func:`churn.model.feature_map`.

Pure Python: importing this module imports no heavy library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

#: Longest cleaned part kept after the ``f{i}_`` prefix (the names are internal).
_MAX_PART = 40


def safe_feature_names(names: Sequence[Any]) -> list[str]:
    """Unique ASCII names ``f{i}_{cleaned}`` for the columns ``names``, in order.

    ``"monthly_fee [KRW]"`` at position 0 becomes ``"f0_monthly_fee_KRW"``; a name with no
    ASCII letter or digit (``"지역 (시/도)"``) becomes just ``"f{i}"``. The position prefix
    makes them unique whatever the input (case-only differences, equal after cleaning).
    """
    out = []
    for i, name in enumerate(names):
        part = re.sub(r"[^0-9A-Za-z]+", "_", str(name)).strip("_")[:_MAX_PART].rstrip("_")
        out.append(f"f{i}_{part}" if part else f"f{i}")
    return out


class LevelNames:
    """One-hot output names that never repeat: ``OneHotEncoder(feature_name_combiner=...)``.

    A level is named ``{column}_{level}`` (scikit-learn's usual name) unless that name is
    one of the input columns, could also be the usual name of a level of another
    categorical column (it starts with ``{other}_``), or starts with ``["``; then it is
    the JSON list ``["column", "level"]`` (with a counter appended in the unlikely case
    that this too is a column's name). Usual names are unique among themselves (two
    columns' names can only meet when one starts with the other's ``{other}_``), the JSON
    names are unique among themselves, and the two kinds never meet.

    Parameters
    ----------
    columns : every input column of the model (numbers and categories).
    categorical : the columns that are one-hot encoded.
    """

    def __init__(self, columns: Sequence[str], categorical: Sequence[str]):
        self.columns = [str(c) for c in columns]
        self.categorical = [str(c) for c in categorical]

    def __call__(self, column: str, level: Any) -> str:
        name = f"{column}_{level}"
        taken = set(self.columns)
        cats = set(self.categorical) - {column}
        # another categorical column's usual level name would start with "{other}_"
        prefixes = (name[:k] for k, ch in enumerate(name) if ch == "_")
        if name not in taken and not name.startswith('["') and cats.isdisjoint(prefixes):
            return name
        parts: list[Any] = [str(column), str(level)]
        name = json.dumps(parts, ensure_ascii=False)
        n = 0
        while name in taken:
            n += 1
            name = json.dumps([*parts, n], ensure_ascii=False)
        return name
