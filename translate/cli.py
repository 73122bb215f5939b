"""Command line: a thin layer over the Python API; no logic lives only here.

Errors become one readable line each and an exit code (``--debug`` shows the
traceback instead).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence

from . import __version__
from .errors import InputError, TranslateError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    """The options that choose and tune the translation: shared by ``run``, ``eval``, ``export``, ``serve``.

    Every default is None, "not given": a settings file (``translate.toml``, see
    :mod:`translate.settings`) or the engine's own default applies, and an engine
    that does not take a model option (copy, pseudo) refuses it only when given here.
    """
    p.add_argument("--engine", help="auto (default: ct2 when ctranslate2 can run the model, else marian), "
                                    "ct2, marian, copy or pseudo")
    p.add_argument("--model", help=f"hub id or local directory (default: {DEFAULT_MODEL})")
    p.add_argument("--revision", help="model revision (branch, tag or commit)")
    p.add_argument("--beam", type=int, help="beam size (default: 4)")
    p.add_argument("--batch-size", type=int, help="segments per batch (default: 16)")
    p.add_argument("--max-length", type=int, help="max new tokens (default: 256)")
    p.add_argument("--device", help="cpu (default) or cuda")
    p.add_argument("--quantization", help="ct2 weights: int8 (default on cpu), float16 (default on cuda), "
                                          "int8_float32, int16 or float32")
    p.add_argument("--inter-threads", type=int, metavar="N",
                   help="ct2: batches decoded in parallel (default: one per core, up to 4)")
    p.add_argument("--intra-threads", type=int, metavar="N",
                   help="ct2: threads per batch (default: the cores left per batch, usually 1)")
    p.add_argument("--force-beam", type=int, metavar="N",
                   help="ct2: beam of the re-decode after a glossary term is forced (default 1: greedy, "
                        "fast; --force-beam 4 decodes those segments as carefully as the rest, ~10%% slower)")
    _add_glossary_options(p)
    p.add_argument("--locale", help="numbers, dates, money and times written for this English locale "
                                    "(default: en_US)")
    p.add_argument("--currency-style", choices=["code", "symbol", "words"],
                   help="IDR 50,000 (code, default), Rp50,000 (symbol) or 50,000 rupiah (words)")
    p.add_argument("--style", choices=["cldr", "ap"],
                   help="house style: cldr (default, the locale's CLDR forms) or ap (AP Stylebook: "
                        "Rp 3.5 billion, 2 p.m. WIB, 2.5 percent)")
    p.add_argument("--no-localize", action="store_true", help="leave numbers, dates and money to the model")


def _add_glossary_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--glossary", action="append", metavar="FILE",
                   help="a house glossary file or folder on top of the curated one, repeatable; its entries "
                        "override the curated ones (./glossaries/ is used too when present)")
    p.add_argument("--no-glossary", action="store_true", help="translate without any glossary")
    p.add_argument("--no-curated-glossary", action="store_true",
                   help="leave out the curated glossaries shipped with translate (house glossaries only)")


def _settings(args: argparse.Namespace):
    """The run's :class:`~translate.settings.Settings`: defaults, settings files, then these options."""
    from .settings import ENGINE_OPTIONS, load_settings

    if getattr(args, "settings_", None) is not None:  # read once per command
        return args.settings_
    values = {name: getattr(args, name, None) for name in (*ENGINE_OPTIONS, "engine", "locale",
                                                           "currency_style", "style")}
    values["glossary"] = getattr(args, "glossary", None)
    values["use_glossary"] = False if getattr(args, "no_glossary", False) else None
    values["curated_glossary"] = False if getattr(args, "no_curated_glossary", False) else None
    values["localize"] = False if getattr(args, "no_localize", False) else None
    settings = load_settings(values)
    if settings.files and not getattr(args, "quiet", False):
        _err(f"settings: {', '.join(_name(f) for f in settings.files)}")
    args.settings_ = settings
    return settings


def _engine_from_args(args: argparse.Namespace):
    """The engine the options of :func:`_add_engine_options` (and the settings files) describe.

    Held until the command is over (:func:`translate.interrupt.hold_until_exit`):
    a stopped command must not wait for the engine's running batches.
    """
    from .interrupt import hold_until_exit

    engine = _settings(args).create_engine()
    hold_until_exit(engine)
    return engine


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="translate files or folders into the same format", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders; - reads standard input")
    p.add_argument("-o", "--output", metavar="OUTDIR",
                   help="write outputs here (mirroring folders); - writes one document to standard output")
    _add_engine_options(p)
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    p.add_argument("--skip-existing", action="store_true",
                   help="resume: keep outputs whose source and settings are unchanged (see "
                        ".translate-manifest.jsonl beside them), translate the others again")
    p.add_argument("--log", metavar="FILE",
                   help="append a JSON line per file as it completes (source sha256, output, signature, "
                        "segments, terms, QA counts, seconds, status), then one for the run")
    p.add_argument("--terms-report", metavar="FILE", help="write the term audit (.jsonl or .tsv)")
    p.add_argument("--qa-report", metavar="FILE",
                   help="write the QA findings: .html (side by side), .txt (table), else JSON lines")
    p.add_argument("--qa-checks", action="append", metavar="LIST",
                   help="only these QA checks (as for qa --checks)")
    p.add_argument("--qa-skip", action="append", metavar="LIST", help="leave out these QA checks")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_tm_options(p, default_on=False)
    _add_ray_options(p)
    p.set_defaults(handler=cmd_run)


def _add_segment(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("segment", help="print a file's segments, one per line, with their ids")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    p.set_defaults(handler=cmd_segment)


def _add_score(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="BLEU, chrF++ and TER of a translation against a reference")
    p.add_argument("hypothesis", metavar="HYP", help="hypothesis file or folder")
    p.add_argument("reference", metavar="REF", nargs="*",
                   help="reference file(s) or folder(s), paired by name (optional with --glossary)")
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    _add_level(p)
    p.add_argument("--glossary", action="append", metavar="FILE", help="add term success rate (repeatable)")
    p.add_argument("--source", metavar="SRC",
                   help="the source document or folder (terms, numbers, format fidelity)")
    _add_bootstrap(p)
    p.add_argument("--comet-model", metavar="DIR", help="add COMET with this local model (needs --source)")
    p.add_argument("--post-edited", metavar="PE", help="post-editing effort of the machine translation HYP: "
                   "HTER against this post-edited file or folder, and the segments left unchanged")
    p.add_argument("--segments", action="store_true", help="print the per-segment table")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_html(p)
    p.set_defaults(handler=cmd_score)


def _add_level(p: argparse.ArgumentParser) -> None:
    p.add_argument("--level", default="auto", choices=["auto", "line", "unit"],
                   help="auto (default): line by line for plain-text files with the same number of lines "
                        "and no paragraph layout (sacrebleu's input), else as documents; line: one segment "
                        "per line; unit: paragraphs/blocks of documents, sentences realigned inside them")


def _add_bootstrap(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap resamples for the 95%% CIs (default: %(default)s; 0: no CIs)")


def _add_html(p: argparse.ArgumentParser) -> None:
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --html FILE")


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="paired significance tests of systems against a baseline")
    p.add_argument("systems", nargs="+", metavar="SYSTEM",
                   help="baseline first, then systems (files or folders)")
    p.add_argument("--ref", action="append", required=True, metavar="REF", help="reference (repeatable)")
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    _add_level(p)
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="paired bootstrap resamples (default: %(default)s; 0: no bootstrap test, no CIs)")
    p.add_argument("--trials", type=int, default=10000, metavar="N",
                   help="approximate randomization trials (default: %(default)s; 0: no randomization test)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    _add_html(p)
    p.set_defaults(handler=cmd_compare)


def _add_eval(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="translate a corpus with references, score it, write JSON and HTML")
    p.add_argument("corpus", nargs="?", metavar="CORPUS", help="folder of X.id.EXT / X.en.EXT pairs")
    p.add_argument("--ntrex", metavar="DIR", help="evaluate on NTREX-128 articles from this folder instead")
    p.add_argument("--max-docs", type=int, metavar="N", help="with --ntrex: only the first N articles")
    p.add_argument("--out", default="eval-report", metavar="DIR", help="report folder (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing report in --out")
    _add_engine_options(p)
    _add_bootstrap(p)
    p.add_argument("--comet-model", metavar="DIR", help="add COMET with this local model")
    p.add_argument("--log", metavar="FILE", help="append a JSON line per translated file (as run --log)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_eval)


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
    from .qa import (
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


def _add_serve(sub: argparse._SubParsersAction) -> None:
    from .service.command import add_serve_command

    add_serve_command(sub, _add_engine_options, _settings, _run_glossary)


def cmd_model_convert(args: argparse.Namespace) -> int:
    from .engines.ct2_convert import convert_model

    print(convert_model(args.model, args.revision, args.quantization, force=args.force, notify=_err))
    return 0


#: Exit codes, stable across releases (also in the README); the library's errors carry theirs.
EXIT_CODES = """\
exit codes:
  0    success (every file written, or kept with --skip-existing)
  1    other error
  2    bad input: a file that cannot be read or parsed, no input files, or a usage error
  3    an output that cannot or must not be written (exists without --overwrite, unwritable)
  4    a model or engine that cannot be loaded or run
  5    a glossary with errors (every problem listed as file:line)
  6    translations that cannot be merged back into the document
  7    hypothesis and reference that cannot be scored together
  70   internal error: a bug; the message names the log holding the details
  130  interrupted (Ctrl-C or SIGTERM); files already written are complete
In a folder run, the exit code is the highest of the failed files' codes."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translate", description="Translate Indonesian news articles into English.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)
    _add_segment(sub)
    _add_score(sub)
    _add_compare(sub)
    _add_eval(sub)
    _add_qa(sub)
    _add_glossary(sub)
    _add_model(sub)
    _add_serve(sub)
    _add_export(sub)
    _add_import(sub)
    _add_tm(sub)
    return parser


def _progress_factory(quiet: bool, log=None):
    """A bar on a terminal; without one, a line per file and a summary every 30 s (translate.progress).

    With a ``log`` (:class:`~translate.runlog.RunLog`), the run reports to both: for commands
    such as ``eval`` that hand the run only a progress factory.
    """
    from .progress import progress_factory
    from .runlog import Observers

    display = progress_factory(quiet)
    return display if log is None else (lambda total: Observers([display(total), log]))


def cmd_run(args: argparse.Namespace) -> int:
    from .interrupt import StopRequest, graceful_signals
    from .jobs import check_standard_streams
    from .pipeline import check_output_folder, run

    check_output_folder(args.output)  # before a model is loaded
    check_standard_streams(args.inputs, args.output, args.format)
    log = _open_run_log(args.log)
    engine = _engine_from_args(args)
    if not engine.translates:
        _err(f"note: engine {engine.name!r} does not translate; its output is for checking the pipeline")
    glossary = _run_glossary(args)
    localizer = _settings(args).localizer()  # a bad locale is reported before the model loads
    if args.ray is None:  # on a cluster, the actors load it (and report its problems before any work)
        engine.load()  # model problems are reported before any file is read
    from .qa import parse_names, select_checks

    checks = select_checks(parse_names(args.qa_checks), parse_names(args.qa_skip))
    memory = _memory_from_args(args, engine, default_on=False)
    stop = StopRequest()
    try:
        if args.ray is not None:  # Ray handles Ctrl-C on the driver itself: the run stops, written files stay
            report = _run_on_ray(args, engine, glossary, localizer, checks, memory)
        else:
            with graceful_signals(stop, _stopping):
                report = run(args.inputs, engine, args.output, args.format, args.overwrite,
                             _progress_factory(args.quiet), glossary, localizer,
                             skip_existing=args.skip_existing, qa_checks=checks, memory=memory, observer=log,
                             stop=stop)
    finally:
        if log is not None:
            log.close()
    return _run_summary(args, report, engine, glossary, memory)


def _open_run_log(path: str | None):
    """``--log FILE``, opened before the model loads: a log that cannot be written is an error at once."""
    if path is None:
        return None
    from .errors import OutputError
    from .runlog import RunLog

    try:
        return RunLog(path)
    except OSError as error:
        raise OutputError(f"cannot write the log: {error.strerror or error}", path=path) from None


def _stopping(signal_name: str) -> None:
    _err(f"{signal_name}: stopping (no new batch; the document at hand is dropped); "
         "documents already written are kept (press Ctrl-C again to stop at once)")


def _run_summary(args: argparse.Namespace, report, engine, glossary, memory) -> int:
    """What the run did, on stderr (each file had its line as it completed), and the exit code.

    Only work that happened is reported: no QA, term or memory line when no
    document was translated (every output existed, say).
    """
    translated = bool(report.qa_documents)
    if translated:
        _report_memory(memory)
        _report_qa(args, report, engine)
        if args.terms_report:
            from .glossary import write_terms_report

            write_terms_report(args.terms_report, report.terms)
        if glossary is not None:
            found = sum(1 for use in report.terms if use.found)
            _err(f"terms: {found}/{len(report.terms)} glossary term occurrences in the output")
    if report.skipped:
        _err(f"skipped {len(report.skipped)} file(s) with unknown extensions: {_first_few(report.skipped)}")
    _report_resume(report)
    _err(f"signature: {report.signature}")
    written = len(report.written)
    if report.interrupted:
        left = len(report.not_started) + sum(1 for r in report.results if r.status == "interrupted")
        _err(f"interrupted ({report.interrupted}): wrote {written} file(s), {left} not translated; "
             f"every written file is complete. Resume with: {_resume_command(args)}")
        return 130
    failures = report.failures
    if failures:
        _err(f"wrote {written} file(s); {len(failures)} of {len(report.results)} file(s) failed:")
        for result in failures:
            _err(f"  {_name(result.job.source)}: {result.error.message}")
        return max(r.error.exit_code for r in failures)
    if not report.results and not report.existing:
        _err(f"error: no input files found in {_first_few(args.inputs)} (folders are searched for files "
             f"with a known extension, {_known_extensions()}; hidden files, files tagged .en. and, when "
             "some are tagged .id., untagged files are left out)")
        return InputError.exit_code
    _err(f"wrote {written} file(s)")
    return 0


def _report_resume(report) -> None:
    """--skip-existing: how many outputs were kept, how many translated again and why."""
    from collections import Counter

    from .manifest import EDITED, MANIFEST_NAME, NOT_RECORDED

    def counted(decisions) -> str:
        counts = Counter(d.reason for d in decisions)
        return ", ".join(f"{count} {reason}" for reason, count in counts.items())

    again = [d for d in report.resume.values() if not d.keep]
    if again:
        _err(f"translated {len(again)} existing output(s) again (--skip-existing): {counted(again)}")
    if report.existing:
        kept = [report.resume[job.output] for job in report.existing if job.output in report.resume]
        _err(f"kept {len(report.existing)} existing output(s) (--skip-existing): {counted(kept)}")
    for reason, what in ((NOT_RECORDED, f"that no run recorded in {MANIFEST_NAME} (written by hand, by an "
                                        "older version, or a reference)"),
                         (EDITED, "changed since they were written (post-edited?)")):
        jobs = [job.output for job in report.existing if report.resume.get(job.output, None) is not None
                and report.resume[job.output].reason == reason]
        if jobs:
            _err(f"warning: kept {len(jobs)} output(s) {what}: {_first_few(jobs)}; --overwrite replaces them")


def _resume_command(args: argparse.Namespace) -> str:
    """The command line that continues this run: the same one with --skip-existing."""
    import shlex

    argv = list(getattr(args, "argv_", None) or sys.argv[1:])
    if "--skip-existing" not in argv:
        argv.append("--skip-existing")
    return shlex.join(["translate", *argv])


def _add_ray_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="translate on a Ray cluster (pip install 'translate-id-en[ray]'): ADDRESS is "
                        "ray://HEAD:10001 or auto (after the inputs, or as --ray=ADDRESS); without one, a "
                        "local Ray instance. Same outputs; a manifest of what was written goes to the output "
                        "folder")
    p.add_argument("--ray-actors", type=int, metavar="N",
                   help="with --ray: translating actors (default: as many as the cluster's CPUs, or GPUs, "
                        "hold, each with the engine's --inter-threads x --intra-threads CPUs)")


def _run_on_ray(args: argparse.Namespace, engine, glossary, localizer, checks, memory):
    """``run --ray``: the run on a Ray cluster (translate.cluster), with a progress bar of documents."""
    from pathlib import Path

    from .cluster import MANIFEST_NAME, ClusterError, RayOptions, run_on_ray

    if args.ray and "://" not in args.ray and args.ray not in ("auto", "local") and Path(args.ray).exists():
        raise ClusterError(f"--ray took the input {args.ray!r} for a Ray address",
                           hint="put --ray after the inputs, or write --ray=ADDRESS")
    settings = _settings(args)
    options = RayOptions(address=args.ray or None, actors=args.ray_actors, device=settings.device,
                         quantization=settings.quantization)  # None unless given: chosen by the cluster
    first = Path(args.inputs[0])
    folder = Path(args.output) if args.output else (first if first.is_dir() else first.parent)
    bars: list = []

    def progress(state) -> None:
        from tqdm import tqdm

        if not bars:
            bars.append(tqdm(total=state.documents, unit="doc", file=sys.stderr))
        rates = ", ".join(f"{a.rate:.1f}" for a in state.actors if a.documents)
        bars[0].set_postfix_str(f"{state.segments} segments, per actor {rates} seg/s", refresh=False)
        bars[0].update(state.done - bars[0].n)

    report = run_on_ray(args.inputs, engine, args.output, args.format, args.overwrite, glossary, localizer,
                        args.skip_existing, checks, options, folder / MANIFEST_NAME,
                        None if args.quiet else progress, memory)
    for bar in bars:
        bar.close()
    _err(f"manifest: {_name(report.manifest)}")
    return report


def _first_few(paths: list, shown: int = 5) -> str:
    """``a, b, c ...``: the first paths of a long list."""
    return ", ".join(_name(p) for p in paths[:shown]) + (" ..." if len(paths) > shown else "")


def _name(path: object) -> str:
    """A path as a message shows it: quoted when a line break or control character could mislead."""
    from .errors import quote_name

    return quote_name(str(path))


def _known_extensions() -> str:
    from .formats import EXTENSIONS

    return " ".join(sorted(EXTENSIONS))


def _report_qa(args: argparse.Namespace, report, engine) -> None:
    """One summary line of the QA findings, and --qa-report."""
    from .qa import summary_line, write_qa_report

    if args.qa_report:
        write_qa_report(args.qa_report, report.qa, report.qa_documents, title=f"QA of a {engine.name} run")
    if report.qa or not args.quiet:
        _err(summary_line(report.qa))


def _run_glossary(args: argparse.Namespace):
    """The glossary a run uses (curated, ./glossaries/, house files; see Settings), said on stderr."""
    settings = _settings(args)
    glossary = settings.load_glossary()
    if glossary is None:
        _err("glossary: none" + (" (--no-glossary)" if not settings.use_glossary else ""))
        return None
    from .settings import curated_glossary_dir

    curated = curated_glossary_dir()
    names = ["curated" if path == curated else _name(path) for path in settings.glossary_paths()]
    overrides = sum(1 for problem in glossary.warnings if "overrides" in problem.message)
    extra = f", {overrides} curated entr{'y' if overrides == 1 else 'ies'} overridden" if overrides else ""
    _err(f"glossary: {' + '.join(names)} ({len(glossary)} terms{extra})")
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
    from .evaluate.scoring import check_bootstrap, score_terms
    from .evaluate.tables import term_line

    if not args.reference and not args.glossary and not args.post_edited:
        raise ScoreError("nothing to score against", hint="give a reference REF, or --glossary with --source")
    if args.glossary and not args.source:
        raise ScoreError("--glossary needs --source", hint="term success compares source terms with output")
    check_bootstrap(args.bootstrap)
    if args.post_edited:
        return _score_post_edit(args)
    if args.reference:
        from .evaluate.html_report import check_html_target, write_evaluation_page
        from .evaluate.inputs import pair_inputs
        from .evaluate.scoring import evaluate_pairs
        from .evaluate.tables import evaluation_lines
        from .glossary import load_glossary

        check_html_target(args.html, args.overwrite)
        pairs = pair_inputs(args.hypothesis, args.reference, args.source, args.level)
        glossary = load_glossary(args.glossary) if args.glossary else None
        evaluation = evaluate_pairs(pairs, args.level, args.format, glossary, args.bootstrap,
                                    args.comet_model)
        return _show_scores(args, evaluation, evaluation.as_dict(),
                            evaluation_lines(evaluation, args.segments), write_evaluation_page, "Scores")
    result: dict = {}
    lines: list[str] = []
    for term_score in score_terms(args.source, args.hypothesis, args.glossary, args.format, args.level):
        result.setdefault("terms", {})[term_score.metric] = term_score.as_dict()
        lines.append(term_line(term_score))
        lines += [f"  {category:13} {count.found}/{count.total}"
                  for category, count in sorted(term_score.by_category.items())]
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else "\n".join(lines))
    return 0


def _score_post_edit(args: argparse.Namespace) -> int:
    """``score --post-edited PE MT``: HTER and unchanged segments (see translate/evaluate/post_edit.py)."""
    from .errors import ScoreError
    from .evaluate.html_report import check_html_target, write_post_edit_page
    from .evaluate.post_edit import post_edit_effort
    from .evaluate.tables import post_edit_lines

    options = (("REF", args.reference), ("--glossary", args.glossary), ("--source", args.source),
               ("--comet-model", args.comet_model))
    extra = [name for name, given in options if given]
    if extra:
        raise ScoreError(f"--post-edited scores the machine translation against its post-edit; "
                         f"{', '.join(extra)} cannot be added",
                         hint="score against references in another run")
    check_html_target(args.html, args.overwrite)
    effort = post_edit_effort(args.hypothesis, args.post_edited, args.level, args.format, args.bootstrap)
    return _show_scores(args, effort, effort.as_dict(), post_edit_lines(effort, args.segments),
                        write_post_edit_page, "Post-editing effort")


def _show_scores(args: argparse.Namespace, report: object, data: dict, lines: list[str],
                 write_page: Callable[..., None], title: str) -> int:
    """``--json`` or the table on stdout; the ``--html`` page (``write_page``) when asked."""
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else "\n".join(lines))
    if args.html:
        write_page(args.html, report, f"{title} of {args.hypothesis}", args.overwrite)
        _err(f"wrote {args.html}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .evaluate.compare import compare_files
    from .evaluate.html_report import check_html_target, write_comparison_page
    from .evaluate.tables import comparison_markdown, comparison_table

    check_html_target(args.html, args.overwrite)
    comparison = compare_files(args.systems, args.ref, args.level, args.format, args.bootstrap, args.trials)
    if args.json:
        print(json.dumps(comparison.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(comparison_markdown(comparison) if args.markdown else comparison_table(comparison))
    if args.html:
        title = "Comparison of " + ", ".join(args.systems)
        write_comparison_page(args.html, comparison, title, args.overwrite)
        _err(f"wrote {args.html}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import tempfile

    from .errors import ScoreError
    from .evaluate.corpus import build_ntrex, check_report_target, evaluate_corpus, find_corpus_pairs
    from .evaluate.scoring import check_bootstrap

    if bool(args.corpus) == bool(args.ntrex):
        raise ScoreError("give a CORPUS folder or --ntrex DIR (one of them)")
    check_bootstrap(args.bootstrap)
    check_report_target(args.out, args.overwrite)
    log = _open_run_log(args.log)
    engine = _engine_from_args(args)
    glossary = _run_glossary(args)
    localizer = _settings(args).localizer()
    try:
        with tempfile.TemporaryDirectory(prefix="ntrex-") as workdir:
            corpus = build_ntrex(args.ntrex, workdir, args.max_docs) if args.ntrex else args.corpus
            pairs = find_corpus_pairs(corpus)
            title = f"Evaluation of {'NTREX-128' if args.ntrex else corpus}"
            result = evaluate_corpus(pairs, engine, args.out, glossary, args.bootstrap, args.comet_model,
                                     title, _progress_factory(args.quiet, log), localizer,
                                     overwrite=args.overwrite)
    finally:
        if log is not None:
            log.close()
    for note in result.notes:
        _err(note)
    from .evaluate.tables import evaluation_lines

    print("\n".join(evaluation_lines(result.evaluation)))
    _err(f"signature: {result.signature}")
    _err(f"wrote {result.json_path} and {result.html_path}")
    return 0


def cmd_glossary_check(args: argparse.Namespace) -> int:
    from .errors import GlossaryError
    from .glossary import check_glossary, load_glossary

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


def _add_tm_options(p: argparse.ArgumentParser, default_on: bool) -> None:
    """--tm / --no-tm: which translation memory a command uses (see translate.memory_store)."""
    default = ("default: $TRANSLATE_TM, else memory.sqlite in the user data folder" if default_on
               else "default: none, or $TRANSLATE_TM when set")
    p.add_argument("--tm", metavar="FILE", help=f"translation memory (SQLite) to reuse and fill ({default})")
    p.add_argument("--no-tm", action="store_true", help="use no translation memory")


def _memory_from_args(args: argparse.Namespace, engine=None, default_on: bool = True):
    """The SQLite memory --tm/--no-tm/$TRANSLATE_TM ask for; None for none (or for copy/pseudo runs)."""
    import os

    from .memory_store import ENV_VAR, SQLiteMemory, default_path

    if args.no_tm or not (args.tm or default_on or os.environ.get(ENV_VAR)):
        return None
    if engine is not None and not engine.translates:
        _err(f"note: no translation memory with engine {engine.name!r} (its output is not a translation)")
        return None
    path = args.tm or default_path()
    return SQLiteMemory(path)


def _report_memory(memory) -> None:
    if memory is not None:
        _err(f"tm: {memory.path}: {memory.hits} segment(s) reused")


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="translate and write XLIFF or PO for post-editing in a CAT tool")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders")
    p.add_argument("--to", default="xliff", choices=["xliff", "xliff2", "po"],
                   help="xliff (1.2, default: every CAT tool reads it), xliff2 (2.1) or po")
    p.add_argument("-o", "--output", metavar="OUTDIR", help="write the files here (mirroring folders)")
    p.add_argument("--mt-as", default="target", choices=["target", "match"],
                   help="target (default): the machine translation fills the target, to post-edit; "
                        "match: it is only offered as a match (<alt-trans>, <mtc:match>, a PO comment) and "
                        "the target is left empty, so the CAT tool shows the Indonesian to translate")
    _add_engine_options(p)
    p.add_argument("--format", default="auto", help="auto (by extension), text, markdown, html or docx")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    _add_tm_options(p, default_on=True)
    p.add_argument("--fuzzy-threshold", type=float, default=None, metavar="N",
                   help="offer memory matches at least this similar, 0-100 (default: 75)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from .exchange.export import export_files
    from .memory_store import DEFAULT_FUZZY_THRESHOLD

    engine = _engine_from_args(args)
    glossary = _run_glossary(args)
    localizer = _settings(args).localizer()
    engine.load()
    memory = _memory_from_args(args, engine)
    threshold = DEFAULT_FUZZY_THRESHOLD if args.fuzzy_threshold is None else args.fuzzy_threshold
    report = export_files(args.inputs, engine, args.to, args.output, args.format, args.overwrite, glossary,
                          localizer, memory, threshold if memory is not None else None,
                          _progress_factory(args.quiet), args.mt_as)
    for result in report.results:
        if result.error:
            _err(f"error: {result.error}")
        elif not args.quiet:
            _err(f"{result.source} -> {result.output} ({result.units} units, {result.from_memory} from the "
                 f"memory, {result.fuzzy} with fuzzy matches)")
    _report_memory(memory)
    _err(f"signature: {report.signature}")
    if report.failures:
        return max(r.error.exit_code for r in report.failures if r.error is not None)
    if not report.results:
        _err("error: no input files found")
        return 2
    return 0


def _add_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="apply a post-edited XLIFF or PO: write the document in its format")
    p.add_argument("files", nargs="+", metavar="FILE", help=".xlf/.xliff or .po files written by export")
    p.add_argument("-o", "--output", metavar="OUT", help="file or folder (default: beside the original)")
    p.add_argument("--source", metavar="FILE", help="the original, if not where the export recorded it")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    _add_tm_options(p, default_on=True)
    p.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from .exchange.importer import ImportProblems, import_file

    memory = _memory_from_args(args)
    failed: list[TranslateError] = []
    for file in args.files:
        try:
            result = import_file(file, args.source, args.output, args.overwrite, memory)
        except ImportProblems as error:
            _err(f"error: {error}")
            for problem in error.problems:
                _err(f"  {file}:{problem}")
            failed.append(error)
            continue
        except TranslateError as error:
            _err(f"error: {error}")
            failed.append(error)
            continue
        counts = result.counts
        _err(f"{file} -> {result.output}: {counts['edited']} edited, {counts['confirmed']} confirmed, "
             f"{counts['untouched']} untouched and {counts['empty']} empty (machine translation kept), "
             f"{counts['copied']} without words; {result.stored} post-edit(s) stored")
    if memory is not None:
        _err(f"tm: {memory.path}")
    return max((e.exit_code for e in failed), default=0)


def _add_tm(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tm", help="translation memory: stats, TMX export and import")
    tsub = p.add_subparsers(dest="tm_command", required=True, metavar="ACTION")
    stats = tsub.add_parser("stats", help="how many entries, by origin and language pair")
    export = tsub.add_parser("export", help="write the memory as TMX 1.4")
    export.add_argument("file", metavar="FILE.tmx")
    export.add_argument("--overwrite", action="store_true", help="replace an existing file")
    imp = tsub.add_parser("import", help="add a TMX file's units (Indonesian source) as approved entries")
    imp.add_argument("file", metavar="FILE.tmx")
    imp.add_argument("--target-lang", metavar="LANG",
                     help="file the entries under this language (e.g. en-US, what export and run use)")
    for action, handler in ((stats, cmd_tm_stats), (export, cmd_tm_export), (imp, cmd_tm_import)):
        action.add_argument("--tm", metavar="FILE", help="memory file (default: $TRANSLATE_TM or the user's)")
        action.set_defaults(handler=handler, no_tm=False)


def cmd_tm_stats(args: argparse.Namespace) -> int:
    memory = _memory_from_args(args)
    stats = memory.stats()
    print(f"memory: {memory.path}")
    print(f"entries: {stats.entries} ({stats.approved} approved)")
    for origin, count in stats.by_origin.items():
        print(f"  {origin:10} {count}")
    for pair, count in stats.by_pair.items():
        print(f"  {pair:10} {count}")
    return 0


def cmd_tm_export(args: argparse.Namespace) -> int:
    from .exchange.tmx import write_tmx
    from .textio import write_atomic

    memory = _memory_from_args(args)
    write_atomic(args.file, write_tmx(memory.entries()), overwrite=args.overwrite)
    _err(f"wrote {args.file} ({memory.stats().entries} entries from {memory.path})")
    return 0


def cmd_tm_import(args: argparse.Namespace) -> int:
    from .exchange.tmx import read_tmx
    from .textio import read_bytes

    memory = _memory_from_args(args)
    result = read_tmx(read_bytes(args.file), args.file, args.target_lang)
    memory.store(result.entries)
    for skipped in result.skipped:
        _err(f"skipped {args.file}:{skipped}")
    _err(f"imported {len(result.entries)} unit(s) into {memory.path}; skipped {len(result.skipped)}")
    return 0


def _err(message: str) -> None:
    print(message, file=sys.stderr)


class _StderrHandler(logging.Handler):
    """The library's log records (``translate.*``) as plain lines on the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        _err(self.format(record))


def _show_library_log(quiet: bool) -> None:
    """Library code never prints: it logs, and the CLI shows INFO records (WARNING with -q)."""
    logger = logging.getLogger("translate")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_StderrHandler())
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    from .interrupt import exit_now, release_held

    code = _main(argv)
    if argv is None and code == 130:  # this process's own command, stopped: leave now (interrupt.exit_now)
        exit_now(code)
    release_held()
    return code


def _main(argv: Sequence[str] | None) -> int:
    from .interrupt import sigterm_interrupts

    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv_ = list(argv) if argv is not None else sys.argv[1:]
    _show_library_log(bool(getattr(args, "quiet", False)))
    try:
        # SIGTERM (docker stop, systemd) unwinds like Ctrl-C: exit 130, no temporary file left.
        # `serve` is left to uvicorn, which shuts the server down gracefully on it.
        with sigterm_interrupts(args.command != "serve"):
            return args.handler(args)
    except TranslateError as error:
        if args.debug:
            raise
        _err(f"error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        _err("interrupted: files already written are complete; no partial file was left")
        sys.stderr.flush()
        return 130
    except BrokenPipeError:  # `translate segment FILE | head`: the reader has gone, so stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if argv is None:  # this process's own command: its work is over
            from .interrupt import die_on_signals

            die_on_signals()
