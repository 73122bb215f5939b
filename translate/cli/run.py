"""``translate run``: translate files or folders, locally or on Ray, and summarise the run."""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from .exit_codes import EXIT_CODES
from .options import _add_engine_options, _engine_from_args, _run_glossary, _settings
from .output import _err, _first_few, _name, _open_run_log, _progress_factory
from .tm import _add_tm_options, _memory_from_args, _report_memory


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


def cmd_run(args: argparse.Namespace) -> int:
    from ..interrupt import StopRequest, graceful_signals
    from ..jobs import check_standard_streams
    from ..pipeline import check_output_folder, run

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
    from ..qa import parse_names, select_checks

    checks = select_checks(parse_names(args.qa_checks), parse_names(args.qa_skip))
    memory = _memory_from_args(args, engine, default_on=False)
    stop = StopRequest()
    try:
        if args.ray is not None:  # Ray handles Ctrl-C on the driver itself: the run stops, written files stay
            report = _run_on_ray(args, engine, glossary, localizer, checks, memory, log)
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
            from ..glossary import write_terms_report

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

    from ..manifest import EDITED, MANIFEST_NAME, NOT_RECORDED

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


def _run_on_ray(args: argparse.Namespace, engine, glossary, localizer, checks, memory, log=None):
    """``run --ray``: the run on a Ray cluster (translate.cluster), with a progress bar of documents."""
    from pathlib import Path

    from ..cluster import MANIFEST_NAME, ClusterError, RayOptions, run_on_ray

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
                        None if args.quiet else progress, memory, log)
    for bar in bars:
        bar.close()
    _err(f"manifest: {_name(report.manifest)}")
    return report


def _known_extensions() -> str:
    from ..formats import EXTENSIONS

    return " ".join(sorted(EXTENSIONS))


def _report_qa(args: argparse.Namespace, report, engine) -> None:
    """One summary line of the QA findings, and --qa-report."""
    from ..qa import summary_line, write_qa_report

    if args.qa_report:
        write_qa_report(args.qa_report, report.qa, report.qa_documents, title=f"QA of a {engine.name} run")
    if report.qa or not args.quiet:
        _err(summary_line(report.qa))
