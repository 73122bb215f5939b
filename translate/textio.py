"""Reading and writing files safely: size limit, encodings, binary detection, atomic writes."""

from __future__ import annotations

import codecs
import errno
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError, OutputError, quote_name

#: Largest input accepted, in bytes.  A news article is 5-50 KB; 20 MB is a
#: book-sized file, far beyond any article, and small enough to hold in memory
#: several times over while it is translated.
MAX_INPUT_BYTES = 20 * 1024 * 1024

UTF8_BOM = codecs.BOM_UTF8


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The file's bytes, or an :class:`InputError` saying why they can't be had.

    Only a regular file is read: a FIFO, a device (a link to ``/dev/zero`` or
    ``/dev/urandom``) or a socket would never end or fill memory, whatever its
    size says.  The file is opened without blocking (a FIFO waits for a writer
    otherwise), checked on the open descriptor (no race with a rename), and read
    up to ``limit + 1`` bytes, so a file that grows while it is read is still refused.
    """
    path = Path(path)
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        descriptor = _open_input(path)
        with os.fdopen(descriptor, "rb") as handle:
            mode = os.fstat(descriptor).st_mode
            if stat.S_ISDIR(mode):
                raise InputError("is a folder, not a file", path=str(path))
            if not stat.S_ISREG(mode):
                raise InputError(f"is {_file_kind(mode)}, not a regular file", path=str(path),
                                 hint="give a file saved on disk")
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied: cannot read the file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", path=str(path)) from None
    if len(data) > limit:
        size = _size(path)
        what = f"file is {size:,} bytes, over" if size > limit else "file grew while it was read, past"
        raise InputError(f"{what} the {limit:,}-byte limit", path=str(path),
                         hint="split it into smaller files")
    return data


def _open_input(path: Path) -> int:
    """A read-only descriptor; O_NONBLOCK so that opening a FIFO returns at once (regular files ignore it)."""
    return os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    return next((name for test, name in kinds if test(mode)), "a special file")


def refuse_binary(data: bytes, name: str) -> None:
    """Binary data (a NUL byte, which no text file holds) is an error naming its offset."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError("looks like a binary file (NUL byte), not text", path=name, where=f"byte {nul}",
                         hint="give a UTF-8 text file")


def decode_text(data: bytes, name: str) -> tuple[str, bool]:
    """Decode UTF-8 text; returns the text and whether it started with a BOM.

    Binary data (a NUL byte) and invalid UTF-8 are errors that name the byte
    offset, so the user can find the place with a hex viewer.
    """
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM):] if bom else data
    refuse_binary(data, name)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if bom else 0)
        line = body[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8: byte 0x{body[error.start]:02x} at byte offset {offset} (line {line})",
            path=name,
            hint="convert the file to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8",
        ) from None
    return text, bom


def encode_text(text: str, bom: bool) -> bytes:
    return (UTF8_BOM if bom else b"") + text.encode("utf-8")


def refuse_existing(path: Path, overwrite: bool) -> None:
    """Existing outputs are never replaced unless the user said so; a folder never is."""
    if path.is_dir():
        raise OutputError("the output path is a folder", path=str(path),
                          hint="move the folder away, or write elsewhere with -o")
    if path.exists() and not overwrite:
        raise OutputError("output exists", path=str(path),
                          hint="pass --overwrite to replace it, or --skip-existing to keep it")


def write_atomic(path: str | Path, data: bytes, overwrite: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    An interrupted run therefore never leaves a half-written file: either the
    old state or the complete new file is there.  A failure (disk full, a folder
    in the way) is an :class:`OutputError` naming the output, and the temporary
    file is removed.  A new file gets the permissions the umask gives (``-rw-r--r--``
    under the usual 022, so a web server or CMS account can read it); a replaced
    file keeps its mode.
    """
    path = Path(path)
    refuse_existing(path, overwrite)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(path)
    except OSError as error:
        raise OutputError(f"cannot write here: {_reason(error, path.parent)}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _keep_mode(handle.fileno(), path)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write the output: {_reason(error, path)}", path=str(path),
                          hint="free some disk space and run again with --skip-existing"
                          if error.errno in (errno.ENOSPC, errno.EDQUOT) else None) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new, empty ``.NAME.XXXXXXXX.part`` beside ``path``, created with mode 0666 less the umask.

    ``tempfile.mkstemp`` creates 0600 whatever the umask: every output would be
    readable by its owner only.  Asking ``open`` for 0666 lets the kernel apply
    the umask (and a folder's default ACL), as for any file a program writes;
    reading the umask instead would need ``os.umask``, which is not thread-safe.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.part")


def remove_stale_temporaries(outputs: Iterable[Path], before: float) -> int:
    """Remove the ``.NAME.XXXXXXXX.part`` files an earlier run left beside ``outputs``; returns how many.

    :func:`write_atomic` removes its temporary file on any error, but a run
    killed with SIGKILL (or a power cut) cannot: its temporary file stays, hidden
    beside the output.  Only files named for one of ``outputs`` and last written
    before ``before`` (the run's start) are removed: a run that writes the same
    outputs at the same time is a conflict anyway, and loses at most that file
    (its rename fails, a clean error).  Each folder is listed once.
    """
    folders: dict[Path, set[str]] = {}
    for output in outputs:
        folders.setdefault(output.parent, set()).add(output.name)
    removed = 0
    for folder, names in folders.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # not there yet (a new output folder) or not listable: nothing of ours in it
        for entry in entries:
            match = _TEMPORARY.fullmatch(entry.name)
            if match is None or match["name"] not in names:
                continue
            try:
                stale = entry.stat(follow_symlinks=False).st_mtime < before
                if entry.is_file(follow_symlinks=False) and stale:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # gone meanwhile, or not ours to remove: left as it is
    return removed


def _keep_mode(descriptor: int, path: Path) -> None:
    """An existing output's permissions go to its replacement (an owner's chmod stays)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode):
        os.fchmod(descriptor, stat.S_IMODE(mode))


def read_stdin(limit: int | None = None) -> bytes:
    """Standard input's bytes, at most ``limit`` (read: ``limit + 1`` bytes, no more)."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except OSError as error:
        raise InputError(f"cannot read standard input: {error.strerror or error}", path="-") from None
    if len(data) > limit:
        raise InputError(f"standard input is over the {limit:,}-byte limit", path="-",
                         hint="split it into smaller documents")
    return data


def write_stdout(data: bytes) -> None:
    """A document to standard output, flushed (progress and messages go to standard error)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _reason(error: OSError, path: Path) -> str:
    """What went wrong, in words: the strerror, and for "File exists" which path is in the way."""
    if isinstance(error, FileExistsError) or error.errno == errno.ENOTDIR:
        blocker = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{quote_name(str(blocker))} is a file, not a folder"
    if isinstance(error, IsADirectoryError):
        return "the output path is a folder"
    return error.strerror or str(error)
