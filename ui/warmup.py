"""First-use work done once per server process, before the first participant needs it.

The first participant of a fresh server paid for work that is done once per process: the
contained readers' fork server starting, and in the server itself the first model read
back from its skops file (skops looks objects up in every loaded module, which imports
lazily loaded ones: 3.8 s of the first training's 4.1 s on the development machine; the
second read takes 0.03 s), and the explainers' first use. In a workshop the first
click of the room waits for all of it, while every participant after waits for that one.

:func:`on_bootstrap` (the first page run of a real server, ``ui/shell.py``) starts one
background thread that walks a 300-row generated subscription file the way a participant
does: a contained read, the customer table, a contained training, and the explanation
of a few customers. Nothing is cached or shown; a failure is only logged (the real
request does the same work again and reports its own error). ``CHURNLENS_WARMUP=off``
turns it off; it never runs under Streamlit's ``AppTest`` (no real server there).
"""

from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger("churnlens.warmup")

#: Environment variable: ``off`` skips the warm-up.
ENV_WARMUP = "CHURNLENS_WARMUP"

_LOCK = threading.Lock()
_STARTED: list[threading.Thread] = []
#: Seconds the last warm-up took (None before it ended, or when it failed).
LAST: dict[str, float | None] = {"seconds": None}


def enabled() -> bool:
    return os.environ.get(ENV_WARMUP, "on").strip().lower() not in ("off", "0", "false", "no")


def _real_server() -> bool:
    """True in a ``streamlit run`` server (AppTest puts a stand-in in Runtime's place)."""
    from streamlit.runtime import Runtime

    return Runtime.exists() and type(Runtime.instance()) is Runtime


def on_bootstrap() -> bool:
    """Start the warm-up once per process in a real server; True when it was started now."""
    if not enabled() or _STARTED or not _real_server():
        return False
    return start()


def start() -> bool:
    """Start the warm-up thread (once per process); True when this call started it."""
    with _LOCK:
        if _STARTED:
            return False
        thread = threading.Thread(target=run, name="churnlens-warm-up", daemon=True)
        _STARTED.append(thread)
    thread.start()
    return True


def run() -> float:
    """The warm-up itself (in the calling thread); seconds it took."""
    t0 = time.perf_counter()
    try:
        from churn import explain as E
        from churn import model as M
        from churn.contain import read_contained
        from churn.contain.explain import drivers_contained
        from churn.contain.train import train_contained
        from churn.sample import generate_subscriptions
        from churn.shapes import build_customer_table

        data = generate_subscriptions(300, seed=7).to_csv(index=False).encode()
        res, roles = read_contained(data, name="warm-up.csv")
        table = build_customer_table(res.frame, roles)
        spec = M.choose_split(table, prefer="auto")
        tm = train_contained(table, model=M.DEFAULT_MODEL, split=spec)
        # the server's own explainer (one customer, what-if), then the drivers' worker
        E.explain(tm, table.frame.head(1), explainer=E.make_explainer(tm, table.frame))
        drivers_contained(tm, table)
    except Exception:  # noqa: BLE001 - only a speed-up: the real request redoes it
        log.warning("The warm-up did not finish (the first request does its work)", exc_info=True)
        return time.perf_counter() - t0
    seconds = time.perf_counter() - t0
    LAST["seconds"] = seconds
    log.info("Warm-up done in %.1f s", seconds)
    return seconds
