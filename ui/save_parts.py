"""What autosave (``ui/workspace.py``) writes: only the parts of a workspace that changed
since the session's last save, compared by a SHA-256 per part kept in session state."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from churn.text import to_json

#: The parts autosave digests, and the ``store.save`` arguments each one stands for.
PARTS: dict[str, tuple[str, ...]] = {
    "roles": ("roles",),
    "snapshot": ("snapshot",),
    "inactivity_days": ("inactivity_days",),
    "settings": ("settings",),
    "scenarios": ("scenarios",),
    "counts": ("rows", "customers"),
}


def digests(parts: dict[str, Any]) -> dict[str, str]:
    """A SHA-256 per part of ``parts`` (the settings without the save's reason, which
    alone is no change worth a write)."""
    out = {}
    for part, keys in PARTS.items():
        values = [parts.get(k) for k in keys]
        if part == "settings" and isinstance(values[0], dict):
            values = [{k: v for k, v in values[0].items() if k != "reason"}]
        text = json.dumps(to_json(values), sort_keys=True, default=str)
        out[part] = hashlib.sha256(text.encode()).hexdigest()
    return out


def changed_only(parts: dict[str, Any], before: dict[str, str], now: dict[str, str]) -> dict:
    """``parts`` without the ``store.save`` arguments of the parts whose digest in
    ``before`` (the last save) equals ``now``."""
    out = dict(parts)
    for part, keys in PARTS.items():
        if before.get(part) == now.get(part):
            for key in keys:
                out.pop(key, None)
    return out
