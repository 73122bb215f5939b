"""Engine scores and truncation: what every Translation says about its own output.

A score is the mean log-probability of the output's tokens, and of the EOS
after them when the model wrote one.  The references compute it from scratch:
CTranslate2's ``score_batch`` on a float32 conversion of the model for the ct2
engine, one teacher-forced transformers forward pass for marian (whose
distribution includes ``<pad>``, which CTranslate2's conversion drops: on this
random model the two differ by about 0.005 per token).
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

ctranslate2 = pytest.importorskip("ctranslate2")

from translate.document import SegmentState  # noqa: E402
from translate.engines import create_engine  # noqa: E402
from translate.engines.base import TermConstraint, Translation, confidence_of  # noqa: E402
from translate.engines.ct2 import CTranslate2Engine  # noqa: E402
from translate.engines.ct2_convert import convert_model  # noqa: E402
from translate.engines.marian import MarianEngine  # noqa: E402
from translate.engines.spm_tokenizer import MarianSpm  # noqa: E402
from translate.formats import get_format  # noqa: E402
from translate.memory import DictMemory  # noqa: E402
from translate.pipeline import translate_documents  # noqa: E402
from translate.segment import segment_document  # noqa: E402

TEXTS = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Harga beras naik 2,5 persen.",
    "",
    "Hujan.",
]


def _mean(log_probs: list[float], ended: bool) -> float:
    chosen = log_probs if ended else log_probs[:-1]  # the last one is EOS
    return sum(chosen) / len(chosen)


@pytest.fixture(scope="module")
def ct2_reference(tiny_model_dir: Path):
    """``score(text, translation)``: CTranslate2's own score of the translation's pieces."""
    directory = convert_model(str(tiny_model_dir), quantization="float32", notify=lambda _: None)
    translator = ctranslate2.Translator(str(directory), device="cpu", compute_type="float32")
    tokenizer = MarianSpm.from_dir(directory)

    def score(text: str, translation: Translation) -> float:
        [result] = translator.score_batch([tokenizer.tokenize(text) + ["</s>"]], [translation.tokens])
        return _mean(result.log_probs, not translation.truncated)

    return score


@pytest.fixture(scope="module")
def torch_reference(tiny_model_dir: Path):
    """``score(text, translation)``: transformers' log-probabilities of the pieces, teacher-forced."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    model = MarianMTModel.from_pretrained(str(tiny_model_dir)).eval()
    tokenizer = MarianTokenizer.from_pretrained(str(tiny_model_dir))

    def score(text: str, translation: Translation) -> float:
        target = tokenizer.convert_tokens_to_ids(translation.tokens) + [tokenizer.eos_token_id]
        start = model.config.decoder_start_token_id
        with torch.inference_mode():
            logits = model(**tokenizer([text], return_tensors="pt"),
                           decoder_input_ids=torch.tensor([[start] + target[:-1]])).logits[0]
        log_probs = torch.log_softmax(logits.float(), dim=-1)[range(len(target)), target].tolist()
        return _mean(log_probs, not translation.truncated)

    return score


@pytest.fixture(scope="module")
def ending_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model with EOS made likely: it ends every sentence at once (the plain one never does)."""
    from transformers import MarianMTModel

    directory = tmp_path_factory.mktemp("models") / "opus-mt-tiny-ending"
    shutil.copytree(tiny_model_dir, directory, dirs_exist_ok=True)
    model = MarianMTModel.from_pretrained(str(tiny_model_dir))
    model.final_logits_bias[0, model.config.eos_token_id] = 4.0
    model.save_pretrained(str(directory))
    return directory


def _engines(model: Path, **options) -> list[MarianEngine | CTranslate2Engine]:
    return [MarianEngine(str(model), **options),
            CTranslate2Engine(str(model), quantization="float32", **options)]


def _reference(engine, ct2_reference, torch_reference):
    return ct2_reference if engine.name == "ct2" else torch_reference


@pytest.mark.parametrize("beam", [1, 4])
def test_both_engines_score_their_output_as_the_references_do(tiny_model_dir: Path, ct2_reference,
                                                              torch_reference, beam: int) -> None:
    by_engine = {}
    for engine in _engines(tiny_model_dir, beam=beam, max_length=12):
        reference = _reference(engine, ct2_reference, torch_reference)
        results = engine.translate(TEXTS, align=[True, False, False, True])
        assert results[2].score is None and not results[2].truncated  # empty input: nothing decoded
        for text, result in zip(TEXTS, results, strict=True):
            if text:
                assert result.score == pytest.approx(reference(text, result), abs=1e-4), engine.name
        by_engine[engine.name] = results
    for marian, ct2 in zip(by_engine["marian"], by_engine["ct2"], strict=True):
        assert marian.text == ct2.text  # the tiny model's beams do not tie: same outputs
        if marian.score is not None:
            assert marian.score == pytest.approx(ct2.score, abs=0.01)  # <pad>'s share, see the docstring


def test_glossary_outputs_are_scored_as_they_came_out(tiny_model_dir: Path, ct2_reference,
                                                      torch_reference) -> None:
    """Constrained beam search (marian) and the forced-prefix re-decode (ct2): the final tokens are scored."""
    text = "Gubernur Jawa Barat tiba di Moskwa."
    terms = [[TermConstraint(("Moscow",), "Moskwa"), TermConstraint(("West Java",), "Jawa Barat")]]
    for engine in _engines(tiny_model_dir, beam=4, max_length=16):
        [plain] = engine.translate([text])
        [forced] = engine.translate([text], constraints=terms)
        assert "Moscow" in forced.text and "West Java" in forced.text and forced.text != plain.text
        reference = _reference(engine, ct2_reference, torch_reference)
        assert forced.score == pytest.approx(reference(text, forced), abs=1e-4), engine.name
        assert forced.score != pytest.approx(plain.score, abs=1e-3)


def test_an_output_cut_at_max_length_is_truncated_and_a_finished_one_is_not(
        tiny_model_dir: Path, ending_model_dir: Path) -> None:
    for engine in _engines(tiny_model_dir, beam=4, max_length=6):
        results = engine.translate(TEXTS)
        assert [r.truncated for r in results] == [True, True, False, True], engine.name
        assert all(len(r.tokens) <= 5 for r in results)  # max_length counts the EOS
    for engine in _engines(ending_model_dir, beam=4, max_length=6):
        results = engine.translate(TEXTS)
        assert not any(r.truncated for r in results), engine.name
        assert [r.score is not None for r in results] == [True, True, False, True]


def test_the_eos_the_model_wrote_is_scored(ending_model_dir: Path) -> None:
    """The ending model writes EOS at once: the score is that EOS's log-probability alone."""
    directory = convert_model(str(ending_model_dir), quantization="float32", notify=lambda _: None)
    translator = ctranslate2.Translator(str(directory), device="cpu", compute_type="float32")
    tokenizer = MarianSpm.from_dir(directory)
    [eos_only] = translator.score_batch([tokenizer.tokenize(TEXTS[0]) + ["</s>"]], [[]])
    for engine in _engines(ending_model_dir, beam=4, max_length=6):
        [result] = engine.translate(TEXTS[:1])
        assert result.text == "" and result.score == pytest.approx(eos_only.log_probs[0], abs=0.01)


def _with_generation(tiny_model_dir: Path, directory: Path, **settings) -> Path:
    """A copy of the tiny model whose generation_config.json has ``settings`` on top."""
    shutil.copytree(tiny_model_dir, directory)
    config = json.loads((directory / "generation_config.json").read_text("utf-8"))
    (directory / "generation_config.json").write_text(json.dumps(config | settings))
    return directory


def test_renormalized_logits_as_opus_mt_sets_them_are_decoded_and_scored_by_our_search(
        tiny_model_dir: Path, tmp_path: Path, ct2_reference, caplog: pytest.LogCaptureFixture) -> None:
    """Helsinki-NLP's generation configs set ``renormalize_logits``: log-softmax again after ``<pad>``
    is banned.  Our search mirrors it (the same tokens as ``generate``), so the model keeps its scores
    and its glossary; the distribution is then CTranslate2's, which has no ``<pad>``."""
    directory = _with_generation(tiny_model_dir, tmp_path / "model", renormalize_logits=True)
    engine = MarianEngine(str(directory), beam=4, max_length=12)
    results = engine.translate(TEXTS)
    assert "without scores" not in caplog.text
    engine._generate_only = "the control"
    plain = engine.translate(TEXTS)
    assert [r.tokens for r in results] == [r.tokens for r in plain] and plain[0].score is None
    for text, result in zip(TEXTS, results, strict=True):
        if text:
            assert result.score == pytest.approx(ct2_reference(text, result), abs=1e-4)
    engine._generate_only = None
    terms = [[TermConstraint(("Moscow",), "Moskwa")]]
    [forced] = engine.translate(["Gubernur tiba di Moskwa."], constraints=terms)
    assert "Moscow" in forced.text and forced.score is not None


def test_generation_settings_our_search_does_not_mirror_fall_back_to_generate(
        tiny_model_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    directory = _with_generation(tiny_model_dir, tmp_path / "model", repetition_penalty=1.3)
    engine = MarianEngine(str(directory), max_length=6)
    [result] = engine.translate(TEXTS[:1])
    assert "repetition_penalty" in caplog.text and "without scores" in caplog.text
    assert result.score is None and result.truncated and result.text


def test_copy_and_pseudo_have_no_score() -> None:
    for name in ("copy", "pseudo"):
        [result] = create_engine(name).translate(["Harga beras naik."])
        assert result.score is None and not result.truncated


def test_confidence_is_the_geometric_mean_token_probability() -> None:
    assert confidence_of(None) is None
    assert confidence_of(0.0) == 1.0
    assert confidence_of(math.log(0.25)) == pytest.approx(0.25)


# --------------------------------------------------------------------------- the pipeline


def _document(text: str, fmt: str = "markdown", name: str = "berita.md"):
    return segment_document(get_format(fmt).read(text.encode("utf-8"), name))


ARTICLE = "Harga **beras** naik di Jakarta.\n\n2020\n\nWarga diminta tetap tenang.\n"


def test_segments_keep_the_engine_score_through_inline_codes(tiny_model_dir: Path) -> None:
    engine = MarianEngine(str(tiny_model_dir), max_length=8)
    document = _document(ARTICLE)
    translate_documents([document], engine)
    bold, year, calm = document.segments()
    assert year.state is SegmentState.COPIED and year.score is None and not year.truncated
    plain_bold, plain_calm = engine.translate(["Harga beras naik di Jakarta.", "Warga diminta tetap tenang."])
    assert "\ue000" in (bold.target or "")  # the codes were placed: the alignment path
    assert bold.score == pytest.approx(plain_bold.score, abs=1e-5) and bold.truncated
    assert calm.score == pytest.approx(plain_calm.score, abs=1e-5) and calm.truncated


def test_memory_matches_and_copy_engine_segments_have_no_score(tiny_model_dir: Path) -> None:
    engine = MarianEngine(str(tiny_model_dir), max_length=8)
    memory = DictMemory()
    first, again = _document(ARTICLE), _document(ARTICLE)
    translate_documents([first], engine, memory=memory)
    translate_documents([again], engine, memory=memory)
    assert [s.target for s in again.segments()] == [s.target for s in first.segments()]
    assert all(s.score is not None for s in first.segments() if s.state is SegmentState.TRANSLATED)
    assert [s.score for s in again.segments()] == [None, None, None]
    copied = _document(ARTICLE)
    translate_documents([copied], create_engine("copy"))
    assert [s.score for s in copied.segments()] == [None, None, None]


# --------------------------------------------------------------------------- the service


def test_the_workbench_answers_the_stored_confidence_of_a_machine_target(tiny_model_dir: Path) -> None:
    from translate.pipeline import Translator
    from translate.service.work import Workbench

    engine = MarianEngine(str(tiny_model_dir), max_length=8)
    bench = Workbench(Translator(engine))
    prepared = bench.prepare("berita.txt", "text", b"Harga beras naik.\n\n2020\n")
    targets = {n: segment.target for n, segment in bench.translate(prepared, [0, 1]).segments.items()}
    [expected] = engine.translate(["Harga beras naik."])
    assert bench.confidence(prepared, 0, targets[0]) == pytest.approx(math.exp(expected.score), rel=1e-5)
    assert bench.confidence(prepared, 0, "Rice prices rose.") is None  # an edited target: not the engine's
    assert bench.confidence(prepared, 1, targets[1]) is None  # "2020" is copied, not translated
