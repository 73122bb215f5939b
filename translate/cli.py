"""Command line: a thin layer over the Python API; no logic lives only here.

Errors become one readable line each and an exit code (``--debug`` shows the
traceback instead).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import TranslateError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
DEFAULT_GLOSSARY = "glossaries"


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="translate files or folders into the same format")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders")
    p.add_argument("-o", "--output", metavar="OUTDIR", help="write outputs here (mirroring folders)")
    p.add_argument("--engine", default="marian", help="marian (default), copy or pseudo")
    p.add_argument("--model", default=DEFAULT_MODEL, help="hub id or local directory (default: %(default)s)")
    p.add_argument("--revision", default=None, help="model revision (branch, tag or commit)")
    p.add_argument("--beam", type=int, default=4, help="beam size (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=16, help="segments per batch (default: %(default)s)")
    p.add_argument("--max-length", type=int, default=256, help="max new tokens (default: %(default)s)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--format", default="auto", help="auto (by extension), text or markdown")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--glossary", action="append", metavar="FILE",
                   help="glossary file or folder, repeatable (default: ./glossaries/ when present)")
    p.add_argument("--no-glossary", action="store_true", help="translate without a glossary")
    p.add_argument("--terms-report", metavar="FILE", help="write the term audit (.jsonl or .tsv)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_run)


def _add_segment(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("segment", help="print a file's segments, one per line, with their ids")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--format", default="auto", help="auto (by extension), text or markdown")
    p.set_defaults(handler=cmd_segment)


def _add_score(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="BLEU, chrF++ and TER of a translation against a reference")
    p.add_argument("hypothesis", metavar="HYP")
    p.add_argument("reference", metavar="REF", nargs="?", help="reference (optional with --glossary)")
    p.add_argument("--format", default="auto", help="auto (by extension), text or markdown")
    p.add_argument("--glossary", action="append", metavar="FILE", help="add term success rate (repeatable)")
    p.add_argument("--source", metavar="SRC", help="the source document (needed with --glossary)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_score)


def _add_glossary(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("glossary", help="glossary tools")
    gsub = p.add_subparsers(dest="glossary_command", required=True, metavar="ACTION")
    check = gsub.add_parser("check", help="validate glossary files (TSV, CSV, TBX) or folders")
    check.add_argument("paths", nargs="+", metavar="FILE")
    check.set_defaults(handler=cmd_glossary_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translate", description="Translate Indonesian news articles into English."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)
    _add_segment(sub)
    _add_score(sub)
    _add_glossary(sub)
    return parser


def _progress_factory(quiet: bool) -> Callable[[int], Callable[[int], None]]:
    def factory(total: int) -> Callable[[int], None]:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="seg", disable=True if quiet else None, file=sys.stderr)
        return bar.update

    return factory


def cmd_run(args: argparse.Namespace) -> int:
    from .engines import create_engine
    from .pipeline import run

    engine = create_engine(
        args.engine, model=args.model, revision=args.revision, beam=args.beam,
        batch_size=args.batch_size, max_length=args.max_length, device=args.device,
    )
    if engine.keeps_codes:
        _err(f"note: engine {engine.name!r} does not translate; its output is for checking the pipeline")
    glossary = _run_glossary(args)
    load = getattr(engine, "load", None)
    if callable(load):
        load()  # model problems are reported before any file is read
    report = run(args.inputs, engine, args.output, args.format, args.overwrite, _progress_factory(args.quiet),
                 glossary)
    if args.terms_report:
        from .terms import write_terms_report

        write_terms_report(args.terms_report, report.terms)
    if glossary is not None:
        found = sum(1 for use in report.terms if use.found)
        _err(f"terms: {found}/{len(report.terms)} glossary term occurrences in the output")
    written = 0
    for result in report.results:
        if result.error:
            _err(f"error: {result.error}")
            continue
        written += 1
        if result.warning:
            _err(f"warning: {result.job.source}: {result.warning}")
        if not args.quiet:
            _err(f"{result.job.source} -> {result.job.output} ({result.segments} segments)")
    if report.skipped:
        _err(f"skipped {len(report.skipped)} file(s) with unknown extensions: "
             + ", ".join(str(p) for p in report.skipped[:5]) + (" ..." if len(report.skipped) > 5 else ""))
    _err(f"signature: {report.signature}")
    failures = report.failures
    if failures:
        _err(f"{len(failures)} of {len(report.results)} file(s) failed:")
        for result in failures:
            _err(f"  {result.job.source}: {result.error.message}")
        return max(r.error.exit_code for r in failures)
    if not report.results:
        _err("error: no input files found")
        return 2
    _err(f"wrote {written} file(s)")
    return 0


def _run_glossary(args: argparse.Namespace):
    """The glossary a run uses: --glossary files, else ./glossaries/ when present, unless --no-glossary."""
    from pathlib import Path

    from .glossary import load_glossary

    if args.no_glossary:
        return None
    paths = args.glossary or ([DEFAULT_GLOSSARY] if Path(DEFAULT_GLOSSARY).is_dir() else [])
    if not paths:
        return None
    glossary = load_glossary(paths)
    if not args.quiet:
        _err(f"glossary: {', '.join(paths)} ({len(glossary)} terms)")
    return glossary


def cmd_segment(args: argparse.Namespace) -> int:
    from .pipeline import load_document

    document = load_document(args.input, args.format)
    for block in document.blocks:
        for segment in block.segments:
            # Codes are shown as the markup they stand for, so a translator sees the real text.
            shown = block.expand(segment.source).replace("\r", "\\r").replace("\n", "\\n")
            print(f"{segment.id}\t{shown}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .errors import ScoreError
    from .evaluate import score_files, score_terms

    if args.reference is None and not args.glossary:
        raise ScoreError("nothing to score against", hint="give a reference REF, or --glossary with --source")
    if args.glossary and not args.source:
        raise ScoreError("--glossary needs --source", hint="term success compares source terms with output")
    result: dict = {}
    lines: list[str] = []
    if args.reference is not None:
        report = score_files(args.hypothesis, args.reference, args.format)
        result.update(report.as_dict())
        lines.append(f"{report.units} {report.level}s")
        lines += [f"{m.name:7} {m.score:6.2f}  {m.signature}" for m in report.metrics]
    if args.glossary:
        for term_score in score_terms(args.source, args.hypothesis, args.glossary, args.format):
            result.setdefault("terms", {})[term_score.metric] = term_score.as_dict()
            lines.append(f"{term_score.metric}: {term_score.score:6.2f} "
                         f"({term_score.found}/{term_score.total})  {term_score.signature}")
            lines += [f"  {category:13} {count.found}/{count.total}"
                      for category, count in sorted(term_score.by_category.items())]
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else "\n".join(lines))
    return 0


def cmd_glossary_check(args: argparse.Namespace) -> int:
    from .glossary import check_glossary, load_glossary

    problems = check_glossary(args.paths)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    warnings = len(problems) - len(errors)
    if errors:
        _err(f"{len(errors)} error(s), {warnings} warning(s)")
        return 5
    glossary = load_glossary(args.paths)
    _err(f"ok: {len(glossary)} terms, {warnings} warning(s), digest {glossary.digest()}")
    return 0


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except TranslateError as error:
        if args.debug:
            raise
        _err(f"error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        _err("interrupted: files already written are complete; no partial file was left")
        return 130
