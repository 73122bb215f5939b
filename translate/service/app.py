"""The HTTP API and the editor's files: one ASGI app (FastAPI) over a :class:`Service`.

Every route under ``/api/`` needs ``Authorization: Bearer TOKEN``; ``/health``,
the editor page and its static files (which hold no data) do not.  Blocking
work (SQLite, reading documents, writing files, the engine) runs in threads,
so the event loop stays free for health checks, progress streams and edits
while a long article translates.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import unicodedata
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from ..errors import TranslateError
from .codes import checks_together, nesting_check
from .exchange import EXCHANGE_MEDIA_TYPES
from .runner import JobRunner
from .security import BodyLimit, BodyTooLarge, SecurityHeaders
from .store import (
    CONFIRMED,
    COPIED,
    EDITED,
    FAILED,
    MACHINE,
    QUEUED,
    TRANSLATED,
    TRANSLATING,
    Conflict,
    Edit,
    Job,
    Rejected,
    Store,
    Token,
)
from .work import MEDIA_TYPES, Prepared, Workbench, detect_upload_format, report_error

log = logging.getLogger("translate.service")
STATIC = resources.files("translate.service") / "static"
#: A segment whose engine confidence is below this is marked for checking (when an engine gives one).
LOW_CONFIDENCE = 0.5


@dataclass
class Limits:
    """What one request may ask of the service."""

    upload_bytes: int = 10 * 1024 * 1024
    segments: int = 5000
    text_chars: int = 20_000  # POST /api/translate


@dataclass
class Service:
    """The shared state of the app: storage, the loaded engine (in the workbench) and the job workers."""

    store: Store
    workbench: Workbench
    limits: Limits = field(default_factory=Limits)
    workers: int = field(default_factory=lambda: max(1, len(os.sched_getaffinity(0))))

    def __post_init__(self) -> None:
        self.runner = JobRunner(self.store, self.workbench, self.workers)


# ------------------------------------------------------------------ request bodies

class TargetIn(BaseModel):
    target: str = Field(description="coded target: text with the segment's tag characters (see `codes`)")
    confirmed: bool = Field(False, description="confirm the segment with this target")
    version: int | None = Field(None, description="the version this edit is based on (409 when stale)")


class TextIn(BaseModel):
    text: str
    format: Literal["text", "markdown", "html"] = "text"


class ShareIn(BaseModel):
    token_name: str


#: The exchange formats of translate.exchange: XLIFF 1.2, XLIFF 2.1, PO.
ExchangeKind = Literal["xliff", "xliff2", "po"]


BEARER = HTTPBearer(auto_error=False, description="a token from `translate serve token create NAME`")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def auth(request: Request, credentials: Credentials) -> Token:
    """The caller's live token, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "a token is required: send Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    token = request.app.state.service.store.token_for(credentials.credentials)
    if token is None:
        raise HTTPException(401, "unknown or revoked token",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return token


Caller = Annotated[Token, Depends(auth)]


def create_app(service: Service) -> FastAPI:
    """The ASGI app; the engine in ``service.workbench`` is loaded before the first request."""
    store, bench, limits = service.store, service.workbench, service.limits

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await run_in_threadpool(bench.load)
        resumed = await run_in_threadpool(service.runner.resume)
        if resumed:
            log.info("resuming %d unfinished job(s)", len(resumed))
        yield
        await run_in_threadpool(service.runner.shutdown)
        store.close()

    app = FastAPI(title="translate service", version="1", lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None,
                  description="Indonesian → English translation of news articles with a post-editing editor. "
                              "Every /api/ route needs `Authorization: Bearer TOKEN` "
                              "(`translate serve token create NAME`).")
    app.add_middleware(BodyLimit, limit=limits.upload_bytes + 64 * 1024)  # the multipart envelope too
    app.add_middleware(SecurityHeaders)
    app.state.service = service

    @app.exception_handler(BodyTooLarge)
    async def too_large(_request: Request, _error: BodyTooLarge) -> JSONResponse:
        return JSONResponse({"detail": f"request body over the limit of {limits.upload_bytes} bytes"}, 413)

    def visible(job_id: str, token: Token) -> Job:
        job = store.job(job_id, token.id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} for this token")
        return job

    def prepared_for(job: Job) -> Prepared:
        """The job's document read (from the workbench's cache when it is there)."""
        return bench.cached(job.id) or bench.prepare(job.name, job.format, store.job_data(job.id), key=job.id)

    def present(prepared: Prepared, segment: dict[str, Any]) -> dict[str, Any]:
        """A stored segment as the API shows it: plus TM matches and whether it needs checking."""
        confidence = segment["confidence"]
        flagged = bool(segment["qa"]) or any(not use["found"] for use in segment["terms_found"]) or (
            confidence is not None and confidence < LOW_CONFIDENCE)
        segment["tm"] = bench.tm_matches(prepared, segment["n"], segment["target"])
        segment["needs_check"] = flagged and segment["state"] != CONFIRMED
        return segment

    # ------------------------------------------------------------ public

    @app.get("/health", tags=["service"])
    def health() -> dict[str, Any]:
        """Liveness, without a token: answers while jobs translate."""
        return {"status": "ok", "engine": bench.engine.name, "jobs_running": service.runner.active()}

    @app.get("/", include_in_schema=False)
    def editor() -> FileResponse:
        with resources.as_file(STATIC / "index.html") as path:
            return FileResponse(path, media_type="text/html; charset=utf-8")

    with resources.as_file(STATIC) as static_dir:
        app.mount("/static", StaticFiles(directory=Path(static_dir)), name="static")

    @app.get("/api/openapi.json", tags=["service"])
    def openapi(_token: Caller) -> dict[str, Any]:
        """This API's OpenAPI schema."""
        return app.openapi()

    # ------------------------------------------------------------ jobs

    def upload(token: Token, filename: str, content_type: str | None, data: bytes) -> Job:
        try:
            fmt = detect_upload_format(filename, content_type)
        except TranslateError as error:
            raise HTTPException(415, str(error)) from None
        if len(data) > limits.upload_bytes:
            raise HTTPException(413, f"{filename}: {len(data)} bytes, over the limit of "
                                     f"{limits.upload_bytes}")
        prepared = bench.prepare(filename, fmt, data)
        if len(prepared.units) > limits.segments:
            raise HTTPException(413, f"{filename}: {len(prepared.units)} segments, over the limit of "
                                     f"{limits.segments}; split the document")
        infos = bench.describe(prepared)
        rows = [(i.n, i.sid, {k: v for k, v in asdict(i).items() if k not in ("n", "sid")}) for i in infos]
        job_id = store.create_job(token.id, filename, fmt, data, bench.signature(), rows)
        bench.keep(job_id, prepared)
        service.runner.submit(job_id)
        return visible(job_id, token)

    @app.post("/api/jobs", status_code=201, tags=["jobs"])
    async def create_job(file: Annotated[UploadFile, File(description="the article: .txt .md .html .docx")],
                         token: Caller) -> dict[str, Any]:
        """Upload a document; it is translated in the background.  Answers the job (poll it or its events)."""
        filename = clean_filename(file.filename or "", file.content_type)
        data = await file.read(limits.upload_bytes + 1)
        try:
            job = await run_in_threadpool(upload, token, filename, file.content_type, data)
        except TranslateError as error:
            raise HTTPException(422, str(error)) from None
        return job.as_dict()

    @app.get("/api/jobs", tags=["jobs"])
    def list_jobs(token: Caller) -> list[dict[str, Any]]:
        """The jobs this token owns or has shared with it, newest first, with progress."""
        return [job.as_dict() for job in store.jobs(token.id)]

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def get_job(job_id: str, token: Caller) -> dict[str, Any]:
        """A job's state and progress (segments done of total, confirmed)."""
        job = visible(job_id, token)
        return job.as_dict() | {"shared_with": store.shared_with(job_id) if job.owned else []}

    @app.delete("/api/jobs/{job_id}", status_code=204, tags=["jobs"])
    def delete_job(job_id: str, token: Caller) -> Response:
        """Delete a job (its owner only; not while it translates)."""
        job = visible(job_id, token)
        if not job.owned:
            raise HTTPException(403, "only the job's owner may delete it")
        if job.state in (QUEUED, TRANSLATING):
            raise HTTPException(409, "the job is translating; delete it when it is done")
        store.delete_job(job_id)
        bench.forget(job_id)
        return Response(status_code=204)

    @app.get("/api/jobs/{job_id}/events", tags=["jobs"])
    async def job_events(job_id: str, request: Request, token: Caller) -> StreamingResponse:
        """Progress as server-sent events (``event: progress``), until the job is translated or failed."""
        await run_in_threadpool(visible, job_id, token)

        async def stream():
            last, quiet = None, 0.0
            while not await request.is_disconnected():
                job = await run_in_threadpool(store.job, job_id)
                if job is None:
                    return
                progress = {k: v for k, v in job.as_dict().items() if k in PROGRESS_KEYS}
                payload = json.dumps(progress)
                if payload != last:
                    yield f"event: progress\ndata: {payload}\n\n"
                    last, quiet = payload, 0.0
                elif quiet > 15:
                    yield ": keep-alive\n\n"
                    quiet = 0.0
                if job.state in (TRANSLATED, FAILED):
                    yield f"event: end\ndata: {payload}\n\n"
                    return
                await asyncio.sleep(0.25)
                quiet += 0.25

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    @app.get("/api/jobs/{job_id}/document", tags=["jobs"],
             responses={200: {"content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}}})
    def download(job_id: str, token: Caller) -> Response:
        """The translated document in its original format, with every saved edit."""
        job = finished(visible(job_id, token))
        try:
            data = bench.render(job.name, job.format, store.job_data(job_id), store.targets(job_id))
        except TranslateError as error:  # targets that cannot be merged: say which, never a traceback
            raise HTTPException(422, report_error(error)) from None
        return Response(data, media_type=MEDIA_TYPES[job.format],
                        headers={"Content-Disposition": attachment(bench.output_name(job.name))})

    @app.post("/api/jobs/{job_id}/shares", status_code=204, tags=["jobs"])
    def share(job_id: str, body: ShareIn, token: Caller) -> Response:
        """Let another token (by name) read and edit this job; owner only."""
        if not visible(job_id, token).owned:
            raise HTTPException(403, "only the job's owner may share it")
        if not store.share(job_id, body.token_name):
            raise HTTPException(404, f"no live token named {body.token_name!r}")
        return Response(status_code=204)

    @app.delete("/api/jobs/{job_id}/shares/{token_name}", status_code=204, tags=["jobs"])
    def unshare(job_id: str, token_name: str, token: Caller) -> Response:
        if not visible(job_id, token).owned:
            raise HTTPException(403, "only the job's owner may stop sharing it")
        if not store.unshare(job_id, token_name):
            raise HTTPException(404, f"the job is not shared with {token_name!r}")
        return Response(status_code=204)

    # ------------------------------------------------------------ segments

    @app.get("/api/jobs/{job_id}/segments", tags=["segments"])
    def list_segments(job_id: str, token: Caller, needs_check: bool = False) -> list[dict[str, Any]]:
        """Every segment: source, machine output, current target, state, terms, quantities, QA, TM."""
        prepared = prepared_for(visible(job_id, token))
        segments = [present(prepared, s) for s in store.segments(job_id)]
        return [s for s in segments if s["needs_check"]] if needs_check else segments

    @app.get("/api/jobs/{job_id}/segments/{n}", tags=["segments"])
    def get_segment(job_id: str, n: int, token: Caller) -> dict[str, Any]:
        return present(prepared_for(visible(job_id, token)), existing_segment(job_id, n))

    @app.put("/api/jobs/{job_id}/segments/{n}", tags=["segments"],
             responses={422: {"description": "the target's tags are missing, repeated or not nested"},
                        409: {"description": "the segment changed since `version`"}})
    def put_segment(job_id: str, n: int, body: TargetIn, token: Caller) -> dict[str, Any]:
        """Save a person's target (autosave); with ``confirmed`` it is confirmed too."""
        job = visible(job_id, token)
        return save(job, existing_segment(job_id, n), body.target, body.confirmed, body.version, token)

    @app.post("/api/jobs/{job_id}/segments/{n}/confirm", tags=["segments"])
    def confirm_segment(job_id: str, n: int, token: Caller) -> dict[str, Any]:
        """Confirm a segment's current target."""
        job = visible(job_id, token)
        segment = existing_segment(job_id, n)
        if segment["target"] is None:
            raise HTTPException(409, f"segment {n} has no target yet (the job is {job.state})")
        return save(job, segment, segment["target"], True, None, token)

    def existing_segment(job_id: str, n: int) -> dict[str, Any]:
        segment = store.segment(job_id, n)
        if segment is None:
            raise HTTPException(404, f"no segment {n} in job {job_id!r}")
        return segment

    def save(job: Job, segment: dict[str, Any], target: str, confirmed: bool, version: int | None,
             token: Token) -> dict[str, Any]:
        """Check and store a person's target; a confirmed one goes into the translation memory too."""
        n = segment["n"]
        prepared = prepared_for(job)
        problems = bench.target_problems(prepared, n, target)
        if problems:
            raise HTTPException(422, {"message": f"segment {n} ({segment['id']}): {problems[0]}",
                                      "problems": problems})
        if confirmed:
            state = CONFIRMED
        elif target == segment["target"] and segment["state"] != CONFIRMED:
            state = segment["state"]
        else:
            state = MACHINE if target == segment["mt"] else EDITED
        span = prepared.block_span(n)
        edit = Edit(n, target, state, bench.findings(prepared, n, target),
                    bench.term_uses(prepared, n, target), version)
        try:
            saved = store.save_edits(job.id, token.id, [edit],
                                     nesting_check(prepared.units[n][1], span.start, {n: target}), span)[0]
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        except Rejected as error:
            raise HTTPException(422, {"message": f"segment {n} ({segment['id']}): {error.problems[0]}",
                                      "problems": error.problems}) from None
        if state == CONFIRMED:
            remember(prepared, {n: target})
        return present(prepared, saved)

    def remember(prepared: Prepared, targets: dict[int, str]) -> None:
        """Confirmed targets into the translation memory; the edit is saved whatever happens here."""
        try:
            bench.remember(prepared, targets)
        except TranslateError as error:
            log.error("confirmed segments saved, but not stored in the translation memory: %s", error)
            raise HTTPException(503, f"saved and confirmed, but the translation memory could not store it: "
                                     f"{error}") from None

    # ------------------------------------------------------------ reports and exchange

    @app.get("/api/jobs/{job_id}/terms", tags=["reports"])
    def terms_report(job_id: str, token: Caller) -> list[dict[str, Any]]:
        """The glossary audit of the current targets: every term occurrence, found or missing."""
        visible(job_id, token)
        return [use for s in store.segments(job_id) for use in s["terms_found"]]

    @app.get("/api/jobs/{job_id}/qa", tags=["reports"])
    def qa_report(job_id: str, token: Caller) -> list[dict[str, Any]]:
        """The QA findings of the current targets, segment by segment."""
        visible(job_id, token)
        return [issue for s in store.segments(job_id) for issue in s["qa"]]

    @app.get("/api/jobs/{job_id}/xliff", tags=["exchange"],
             responses={200: {"content": {"application/xliff+xml": {}, "text/x-gettext-translation": {}}}})
    def export_xliff(job_id: str, token: Caller, format: ExchangeKind = "xliff") -> Response:
        """The job for a CAT tool: XLIFF 1.2 (``format=xliff``), XLIFF 2.1 (``xliff2``) or PO (``po``).

        Current targets; confirmed segments marked as a person's, the rest as machine
        output to review; memory matches as alternatives, QA findings as notes.
        """
        job = finished(visible(job_id, token))
        segments = store.segments(job_id)
        data = bench.export_exchange(prepared_for(job), store.job_data(job_id),
                                     {s["n"]: s["target"] for s in segments},
                                     [s["n"] for s in segments if s["state"] == CONFIRMED],
                                     [s["n"] for s in segments if s["state"] == COPIED], kind=format)
        extension = {"po": ".po"}.get(format, ".xlf")
        return Response(data, media_type=EXCHANGE_MEDIA_TYPES[format],
                        headers={"Content-Disposition": attachment(f"{job.name}{extension}")})

    @app.put("/api/jobs/{job_id}/xliff", tags=["exchange"],
             responses={422: {"description": "problems, one per line: `line L: unit ID: what to fix`"}})
    async def import_xliff(job_id: str, request: Request, token: Caller,
                           format: ExchangeKind | None = None) -> dict[str, Any]:
        """A translator's edited XLIFF or PO (the body, exported here): every changed unit saved as an edit.

        Checked as ``translate import`` checks (the job's original, unit ids,
        sources, tags) before anything is saved; a unit the translator accepted
        (XLIFF ``state`` translated/final..., PO without ``fuzzy``) is confirmed
        and goes into the translation memory.  Nothing is saved when any unit has a problem.
        """
        job = finished(await run_in_threadpool(visible, job_id, token))
        data = await request.body()
        return await run_in_threadpool(apply_import, job, data, format, token)

    def apply_import(job: Job, data: bytes, kind: str | None, token: Token) -> dict[str, Any]:
        prepared = prepared_for(job)
        try:
            changed = bench.import_exchange(prepared, data, store.job_data(job.id), kind)
        except TranslateError as error:
            raise HTTPException(422, report_error(error)) from None
        current = {s["n"]: s for s in store.segments(job.id)}
        edits, skipped = [], []
        for unit in changed:
            segment = current[unit.n]
            if unit.status == "confirmed" and unit.target != segment["target"]:
                skipped.append(unit.unit)  # accepted as exported, but edited here since: keep the edit
                continue
            if unit.target == segment["target"] and (segment["state"] == CONFIRMED or not unit.confirmed):
                continue
            edits.append(Edit(unit.n, unit.target, CONFIRMED if unit.confirmed else EDITED,
                              bench.findings(prepared, unit.n, unit.target),
                              bench.term_uses(prepared, unit.n, unit.target)))
        units = {unit.n: unit for unit in changed}
        blocks: dict[int, dict[int, str]] = {}
        for edit in edits:
            blocks.setdefault(prepared.block_span(edit.n).start, {})[edit.n] = edit.target
        checks = {f"line {units[min(targets)].line}: unit {units[min(targets)].unit}":
                  nesting_check(prepared.units[first][1], first, targets)
                  for first, targets in blocks.items()}
        try:
            store.save_edits(job.id, token.id, edits, checks_together(checks), range(len(prepared.units)))
        except Rejected as error:
            raise HTTPException(422, {"message": f"{len(error.problems)} problem(s); nothing was saved",
                                      "problems": error.problems}) from None
        confirmed = {e.n: e.target for e in edits if e.state == CONFIRMED}
        if confirmed:
            remember(prepared, confirmed)
        return {"updated": len(edits), "confirmed": len(confirmed), "skipped": skipped}

    @app.post("/api/translate", tags=["translate"])
    async def translate_now(body: TextIn, _token: Caller) -> dict[str, Any]:
        """Translate a short text at once (no job): the translation, its QA findings and term audit."""
        if len(body.text) > limits.text_chars:
            raise HTTPException(413, f"text of {len(body.text)} characters, over the limit of "
                                     f"{limits.text_chars}; upload it as a document (POST /api/jobs)")
        try:
            return await run_in_threadpool(bench.translate_text, body.text, body.format)
        except TranslateError as error:
            raise HTTPException(422, str(error)) from None

    return app


PROGRESS_KEYS = ("id", "state", "error", "done", "total", "confirmed")


def finished(job: Job) -> Job:
    """The job, or 409 while it is still being translated or when it failed."""
    if job.state in (QUEUED, TRANSLATING):
        raise HTTPException(409, f"the job is still translating ({job.done}/{job.total} segments)")
    if job.state == FAILED:
        raise HTTPException(409, f"the job failed: {job.error}")
    return job


def clean_filename(filename: str, content_type: str | None) -> str:
    """A display name only (documents are stored by id): the last path part, printable, 200 chars at most."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    if not name:
        from .work import CONTENT_TYPES

        fmt = CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower(), "text")
        name = "document" + {"text": ".txt", "markdown": ".md", "html": ".html", "docx": ".docx"}[fmt]
    stem, dot, suffix = name.rpartition(".")
    return name[:200] if not dot or len(name) <= 200 else f"{stem[:190]}.{suffix[:9]}"


def attachment(filename: str) -> str:
    """A Content-Disposition value that survives any file name (RFC 6266 with an ASCII fallback)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
