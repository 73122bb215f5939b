"""The persistent translation memory: one SQLite file, safe for several runs at once.

SQLite (standard library) rather than a server or a folder of TMX files: one file a
user can copy, back up or point ``--tm`` at; transactions so a run interrupted
half way stores all of a batch or none of it; WAL journaling and a busy timeout
so two runs writing at the same time wait for each other instead of failing or
losing entries.  Fuzzy matches are scored with rapidfuzz (``fuzz.ratio`` on the
source text without codes) against the approved entries of the language pair.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .document import strip_codes
from .errors import InputError
from .memory import MemoryEntry, MemoryKey, now

#: Environment variable naming the memory file (``--tm`` wins over it).
ENV_VAR = "TRANSLATE_TM"
APP_NAME = "translate-id-en"
FILE_NAME = "memory.sqlite"
#: Fuzzy matches below this similarity (0-100) are not offered.
DEFAULT_FUZZY_THRESHOLD = 75.0
#: Seconds a writer waits for another one to finish its transaction.
BUSY_TIMEOUT = 60.0
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source TEXT NOT NULL,
    codes TEXT NOT NULL,
    target TEXT NOT NULL,
    code_data TEXT NOT NULL,
    plain TEXT NOT NULL,
    document TEXT NOT NULL,
    origin TEXT NOT NULL,
    approved INTEGER NOT NULL,
    signature TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (source_lang, target_lang, source, codes, target, origin, signature)
);
CREATE INDEX IF NOT EXISTS entries_key ON entries (source_lang, target_lang, source, codes);
"""
_COLUMNS = (
    "source_lang, target_lang, source, codes, target, code_data, document, origin, approved, "
    "signature, created"
)


def default_path() -> Path:
    """``$TRANSLATE_TM``, else ``memory.sqlite`` in the user's data folder (platformdirs)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / FILE_NAME


def plain_text(source: str) -> str:
    """What fuzzy matching compares: the words, codes removed, whitespace folded."""
    return " ".join(strip_codes(source).split())


@dataclass
class MemoryStats:
    entries: int
    approved: int
    by_origin: dict[str, int]
    by_pair: dict[str, int]


class SQLiteMemory:
    """A :class:`~translate.memory.TranslationMemory` in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.hits = 0
        self._choices: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
        self._data_version: int | None = None  # the file's PRAGMA data_version when _choices was last checked
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            with self._transaction():
                for statement in _statements():
                    self._db.execute(statement)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except (sqlite3.DatabaseError, OSError) as error:
            raise InputError(
                f"cannot open the translation memory: {error}",
                path=str(self.path),
                hint="pass --tm with another file, or --no-tm",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self):
        return _Transaction(self._db)

    # -- TranslationMemory ---------------------------------------------------------

    def lookup(self, key: MemoryKey, signature: str) -> MemoryEntry | None:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM entries WHERE source_lang = ? AND target_lang = ? AND source = ? "
            "AND codes = ? AND (approved = 1 OR signature = ?) ORDER BY approved DESC, updated DESC, id DESC "
            "LIMIT 1",
            (key.source_lang, key.target_lang, key.source, key.codes, signature),
        ).fetchall()
        entry = _entry(rows[0]) if rows else None
        self.hits += entry is not None
        return entry

    def store(self, entries: Sequence[MemoryEntry]) -> None:
        if not entries:
            return
        stamp = now()
        rows = [
            (
                e.key.source_lang,
                e.key.target_lang,
                e.key.source,
                e.key.codes,
                e.target,
                json.dumps(e.code_data, ensure_ascii=False),
                plain_text(e.key.source),
                e.document,
                e.origin,
                int(e.approved),
                e.signature,
                e.created or stamp,
                stamp,
            )
            for e in entries
        ]
        try:
            with self._transaction():
                self._db.executemany(
                    "INSERT INTO entries (source_lang, target_lang, source, codes, target, code_data, plain, "
                    "document, origin, approved, signature, created, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (source_lang, target_lang, source, codes, target, origin, signature) "
                    "DO UPDATE SET updated = excluded.updated, document = excluded.document, "
                    "approved = max(approved, excluded.approved)",
                    rows,
                )
        except sqlite3.DatabaseError as error:
            raise InputError(f"cannot write the translation memory: {error}", path=str(self.path)) from None
        self._choices.clear()

    # -- beyond the protocol ----------------------------------------------------------

    def fuzzy(
        self, key: MemoryKey, threshold: float = DEFAULT_FUZZY_THRESHOLD, limit: int = 3
    ) -> list[tuple[float, MemoryEntry]]:
        """Approved entries of the language pair whose source is similar to ``key``'s, best first.

        Exact matches (same source and codes) are left out: they are used, not offered.
        """
        from rapidfuzz import fuzz, process

        plains, ids = self._approved_choices(key.source_lang, key.target_lang)
        query = plain_text(key.source)
        if not plains or not query:
            return []
        found = process.extract(query, plains, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit * 3 + 3)
        results: list[tuple[float, MemoryEntry]] = []
        seen: set[str] = set()
        for _, score, index in found:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (ids[index],)).fetchone()
            entry = _entry(row)
            if (entry.key.source == key.source and entry.key.codes == key.codes) or entry.target in seen:
                continue
            seen.add(entry.target)
            results.append((round(float(score), 1), entry))
            if len(results) == limit:
                break
        return results

    def refresh(self) -> None:
        """Forget the fuzzy-match candidates read so far when another connection changed the file since.

        Entries stored through this object are candidates at once; a long-running
        process sharing the file with other threads or runs (``translate serve``)
        calls this before offering matches.  Cheap: one ``PRAGMA data_version``.
        """
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self._choices.clear()

    def _approved_choices(self, source_lang: str, target_lang: str) -> tuple[list[str], list[int]]:
        pair = (source_lang, target_lang)
        if pair not in self._choices:
            rows = self._db.execute(
                "SELECT plain, id FROM entries WHERE source_lang = ? AND target_lang = ? AND approved = 1 "
                "ORDER BY updated DESC, id DESC",
                pair,
            ).fetchall()
            self._choices[pair] = ([r[0] for r in rows], [r[1] for r in rows])
        return self._choices[pair]

    def entries(self) -> Iterator[MemoryEntry]:
        """Every entry, oldest first (for TMX export)."""
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY id"):
            yield _entry(row)

    def stats(self) -> MemoryStats:
        query = self._db.execute
        count, approved = query("SELECT count(*), coalesce(sum(approved), 0) FROM entries").fetchone()
        by_origin = dict(query("SELECT origin, count(*) FROM entries GROUP BY origin ORDER BY origin"))
        by_pair = {
            f"{s}->{t}": n
            for s, t, n in query(
                "SELECT source_lang, target_lang, count(*) FROM entries GROUP BY 1, 2 ORDER BY 1, 2"
            )
        }
        return MemoryStats(count, approved, by_origin, by_pair)


def _statements() -> list[str]:
    return [s.strip() for s in _SCHEMA.split(";") if s.strip()]


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: the write lock is taken at the start, so concurrent
    writers queue (busy timeout) instead of failing half way; any error rolls back."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _entry(row: tuple) -> MemoryEntry:
    (
        source_lang,
        target_lang,
        source,
        codes,
        target,
        code_data,
        document,
        origin,
        approved,
        signature,
        created,
    ) = row
    return MemoryEntry(
        MemoryKey(source_lang, target_lang, source, codes),
        target,
        json.loads(code_data),
        document,
        origin,
        bool(approved),
        signature,
        created,
    )


__all__ = ["DEFAULT_FUZZY_THRESHOLD", "ENV_VAR", "MemoryStats", "SQLiteMemory", "default_path"]
