"""The service's translation memory: the CLI's SQLite file, used from every thread of the server.

``translate serve`` reads and fills the same memory as ``translate run --tm``,
``export`` and ``import`` (:class:`translate.memory_store.SQLiteMemory`): exact
matches are reused without the engine, machine output is stored, confirmed
segments become approved post-edits, and approved entries are offered as fuzzy
matches in the editor.  A SQLite connection belongs to the thread that opened it,
and the server answers requests and runs jobs in many threads, so each thread
gets its own :class:`SQLiteMemory` on the file (WAL: readers never wait for a
writer); the fuzzy candidates a thread has cached are refreshed when another
connection (another thread, a CLI run) changed the file.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Block, code_index, is_code_char
from ..memory import MemoryEntry, MemoryKey, NormalisedSegment, TranslationMemory, from_memory, to_memory
from ..memory_store import DEFAULT_FUZZY_THRESHOLD, ENV_VAR, SQLiteMemory, plain_text
from ..pipeline import needs_engine

if TYPE_CHECKING:
    from .work import Prepared

FILE_NAME = "memory.sqlite"


def memory_path(tm: str | None, data: str | Path) -> Path:
    """``--tm FILE``, else ``$TRANSLATE_TM`` (as the CLI), else ``memory.sqlite`` in the data folder."""
    if tm:
        return Path(tm)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(data) / FILE_NAME


class ThreadedMemory:
    """A :class:`~translate.memory.TranslationMemory` on one SQLite file, safe to use from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        # memory -> the thread that opened it; weak, so a finished thread's connection closes with it
        self._opened: weakref.WeakKeyDictionary[SQLiteMemory, int] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._memory()  # opened here first: a file that cannot be used is one error at start

    def _memory(self) -> SQLiteMemory:
        memory = getattr(self._local, "memory", None)
        if memory is None:
            memory = SQLiteMemory(self.path)
            self._local.memory = memory
            with self._lock:
                self._opened[memory] = threading.get_ident()
        return memory

    def lookup(self, key: MemoryKey, signature: str) -> MemoryEntry | None:
        return self._memory().lookup(key, signature)

    def store(self, entries: Sequence[MemoryEntry]) -> None:
        self._memory().store(entries)

    def fuzzy(self, key: MemoryKey, threshold: float = DEFAULT_FUZZY_THRESHOLD,
              limit: int = 3) -> list[tuple[float, MemoryEntry]]:
        """Approved entries similar to ``key``'s source, best first (entries stored elsewhere included)."""
        memory = self._memory()
        memory.refresh()
        return memory.fuzzy(key, threshold, limit)

    def close(self) -> None:
        """Close the connections this thread opened; the others close with their threads."""
        me = threading.get_ident()
        with self._lock:
            mine = [memory for memory, thread in self._opened.items() if thread == me]
        for memory in mine:
            memory.close()
        self._local = threading.local()


def offered_matches(memory: TranslationMemory, prepared: Prepared, n: int, target: str | None,
                    threshold: float = DEFAULT_FUZZY_THRESHOLD) -> list[dict[str, Any]]:
    """The memory's approved translations for segment ``n``, best first, but not its current ``target``.

    Each is ``{target, score, source, origin}``: the target coded in the
    segment's own tags (:func:`match_target`), the similarity 0-100 (rapidfuzz,
    :meth:`~translate.memory_store.SQLiteMemory.fuzzy`) and the remembered
    source.  An exact approved match (a colleague confirmed the same sentence
    after this job was translated) comes first, at 100.
    """
    segment, block = prepared.units[n]
    if not needs_engine(segment):
        return []
    norm, key = prepared.memory_key(n)
    found: list[tuple[float, str, MemoryEntry]] = []
    exact = memory.lookup(key, "")  # no signature: a person's translation only
    if exact is not None and exact.approved:
        found.append((100.0, from_memory(exact.target, norm, block.codes)[0], exact))
    fuzzy = getattr(memory, "fuzzy", None)
    if fuzzy is not None:
        found += [(score, match_target(entry, norm, block), entry) for score, entry in fuzzy(key, threshold)]
    matches: list[dict[str, Any]] = []
    for score, coded, entry in found:
        if coded != target and all(coded != match["target"] for match in matches):
            matches.append({"target": coded, "score": score, "source": plain_text(entry.key.source),
                            "origin": entry.origin})
    return matches


def match_target(entry: MemoryEntry, norm: NormalisedSegment, block: Block) -> str:
    """A fuzzy match's target in this segment's codes, for the editor's "use".

    The match's n-th tag becomes this segment's n-th tag when both are of one
    kind; a tag this segment lacks is dropped (the editor then offers the
    segment's missing tags back), and a quantity gets its tag back where its
    English is written.
    """
    kept = []
    for char in entry.target:
        if is_code_char(char):
            index = code_index(char)
            if not (index < len(norm.code_data) and index < len(entry.code_data)
                    and entry.code_data[index]["kind"] == norm.code_data[index]["kind"]):
                continue
        kept.append(char)
    return from_memory("".join(kept), norm, block.codes)[0]


def post_edits(prepared: Prepared, targets: Mapping[int, str], signature: str) -> list[MemoryEntry]:
    """Confirmed targets as the memory's approved post-edits, as ``translate import`` stores them.

    Segments without words are left out, as the pipeline never looks them up.
    """
    entries = []
    for n, target in targets.items():
        segment, block = prepared.units[n]
        if not needs_engine(segment):
            continue
        norm, key = prepared.memory_key(n)
        stored = to_memory(target, norm, block.codes)
        if stored is not None:
            entries.append(MemoryEntry(key, stored, norm.code_data, prepared.document.name, "post-edit", True,
                                       signature))
    return entries
