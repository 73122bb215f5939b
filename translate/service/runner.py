"""Translation jobs off the event loop: worker threads, chunk by chunk, saved as they go.

Each job's segments are translated in chunks (one engine batch per translator),
the translation memory first (exact matches skip the engine, machine output is
stored, see :meth:`Workbench.translate`), each chunk's QA findings computed with it,
and every chunk is committed before the next starts, so progress is visible
while a long article runs and a killed server loses at most the chunk in
flight: on start, :meth:`JobRunner.resume` queues every job left queued or
translating, which then translates only its segments without machine output.
A job that fails (its stored bytes no longer read, the engine raises) is marked
failed with a one-line reason; the others go on.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from ..errors import TranslateError
from .store import COPIED, FAILED, MACHINE, TRANSLATED, TRANSLATING, MachineResult, Store
from .work import Workbench

log = logging.getLogger("translate.service")


class JobRunner:
    """A pool of worker threads sized to the cores; the engine's calls are serialised by the workbench."""

    def __init__(self, store: Store, workbench: Workbench, workers: int) -> None:
        self.store = store
        self.workbench = workbench
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="translate-job")
        self._running: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def submit(self, job_id: str) -> None:
        with self._lock:
            if job_id not in self._running:
                self._running[job_id] = self._pool.submit(self._run, job_id)

    def resume(self) -> list[str]:
        """Queue the jobs a stopped server left unfinished; returns their ids."""
        ids = self.store.unfinished()
        for job_id in ids:
            self.submit(job_id)
        return ids

    def active(self) -> int:
        with self._lock:
            return len(self._running)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every submitted job (tests and benchmarks)."""
        with self._lock:
            futures = list(self._running.values())
        for future in futures:
            future.result(timeout)

    def shutdown(self) -> None:
        """Stop after the chunks in flight; unfinished jobs resume at the next start."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        try:
            self._translate(job_id)
        except TranslateError as error:
            self.store.set_state(job_id, FAILED, str(error))
        except Exception as error:  # one job's bug is that job's failure, not the service's
            log.exception("job %s failed", job_id)
            self.store.set_state(job_id, FAILED, f"internal error: {type(error).__name__}: {error}")
        finally:
            with self._lock:
                self._running.pop(job_id, None)

    def _translate(self, job_id: str) -> None:
        job = self.store.job(job_id)
        if job is None:
            return
        self.store.set_state(job_id, TRANSLATING)
        bench = self.workbench
        prepared = bench.prepare(job.name, job.format, self.store.job_data(job_id), key=job_id)
        todo = self.store.open_segments(job_id)
        size = bench.chunk_size()
        memory = bench.job_memory()
        for start in range(0, len(todo), size):
            if self._stopping.is_set():
                return  # left TRANSLATING: resumed at the next start
            translated = bench.translate(prepared, todo[start : start + size], memory)
            findings = bench.document_findings(translated.document, translated.segments,
                                               translated.protections)
            results = []
            for n, segment in translated.segments.items():
                target = segment.target if segment.target is not None else segment.source
                state = COPIED if bench.copied(segment) else MACHINE
                uses = bench.term_uses(prepared, n, target)
                results.append(MachineResult(n, target, state, findings[n], uses,
                                             bench.confidence(prepared, n, target)))
            self.store.save_machine(job_id, results)
        # The checks that compare segments (a term named in full once, the engine's least sure
        # segments) see the whole document now; findings of targets edited meanwhile are kept.
        targets = self.store.targets(job_id)
        findings = bench.job_findings(prepared, targets)
        self.store.update_qa(job_id, {n: (targets[n], qa) for n, qa in findings.items()})
        self.store.set_state(job_id, TRANSLATED)
