"""CTranslate2 engine: the opus-mt model converted once, decoded without PyTorch.

What it keeps from the marian engine:

* the same tokens: SentencePiece + ``vocab.json`` exactly as MarianTokenizer
  (:mod:`translate.engines.spm_tokenizer`); greedy decoding gives the marian
  engine's tokens (tested); ``max_length`` means the same (new tokens, EOS
  included);
* alignments from the same cross-attention (penultimate decoder layer, heads
  averaged: chosen at conversion, see :mod:`translate.engines.ct2_convert`),
  mapped to :class:`TokenAlignment` with the same ``piece_spans``.  The
  numbers depend on a batch's padding: every row by up to 2e-4, and with
  ``beam > 1`` the first target token's row much more (CTranslate2 4.8 runs
  the first beam step before expanding the batch and returns that row
  unmasked for a source shorter than the batch's longest).  So the pipeline
  batches a document only with itself (benchmarks/README.md, 19.4);
* the glossary guarantee, by decoding and then forcing missing terms with a
  target prefix (:mod:`translate.engines.ct2_terms`);
* over-long inputs truncated to the model's limit with a warning;
* the scores: each output's mean log-probability per token (EOS included when
  the model wrote it) is the search's own (``return_scores``, free: equal to
  ``score_batch`` on the output to 1e-4 in float32 when ``min_length`` is 0,
  tested), and ``score_batch`` for the outputs re-decoded after a forced
  glossary prefix only.  What scoring every output with ``score_batch`` would
  cost is in benchmarks/README.md ("Engine scores").  ``min_length`` (a
  benchmark option) keeps EOS out of the first steps, which raises their scores.

Speed: batches of similar length (sorted, ``batch_size`` each) are submitted
asynchronously, so that ``inter_threads`` translators can work on several at
once; ``intra_threads`` is the number of threads per batch.  Defaults
(:func:`default_threads`): one translator per core, one thread each, up to 4
translators (two single-threaded translators decode faster than one with two
threads: the opus-mt matrices are too small for intra-op parallelism to pay;
the measurements are in benchmarks/README.md), int8 weights
on a CPU, float16 on CUDA.

Memory: translating imports neither torch nor transformers; only the first
conversion does.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .base import BatchDone, TermConstraint, TokenAlignment, Translation, options_of
from .common import TermForms, align_and_terms, check_at_least_one, piece_spans, renormalise, truncate
from .ct2_convert import (
    conversion_commit,
    convert_model,
    converted_directory,
    default_quantization,
    find_converted,
    read_info,
)
from .ct2_terms import (
    Forcing,
    TermTokens,
    force_all,
    force_next,
    is_continuation,
    source_span_pieces,
    unmet,
)
from .model_files import ALIGN_LAYER, DEFAULT_MODEL, ModelMissing, is_local_path, short_reason

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .marian import MarianEngine

#: How often a wait for CTranslate2's batches looks whether one is done (seconds).
POLL_SECONDS = 0.005
#: How often a wait calls ``progress([])``, so a run asked to stop need not wait for a batch (seconds).
HEARTBEAT_SECONDS = 0.1


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_threads(cores: int, device: str = "cpu") -> tuple[int, int]:
    """``(inter_threads, intra_threads)`` for this many cores: batches in parallel, not threads per batch.

    On a CPU, up to 4 single-threaded translators (more cores go to each
    translator's threads); on CUDA, one translator (the GPU is the parallelism)
    with a few host threads.
    """
    if device != "cpu":
        return 1, min(4, max(1, cores))
    inter = max(1, min(cores, 4))
    return inter, max(1, cores // inter)


def _note(message: str) -> None:
    """Which engine ``auto`` chose and why: a log record (the CLI shows it on stderr)."""
    log.info(message)


@dataclass
class _Source:
    text: str
    pieces: list[str]  # SentencePiece pieces of the text (no </s>)
    tokens: list[str]  # what CTranslate2 reads: pieces known to the vocabulary, <unk> else, then </s>


@dataclass
class _Output:
    tokens: list[str]
    attention: list[list[float]] | None
    limit: int  # the max_decoding_length it was decoded with: an output that long was cut there
    score: float | None = None  # the search's; None after a forced prefix (_score_forced fills it in)

    @property
    def truncated(self) -> bool:
        return len(self.tokens) >= self.limit  # CTranslate2 stopped before the model wrote EOS


class CTranslate2Engine:
    """Translate plain text with an opus-mt model converted to CTranslate2; align on request."""

    name = "ct2"
    keeps_codes = False
    translates = True
    localizes = True

    def __init__(self, model: str = DEFAULT_MODEL, beam: int = 4, batch_size: int = 16, max_length: int = 256,
                 device: str = "cpu", revision: str | None = None, quantization: str | None = None,
                 inter_threads: int | None = None, intra_threads: int | None = None, min_length: int = 0,
                 force_beam: int | None = None) -> None:
        check_at_least_one("ct2", beam=beam, batch_size=batch_size, max_length=max_length,
                           inter_threads=inter_threads, intra_threads=intra_threads, force_beam=force_beam)
        self.model = str(model)
        self.beam = int(beam)
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        # beam of the re-decode after a forced glossary prefix: greedy by default, see _redecode
        self.force_beam = int(force_beam) if force_beam is not None else 1
        self.min_length = max(0, int(min_length))  # benchmarks fix the output length with it
        self.device, self.device_index = _parse_device(str(device))
        self.revision = revision
        self.quantization = quantization or default_quantization(self.device)
        cores = available_cores()
        default_inter, default_intra = default_threads(cores, self.device)
        self.inter_threads = int(inter_threads) if inter_threads is not None else default_inter
        if intra_threads is not None:
            self.intra_threads = int(intra_threads)
        else:
            spare = max(1, cores // self.inter_threads)
            self.intra_threads = default_intra if inter_threads is None else spare
        #: segments the pipeline sends per call: enough batches to keep every translator busy
        self.chunk_size = self.batch_size * self.inter_threads * 8
        self.directory: Path | None = None
        self._translator: Any = None
        self._tokenizer: Any = None
        self._max_input = 512
        self._revision_key: str | None = None
        self._source_model: str | None = None  # what a converted directory given as the model was made from
        self._forms: TermForms[list[str]] | None = None
        self._suppress: dict[str, list[list[str]]] = {}
        self._continuations: list[str] | None = None

    # -- loading ---------------------------------------------------------------------------

    def prepare(self) -> Path:
        """The converted model's directory, converting it first when it is not cached.

        The device is checked first: converting for a GPU that is not there
        would take half a minute before saying so.
        """
        if self.directory is None:
            self._check_device()
            given = converted_directory(self.model)
            if given is not None:  # already converted: its weights' type is the one it was made with
                self.quantization = read_info(given).quantization
                self.directory = given
                return given
            found = find_converted(self.model, self.revision, self.quantization)
            self.directory = found or convert_model(self.model, self.revision, self.quantization)
        return self.directory

    def load(self) -> None:
        """Load the converted model and its tokenizer once; every failure becomes one ModelError."""
        if self._translator is not None:
            return
        directory = self.prepare()
        ctranslate2 = _import_ctranslate2()
        from .spm_tokenizer import MarianSpm

        try:
            info = read_info(directory)
            tokenizer = MarianSpm.from_dir(directory)
            translator = ctranslate2.Translator(
                str(directory), device=self.device, device_index=self.device_index, compute_type="default",
                inter_threads=self.inter_threads, intra_threads=self.intra_threads)
        except Exception as exc:  # corrupt cache, unsupported compute type on this device...
            raise ModelError(f"cannot load the CTranslate2 model in {directory}: {short_reason(exc)}",
                             hint="convert it again with: translate model convert --force") from exc
        self._revision_key = info.revision
        self._source_model = info.model
        limits = (tokenizer.model_max_length, info.max_positions)
        self._max_input = min(x for x in limits if 0 < x < 1_000_000)
        self._tokenizer, self._translator = tokenizer, translator
        self._forms = TermForms(tokenizer, self.model, tokenizer.convert_ids_to_tokens)

    def _check_device(self) -> None:
        """A CUDA device CTranslate2 can see, when one is asked for."""
        if self.device != "cuda":
            return
        count = _import_ctranslate2().get_cuda_device_count()
        if count <= self.device_index:
            raise ModelError(f"device 'cuda:{self.device_index}' requested but CTranslate2 sees "
                             f"{count} CUDA device(s)",
                             hint="use --device cpu, or a machine with an NVIDIA GPU")

    # -- signature ---------------------------------------------------------------------------

    def signature(self) -> str:
        """Every setting that changes the output: model, revision, weights' quantization, beam..."""
        import ctranslate2

        extra = f"|min_length={self.min_length}" if self.min_length else ""
        model = self._source_model or self.model  # a converted directory: the model it was made from
        return (f"engine=ct2|model={model}|revision={self._revision()}|quantization={self.quantization}"
                f"|beam={self.beam}|force_beam={self.force_beam}|max_length={self.max_length}{extra}"
                f"|align_layer={ALIGN_LAYER}"
                f"|ctranslate2={ctranslate2.__version__}")

    def _revision(self) -> str:
        if self._revision_key is None:
            if is_local_path(self.model):
                self._revision_key = "local"
            else:
                commit = conversion_commit(self.model, self.revision)
                self._revision_key = commit or self.revision or "unresolved"
        return self._revision_key

    # -- translation ---------------------------------------------------------------------------

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None,
                  progress: BatchDone | None = None) -> list[Translation]:
        """Translate in length-sorted batches; then force the glossary terms an output lacks.

        ``progress`` hears of each first-pass batch as it completes; a text that
        may need a forced term, once its first pass has all its terms or its
        first re-decode is done (a rare second round is not shown).
        """
        wanted, terms = align_and_terms(texts, align, constraints)
        todo = [i for i, text in enumerate(texts) if text.strip()]
        results = [Translation("") for _ in texts]
        progress = _once(progress)
        if not todo:
            return results
        self.load()
        sources = {i: self._encode(texts[i], i) for i in todo}
        plans = {i: self._plan(terms[i], sources[i]) for i in todo if terms[i]}
        plans = {i: plan for i, plan in plans.items() if plan}
        outputs = self._decode_all(todo, sources, {i for i in todo if wanted[i] or i in plans},
                                   _unplanned(progress, plans))
        if plans:
            self._force_terms(plans, sources, outputs, {i for i in todo if wanted[i]}, progress)
        self._score_forced([i for i in todo if outputs[i].score is None], sources, outputs)
        if plans and progress is not None:
            progress(sorted(plans))
        for i in todo:
            results[i] = self._translation(sources[i], outputs[i], bool(wanted[i]))
        return results

    def _encode(self, text: str, index: int) -> _Source:
        pieces = truncate(self._tokenizer.tokenize(text), self._max_input, index, self.model)
        vocab, unk = self._tokenizer.vocab, self._tokenizer.unk_token
        return _Source(text, pieces, [p if p in vocab else unk for p in pieces] + [self._tokenizer.eos_token])

    def _options(self, max_length: int, attention: bool) -> dict[str, Any]:
        return {"beam_size": self.beam, "max_decoding_length": max_length,
                "min_decoding_length": min(self.min_length, max_length), "return_attention": attention,
                "max_batch_size": 0, "return_scores": True}

    def _decode_all(self, todo: list[int], sources: dict[int, _Source], attend: set[int],
                    progress: BatchDone | None = None) -> dict[int, _Output]:
        """First pass: length-sorted batches, kept in flight so inter_threads can share them."""
        base = max(1, self.max_length - 1)  # max_length counts EOS, as max_new_tokens does

        def submit(batch: list[int]) -> list[Any]:
            attention = any(i in attend for i in batch)
            return self._translator.translate_batch(
                [sources[i].tokens for i in batch], asynchronous=True, **self._options(base, attention))

        outputs: dict[int, _Output] = {}
        order = sorted(todo, key=lambda i: len(sources[i].tokens))
        for batch, results in self._in_flight(self._batches(order), submit, progress):
            for i, result in zip(batch, results, strict=True):
                outputs[i] = _output(result, base)
            if progress is not None:
                progress(batch)
        return outputs

    def _score_forced(self, rows: list[int], sources: dict[int, _Source],
                      outputs: dict[int, _Output]) -> None:
        """Scores of the outputs re-decoded after a forced prefix: ``score_batch`` on their tokens.

        A re-decode's own score does not do: CTranslate2 counts the prefix's tokens
        in the length but not their log-probabilities, and ``suppress_sequences``
        renormalises.  ``score_batch`` adds EOS, dropped again for an output cut at
        the limit, as the first pass's scores have it (see
        :class:`~translate.engines.base.Translation`).
        """
        batches = self._batches(sorted(rows, key=lambda i: len(sources[i].tokens)))
        pending = [self._translator.score_batch([sources[i].tokens for i in batch],
                                                [outputs[i].tokens for i in batch], max_input_length=0,
                                                asynchronous=True)
                   for batch in batches]
        for batch, results in zip(batches, pending, strict=True):
            for i, result in zip(batch, results, strict=True):
                log_probs = result.result().log_probs
                chosen = log_probs[:-1] if outputs[i].truncated else log_probs
                outputs[i].score = sum(chosen) / len(chosen) if chosen else None

    def _in_flight(self, batches: list[list[int]], submit: Callable[[list[int]], list[Any]],
                   progress: BatchDone | None = None) -> Iterator[tuple[list[int], list[Any]]]:
        """Each batch with its results as it completes, submitted ``inter_threads + 1`` at a time.

        One more than the translators keeps every translator busy (the next batch
        is queued when one finishes) while a run that stops has only those to
        abandon, not a whole chunk.  Waiting polls ``done()`` instead of blocking
        in ``result()``, so the main thread runs a signal handler (Ctrl-C) within
        a few milliseconds, not when the batch ends; and every
        :data:`HEARTBEAT_SECONDS` it calls ``progress([])``, whose exception (a
        stop) leaves the batches in flight to CTranslate2's threads.  Results do
        not depend on the order batches are submitted or finish in.
        """
        waiting = deque(batches)
        running: deque[tuple[list[int], list[Any]]] = deque()
        beat = time.monotonic()
        while waiting or running:
            while waiting and len(running) <= self.inter_threads:
                batch = waiting.popleft()
                running.append((batch, submit(batch)))
            ready = next((item for item in running if all(r.done() for r in item[1])), None)
            if ready is None:
                time.sleep(POLL_SECONDS)
                if progress is not None and time.monotonic() - beat >= HEARTBEAT_SECONDS:
                    beat = time.monotonic()
                    progress([])
                continue
            running.remove(ready)
            yield ready[0], [r.result() for r in ready[1]]

    def _batches(self, order: list[int]) -> list[list[int]]:
        """Consecutive batches of at most ``batch_size``, equal in size, enough for every translator.

        A multiple of ``inter_threads`` batches of near-equal size: with 2
        translators, 52 segments make 4 batches of 13, not 16+16+16+4 (where
        one translator would idle while the other decodes the last full batch).
        """
        if not order:
            return []
        count = -(-len(order) // self.batch_size)
        count = -(-count // self.inter_threads) * self.inter_threads
        count = min(count, len(order))
        size, extra = divmod(len(order), count)
        batches, start = [], 0
        for k in range(count):
            end = start + size + (1 if k < extra else 0)
            batches.append(order[start:end])
            start = end
        return batches

    def _plan(self, terms: list[TermConstraint], source: _Source) -> list[TermTokens]:
        """The terms of one text as target pieces, with the source pieces each translates."""
        spans = piece_spans(source.text, source.pieces)
        seen: dict[str, int] = {}
        plan = []
        assert self._forms is not None  # loaded
        for term in terms:
            found = self._forms.alternatives(term)
            if found is None:
                continue
            alternatives, initial = found
            occurrence = seen.get(term.source.lower(), 0)
            seen[term.source.lower()] = occurrence + 1
            plan.append(TermTokens(term.source, alternatives, initial,
                                   source_span_pieces(source.text, term.source, occurrence, spans)))
        return plan

    def _force_terms(self, plans: dict[int, list[TermTokens]], sources: dict[int, _Source],
                     outputs: dict[int, _Output], wanted: set[int],
                     progress: BatchDone | None = None) -> None:
        """Re-decode the segments that lack a term once, every term in the prefix; check; repeat if needed.

        A second round happens only if a re-decode still lacks a term (it cannot
        lose one: they are all in its prefix); it forces one more term each time.
        """
        states = {i: Forcing() for i in plans}
        pending = [i for i in plans if force_all(outputs[i].tokens, states[i], plans[i], outputs[i].attention,
                                                 len(sources[i].pieces))]
        if progress is not None:
            progress(sorted(set(plans) - set(pending)))  # the first pass wrote every term
        for _ in range(max(len(p) for p in plans.values()) + 1):
            if not pending:
                return
            group = sorted(pending, key=lambda i: len(sources[i].tokens))
            self._redecode(group, sources, states, outputs, wanted, progress)
            forcing = []
            for i in pending:
                missing = unmet(outputs[i].tokens, plans[i], states[i].forced)
                if missing:
                    force_next(outputs[i].tokens, states[i], plans[i], missing, outputs[i].attention,
                               len(sources[i].pieces))
                    forcing.append(i)
            pending = forcing
        raise AssertionError("term forcing did not finish")  # each round forces one more term: unreachable

    def _redecode(self, group: list[int], sources: dict[int, _Source], states: dict[int, Forcing],
                  outputs: dict[int, _Output], wanted: set[int], progress: BatchDone | None = None) -> None:
        """Decode after the forced prefixes, spread over the translators; nothing may glue onto a prefix.

        ``suppress_sequences`` is one list per batch, so a batch forbids gluing after the
        last piece of *every* prefix in it.  The cost: a re-decoded segment cannot write,
        say, "Moscow" + "ian" after its prefix because another segment's prefix ends in
        "Moscow".  Grouping batches by last piece instead kept that exact but made
        batches of one or two segments, several times slower.

        The beam is ``force_beam``, 1 (greedy) unless asked: CTranslate2 steps
        through a prefix at the full beam width, so a beam-4 re-decode costs a
        whole first decode again, a greedy one about a third of it (benchmarks/
        speed.py: +16% instead of +37% for a glossary that matches in a quarter of
        the segments and a model that never writes the terms).  What follows the
        forced terms is then the model's greedy continuation; the words before them
        are the beam output.
        """
        def limit(batch: list[int]) -> int:  # room for at least one token after the longest prefix
            longest = max(len(states[i].prefix) for i in batch)
            return max(max(1, self.max_length - 1), longest + 1)

        def submit(batch: list[int]) -> list[Any]:
            suppress = [pair for last in sorted({states[i].prefix[-1] for i in batch})
                        for pair in self._suppress_after(last)]
            options = self._options(limit(batch), any(i in wanted for i in batch))
            options["beam_size"] = self.force_beam
            options["return_scores"] = False  # not the output's: see _score_forced
            return self._translator.translate_batch(
                [sources[i].tokens for i in batch], [states[i].prefix for i in batch], asynchronous=True,
                suppress_sequences=suppress, **options)

        for batch, results in self._in_flight(self._batches(group), submit, progress):
            cap = limit(batch)
            for i, result in zip(batch, results, strict=True):
                outputs[i] = _output(result, cap)
            if progress is not None:
                progress(batch)

    def _suppress_after(self, last: str) -> list[list[str]]:
        if last not in self._suppress:
            if self._continuations is None:
                self._continuations = [p for p in self._tokenizer.vocab if is_continuation(p)]
            self._suppress[last] = [[last, piece] for piece in self._continuations]
        return self._suppress[last]

    def _translation(self, source: _Source, output: _Output, align: bool) -> Translation:
        special = set(self._tokenizer.all_special_ids)
        vocab, unk = self._tokenizer.vocab, self._tokenizer.unk_token_id
        keep = [t for t, piece in enumerate(output.tokens) if vocab.get(piece, unk) not in special]
        pieces = [output.tokens[t] for t in keep]
        text = self._tokenizer.decode_pieces(pieces)
        alignment = None
        if align and output.attention is not None:
            n_source = len(source.pieces)
            weights = [renormalise(output.attention[t][:n_source]) for t in keep]
            alignment = TokenAlignment(piece_spans(source.text, source.pieces), piece_spans(text, pieces),
                                       weights)
        return Translation(text, alignment, pieces, output.score, output.truncated)


def _once(progress: BatchDone | None) -> BatchDone | None:
    """``progress`` that hears of each index once (a second forcing round re-decodes a text again)."""
    if progress is None:
        return None
    seen: set[int] = set()

    def report(batch: Sequence[int]) -> None:
        fresh = [i for i in batch if i not in seen]
        seen.update(fresh)
        if fresh or not batch:  # an empty batch is a heartbeat
            progress(fresh)

    return report


def _unplanned(progress: BatchDone | None, plans: dict[int, list[TermTokens]]) -> BatchDone | None:
    """``progress`` for first-pass batches: a text that may need a forced term is done only after forcing."""
    if progress is None or not plans:
        return progress
    return lambda batch: progress([i for i in batch if i not in plans])


def _output(result: Any, limit: int) -> _Output:
    """A decode's best hypothesis; its score is the mean log-probability CTranslate2 summed
    (``return_scores``: length penalty 1 divides by the tokens, EOS included when written)."""
    attention = result.attention[0] if result.attention else None
    score = result.scores[0] if result.scores else None
    return _Output(list(result.hypotheses[0]), attention, limit, score)


def _import_ctranslate2() -> Any:
    try:
        import ctranslate2
    except ImportError as exc:
        raise ModelError("ctranslate2 is not installed",
                         hint="pip install 'ctranslate2>=4.3', or use --engine marian") from exc
    return ctranslate2


def _parse_device(device: str) -> tuple[str, int]:
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()) or (kind == "cpu" and index):
        raise ModelError(f"unknown device {device!r}", hint="use --device cpu, cuda or cuda:N")
    return kind, int(index or 0)


def create_auto_engine(**options: Any) -> CTranslate2Engine | MarianEngine:
    """ct2 when ctranslate2 is installed and the model converts (or is converted), else marian.

    Takes ct2's options; marian gets those it shares.  One line on stderr says
    which engine runs and why; the run's signature names it too.
    """
    from .marian import MarianEngine

    shared = {key: value for key, value in options.items() if key in options_of(MarianEngine)}
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        _note("engine: marian (ctranslate2 is not installed; pip install 'ctranslate2>=4.3' "
              "for the faster ct2 engine)")
        return MarianEngine(**shared)
    engine = CTranslate2Engine(**options)
    try:
        directory = engine.prepare()
    except ModelMissing:
        raise  # no engine can run a model that is not there; its error says how to provide it
    except ModelError as error:
        _note(f"engine: marian (ct2 cannot use this model: {error.message})")
        return MarianEngine(**shared)
    _note(f"engine: ct2 ({engine.quantization}, {directory})")
    return engine


create_auto_engine.__signature__ = inspect.signature(CTranslate2Engine)  # type: ignore[attr-defined]
