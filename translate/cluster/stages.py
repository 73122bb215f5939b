"""The stages of one document that run in Ray tasks: read (with segmenting and protecting) and write.

They are the local run's own stages (:func:`translate.pipeline.read_job`,
:func:`~translate.pipeline.protect`, :func:`~translate.pipeline.render_document`,
:func:`~translate.textio.write_atomic`), so a document read or written on a
cluster node comes out byte for byte as in ``translate run``.  Each returns a
small status for the driver and, apart, the document for the next stage, so a
document goes from task to actor to task through the object store and never
through the driver.  A stage never raises: its error comes back as a
:class:`Failure`, which the driver makes the document's error.
"""

from __future__ import annotations

import hashlib
import pickle
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document
from ..errors import TranslateError
from ..jobs import Job
from ..localize import Localizer, Protection
from ..manifest import MANIFEST_NAME, OutputRecord, append_record
from ..pipeline import FileResult, protect, read_job, render_document
from ..textio import write_atomic


class RemoteTraceback(Exception):
    """A worker's traceback, as text: the cause of the exception it stands under in the incident log."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0]) if self.args else ""


@dataclass
class Failure:
    """A stage's error: a TranslateError as it is, any other exception with the worker's traceback."""

    stage: str  # reading, localizing, translating, writing: as in the local run
    error: Exception
    details: str | None = None

    def exception(self) -> Exception:
        """The error, its worker traceback attached as its cause (what the incident log prints)."""
        if self.details:
            self.error.__cause__ = RemoteTraceback(self.details)
        return self.error


def capture(stage: str, error: Exception) -> Failure:
    """``error`` made fit to travel: with its traceback as text (tracebacks do not pickle)."""
    if isinstance(error, TranslateError):
        return Failure(stage, error)
    details = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))
        kept: Exception = error
    except Exception:  # noqa: BLE001 - an exception that does not pickle travels as its text
        kept = RuntimeError(f"{type(error).__name__}: {error}")
    return Failure(stage, kept, details)


@dataclass
class Prepared:
    """A read, segmented and protected document: what an actor translates."""

    document: Document
    protections: list[Protection] = field(default_factory=list)


@dataclass
class ReadStatus:
    """What the driver learns of a read: the segments to translate, the warnings, or the failure."""

    segments: int = 0
    warnings: list[str] = field(default_factory=list)
    failure: Failure | None = None
    sha256: str = ""  # of the source's bytes, for the output's manifest record


def prepare_job(job: Job, fmt: str, overwrite: bool, localizer: Localizer | None
                ) -> tuple[ReadStatus, Prepared | None]:
    """Read, segment and protect one input, as the local run does (a Ray task; two return values)."""
    result = FileResult(job)
    try:
        document = read_job(job, fmt, overwrite, result)
    except Exception as error:  # noqa: BLE001 - one file's error, never the end of the run
        return ReadStatus(0, result.warnings, capture("reading", error)), None
    segments = sum(1 for _ in document.segments())
    try:
        protections = protect(document, localizer)
    except Exception as error:  # noqa: BLE001
        return ReadStatus(segments, result.warnings, capture("localizing", error)), None
    return ReadStatus(segments, result.warnings + document.warnings, sha256=result.sha256), Prepared(document,
                                                                                                   protections)


@dataclass
class Written:
    """What was written (for the manifest), or why not."""

    size: int = 0
    sha256: str = ""
    failure: Failure | None = None
    warning: str = ""  # written, but not recorded in the output folder's manifest


def write_job(document: Document | None, output: str, overwrite: bool, source: str = "",
              source_sha256: str = "", signature: str = "") -> Written | None:
    """Render and write a translated document atomically (a Ray task); None when it was not translated.

    The output gets its line in the folder's :mod:`translate.manifest`, as a local
    run writes it, so ``--skip-existing`` (here or locally) knows what made it.
    """
    if document is None:
        return None
    try:
        data = render_document(document)
        write_atomic(Path(output), data, overwrite=overwrite)
    except Exception as error:  # noqa: BLE001
        return Written(failure=capture("writing", error))
    written = Written(len(data), hashlib.sha256(data).hexdigest())
    try:
        record = OutputRecord.now(Path(output), Path(source), source_sha256, written.sha256, signature)
        append_record(Path(output), record)
    except OSError as error:
        written.warning = (f"not recorded in {MANIFEST_NAME} ({error.strerror or error}): "
                           "--skip-existing will keep this output whatever changes")
    return written
