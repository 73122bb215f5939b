"""``translate export``, ``import`` and ``tm``: XLIFF/PO round trips and the translation memory."""

from __future__ import annotations

import argparse

from ..errors import TranslateError
from .options import _add_engine_options, _engine_from_args, _run_glossary, _settings
from .output import _err, _progress_factory
from .tm import _add_tm_options, _memory_from_args, _report_memory


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
    from ..exchange.export import export_files
    from ..memory_store import DEFAULT_FUZZY_THRESHOLD

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
    from ..exchange.importer import ImportProblems, import_file

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
    from ..exchange.tmx import write_tmx
    from ..textio import write_atomic

    memory = _memory_from_args(args)
    write_atomic(args.file, write_tmx(memory.entries()), overwrite=args.overwrite)
    _err(f"wrote {args.file} ({memory.stats().entries} entries from {memory.path})")
    return 0


def cmd_tm_import(args: argparse.Namespace) -> int:
    from ..exchange.tmx import read_tmx
    from ..textio import read_bytes

    memory = _memory_from_args(args)
    result = read_tmx(read_bytes(args.file), args.file, args.target_lang)
    memory.store(result.entries)
    for skipped in result.skipped:
        _err(f"skipped {args.file}:{skipped}")
    _err(f"imported {len(result.entries)} unit(s) into {memory.path}; skipped {len(result.skipped)}")
    return 0
