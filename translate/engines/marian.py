"""Marian (opus-mt) engine: transformers' ``MarianMTModel`` with beam search.

The model is loaded lazily, on the first :meth:`MarianEngine.translate` (or an
explicit :meth:`MarianEngine.load`), so that building an engine is cheap and a
missing model is reported once, as a :class:`~translate.errors.ModelError` that
says how to provide it.

Alignments come from the decoder's cross-attention: after generation, one
teacher-forced forward pass over the generated ids yields, for every produced
target token, a distribution over the source tokens.  We use the *penultimate*
decoder layer averaged over its heads: opus-mt models have no trained alignment
head, and studies of attention-based alignment in 6-layer Transformer NMT (Garg
et al. 2019, "Jointly Learning to Align and Translate") find the penultimate
layer the most alignment-like, while the last layer attends to what helps
predict the *next* word and early layers are diffuse.  Averaging heads smooths
out single heads that track position or punctuation only.

Decoding and scores: every batch is decoded by our beam search
(:mod:`translate.engines.constrained`), which gives a row without glossary
terms the tokens ``model.generate`` gives, and also returns the sum of
log-probabilities it ranked the output by: the score of
:class:`~translate.engines.base.Translation`, at no cost.  Scoring the output
again with a teacher-forced pass instead (exact by construction) is what this
saves (benchmarks/README.md, "Engine scores").  The search's distribution is
``generate``'s: with ``renormalize_logits`` (Helsinki-NLP's generation configs
set it) the ``<pad>`` token transformers adds to the vocabulary is banned and
renormalised away, as CTranslate2's conversion drops it, so both engines give
the same numbers; without it ``<pad>`` keeps its share, ``-log(1 - p(<pad>))``
per token lower -- 0.005 on the random test model.

Over-long inputs: a text longer than the model's input limit (512 tokens for
opus-mt) is truncated to that limit and a warning is logged naming the text.
Splitting is the segmenter's job; failing the whole document for one run-on
sentence would be worse than translating its first 511 tokens visibly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .base import DEFAULT_CHUNK_SIZE, BatchDone, TermConstraint, TokenAlignment, Translation
from .common import TermForms, align_and_terms, check_at_least_one, piece_spans, renormalise, truncate
from .model_files import (
    ALIGN_LAYER,
    DEFAULT_MODEL,
    cached_commit,
    is_local_path,
    load_error,
    model_directory,
    short_reason,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .constrained import Constraint, Hypothesis


@dataclass
class _Source:
    """One text ready for the model: its SentencePiece pieces and their ids (eos last)."""

    text: str
    pieces: list[str]
    ids: list[int]


class MarianEngine:
    """Translate plain text with an opus-mt Marian model; align on request."""

    name = "marian"
    keeps_codes = False
    translates = True
    localizes = True
    chunk_size = DEFAULT_CHUNK_SIZE
    #: decoder layer whose cross-attention gives alignments (see module docstring)
    align_layer = ALIGN_LAYER

    def __init__(self, model: str = DEFAULT_MODEL, beam: int = 4, batch_size: int = 16,
                 max_length: int = 256, device: str = "cpu", revision: str | None = None) -> None:
        check_at_least_one("marian", beam=beam, batch_size=batch_size, max_length=max_length)
        self.model = str(model)
        self.beam = int(beam)
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        self.device = str(device)
        self.revision = revision
        self._tokenizer: Any = None
        self._model: Any = None
        self._generation: Any = None
        self._torch_device: Any = None
        self._resolved_revision: str | None = None
        self._forms: TermForms[list[int]] | None = None
        self._continuations: list[int] | None = None
        #: why unconstrained batches go to ``model.generate`` (settings our search does not mirror)
        self._generate_only: str | None = None

    # -- loading -----------------------------------------------------------------

    def load(self) -> None:
        """Load tokenizer and model once; every failure becomes one ModelError."""
        if self._model is not None:
            return
        self._torch_device = self._check_device()
        directory, self._resolved_revision = model_directory(self.model, self.revision)
        tokenizer, model = self._from_pretrained(str(directory))
        model.to(self._torch_device)
        model.eval()
        generation = model.generation_config
        generation.max_length = None  # max_new_tokens rules; avoids a warning per batch
        generation.num_beams = self.beam
        generation.max_new_tokens = self.max_length
        generation.num_return_sequences = 1
        self._tokenizer, self._model, self._generation = tokenizer, model, generation
        self._forms = TermForms(tokenizer, self.model, list)
        self._generate_only = self._unmirrored_settings()

    def _unmirrored_settings(self) -> str | None:
        """Why our search cannot decode this model as ``generate`` does (None: it can)."""
        from .constrained import resolve_settings

        try:
            resolve_settings(self._model, self.beam, self.max_length, 0, None, None)
        except ModelError as error:
            log.warning("model %s: %s; translating with model.generate, without scores", self.model,
                        error.message)
            return error.message
        return None

    def _check_device(self) -> Any:
        import torch

        try:
            device = torch.device(self.device)
        except (RuntimeError, ValueError):
            raise ModelError(f"unknown device {self.device!r}", hint="use --device cpu or cuda") from None
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise ModelError(
                    f"device {self.device!r} requested but torch {torch.__version__} sees no CUDA device",
                    hint="use --device cpu, or run on a machine with an NVIDIA GPU and a CUDA build of torch",
                )
            if device.index is not None and device.index >= torch.cuda.device_count():
                raise ModelError(f"device {self.device!r}: only {torch.cuda.device_count()} CUDA device(s)",
                                 hint="use --device cuda:0")
        return device

    def _from_pretrained(self, directory: str) -> tuple[Any, Any]:
        """Tokenizer and model from the model's directory, never the network."""
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars: the run shows its own progress
        try:
            tokenizer = MarianTokenizer.from_pretrained(directory, local_files_only=True)
            model = MarianMTModel.from_pretrained(directory, local_files_only=True)
        except Exception as exc:  # OSError, hub validation, safetensors, sentencepiece, json...
            raise load_error(self.model, short_reason(exc)) from exc
        return tokenizer, model

    # -- signature -----------------------------------------------------------------

    def signature(self) -> str:
        """Every setting that changes the output, alignment layer included (it moves codes)."""
        import transformers

        return (f"engine=marian|model={self.model}|revision={self._revision()}|beam={self.beam}"
                f"|max_length={self.max_length}|align_layer={self.align_layer}"
                f"|transformers={transformers.__version__}")

    def _revision(self) -> str:
        """The commit of a hub model (from the cache until loaded); "local" for a directory."""
        if self._resolved_revision is None:
            if is_local_path(self.model):
                self._resolved_revision = "local"
            else:
                return cached_commit(self.model, self.revision) or self.revision or "unresolved"
        return self._resolved_revision

    # -- translation -----------------------------------------------------------------

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None,
                  progress: BatchDone | None = None) -> list[Translation]:
        """Translate in length-sorted batches; results come back in the input order.

        Texts with ``constraints`` are decoded by the constrained beam search
        (:mod:`translate.engines.constrained`), which guarantees every term; the
        others decode exactly as ``model.generate`` does.  ``progress`` hears of
        each batch as it is done.
        """
        wanted, terms = align_and_terms(texts, align, constraints)
        results: list[Translation | None] = [None] * len(texts)
        todo = []
        for index, text in enumerate(texts):
            if text.strip():
                todo.append(index)
            else:
                results[index] = Translation("")
        if todo:
            self.load()
            sources = {index: self._encode(texts[index], index) for index in todo}
            order = sorted(todo, key=lambda index: len(sources[index].ids))
            for first in range(0, len(order), self.batch_size):
                batch = order[first:first + self.batch_size]
                done = self._translate_batch([sources[i] for i in batch], [wanted[i] for i in batch],
                                             [self._constraints(terms[i]) for i in batch])
                for index, translation in zip(batch, done, strict=True):
                    results[index] = translation
                if progress is not None:
                    progress(batch)
        return [r if r is not None else Translation("") for r in results]

    def _max_input(self) -> int:
        limits = [self._tokenizer.model_max_length, getattr(self._model.config, "max_position_embeddings", 0)]
        return min(int(x) for x in limits if x and int(x) < 1_000_000)

    def _encode(self, text: str, index: int) -> _Source:
        """Tokenize as ``tokenizer(text)`` does, keeping the pieces for source spans."""
        tokenizer = self._tokenizer
        pieces = truncate(tokenizer.tokenize(text), self._max_input(), index, self.model)
        ids = tokenizer.convert_tokens_to_ids(pieces) + [tokenizer.eos_token_id]
        return _Source(text, pieces, ids)

    def _constraints(self, terms: list[TermConstraint]) -> list[Constraint]:
        from .constrained import token_constraints

        assert self._forms is not None  # loaded
        return token_constraints(terms, self._forms)

    def _generate(self, input_ids: Any, mask: Any,
                  constraints: list[list[Constraint]]) -> tuple[Any, list[Hypothesis]]:
        """Token ids ``[start] + output`` per row, padded (``generate``'s layout), and each row's result.

        Every batch goes through :func:`~translate.engines.constrained.constrained_search`,
        which decodes a row without constraints to the tokens ``model.generate`` gives
        (tested) and returns the score its beam search ranked by, at no extra cost.
        A model whose generation settings that search does not mirror is decoded by
        ``generate`` instead when there are no constraints, without scores.
        """
        import torch

        if not any(constraints) and self._generate_only is not None:
            return self._plain_generate(input_ids, mask)
        from .constrained import constrained_search
        from .phrases import word_continuation_ids

        if self._continuations is None:
            self._continuations = word_continuation_ids(self._tokenizer)
        # room for every term, however short max_length was set
        needed = max(sum(c.min_length for c in row) for row in constraints) + 1
        found = constrained_search(self._model, input_ids, mask, constraints, num_beams=self.beam,
                                   max_new_tokens=max(self.max_length, needed),
                                   min_new_tokens=self._generation.min_new_tokens or 0,
                                   word_continuations=self._continuations)
        start, pad = self._generation.decoder_start_token_id, self._tokenizer.pad_token_id
        width = max(len(h.tokens) for h in found) + 1
        rows = [[start] + h.tokens + [pad] * (width - 1 - len(h.tokens)) for h in found]
        return torch.tensor(rows, device=self._torch_device), found

    def _plain_generate(self, input_ids: Any, mask: Any) -> tuple[Any, list[Hypothesis]]:
        """``model.generate``, for generation settings our search does not mirror: no scores."""
        from .constrained import Hypothesis

        generated = self._model.generate(input_ids=input_ids, attention_mask=mask,
                                         generation_config=self._generation)
        eos = self._tokenizer.eos_token_id
        found = []
        for row in generated.tolist():
            tokens = row[1:]
            tokens = tokens[: tokens.index(eos) + 1] if eos in tokens else tokens
            found.append(Hypothesis(tokens, None, len(tokens) >= self.max_length))
        return generated, found

    def _translate_batch(self, sources: list[_Source], align: list[bool],
                         constraints: list[list[Constraint]]) -> list[Translation]:
        import torch

        pad = self._tokenizer.pad_token_id
        width = max(len(s.ids) for s in sources)
        input_ids = torch.tensor([s.ids + [pad] * (width - len(s.ids)) for s in sources],
                                 device=self._torch_device)
        mask = torch.tensor([[1] * len(s.ids) + [0] * (width - len(s.ids)) for s in sources],
                            device=self._torch_device)
        with torch.inference_mode():
            generated, found = self._generate(input_ids, mask, constraints)
            rows = [k for k, wanted in enumerate(align) if wanted]
            attention = self._cross_attention(input_ids[rows], mask[rows], generated[rows]) if rows else None
        generated_ids = generated.tolist()
        texts = self._tokenizer.batch_decode(generated_ids, skip_special_tokens=True)
        results = []
        for k, (source, ids, text, hypothesis) in enumerate(zip(sources, generated_ids, texts, found,
                                                                strict=True)):
            row_attention = attention[rows.index(k)] if attention is not None and k in rows else None
            produced, weights = self._produced(ids, row_attention, len(source.pieces))
            pieces = self._tokenizer.convert_ids_to_tokens(produced)
            alignment = None
            if weights is not None:
                alignment = TokenAlignment(piece_spans(source.text, source.pieces),
                                           piece_spans(text, pieces), weights)
            results.append(Translation(text, alignment, pieces, hypothesis.score, hypothesis.truncated))
        return results

    def _cross_attention(self, input_ids: Any, mask: Any, generated: Any) -> Any:
        """Teacher-forced pass: row t of the result is the attention while producing generated[t + 1].

        ``decoder_input_ids = generated[:, :-1]`` is ``[decoder_start] + tokens[:-1]``; the
        decoder at position t reads generated[t] and predicts generated[t + 1], so its
        cross-attention row t belongs to the token produced at t + 1.  Eager attention is
        switched on for this pass only (SDPA returns no weights) and switched back after.
        """
        model = self._model
        previous = model.config._attn_implementation
        model.set_attn_implementation("eager")
        try:
            output = model(input_ids=input_ids, attention_mask=mask,
                           decoder_input_ids=generated[:, :-1], output_attentions=True)
        finally:
            model.set_attn_implementation(previous)
        layers = output.cross_attentions
        layer = layers[self.align_layer] if len(layers) >= abs(self.align_layer) else layers[-1]
        return layer.mean(dim=1).float().cpu()  # (batch, target, source), heads averaged

    def _produced(self, ids: list[int], attention: Any,
                  n_source: int) -> tuple[list[int], list[list[float]] | None]:
        """The produced text tokens (no start, eos, pad, unk) and their attention rows.

        Columns are the ``n_source`` source pieces (``</s>`` and padding follow them and
        are dropped); each row is renormalised to sum to 1 over the pieces that are left.
        """
        special = set(self._tokenizer.all_special_ids)
        produced = ids[1:]  # ids[0] is the decoder start token
        keep_rows = [t for t, token in enumerate(produced) if token not in special]
        tokens = [produced[t] for t in keep_rows]
        if attention is None:
            return tokens, None
        return tokens, [renormalise(attention[t, :n_source].tolist()) for t in keep_rows]
