"""Soak test: a few concurrent browser sessions walk the whole app for a bounded time.

Starts ``streamlit run app.py`` on a free loopback port (127.0.0.1 only), opens N
headless Chromium sessions (Debian's ``/usr/bin/chromium`` through Playwright, the same
flags as the browser tests), and has each one loop through the flow: home -> "Try the
sample data" -> every page via the sidebar (training the default model on the Model
page) -> a fresh session, until the time is up. The server's resident memory (RSS, the
server process and its children) is sampled before the sessions start, during the run,
and after they end; the numbers and the machine are printed and written to
``bench/SOAK.md``.

Usage::

    python bench/soak.py --minutes 2 --sessions 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.server import AppServer, ServerError, healthy  # noqa: E402

CHROMIUM = os.environ.get("CHURNLENS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
NAV = '[data-testid="stSidebar"]'
RUN_TIMEOUT = 120_000  # ms for one script run


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids = (task / "children").read_text().split()
            out += [int(k) for k in kids]
    except OSError:
        pass
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants in MB (psutil if present, else /proc)."""
    try:
        import psutil

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs) / 2**20
    except ImportError:
        pass
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(p)
    return total / 2**20


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import streamlit

    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{mem}; "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}"
    )


@dataclass
class SessionStats:
    flows: int = 0
    pages: int = 0
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    page_seconds: list[float] = field(default_factory=list)


def wait_for_app(page) -> None:
    idle = f"() => !!document.querySelector('{APP_IDLE}') && !document.querySelector('{STATUS}')"
    for _ in range(2):
        page.wait_for_function(idle, timeout=RUN_TIMEOUT)
        page.wait_for_timeout(300)
    page.wait_for_function(idle, timeout=RUN_TIMEOUT)


def session(url: str, deadline: float, stats: SessionStats, train: bool) -> None:
    """One user: loops through the flow until ``deadline`` (its own browser and thread)."""
    from playwright.sync_api import sync_playwright

    from ui.i18n import t

    pages = sorted((ROOT / "pages").glob("*.py"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            while time.monotonic() < deadline:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.set_default_timeout(RUN_TIMEOUT)
                page = context.new_page()
                try:
                    page.goto(url)
                    wait_for_app(page)
                    page.get_by_role("button", name=t("home.try_sample", lang="en")).click()
                    wait_for_app(page)
                    for pf in pages:
                        if time.monotonic() >= deadline:
                            break
                        name = re.sub(r"^\d+_", "", pf.stem)
                        t0 = time.monotonic()
                        page.locator(
                            f'{NAV} a[href="{name}"], {NAV} a[href$="/{name}"]'
                        ).first.click()
                        page.wait_for_function(
                            "n => decodeURIComponent(location.pathname).endsWith('/' + n)",
                            arg=name,
                            timeout=RUN_TIMEOUT,
                        )
                        wait_for_app(page)
                        if name == "Model" and train:
                            page.get_by_role("button", name=t("model.train", lang="en")).click()
                            wait_for_app(page)
                        stats.page_seconds.append(time.monotonic() - t0)
                        stats.pages += 1
                        for box in page.locator(EXCEPTION).all():
                            stats.exceptions.append(f"{name}: {box.inner_text()[:200]}")
                    else:
                        stats.flows += 1
                except Exception as exc:  # a timeout or a crash: record it, go on
                    stats.errors.append(f"{type(exc).__name__}: {str(exc)[:600]}")
                finally:
                    context.close()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=2.0, help="how long the sessions run")
    ap.add_argument("--sessions", type=int, default=3, help="concurrent browser sessions")
    ap.add_argument("--no-train", action="store_true", help="do not train on the Model page")
    ap.add_argument("--out", default=str(ROOT / "bench" / "SOAK.md"), help="report file")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        print(f"error: {CHROMIUM} is missing (install Debian's chromium)", file=sys.stderr)
        return 2

    log_path = Path(tempfile.gettempdir()) / "churnlens_soak_server.log"
    server = AppServer(log_path=log_path)
    url = server.url
    samples: list[tuple[float, float]] = []
    try:
        try:
            server.start(timeout=90)
        except ServerError as exc:
            print(f"error: the streamlit server did not start: {exc}", file=sys.stderr)
            return 1
        time.sleep(1.0)
        rss_before = rss_mb(server.pid)
        print(f"server up at {url}; RSS before: {rss_before:.0f} MB", flush=True)
        deadline = time.monotonic() + args.minutes * 60
        stats = [SessionStats() for _ in range(args.sessions)]
        threads = [
            threading.Thread(
                target=session, args=(url, deadline, s, not args.no_train), daemon=True
            )
            for s in stats
        ]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        while any(th.is_alive() for th in threads):
            samples.append((time.monotonic() - t0, rss_mb(server.pid)))
            time.sleep(5)
            if time.monotonic() > deadline + 300:
                print("warning: sessions still running 5 minutes past the deadline", flush=True)
                break
        elapsed = time.monotonic() - t0
        time.sleep(3.0)
        rss_after = rss_mb(server.pid)
        alive = server.proc is not None and server.proc.poll() is None and healthy(url)
    finally:
        server.stop()

    peak = max([r for _, r in samples] + [rss_after])
    flows = sum(s.flows for s in stats)
    n_pages = sum(s.pages for s in stats)
    secs = sorted(x for s in stats for x in s.page_seconds)
    median = secs[len(secs) // 2] if secs else float("nan")
    worst = secs[-1] if secs else float("nan")
    exceptions = [e for s in stats for e in s.exceptions]
    errors = [e for s in stats for e in s.errors]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Soak test: last run",
        "",
        f"Run {now} with `python bench/soak.py --minutes {args.minutes:g} "
        f"--sessions {args.sessions}`{' --no-train' if args.no_train else ''}.",
        "",
        f"Machine: {machine()}.",
        "",
        f"{args.sessions} concurrent headless Chromium sessions, each looping: home -> "
        "sample -> every page through the sidebar"
        f"{' (training the default model on the Model page)' if not args.no_train else ''}"
        " -> a fresh session.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time of the sessions | {elapsed:.0f} s |",
        f"| complete flows (all pages) | {flows} |",
        f"| page visits | {n_pages} |",
        f"| page time, median / worst | {median:.1f} s / {worst:.1f} s |",
        f"| server RSS before | {rss_before:.0f} MB |",
        f"| server RSS peak during | {peak:.0f} MB |",
        f"| server RSS after | {rss_after:.0f} MB |",
        f"| growth after - before | {rss_after - rss_before:+.0f} MB |",
        f"| exception boxes seen | {len(exceptions)} |",
        f"| session errors (timeouts) | {len(errors)} |",
        f"| server alive at the end | {'yes' if alive else 'NO'} |",
        "",
        "RSS over time (seconds since the sessions started: MB):",
        "",
        "    " + ", ".join(f"{t:.0f}s: {r:.0f}" for t, r in samples[:: max(1, len(samples) // 12)]),
        "",
        "Reading it: the first flows load pandas, scikit-learn, LightGBM and SHAP into the "
        "server and fill the bounded caches (`max_entries` and `ttl` on every "
        "`st.cache_data` / `st.cache_resource`), so RSS rises early and should level off; "
        "steady growth over a longer run would be a leak.",
    ]
    if exceptions or errors:
        lines += ["", "Problems:", ""] + [f"- {p}" for p in (exceptions + errors)[:20]]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0 if alive and not exceptions else 1


if __name__ == "__main__":
    raise SystemExit(main())
