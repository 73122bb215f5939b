"""The driver's loop: documents fed through read task → actor → write task, and accounted for.

Each actor is fed whole documents until it holds about two rounds of its
engine's batches (or a few documents), so it never waits for the driver
between documents; the least-loaded live actor gets the next one.  Reads run
ahead of the actors by a few documents.  The driver waits only on small
statuses (a read's segment count, a translation's timings, a write's size and
hash); the documents themselves go from task to actor to task through the
object store.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..errors import ModelError, TranslateError
from ..incidents import IncidentLog
from ..jobs import Job
from ..localize import Localizer
from ..manifest import ManifestCache
from ..pipeline import FileResult, fail_job, resume_decision_for
from ..runlog import FAILED, KEPT, RunObserver
from .actors import ActorInfo, Translated
from .manifest import Manifest
from .resources import ClusterError
from .results import ActorStats, ClusterProgress, ClusterReport
from .stages import Failure, ReadStatus, Written, prepare_job, write_job

log = logging.getLogger(__name__)

#: Documents queued on one actor at most (besides the segment target, see Dispatcher.room).
MAX_QUEUED_DOCUMENTS = 8
#: Seconds between progress reports; after this long without a live actor, say why the run waits.
PROGRESS_SECONDS = 0.5
WAITING_NOTE_SECONDS = 30.0
#: Seconds an interrupted run waits for its cancelled reads and writes to stop.
CANCEL_SECONDS = 10.0


@dataclass
class _Doc:
    index: int
    job: Job
    result: FileResult
    bundle: Any = None  # ObjectRef of the Prepared document
    actor: int = -1
    outcome: Any = None  # ObjectRef of Translated
    translated: Translated | None = None


class Dispatcher:
    """Feeds documents through read task → actor → write task, and accounts for them."""

    def __init__(self, ray, actors: list[Any], setup: list[Any], fill: int, fmt: str, overwrite: bool,
                 localizer: Localizer | None, report: ClusterReport, manifest: Manifest | None,
                 progress: Callable[[ClusterProgress], None] | None,
                 observer: RunObserver | None = None) -> None:
        self.ray, self.actors, self.setup, self.fill = ray, actors, setup, fill
        self.observer = observer  # --log: a line per file as it completes, as in a local run
        self.fmt, self.overwrite, self.localizer = fmt, overwrite, localizer
        self.report, self.manifest, self.progress = report, manifest, progress
        self.prepare = ray.remote(num_cpus=0, num_returns=2, scheduling_strategy="SPREAD")(prepare_job)
        self.write = ray.remote(num_cpus=0)(write_job)
        self.incidents = IncidentLog()
        self.replace: set[Any] = set()  # existing outputs --skip-existing translates again
        self.stats = [ActorStats(index) for index in range(len(actors))]
        self.live: list[int] = []
        self.queued_docs = [0] * len(actors)
        self.queued_segments = [0] * len(actors)
        self.starting = {actor.ready.remote(setup): index for index, actor in enumerate(actors)}
        self.reading: dict[Any, _Doc] = {}
        self.translating: dict[Any, _Doc] = {}
        self.writing: dict[Any, _Doc] = {}
        self.waiting: deque[_Doc] = deque()
        self.ready: deque[_Doc] = deque()
        self.documents = 0
        self.done = self.failed = self.segments = 0
        self.started = time.perf_counter()
        self.last, self.shown = 0.0, -1  # when progress was last shown, and the count it showed

    def run(self, jobs: list[Job], skip_existing: bool = False) -> None:
        self._await_first_actor()
        if skip_existing:
            jobs = self._resumed(jobs)
        docs = [_Doc(index, job, FileResult(job)) for index, job in enumerate(jobs)]
        self.report.results = [doc.result for doc in docs]
        self.waiting.extend(docs)
        self.documents = len(docs)
        if self.manifest is not None:
            self.manifest.run(self.report.signature, len(docs), len(self.report.existing))
        if self.observer is not None:
            for job in self.report.existing:
                decision = self.report.resume.get(job.output)
                reason = decision.reason if decision is not None else ""
                self.observer.file_done(FileResult(job, status=KEPT, reason=reason))
            self.observer.start(len(docs), 0, self.report.signature)  # segments: known as reads complete
        while self.waiting or self.reading or self.ready or self.translating or self.writing:
            self._feed()
            refs = [*self.starting, *self.reading, *self.translating, *self.writing]
            self.ray.wait(refs, num_returns=1, timeout=PROGRESS_SECONDS)
            done = set(self.ray.wait(refs, num_returns=len(refs), timeout=0)[0])
            for ref in [r for r in self.starting if r in done]:
                self._started(self.starting.pop(ref), ref)
            for ref in [r for r in self.reading if r in done]:
                self._read(self.reading.pop(ref), ref)
            for ref in [r for r in self.translating if r in done]:
                self._translated(self.translating.pop(ref))
            for ref in [r for r in self.writing if r in done]:
                self._written(self.writing.pop(ref), ref)
            self._show()
        self._show(final=True)
        self._collect(docs)

    def _resumed(self, jobs: list[Job]) -> list[Job]:
        """``--skip-existing`` as a local run decides it (:mod:`translate.manifest`): an existing output is
        kept when its source and the run's signature (the actors') are unchanged, else translated again."""
        manifests = ManifestCache()
        todo = []
        for job in jobs:
            if not job.output.exists():
                todo.append(job)
                continue
            try:
                decision = resume_decision_for(job, self.report.signature, manifests, FileResult(job))
            except TranslateError:  # the source cannot be read: its read task reports it
                todo.append(job)
                continue
            self.report.resume[job.output] = decision
            if decision.keep:
                self.report.existing.append(job)
            else:
                self.replace.add(job.output)
                todo.append(job)
        return todo

    # -- actors

    def _await_first_actor(self) -> None:
        """Block until one actor has loaded the engine: its signature is the run's."""
        waited = time.perf_counter()
        noted = False
        while not self.live:
            done, _ = self.ray.wait(list(self.starting), num_returns=1, timeout=PROGRESS_SECONDS)
            for ref in done:
                self._started(self.starting.pop(ref), ref)
            if not self.live and not self.starting:
                raise ClusterError("no translating actor could start", hint="see the errors above")
            if not noted and time.perf_counter() - waited > WAITING_NOTE_SECONDS:
                log.warning("ray: waiting for the cluster to place a translating actor (each asks for "
                            "what the engine's threads use; an autoscaling cluster adds nodes)")
                noted = True

    def _started(self, index: int, ref: Any) -> None:
        try:
            info: ActorInfo = self.ray.get(ref)
        except Exception as error:  # noqa: BLE001 - its worker died while loading (memory?); others may start
            log.warning("ray: actor %d could not start: %s", index, " ".join(str(error).split())[:300])
            return
        if info.failure is not None:  # every actor would fail alike: the model's error is the run's
            failure = info.failure.exception()
            if isinstance(failure, TranslateError):
                raise failure
            raise ModelError(f"the actors cannot load the engine: {type(failure).__name__}: {failure}",
                             hint="translate one file without --ray to see if the model loads") from failure
        if info.version != __version__:
            raise ClusterError(f"the workers run translate {info.version}, the driver {__version__}",
                               hint="install the same version on every node")
        if self.report.signature and info.signature != self.report.signature:
            raise ClusterError(f"actor {index} on {info.node} translates otherwise than the others: "
                               f"{info.signature} instead of {self.report.signature}",
                               hint="install the same versions of translate and ctranslate2 on every node")
        self.report.signature = info.signature
        self.stats[index].node = info.node
        self.live.append(index)

    def room(self, index: int) -> bool:
        """Whether an actor takes another document: a few queued, about two rounds of its batches."""
        docs = self.queued_docs[index]
        return docs == 0 or (docs < MAX_QUEUED_DOCUMENTS and self.queued_segments[index] < self.fill)

    # -- the stages

    def _feed(self) -> None:
        """Start reads ahead of the actors, and give read documents to the least-loaded actors with room."""
        while self.waiting and len(self.reading) + len(self.ready) < max(4, 2 * len(self.actors)):
            doc = self.waiting.popleft()
            status, doc.bundle = self.prepare.remote(doc.job, self.fmt, self.overwrite, self.localizer)
            self.reading[status] = doc
        while self.ready:
            open_actors = [i for i in self.live if self.room(i)]
            if not open_actors:
                return
            index = min(open_actors, key=lambda i: (self.queued_segments[i], self.queued_docs[i]))
            doc = self.ready.popleft()
            doc.actor = index
            self.queued_docs[index] += 1
            self.queued_segments[index] += doc.result.segments
            outcome, document = self.actors[index].translate.options(num_returns=2).remote(
                self.setup, doc.bundle, str(doc.job.output))
            doc.bundle = None  # the actor holds it now
            doc.outcome = outcome
            self.translating[outcome] = doc
            overwrite = self.overwrite or doc.job.output in self.replace
            self.writing[self.write.remote(document, str(doc.job.output), overwrite, str(doc.job.source),
                                           doc.result.sha256, self.report.signature)] = doc

    def _read(self, doc: _Doc, ref: Any) -> None:
        try:
            status: ReadStatus = self.ray.get(ref)
        except Exception as error:  # noqa: BLE001 - the task itself failed (its worker died, retried)
            status = ReadStatus(failure=Failure("reading", error))
        doc.result.segments, doc.result.sha256 = status.segments, status.sha256
        doc.result.warnings += status.warnings
        if status.failure is not None:
            doc.bundle = None
            self._fail(doc, status.failure)
        else:
            self.ready.append(doc)

    def _translated(self, doc: _Doc) -> None:
        self.queued_docs[doc.actor] -= 1
        self.queued_segments[doc.actor] -= doc.result.segments
        try:
            translated: Translated = self.ray.get(doc.outcome)
        except Exception as error:  # noqa: BLE001 - the actor died on it more often than it is retried
            self._fail(doc, Failure("translating", error))
            return
        doc.translated = translated
        stats = self.stats[doc.actor]
        stats.documents += 1
        stats.segments += translated.segments
        stats.seconds += translated.seconds
        if translated.failure is not None:
            self._fail(doc, translated.failure)
        else:
            self.segments += translated.segments

    def _written(self, doc: _Doc, ref: Any) -> None:
        if doc.outcome in self.translating:  # done together with its translation: account for that first
            self._translated(self.translating.pop(doc.outcome))
        if doc.result.error is not None:
            return
        try:
            written: Written | None = self.ray.get(ref)
        except Exception as error:  # noqa: BLE001
            written = Written(failure=Failure("writing", error))
        if written is None:
            return
        if written.failure is not None:
            self._fail(doc, written.failure)
            return
        if written.warning:
            doc.result.warnings.append(written.warning)
        self.done += 1
        if self.manifest is not None:
            self.manifest.written(doc.job.source, doc.job.output, doc.result.segments, written.size,
                                  written.sha256, doc.actor)
        self._file_done(doc)

    def _fail(self, doc: _Doc, failure: Failure) -> None:
        fail_job(doc.result, self.incidents, failure.stage, failure.exception())
        doc.result.status = FAILED
        self.done += 1
        self.failed += 1
        if self.manifest is not None:
            self.manifest.failed(doc.job.source, str(doc.result.error))
        self._file_done(doc)

    def _file_done(self, doc: _Doc) -> None:
        """The file's terms and QA counts, as a local run fills them, told to the observer (``--log``)."""
        translated, result = doc.translated, doc.result
        if translated is not None:
            result.terms_met = sum(1 for use in translated.terms if use.found)
            result.terms_total = len(translated.terms)
            if translated.checked is not None:
                result.qa_counts = dict(Counter(issue.severity for issue in translated.checked.issues))
                result.qa_checks = dict(Counter(issue.check for issue in translated.checked.issues))
        if self.observer is not None:
            self.observer.file_done(result)

    def cancel(self) -> None:
        """Cancel the reads and writes in flight; wait for them to stop (a write ends whole or not at all)."""
        pending = [*self.reading, *self.writing]
        for ref in pending:
            with contextlib.suppress(Exception):
                self.ray.cancel(ref)
        if pending:
            self.ray.wait(pending, num_returns=len(pending), timeout=CANCEL_SECONDS)

    def _show(self, final: bool = False) -> None:
        """Call ``progress`` when a document is done, and every PROGRESS_SECONDS (the actors' rates move)."""
        now = time.perf_counter()
        due = final or self.done != self.shown or now - self.last >= PROGRESS_SECONDS
        if self.progress is None or not due:
            return
        self.last, self.shown = now, self.done
        self.progress(ClusterProgress(self.documents, self.done, self.failed, self.segments,
                                      now - self.started, self.stats))

    def _collect(self, docs: list[_Doc]) -> None:
        """The term audit and the QA findings, in the plan's order (as a local run lists them)."""
        for doc in docs:
            translated = doc.translated
            if translated is None or (translated.failure and translated.failure.stage != "writing"):
                continue  # not translated (a failed check is in the writing stage, as in a local run)
            self.report.terms += translated.terms
            if translated.checked is not None:
                self.report.qa += translated.checked.issues
                self.report.qa_documents.append(translated.checked)
