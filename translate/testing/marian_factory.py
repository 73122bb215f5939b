"""Build a Marian model in the exact opus-mt file layout, from local text only.

Tests and benchmarks cannot download ``Helsinki-NLP/opus-mt-id-en``, so they
build a model with the same files (``source.spm``, ``target.spm``,
``vocab.json``, ``config.json``, ``generation_config.json``,
``tokenizer_config.json``, ``model.safetensors``) and load it through the same
``from_pretrained`` path as the real one.  The weights are random: every string
such a model produces is real model output, just not a good translation.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

SPECIAL_TOKENS = ("</s>", "<unk>", "<pad>")

#: Shape of the real Helsinki-NLP/opus-mt-id-en model.
OPUS_MT_ID_EN_SHAPE = {
    "vocab_size": 54796,
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
}

#: A model small enough to build and run in well under a second.
TINY_SHAPE = {
    "vocab_size": 0,  # 0: the union of the two SentencePiece vocabularies
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
}


@dataclass(frozen=True)
class ModelSpec:
    """What to build: the text the tokenizers learn from and the network's shape."""

    source_text: str
    target_text: str
    shape: dict
    spm_vocab_size: int = 300
    seed: int = 1234


def _train_spm(text: str, vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for line in text.splitlines() if line.strip()]),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        # opus-mt spm models: id 0 <unk>, id 1 <s>, id 2 </s>, no pad piece
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
        num_threads=1,
    )
    return model.getvalue()


def _pieces(spm_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_proto=spm_bytes)
    return [proc.id_to_piece(i) for i in range(proc.get_piece_size())]


def build_marian_model(directory: Path, spec: ModelSpec) -> Path:
    """Write a complete opus-mt style model directory and return it."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    src_spm = _train_spm(spec.source_text, spec.spm_vocab_size)
    tgt_spm = _train_spm(spec.target_text, spec.spm_vocab_size)
    (directory / "source.spm").write_bytes(src_spm)
    (directory / "target.spm").write_bytes(tgt_spm)

    # opus-mt: </s>=0, <unk>=1, then the union of both piece lists, <pad> last.
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in _pieces(src_spm) + _pieces(tgt_spm):
        if piece not in vocab and piece not in ("<s>", "<unk>", "</s>"):
            vocab[piece] = len(vocab)
    wanted = spec.shape.get("vocab_size") or 0
    filler = 0
    while len(vocab) < wanted - 1:
        vocab[f"<unused{filler}>"] = len(vocab)
        filler += 1
    pad_id = len(vocab)
    vocab["<pad>"] = pad_id
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")
    (directory / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "MarianTokenizer",
                "source_lang": "id",
                "target_lang": "en",
                "model_max_length": 512,
                "separate_vocabs": False,
                "unk_token": "<unk>",
                "eos_token": "</s>",
                "pad_token": "<pad>",
            },
            indent=1,
        ),
        encoding="utf-8",
    )

    shape = {k: v for k, v in spec.shape.items() if k != "vocab_size"}
    config = MarianConfig(  # type: ignore[call-arg]  # keyword arguments go to PretrainedConfig
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
        max_position_embeddings=512,
        max_length=512,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        static_position_embeddings=True,
        architectures=["MarianMTModel"],
        **shape,
    )
    torch.manual_seed(spec.seed)
    model = MarianMTModel(config)
    model.eval()
    model.save_pretrained(directory)
    GenerationConfig(
        bad_words_ids=[[pad_id]],
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad_id,
        max_length=512,
        num_beams=4,
    ).save_pretrained(directory)
    return directory
