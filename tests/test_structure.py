"""The house rules of docs/ARCHITECTURE.md, measured by ``python -m tools.measure``.

No library or ui module over 600 lines, no function over 100 lines without a ``# long:``
reason, no import cycle, no private name imported across modules, every page a few lines.
"""

from __future__ import annotations

import textwrap

from tools import measure as M


def test_the_code_base_keeps_the_house_rules():
    m = M.measure()
    assert m.problems() == [], "\n" + M.report(m)


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "pages").mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text("import ui.a\n", encoding="utf-8")
    return M.measure(tmp_path)


def test_the_measures_see_what_they_should(tmp_path):
    long_body = "\n".join(f"    x{i} = {i}" for i in range(101))
    m = _tree(
        tmp_path,
        {
            "churn/__init__.py": "",
            "churn/a.py": "from churn.b import _hidden\nimport churn.b as b\ny = b._other\n",
            "churn/b.py": f"import churn.a\n_hidden = 1\n_other = 2\ndef f():\n{long_body}\n",
            "churn/c.py": f"# long: a table of cases\ndef g():\n{long_body}\n",
            "churn/pkg/__init__.py": "from churn.pkg.inner import _shared\n",
            "churn/pkg/inner.py": "_shared = 1\n",
            "ui/__init__.py": "",
            "ui/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import ui.b\n",
            "ui/b.py": "import ui.a\n",
        },
    )
    assert m.cycles == [["churn.a", "churn.b"]]  # the TYPE_CHECKING import is no edge
    assert sorted(w for _, _, w in m.private_imports) == [
        "_hidden from churn.b",
        "_other of churn.b",
    ]  # a package re-exporting its own submodule's name is allowed
    assert [(f, n, why) for _, f, n, why in m.long_functions] == [
        ("f", 102, False),
        ("g", 102, True),
    ]
    assert len(m.problems()) == 4  # the cycle, two private imports, one unexplained function
