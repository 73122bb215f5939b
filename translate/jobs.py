"""Planning a run: which files are sources and where each output goes (the first stage).

Nothing here reads a file's contents: a plan can be made on a driver and its
jobs handed to workers (a Ray task, a service job).

``-`` stands for the standard streams: ``translate run - --format text``
reads standard input and writes standard output (``-o -`` writes one file's
translation there), for pipes and CMS hooks.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, OutputError, TranslateError
from .formats import EXTENSIONS

SOURCE_TAG = "id"
TARGET_TAG = "en"
#: An input or output of ``-``: standard input or standard output.
STDIO = "-"


def is_stdio(path: str | Path | None) -> bool:
    """Whether ``path`` is ``-``, the standard stream (a file named so is ``./-``)."""
    return path is not None and str(path) == STDIO


def target_name(path: Path) -> str:
    """``berita.id.md`` → ``berita.en.md``; ``berita.md`` → ``berita.en.md``."""
    name = path.name
    tagged = re.sub(rf"\.{SOURCE_TAG}(\.[^.]+)$", rf".{TARGET_TAG}\1", name)
    if tagged != name:
        return tagged
    return f"{path.stem}.{TARGET_TAG}{path.suffix}"


def is_source_file(path: Path) -> bool:
    """Files tagged with the source language (``berita.id.md``)."""
    return f".{SOURCE_TAG}." in path.name


def is_target_file(path: Path) -> bool:
    """Files already tagged with the target language (references, earlier outputs)."""
    return f".{TARGET_TAG}." in path.name


@dataclass
class Job:
    source: Path
    output: Path


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    errors: list[TranslateError] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def plan_jobs(inputs: Iterable[str | Path], outdir: str | Path | None = None, fmt: str = "auto") -> Plan:
    """Which files to translate and where each output goes.

    A folder is walked recursively: files with a known extension are taken,
    files already tagged ``.en.`` and hidden files are skipped; when some files
    in the folder are tagged ``.id.``, only those are taken (a corpus folder's
    English README or notes are not sources).  Outputs go beside their inputs,
    or mirrored under ``outdir``.  When ``outdir`` is a subfolder of the folder
    walked, the files in it (earlier outputs) are not inputs; when it is that
    folder itself, outputs go beside their inputs.
    """
    plan = Plan()
    to_stdout = is_stdio(outdir)
    out_root = Path(outdir) if outdir and not to_stdout else None
    for item in inputs:
        path = Path(item)
        if is_stdio(path) and not is_stdio(item):
            path = path.absolute()  # a file named "-", given as ./-: never the standard stream
        if is_stdio(item):
            plan.jobs.append(Job(Path(STDIO), Path(STDIO)))
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            outputs_inside = out_root is not None and _inside(out_root, path) and not _same(out_root, path)
            tagged_only = any(is_source_file(f) for f in files)
            for file in files:
                relative = file.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or is_target_file(file):
                    continue
                if tagged_only and not is_source_file(file):
                    continue
                if outputs_inside and out_root is not None and _inside(file, out_root):
                    continue
                if fmt == "auto" and file.suffix.lower() not in EXTENSIONS:
                    plan.skipped.append(file)
                    continue
                parent = (out_root / relative.parent) if out_root else file.parent
                plan.jobs.append(Job(file, parent / target_name(file)))
        else:
            parent = out_root if out_root else path.parent
            plan.jobs.append(Job(path, Path(STDIO) if to_stdout else parent / target_name(path)))
    return plan


def check_standard_streams(inputs: Iterable[str | Path], outdir: str | Path | None, fmt: str) -> None:
    """Refuse, before any work, what cannot go through the standard streams.

    Standard input is read once, has no name to detect its format from, and
    its translation goes to standard output; standard output holds one document.
    """
    inputs = [str(item) for item in inputs]
    if STDIO in inputs:
        if len(inputs) > 1:
            raise InputError("standard input (-) is translated on its own",
                             hint="give - as the only input, or give files and folders without it")
        if fmt == "auto":
            raise InputError("standard input (-) has no file name to tell its format by",
                             hint="give --format text, markdown, html or docx")
        if outdir is not None and not is_stdio(outdir):
            raise InputError("the translation of standard input (-) goes to standard output",
                             hint="leave out -o, or give -o -")
    if is_stdio(outdir) and (len(inputs) != 1 or Path(inputs[0]).is_dir()):
        raise InputError("-o - writes one document to standard output",
                         hint="give one file (or -), or an output folder for several")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except OSError:
        return False


def check_output_folder(outdir: str | Path | None) -> None:
    """Refuse an ``-o`` that can never hold outputs, with what it is, before any work.

    Creating folders under a file, a dangling symbolic link or a link loop fails
    with "File exists", which names neither the cause nor the path.
    """
    if outdir is None or is_stdio(outdir):
        return
    path = Path(outdir)
    if path.is_symlink() and not path.exists():
        try:
            os.stat(path)
            loop = False
        except OSError as error:
            loop = error.errno == errno.ELOOP
        raise OutputError("the output folder is a symbolic link loop" if loop
                          else "the output folder is a symbolic link to nothing (its target is missing)",
                          path=str(path), hint="fix or remove the link, or give another folder")
    if path.exists() and not path.is_dir():
        raise OutputError("the output folder is a file", path=str(path),
                          hint="-o names a folder: give a new or existing folder")
