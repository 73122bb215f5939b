"""``translate serve``: the command line of the service (the server and its tokens).

Kept out of :mod:`translate.cli` so the CLI only registers it; the web
framework is imported when the server starts, not when ``translate --help`` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from ..memory_store import DEFAULT_FUZZY_THRESHOLD
from .tm import FILE_NAME

DEFAULT_DATA = "translate-data"


def add_serve_command(sub: argparse._SubParsersAction,
                      add_engine_options: Callable[[argparse.ArgumentParser], None],
                      settings_from_args: Callable[[argparse.Namespace], Any],
                      glossary_from_args: Callable[[argparse.Namespace], Any]) -> None:
    """Register ``serve`` and ``serve token create|revoke|list`` on the CLI's subcommands."""
    p = sub.add_parser("serve", help="run the HTTP service and the browser editor (engine loaded once)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument("--data", default=DEFAULT_DATA, metavar="DIR",
                   help="folder of the service's database (default: ./%(default)s)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="job worker threads (default: one per core)")
    p.add_argument("--max-upload-mb", type=float, default=10, metavar="MB", help="upload limit (default: 10)")
    p.add_argument("--max-segments", type=int, default=5000, metavar="N",
                   help="segments one document may have (default: %(default)s)")
    add_engine_options(p)
    p.add_argument("--tm", metavar="FILE",
                   help="translation memory (SQLite) to reuse and fill, shared with `translate run --tm` "
                        f"(default: $TRANSLATE_TM, else DIR/{FILE_NAME} in --data)")
    p.add_argument("--no-tm", action="store_true", help="use no translation memory")
    p.add_argument("--fuzzy-threshold", type=float, default=DEFAULT_FUZZY_THRESHOLD, metavar="N",
                   help="offer memory matches at least this similar, 0-100 (default: %(default)s)")
    p.add_argument("--qa-checks", action="append", metavar="LIST",
                   help="only these QA checks on each segment (as for qa --checks)")
    p.add_argument("--qa-skip", action="append", metavar="LIST", help="leave out these QA checks")
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    p.set_defaults(handler=lambda args: cmd_serve(args, settings_from_args, glossary_from_args))

    tsub = p.add_subparsers(dest="serve_command", metavar="ACTION")
    token = tsub.add_parser("token", help="create, revoke or list API tokens")
    actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    for name, help_text in (("create", "create a token and print it (shown once)"),
                            ("revoke", "revoke a token: its requests get 401 from now on")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("name", metavar="NAME")
        _data_option(action)
        action.set_defaults(handler=cmd_token)
    listing = actions.add_parser("list", help="list tokens (names and dates, never the secrets)")
    _data_option(listing)
    listing.set_defaults(handler=cmd_token)


def _data_option(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: ``serve --data DIR token create X`` keeps DIR instead of this parser's default.
    p.add_argument("--data", default=argparse.SUPPRESS, metavar="DIR",
                   help=f"the service's data folder (default: ./{DEFAULT_DATA})")


def cmd_token(args: argparse.Namespace) -> int:
    from .store import Store

    store = Store.in_folder(args.data)
    try:
        if args.token_command == "create":
            try:
                secret = store.create_token(args.name)
            except ValueError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            print(secret)
            print(f"token {args.name!r} created; it is shown only now (stored hashed)", file=sys.stderr)
            return 0
        if args.token_command == "revoke":
            if store.revoke_token(args.name):
                print(f"token {args.name!r} revoked", file=sys.stderr)
                return 0
            print(f"error: no live token named {args.name!r}", file=sys.stderr)
            return 2
        for token in store.tokens():
            state = f"revoked {_date(token.revoked)}" if token.revoked else "live"
            print(f"{token.name}\tcreated {_date(token.created)}\t{state}")
        return 0
    finally:
        store.close()


def _date(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp or 0))


def build_service(args: argparse.Namespace, settings_from_args: Callable[[argparse.Namespace], Any],
                  glossary_from_args: Callable[[argparse.Namespace], Any]):
    """The service ``serve``'s options describe, its model loaded: the same Settings and memory as ``run``.

    The engine, glossary and localizer come from the run's
    :class:`~translate.settings.Settings` (settings files, then the options), and
    with the translation memory they make the service's one
    :class:`~translate.pipeline.Translator`.
    """
    from ..pipeline import Translator
    from ..qa import parse_names, select_checks
    from .app import Limits, Service
    from .store import Store
    from .tm import ThreadedMemory, memory_path
    from .work import Workbench

    settings = settings_from_args(args)
    engine = settings.create_engine()
    checks = select_checks(parse_names(args.qa_checks), parse_names(args.qa_skip))
    memory = None
    if not args.no_tm:
        if engine.translates:
            memory = ThreadedMemory(memory_path(args.tm, args.data))
        else:
            print(f"note: no translation memory with engine {engine.name!r} "
                  "(its output is not a translation)", file=sys.stderr)
    translator = Translator(engine, glossary_from_args(args), settings.localizer(), memory)
    workbench = Workbench(translator, checks, args.fuzzy_threshold)
    workbench.load()  # a model problem is one error line here, before the port opens
    store = Store.in_folder(args.data)
    limits = Limits(upload_bytes=int(args.max_upload_mb * 1024 * 1024), segments=args.max_segments)
    return Service(store, workbench, limits, **({"workers": args.workers} if args.workers else {}))


def cmd_serve(args: argparse.Namespace, settings_from_args: Callable[[argparse.Namespace], Any],
              glossary_from_args: Callable[[argparse.Namespace], Any]) -> int:
    import uvicorn

    from .app import create_app

    service = build_service(args, settings_from_args, glossary_from_args)
    if not any(token.revoked is None for token in service.store.tokens()):
        print(f"note: no live token: create one with `translate serve token create NAME --data {args.data}`",
              file=sys.stderr)
    memory = service.workbench.memory
    print(f"serving {service.workbench.signature()} on http://{args.host}:{args.port}/ (data: {args.data}; "
          f"translation memory: {memory.path if memory is not None else 'none'})", file=sys.stderr)
    uvicorn.run(create_app(service), host=args.host, port=args.port,
                log_level="warning" if args.quiet else "info")
    return 0
