"""Print the structure measures of the code base, and check them against the house rules.

    python -m tools.measure            # the report
    python -m tools.measure --check    # exit 1 when a rule is broken

Measures (docs/ARCHITECTURE.md gives the rules and why):

- module sizes: lines per ``.py`` file of ``churn/``, ``ui/``, ``pages/`` and ``app.py``;
  a library or ui module over :data:`MAX_MODULE_LINES` breaks the rule;
- long functions: functions over :data:`MAX_FUNCTION_LINES` lines; one is allowed when a
  ``# long: <why>`` comment stands on the line of its ``def`` or the line above it;
- import cycles between the project's modules (imports inside functions count too: an
  import hidden in a function still ties the two modules together);
- private imports across modules: ``from a import _x`` or ``a._x`` where ``a`` is another
  project module (a package's own ``__init__`` may re-export its submodules' names);
- page sizes: lines of each file in ``pages/`` (a page calls its controller in
  ``ui/pages/``; over :data:`MAX_PAGE_LINES` lines breaks the rule).
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 100
MAX_PAGE_LINES = 30
PACKAGES = ("churn", "ui")


@dataclass
class Measures:
    modules: dict[str, int] = field(default_factory=dict)
    long_functions: list[tuple[str, str, int, bool]] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    private_imports: list[tuple[str, int, str]] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)

    def problems(self) -> list[str]:
        out = [
            f"module {m} has {n} lines (over {MAX_MODULE_LINES})"
            for m, n in self.modules.items()
            if n > MAX_MODULE_LINES
        ]
        out += [
            f"function {m}:{f} has {n} lines (over {MAX_FUNCTION_LINES}, no '# long:' reason)"
            for m, f, n, why in self.long_functions
            if not why
        ]
        out += ["import cycle: " + " -> ".join(c + [c[0]]) for c in self.cycles]
        out += [f"private import in {m}:{line}: {what}" for m, line, what in self.private_imports]
        out += [
            f"page {p} has {n} lines (over {MAX_PAGE_LINES})"
            for p, n in self.pages.items()
            if n > MAX_PAGE_LINES
        ]
        return out


def module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_files(root: Path = ROOT) -> list[Path]:
    files = [p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))]
    return files + sorted((root / "pages").glob("*.py")) + [root / "app.py"]


def _resolve(mod: str, node: ast.ImportFrom, is_pkg: bool) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = mod.split(".")
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str, modules: set[str]) -> str | None:
    """The project module ``name`` is, or is inside (``churn.io.read_table`` -> ``churn.io``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _same_package(a: str, b: str) -> bool:
    """True when ``b`` is ``a``'s package or a sibling inside the same package."""
    pa, pb = a.rpartition(".")[0], b.rpartition(".")[0]
    return b == pa or (pa == pb and pa not in ("", *PACKAGES)) or a == pb


def measure(root: Path = ROOT) -> Measures:
    files = project_files(root)
    modules = {module_name(p, root): p for p in files}
    names = set(modules)
    m = Measures()
    graph: dict[str, set[str]] = {k: set() for k in names}
    for mod, path in modules.items():
        src = path.read_text(encoding="utf-8")
        lines = src.splitlines()
        if path.parent == root / "pages":  # the files Streamlit runs, not ui/pages
            m.pages[str(path.relative_to(root))] = len(lines)
        else:
            m.modules[str(path.relative_to(root))] = len(lines)
        tree = ast.parse(src)
        is_pkg = path.name == "__init__.py"
        aliases: dict[str, str] = {}
        typing_only = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # ``if TYPE_CHECKING:`` imports never run: no dependency
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                    near = lines[max(0, first - 2) : node.lineno]
                    m.long_functions.append(
                        (
                            str(path.relative_to(root)),
                            node.name,
                            n,
                            any("# long:" in x for x in near),
                        )
                    )
            elif isinstance(node, ast.Import):
                for a in node.names:
                    target = _known(a.name, names)
                    if target and target != mod:
                        graph[mod].add(target)
                        aliases[a.asname or a.name] = target
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, node, is_pkg)
                for a in node.names:
                    full = f"{base}.{a.name}"
                    target = _known(full, names) or _known(base, names)
                    if not target or target == mod:
                        continue
                    graph[mod].add(target)
                    if full in names:
                        aliases[a.asname or a.name] = full
                    elif a.name.startswith("_") and not a.name.startswith("__"):
                        if not (is_pkg and target.startswith(mod + ".")):
                            m.private_imports.append(
                                (
                                    str(path.relative_to(root)),
                                    node.lineno,
                                    f"{a.name} from {target}",
                                )
                            )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                target = aliases[node.value.id]
                if target != mod and not (is_pkg and target.startswith(mod + ".")):
                    m.private_imports.append(
                        (str(path.relative_to(root)), node.lineno, f"{node.attr} of {target}")
                    )
    m.cycles = _cycles(graph)
    m.private_imports = [
        p
        for p in m.private_imports
        if not _same_package(module_name(root / p[0], root), p[2].split()[-1])
    ]
    return m


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                for child in node.body:
                    out.update(id(n) for n in ast.walk(child))
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(max(1000, 4 * len(graph)))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def report(m: Measures) -> str:
    out = ["Module sizes (lines), largest first:"]
    for path, n in sorted(m.modules.items(), key=lambda kv: -kv[1])[:15]:
        flag = "  <- over" if n > MAX_MODULE_LINES else ""
        out.append(f"  {n:6d}  {path}{flag}")
    out.append(f"Functions over {MAX_FUNCTION_LINES} lines:")
    for path, name, n, why in sorted(m.long_functions, key=lambda x: -x[2]):
        out.append(f"  {n:6d}  {path}:{name}{'  (reason given)' if why else ''}")
    out.append(f"Import cycles: {len(m.cycles)}")
    out += ["  " + " -> ".join(c + [c[0]]) for c in m.cycles]
    out.append(f"Private imports across modules: {len(m.private_imports)}")
    out += [f"  {p}:{line}: {what}" for p, line, what in m.private_imports]
    out.append("Pages (lines):")
    out += [f"  {n:6d}  {p}" for p, n in sorted(m.pages.items())]
    problems = m.problems()
    out.append(f"Rules broken: {len(problems)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when a rule is broken")
    args = ap.parse_args(argv)
    m = measure()
    print(report(m))
    if args.check and m.problems():
        print("\n".join(m.problems()), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
