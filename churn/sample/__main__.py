"""``python -m churn.sample [--out DIR]``: regenerate the sample files (the command line)."""

from __future__ import annotations

import argparse
import sys

from churn.sample.files import write_samples


def main(argv: list[str] | None = None) -> int:
    """Regenerate the sample files and print the paths written, one per line."""
    parser = argparse.ArgumentParser(
        prog="python -m churn.sample", description="Regenerate ChurnLens' sample data files."
    )
    parser.add_argument("--out", default="data/sample", help="target folder (default: data/sample)")
    args = parser.parse_args(argv)
    for path in write_samples(args.out).values():
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
