"""The ct2 engine: conversion cache, parity with marian, the glossary guarantee, auto fallback."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")

from test_glossary_pipeline import GLOSSARY, SEGMENTS  # noqa: E402

from translate.cli import main  # noqa: E402
from translate.engines import create_engine  # noqa: E402
from translate.engines.base import TermConstraint  # noqa: E402
from translate.engines.ct2 import CTranslate2Engine  # noqa: E402
from translate.engines.ct2_convert import METADATA, cache_root, convert_model, find_converted  # noqa: E402
from translate.engines.ct2_terms import is_continuation  # noqa: E402
from translate.engines.marian import MarianEngine  # noqa: E402
from translate.errors import ModelError  # noqa: E402
from translate.glossary import load_glossary, term_success_rate  # noqa: E402
from translate.pipeline import translate_text  # noqa: E402

TEXTS = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Harga beras naik 2,5 persen.",
    "",
    "Warga diminta tetap tenang dan mengikuti arahan petugas di Moskwa.",
    "Hujan.",
]


@pytest.fixture(scope="module")
def float32_dir(tiny_model_dir: Path) -> Path:
    return convert_model(str(tiny_model_dir), quantization="float32", notify=lambda _: None)


def test_conversion_is_cached_by_model_revision_and_quantization(tiny_model_dir: Path,
                                                                 float32_dir: Path) -> None:
    assert float32_dir.parent.name == "local" and float32_dir.name == "float32"
    assert float32_dir.parent.parent.name.startswith("opus-mt-tiny-id-en-")
    assert float32_dir.is_relative_to(cache_root())
    for name in ("model.bin", "config.json", "shared_vocabulary.json", "source.spm", "target.spm",
                 "vocab.json", METADATA):
        assert (float32_dir / name).is_file(), name
    info = json.loads((float32_dir / METADATA).read_text("utf-8"))
    assert info["quantization"] == "float32" and info["align_layer"] == -2 and info["revision"] == "local"
    said: list[str] = []
    assert convert_model(str(tiny_model_dir), quantization="float32", notify=said.append) == float32_dir
    assert said == []  # cached: not converted again
    assert find_converted(str(tiny_model_dir), None, "float32") == float32_dir
    assert find_converted(str(tiny_model_dir), None, "int16") is None


def test_interrupted_conversion_leaves_nothing(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from translate.engines import ct2_convert

    def broken(source: Path, output: Path, quantization: str) -> None:
        output.mkdir(parents=True)
        (output / "model.bin").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(ct2_convert, "_convert_into", broken)
    with pytest.raises(KeyboardInterrupt):
        convert_model(str(tiny_model_dir), quantization="int16", notify=lambda _: None)
    place = ct2_convert.converted_dir(str(tiny_model_dir), None, "int16")
    assert place is not None and not place.exists()
    assert not [p.name for p in place.parent.iterdir() if p.name.startswith(".int16.")]  # no staging left


def test_conversion_errors_are_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such directory"):
        convert_model(str(tmp_path / "nowhere"), notify=lambda _: None)
    with pytest.raises(ModelError, match="quantization"):
        convert_model(str(tmp_path), quantization="int3", notify=lambda _: None)
    with pytest.raises(ModelError, match="device"):
        CTranslate2Engine(str(tmp_path), device="tpu")


def test_greedy_decoding_gives_the_marian_tokens_and_alignments(tiny_model_dir: Path,
                                                                float32_dir: Path) -> None:
    align = [True, False, False, True, True]
    ours = CTranslate2Engine(str(tiny_model_dir), beam=1, max_length=20, quantization="float32")
    theirs = MarianEngine(str(tiny_model_dir), beam=1, max_length=20)
    got, expected = ours.translate(TEXTS, align=align), theirs.translate(TEXTS, align=align)
    assert ours.directory == float32_dir
    for a, b in zip(got, expected, strict=True):
        assert (a.tokens, a.text) == (b.tokens, b.text)
        assert (a.alignment is None) == (b.alignment is None)
        if a.alignment is not None:
            assert a.alignment.source_spans == b.alignment.source_spans
            assert a.alignment.target_spans == b.alignment.target_spans
            for row_a, row_b in zip(a.alignment.weights, b.alignment.weights, strict=True):
                assert row_a == pytest.approx(row_b, abs=1e-5)
    assert any(t.tokens for t in got)
    # beam search too: same length normalisation and stopping on this model
    beam = CTranslate2Engine(str(tiny_model_dir), beam=4, max_length=20, quantization="float32")
    assert [t.tokens for t in beam.translate(TEXTS)] == [
        t.tokens for t in MarianEngine(str(tiny_model_dir), beam=4, max_length=20).translate(TEXTS)]


def test_signature_names_engine_quantization_and_revision(tiny_model_dir: Path) -> None:
    engine = CTranslate2Engine(str(tiny_model_dir), beam=3)
    assert engine.quantization == "int8"  # the CPU default
    signature = engine.signature()
    assert signature.startswith("engine=ct2|") and "|quantization=int8|" in signature
    assert "|revision=local|" in signature and "|beam=3|" in signature
    assert CTranslate2Engine(str(tiny_model_dir)).intra_threads >= 1


@pytest.fixture(scope="module")
def ct2_engine(tiny_model_dir: Path) -> CTranslate2Engine:
    return CTranslate2Engine(str(tiny_model_dir), beam=4, max_length=24)


def test_glossary_guarantee_on_ct2(ct2_engine: CTranslate2Engine, tmp_path: Path) -> None:
    path = tmp_path / "news.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    glossary = load_glossary([path])
    with_terms = [translate_text(text + "\n", ct2_engine, glossary=glossary).strip() for text in SEGMENTS]
    without = [translate_text(text + "\n", ct2_engine).strip() for text in SEGMENTS]
    assert term_success_rate(SEGMENTS, with_terms, glossary).rate == 1.0
    assert term_success_rate(SEGMENTS, without, glossary).rate < 0.5
    for output in with_terms:
        for form in ("Moscow", "West Java", "Foreign Minister", "New Zealand", "President"):
            for m in re.finditer(re.escape(form), output, re.IGNORECASE):
                assert not output[m.end():m.end() + 1].isalnum(), f"{form!r} runs into a word: {output!r}"


def test_forced_terms_end_words_even_with_a_short_max_length(tiny_model_dir: Path) -> None:
    engine = CTranslate2Engine(str(tiny_model_dir), beam=2, max_length=3)
    terms = [TermConstraint(("Moscow",), "Moskwa"), TermConstraint(("West Java",), "Jawa Barat"),
             TermConstraint(("Moscow",), "Moskwa")]
    result = engine.translate(["Gubernur Jawa Barat tiba di Moskwa dan Moskwa."], align=[True],
                              constraints=[terms])[0]
    assert result.text.count("Moscow") >= 2 and "West Java" in result.text
    assert engine._forms is not None
    phrase = engine._forms.form("Moscow")[0]
    assert phrase is not None
    for start in range(len(result.tokens)):
        end = start + len(phrase)
        if result.tokens[start:end] == phrase and end < len(result.tokens):
            assert not is_continuation(result.tokens[end])
    assert result.alignment is not None and len(result.alignment.weights) == len(result.tokens)


def test_segments_without_terms_decode_as_without_a_glossary(ct2_engine: CTranslate2Engine) -> None:
    text = "Harga beras naik di pasar Jakarta pekan lalu."
    plain = ct2_engine.translate([text])[0]
    mixed = ct2_engine.translate([text, "Presiden tiba di Moskwa."],
                                 constraints=[[], [TermConstraint(("Moscow",), "Moskwa")]])
    assert mixed[0].tokens == plain.tokens and "Moscow" in mixed[1].text


def test_auto_picks_ct2_and_says_so(tiny_model_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="translate"):
        engine = create_engine("auto", model=str(tiny_model_dir), beam=2)
    assert isinstance(engine, CTranslate2Engine)
    assert "engine: ct2" in caplog.text


def test_auto_falls_back_to_marian_without_ctranslate2(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import ctranslate2 -> ImportError
    with caplog.at_level(logging.INFO, logger="translate"):
        engine = create_engine("auto", model=str(tiny_model_dir), beam=2)
    assert isinstance(engine, MarianEngine)
    assert "engine: marian (ctranslate2 is not installed" in caplog.text and "Traceback" not in caplog.text
    assert engine.signature().startswith("engine=marian|")


def test_auto_falls_back_when_conversion_fails(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    from translate.engines import ct2_convert

    def unsupported(source: Path, output: Path, quantization: str) -> None:
        raise NotImplementedError("This model is not supported by CTranslate2 or this converter")

    monkeypatch.setattr(ct2_convert, "_convert_into", unsupported)
    with caplog.at_level(logging.INFO, logger="translate"):
        engine = create_engine("auto", model=str(tiny_model_dir), quantization="int8_float32")
    assert isinstance(engine, MarianEngine)
    assert "engine: marian (ct2 cannot use this model: cannot convert" in caplog.text


def test_default_run_uses_ct2(tmp_path: Path, tiny_model_dir: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "berita.id.md"
    text = "# Presiden tiba\n\nPresiden **Joko Widodo** tiba di [Moskwa](https://x.id) hari ini.\n"
    source.write_text(text, encoding="utf-8")
    assert main(["run", str(source), "--model", str(tiny_model_dir), "--max-length", "16", "-q"]) == 0
    err = capsys.readouterr().err
    assert "signature: engine=ct2|" in err and "quantization=int8" in err
    output = (tmp_path / "berita.en.md").read_text(encoding="utf-8")
    assert output.startswith("# ") and "**" in output and "](https://x.id)" in output


def test_model_convert_command_prints_the_place(tiny_model_dir: Path, float32_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "convert", "--model", str(tiny_model_dir), "--quantization", "float32"]) == 0
    assert capsys.readouterr().out.strip() == str(float32_dir)
    assert main(["model", "convert", "--model", str(tiny_model_dir / "missing")]) == 4
    assert "error: cannot load Marian model" in capsys.readouterr().err


def test_translating_a_converted_model_does_not_import_torch(tiny_model_dir: Path, float32_dir: Path) -> None:
    code = (
        "import sys\n"
        "from translate.engines.ct2 import CTranslate2Engine\n"
        "from translate.engines.base import TermConstraint\n"
        f"e = CTranslate2Engine({str(tiny_model_dir)!r}, quantization='float32', max_length=8)\n"
        "r = e.translate(['Presiden tiba di Moskwa.'], align=[True],"
        " constraints=[[TermConstraint(('Moscow',), 'Moskwa')]])\n"
        "assert 'Moscow' in r[0].text, r\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_converted_directory_is_a_model(tiny_model_dir: Path, float32_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A slim install or a cluster worker translates with `translate model convert`'s output as is."""
    import shutil

    mounted = tmp_path / "mounted-model"
    shutil.copytree(float32_dir, mounted)
    text = "Presiden tiba di Moskwa pada hari Senin."
    from_marian = CTranslate2Engine(str(tiny_model_dir), quantization="float32", max_length=12)
    from_converted = CTranslate2Engine(str(mounted), max_length=12)
    assert from_converted.translate([text])[0].text == from_marian.translate([text])[0].text
    assert from_converted.directory == mounted and from_converted.quantization == "float32"
    assert f"model={tiny_model_dir}|revision=local|quantization=float32" in from_converted.signature()
    source = tmp_path / "a.id.txt"
    source.write_text(text + "\n", encoding="utf-8")
    assert main(["run", str(source), "--model", str(mounted), "--max-length", "12", "-q",
                 "--no-glossary"]) == 0
    assert "engine=ct2|" in capsys.readouterr().err


def test_hub_model_is_keyed_by_commit_and_found_offline(tiny_model_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--test--tiny-id-en"
    shutil.copytree(tiny_model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    place = convert_model("test/tiny-id-en", quantization="float32", notify=lambda _: None)
    assert place == cache_root() / "test--tiny-id-en" / commit / "float32"
    engine = CTranslate2Engine("test/tiny-id-en", quantization="float32", max_length=6)
    assert f"|revision={commit}|" in engine.signature()
    assert engine.translate(["Presiden tiba."])[0].tokens
    # the hub cache may go away: our refs still name the conversion
    shutil.rmtree(tmp_path / "hub")
    assert find_converted("test/tiny-id-en", None, "float32") == place


def test_default_threads_run_batches_in_parallel() -> None:
    from translate.engines.ct2 import default_threads

    assert default_threads(1) == (1, 1)
    assert default_threads(2) == (2, 1)  # measured 1.85x faster than (1, 2) on 2 cores
    assert default_threads(8) == (4, 2)
    assert default_threads(8, "cuda")[0] == 1


def test_batches_are_equal_and_a_multiple_of_the_translators(tiny_model_dir: Path) -> None:
    engine = CTranslate2Engine(str(tiny_model_dir), batch_size=16, inter_threads=2, intra_threads=1)
    assert [len(b) for b in engine._batches(list(range(52)))] == [13, 13, 13, 13]
    assert [len(b) for b in engine._batches(list(range(200)))] == [15] * 4 + [14] * 10
    assert [len(b) for b in engine._batches(list(range(5)))] == [3, 2]
    assert [len(b) for b in engine._batches([7])] == [1]
    assert sum(engine._batches(list(range(33))), []) == list(range(33))  # order kept, nothing lost
    with pytest.raises(ModelError, match="inter_threads must be at least 1"):
        CTranslate2Engine(str(tiny_model_dir), inter_threads=-1)
    with pytest.raises(ModelError, match="force_beam must be at least 1, got 0"):
        CTranslate2Engine(str(tiny_model_dir), force_beam=0)


@pytest.mark.parametrize("force_beam", [1, 4])
def test_missing_terms_are_forced_in_one_re_decode(tiny_model_dir: Path, force_beam: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    engine = CTranslate2Engine(str(tiny_model_dir), beam=4, max_length=24, force_beam=force_beam)
    engine.load()
    calls: list[dict] = []
    real = engine._translator

    class Spy:
        def __getattr__(self, name: str):  # score_batch and the rest: the real translator's
            return getattr(real, name)

        def translate_batch(self, source, target_prefix=None, **options):
            calls.append({"prefix": target_prefix, "beam": options["beam_size"], "n": len(source)})
            return real.translate_batch(source, target_prefix, **options)

    monkeypatch.setattr(engine, "_translator", Spy())
    terms = [TermConstraint(("Moscow",), "Moskwa"), TermConstraint(("West Java",), "Jawa Barat"),
             TermConstraint(("Foreign Minister",), "Menteri Luar Negeri")]
    texts = ["Menteri Luar Negeri tiba di Moskwa dari Jawa Barat.", "Gubernur Jawa Barat ke Moskwa."]
    results = engine.translate(texts, constraints=[terms, terms[:2]])
    for result, wanted in zip(results, (terms, terms[:2]), strict=True):
        for term in wanted:
            assert term.forms[0] in result.text, (term, result.text)
    redecodes = [c for c in calls if c["prefix"] is not None]
    assert sum(c["n"] for c in redecodes) == 2  # each segment re-decoded once, with all its terms
    assert {c["beam"] for c in redecodes} == {force_beam} and calls[0]["beam"] == 4
    assert f"|force_beam={force_beam}|" in engine.signature()


def test_engine_options_reach_the_ct2_engine(tiny_model_dir: Path) -> None:
    from translate.cli import _engine_from_args, build_parser

    args = build_parser().parse_args(["run", "x.txt", "--engine", "ct2", "--model", str(tiny_model_dir),
                                      "--inter-threads", "1", "--intra-threads", "2", "--force-beam", "3"])
    engine = _engine_from_args(args)
    assert (engine.inter_threads, engine.intra_threads, engine.force_beam) == (1, 2, 3)
    assert engine.chunk_size == 16 * 1 * 8


def test_cuda_without_cuda_fails_before_converting(tiny_model_dir: Path) -> None:
    import time

    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a CUDA device")
    start = time.perf_counter()
    with pytest.raises(ModelError, match="CTranslate2 sees 0 CUDA device"):
        CTranslate2Engine(str(tiny_model_dir), device="cuda").load()
    assert time.perf_counter() - start < 5.0  # converting first took 23 s
    assert find_converted(str(tiny_model_dir), None, "float16") is None  # nothing converted for it



def _articles(count: int = 4, seed: int = 0) -> list[str]:
    """Markdown articles of the test sentences' words, bold spans here and there (the tiny model
    moves codes about with the slightest change of its numbers)."""
    import random

    rng = random.Random(seed)
    words = [w.strip(".,") for w in " ".join(SEGMENTS).split()]

    def paragraph() -> str:
        chosen = [rng.choice(words) for _ in range(rng.randint(3, 16))]
        first = rng.randrange(len(chosen))
        last = min(len(chosen), first + rng.randint(1, 3)) - 1
        chosen[first], chosen[last] = "**" + chosen[first], chosen[last] + "**"
        return " ".join(chosen) + "."

    return ["\n\n".join(paragraph() for _ in range(rng.randint(2, 5))) + "\n" for _ in range(count)]


def test_a_document_translates_the_same_whatever_is_translated_with_it(tiny_model_dir: Path,
                                                                         tmp_path: Path) -> None:
    """19.4: --skip-existing after an interruption writes the bytes of an uninterrupted run.

    CTranslate2's numbers (notably the attention that places inline codes) move with the
    padding of a batch, so a document is batched with nothing but itself.
    """
    import shutil

    from translate.pipeline import run

    folder = tmp_path / "in"
    folder.mkdir()
    names = "abcd"
    for name, text in zip(names, _articles(), strict=True):
        (folder / f"{name}.id.md").write_text(text, encoding="utf-8")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("Moskwa\tMoscow\nJawa Barat\tWest Java\n", encoding="utf-8")
    engine = CTranslate2Engine(str(tiny_model_dir), beam=4, batch_size=3, max_length=24, inter_threads=1,
                               intra_threads=1)
    terms = load_glossary([glossary])

    def outputs(out: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(out.glob("*.en.*"))}

    whole = tmp_path / "whole"
    assert not run([folder], engine, whole, glossary=terms).failures
    expected = outputs(whole)
    assert len(expected) == len(names)
    resumed = tmp_path / "resumed"
    shutil.copytree(whole, resumed)
    for name in ("a.en.md", "c.en.md"):  # as if killed before these were written
        (resumed / name).unlink()
    run([folder], engine, resumed, glossary=terms, skip_existing=True)
    assert outputs(resumed) == expected
    alone = tmp_path / "alone"
    for name in reversed(names):  # one at a time, in another order
        run([folder / f"{name}.id.md"], engine, alone, glossary=terms)
    assert outputs(alone) == expected


_KILLED_RUN = """
import os, signal, sys
from translate.cli import main

real_fsync, outputs = os.fsync, []

def fsync(fd):
    # the third output is killed mid-write: its temporary file written, not yet renamed into place
    if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):
        outputs.append(fd)
        if len(outputs) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

os.fsync = fsync
sys.exit(main(sys.argv[1:]))
"""


def test_skip_existing_after_a_real_sigkill_writes_the_bytes_of_an_uninterrupted_run(
        tiny_model_dir: Path, tmp_path: Path) -> None:
    """19.4 with a real ``kill -9``: a ct2 folder run killed in the middle of writing its third
    output, then resumed with --skip-existing, leaves the same files as a run never interrupted."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("the kill hook finds the output's temporary file through /proc (Linux)")
    folder = tmp_path / "in"
    folder.mkdir()
    for index, text in enumerate(_articles(count=6, seed=1)):
        (folder / f"{index}.id.md").write_text(text, encoding="utf-8")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("Moskwa\tMoscow\nJawa Barat\tWest Java\n", encoding="utf-8")
    options = ["--engine", "ct2", "--model", str(tiny_model_dir), "--beam", "4", "--batch-size", "3",
               "--max-length", "24", "--inter-threads", "1", "--intra-threads", "1", "--glossary",
               str(glossary), "--no-curated-glossary", "--no-tm", "-q"]

    def outputs(out: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}

    assert main(["run", str(folder), "-o", str(tmp_path / "whole"), *options]) == 0
    expected = outputs(tmp_path / "whole")
    assert len(expected) == 6
    killed = tmp_path / "killed"
    command = [sys.executable, "-c", _KILLED_RUN, "run", str(folder), "-o", str(killed), *options]
    child = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert child.returncode == -9, child.stderr
    assert len(outputs(killed)) == 2  # two whole files; the third only as a temporary file
    assert [p.name for p in killed.iterdir() if p.name.endswith(".part")]
    assert main(["run", str(folder), "-o", str(killed), "--skip-existing", *options]) == 0
    assert outputs(killed) == expected
    assert not [p.name for p in killed.iterdir() if p.name.endswith(".part")]  # the leftover is removed
