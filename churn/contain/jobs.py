"""A bounded queue of heavy jobs: at most ``slots`` run at once, the rest wait in order.

Training, SHAP and reading are the slow steps of a workshop. :class:`JobQueue` lets at
most ``slots`` of them run at the same time (default: the machine's cores,
``CHURNLENS_JOBS`` overrides), so a room that trains at once shares the cores instead of
every page script fighting for them, and each waiting job knows its place: ``on_wait(n)``
is called with the number of jobs ahead of it (running ones included) while it waits.

A job that leaves while waiting gives its place up: its owner's session ended, or its
page was rerun. A rerun may keep the place for ``grace`` seconds (``keep_place``): the
same owner asking for the same key again within that time takes its place back instead
of joining at the end; a place that is not taken back is dropped. A job that fails only
fails itself: its slot is given back whatever happens (``finally``).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["ENV_JOBS", "JobCancelled", "JobQueue", "Ticket", "default_slots"]

#: Environment variable: how many heavy jobs may run at once (default: the cores).
ENV_JOBS = "CHURNLENS_JOBS"


def default_slots() -> int:
    """``$CHURNLENS_JOBS`` when it is a positive number, else the machine's cores."""
    text = os.environ.get(ENV_JOBS, "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, os.cpu_count() or 1)


@dataclass(eq=False)
class Ticket:
    """One job's place in the queue."""

    owner: str
    key: Hashable
    number: int
    left: float | None = None  # monotonic time it left while keeping its place
    running: bool = False
    ran: list[float] = field(default_factory=list)  # [seconds waited] once it started


class JobQueue:
    """At most ``slots`` jobs at once; the others wait first come, first served."""

    def __init__(self, slots: int | None = None, *, grace: float = 15.0) -> None:
        self.slots = slots if slots is not None else default_slots()
        self.grace = grace
        self._cond = threading.Condition()
        self._waiting: list[Ticket] = []
        self._running = 0
        self._numbers = itertools.count()
        self._local = threading.local()
        #: Jobs started, finished, failed and given up while waiting (for tests and the bench).
        self.counts = {"started": 0, "finished": 0, "failed": 0, "left": 0}

    # ------------------------------------------------------------------ reading
    def running(self) -> int:
        with self._cond:
            return self._running

    def queued(self) -> int:
        """Jobs waiting for a slot now (places kept for a rerun included)."""
        with self._cond:
            self._expire()
            return len(self._waiting)

    def ahead(self, ticket: Ticket) -> int:
        """Jobs before ``ticket``: the running ones and the live ones waiting before it."""
        with self._cond:
            return self._ahead(ticket)

    def held(self) -> bool:
        """Whether the calling thread runs inside a slot now. Work it starts from there
        runs in that slot (a job inside a job never waits for a second slot: two jobs
        each holding a slot and waiting for another would wait forever)."""
        return getattr(self._local, "depth", 0) > 0

    # ------------------------------------------------------------------ the one way in
    @contextmanager
    def slot(
        self,
        owner: str,
        key: Hashable,
        *,
        on_wait: Callable[[int], None] | None = None,
        keep_place: Callable[[BaseException], bool] | None = None,
        poll: float = 0.5,
    ) -> Iterator[Ticket]:
        """Wait for a slot (calling ``on_wait(jobs ahead)`` every ``poll`` seconds while
        waiting), run the ``with`` block in it, give it back.

        Whatever ``on_wait`` raises ends the wait: the place is given up, or kept for
        :attr:`grace` seconds when ``keep_place(exception)`` is true. Called inside a slot
        (:meth:`held`), the block runs at once in the slot already held.
        """
        if self.held():
            self._local.depth += 1
            try:
                yield Ticket(owner, key, -1, running=True)
            finally:
                self._local.depth -= 1
            return
        ticket = self._join(owner, key)
        try:
            self._wait(ticket, on_wait, poll)
        except BaseException as exc:
            self._leave(ticket, keep=keep_place is not None and keep_place(exc))
            raise
        failed = True
        self._local.depth = 1
        try:
            yield ticket
            failed = False
        finally:
            self._local.depth = 0
            with self._cond:
                self._running -= 1
                self.counts["failed" if failed else "finished"] += 1
                self._cond.notify_all()

    def cancel(self, owner: str) -> int:
        """Give up every waiting place of ``owner`` (its session ended); how many."""
        with self._cond:
            mine = [t for t in self._waiting if t.owner == owner]
            for t in mine:
                self._waiting.remove(t)
            self.counts["left"] += len(mine)
            self._cond.notify_all()
            return len(mine)

    # ------------------------------------------------------------------ inside
    def _join(self, owner: str, key: Hashable) -> Ticket:
        with self._cond:
            self._expire()
            for t in self._waiting:
                if t.owner == owner and t.key == key and t.left is not None:
                    t.left = None  # back after a rerun: the same place
                    return t
            ticket = Ticket(owner, key, next(self._numbers))
            self._waiting.append(ticket)
            return ticket

    def _live(self) -> list[Ticket]:
        return [t for t in self._waiting if t.left is None]

    def _ahead(self, ticket: Ticket) -> int:
        live = self._live()
        return self._running + (live.index(ticket) if ticket in live else len(live))

    def _expire(self) -> None:
        now = time.monotonic()
        gone = [t for t in self._waiting if t.left is not None and now - t.left > self.grace]
        for t in gone:
            self._waiting.remove(t)
        self.counts["left"] += len(gone)

    def _wait(self, ticket: Ticket, on_wait: Callable[[int], None] | None, poll: float) -> None:
        start = time.monotonic()
        while True:
            with self._cond:
                if ticket not in self._waiting:  # cancelled by its owner
                    raise JobCancelled(ticket.owner)
                live = self._live()
                if self._running < self.slots and live and live[0] is ticket:
                    self._waiting.remove(ticket)
                    self._running += 1
                    ticket.running = True
                    ticket.ran.append(time.monotonic() - start)
                    self.counts["started"] += 1
                    self._cond.notify_all()
                    return
                ahead = self._ahead(ticket)
            if on_wait is not None:
                on_wait(ahead)
            with self._cond:
                self._cond.wait(poll)
                self._expire()

    def _leave(self, ticket: Ticket, *, keep: bool) -> None:
        with self._cond:
            if ticket in self._waiting:
                if keep:
                    ticket.left = time.monotonic()
                else:
                    self._waiting.remove(ticket)
                    self.counts["left"] += 1
            self._cond.notify_all()


class JobCancelled(Exception):
    """The job's place was given up (:meth:`JobQueue.cancel`) before it ran.

    ``retry``: not the work's own failure; callers waiting for the same result through
    :class:`~churn.contain.flight.SingleFlight` try again instead of failing with it.
    """

    retry = True
