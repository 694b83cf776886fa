"""``python -m churn report FILE -o OUT.html|OUT.xlsx|OUT.pdf``: the report to hand over.

A ``.pdf`` output is the HTML page printed by WeasyPrint (Hangul fonts embedded); ``--pdf``
writes one beside an HTML or Excel output as well.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from churn.cli import Command, add_file_arguments, register
from churn.cli._common import load_table_from_args
from churn.errors import ChurnDataError
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES
from churn.report import SECTIONS, build_report
from churn.text import msg

#: sections that need a trained model
MODEL_SECTIONS = ("model", "drivers", "at_risk")


def parse_sections(text: str | None) -> list[str] | None:
    """``"a,b,c"`` -> ``["a", "b", "c"]`` (None = every section); unknown names are errors."""
    if not text:
        return None
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise ChurnDataError(
            msg("unknown section(s) in --sections: {sections}", sections=", ".join(unknown)),
            fix=msg("choose from {sections}", sections=", ".join(SECTIONS)),
        )
    return names


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_file_arguments(p)
    p.add_argument("-o", "--output", required=True, help="OUT.html, OUT.xlsx or OUT.pdf")
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also write the report as PDF beside the output (same name, .pdf)",
    )
    p.add_argument(
        "--segments",
        default=None,
        help="comma-separated columns for the segment tables (default: chosen by evidence)",
    )
    p.add_argument(
        "--survival-by",
        default=None,
        help="column that splits the survival curves (default: the first segment)",
    )
    p.add_argument(
        "--lang", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE, help="report language"
    )
    p.add_argument(
        "--sections",
        default=None,
        help="comma-separated sections (default all): " + ", ".join(SECTIONS),
    )
    p.add_argument(
        "--with-personal",
        action="store_true",
        help="keep customer names and contact details in the at-risk list (default: ids only)",
    )
    p.add_argument(
        "--no-model",
        action="store_true",
        help="do not train the default model (model, drivers and at-risk sections left out)",
    )


def run(args: argparse.Namespace) -> int:
    from churn.validate import validate

    out = Path(args.output)
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".xlsx", ".pdf"):
        raise ChurnDataError(
            msg("output '{name}' has an unknown extension", name=out.name),
            fix=msg("end it in .html, .xlsx or .pdf"),
        )
    sections = parse_sections(args.sections)
    result, roles, table = load_table_from_args(args)
    issues = validate(result.frame, roles, table)
    wanted = list(SECTIONS) if sections is None else sections
    trained = None
    if not args.no_model and any(s in wanted for s in MODEL_SECTIONS):
        from churn.model import check_trainable, train

        try:
            check_trainable(table)
            trained = train(table)
        except ChurnDataError as why:
            print(f"note: no model trained: {why}", file=sys.stderr)
    alive = None
    sampled = getattr(result, "sampled", False)  # a log read where it lives: a sample here
    if table.shape == "events" and not sampled and any(s in wanted for s in ("alive", "at_risk")):
        from churn.alive import fit_alive

        try:  # the P(alive) section, and P(alive) columns in the at-risk list
            alive = fit_alive(result.frame, roles, getattr(table.settings, "snapshot", None))
        except ChurnDataError as why:
            print(f"note: no P(alive): {why}", file=sys.stderr)
    rep = build_report(
        table,
        trained,
        sections=wanted,
        lang=args.lang,
        issues=issues,
        charts=kind != ".xlsx" or args.pdf,
        personal=args.with_personal,
        alive=alive,
        segment_columns=[c.strip() for c in (args.segments or "").split(",") if c.strip()] or None,
        survival_by=args.survival_by,
    )
    if kind == ".xlsx":
        data = rep.to_xlsx()
    elif kind == ".pdf":
        data = rep.to_pdf()
    else:
        data = rep.to_html().encode("utf-8")
    out.write_bytes(data)
    if args.pdf and kind != ".pdf":
        pdf = out.with_suffix(".pdf")
        pdf.write_bytes(rep.to_pdf())
        print(f"wrote {pdf}")
    for note in rep.notes():
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {out} ({len(data):,} bytes; sections: {', '.join(rep.names)})")
    return 0


register(
    Command(
        name="report",
        help="Write the report (HTML, Excel or PDF) of a file: summary, data, churn over time, "
        "segments, model.",
        add_arguments=add_arguments,
        run=run,
    )
)
