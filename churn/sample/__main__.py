"""``python -m churn.sample [--out DIR]``: regenerate the sample files."""

from __future__ import annotations

import sys

from churn.sample.files import main

if __name__ == "__main__":
    sys.exit(main())
