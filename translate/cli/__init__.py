"""Command line: a thin layer over the Python API; no logic lives only here.

Errors become one readable line each and an exit code (``--debug`` shows the
traceback instead). This module builds the parser and runs a command; each
command lives in its own module: :mod:`.run`, :mod:`.scoring` (score, compare,
eval), :mod:`.exchange` (export, import, tm), :mod:`.tools` (segment, qa,
glossary, model, serve), with the shared options in :mod:`.options` and
:mod:`.tm`, stderr output in :mod:`.output` and the exit-code table in
:mod:`.exit_codes`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import TranslateError
from .exchange import _add_export, _add_import, _add_tm
from .exit_codes import EXIT_CODES
from .options import _engine_from_args, _run_glossary, _settings
from .output import _err, _show_library_log
from .run import _add_run
from .scoring import _add_compare, _add_eval, _add_score
from .tools import _add_glossary, _add_model, _add_qa, _add_segment, _add_serve

__all__ = ["EXIT_CODES", "_engine_from_args", "_run_glossary", "_settings", "build_parser", "main"]


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


def main(argv: Sequence[str] | None = None) -> int:
    from ..interrupt import exit_now, release_held

    code = _main(argv)
    if argv is None and code == 130:  # this process's own command, stopped: leave now (interrupt.exit_now)
        exit_now(code)
    release_held()
    return code


def _main(argv: Sequence[str] | None) -> int:
    from ..interrupt import sigterm_interrupts

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
            from ..interrupt import die_on_signals

            die_on_signals()
