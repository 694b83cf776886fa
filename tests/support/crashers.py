"""What a contained worker runs instead of its real work, to end it on purpose: module
level, so a worker of the fork server imports them by name (``tests.support.crashers``).
Each takes any arguments (a job, a table and its keywords)."""

from __future__ import annotations

import os
import time


def segfault(*args, **kwargs):
    import ctypes

    ctypes.string_at(0)  # reads address 0: SIGSEGV


def abort(*args, **kwargs):
    os.abort()  # SIGABRT


def hang(*args, **kwargs):
    time.sleep(120)


def segfault_after_a_step(*args, progress=None, **kwargs):
    """Reports the first of two steps, then crashes."""
    progress(0, 2, "first")
    segfault()
