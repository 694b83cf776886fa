"""Load bench: a workshop room of N participants on one ChurnLens server (issue 25).

Starts the app the README's way (``tools.server.AppServer``: ``streamlit run app.py`` with
the project's ``.streamlit/config.toml``), then drives N real browser sessions (Playwright
with Debian's Chromium, each in its own browser, joining ``--stagger`` seconds apart).
The browsers and their drivers run in the idle scheduling class at nice 19 (held there: Chromium
run as root raises its own processes back to nice 0 or -8), so that what is measured is the
server's capacity. That alone is not enough: with a dozen Chromiums at idle priority the
server's threads still spent most of a walk runnable but not running (their run-queue wait
in ``/proc/<pid>/task/*/schedstat`` ten times their time on a CPU). So the server and its
workers run first by default (``--server-priority realtime``: the real-time round-robin
class at its lowest priority, held there like the browsers; the kernel keeps 5 % of each
second for everything else). In a real room the browsers are on the participants' own
machines; ``--server-priority normal`` measures the old way. Each participant walks the workshop:

1. opens the Data page, uploads the file (the same 10,000-row file for everyone, or one
   file each with ``--different``), confirms the proposed roles;
2. opens the Model page, clicks Train, and waits until the model's quality is shown;
3. opens every other page through the sidebar.

Each step's wait (from the click to the page settled) is timed. The report gives per-step
median and 95th-percentile waits, errors (exception boxes, time-outs), how many finished
the walk and saw their model, the server's peak resident memory (the server and its
workers), the load average, and with ``--profile`` a py-spy profile of the server (the
functions with the most samples).

Usage::

    python bench/load_room.py --participants 4
    python bench/load_room.py --participants 12 --profile   # a quiet machine only
    python bench/load_room.py --room                        # 1, 12 and 30 on one file, 12 on 12
    python bench/load_room.py --participants 4 --record     # add the rows to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, NAV, machine, rss_mb  # noqa: E402
from churn.contain import default_slots  # noqa: E402
from tools.server import AppServer, ServerError, healthy  # noqa: E402
from ui.trace import ENV_TRACE, PARAM  # noqa: E402

ROWS = 10_000
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS = '[data-testid="stStatusWidget"]'
UPLOAD = '[data-testid="stFileUploaderDropzoneInput"]'
DROPZONE = '[data-testid="stFileUploaderDropzone"]'
STEP_TIMEOUT = 300_000  # ms: the longest a step may take before it counts as an error
#: ms: a click (or a page change) must be answered within this. Generous: thirty Chromiums
#: at idle priority on two cores may take a minute to draw a page the server sent at once.
CLICK_TIMEOUT = 120_000
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Workshop room: N browser sessions on one server (issue 25)"


@dataclass
class Participant:
    index: int
    waits: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    model_shown: bool = False
    finished: bool = False
    queue_seen: int = 0  # polls (250 ms apart) that saw a queue place while training
    step: str = ""  # the step under way (an error names it)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)  # time.time()
    server: dict[str, float] = field(default_factory=dict)  # the server's own answer time


def make_files(n: int, different: bool, folder: Path) -> list[Path]:
    """The participants' files: one generated 10,000-row subscription CSV, or n of them."""
    from churn.sample import generate_subscriptions

    count = n if different else 1
    out = []
    for i in range(count):
        path = folder / f"room_{ROWS}_{i}.csv"
        if not path.exists():
            generate_subscriptions(ROWS, seed=100 + i).to_csv(path, index=False)
        out.append(path)
    return [out[i % count] for i in range(n)]


#: Idle: the script run is over. Polled every 250 ms; each poll that sees a queue place on
#: the page ("N jobs ahead of yours", or the shared-result line) counts it in window.__q.
IDLE_JS = (
    "() => { if (/jobs? ahead of yours|same result a moment ago/.test(document.body.innerText))"
    " { window.__q = (window.__q || 0) + 1; }"
    f" return !!document.querySelector('{APP_IDLE}') && !document.querySelector('{STATUS}'); }}"
)


def settle(page, timeout: float = STEP_TIMEOUT) -> None:
    """Wait until the script run is over (idle three times, a short pause apart)."""
    for _ in range(3):
        page.wait_for_function(IDLE_JS, timeout=timeout, polling=250)
        page.wait_for_timeout(300)
    page.wait_for_function(IDLE_JS, timeout=timeout, polling=250)


def timed(p: Participant, step: str, page, action, ready=None) -> None:
    """Run ``action`` (a click), wait for ``ready`` (a locator: what the step shows when it
    is done, e.g. the next button) and for the page to settle; record the wait."""
    p.step = step
    t0, w0 = time.monotonic(), time.time()
    action()
    if ready is not None:  # an upload's rerun may start only after a first quiet moment
        ready.first.wait_for(state="visible", timeout=STEP_TIMEOUT)
    settle(page)
    p.waits[step] = time.monotonic() - t0
    p.windows[step] = (w0, time.time())
    for box in page.locator(EXCEPTION).all():
        p.errors.append(f"{step}: exception box: {box.inner_text()[:200]}")


#: The browsers' processes (Chromium and Playwright's node driver), by their command name.
_BROWSER_COMMANDS = frozenset({"chromium", "chrome", "headless_shell", "node"})


def idle_priority(pid: int) -> bool:
    """Put ``pid`` in the idle scheduling class at nice 19: it runs only when the server
    does not want the CPU. (Chromium run as root sets its own processes back to nice 0 or
    even -8, so a nice 19 given at launch does not last: see :func:`keep_browsers_idle`.)"""
    try:
        if os.sched_getscheduler(pid) != os.SCHED_IDLE:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        if os.getpriority(os.PRIO_PROCESS, pid) != 19:
            os.setpriority(os.PRIO_PROCESS, pid, 19)
        return True
    except OSError:  # gone already, or not ours
        return False


def keep_browsers_idle(stop: threading.Event, period: float = 0.5) -> None:
    """Every ``period`` seconds, every browser process and thread (by command name) back
    to the idle class at nice 19."""
    while not stop.wait(period):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if (entry / "comm").read_text().strip() not in _BROWSER_COMMANDS:
                    continue
                tids = [int(t.name) for t in (entry / "task").iterdir()]
            except OSError:
                continue
            for tid in tids:  # a thread's priority is its own on Linux
                idle_priority(tid)


def realtime(pid: int) -> bool:
    """Put ``pid`` (a process or a thread) in the real-time round-robin class at priority
    1, the lowest; True when it is (or already was) there. Needs root (CAP_SYS_NICE)."""
    try:
        if os.sched_getscheduler(pid) != os.SCHED_RR:
            os.sched_setscheduler(pid, os.SCHED_RR, os.sched_param(1))
        return True
    except OSError:  # gone already, or not allowed
        return False


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live process below it."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        out.append(cur)
        todo += kids.get(cur, [])
    return out


def keep_server_first(pid: int, stop: threading.Event, period: float = 0.5) -> None:
    """Every ``period`` seconds, every thread of the server and its workers in the
    real-time class (new threads and forked workers inherit it; this catches the rest)."""
    while True:
        for proc in process_tree(pid):
            try:
                tids = [int(t.name) for t in Path(f"/proc/{proc}/task").iterdir()]
            except OSError:
                continue
            for tid in tids:
                realtime(tid)
        if stop.wait(period):
            return


def walk(url: str, file: Path, p: Participant, pages: list[str]) -> None:
    """One participant's whole walk in its own browser (own thread)."""
    from playwright.sync_api import sync_playwright

    from ui.i18n import t

    try:  # this thread at nice 19 (Linux: per thread); the driver and browser inherit it,
        os.setpriority(os.PRIO_PROCESS, 0, 19)  # and keep_browsers_idle holds them there
    except OSError:
        pass
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(CLICK_TIMEOUT)
        page = context.new_page()
        try:
            upload = page.locator(UPLOAD)
            drop = page.locator(DROPZONE)
            timed(
                p,
                "open",
                page,
                lambda: page.goto(f"{url}/Data?{PARAM}={p.index}", timeout=STEP_TIMEOUT),
                drop,
            )
            confirm = page.get_by_role("button", name=t("data.confirm", lang="en"))
            timed(p, "upload", page, lambda: upload.set_input_files(str(file)), confirm)
            confirmed = page.get_by_text(t("common.status_confirmed", lang="en", name=file.name))
            timed(p, "confirm", page, confirm.click, confirmed)
            train = page.get_by_role("button", name=t("model.train", lang="en"))
            timed(p, "Model", page, lambda: _nav(page, "Model"), train)
            timed(p, "train", page, train.click)
            head = t("model.quality_head", lang="en").split("{model}")[0]
            shown = page.get_by_text(re.compile("^" + re.escape(head)))
            p.model_shown = shown.count() > 0
            for name in pages:
                if name not in ("Data", "Model"):
                    timed(p, name, page, lambda n=name: _nav(page, n))
                if name == "Report":  # the handover report: built (in a worker), offered
                    build = page.get_by_role("button", name=t("report.build", lang="en"))
                    ready = page.get_by_text(t("report.download_html", lang="en"))
                    timed(p, "build_report", page, build.click, ready)
            p.finished = p.model_shown
            # polls that saw a queue place, from the first page to the last (SPA: one window)
            p.queue_seen = int(page.evaluate("() => window.__q || 0"))
        except Exception as exc:  # a time-out or a crash: this participant's error
            first = str(exc).splitlines()[0][:300]
            p.errors.append(f"{p.step or 'start'}: {type(exc).__name__}: {first}")
        finally:
            context.close()
            browser.close()


def _nav(page, name: str) -> None:
    page.locator(f'{NAV} a[href="{name}"], {NAV} a[href$="/{name}"]').first.click()
    page.wait_for_function("n => decodeURIComponent(location.pathname).endsWith('/' + n)", arg=name)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every live process below it, each with its reaped
    children (a worker that ended counts in the fork server that waited for it)."""
    kids: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()
        stats[int(entry.name)] = fields
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        cur = todo.pop()
        f = stats.get(cur)
        if f is not None:  # utime, stime, cutime, cstime: fields 14-17 of stat
            total += sum(int(x) for x in f[11:15]) / _TICK
        todo += kids.get(cur, [])
    return total


def machine_cpu() -> dict[str, float]:
    """The machine's CPU seconds so far by kind (``/proc/stat``): ``normal`` (user time at
    normal priority: the server, its workers, this bench), ``nice`` (user time of niced
    processes: the browsers at nice 19), ``system``, ``idle`` (with I/O wait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait = (int(x) / _TICK for x in fields[:5])
    return {"normal": user, "nice": nice, "system": system, "idle": idle + iowait}


def sample_rss(pid: int, stop: threading.Event, peak: list[float]) -> None:
    while not stop.wait(1.0):
        peak[0] = max(peak[0], rss_mb(pid))


def start_profile(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    """py-spy on the server for ``seconds`` (raw folded stacks), or None without py-spy."""
    import shutil

    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: no profile", flush=True)
        return None
    # --nonblocking: py-spy reads the stacks without stopping the server each time (a
    # stopped server answered a room of thirty's p95 in 11.2 s instead of 0.6 s)
    cmd = [spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "50", "-f", "raw"]
    cmd.append("--nonblocking")
    return subprocess.Popen(
        [*cmd, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


#: Innermost frames that are waiting, not working: locks, queues, selectors, sleeps (a C
#: call such as ``time.sleep`` leaves its Python caller innermost: Streamlit's polling
#: watcher of config.toml sleeps in ``task``; a thread pool's idle ``_worker`` sits in
#: ``queue.get``; a session waiting for Streamlit's cache lock polls ``_hold_compute_lock``).
_IDLE_LEAF = re.compile(
    r"wait|Queue\.get|select|sleep|acquire|recv|accept|poll\b|epoll"
    r"|^PollingPathWatcher\._schedule\.<locals>\.task$|^_worker$|^_hold_compute_lock$"
)


def profile_top(path: Path, n: int = 10) -> dict[str, list[tuple[str, float]]]:
    """From py-spy's raw stacks, over the busy samples (a stack whose innermost frame is not
    a wait): the project's functions (``churn/``, ``ui/``) with the largest share of those
    samples on their stack, and the innermost functions with the largest share."""
    if not path.is_file():
        return {}
    own: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    busy = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, num = line.rpartition(" ")
        if not num.isdigit() or not stack:
            continue
        frames = stack.split(";")
        if _IDLE_LEAF.search(frames[-1].split(" (")[0]):
            continue
        k = int(num)
        busy += k
        leaf[_short(frames[-1])] += k
        for f in {_short(f) for f in frames if "(churn/" in f or "(ui/" in f}:
            own[f] += k
    if not busy:
        return {}
    return {
        "busy samples": [("", float(busy))],
        "project functions (inclusive)": [(f, c / busy) for f, c in own.most_common(n)],
        "innermost functions (self)": [(f, c / busy) for f, c in leaf.most_common(n)],
    }


def _short(frame: str) -> str:
    """``func (path/file.py:line)`` -> ``func (path/file.py)``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def run_room(
    n: int,
    stagger: float,
    different: bool,
    profile: bool,
    folder: Path,
    extra: list[str],
    priority: str = "realtime",
) -> dict:
    """Start a server, walk ``n`` participants, stop it; the measures."""
    files = make_files(n, different, folder)
    pages = [re.sub(r"^\d+_", "", p.stem) for p in sorted((ROOT / "pages").glob("*.py"))]
    log = folder / f"server_{n}.log"
    stamp = time.time_ns()
    trace = folder / f"trace_{n}_{stamp}.jsonl"
    env = {"CHURNLENS_WORKSPACES": str(folder / f"ws_{n}_{stamp}"), ENV_TRACE: str(trace)}
    server = AppServer(env=env, log_path=log, args=extra)
    server.start(timeout=120)
    load0 = os.getloadavg()
    stop, peak = threading.Event(), [rss_mb(server.pid)]
    sampler = threading.Thread(target=sample_rss, args=(server.pid, stop, peak), daemon=True)
    sampler.start()
    spy_out = folder / f"profile_{n}.txt"
    spy = start_profile(server.pid, 3600, spy_out) if profile else None  # to SIGINT
    people = [Participant(i) for i in range(n)]
    threads = []
    idle = threading.Thread(target=keep_browsers_idle, args=(stop,), daemon=True)
    idle.start()
    if priority == "realtime":
        if not realtime(server.pid):
            print("the server could not be put first (needs root): normal priority", flush=True)
            priority = "normal"
        first = threading.Thread(target=keep_server_first, args=(server.pid, stop), daemon=True)
        first.start()
    cpu0 = (tree_cpu(server.pid), machine_cpu())
    t0 = time.monotonic()
    try:
        for p, f in zip(people, files, strict=True):
            th = threading.Thread(target=walk, args=(server.url, f, p, pages), daemon=True)
            th.start()
            threads.append(th)
            time.sleep(stagger)
        for th in threads:
            th.join(timeout=1800)
        wall = time.monotonic() - t0
        now = machine_cpu()
        cpu = (tree_cpu(server.pid) - cpu0[0], {k: now[k] - v for k, v in cpu0[1].items()})
        alive = server.proc is not None and server.proc.poll() is None and healthy(server.url)
    finally:
        stop.set()
        if spy is not None:
            spy.send_signal(2)  # py-spy writes what it has on Ctrl-C
            try:
                spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
        server.stop()
    events = read_trace(trace)
    server_waits(events, people)
    return {
        "jobs": job_table(events),
        "n": n,
        "different": different,
        "priority": priority,
        "slots": default_slots(),  # the server inherits this environment
        "people": people,
        "wall": wall,
        "cpu_server": cpu[0],
        "cpu_machine": cpu[1],
        "cores": os.cpu_count() or 1,
        "peak_mb": peak[0],
        "alive": alive,
        "load0": load0,
        "load1": os.getloadavg(),
        "profile": profile_top(spy_out) if profile else {},
    }


def read_trace(path: Path) -> list[dict]:
    """The server's trace (``ui/trace.py``): one event per line; a torn last line is skipped."""
    events = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
    return events


def server_waits(events: list[dict], people: list[Participant]) -> None:
    """Each participant's steps as the server timed them (``Participant.server``): from the
    first rerun request of its session inside the step (or the step's start, when the
    request came before the trace was on) to the last script run that ended inside it.
    The browser's own time to send the click and to draw the answer is left out."""
    session_of = {e["participant"]: e["session"] for e in events if e["event"] == "tag"}
    runs: dict[str, list[tuple[float, str]]] = {}
    for e in events:
        if e["event"] in ("request", "done"):
            runs.setdefault(e["session"], []).append((e["t"], e["event"]))
    for p in people:
        mine = sorted(runs.get(session_of.get(str(p.index), ""), []))
        for step, (t0, t1) in p.windows.items():
            inside = [(t, kind) for t, kind in mine if t0 <= t <= t1]
            done = [t for t, kind in inside if kind == "done"]
            if not done:
                continue
            asked = [t for t, kind in inside if kind == "request"]
            p.server[step] = max(done) - (asked[0] if asked else t0)


def job_table(events: list[dict]) -> dict[str, dict[str, float]]:
    """The server's heavy jobs (``ui.jobs.once``) by kind: ``runs`` (sessions that ran it),
    ``run`` (median seconds from its queue slot to its answer), ``queue`` (median seconds
    a run waited for a slot), ``shared`` (sessions that waited for another's run instead)
    and ``wait`` (median seconds they waited)."""
    kinds: dict[str, dict[str, list[float]]] = {}
    for e in events:
        if e["event"] != "job":
            continue
        k = kinds.setdefault(e["kind"], {"run": [], "queue": [], "wait": []})
        if e["led"] and e.get("started") is not None:
            k["run"].append(e["t"] - e["started"])
            k["queue"].append(e["started"] - e["asked"])
        elif not e["led"]:
            k["wait"].append(e["t"] - e["asked"])
    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    return {
        kind: {
            "runs": len(k["run"]),
            "run": med(k["run"]),
            "run_total": sum(k["run"]),
            "queue": med(k["queue"]),
            "shared": len(k["wait"]),
            "wait": med(k["wait"]),
        }
        for kind, k in sorted(kinds.items(), key=lambda kv: -sum(kv[1]["run"]))
    }


def p95(xs: list[float]) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def summary(res: dict) -> dict:
    """Per-step and overall median / 95th percentile (as the browsers saw them, and as the
    server timed its answers), errors, finished."""
    people = res["people"]
    out: dict = {}
    for name, of in (("", lambda p: p.waits), ("server_", lambda p: p.server)):
        steps: dict[str, list[float]] = {}
        for p in people:
            for step, w in of(p).items():
                if not step.startswith("_"):
                    steps.setdefault(step, []).append(w)
        every = [w for ws in steps.values() for w in ws]
        out[name + "steps"] = {
            s: (statistics.median(ws), p95(ws), len(ws)) for s, ws in steps.items()
        }
        out[name + "median"] = statistics.median(every) if every else float("nan")
        out[name + "p95"] = p95(every)
    return {
        **out,
        "errors": sum(len(p.errors) for p in people),
        "finished": sum(p.finished for p in people),
        "models": sum(p.model_shown for p in people),
        "queue_seen": sum(1 for p in people if p.queue_seen),
    }


def cpu_line(res: dict) -> str:
    """Where the machine's CPU went during the walk: the server's share beside the niced
    browsers' (on one machine the browsers compete with the server they measure)."""
    m = res["cpu_machine"]
    total = sum(m.values())
    return (
        f"CPU during the walk ({res['cores']} cores x {res['wall']:.0f} s = {total:.0f} s): "
        f"the server and its workers {res['cpu_server']:.0f} s; at nice 19 (the browsers) "
        f"{m['nice']:.0f} s; other user time {max(m['normal'] - res['cpu_server'], 0):.0f} s; "
        f"system {m['system']:.0f} s; idle {m['idle']:.0f} s."
    )


def report(res: dict, s: dict, command: str) -> str:
    """Markdown: one row for the room, then its per-step table and profile."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    files = f"{res['n']} different files" if res["different"] else "the same file"
    l0, l1 = res["load0"], res["load1"]
    lines = [
        f"### {res['n']} participant(s), {files} ({when})",
        "",
        f"`{command}`; load average at start {l0[0]:.2f} / {l0[1]:.2f} / {l0[2]:.2f}, "
        f"at the end {l1[0]:.2f} / {l1[1]:.2f} / {l1[2]:.2f}.",
        "",
        cpu_line(res),
        "",
        "Server priority: "
        + (
            "real-time round-robin (first), browsers idle class."
            if res.get("priority") == "realtime"
            else "normal (nice 0), browsers idle class."
        )
        + f" Heavy-job slots: {res.get('slots', '?')} (`CHURNLENS_JOBS`).",
        "",
        "Waits as the browsers saw them (click to page settled), and as the server timed its "
        "answers (the step's first request to its last script run's end: `ui/trace.py`).",
        "",
        "| participants | finished (model shown) | errors | median / p95 wait, browser "
        "| median / p95 answer, server | server peak RSS | wall | queue place seen by |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {res['n']} | {s['finished']} ({s['models']}) | {s['errors']} "
        f"| {s['median']:.1f} / {s['p95']:.1f} s "
        f"| {s['server_median']:.1f} / {s['server_p95']:.1f} s "
        f"| {res['peak_mb'] / 1024:.2f} GB | {res['wall']:.0f} s | {s['queue_seen']} |",
        "",
        "| step | browser median | browser p95 | server median | server p95 | n (server n) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    nan = (float("nan"), float("nan"), 0)
    for k, (m, q, c) in s["steps"].items():
        sm, sq, sc = s["server_steps"].get(k, nan)
        lines.append(f"| {k} | {m:.1f} s | {q:.1f} s | {sm:.1f} s | {sq:.1f} s | {c} ({sc}) |")
    if res.get("jobs"):
        lines += [
            "",
            "Heavy jobs on the server (`ui.jobs.once`, from the trace): runs, and sessions that "
            "waited for another's run of the same job instead.",
            "",
            "| job | runs | run median | run total | queue median | shared | shared wait median |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, j in res["jobs"].items():
            lines.append(
                f"| {kind} | {j['runs']} | {j['run']:.1f} s | {j['run_total']:.1f} s "
                f"| {j['queue']:.1f} s | {j['shared']} | {j['wait']:.1f} s |"
            )
    problems = [f"participant {p.index}: {e}" for p in res["people"] for e in p.errors]
    if problems:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in problems[:12]]
    prof = res["profile"]
    if prof:
        busy = int(prof["busy samples"][0][1])
        lines += ["", f"Server profile (py-spy, 50 Hz, {busy:,} busy samples):"]
        for what in ("project functions (inclusive)", "innermost functions (self)"):
            lines += ["", f"- {what}: " + "; ".join(f"{nm} {v:.0%}" for nm, v in prof[what])]
    if not res["alive"]:
        lines += ["", "**The server was not answering at the end.**"]
    return "\n".join(lines) + "\n"


def record(text: str) -> None:
    """Append ``text`` under this bench's section of bench/RESULTS.md."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if SECTION not in current:
        current = current.rstrip("\n") + f"\n\n{SECTION}\n\nWritten by `bench/load_room.py`.\n"
    RESULTS.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, nargs="*", default=[1, 4])
    ap.add_argument("--stagger", type=float, default=1.0, help="seconds between joins")
    ap.add_argument("--different", action="store_true", help="one file per participant")
    ap.add_argument("--room", action="store_true", help="1, 12, 30 on one file; 12 on 12")
    ap.add_argument("--profile", action="store_true", help="py-spy profile of the server")
    ap.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    ap.add_argument(
        "--server-priority",
        choices=("realtime", "normal"),
        default="realtime",
        help="the server and its workers first (default), or at normal priority",
    )
    ap.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="a `streamlit run` option for the server, e.g. --server-arg=--runner.postScriptGC=false",
    )
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        print(f"error: {CHROMIUM} is missing (install Debian's chromium)", file=sys.stderr)
        return 2
    plan = [(n, args.different) for n in args.participants]
    if args.room:
        plan = [(1, False), (12, False), (30, False), (12, True)]
    folder = Path(tempfile.mkdtemp(prefix="churnlens-room-"))
    command = "python bench/load_room.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"Machine: {machine()}", flush=True)
    ok = True
    for n, different in plan:
        try:
            res = run_room(
                n,
                args.stagger,
                different,
                args.profile,
                folder,
                args.server_arg,
                args.server_priority,
            )
        except ServerError as exc:
            print(f"error: the server did not start: {exc}", file=sys.stderr)
            return 1
        s = summary(res)
        text = report(res, s, command)
        print(text, flush=True)
        if args.record:
            record(text)
        ok = ok and res["alive"] and s["errors"] == 0 and s["finished"] == n
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
