"""Options shared by commands (engine, glossary, settings) and the engine and glossary they build."""

from __future__ import annotations

import argparse

from .output import _err, _name

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
    from ..settings import ENGINE_OPTIONS, load_settings

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
    from ..interrupt import hold_until_exit

    engine = _settings(args).create_engine()
    hold_until_exit(engine)
    return engine


def _run_glossary(args: argparse.Namespace):
    """The glossary a run uses (curated, ./glossaries/, house files; see Settings), said on stderr."""
    settings = _settings(args)
    glossary = settings.load_glossary()
    if glossary is None:
        _err("glossary: none" + (" (--no-glossary)" if not settings.use_glossary else ""))
        return None
    from ..settings import curated_glossary_dir

    curated = curated_glossary_dir()
    names = ["curated" if path == curated else _name(path) for path in settings.glossary_paths()]
    overrides = sum(1 for problem in glossary.warnings if "overrides" in problem.message)
    extra = f", {overrides} curated entr{'y' if overrides == 1 else 'ies'} overridden" if overrides else ""
    _err(f"glossary: {' + '.join(names)} ({len(glossary)} terms{extra})")
    return glossary
