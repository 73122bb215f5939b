"""Glossary terms as target token ids: shared by the torch decoder and the CTranslate2 engine.

Kept free of torch so that the CTranslate2 path can use it without loading
PyTorch (its import alone costs ~200 MB of memory).  ``tokenizer`` is anything
with MarianTokenizer's interface for these calls: ``tokenizer(text_target=...)``,
``eos_token_id``, ``unk_token_id`` and ``get_vocab()``.
"""

from __future__ import annotations

from typing import Any

from ..errors import GlossaryError


def phrase_tokens(tokenizer: Any, phrase: str) -> tuple[list[int] | None, list[int] | None]:
    """Token ids of ``phrase`` as the glossary writes it, and with a capital first letter.

    The second is ``None`` when capitalising changes nothing; either is ``None``
    when the target vocabulary cannot write it (it would contain ``<unk>``).
    """
    phrase = phrase.strip()
    if not phrase:
        raise GlossaryError("an empty target term cannot be a constraint")
    capitalised = phrase[0].upper() + phrase[1:]
    as_given = _target_ids(tokenizer, phrase)
    if capitalised == phrase:
        return as_given, None
    other = _target_ids(tokenizer, capitalised)
    return as_given, (other if other != as_given else None)


def _target_ids(tokenizer: Any, text: str) -> list[int] | None:
    ids = list(tokenizer(text_target=text)["input_ids"])
    while ids and ids[-1] == tokenizer.eos_token_id:
        ids.pop()
    return ids if ids and tokenizer.unk_token_id not in ids else None


def word_continuation_ids(tokenizer: Any) -> list[int]:
    """Target pieces that glue onto the word before them (no ``▁``, first character alphanumeric)."""
    vocab = tokenizer.get_vocab()
    return sorted(i for piece, i in vocab.items() if piece[:1].isalnum())
