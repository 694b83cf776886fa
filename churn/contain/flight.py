"""Single flight: concurrent calls for the same key compute once; the others wait for it.

A cache (``st.cache_resource``, a dict) answers a call whose result is already stored;
:class:`SingleFlight` covers the moment before that, when thirty sessions ask for the same
model at once: the first caller of a key (the *leader*) runs the function, every caller
that arrives while it runs waits and gets the very object the leader returned (or the
leader's ``Exception``). The key is forgotten as soon as the leader is done, so nothing is
kept here: the cache behind the function keeps the result.

A leader that leaves without a result for a reason that is not the work's own failure
(a ``BaseException`` that is not an ``Exception``: the user's session ended or its page
was rerun; or an exception with a true ``retry`` attribute, such as
:class:`~churn.contain.jobs.JobCancelled`) does not fail the waiters: one of them becomes the new leader.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["SingleFlight"]


class _Call:
    """One running computation of a key: its result or error once ``done`` is set."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.waiters = 0


class SingleFlight:
    """Run ``fn`` once per key among concurrent callers (:meth:`do`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[Hashable, _Call] = {}
        #: How many times a leader ran a function (for tests and the bench).
        self.runs = 0

    def running(self) -> int:
        """How many keys are being computed now."""
        with self._lock:
            return len(self._calls)

    def waiting(self, key: Hashable) -> int:
        """How many callers wait for ``key``'s leader now."""
        with self._lock:
            call = self._calls.get(key)
            return 0 if call is None else call.waiters

    def do(
        self,
        key: Hashable,
        fn: Callable[[], Any],
        *,
        on_wait: Callable[[], None] | None = None,
        poll: float = 0.5,
    ) -> Any:
        """``fn()``, computed once for every caller of ``key`` that overlaps with it.

        ``on_wait()`` is called by a waiting caller every ``poll`` seconds (a page uses it
        to show that the work is under way, and to notice that its user left: whatever it
        raises ends that caller's wait, and only that caller's).
        """
        while True:
            with self._lock:
                call = self._calls.get(key)
                lead = call is None
                if lead:
                    call = self._calls[key] = _Call()
                    self.runs += 1
                else:
                    call.waiters += 1
            if lead:
                return self._lead(key, call, fn)
            try:
                while not call.done.wait(poll):
                    if on_wait is not None:
                        on_wait()
            finally:
                with self._lock:
                    call.waiters -= 1
            if call.error is None:
                return call.result
            if isinstance(call.error, Exception) and not getattr(call.error, "retry", False):
                raise call.error
            # the leader left (session ended, rerun): try again, maybe as the leader

    def _lead(self, key: Hashable, call: _Call, fn: Callable[[], Any]) -> Any:
        try:
            call.result = fn()
            return call.result
        except BaseException as exc:
            call.error = exc
            raise
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()
