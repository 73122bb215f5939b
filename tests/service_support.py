"""Shared pieces of the service tests: a service on a real engine, sample articles, a live server."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from translate.engines import create_engine
from translate.glossary import load_glossary
from translate.localize import Localizer
from translate.pipeline import Translator
from translate.service.app import Limits, Service, create_app
from translate.service.store import Store
from translate.service.tm import ThreadedMemory, memory_path
from translate.service.work import Workbench

GLOSSARY = "source\ttarget\tcategory\nMenteri Luar Negeri\tForeign Minister\ttitle\n"
ARTICLE = ("Menteri Luar Negeri berbicara di Jakarta.\n\n"
           "Harga beras naik 2,5 persen pekan lalu. Warga diminta tetap tenang.\n")


def make_service(folder: Path, engine: str = "pseudo", limits: Limits | None = None, workers: int = 2,
                 tm: Path | None = None, **engine_options) -> Service:
    """A service on a real engine (``pseudo``, or a model with ``model=``), with a small glossary.

    An engine that translates gets a translation memory, ``tm`` or ``data/memory.sqlite``
    (as ``translate serve``); pseudo output is not a translation, so it gets none.
    """
    glossary_file = folder / "glossary.tsv"
    glossary_file.write_text(GLOSSARY, encoding="utf-8")
    engine_object = create_engine(engine, **engine_options)
    memory = None
    if engine_object.translates:
        memory = ThreadedMemory(memory_path(str(tm) if tm else None, folder / "data"))
    translator = Translator(engine_object, load_glossary(glossary_file), Localizer("en_US", "code"), memory)
    return Service(Store.in_folder(folder / "data"), Workbench(translator), limits or Limits(), workers)


def docx_article() -> bytes:
    """A DOCX with a bold name in its first paragraph (the tag chips to move) and a plain second one."""
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("Presiden ")
    paragraph.add_run("Joko Widodo").bold = True
    paragraph.add_run(" mengunjungi Jakarta pada hari Senin.")
    document.add_paragraph("Harga beras naik pekan lalu.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(service: Service) -> Iterator[str]:
    """The app on uvicorn in a thread on 127.0.0.1; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
