"""AppTest: on a bank export the What-if page proposes columns you can act on, and never
shows a list heading with nothing under it (issue 18, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_whatif_kinds import bank_frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "6_What_if.py")
TIMEOUT = 180  # training on a shared 2-core machine


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "info", "warning", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def _with_bank() -> AppTest:
    from churn.roles import infer_roles
    from ui import cache_model as cm
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    frame = bank_frame(300, seed=1)
    data = frame.to_csv(index=False).encode()
    ds = Dataset.from_bytes("bank.csv", data)
    conf = Confirmed(ds.content_hash, None, infer_roles(frame))
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    features = tuple(c for c in frame.columns[3:] if c != "Exited")
    at.session_state[MODEL] = cm.make_handle(conf, "logistic", features, "cv")
    return at


def _no_empty_heading(at: AppTest) -> list[str]:
    """Every text of the page; fails on a list heading ("...:") with no list after it,
    or on "Searched 0 combinations"."""
    texts = _texts(at)
    lists = [str(m.value) for m in at.markdown if str(m.value).startswith("- ")]
    for text in texts:
        if text.rstrip().endswith(("options:", "first:")):
            assert lists, f"heading without a list: {text}"
        assert "Searched 0 " not in text, text
    return texts


@pytest.mark.slow  # trains a model and runs the page three times (about 30 s on 2 cores)
def test_bank_export_gets_actionable_columns_and_no_empty_heading():
    at = _with_bank().run()
    assert not _problems(at), _problems(at)
    acts = at.multiselect(key="whatif.actionable").value
    assert {"NumOfProducts", "IsActiveMember"} <= set(acts)
    assert not {"Age", "Gender", "Geography", "Tenure"} & set(acts)
    captions = " ".join(str(c.value) for c in at.caption)
    assert "products: NumOfProducts" in captions and "who the customer is: " in captions
    # an unreachable target: a clear sentence, and a list only when there are options
    at.slider(key="whatif.target").set_value(1).run()
    assert not _problems(at), _problems(at)
    _no_empty_heading(at)
    warned = [str(w.value) for w in at.warning]
    assert any("below 1.0 %" in w for w in warned), warned

    # nothing marked actionable: the page says what to do instead of searching nothing
    at.multiselect(key="whatif.actionable").set_value([]).run()
    assert not _problems(at), _problems(at)
    texts = _no_empty_heading(at)
    assert not any("Searched" in x for x in texts)
    infos = " ".join(str(i.value) for i in at.info)
    assert "Features you can act on" in infos and "Also let me edit fixed features" in infos
