"""MarianEngine on a tiny random opus-mt-layout model: loading, batching, alignment, errors."""

from __future__ import annotations

import logging
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import transformers
from format_suite import assert_coded_well_formed

from translate.document import CodeAllocator, CodeKind, InlineCode, strip_codes
from translate.engines import create_engine
from translate.engines.common import piece_spans
from translate.engines.marian import MarianEngine
from translate.errors import ModelError
from translate.inline import translate_coded

SENTENCES = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Harga beras naik.",
    "Menteri Luar Negeri Rusia berbicara kepada wartawan di Moskwa.",
    "Warga diminta tetap tenang.",
    "Hujan deras menyebabkan banjir di beberapa desa di Kabupaten Bogor.",
    "Medan.",
    "Pemerintah akan membangun sekolah dan rumah sakit di daerah terpencil.",
]


@pytest.fixture(scope="module", autouse=True)
def few_threads() -> Iterator[None]:
    """The tiny model's matrices are too small for many threads; on a busy machine they thrash."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def engine(tiny_model_dir: Path) -> MarianEngine:
    """Greedy decoding, so a text gives the same output alone or padded in a batch."""
    return MarianEngine(str(tiny_model_dir), beam=1, batch_size=3, max_length=12)


def test_registry_builds_it_and_loading_goes_through_from_pretrained(tiny_model_dir, monkeypatch) -> None:
    calls: list[str] = []
    original = transformers.MarianMTModel.from_pretrained

    def spy(source, *args, **kwargs):
        calls.append(str(source))
        return original(source, *args, **kwargs)

    monkeypatch.setattr(transformers.MarianMTModel, "from_pretrained", spy)
    engine = create_engine("marian", model=str(tiny_model_dir), beam=2, max_length=8, quantization=None)
    assert isinstance(engine, MarianEngine) and not engine.keeps_codes and engine.translates
    assert calls == []  # lazy
    [result] = engine.translate(["Harga beras naik."])
    assert calls == [str(tiny_model_dir)]
    assert isinstance(result.text, str) and result.text.strip()


def test_translations_are_model_strings_and_blank_texts_skip_the_model(engine) -> None:
    results = engine.translate(["", SENTENCES[0], "   ", SENTENCES[1]])
    assert [r.text for r in (results[0], results[2])] == ["", ""]
    for result in (results[1], results[3]):
        assert result.text.strip() and result.tokens and result.alignment is None
        assert result.text == engine._tokenizer.convert_tokens_to_string(result.tokens)


def test_encoding_matches_the_tokenizer_call(engine) -> None:
    engine.load()
    for text in SENTENCES:
        assert engine._encode(text, 0).ids == engine._tokenizer(text)["input_ids"]


def test_batches_are_sorted_by_length_and_order_is_restored(engine, monkeypatch) -> None:
    seen: list[list[int]] = []
    original = engine._translate_batch

    def record(sources, align, constraints):
        seen.append([len(s.ids) for s in sources])
        return original(sources, align, constraints)

    monkeypatch.setattr(engine, "_translate_batch", record)
    batched = engine.translate(SENTENCES, align=[True] * len(SENTENCES))
    flat = [n for batch in seen for n in batch]
    assert flat == sorted(flat) and [len(b) for b in seen] == [3, 3, 1]
    for text, result in zip(SENTENCES, batched, strict=True):
        pieces = engine._tokenizer.tokenize(text)
        assert len(result.alignment.source_spans) == len(pieces)  # result i belongs to text i
        [alone] = engine.translate([text], align=[True])
        assert alone.text == result.text
        for row_alone, row in zip(alone.alignment.weights, result.alignment.weights, strict=True):
            assert row_alone == pytest.approx(row, abs=1e-4)


def test_alignment_spans_are_in_bounds_and_rows_sum_to_one(engine) -> None:
    texts = SENTENCES + ["Harga “beras”  naik 2,5 persen…"]  # <unk> quotes, NFKC ellipsis, double space
    results = engine.translate(texts, align=[True] * len(texts))
    for text, result in zip(texts, results, strict=True):
        alignment = result.alignment
        assert len(alignment.weights) == len(alignment.target_spans) == len(result.tokens)
        for row in alignment.weights:
            assert len(row) == len(alignment.source_spans)
            assert sum(row) == pytest.approx(1.0, abs=1e-4) and min(row) >= 0
        for spans, string in ((alignment.source_spans, text), (alignment.target_spans, result.text)):
            assert all(0 <= a <= b <= len(string) for a, b in spans)
            assert [a for a, _ in spans] == sorted(a for a, _ in spans)
        for (a, b), piece in zip(alignment.target_spans, result.tokens, strict=True):
            assert result.text[a:b] == piece.replace("\u2581", "")


def test_piece_spans_degrade_gracefully() -> None:
    assert piece_spans("Senin\u2026 ok", ["\u2581Sen", "in", ".", ".", ".", "\u2581ok"]) == [
        (0, 3), (3, 5), (5, 6), (5, 6), (5, 6), (7, 9)]
    assert piece_spans("a b", ["\u2581a", "<unk>", "\u2581b"]) == [(0, 1), (2, 2), (2, 3)]


def test_signature_names_every_setting(engine) -> None:
    signature = engine.signature()
    for part in ("engine=marian", f"model={engine.model}", "revision=local", "beam=1", "max_length=12",
                 f"transformers={transformers.__version__}"):
        assert part in signature.split("|")


def test_over_long_text_is_truncated_with_a_warning(engine, caplog) -> None:
    text = " ".join(["Harga beras naik."] * 200)
    with caplog.at_level(logging.WARNING, logger="translate.engines"):
        [result] = engine.translate([text], align=[True])
    assert "at most 512" in caplog.text
    assert result.text and len(result.alignment.source_spans) == 511


def coded_sentences() -> list[tuple[str, dict[str, InlineCode]]]:
    """30 coded sentences: pairs around words, nested, adjacent, isolated, dangling, inside words."""
    out = []
    for n in range(30):
        words = SENTENCES[n % len(SENTENCES)].split()
        alloc = CodeAllocator()
        k = n % len(words)
        style = n % 6
        if style == 0:
            open_, close = alloc.code(CodeKind.OPEN, "**"), None
            close = alloc.code(CodeKind.CLOSE, "**", pair=open_)
            words[k] = f"{open_}{words[k]}{close}"
        elif style == 1:
            outer = alloc.code(CodeKind.OPEN, "[")
            inner = alloc.code(CodeKind.OPEN, "*")
            words[0] = f"{outer}{inner}{words[0]}"
            words[-1] = f"{words[-1]}{alloc.code(CodeKind.CLOSE, '*', pair=inner)}"
            words[-1] += alloc.code(CodeKind.CLOSE, "](u)", pair=outer)
        elif style == 2:
            words.insert(k, alloc.code(CodeKind.ISOLATED, "![i](p)"))
        elif style == 3:
            words[k] = alloc.code(CodeKind.OPEN, "<a>") + words[k]  # its close is in another segment
        elif style == 4:
            first = alloc.code(CodeKind.OPEN, "<b>")
            words[k] = words[k][:2] + first + words[k][2:] + alloc.code(CodeKind.CLOSE, "</b>", pair=first)
        else:
            a = alloc.code(CodeKind.OPEN, "<i>")
            words[0] = a + words[0] + alloc.code(CodeKind.CLOSE, "</i>", pair=a)
            b = alloc.code(CodeKind.OPEN, "<u>")
            words[-1] = b + words[-1] + alloc.code(CodeKind.CLOSE, "</u>", pair=b) + alloc.code(
                CodeKind.ISOLATED, "<br>")
        out.append((" ".join(words), alloc.codes))
    out.append(("\ue000\ue001", {"\ue000": InlineCode("\ue000", CodeKind.OPEN, "<b>", "\ue001"),
                                 "\ue001": InlineCode("\ue001", CodeKind.CLOSE, "</b>", "\ue000")}))
    return out


def test_translate_coded_keeps_every_code_once_and_nested(engine) -> None:
    cases = coded_sentences()
    results = translate_coded(engine, [c for c, _ in cases], [info for _, info in cases])
    plain = engine.translate([strip_codes(c) for c, _ in cases])
    for (coded, info), result, model_text in zip(cases, results, plain, strict=True):
        assert_coded_well_formed(result, info, coded)
        assert strip_codes(result).split() == model_text.text.split()


# -- errors ----------------------------------------------------------------------------------


def assert_helpful(error: ModelError, model: str) -> None:
    message = str(error)
    assert model in message and "\n" not in message
    for hint in ("--model", "HF_HUB_OFFLINE", "HF_HOME"):
        assert hint in message


@pytest.fixture
def no_network(monkeypatch) -> list[object]:
    """Record (and refuse) any attempt to open a connection."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_missing_local_directory(tmp_path, no_network) -> None:
    model = str(tmp_path / "no-such-model")
    with pytest.raises(ModelError) as caught:
        MarianEngine(model).translate(["Halo."])
    assert_helpful(caught.value, model)
    assert no_network == []


def test_hub_id_offline_without_cache(tmp_path, monkeypatch, no_network) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    model = "Helsinki-NLP/opus-mt-id-xx-not-cached"
    with pytest.raises(ModelError) as caught:
        MarianEngine(model).load()
    assert_helpful(caught.value, model)
    assert "downloads are off" in str(caught.value)
    assert no_network == []


def test_directory_missing_files_and_corrupt_weights(tiny_model_dir, tmp_path, no_network) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(tiny_model_dir / "config.json", partial)
    with pytest.raises(ModelError, match="source.spm") as caught:
        MarianEngine(str(partial)).load()
    assert_helpful(caught.value, str(partial))
    corrupt = shutil.copytree(tiny_model_dir, tmp_path / "corrupt")
    (corrupt / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelError) as caught:
        MarianEngine(str(corrupt)).load()
    assert_helpful(caught.value, str(corrupt))


def test_cuda_without_cuda(tiny_model_dir, monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelError, match="CUDA"):
        MarianEngine(str(tiny_model_dir), device="cuda").load()
    with pytest.raises(ModelError, match="device"):
        MarianEngine(str(tiny_model_dir), device="toaster").load()


def test_offline_load_from_a_cache_named_by_hf_home(tiny_model_dir, tmp_path, monkeypatch,
                                                    no_network) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hf" / "hub" / "models--Helsinki-NLP--opus-mt-id-en"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    engine = MarianEngine(beam=1, max_length=6)
    [result] = engine.translate(["Harga beras naik."])
    assert result.text
    assert f"revision={commit}" in engine.signature()
    assert no_network == []


@pytest.mark.parametrize("engine_name", ["marian", "ct2"])
def test_an_unreachable_hub_fails_at_once(engine_name, tmp_path, monkeypatch) -> None:
    """No network, empty cache, HF_HUB_OFFLINE unset: one short probe, no retries, a clear error."""
    import time

    from translate.engines import model_files

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(model_files, "_probed", {}, raising=False)  # probe again in this test
    model = "Helsinki-NLP/opus-mt-id-xx-not-cached"
    start = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        create_engine(engine_name, model=model).load()
    assert time.perf_counter() - start < 2.0
    assert_helpful(caught.value, model)
    assert f"the hub at http://127.0.0.1:{port} cannot be reached" in str(caught.value)
