"""Lexically constrained beam search for Marian models, with a guarantee.

Why our own decoder: transformers v5 dropped constrained beam search (its
phrase constraints also only worked at the start or end of the output, bug
#19070) and CTranslate2 has none.  Glossary terms must appear in the
translation, so this module decodes with the model's own forward pass and
KV cache and *guarantees* that every constraint is in the output.

Algorithm: Dynamic Beam Allocation (Post & Vilar 2018, "Fast Lexically
Constrained Decoding with Dynamic Beam Allocation"), the Sockeye variant:

* every step, the candidates of a sentence are the usual top ``2k``
  continuations, the single best token of each beam, and every token that
  makes progress on a constraint from each beam (continue the phrase it is in,
  or start an unmet one);
* candidates are put into *banks* by how many constraint tokens they have
  met, and the ``k`` beam slots are shared among the banks (Sockeye's
  ``get_bank_sizes``), so hypotheses that have met constraints survive next to
  the better-scoring ones that have not;
* a phrase must be produced contiguously: a hypothesis that leaves a phrase
  half-way loses that progress.  Phrases can start at any step, so they land
  anywhere in the output, not only at its start or end.

Grid beam search (Hokamp & Liu 2017) costs ``C+1`` beams per constraint
token; DBA keeps the beam size fixed, so its cost is the forward pass of a
plain beam search plus a little bookkeeping.  The vectorised DBA of Hu et
al. (2019) would save that bookkeeping, but on these models the forward pass
dominates and the per-sentence bookkeeping is kept readable in Python.

The guarantee comes from two rules on top of DBA:

1. EOS is only allowed for a hypothesis that has met all its constraints;
2. a *budget*: a hypothesis whose unmet constraint tokens no longer fit
   before ``max_new_tokens`` (the last position is reserved for EOS) is never
   kept, so when the budget gets tight only the tokens that continue a
   constraint survive -- the constraints are forced in.  Every kept
   hypothesis can therefore still finish, and every finished one has met all
   its constraints.

Parity with ``model.generate``: the search loop mirrors transformers' beam
search (same candidate count ``2k``, the same finished-hypothesis buffer,
length penalty and ``early_stopping`` heuristic, the same logits processors
in the same order), and a sentence without constraints takes exactly that
path, so it decodes to the same tokens as ``model.generate`` with the same
settings.  ``num_beams=1`` is greedy search in ``generate``; here it is a
one-beam search that stops at the first finished hypothesis, which picks the
same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from ..errors import ModelError
from .base import TermConstraint
from .common import TermForms

#: Score of an empty beam slot, as in transformers' beam search.
DEAD_SCORE = -1.0e9
#: Scores below this belong to empty slots, never to real hypotheses.
_ALIVE_ABOVE = -1.0e8



class State(NamedTuple):
    """A hypothesis' constraint state (small and hashable: the tracker memoises on it)."""

    met: int  # bitmask of the constraints met
    partials: tuple[tuple[int, int], ...]  # sorted (alternative index, tokens matched) of phrases under way
    completed: bool  # the last token completed a phrase (a word may not go on after it)
    started: bool  # a token was produced (initial-only variants can no longer start)


@dataclass
class Constraint:
    """One term that must appear once in the output.

    ``alternatives`` are token sequences of which any one satisfies it (the
    phrase mid-sentence and capitalised at sentence start, say).  Two
    occurrences of a term in the source are two constraints.
    """

    alternatives: list[list[int]]
    label: str = ""
    #: variants allowed only at the very start of the output (the phrase with a
    #: sentence-initial capital); they never count towards ``min_length``.
    initial: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        alternatives = [[int(t) for t in alt] for alt in self.alternatives]
        if not alternatives or any(not alt for alt in alternatives):
            raise ValueError(f"constraint {self.label!r} needs at least one non-empty token sequence")
        unique: list[list[int]] = []
        for alt in alternatives:
            if alt not in unique:
                unique.append(alt)
        self.alternatives = unique
        initial: list[list[int]] = []
        for alt in ([int(t) for t in alt] for alt in self.initial):
            if alt and alt not in unique and alt not in initial:
                initial.append(alt)
        self.initial = initial

    @property
    def min_length(self) -> int:
        return min(len(alt) for alt in self.alternatives)


def token_constraints(terms: list[TermConstraint], forms: TermForms[list[int]]) -> list[Constraint]:
    """The constraints the marian engine decodes with for one text's glossary terms.

    Each form is allowed as the glossary writes it anywhere, and with a capital
    first letter at the start of the output only; a term none of whose forms the
    vocabulary can write is left out (``forms`` warns about it once).
    """
    result = []
    for term in terms:
        found = forms.alternatives(term)
        if found is not None:
            result.append(Constraint(found[0], term.source, found[1]))
    return result


# --------------------------------------------------------------------------- constraint tracking


class ConstraintTracker:
    """Which constraints of one sentence a hypothesis has met, and how far into a phrase it is.

    States are small tuples, memoised, so that the per-step work is a few
    dictionary look-ups.  A completed phrase clears every partial match, so
    occurrences are counted without overlap: two identical constraints need
    the phrase twice.
    """

    def __init__(self, constraints: list[Constraint]) -> None:
        self.alternatives: list[tuple[int, ...]] = []
        self.owner: list[int] = []
        self.initial_only: list[bool] = []
        self.min_length = [c.min_length for c in constraints]
        self.starts: dict[int, list[int]] = {}
        for index, constraint in enumerate(constraints):
            variants = [(alt, False) for alt in constraint.alternatives]
            variants += [(alt, True) for alt in constraint.initial]
            for alt, initial_only in variants:
                self.starts.setdefault(alt[0], []).append(len(self.alternatives))
                self.alternatives.append(tuple(alt))
                self.owner.append(index)
                self.initial_only.append(initial_only)
        self.tokens = frozenset(t for alt in self.alternatives for t in alt)
        self.total = sum(self.min_length)
        self.all_met = (1 << len(constraints)) - 1
        self.initial = State(met=0, partials=(), completed=False, started=False)
        self._advanced: dict[tuple[State, int], State] = {}
        self._remaining: dict[State, int] = {}
        self._next: dict[State, tuple[int, ...]] = {}

    def _can_start(self, met: int, alternative: int, started: bool) -> bool:
        """An unmet constraint's variant may start here (initial-only ones only at the start)."""
        return not met >> self.owner[alternative] & 1 and not (started and self.initial_only[alternative])

    def advance(self, state: State, token: int) -> State:
        """The state after appending ``token``."""
        met, partials, completed, started = state
        if token not in self.tokens:
            return State(met, (), False, True) if partials or completed or not started else state
        key = (state, token)
        if key not in self._advanced:
            self._advanced[key] = self._advance(met, partials, token, started)
        return self._advanced[key]

    def _advance(self, met: int, partials: tuple[tuple[int, int], ...], token: int, started: bool) -> State:
        grown: set[tuple[int, int]] = set()
        for alt, matched in partials:
            if self.alternatives[alt][matched] == token:
                grown.add((alt, matched + 1))
        for alt in self.starts.get(token, ()):
            if self._can_start(met, alt, started):
                grown.add((alt, 1))
        done = [(n, alt) for alt, n in grown if n == len(self.alternatives[alt])]
        if done:
            # the longest phrase just completed wins; among equals the first constraint
            _, alt = max(done, key=lambda item: (item[0], -self.owner[item[1]]))
            return State(met | 1 << self.owner[alt], (), completed=True, started=True)
        return State(met, tuple(sorted(grown)), completed=False, started=True)

    def remaining(self, state: State) -> int:
        """The fewest tokens still needed to meet every constraint from ``state``."""
        if state not in self._remaining:
            met, partials = state.met, state.partials
            unmet = sum(n for index, n in enumerate(self.min_length) if not met >> index & 1)
            best = unmet
            for alt, matched in partials:
                rest = unmet - self.min_length[self.owner[alt]] + len(self.alternatives[alt]) - matched
                best = min(best, rest)
            self._remaining[state] = best
        return self._remaining[state]

    def next_tokens(self, state: State) -> tuple[int, ...]:
        """Tokens that make progress: continue a partial phrase or start an unmet one."""
        if state not in self._next:
            met, partials, started = state.met, state.partials, state.started
            tokens = {self.alternatives[alt][n] for alt, n in partials}
            tokens.update(alt[0] for i, alt in enumerate(self.alternatives)
                          if self._can_start(met, i, started))
            self._next[state] = tuple(sorted(tokens))
        return self._next[state]

    def satisfied_by(self, tokens: list[int]) -> bool:
        """Whether a finished output meets every constraint."""
        state = self.initial
        for token in tokens:
            state = self.advance(state, token)
        return state.met == self.all_met


# --------------------------------------------------------------------------- settings


#: Generation settings this decoder does not implement, with their neutral value
#: (``None`` is neutral too: transformers v5 fills unset fields with defaults).
_UNSUPPORTED: dict[str, Any] = {
    "do_sample": False, "num_return_sequences": 1, "repetition_penalty": 1.0,
    "encoder_repetition_penalty": 1.0, "no_repeat_ngram_size": 0, "encoder_no_repeat_ngram_size": 0,
    "sequence_bias": None, "forced_bos_token_id": None, "remove_invalid_values": False,
    "exponential_decay_length_penalty": None, "suppress_tokens": None, "begin_suppress_tokens": None,
    "guidance_scale": 1.0, "watermarking_config": None,
}


def _config_value(config: Any, name: str, default: Any) -> Any:
    """A generation-config field as ``generate`` sees it: unset (``None``) means the default."""
    value = getattr(config, name, None)
    return default if value is None else value


@dataclass(frozen=True)
class DecodeSettings:
    """Everything that shapes the search, resolved from the arguments and the generation config."""

    num_beams: int
    max_new_tokens: int
    min_new_tokens: int
    length_penalty: float
    early_stopping: bool | str
    eos_ids: tuple[int, ...]
    start_id: int
    bad_words_ids: list[list[int]] | None = None
    min_length: int = 0
    forced_eos_id: int | None = None
    renormalize_logits: bool = False  # opus-mt's configs set it: log-softmax again after the bans

    @property
    def max_length(self) -> int:
        """Sequence length including the decoder start token, as ``generate`` counts it."""
        return self.max_new_tokens + 1


def resolve_settings(model: Any, num_beams: int, max_new_tokens: int, min_new_tokens: int,
                     length_penalty: float | None, early_stopping: bool | str | None) -> DecodeSettings:
    """Read the model's generation config the way ``generate`` does; refuse what we do not mirror."""
    config = model.generation_config
    changed = [name for name, neutral in _UNSUPPORTED.items()
               if _config_value(config, name, neutral) != neutral]
    if changed:
        raise ModelError(
            f"constrained decoding does not support the generation settings: {', '.join(changed)}",
            hint="reset them in generation_config.json or decode without constraints",
        )
    eos = config.eos_token_id
    eos_ids = tuple(eos) if isinstance(eos, list | tuple) else (eos,)
    start = config.decoder_start_token_id
    if start is None or eos is None:
        raise ModelError("the model's generation config lacks decoder_start_token_id or eos_token_id")
    if num_beams < 1 or max_new_tokens < 1 or not 0 <= min_new_tokens <= max_new_tokens:
        raise ValueError(f"bad search sizes: num_beams={num_beams}, max_new_tokens={max_new_tokens}, "
                         f"min_new_tokens={min_new_tokens}")
    return DecodeSettings(
        num_beams=num_beams,
        max_new_tokens=max_new_tokens,
        min_new_tokens=min_new_tokens,
        length_penalty=length_penalty if length_penalty is not None
        else _config_value(config, "length_penalty", 1.0),
        # generate's one-beam search is greedy: the first finished hypothesis is the answer
        early_stopping=True if num_beams == 1
        else early_stopping if early_stopping is not None
        else _config_value(config, "early_stopping", False),
        eos_ids=eos_ids,
        start_id=int(start),
        bad_words_ids=config.bad_words_ids,
        min_length=_config_value(config, "min_length", 0),
        forced_eos_id=config.forced_eos_token_id,
        renormalize_logits=bool(_config_value(config, "renormalize_logits", False)),
    )


def _logits_processors(settings: DecodeSettings, device: torch.device) -> Any:
    """The processors ``generate`` builds for these settings, in its order."""
    from transformers import (
        ForcedEOSTokenLogitsProcessor,
        LogitNormalization,
        LogitsProcessorList,
        MinLengthLogitsProcessor,
        MinNewTokensLengthLogitsProcessor,
        NoBadWordsLogitsProcessor,
    )

    eos = torch.tensor(settings.eos_ids, device=device)
    where = str(device)  # the processors' annotations say str; a torch.device works as well
    processors = LogitsProcessorList()
    if settings.bad_words_ids is not None:
        processors.append(NoBadWordsLogitsProcessor(settings.bad_words_ids, eos))
    if settings.min_length > 0:
        processors.append(MinLengthLogitsProcessor(settings.min_length, eos, device=where))
    if settings.min_new_tokens > 0:
        processors.append(MinNewTokensLengthLogitsProcessor(1, settings.min_new_tokens, eos, device=where))
    if settings.forced_eos_id is not None:
        forced = ForcedEOSTokenLogitsProcessor(settings.max_length, settings.forced_eos_id, device=where)
        processors.append(forced)
    if settings.renormalize_logits:
        processors.append(LogitNormalization())  # last, as generate has it
    return processors


def _check_constraints(constraints: list[list[Constraint]], batch: int, settings: DecodeSettings,
                       vocab_size: int) -> None:
    """Collect every constraint that cannot be met, then raise once."""
    if len(constraints) != batch:
        raise ValueError(f"{len(constraints)} constraint lists for {batch} inputs")
    banned = set(settings.eos_ids) | {w[0] for w in settings.bad_words_ids or [] if len(w) == 1}
    problems = []
    for index, sentence in enumerate(constraints):
        for constraint in sentence:
            tokens = {t for alt in constraint.alternatives for t in alt}
            if tokens & banned or any(not 0 <= t < vocab_size for t in tokens):
                problems.append(f"input {index}: constraint {constraint.label!r} uses a forbidden token")
        needed = sum(c.min_length for c in sentence)
        if sentence and needed > settings.max_new_tokens - 1:
            problems.append(f"input {index}: constraints need {needed} tokens, more than "
                            f"max_new_tokens - 1 = {settings.max_new_tokens - 1}")
    if problems:
        raise ValueError("; ".join(problems))


# --------------------------------------------------------------------------- the model


class _ModelRunner:
    """Encoder once, then the decoder one token at a time with an ``EncoderDecoderCache``.

    The calls match what ``generate`` makes (inputs expanded to ``batch*k``
    rows, the whole cache reordered by beam origin), so the numbers match too.
    """

    def __init__(self, model: Any, input_ids: torch.Tensor, attention_mask: torch.Tensor | None,
                 num_beams: int) -> None:
        from transformers.cache_utils import DynamicCache, EncoderDecoderCache

        self.model = model
        self.device = input_ids.device
        encoder = model.get_encoder()
        encoder_outputs = encoder(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)
        if num_beams > 1:
            for key in list(encoder_outputs.keys()):
                if isinstance(encoder_outputs[key], torch.Tensor):
                    encoder_outputs[key] = encoder_outputs[key].repeat_interleave(num_beams, dim=0)
            if attention_mask is not None:
                attention_mask = attention_mask.repeat_interleave(num_beams, dim=0)
        self.encoder_outputs = encoder_outputs
        self.attention_mask = attention_mask
        decoder_config = model.config.get_text_config(decoder=True)
        self.cache = EncoderDecoderCache(DynamicCache(config=decoder_config),
                                         DynamicCache(config=decoder_config))

    def next_log_probs(self, last_tokens: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of the next token for every row, before the logits processors."""
        outputs = self.model(
            decoder_input_ids=last_tokens[:, None].contiguous(),
            cache=self.cache,
            attention_mask=self.attention_mask,
            encoder_outputs=self.encoder_outputs,
            use_cache=True,
            return_dict=True,
        )
        self.cache = outputs.cache
        logits = outputs.logits[:, -1, :].to(copy=True, dtype=torch.float32)
        return torch.nn.functional.log_softmax(logits, dim=-1)

    def reorder(self, rows: torch.Tensor) -> None:
        self.cache.reorder_cache(rows)  # type: ignore[arg-type]  # a LongTensor at run time; the stub wants the subclass


# --------------------------------------------------------------------------- beam bookkeeping


def _gather(tensor: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``tensor[b, index[b, j], ...]``: pick beams per sentence."""
    while index.dim() < tensor.dim():
        index = index.unsqueeze(-1)
    return torch.take_along_dim(tensor, index, dim=1)


@dataclass
class _Beams:
    """The search state of the whole batch, shaped like transformers' beam search."""

    running: torch.Tensor  # (batch, k, max_length) token ids, start token first
    running_scores: torch.Tensor  # (batch, k) summed log-probabilities
    finished: torch.Tensor  # (batch, k, max_length) best finished hypotheses
    finished_scores: torch.Tensor  # (batch, k) length-penalised scores
    finished_lengths: torch.Tensor  # (batch, k) lengths including the start token
    is_finished: torch.Tensor  # (batch, k) slot holds a finished hypothesis
    improvable: torch.Tensor  # (batch, 1) the open beams can still beat the finished ones

    @classmethod
    def start(cls, batch: int, settings: DecodeSettings, device: torch.device) -> _Beams:
        k, length = settings.num_beams, settings.max_length
        running = torch.full((batch, k, length), settings.start_id, dtype=torch.int64, device=device)
        scores = torch.zeros((batch, k), device=device)
        scores[:, 1:] = DEAD_SCORE
        return cls(
            running=running,
            running_scores=scores,
            finished=running.clone(),
            finished_scores=torch.full((batch, k), DEAD_SCORE, device=device),
            finished_lengths=torch.ones((batch, k), dtype=torch.int64, device=device),
            is_finished=torch.zeros((batch, k), dtype=torch.bool, device=device),
            improvable=torch.ones((batch, 1), dtype=torch.bool, device=device),
        )


@dataclass
class _Candidates:
    """The ``2k`` continuations per sentence a step chooses from; ``hits`` marks finished ones."""

    scores: torch.Tensor  # (batch, 2k) summed log-probabilities
    beams: torch.Tensor  # (batch, 2k) beam each one extends
    tokens: torch.Tensor  # (batch, 2k)
    hits: torch.Tensor  # (batch, 2k) ends with EOS or reaches max_length


def _top_candidates(accumulated: torch.Tensor, settings: DecodeSettings, cur_len: int) -> _Candidates:
    """The plain beam search's choice: top ``2k`` of all beams' continuations."""
    k = settings.num_beams
    vocab = accumulated.shape[-1] // k
    scores, flat = torch.topk(accumulated, k=2 * k)
    tokens = flat % vocab
    return _Candidates(scores, flat // vocab, tokens, _hits(tokens, settings, cur_len))


def _hits(tokens: torch.Tensor, settings: DecodeSettings, cur_len: int) -> torch.Tensor:
    hits = torch.isin(tokens, torch.tensor(settings.eos_ids, device=tokens.device))
    if cur_len + 1 >= settings.max_length:
        hits = torch.ones_like(hits)
    return hits


def _advance_beams(beams: _Beams, cand: _Candidates, settings: DecodeSettings, cur_len: int) -> torch.Tensor:
    """One step of transformers' beam search given the candidates; returns the chosen slots."""
    k = settings.num_beams
    sequences = _gather(beams.running, cand.beams)
    sequences[:, :, cur_len] = cand.tokens
    # the open hypotheses for the next step: the best k that did not finish
    open_scores = cand.scores + cand.hits.to(torch.float32) * DEAD_SCORE
    chosen = torch.topk(open_scores, k=k)[1]
    _update_finished(beams, sequences, cand, settings, cur_len)
    beams.running = _gather(sequences, chosen)
    beams.running_scores = _gather(open_scores, chosen)
    _update_improvable(beams, settings, cur_len + 1)
    return chosen


def _update_finished(beams: _Beams, sequences: torch.Tensor, cand: _Candidates, settings: DecodeSettings,
                     cur_len: int) -> None:
    """Merge the candidates that finished among the first ``k`` into the finished buffer."""
    k = settings.num_beams
    first_k = torch.arange(2 * k, device=cand.scores.device) < k
    just_finished = cand.hits & first_k[None, :]
    scores = cand.scores / ((cur_len + 1 - 1) ** settings.length_penalty)
    full = torch.all(beams.is_finished, dim=-1, keepdim=True) & (settings.early_stopping is True)
    scores = scores + full.to(torch.float32) * DEAD_SCORE
    scores = scores + (~beams.improvable).to(torch.float32) * DEAD_SCORE
    scores = scores + (~just_finished) * DEAD_SCORE
    merged_scores = torch.cat((beams.finished_scores, scores), dim=1)
    keep = torch.topk(merged_scores, k=k)[1]
    lengths = torch.full_like(cand.beams, cur_len + 1)
    beams.finished = _gather(torch.cat((beams.finished, sequences), dim=1), keep)
    beams.finished_scores = _gather(merged_scores, keep)
    beams.finished_lengths = _gather(torch.cat((beams.finished_lengths, lengths), dim=1), keep)
    beams.is_finished = _gather(torch.cat((beams.is_finished, just_finished), dim=1), keep)


def _update_improvable(beams: _Beams, settings: DecodeSettings, cur_len: int) -> None:
    """transformers' early-stop heuristic: can an open beam still beat the worst finished one?"""
    if settings.early_stopping == "never" and settings.length_penalty > 0.0:
        best_length = settings.max_length - 1
    else:
        best_length = cur_len - 1
    best_possible = beams.running_scores[:, :1] / (best_length ** settings.length_penalty)
    worst_finished = torch.min(beams.finished_scores, dim=1, keepdim=True)[0]
    worst = torch.where(beams.is_finished, worst_finished, DEAD_SCORE)
    beams.improvable = beams.improvable & torch.any(best_possible > worst, dim=-1, keepdim=True)


def _search_goes_on(beams: _Beams, cand: _Candidates, settings: DecodeSettings) -> bool:
    improvement_possible = bool(torch.any(beams.improvable))
    open_beam = not (bool(torch.all(beams.is_finished)) and settings.early_stopping is True)
    return improvement_possible and open_beam and not bool(torch.all(cand.hits))


# --------------------------------------------------------------------------- dynamic beam allocation


@dataclass(order=True)
class _Choice:
    """One continuation of one beam of a constrained sentence."""

    sort_key: tuple[float, int, int] = field(init=False, repr=False)
    score: float = field(compare=False)
    beam: int = field(compare=False)
    token: int = field(compare=False)
    state: State | None = field(compare=False, default=None)
    progress: int = field(compare=False, default=0)

    def __post_init__(self) -> None:
        self.sort_key = (-self.score, self.beam, self.token)


@dataclass
class _SentenceView:
    """What DBA needs of one sentence this step, as plain Python values."""

    top: list[tuple[float, int, int]]  # (score, beam, token) of the plain top 2k
    extra: list[tuple[float, int, int]]  # best token per beam and constraint tokens
    states: list[State | None]  # per beam; None for an empty slot
    alive: list[bool]


def bank_sizes(num_banks: int, beam_size: int, counts: list[int]) -> list[int]:
    """Sockeye's allocation: share the beam evenly, remainder to the top bank, then push
    the slots a bank cannot fill down to the bank below (round robin)."""
    size, remainder = divmod(beam_size, num_banks)
    assigned = [size] * num_banks
    assigned[-1] += remainder
    for bank in reversed(range(num_banks)):
        overfill = assigned[bank] - counts[bank]
        if overfill > 0:
            assigned[bank] -= overfill
            assigned[(bank - 1) % num_banks] += overfill
    return assigned


def _allocate(open_choices: list[_Choice], beam_size: int, num_banks: int) -> list[_Choice]:
    """Pick up to ``beam_size`` open hypotheses, best first within each bank."""
    open_choices.sort()
    counts = [0] * num_banks
    for choice in open_choices:
        counts[choice.progress] += 1
    sizes = bank_sizes(num_banks, beam_size, counts)
    picked = []
    for choice in open_choices:
        if sizes[choice.progress] > 0:
            picked.append(choice)
            sizes[choice.progress] -= 1
    return picked


def _select_constrained(tracker: ConstraintTracker, view: _SentenceView, settings: DecodeSettings,
                        position: int) -> tuple[list[_Choice], list[_Choice]]:
    """DBA for one sentence: (finished choices, open choices), each at most ``k``, best first.

    ``position`` is the 1-based index of the token being chosen; the last
    one (``max_new_tokens``) finishes every hypothesis.
    """
    last = position >= settings.max_new_tokens
    budget = settings.max_new_tokens - 1 - position
    seen: set[tuple[int, int]] = set()
    finished: list[_Choice] = []
    open_choices: list[_Choice] = []
    for score, beam, token in view.top + view.extra:
        if (beam, token) in seen or not view.alive[beam] or not score > _ALIVE_ABOVE:
            continue
        seen.add((beam, token))
        state = view.states[beam]
        assert state is not None
        if token in settings.eos_ids:
            if tracker.remaining(state) == 0:
                finished.append(_Choice(score, beam, token))
            continue
        new_state = tracker.advance(state, token)
        left = tracker.remaining(new_state)
        if last:
            if left == 0:
                finished.append(_Choice(score, beam, token))
        elif left <= budget:
            open_choices.append(_Choice(score, beam, token, new_state, tracker.total - left))
    finished.sort()
    return finished[: settings.num_beams], _allocate(open_choices, settings.num_beams, tracker.total + 1)


@dataclass
class _CandidateSlots:
    """One sentence's choices laid out as the ``2k`` candidate slots ``_advance_beams`` reads:
    finished ones first (only the first ``k`` slots can finish), open ones after."""

    scores: list[float]
    beams: list[int]
    tokens: list[int]
    hits: list[bool]
    states: list[State | None]

    @classmethod
    def layout(cls, finished: list[_Choice], open_choices: list[_Choice], k: int,
               last: bool) -> _CandidateSlots:
        dead_finished = _Choice(float("-inf"), 0, 0)  # never beats a real finished hypothesis
        dead_open = _Choice(DEAD_SCORE, 0, 0)  # an empty beam, as transformers marks them
        slots = finished + [dead_finished] * (k - len(finished))
        slots += open_choices + [dead_open] * (k - len(open_choices))
        return cls([c.score for c in slots], [c.beam for c in slots], [c.token for c in slots],
                   [True] * k + [last] * k, [c.state for c in slots])


class _ConstrainedRows:
    """The constrained sentences of a batch: their trackers and per-beam states."""

    def __init__(self, constraints: list[list[Constraint]], k: int,
                 word_continuations: torch.Tensor | None = None) -> None:
        self.word_continuations = word_continuations
        self.rows = [i for i, sentence in enumerate(constraints) if sentence]
        self.trackers = {i: ConstraintTracker(constraints[i]) for i in self.rows}
        self.states: dict[int, list[State | None]] = {
            i: [self.trackers[i].initial] + [None] * (k - 1) for i in self.rows
        }
        self.slot_states: dict[int, list[State | None]] = {}

    def apply(self, cand: _Candidates, accumulated: torch.Tensor, beams: _Beams, settings: DecodeSettings,
              cur_len: int) -> None:
        """Replace the plain candidates of the constrained sentences by DBA's choice."""
        improvable = beams.improvable[:, 0].tolist()
        rows = [i for i in self.rows if improvable[i]]  # finished sentences need no more work
        if not rows:
            return
        k = settings.num_beams
        views = self._views(rows, cand, accumulated, beams, k)
        last = cur_len >= settings.max_new_tokens
        slots = [_CandidateSlots.layout(*_select_constrained(self.trackers[i], views[i], settings, cur_len),
                                        k, last) for i in rows]
        index = torch.tensor(rows, device=cand.scores.device)
        cand.scores[index] = torch.tensor([s.scores for s in slots]).to(cand.scores)
        cand.beams[index] = torch.tensor([s.beams for s in slots]).to(cand.beams)
        cand.tokens[index] = torch.tensor([s.tokens for s in slots]).to(cand.tokens)
        cand.hits[index] = torch.tensor([s.hits for s in slots]).to(cand.hits)
        self.slot_states = {i: s.states for i, s in zip(rows, slots, strict=True)}

    def _views(self, rows: list[int], cand: _Candidates, accumulated: torch.Tensor, beams: _Beams,
               k: int) -> dict[int, _SentenceView]:
        """Pull this step's numbers for the constrained sentences out of the tensors, in few calls."""
        index = torch.tensor(rows, device=accumulated.device)
        per_beam = accumulated.view(accumulated.shape[0], k, -1)  # a view: no copy of the big tensor
        best_scores, best_tokens = (t[index].tolist() for t in per_beam.max(dim=-1))
        alive = (beams.running_scores[index] > _ALIVE_ABOVE).tolist()
        views = {}
        top = zip(cand.scores[index].tolist(), cand.beams[index].tolist(), cand.tokens[index].tolist(),
                  strict=True)
        for r, (i, columns) in enumerate(zip(rows, top, strict=True)):
            live = [a and s is not None for a, s in zip(alive[r], self.states[i], strict=True)]
            extra = list(zip(best_scores[r], range(k), best_tokens[r], strict=True))
            views[i] = _SentenceView(list(zip(*columns, strict=True)), extra, self.states[i], live)
        self._add_progress_tokens(views, per_beam)
        return views

    def _add_progress_tokens(self, views: dict[int, _SentenceView], per_beam: torch.Tensor) -> None:
        """Score every token that makes constraint progress from each live beam, in one gather."""
        wanted = [(i, beam, token) for i, view in views.items() for beam, state in enumerate(view.states)
                  if view.alive[beam] and state is not None for token in self.trackers[i].next_tokens(state)]
        if not wanted:
            return
        rows, beams, tokens = (torch.tensor(col, device=per_beam.device) for col in zip(*wanted, strict=True))
        for (i, beam, token), score in zip(wanted, per_beam[rows, beams, tokens].tolist(), strict=True):
            views[i].extra.append((score, beam, token))

    def end_words(self, log_probs: torch.Tensor, k: int) -> None:
        """A completed phrase ends a word: ``Moscow`` may not go on as ``Moscowite``.

        Right after a phrase's last token, pieces that continue a word (no ``▁``,
        starting with a letter or digit) are banned for that hypothesis, so a term
        in the output is always whole words, as the term metrics count it.
        """
        if self.word_continuations is None:
            return
        rows = [i * k + beam for i in self.rows for beam, state in enumerate(self.states[i])
                if state is not None and state.completed]
        if rows:
            index = torch.tensor(rows, device=log_probs.device)
            log_probs[index[:, None], self.word_continuations[None, :]] = float("-inf")

    def follow(self, chosen: torch.Tensor) -> None:
        """Carry the states of the slots ``_advance_beams`` chose into the new beams."""
        for i, slots in self.slot_states.items():
            self.states[i] = [slots[j] for j in chosen[i].tolist()]
        self.slot_states = {}


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Hypothesis:
    """The search's best output for one input, with what the search knows about it.

    ``tokens`` has no decoder start token and ends with EOS (unless
    ``max_new_tokens`` ran out on a model without ``forced_eos_token_id``).
    ``score`` is the mean log-probability per token the search summed (EOS
    included when the model chose it; an EOS forced at the limit scores 0 and
    is left out); ``None`` when nothing but a forced EOS was produced.
    ``truncated``: the output used all ``max_new_tokens`` positions.
    """

    tokens: list[int]
    score: float | None
    truncated: bool


@torch.no_grad()
def constrained_search(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    constraints: list[list[Constraint]],
    num_beams: int = 4,
    max_new_tokens: int = 256,
    min_new_tokens: int = 0,
    length_penalty: float | None = None,
    early_stopping: bool | str | None = None,
    word_continuations: list[int] | None = None,
) -> list[Hypothesis]:
    """Beam search in which every input's constraints are guaranteed to appear in its output.

    One :class:`Hypothesis` per input.  Inputs with an empty constraint list
    decode exactly as ``model.generate`` would with the same ``num_beams``,
    ``max_new_tokens`` and ``min_new_tokens`` (the same tokens; the score is the
    one ``generate``'s beam search ranks by, before its length penalty).
    ``length_penalty`` and ``early_stopping`` default to the model's
    generation config.  ``word_continuations`` (token ids of pieces that continue a
    word, see :func:`~translate.engines.phrases.word_continuation_ids`) are banned right
    after a completed phrase, so that terms come out as whole words.
    """
    settings = resolve_settings(model, num_beams, max_new_tokens, min_new_tokens, length_penalty,
                                early_stopping)
    batch = input_ids.shape[0]
    vocab_size = getattr(model.config, "decoder_vocab_size", None) or model.config.vocab_size
    _check_constraints(constraints, batch, settings, vocab_size)
    runner = _ModelRunner(model, input_ids, attention_mask, settings.num_beams)
    continuations = (torch.tensor(sorted(set(word_continuations)), device=runner.device)
                     if word_continuations else None)
    beams = _search(runner, constraints, settings, batch, continuations)
    return _outputs(beams, constraints, settings)


def constrained_generate(*args: Any, **kwargs: Any) -> list[list[int]]:
    """:func:`constrained_search`'s token ids only, one list per input (same arguments)."""
    return [h.tokens for h in constrained_search(*args, **kwargs)]


@torch.no_grad()
def generate_with_constraints(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    constraints: list[list[Constraint]],
    num_beams: int = 4,
    max_new_tokens: int = 256,
    min_new_tokens: int = 0,
    word_continuations: list[int] | None = None,
) -> list[list[int]]:
    """What an engine calls: ``model.generate`` when no input has constraints, else the
    constrained search for the whole batch (whose unconstrained inputs decode as
    ``generate`` would).  Same output format as ``constrained_generate``."""
    if any(constraints):
        return constrained_generate(model, input_ids, attention_mask, constraints, num_beams=num_beams,
                                    max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
                                    word_continuations=word_continuations)
    sequences = model.generate(input_ids=input_ids, attention_mask=attention_mask, num_beams=num_beams,
                               max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens)
    return [_strip_generated(row, model.generation_config) for row in sequences.tolist()]


def _strip_generated(row: list[int], config: Any) -> list[int]:
    """A ``generate`` row in our format: without the start token and the padding after EOS."""
    eos = config.eos_token_id
    eos_ids = set(eos) if isinstance(eos, list | tuple) else {eos}
    row = row[1:]
    for i, token in enumerate(row):
        if token in eos_ids:
            return row[: i + 1]
    return row


def _search(runner: _ModelRunner, constraints: list[list[Constraint]], settings: DecodeSettings,
            batch: int, word_continuations: torch.Tensor | None = None) -> _Beams:
    """The step loop: forward, candidates, DBA for constrained sentences, bookkeeping, cache."""
    k = settings.num_beams
    device = runner.device
    processors = _logits_processors(settings, device)
    beams = _Beams.start(batch, settings, device)
    constrained = _ConstrainedRows(constraints, k, word_continuations)
    offsets = torch.arange(batch, device=device)[:, None] * k
    for cur_len in range(1, settings.max_length):
        flat = beams.running[:, :, :cur_len].reshape(batch * k, cur_len)
        log_probs = processors(flat, runner.next_log_probs(flat[:, -1]))
        constrained.end_words(log_probs, k)
        accumulated = (log_probs.view(batch, k, -1) + beams.running_scores[:, :, None]).reshape(batch, -1)
        cand = _top_candidates(accumulated, settings, cur_len)
        constrained.apply(cand, accumulated, beams, settings, cur_len)
        chosen = _advance_beams(beams, cand, settings, cur_len)
        constrained.follow(chosen)
        runner.reorder((_gather(cand.beams, chosen) + offsets).reshape(-1))
        if not _search_goes_on(beams, cand, settings):
            break
    return beams


def _outputs(beams: _Beams, constraints: list[list[Constraint]],
             settings: DecodeSettings) -> list[Hypothesis]:
    """The best finished hypothesis per input, checked against its constraints."""
    results = []
    lengths = beams.finished_lengths[:, 0].tolist()
    scores = beams.finished_scores[:, 0].tolist()
    for i, (length, score) in enumerate(zip(lengths, scores, strict=True)):
        tokens = beams.finished[i, 0, 1:length].tolist()
        if constraints[i] and not (score > _ALIVE_ABOVE
                                   and ConstraintTracker(constraints[i]).satisfied_by(tokens)):
            raise ModelError(f"input {i}: constrained search ended without meeting its constraints",
                             hint="this is a bug in translate.engines.constrained; please report it")
        results.append(_hypothesis(tokens, score, settings))
    return results


def _hypothesis(tokens: list[int], score: float, settings: DecodeSettings) -> Hypothesis:
    """Undo the length penalty of a finished score and average it over the tokens the model chose.

    A hypothesis finished at the last position was stopped there; an EOS in
    that position was forced (``forced_eos_token_id`` sets its score to 0,
    whatever the model thought), so it is not counted.
    """
    truncated = len(tokens) >= settings.max_new_tokens
    total = score * len(tokens) ** settings.length_penalty
    chosen = len(tokens) - (1 if truncated and tokens and tokens[-1] in settings.eos_ids else 0)
    return Hypothesis(tokens, total / chosen if chosen else None, truncated)
