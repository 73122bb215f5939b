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

Over-long inputs: a text longer than the model's input limit (512 tokens for
opus-mt) is truncated to that limit and a warning is logged naming the text.
Splitting is the segmenter's job; failing the whole document for one run-on
sentence would be worse than translating its first 511 tokens visibly.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .base import TermConstraint, TokenAlignment, Translation

if TYPE_CHECKING:
    from .constrained import Constraint

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
#: Files a local opus-mt directory must hold (weights: one of WEIGHT_FILES).
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
SPIECE_UNDERLINE = "\u2581"
_TRUE = {"1", "true", "yes", "on"}
LOCAL_ONLY = {"local_files_only": True}

HOW_TO_PROVIDE = (
    "provide it with --model DIR (a local directory holding the opus-mt files: "
    "config.json, model.safetensors, source.spm, target.spm, vocab.json, tokenizer_config.json), "
    "or set HF_HUB_OFFLINE=1 with the model already in the Hugging Face cache, "
    "or set HF_HOME to a directory whose cache holds it"
)


@dataclass
class _Source:
    """One text ready for the model: its SentencePiece pieces and their ids (eos last)."""

    text: str
    pieces: list[str]
    ids: list[int]


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def offline_requested() -> bool:
    """HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE, read when loading (huggingface_hub reads them at import)."""
    return _env_true("HF_HUB_OFFLINE") or _env_true("TRANSFORMERS_OFFLINE")


def hub_cache_dir() -> str | None:
    """The hub cache the environment names now (HF_HUB_CACHE, else HF_HOME/hub); None: the default."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.path.expanduser(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return os.path.join(os.path.expanduser(os.environ["HF_HOME"]), "hub")
    return None


def _is_local_path(model: str) -> bool:
    """A path (existing or meant as one) rather than a hub id like ``org/name``."""
    if Path(model).expanduser().exists():
        return True
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def _short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 200 else reason[:197] + "..."


class MarianEngine:
    """Translate plain text with an opus-mt Marian model; align on request."""

    name = "marian"
    keeps_codes = False
    #: decoder layer whose cross-attention gives alignments (see module docstring)
    align_layer = -2

    def __init__(self, model: str = DEFAULT_MODEL, beam: int = 4, batch_size: int = 16,
                 max_length: int = 256, device: str = "cpu", revision: str | None = None,
                 **_ignored: Any) -> None:
        for option, value in (("beam", beam), ("batch_size", batch_size), ("max_length", max_length)):
            if int(value) < 1:
                raise ModelError(f"marian engine: {option} must be at least 1, got {value}")
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
        self._phrase_cache: dict[str, tuple[list[int] | None, list[int] | None]] = {}
        self._continuations: list[int] | None = None
        self._unwritable: set[str] = set()

    # -- loading -----------------------------------------------------------------

    def load(self) -> None:
        """Load tokenizer and model once; every failure becomes one ModelError."""
        if self._model is not None:
            return
        self._torch_device = self._check_device()
        tokenizer, model = self._from_pretrained()
        model.to(self._torch_device)
        model.eval()
        generation = model.generation_config
        generation.max_length = None  # max_new_tokens rules; avoids a warning per batch
        generation.num_beams = self.beam
        generation.max_new_tokens = self.max_length
        generation.num_return_sequences = 1
        self._tokenizer, self._model, self._generation = tokenizer, model, generation

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

    def _load_error(self, reason: str) -> ModelError:
        return ModelError(f"cannot load Marian model {self.model!r}: {reason}", hint=HOW_TO_PROVIDE)

    def _from_pretrained(self) -> tuple[Any, Any]:
        """Load from a directory, from the cache when offline, else through the hub."""
        if _is_local_path(self.model):
            return self._load_from(str(self._check_dir(Path(self.model).expanduser())), LOCAL_ONLY)
        cache_dir = hub_cache_dir()
        if offline_requested():
            # Resolve the snapshot ourselves: huggingface_hub read HF_HUB_OFFLINE at import and
            # may still touch the network (user-agent registry) with local_files_only=True.
            return self._load_from(str(self._check_dir(self._cached_snapshot(cache_dir))), LOCAL_ONLY)
        options: dict[str, Any] = {"cache_dir": cache_dir, "revision": self.revision}
        return self._load_from(self.model, {k: v for k, v in options.items() if v})

    def _load_from(self, source: str, options: dict[str, Any]) -> tuple[Any, Any]:
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars: the run shows its own progress
        try:
            tokenizer = MarianTokenizer.from_pretrained(source, **options)
            model = MarianMTModel.from_pretrained(source, **options)
        except Exception as exc:  # OSError, hub validation, safetensors, sentencepiece, json...
            raise self._load_error(_short_reason(exc)) from exc
        return tokenizer, model

    def _cached_snapshot(self, cache_dir: str | None) -> Path:
        """The cached snapshot directory of a hub model, found without the network."""
        from huggingface_hub import constants, try_to_load_from_cache

        try:
            cached = try_to_load_from_cache(self.model, "config.json", cache_dir=cache_dir,
                                            revision=self.revision)
        except Exception as exc:  # an id the hub would reject
            raise self._load_error(_short_reason(exc)) from exc
        if not isinstance(cached, str):
            where = cache_dir or constants.HF_HUB_CACHE
            raise self._load_error(f"not in {where} and downloads are off (HF_HUB_OFFLINE)")
        return Path(cached).parent

    def _check_dir(self, directory: Path) -> Path:
        """A directory with every opus-mt file, or one ModelError listing what is missing."""
        if not directory.is_dir():
            raise self._load_error(f"no such directory {str(directory)!r}")
        missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
        if not any((directory / name).is_file() for name in WEIGHT_FILES):
            missing.append(" or ".join(WEIGHT_FILES))
        if missing:
            raise self._load_error(f"directory {str(directory)!r} lacks {', '.join(missing)}")
        return directory

    # -- signature -----------------------------------------------------------------

    def signature(self) -> str:
        """Every setting that changes the output, alignment layer included (it moves codes)."""
        import transformers

        return (f"engine=marian|model={self.model}|revision={self._revision()}|beam={self.beam}"
                f"|max_length={self.max_length}|align_layer={self.align_layer}"
                f"|transformers={transformers.__version__}")

    def _revision(self) -> str:
        """The commit of a hub model when the cache tells it; "local" for a directory."""
        if self._resolved_revision is None:
            self._resolved_revision = self._find_revision()
        return self._resolved_revision

    def _find_revision(self) -> str:
        if _is_local_path(self.model):
            return "local"
        commit = getattr(getattr(self._model, "config", None), "_commit_hash", None)
        if commit:
            return str(commit)
        try:
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(self.model, "config.json", cache_dir=hub_cache_dir(),
                                            revision=self.revision)
        except Exception:  # no cache, bad id: the revision is simply unknown
            cached = None
        match = re.search(r"snapshots[/\\]([0-9a-f]{40})[/\\]", cached) if isinstance(cached, str) else None
        if match:
            return match.group(1)
        return self.revision or "unresolved"

    # -- translation -----------------------------------------------------------------

    def translate(self, texts: list[str], align: list[bool] | None = None,
                  constraints: list[list[TermConstraint]] | None = None) -> list[Translation]:
        """Translate in length-sorted batches; results come back in the input order.

        Texts with ``constraints`` are decoded by the constrained beam search
        (:mod:`translate.engines.constrained`), which guarantees every term; the
        others decode exactly as ``model.generate`` does.
        """
        wanted = list(align) if align is not None else [False] * len(texts)
        terms = list(constraints) if constraints is not None else [[] for _ in texts]
        if len(wanted) != len(texts) or len(terms) != len(texts):
            raise ValueError(f"align/constraints do not match the {len(texts)} texts")
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
                done = self._translate_batch([sources[i] for i in batch], [bool(wanted[i]) for i in batch],
                                             [self._constraints(terms[i]) for i in batch])
                for index, translation in zip(batch, done, strict=True):
                    results[index] = translation
        return [r if r is not None else Translation("") for r in results]

    def _max_input(self) -> int:
        limits = [self._tokenizer.model_max_length, getattr(self._model.config, "max_position_embeddings", 0)]
        return min(int(x) for x in limits if x and int(x) < 1_000_000)

    def _encode(self, text: str, index: int) -> _Source:
        """Tokenize as ``tokenizer(text)`` does, keeping the pieces for source spans."""
        tokenizer = self._tokenizer
        pieces = tokenizer.tokenize(text)
        limit = self._max_input() - 1  # room for </s>
        if len(pieces) > limit:
            log.warning("text %d has %d tokens but model %s reads at most %d: translating the first %d "
                        "only; split it into shorter sentences",
                        index, len(pieces) + 1, self.model, limit + 1, limit)
            pieces = pieces[:limit]
        ids = tokenizer.convert_tokens_to_ids(pieces) + [tokenizer.eos_token_id]
        return _Source(text, pieces, ids)

    def _constraints(self, terms: list[TermConstraint]) -> list[Constraint]:
        """Token-level constraints for a text's terms (each form tokenised once per engine).

        Each form is allowed as the glossary writes it anywhere, and with a
        capital first letter at the start of the output only.
        """
        from .constrained import Constraint

        result = []
        for term in terms:
            tokens = [self._phrase_ids(form) for form in term.forms]
            alternatives = [given for given, _ in tokens if given is not None]
            if alternatives:
                initial = [capital for _, capital in tokens if capital is not None]
                result.append(Constraint(alternatives, term.source, initial))
            elif term.source not in self._unwritable:
                self._unwritable.add(term.source)
                log.warning("glossary term %r: no target form (%s) can be written with the vocabulary of "
                            "model %s; it is not enforced (the terms report shows it missing)",
                            term.source, " | ".join(term.forms), self.model)
        return result

    def _phrase_ids(self, form: str) -> tuple[list[int] | None, list[int] | None]:
        """The token ids of one target form, as written and capitalised (None: cannot be written)."""
        from .constrained import phrase_tokens

        if form not in self._phrase_cache:
            self._phrase_cache[form] = phrase_tokens(self._tokenizer, form)
        return self._phrase_cache[form]

    def _generate(self, input_ids: Any, mask: Any, constraints: list[list[Constraint]]) -> Any:
        """Token ids ``[start] + output`` per row, padded: ``generate``'s layout, constrained or not."""
        import torch

        if not any(constraints):
            return self._model.generate(input_ids=input_ids, attention_mask=mask,
                                        generation_config=self._generation)
        from .constrained import generate_with_constraints, word_continuation_ids

        if self._continuations is None:
            self._continuations = word_continuation_ids(self._tokenizer)
        # room for every term, however short max_length was set
        needed = max(sum(c.min_length for c in row) for row in constraints) + 1
        rows = generate_with_constraints(self._model, input_ids, mask, constraints, num_beams=self.beam,
                                         max_new_tokens=max(self.max_length, needed),
                                         word_continuations=self._continuations)
        start, pad = self._generation.decoder_start_token_id, self._tokenizer.pad_token_id
        width = max(len(row) for row in rows) + 1
        return torch.tensor([[start] + row + [pad] * (width - 1 - len(row)) for row in rows],
                            device=self._torch_device)

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
            generated = self._generate(input_ids, mask, constraints)
            rows = [k for k, wanted in enumerate(align) if wanted]
            attention = self._cross_attention(input_ids[rows], mask[rows], generated[rows]) if rows else None
        generated_ids = generated.tolist()
        texts = self._tokenizer.batch_decode(generated_ids, skip_special_tokens=True)
        results = []
        for k, (source, ids, text) in enumerate(zip(sources, generated_ids, texts, strict=True)):
            row_attention = attention[rows.index(k)] if attention is not None and k in rows else None
            produced, weights = self._produced(ids, row_attention, len(source.pieces))
            pieces = self._tokenizer.convert_ids_to_tokens(produced)
            alignment = None
            if weights is not None:
                alignment = TokenAlignment(piece_spans(source.text, source.pieces),
                                           piece_spans(text, pieces), weights)
            results.append(Translation(text, alignment, pieces))
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
        weights = []
        for t in keep_rows:
            row = [float(w) for w in attention[t, :n_source].tolist()]
            total = sum(row)
            weights.append([w / total for w in row] if total > 0 else [1.0 / len(row)] * len(row))
        return tokens, weights


def piece_spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece in ``text``, found by walking it.

    ``\u2581`` marks a preceding space.  SentencePiece normalises (NFKC, whitespace
    runs), so the walk compares against an NFKC view of ``text`` that remembers
    which original character each normalised one came from, and skips
    whitespace between pieces.  A piece that cannot be matched (``<unk>``, a byte piece)
    gets an empty span at the current position instead of derailing the rest.
    """
    norm: list[str] = []
    owner: list[int] = []
    for index, char in enumerate(text):
        for normal in unicodedata.normalize("NFKC", char):
            norm.append(normal)
            owner.append(index)
    flat = "".join(norm)
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in pieces:
        surface = "".join(piece.replace(SPIECE_UNDERLINE, " ").split())
        start = pos
        while start < len(flat) and flat[start].isspace():
            start += 1
        here = owner[start] if start < len(owner) else len(text)
        if surface and flat.startswith(surface, start):
            end = start + len(surface)
            spans.append((owner[start], owner[end - 1] + 1))
            pos = end
        else:
            spans.append((here, here))
    return spans
