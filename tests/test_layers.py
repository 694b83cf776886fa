"""The library never loads the UI layer (DESIGN rule 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_every_churn_module_does_not_import_streamlit():
    modules = sorted(
        "churn." + ".".join(p.relative_to(ROOT / "churn").with_suffix("").parts)
        for p in (ROOT / "churn").rglob("*.py")
        if p.name != "__main__.py"
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    assert len(modules) >= 5
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'streamlit' or k.startswith('streamlit.')"
        " or k == 'ui' or k.startswith('ui.'))\n"
        "print(bad[:5])\n"
        "sys.exit(1 if bad else 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_home_imports_no_heavy_libraries():
    """shap, lifelines and lightgbm load lazily, so `import churn` stays fast."""
    code = (
        "import sys, churn, churn.cli\n"
        "heavy = [m for m in ('shap', 'lifelines', 'lightgbm') if m in sys.modules]\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
