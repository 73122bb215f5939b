"""What made each output: a sidecar manifest beside the outputs, so a resumed run notices changes.

``--skip-existing`` once kept any output that existed, even one whose source
had been corrected since or that an ``--engine pseudo`` run had written.  Now
every output a run writes gets one JSON line in ``.translate-manifest.jsonl``
in the output's folder: the output's name, its source (path and sha256), the
output's own sha256 and the run signature (engine, model, glossary, locale).
The file is hidden, so a folder run never takes it for an input, and nothing is
ever added to the user's document.  Lines are appended with one ``write`` on
an ``O_APPEND`` descriptor and synced, so concurrent runs and a crash leave at
worst a torn last line, which reading skips; the latest line for a name wins.

:func:`resume_decision` says what ``--skip-existing`` does with an existing
output: keep it when its source and settings are unchanged, translate it again
when either changed.  An output that is not what the run wrote (edited since,
by a post-editor) or that no run recorded (a reference translation, a
hand-made file, an output of a version before manifests) is kept, with a
reason the CLI shows: replacing it would lose someone's work.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

MANIFEST_NAME = ".translate-manifest.jsonl"

#: Why an existing output is translated again (``keep`` False) or kept.
UNCHANGED = "unchanged"
SOURCE_CHANGED = "source changed"
SETTINGS_CHANGED = "settings changed"
NOT_RECORDED = "not recorded"
EDITED = "changed since it was written"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class OutputRecord:
    """One written output: what it was made from and with (one manifest line)."""

    output: str  # the output's file name (the manifest sits in its folder)
    source: str  # the source path as the run was given it
    source_sha256: str
    output_sha256: str
    signature: str
    written: str = ""  # UTC, ISO 8601

    @classmethod
    def now(cls, output: Path, source: Path, source_sha256: str, output_sha256: str,
            signature: str) -> OutputRecord:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cls(output.name, str(source), source_sha256, output_sha256, signature, stamp)


def manifest_path(output: Path) -> Path:
    return output.parent / MANIFEST_NAME


def append_record(output: Path, record: OutputRecord) -> None:
    """Add ``record`` to the manifest of ``output``'s folder (created as the umask allows)."""
    line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(manifest_path(output), flags, 0o666)
    try:
        view = memoryview(line)
        while view:  # one write in practice; a short write (disk nearly full) continues the line
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_records(folder: Path) -> dict[str, OutputRecord]:
    """The latest record of every output in ``folder``'s manifest (none when there is no manifest)."""
    try:
        raw = (folder / MANIFEST_NAME).read_bytes()
    except OSError:
        return {}
    names = {f.name for f in fields(OutputRecord)}
    records: dict[str, OutputRecord] = {}
    for line in raw.splitlines():
        try:
            values = json.loads(line)
            record = OutputRecord(**{k: str(v) for k, v in values.items() if k in names})
        except (ValueError, TypeError, AttributeError):
            continue  # a torn line (a crash while appending) or someone's edit: not a record
        records[record.output] = record
    return records


@dataclass(frozen=True)
class Resume:
    """What ``--skip-existing`` does with an existing output, and why."""

    keep: bool
    reason: str
    detail: str = ""  # e.g. for an edited output whose source changed too


class ManifestCache:
    """Manifests read once per folder during a run."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, OutputRecord]] = {}

    def record_for(self, output: Path) -> OutputRecord | None:
        folder = output.parent
        if folder not in self._folders:
            self._folders[folder] = read_records(folder)
        return self._folders[folder].get(output.name)


def resume_decision(record: OutputRecord | None, output_sha256: str, source_sha256: str,
                    signature: str) -> Resume:
    """Keep an output only when it is the one recorded and its source and settings are unchanged."""
    if record is None:
        return Resume(True, NOT_RECORDED)
    if record.output_sha256 != output_sha256:
        changed = record.source_sha256 != source_sha256
        return Resume(True, EDITED, "its source changed too" if changed else "")
    if record.source_sha256 != source_sha256:
        return Resume(False, SOURCE_CHANGED)
    if record.signature != signature:
        return Resume(False, SETTINGS_CHANGED)
    return Resume(True, UNCHANGED)
