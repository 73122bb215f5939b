"""SQLite storage of the service: tokens, jobs (documents by id), segments and every edit.

One file, ``service.sqlite3`` in the data folder, in WAL mode: readers (the
editor, status polls) never wait for the translation worker's writes, and a
committed edit survives the process being killed (``synchronous=NORMAL`` in
WAL loses nothing on a process crash, only possibly the last commits on a
power cut).  A document's bytes live in its job row; nothing is ever read or
written at a path a client gave.  Each thread gets its own connection.

Access model: a job belongs to the token that uploaded it; its owner may share
it with other tokens by name; a token sees only the jobs it owns or that are
shared with it (others answer 404, as if they did not exist).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .codes import BlockCheck

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    revoked REAL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner INTEGER NOT NULL REFERENCES tokens(id),
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    data BLOB NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    signature TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shares (
    job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    token INTEGER NOT NULL REFERENCES tokens(id),
    PRIMARY KEY (job, token)
);
CREATE TABLE IF NOT EXISTS segments (
    job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    sid TEXT NOT NULL,
    info TEXT NOT NULL,
    mt TEXT,
    target TEXT,
    state TEXT NOT NULL,
    qa TEXT NOT NULL DEFAULT '[]',
    terms TEXT NOT NULL DEFAULT '[]',
    confidence REAL,
    version INTEGER NOT NULL DEFAULT 0,
    updated REAL,
    PRIMARY KEY (job, n)
);
CREATE TABLE IF NOT EXISTS edits (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    token INTEGER NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS edits_by_segment ON edits (job, n);
"""

#: Job states: waiting for the worker, being translated, translated (editable), failed (see ``error``).
QUEUED, TRANSLATING, TRANSLATED, FAILED = "queued", "translating", "translated", "failed"
#: Segment states: machine output pending, machine output, source copied, edited by a person, confirmed.
NEW, MACHINE, COPIED, EDITED, CONFIRMED = "new", "translated", "copied", "edited", "confirmed"


def hash_token(secret: str) -> str:
    """SHA-256 of a token: tokens are 256 random bits, so a fast hash cannot be brute-forced."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    created: float
    revoked: float | None


@dataclass
class Job:
    id: str
    owner: int
    name: str
    format: str
    state: str
    error: str | None
    total: int
    done: int
    signature: str
    created: float
    updated: float
    confirmed: int = 0
    owned: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "format": self.format, "state": self.state,
                "error": self.error, "total": self.total, "done": self.done, "confirmed": self.confirmed,
                "signature": self.signature, "created": self.created, "updated": self.updated,
                "owned": self.owned}


@dataclass
class MachineResult:
    """The engine's output for one segment, with its checks."""

    n: int
    target: str
    state: str  # MACHINE or COPIED
    qa: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    confidence: float | None = None


@dataclass
class Edit:
    """A person's target for one segment, with its checks."""

    n: int
    target: str
    state: str  # EDITED or CONFIRMED (or MACHINE: the machine output chosen again)
    qa: list[dict[str, Any]]
    terms: list[dict[str, Any]]
    version: int | None = None  # the version the edit is based on (None: whatever is stored)


class Conflict(Exception):
    """An edit based on an older version of the segment than the stored one."""


class Rejected(Exception):
    """Edits that do not fit the other targets of their block: ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Store:
    """The service's database; safe to share between threads (one connection per thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._db().executescript(SCHEMA)  # its own transaction (executescript commits first)

    @classmethod
    def in_folder(cls, folder: str | Path) -> Store:
        return cls(Path(folder) / "service.sqlite3")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE: no upgrade deadlocks)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        with self._all_lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()

    # ------------------------------------------------------------ tokens

    def create_token(self, name: str) -> str:
        """A new token called ``name``; returns the secret, which is stored only hashed."""
        if not name or len(name) > 100 or not name.isprintable():
            raise ValueError("a token name is 1-100 printable characters")
        secret = "tt_" + secrets.token_urlsafe(32)
        try:
            with self._write() as db:
                db.execute("INSERT INTO tokens (name, hash, created) VALUES (?, ?, ?)",
                           (name, hash_token(secret), time.time()))
        except sqlite3.IntegrityError:
            raise ValueError(f"a token named {name!r} exists; revoke it or choose another name") from None
        return secret

    def revoke_token(self, name: str) -> bool:
        with self._write() as db:
            cursor = db.execute("UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL",
                                (time.time(), name))
        return cursor.rowcount > 0

    def tokens(self) -> list[Token]:
        rows = self._db().execute("SELECT id, name, created, revoked FROM tokens ORDER BY id").fetchall()
        return [Token(r["id"], r["name"], r["created"], r["revoked"]) for r in rows]

    def token_for(self, secret: str) -> Token | None:
        """The live token with this secret, or None (unknown or revoked)."""
        row = self._db().execute("SELECT id, name, created, revoked FROM tokens WHERE hash = ?",
                                 (hash_token(secret),)).fetchone()
        if row is None or row["revoked"] is not None:
            return None
        return Token(row["id"], row["name"], row["created"], row["revoked"])

    # ------------------------------------------------------------ jobs

    def create_job(self, owner: int, name: str, fmt: str, data: bytes, signature: str,
                   segments: Iterable[tuple[int, str, dict[str, Any]]]) -> str:
        """Store a document and its segments (number, id, description); the job starts queued."""
        job_id = uuid.uuid4().hex
        rows = [(job_id, n, sid, json.dumps(info, ensure_ascii=False), NEW) for n, sid, info in segments]
        now = time.time()
        with self._write() as db:
            db.execute("INSERT INTO jobs (id, owner, name, format, data, state, total, signature, created,"
                       " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (job_id, owner, name, fmt, data, QUEUED, len(rows), signature, now, now))
            db.executemany("INSERT INTO segments (job, n, sid, info, state) VALUES (?, ?, ?, ?, ?)", rows)
        return job_id

    _JOB_COLUMNS = ("j.id, j.owner, j.name, j.format, j.state, j.error, j.total, j.done, j.signature,"
                    " j.created, j.updated,"
                    " (SELECT COUNT(*) FROM segments s WHERE s.job = j.id AND s.state = 'confirmed')"
                    " AS confirmed")

    @staticmethod
    def _job(row: sqlite3.Row, token: int | None = None) -> Job:
        job = Job(*[row[k] for k in ("id", "owner", "name", "format", "state", "error", "total", "done",
                                     "signature", "created", "updated", "confirmed")])
        job.owned = token is None or job.owner == token
        return job

    def job(self, job_id: str, token: int | None = None) -> Job | None:
        """The job, if it exists and ``token`` (when given) owns it or has it shared."""
        query = f"SELECT {self._JOB_COLUMNS} FROM jobs j WHERE j.id = ?"
        row = self._db().execute(query, (job_id,)).fetchone()
        if row is None:
            return None
        if token is not None and row["owner"] != token and not self._db().execute(
                "SELECT 1 FROM shares WHERE job = ? AND token = ?", (job_id, token)).fetchone():
            return None
        return self._job(row, token)

    def jobs(self, token: int) -> list[Job]:
        """The jobs a token owns or has shared with it, newest first."""
        rows = self._db().execute(
            f"SELECT {self._JOB_COLUMNS} FROM jobs j WHERE j.owner = ? OR j.id IN "
            "(SELECT job FROM shares WHERE token = ?) ORDER BY j.created DESC", (token, token)).fetchall()
        return [self._job(row, token) for row in rows]

    def job_data(self, job_id: str) -> bytes:
        return self._db().execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()["data"]

    def set_state(self, job_id: str, state: str, error: str | None = None) -> None:
        with self._write() as db:
            db.execute("UPDATE jobs SET state = ?, error = ?, updated = ? WHERE id = ?",
                       (state, error, time.time(), job_id))

    def unfinished(self) -> list[str]:
        """Jobs a stopped server left queued or translating, oldest first."""
        rows = self._db().execute("SELECT id FROM jobs WHERE state IN (?, ?) ORDER BY created",
                                  (QUEUED, TRANSLATING)).fetchall()
        return [r["id"] for r in rows]

    def delete_job(self, job_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def share(self, job_id: str, token_name: str) -> bool:
        """Share a job with the live token called ``token_name``; False when there is none."""
        with self._write() as db:
            row = db.execute("SELECT id FROM tokens WHERE name = ? AND revoked IS NULL",
                             (token_name,)).fetchone()
            if row is None:
                return False
            db.execute("INSERT OR IGNORE INTO shares (job, token) VALUES (?, ?)", (job_id, row["id"]))
        return True

    def unshare(self, job_id: str, token_name: str) -> bool:
        with self._write() as db:
            cursor = db.execute("DELETE FROM shares WHERE job = ? AND token ="
                                " (SELECT id FROM tokens WHERE name = ?)", (job_id, token_name))
        return cursor.rowcount > 0

    def shared_with(self, job_id: str) -> list[str]:
        rows = self._db().execute("SELECT t.name FROM shares s JOIN tokens t ON t.id = s.token"
                                  " WHERE s.job = ? ORDER BY t.name", (job_id,)).fetchall()
        return [r["name"] for r in rows]

    # ------------------------------------------------------------ segments

    def open_segments(self, job_id: str) -> list[int]:
        """Numbers of the segments still waiting for machine translation."""
        rows = self._db().execute("SELECT n FROM segments WHERE job = ? AND mt IS NULL ORDER BY n",
                                  (job_id,)).fetchall()
        return [r["n"] for r in rows]

    def save_machine(self, job_id: str, results: list[MachineResult]) -> int:
        """Store machine output; a target a person already wrote is kept.  Returns segments done."""
        now = time.time()
        with self._write() as db:
            for r in results:
                db.execute(
                    "UPDATE segments SET mt = ?, confidence = ?, updated = ?,"
                    " target = CASE WHEN state = 'new' THEN ? ELSE target END,"
                    " qa = CASE WHEN state = 'new' THEN ? ELSE qa END,"
                    " terms = CASE WHEN state = 'new' THEN ? ELSE terms END,"
                    " state = CASE WHEN state = 'new' THEN ? ELSE state END"
                    " WHERE job = ? AND n = ?",
                    (r.target, r.confidence, now, r.target, _json(r.qa), _json(r.terms), r.state, job_id,
                     r.n))
            done = db.execute("SELECT COUNT(*) FROM segments WHERE job = ? AND mt IS NOT NULL",
                              (job_id,)).fetchone()[0]
            db.execute("UPDATE jobs SET done = ?, updated = ? WHERE id = ?", (done, now, job_id))
        return done

    def segments(self, job_id: str) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT * FROM segments WHERE job = ? ORDER BY n", (job_id,)).fetchall()
        return [_segment(row) for row in rows]

    def segment(self, job_id: str, n: int) -> dict[str, Any] | None:
        row = self._db().execute("SELECT * FROM segments WHERE job = ? AND n = ?", (job_id, n)).fetchone()
        return None if row is None else _segment(row)

    def targets(self, job_id: str) -> dict[int, str | None]:
        rows = self._db().execute("SELECT n, target FROM segments WHERE job = ?", (job_id,)).fetchall()
        return {r["n"]: r["target"] for r in rows}

    def save_edit(self, job_id: str, n: int, token: int, target: str, state: str, qa: list, terms: list,
                  version: int | None = None, check: BlockCheck | None = None,
                  span: range | None = None) -> dict[str, Any]:
        """Store a person's target (and the edit in the history); ``version`` guards against lost updates.

        ``check`` gets the current targets of the segments numbered ``span`` (the
        segment's block) in the same transaction, and any problem it returns
        rejects the edit (:class:`Rejected`): two edits of one block cannot each
        pass against the other's old target.
        """
        return self.save_edits(job_id, token, [Edit(n, target, state, qa, terms, version)], check, span)[0]

    def save_edits(self, job_id: str, token: int, edits: Sequence[Edit], check: BlockCheck | None = None,
                   span: range | None = None) -> list[dict[str, Any]]:
        """Store several edits in one transaction (all or none), as :meth:`save_edit`."""
        now = time.time()
        with self._write() as db:
            if check is not None and span is not None:
                rows = db.execute("SELECT n, target FROM segments WHERE job = ? AND n >= ? AND n < ?",
                                  (job_id, span.start, span.stop)).fetchall()
                problems = check({row["n"]: row["target"] for row in rows})
                if problems:
                    raise Rejected(problems)
            for edit in edits:
                current = db.execute("SELECT version FROM segments WHERE job = ? AND n = ?",
                                     (job_id, edit.n)).fetchone()
                if edit.version is not None and current["version"] != edit.version:
                    raise Conflict(f"segment {edit.n} changed since version {edit.version} "
                                   f"(now {current['version']})")
                db.execute("UPDATE segments SET target = ?, state = ?, qa = ?, terms = ?,"
                           " version = version + 1, updated = ? WHERE job = ? AND n = ?",
                           (edit.target, edit.state, _json(edit.qa), _json(edit.terms), now, job_id, edit.n))
                db.execute("INSERT INTO edits (job, n, token, target, state, at) VALUES (?, ?, ?, ?, ?, ?)",
                           (job_id, edit.n, token, edit.target, edit.state, now))
            db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (now, job_id))
            saved = [db.execute("SELECT * FROM segments WHERE job = ? AND n = ?", (job_id, edit.n)).fetchone()
                     for edit in edits]
        return [_segment(row) for row in saved]

    def update_qa(self, job_id: str, findings: dict[int, tuple[str | None, list[dict[str, Any]]]]) -> None:
        """Replace the QA findings of segments (n -> (target checked, findings)) still holding that target."""
        with self._write() as db:
            db.executemany("UPDATE segments SET qa = ? WHERE job = ? AND n = ? AND target = ?",
                           [(_json(qa), job_id, n, target) for n, (target, qa) in findings.items()])

    def edits(self, job_id: str) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT n, token, target, state, at FROM edits WHERE job = ? ORDER BY id",
                                  (job_id,)).fetchall()
        return [dict(row) for row in rows]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _segment(row: sqlite3.Row) -> dict[str, Any]:
    info = json.loads(row["info"])
    return {"n": row["n"], "id": row["sid"], **info, "mt": row["mt"], "target": row["target"],
            "state": row["state"], "qa": json.loads(row["qa"]), "terms_found": json.loads(row["terms"]),
            "confidence": row["confidence"], "version": row["version"], "updated": row["updated"]}
