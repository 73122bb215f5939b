"""The translating actor: the driver's engine, built once per actor, translating whole documents.

An :class:`EngineRecipe` says how an actor builds the engine the driver was
given: for ``ct2``, the same options (beam, batch size, lengths, threads) on
the node's copy of the shipped model (:mod:`translate.cluster.model_shipping`)
or on a converted directory every node mounts; an engine without a model
(``copy``, ``pseudo``) travels as it is.  The actor loads it once and then
translates one document per call with the local run's own
:func:`~translate.pipeline.translate_documents`: a document is batched only
with itself, so its translation does not depend on which actor got it or what
it translated before (the bytes of a local run, a resumed run alike).  The
threads are the driver's engine's too, because the engine's batches are cut
by its number of translators.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field, replace
from typing import Any

from .. import __version__
from ..document import Document
from ..engines import Engine
from ..glossary import Glossary, TermUse
from ..localize import Localizer
from ..pipeline import Translator, translate_documents
from ..qa import Check, QADocument, check_document
from .model_shipping import ModelFiles, node_copy
from .stages import Failure, Prepared, capture

#: Test hook: a marker file's path.  The first actor to reach its second document creates the marker
#: and exits at once (os._exit), as a worker killed mid-run would; Ray restarts it and retries.
CRASH_ENV = "TRANSLATE_RAY_CRASH_ONCE"


@dataclass
class EngineRecipe:
    """How an actor builds the driver's engine (one of ``options`` + a model, or ``engine`` itself)."""

    options: dict[str, Any] = field(default_factory=dict)  # CTranslate2Engine options but the model
    model_key: str | None = None  # the shipped model's content hash
    model_ref: list[Any] | None = None  # [ObjectRef of ModelFiles]: nested, so fetched only when needed
    shared_model: str | None = None  # a converted directory at the same path on every node
    engine: Engine | None = None  # an engine without a model (copy, pseudo), as it is

    def build(self) -> Engine:
        if self.engine is not None:
            return self.engine
        from ..engines.ct2 import CTranslate2Engine

        if self.shared_model is not None:
            model = self.shared_model
        else:
            assert self.model_key is not None and self.model_ref is not None
            model = str(node_copy(self.model_key, self._fetch))
        return CTranslate2Engine(model=model, **self.options)

    def _fetch(self) -> ModelFiles:
        import ray

        assert self.model_ref is not None
        return ray.get(self.model_ref[0])


@dataclass
class ActorInfo:
    """Where an actor runs and what it translates with (the driver checks they agree)."""

    index: int
    node: str
    pid: int
    signature: str
    version: str
    failure: Failure | None = None  # the engine could not be built or loaded


@dataclass
class Translated:
    """What translating one document gave the driver (the document itself goes on to the write task)."""

    actor: int
    segments: int = 0
    seconds: float = 0.0  # translating, in the actor
    terms: list[TermUse] = field(default_factory=list)
    checked: QADocument | None = None
    failure: Failure | None = None


@dataclass
class ActorSetup:
    """What an actor translates with: put into the object store once, loaded by each actor once."""

    recipe: EngineRecipe
    glossary: Glossary | None = None
    localizer: Localizer | None = None
    qa_checks: list[Check] | None = None


class TranslatorActor:
    """One engine, loaded once; translates and checks one document per call (a Ray actor).

    Every call carries ``setup``, ``[ObjectRef of ActorSetup]`` (a few bytes): an
    actor builds its :class:`Translator` from it at its first call, and so does an
    actor Ray restarted after its process died, without constructor arguments
    that Ray would have to keep for restarts.
    """

    def __init__(self, index: int, crash_marker: str | None = None) -> None:
        self.index = index
        self.crash_marker = crash_marker
        self.calls = 0
        self.translator: Translator | None = None
        self.qa_checks: list[Check] | None = None
        self.failure: Failure | None = None

    def _load(self, setup: list[Any]) -> Translator | None:
        """The translator, built and loaded at the first call; None (``failure`` set) if it cannot load."""
        if self.translator is None and self.failure is None:
            try:
                import ray

                given: ActorSetup = ray.get(setup[0])
                self.qa_checks = given.qa_checks
                self.translator = Translator(given.recipe.build(), given.glossary, given.localizer).load()
            except Exception as error:  # noqa: BLE001 - reported by ready(), as the error it is
                self.failure = capture("loading", error)
        return self.translator

    def ready(self, setup: list[Any]) -> ActorInfo:
        """Load the engine; where the actor runs and its run signature, or its loading error."""
        translator = self._load(setup)
        signature = translator.signature() if translator is not None else ""
        return ActorInfo(self.index, _node_name(), os.getpid(), signature, __version__, self.failure)

    def translate(self, setup: list[Any], prepared: Prepared, output: str
                  ) -> tuple[Translated, Document | None]:
        """Translate and check one document; on failure the document is not passed on to be written."""
        self.calls += 1
        self._crash_once()
        document, protections = prepared.document, prepared.protections
        segments = sum(1 for _ in document.segments())
        translator = self._load(setup)
        if translator is None:
            assert self.failure is not None
            return Translated(self.index, segments, failure=replace(self.failure, stage="translating")), None
        start = time.perf_counter()
        try:
            terms = translate_documents([document], translator.engine, None, None, translator.glossary,
                                        protections)
        except Exception as error:  # noqa: BLE001 - one document's error, never the actor's end
            return Translated(self.index, segments, failure=capture("translating", error)), None
        seconds = time.perf_counter() - start
        try:  # the local run checks a document in its writing stage, just before writing it
            checked = check_document(document, protections, translator.glossary, self.qa_checks,
                                     target=output)
        except Exception as error:  # noqa: BLE001
            return Translated(self.index, segments, seconds, terms, failure=capture("writing", error)), None
        return Translated(self.index, segments, seconds, terms, checked), document

    def _crash_once(self) -> None:
        """The test hook of :data:`CRASH_ENV`: exit like a killed worker, once in the whole cluster."""
        if self.crash_marker is None or self.calls < 2:
            return
        try:
            os.close(os.open(self.crash_marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os._exit(1)


def _node_name() -> str:
    try:
        import ray

        return ray.util.get_node_ip_address()
    except Exception:  # noqa: BLE001 - a name for messages only
        return socket.gethostname()
