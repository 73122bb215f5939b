"""The smaller commands: ``segment``, ``qa``, ``glossary check``, ``model convert``, ``serve``."""

from __future__ import annotations

import argparse
import sys

from .options import DEFAULT_MODEL, _add_engine_options, _add_glossary_options, _run_glossary, _settings
from .output import _err


def _add_segment(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("segment", help="print a file's segments, one per line, with their ids")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    p.set_defaults(handler=cmd_segment)


def cmd_segment(args: argparse.Namespace) -> int:
    from ..pipeline import load_document

    document = load_document(args.input, args.format)
    for block in document.blocks:
        for segment in block.segments:
            # Codes are shown as the markup they stand for, so a translator sees the real text.
            shown = block.expand(segment.source).replace("\r", "\\r").replace("\n", "\\n")
            print(f"{segment.id}\t{shown}")
    return 0


def _add_qa(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qa", help="check a translation without a reference: what to post-edit first")
    p.add_argument("source", metavar="SOURCE", help="source file or folder (X.id.EXT)")
    p.add_argument("target", metavar="TARGET",
                   help="translation file or folder (X.en.EXT), raw MT or post-edited")
    p.add_argument("--format", default="auto",
                   help="auto (by the source's extension), text, markdown, html or docx")
    _add_glossary_options(p)
    p.add_argument("--checks", action="append", metavar="LIST",
                   help="only these checks, comma-separated (an unknown name lists them all)")
    p.add_argument("--skip", action="append", metavar="LIST", help="leave out these checks, comma-separated")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of the table")
    p.add_argument("-o", "--output", action="append", metavar="FILE",
                   help="also write the report: .html (side by side), .txt (table), else JSON lines "
                        "(repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    p.set_defaults(handler=cmd_qa)


def cmd_qa(args: argparse.Namespace) -> int:
    from ..qa import (
        check_files,
        issue_table,
        json_lines,
        parse_names,
        select_checks,
        summary_line,
        write_qa_report,
    )

    checks = select_checks(parse_names(args.checks), parse_names(args.skip))
    glossary = _run_glossary(args)
    result = check_files(args.source, args.target, args.format, glossary, checks)
    issues = [issue for document in result.documents for issue in document.issues]
    if args.json:
        sys.stdout.write(json_lines(issues))
    else:
        print(issue_table(issues))
    for path in args.output or ():
        write_qa_report(path, issues, result.documents, title=f"QA of {args.target}")
    for error in result.errors:
        _err(f"error: {error}")
    if not args.quiet:
        _err(f"{summary_line(issues)} ({len(result.documents)} file(s) checked)")
    if result.errors:
        return max(error.exit_code for error in result.errors)
    return 0


def _add_glossary(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("glossary", help="glossary tools")
    gsub = p.add_subparsers(dest="glossary_command", required=True, metavar="ACTION")
    check = gsub.add_parser("check", help="validate glossary files (TSV, CSV, TBX) or folders")
    check.add_argument("paths", nargs="+", metavar="FILE",
                       help="files or folders; a later one may override an earlier one's entries (a warning)")
    check.add_argument("--no-warnings", action="store_true",
                       help="print errors only (warnings, such as terms inside terms, are still counted)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print errors only, and no summary on success")
    check.set_defaults(handler=cmd_glossary_check)


def cmd_glossary_check(args: argparse.Namespace) -> int:
    from ..errors import GlossaryError
    from ..glossary import check_glossary, load_glossary

    problems = check_glossary(args.paths)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors if (args.no_warnings or args.quiet) else problems:
        print(problem)
    warnings = len(problems) - len(errors)
    if errors:
        _err(f"{len(errors)} error(s), {warnings} warning(s)")
        return GlossaryError.exit_code
    glossary = load_glossary(args.paths)
    if not args.quiet:
        _err(f"ok: {len(glossary)} terms, {warnings} warning(s), digest {glossary.digest()}")
    return 0


def _add_model(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="model tools")
    msub = p.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    convert = msub.add_parser("convert", help="convert a Marian model for the ct2 engine (cached)")
    convert.add_argument("--model", default=DEFAULT_MODEL,
                         help="hub id or local directory (default: %(default)s)")
    convert.add_argument("--revision", default=None, help="model revision (branch, tag or commit)")
    convert.add_argument("--quantization", default="int8",
                         choices=["int8", "int8_float32", "int16", "float16", "float32"],
                         help="weight type (default: %(default)s; float16 for a GPU)")
    convert.add_argument("--force", action="store_true", help="convert again even when cached")
    convert.set_defaults(handler=cmd_model_convert)


def cmd_model_convert(args: argparse.Namespace) -> int:
    from ..engines.ct2_convert import convert_model

    print(convert_model(args.model, args.revision, args.quantization, force=args.force, notify=_err))
    return 0


def _add_serve(sub: argparse._SubParsersAction) -> None:
    from ..service.command import add_serve_command

    add_serve_command(sub, _add_engine_options, _settings, _run_glossary)
