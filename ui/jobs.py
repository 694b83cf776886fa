"""Heavy work shared by every session: done once per key, in a bounded queue, its place shown.

``ui/cache*.py`` wrap their heavy calls (reading, the customer table, training, scores,
the profit curve, the SHAP explainer and drivers, the at-risk list, the leaderboard, the
report) in :func:`once`:

- **single flight**: sessions that ask for the same key at the same moment (thirty
  participants training on the same bytes) run the function once; the others wait, then
  read the cache it filled (:class:`churn.contain.SingleFlight`): the same shared object
  from ``st.cache_resource``, their own copy from ``st.cache_data``. The keys are the
  caches' own keys: content hash + settings, never a session or upload id;
- **a bounded queue**: the one run takes a slot of :data:`QUEUE` (``CHURNLENS_JOBS``,
  default the cores); while it waits, its participant sees "N jobs ahead of yours"
  (``jobs.ahead``); a participant waiting for another's identical run sees
  ``jobs.shared``. A session that ends (or reruns) while queued gives its place up; a
  rerun takes it back within the queue's grace time;
- **no queue for a cache hit**: a key done once skips both (:data:`_DONE`, bounded like
  the caches it stands beside), so the cached answer comes at once.

The place is drawn into one ``st.empty()`` made only when a wait happens, outside any
cached function (``once`` is called around the cached call), and removed when the wait
ends. Outside a script run (tests in threads, the bench) nothing is drawn.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException, get_script_run_ctx

from churn.contain import JobQueue, SingleFlight
from ui import trace
from ui.i18n import t

T = TypeVar("T")

#: The process's heavy-job queue and its single flights (shared by every session).
QUEUE = JobQueue()
FLIGHTS = SingleFlight()

_TTL = 4 * 3600  # seconds, as the caches
_DONE_MAX = 512
#: Keys computed once (monotonic time done): their cache answers at once, no queue.
_DONE: OrderedDict[Hashable, float] = OrderedDict()
_DONE_LOCK = threading.Lock()


def _done(key: Hashable) -> bool:
    with _DONE_LOCK:
        when = _DONE.get(key)
        if when is None or time.monotonic() - when > _TTL:
            _DONE.pop(key, None)
            return False
        _DONE.move_to_end(key)
        return True


def _mark(key: Hashable) -> None:
    with _DONE_LOCK:
        _DONE[key] = time.monotonic()
        _DONE.move_to_end(key)
        while len(_DONE) > _DONE_MAX:
            _DONE.popitem(last=False)


def forget(key: Hashable) -> None:
    """Treat ``key`` as not computed (its cache entry was cleared)."""
    with _DONE_LOCK:
        _DONE.pop(key, None)


class _Place:
    """The one line that says where a waiting job is; drawn only in a script run."""

    def __init__(self) -> None:
        self.live = get_script_run_ctx(suppress_warning=True) is not None
        self.box: Any = None
        self.last = ""

    def show(self, text: str) -> None:
        if not self.live:
            return
        if self.box is None:
            self.box = st.empty()
        # drawn on every poll, even unchanged: each draw is also where Streamlit stops the
        # script of a session that ended (or reruns it), which gives the place up
        self.box.info(text)
        self.last = text

    def clear(self) -> None:
        if self.box is not None:
            self.box.empty()
            self.box, self.last = None, ""


def _owner() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else f"thread-{threading.get_ident()}"


def _rerun(exc: BaseException) -> bool:
    return isinstance(exc, RerunException)


def once(key: Hashable, fn: Callable[[], T]) -> T:
    """``fn()`` (a cached call) run once per ``key`` across sessions, in a queue slot.

    ``key`` must hold everything the result depends on (the cache's own key).
    """
    try:
        hash(key)
    except TypeError:  # a key that cannot be shared: computed as it is, by this session
        return fn()
    if _done(key) or QUEUE.held():  # a cache hit, or work inside a job: no second slot
        return fn()
    place = _Place()
    owner = _owner()

    def queued(ahead: int) -> None:
        place.show(t("jobs.ahead", n=ahead) if ahead != 1 else t("jobs.ahead_one"))

    led = False
    asked, started = time.time(), 0.0

    def lead() -> T:
        nonlocal led, started
        led = True
        with QUEUE.slot(owner, key, on_wait=queued, keep_place=_rerun):
            started = time.time()
            place.clear()
            result = fn()
        _mark(key)
        return result

    try:
        result = FLIGHTS.do(key, lead, on_wait=lambda: place.show(t("jobs.shared")))
    finally:
        place.clear()
        if trace.path() is not None:  # the load bench: which job, led or shared, how long
            kind = key[0] if isinstance(key, tuple) and key else key
            trace.job(owner, str(kind), led=led, asked=asked, started=started or None)
    # A session that waited asks the cache itself now (a hit): ``st.cache_resource`` gives
    # the same shared object, ``st.cache_data`` this session's own copy of the result.
    return result if led else fn()
