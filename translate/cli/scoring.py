"""``translate score``, ``compare`` and ``eval``: scoring translations against references."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from .options import _add_engine_options, _engine_from_args, _run_glossary, _settings
from .output import _err, _open_run_log, _progress_factory


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


def cmd_score(args: argparse.Namespace) -> int:
    from ..errors import ScoreError
    from ..evaluate.scoring import check_bootstrap, score_terms
    from ..evaluate.tables import term_line

    if not args.reference and not args.glossary and not args.post_edited:
        raise ScoreError("nothing to score against", hint="give a reference REF, or --glossary with --source")
    if args.glossary and not args.source:
        raise ScoreError("--glossary needs --source", hint="term success compares source terms with output")
    check_bootstrap(args.bootstrap)
    if args.post_edited:
        return _score_post_edit(args)
    if args.reference:
        from ..evaluate.html_report import check_html_target, write_evaluation_page
        from ..evaluate.inputs import pair_inputs
        from ..evaluate.scoring import evaluate_pairs
        from ..evaluate.tables import evaluation_lines
        from ..glossary import load_glossary

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
    from ..errors import ScoreError
    from ..evaluate.html_report import check_html_target, write_post_edit_page
    from ..evaluate.post_edit import post_edit_effort
    from ..evaluate.tables import post_edit_lines

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
    from ..evaluate.compare import compare_files
    from ..evaluate.html_report import check_html_target, write_comparison_page
    from ..evaluate.tables import comparison_markdown, comparison_table

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

    from ..errors import ScoreError
    from ..evaluate.corpus import build_ntrex, check_report_target, evaluate_corpus, find_corpus_pairs
    from ..evaluate.scoring import check_bootstrap

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
    from ..evaluate.tables import evaluation_lines

    print("\n".join(evaluation_lines(result.evaluation)))
    _err(f"signature: {result.signature}")
    _err(f"wrote {result.json_path} and {result.html_path}")
    return 0
