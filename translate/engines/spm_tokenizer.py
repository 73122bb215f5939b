"""MarianTokenizer's encoding and decoding, with ``sentencepiece`` alone.

Why: the CTranslate2 engine must not import transformers (and with it torch,
~200 MB) at translate time.  This class reproduces exactly what
``transformers.MarianTokenizer`` does for opus-mt models with a shared
vocabulary (the tests compare the two token for token):

* encoding: the text is split around the special tokens ``</s>``, ``<unk>``
  and ``<pad>`` (kept as themselves); a leading ``>>xx<<`` language code is
  kept as one token; every other part is encoded with ``source.spm`` (or
  ``target.spm`` for ``text_target``); pieces map to ids through ``vocab.json``,
  unknown pieces to ``<unk>``; ``</s>`` is appended.  MarianTokenizer has a
  Moses punctuation normaliser but never calls it while tokenizing, so
  neither do we.
* decoding (``skip_special_tokens``): special ids are dropped and the pieces
  joined by the *source* SentencePiece model, as MarianTokenizer does when the
  vocabulary is shared.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPECIAL_TOKENS = ("</s>", "<unk>", "<pad>")
SPIECE_UNDERLINE = "\u2581"
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")


@dataclass
class MarianSpm:
    """Tokenizer of an opus-mt directory: ``source.spm``, ``target.spm``, ``vocab.json``."""

    source: Any  # sentencepiece.SentencePieceProcessor
    target: Any
    vocab: dict[str, int]
    model_max_length: int = 512
    clean_up_tokenization_spaces: bool = False
    eos_token: str = "</s>"
    unk_token: str = "<unk>"
    pad_token: str = "<pad>"
    _pieces: dict[int, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pieces = {i: piece for piece, i in self.vocab.items()}
        missing = [t for t in SPECIAL_TOKENS if t not in self.vocab]
        if missing:
            raise ValueError(f"vocab.json lacks {', '.join(missing)}")

    @classmethod
    def from_dir(cls, directory: str | Path) -> MarianSpm:
        import sentencepiece

        directory = Path(directory)
        config_path = directory / "tokenizer_config.json"
        config = json.loads(config_path.read_text("utf-8")) if config_path.is_file() else {}
        if config.get("separate_vocabs"):
            raise ValueError("separate source and target vocabularies are not supported")
        processors = []
        for name in ("source.spm", "target.spm"):
            processor = sentencepiece.SentencePieceProcessor()
            processor.Load(str(directory / name))
            processors.append(processor)
        vocab = json.loads((directory / "vocab.json").read_text("utf-8"))
        return cls(processors[0], processors[1], vocab, int(config.get("model_max_length", 512)),
                   bool(config.get("clean_up_tokenization_spaces", False)))

    # -- ids ---------------------------------------------------------------------------

    @property
    def eos_token_id(self) -> int:
        return self.vocab[self.eos_token]

    @property
    def unk_token_id(self) -> int:
        return self.vocab[self.unk_token]

    @property
    def pad_token_id(self) -> int:
        return self.vocab[self.pad_token]

    @property
    def all_special_ids(self) -> list[int]:
        return [self.vocab[t] for t in SPECIAL_TOKENS]

    def get_vocab(self) -> dict[str, int]:
        return dict(self.vocab)

    def convert_tokens_to_ids(self, pieces: list[str]) -> list[int]:
        unk = self.unk_token_id
        return [self.vocab.get(piece, unk) for piece in pieces]

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [self._pieces.get(i) or self.source.IdToPiece(i) or self.unk_token for i in ids]

    # -- encoding --------------------------------------------------------------------------

    def tokenize(self, text: str, target: bool = False) -> list[str]:
        """Pieces of ``text`` (no ``</s>``), as ``MarianTokenizer.tokenize``."""
        processor = self.target if target else self.source
        pieces: list[str] = []
        for part in _SPECIAL_RE.split(text):
            if not part:
                continue
            if part in SPECIAL_TOKENS:
                pieces.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:
                pieces.append(part[: end + 2])
                part = part[end + 2:]
            pieces.extend(processor.encode(part, out_type=str))
        return pieces

    def __call__(self, text: str | None = None, text_target: str | None = None) -> dict[str, list[int]]:
        """``{"input_ids": ids + [eos]}`` of ``text`` (source side) or ``text_target``."""
        if (text is None) == (text_target is None):
            raise ValueError("give exactly one of text and text_target")
        pieces = self.tokenize(text) if text is not None else self.tokenize(str(text_target), target=True)
        return {"input_ids": self.convert_tokens_to_ids(pieces) + [self.eos_token_id]}

    # -- decoding --------------------------------------------------------------------------

    def decode(self, ids: list[int]) -> str:
        """``MarianTokenizer.decode(ids, skip_special_tokens=True)``."""
        special = set(self.all_special_ids)
        return self.decode_pieces(self.convert_ids_to_tokens([i for i in ids if i not in special]))

    def decode_pieces(self, pieces: list[str]) -> str:
        """Text of pieces that hold no special token (the source model joins them, as in Marian)."""
        text = self.source.decode_pieces(pieces).replace(SPIECE_UNDERLINE, " ").strip()
        if self.clean_up_tokenization_spaces:
            text = _clean_up(text)
        return text


def _clean_up(text: str) -> str:
    """transformers' ``clean_up_tokenization``, for configs that ask for it."""
    for before, after in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                          (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(before, after)
    return text
