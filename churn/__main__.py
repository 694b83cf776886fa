"""``python -m churn``: the command line (see ``churn.cli``)."""

from __future__ import annotations

import sys

from churn.cli import main

if __name__ == "__main__":
    sys.exit(main())
