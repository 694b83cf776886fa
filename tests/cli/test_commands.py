"""``python -m churn`` itself: the command list, ``--help`` of every command, no or an
unknown command."""

from __future__ import annotations

from churn.cli import COMMANDS, build_parser
from tests.cli.helpers import bad, ok, run_cli

#: The public commands; a removed or renamed one breaks users' scripts.
PUBLIC = {
    "alive", "explain", "at-risk", "rate", "report", "score", "segments", "summary",
    "survival", "train", "whatif",
}  # fmt: skip


def test_every_command_has_working_help():
    """argparse formats help text with %: a stray % in any command's help breaks --help."""
    parser = build_parser()
    assert PUBLIC <= set(COMMANDS)
    top = ok("--help").stdout
    assert top.startswith("usage: python -m churn")
    assert all(f"    {name} " in top for name in PUBLIC)
    # every command's help formats (in process: the same argparse code as --help) ...
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    for name, p in sub.choices.items():
        assert p.format_help().startswith(f"usage: python -m churn {name}"), name
    # ... and prints through the real entry point (rate's help holds a literal %)
    proc = ok("rate", "--help")
    assert proc.stdout.startswith("usage: python -m churn rate") and "%" in proc.stdout


def test_no_command_prints_the_help_and_exits_2():
    proc = run_cli()
    assert proc.returncode == 2
    assert proc.stdout.startswith("usage: python -m churn") and proc.stderr == ""


def test_unknown_command_is_one_error_line():
    line = bad("frobnicate")
    assert line.startswith("error: argument COMMAND: invalid choice: 'frobnicate'")
