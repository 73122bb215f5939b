"""Constrained beam search: every constraint in the output, and plain beam search when there are none.

The tiny model's output is noise, so a term only appears when the decoder
puts it there; plain ``generate`` serves as the control.  Some tests raise
the model's EOS bias so that hypotheses finish early and the finished-beam
bookkeeping (early stopping, length penalty) is exercised too.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from translate.engines.base import TermConstraint
from translate.engines.common import TermForms
from translate.engines.constrained import (
    Constraint,
    ConstraintTracker,
    bank_sizes,
    constrained_generate,
    generate_with_constraints,
    token_constraints,
)
from translate.engines.phrases import phrase_tokens
from translate.errors import ModelError

SEGMENTS = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Menteri Luar Negeri Rusia berbicara kepada wartawan di Moskwa.",
    "Harga beras naik 2,5 persen di pasar Jakarta pekan lalu.",
    "Gubernur Sumatra Utara meresmikan jembatan baru di Medan.",
    "Hujan deras menyebabkan banjir di beberapa desa di Kabupaten Bogor.",
    "Perdana Menteri Selandia Baru tiba di Jenewa untuk pembicaraan damai.",
    "Warga diminta tetap tenang dan mengikuti arahan petugas.",
    "Pemerintah akan membangun sekolah dan rumah sakit di daerah terpencil.",
    "Presiden tiba di Moskwa.",
    "Menteri Luar Negeri dan Perdana Menteri bertemu di Jenewa pada hari Senin.",
    "Banjir di Jawa Barat.",
    "Gubernur meresmikan sekolah baru di Kabupaten Bogor.",
]
TERMS = ["Moscow", "West Java", "President", "Prime Minister", "Foreign Minister", "Geneva", "New Zealand",
         "Bogor Regency"]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path):
    from transformers import MarianTokenizer

    return MarianTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="module")
def forms(tokenizer) -> TermForms[list[int]]:
    return TermForms(tokenizer, "tiny", list)


def _constraints(forms: TermForms[list[int]], terms: list[str]) -> list[Constraint]:
    """A segment's constraints as the marian engine builds them from its glossary terms."""
    return token_constraints([TermConstraint((term,), term) for term in terms], forms)


def _variants(tokenizer, term: str) -> list[list[int]]:
    """A term's token sequences: as written, and capitalised when that differs."""
    return [ids for ids in phrase_tokens(tokenizer, term) if ids is not None]


def _load(directory: Path, eos_bias: float = 0.0):
    """The tiny model; ``eos_bias`` added to EOS' logit makes outputs end early."""
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(directory).eval()
    with torch.no_grad():
        model.final_logits_bias[0, model.generation_config.eos_token_id] += eos_bias
    return model


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path):
    return _load(tiny_model_dir)


def _encode(tokenizer, texts: list[str]) -> dict[str, torch.Tensor]:
    return dict(tokenizer(texts, return_tensors="pt", padding=True))


def _generate(model, batch: dict[str, torch.Tensor], **options) -> list[list[int]]:
    """``model.generate`` output in our format: no start token, no padding after EOS."""
    pad = model.generation_config.pad_token_id
    rows = []
    for row in model.generate(**batch, **options).tolist():
        row = row[1:]
        while row and row[-1] == pad:
            row.pop()
        rows.append(row)
    return rows


def _term_sets(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(TERMS, rng.randint(1, 3)) for _ in range(count)]


def _find(haystack: list[int], needle: list[int]) -> list[int]:
    return [i for i in range(len(haystack) - len(needle) + 1) if haystack[i:i + len(needle)] == needle]


# --------------------------------------------------------------------------- the guarantee


@pytest.mark.parametrize("eos_bias", [0.0, 0.4])
def test_every_constraint_appears(tiny_model_dir: Path, tokenizer, forms, eos_bias: float) -> None:
    model = _load(tiny_model_dir, eos_bias)
    segments = (SEGMENTS * 2)[:20]
    terms = _term_sets(len(segments))
    batch = _encode(tokenizer, segments)
    constraints = [_constraints(forms, ts) for ts in terms]
    outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], constraints,
                                   num_beams=4, max_new_tokens=48)
    texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
    plain = tokenizer.batch_decode(_generate(model, batch, num_beams=4, max_new_tokens=48),
                                   skip_special_tokens=True)
    total = sum(len(ts) for ts in terms)
    met = sum(t in text for ts, text in zip(terms, texts, strict=True) for t in ts)
    plain_met = sum(t in text for ts, text in zip(terms, plain, strict=True) for t in ts)
    print(f"eos_bias={eos_bias}: constrained {met}/{total}, plain generate {plain_met}/{total}")
    assert met == total
    assert plain_met / total < 0.5
    assert all(out[-1] == model.generation_config.eos_token_id for out in outputs)


@pytest.mark.parametrize("num_beams", [1, 2])
def test_small_beams_meet_every_constraint(model, tokenizer, forms, num_beams: int) -> None:
    terms = _term_sets(8, seed=11)
    batch = _encode(tokenizer, SEGMENTS[:8])
    constraints = [_constraints(forms, ts) for ts in terms]
    outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], constraints,
                                   num_beams=num_beams, max_new_tokens=40)
    texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
    assert all(t in text for ts, text in zip(terms, texts, strict=True) for t in ts)


def test_engine_entry_routes_unconstrained_batches_to_generate(model, tokenizer, forms) -> None:
    batch = _encode(tokenizer, SEGMENTS[:3])
    plain = generate_with_constraints(model, batch["input_ids"], batch["attention_mask"], [[], [], []],
                                      num_beams=4, max_new_tokens=20)
    assert plain == _generate(model, batch, num_beams=4, max_new_tokens=20)
    constraints = [[], _constraints(forms, ["Geneva"]), []]
    mixed = generate_with_constraints(model, batch["input_ids"], batch["attention_mask"], constraints,
                                      num_beams=4, max_new_tokens=20)
    assert "Geneva" in tokenizer.decode(mixed[1], skip_special_tokens=True)
    assert mixed[0] == plain[0] and mixed[2] == plain[2]


def test_long_phrases_are_contiguous_and_land_anywhere(model, tokenizer, forms) -> None:
    segments = (SEGMENTS * 2)[:16]
    rng = random.Random(3)
    long_terms = [t for t in TERMS if len(phrase_tokens(tokenizer, t)[0]) >= 3]
    terms = [rng.sample(long_terms, rng.randint(1, 3)) for _ in segments]
    batch = _encode(tokenizer, segments)
    constraints = [_constraints(forms, ts) for ts in terms]
    outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], constraints,
                                   num_beams=4, max_new_tokens=40)
    inside = 0
    for ts, out in zip(terms, outputs, strict=True):
        body = out[:-1]  # without EOS
        for term in ts:
            where = [i for v in _variants(tokenizer, term) for i in _find(body, v)]
            assert where, f"{term!r} not contiguous in {out}"
            length = len(phrase_tokens(tokenizer, term)[0])
            inside += any(0 < i and i + length < len(body) for i in where)
    assert inside > 0, "every phrase sits at the very start or end of its output"


def test_two_identical_constraints_need_two_occurrences(model, tokenizer, forms) -> None:
    batch = _encode(tokenizer, ["Presiden tiba di Moskwa.", "Harga beras naik."])
    moscow = phrase_tokens(tokenizer, "Moscow")[0]
    twice = _constraints(forms, ["Moscow", "Moscow"])
    once = _constraints(forms, ["Moscow"])
    outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], [twice, once],
                                   num_beams=4, max_new_tokens=30)
    assert len(_find(outputs[0], moscow)) >= 2
    assert len(_find(outputs[1], moscow)) >= 1


def test_any_alternative_satisfies(model, tokenizer, forms) -> None:
    moscow = phrase_tokens(tokenizer, "Moscow")[0]
    geneva = phrase_tokens(tokenizer, "Geneva")[0]
    [either] = token_constraints([TermConstraint(("Geneva", "Moscow"), "Jenewa")], forms)
    assert either.alternatives == [geneva, moscow]
    batch = _encode(tokenizer, SEGMENTS[:4])
    outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], [[either]] * 4,
                                   num_beams=4, max_new_tokens=30)
    for out in outputs:
        assert _find(out, moscow) or _find(out, geneva)
    # with room for only the shorter alternative, that one is used
    (tight,) = constrained_generate(model, batch["input_ids"][:1], batch["attention_mask"][:1], [[either]],
                                    num_beams=4, max_new_tokens=len(moscow) + 1)
    assert tight == moscow + [model.generation_config.eos_token_id]


@pytest.mark.parametrize("fixed_length", [False, True])
def test_tight_length_still_meets_every_constraint(model, tokenizer, forms, fixed_length: bool) -> None:
    terms = [["Prime Minister", "Moscow"], ["West Java"], ["Foreign Minister", "President", "Geneva"]]
    constraints = [_constraints(forms, ts) for ts in terms]
    need = max(sum(c.min_length for c in cs) for cs in constraints)
    batch = _encode(tokenizer, SEGMENTS[:3])
    for extra in (1, 2, 5):
        limit = need + extra
        outputs = constrained_generate(model, batch["input_ids"], batch["attention_mask"], constraints,
                                       num_beams=4, max_new_tokens=limit,
                                       min_new_tokens=limit if fixed_length else 0)
        texts = tokenizer.batch_decode(outputs, skip_special_tokens=True)
        for ts, text, out in zip(terms, texts, outputs, strict=True):
            assert len(out) <= limit
            assert all(t in text for t in ts), (limit, ts, text)
            if fixed_length:
                assert len(out) == limit


def test_constraints_that_cannot_fit_are_refused(model, tokenizer, forms) -> None:
    batch = _encode(tokenizer, SEGMENTS[:1])
    long = _constraints(forms, ["Foreign Minister"])
    with pytest.raises(ValueError, match="max_new_tokens"):
        constrained_generate(model, batch["input_ids"], batch["attention_mask"], [long], max_new_tokens=5)
    pad = Constraint([[model.generation_config.pad_token_id]], label="<pad>")
    with pytest.raises(ValueError, match="forbidden token"):
        constrained_generate(model, batch["input_ids"], batch["attention_mask"], [[pad]], max_new_tokens=5)


def test_unsupported_generation_settings_are_refused(tiny_model_dir: Path, tokenizer) -> None:
    model = _load(tiny_model_dir)
    model.generation_config.no_repeat_ngram_size = 3
    batch = _encode(tokenizer, SEGMENTS[:1])
    with pytest.raises(ModelError, match="no_repeat_ngram_size"):
        constrained_generate(model, batch["input_ids"], batch["attention_mask"], [[]], max_new_tokens=5)


# --------------------------------------------------------------------------- parity with generate


@pytest.mark.parametrize("eos_bias", [0.0, 0.2, 0.3])
@pytest.mark.parametrize("num_beams", [4, 1])
def test_no_constraints_decodes_like_generate(tiny_model_dir: Path, tokenizer, eos_bias: float,
                                              num_beams: int) -> None:
    model = _load(tiny_model_dir, eos_bias)
    batch = _encode(tokenizer, SEGMENTS[:5] + ["Presiden."])  # padded batch
    for max_new, min_new in ((30, 0), (24, 6), (16, 16)):
        options = {"num_beams": num_beams, "max_new_tokens": max_new, "min_new_tokens": min_new}
        expected = _generate(model, batch, **options)
        got = constrained_generate(model, batch["input_ids"], batch["attention_mask"], [[]] * 6, **options)
        assert got == expected, (max_new, min_new)


@pytest.mark.parametrize("early_stopping", [True, "never"])
def test_no_constraints_follows_early_stopping(tiny_model_dir: Path, tokenizer, early_stopping) -> None:
    model = _load(tiny_model_dir, 0.2)
    batch = _encode(tokenizer, SEGMENTS[:4])
    expected = _generate(model, batch, num_beams=3, max_new_tokens=30, early_stopping=early_stopping)
    got = constrained_generate(model, batch["input_ids"], batch["attention_mask"], [[]] * 4, num_beams=3,
                               max_new_tokens=30, early_stopping=early_stopping)
    assert got == expected


def test_eos_bias_gives_outputs_of_several_lengths(tiny_model_dir: Path, tokenizer) -> None:
    """Guards the parity tests above: they must see hypotheses that finish before the limit."""
    batch = _encode(tokenizer, SEGMENTS[:4])
    options = {"num_beams": 4, "max_new_tokens": 30, "min_new_tokens": 4}
    models = [_load(tiny_model_dir, bias) for bias in (0.2, 0.3)]
    lengths = {len(out) for model in models for out in _generate(model, batch, **options)}
    assert min(lengths) < 30


def test_unconstrained_rows_of_a_mixed_batch_match_generate(tiny_model_dir: Path, tokenizer, forms) -> None:
    model = _load(tiny_model_dir, 0.2)
    batch = _encode(tokenizer, SEGMENTS[:6])
    expected = _generate(model, batch, num_beams=4, max_new_tokens=30)
    constraints = [[], _constraints(forms, ["Moscow"]), [], [], _constraints(forms, ["West Java"]), []]
    got = constrained_generate(model, batch["input_ids"], batch["attention_mask"], constraints,
                               num_beams=4, max_new_tokens=30)
    for i, cs in enumerate(constraints):
        if not cs:
            assert got[i] == expected[i]
    assert "Moscow" in tokenizer.decode(got[1], skip_special_tokens=True)
    assert "West Java" in tokenizer.decode(got[4], skip_special_tokens=True)


# --------------------------------------------------------------------------- the parts


def test_terms_become_constraints_as_the_engine_builds_them(tokenizer, forms) -> None:
    given, capital = phrase_tokens(tokenizer, "president")
    assert given is not None and capital is not None
    assert [tokenizer.decode(v) for v in (given, capital)] == ["president", "President"]
    assert tokenizer.eos_token_id not in given + capital
    assert tokenizer.convert_ids_to_tokens(capital)[0].startswith("\u2581")
    [constraint] = _constraints(forms, ["president"])
    assert constraint.alternatives == [given] and constraint.initial == [capital]  # capital: start only
    assert phrase_tokens(tokenizer, "West Java")[1] is None  # already capitalised
    [either] = token_constraints([TermConstraint(("Geneva", "Moscow"), "Jenewa")], forms)
    assert either.alternatives == [phrase_tokens(tokenizer, name)[0] for name in ("Geneva", "Moscow")]
    assert token_constraints([TermConstraint(("\u4e2d\u6587",), "Cina")], forms) == []  # unwritable: left out


def test_tracker_needs_contiguous_phrases() -> None:
    tracker = ConstraintTracker([Constraint([[5, 6, 7]]), Constraint([[9], [3, 4]])])
    assert tracker.satisfied_by([1, 5, 6, 7, 2, 3, 4])
    assert tracker.satisfied_by([9, 5, 6, 7])
    assert not tracker.satisfied_by([5, 6, 2, 7, 9])  # interrupted phrase
    assert tracker.satisfied_by([5, 5, 6, 7, 9])  # restart inside a phrase
    state = tracker.advance(tracker.initial, 5)
    assert tracker.remaining(state) == 3  # 2 more of the phrase + 1 for the short alternative
    assert set(tracker.next_tokens(state)) == {6, 9, 3, 5}


def test_tracker_counts_occurrences_without_overlap() -> None:
    tracker = ConstraintTracker([Constraint([[4, 4]]), Constraint([[4, 4]])])
    assert not tracker.satisfied_by([4, 4, 4])
    assert tracker.satisfied_by([4, 4, 4, 4])


def test_bank_sizes_push_unused_slots_down() -> None:
    assert bank_sizes(3, 4, [5, 5, 5]) == [1, 1, 2]
    assert bank_sizes(3, 4, [5, 5, 0]) == [1, 3, 0]
    assert bank_sizes(5, 4, [9, 9, 9, 1, 0]) == [0, 0, 3, 1, 0]
    assert sum(bank_sizes(4, 4, [1, 0, 2, 1])) == 4
