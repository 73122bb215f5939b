"""MarianSpm must tokenize and detokenize exactly as transformers' MarianTokenizer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from translate.engines.phrases import phrase_tokens, word_continuation_ids
from translate.engines.spm_tokenizer import MarianSpm

TEXTS = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Harga beras naik 2,5% (Rp 10.000) — kata \"dia\" kepada wartawan.",
    "“Kutipan” dan ‘tanda’ … serta  spasi  ganda\tdan tab",
    "ＡＢＣ ﬁ ½ café naïve Ωmega",  # NFKC folds these
    "  spasi di awal dan di akhir  ",
    "ada </s> di tengah<unk>dan<pad>juga",  # special tokens inside text stay themselves
    ">>eng<< kode bahasa di depan",
    "x>>y<<z bukan kode",
    "emoji 😀 dan 中文 dan Ελληνικά",
    "a\u00a0b\u200bc\u2009d",
    "MOSKWA, 12/3 (ANTARA) - Menteri Luar Negeri Rusia...",
    "",
    " ",
]


@pytest.fixture(scope="module")
def tokenizers(tiny_model_dir: Path):
    from transformers import MarianTokenizer

    return MarianTokenizer.from_pretrained(str(tiny_model_dir)), MarianSpm.from_dir(tiny_model_dir)


@pytest.mark.parametrize("text", TEXTS)
def test_encoding_matches_marian_tokenizer(tokenizers, text: str) -> None:
    reference, ours = tokenizers
    assert ours.tokenize(text) == reference.tokenize(text)
    assert ours(text)["input_ids"] == reference(text)["input_ids"]
    assert ours(text_target=text)["input_ids"] == reference(text_target=text)["input_ids"]


def test_decoding_matches_marian_tokenizer(tokenizers) -> None:
    reference, ours = tokenizers
    rng = random.Random(7)
    size = len(ours.vocab)
    for _ in range(300):
        ids = [rng.randrange(size) for _ in range(rng.randrange(0, 16))]
        assert ours.decode(ids) == reference.decode(ids, skip_special_tokens=True), ids


def test_vocab_special_ids_and_phrases_match(tokenizers) -> None:
    reference, ours = tokenizers
    assert ours.get_vocab() == reference.get_vocab()
    assert (ours.eos_token_id, ours.unk_token_id, ours.pad_token_id) == (
        reference.eos_token_id, reference.unk_token_id, reference.pad_token_id)
    assert sorted(ours.all_special_ids) == sorted(reference.all_special_ids)
    for phrase in ("Moscow", "West Java", "president", "Foreign Minister"):
        assert phrase_tokens(ours, phrase) == phrase_tokens(reference, phrase)
    assert word_continuation_ids(ours) == word_continuation_ids(reference)


def test_missing_special_token_is_refused(tiny_model_dir: Path) -> None:
    good = MarianSpm.from_dir(tiny_model_dir)
    vocab = {k: v for k, v in good.vocab.items() if k != "<pad>"}
    with pytest.raises(ValueError, match="<pad>"):
        MarianSpm(good.source, good.target, vocab)
