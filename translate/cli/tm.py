"""``--tm`` / ``--no-tm``: the translation memory a command uses, and its one-line report."""

from __future__ import annotations

import argparse

from .output import _err


def _add_tm_options(p: argparse.ArgumentParser, default_on: bool) -> None:
    """--tm / --no-tm: which translation memory a command uses (see translate.memory_store)."""
    default = ("default: $TRANSLATE_TM, else memory.sqlite in the user data folder" if default_on
               else "default: none, or $TRANSLATE_TM when set")
    p.add_argument("--tm", metavar="FILE", help=f"translation memory (SQLite) to reuse and fill ({default})")
    p.add_argument("--no-tm", action="store_true", help="use no translation memory")


def _memory_from_args(args: argparse.Namespace, engine=None, default_on: bool = True):
    """The SQLite memory --tm/--no-tm/$TRANSLATE_TM ask for; None for none (or for copy/pseudo runs)."""
    import os

    from ..memory_store import ENV_VAR, SQLiteMemory, default_path

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
