"""Runs a bureau can watch and interrupt: progress per engine batch, log lines per file, clean stops."""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from translate.cli import main
from translate.engines.base import Translation
from translate.engines.simple import pseudo_translate
from translate.interrupt import StopRequest
from translate.pipeline import run
from translate.progress import LogProgress
from translate.runlog import RunLog

SENTENCES = [
    "Presiden Joko Widodo mengunjungi Jawa Barat pada hari Senin.",
    "Harga beras naik di pasar Jakarta pekan lalu.",
    "Gubernur Sumatra Utara meresmikan jembatan baru di Medan.",
    "Hujan deras menyebabkan banjir di beberapa desa.",
    "Warga diminta tetap tenang dan mengikuti arahan petugas.",
    "Pemerintah akan membangun sekolah di daerah terpencil.",
]


def article(index: int, paragraphs: int) -> str:
    """An article of distinct sentences (a number in each), so nothing is translated once for two."""
    return "\n\n".join(f"{SENTENCES[(index + k) % len(SENTENCES)]} Sebanyak {index * 1000 + k} warga hadir."
                       for k in range(paragraphs)) + "\n"


def make_folder(folder: Path, documents: int, paragraphs: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(documents):
        (folder / f"berita-{index}.id.txt").write_text(article(index, paragraphs), encoding="utf-8")
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    """The documents in a folder (not the hidden manifest)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.part")]


class BatchEngine:
    """Pseudo-translation in batches of two, each reported; asks the run to stop during batch ``stop_at``."""

    name = "batches"
    keeps_codes = True
    translates = False
    localizes = False
    chunk_size = 64

    def __init__(self, stop: StopRequest | None = None, stop_at: int = 0) -> None:
        self.stop, self.stop_at = stop, stop_at
        self.batches = 0
        self.calls: list[str] = []  # what happened, in order, for the progress tests

    def load(self) -> None:
        """Nothing to load."""

    def signature(self) -> str:
        return "engine=batches"

    def translate(self, texts, align=None, constraints=None, progress=None) -> list[Translation]:
        results = []
        for start in range(0, len(texts), 2):
            self.batches += 1
            if self.stop is not None and self.batches == self.stop_at:
                self.stop.request("test")
            results += [Translation(pseudo_translate(t)) for t in texts[start:start + 2]]
            self.calls.append("batch")
            if progress is not None:
                progress(range(start, min(start + 2, len(texts))))
        return results


# --------------------------------------------------------------------------- progress per engine batch


def test_progress_moves_per_engine_batch_not_per_document(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in", 1, 6)  # 12 segments: 6 batches in one engine call
    engine = BatchEngine()
    steps: list[int] = []

    def progress(segments: int) -> None:
        steps.append(segments)
        engine.calls.append("progress")

    run([folder], engine, tmp_path / "out", progress_factory=lambda total: progress)
    assert sum(steps) == 12 and max(steps) == 2
    # each batch is reported as it completes, before the next one starts
    assert engine.calls[:4] == ["batch", "progress", "batch", "progress"]


@pytest.mark.parametrize("engine_name", ["ct2", "marian"])
def test_model_engines_report_each_batch_during_the_call(engine_name: str, tiny_model_dir: Path,
                                                         tmp_path: Path) -> None:
    if engine_name == "ct2":
        pytest.importorskip("ctranslate2")
    from translate.engines import create_engine

    options = {"inter_threads": 1} if engine_name == "ct2" else {}
    engine = create_engine(engine_name, model=str(tiny_model_dir), beam=1, batch_size=2, max_length=8,
                           **options)
    events: list[str] = []
    original = engine.translate

    @functools.wraps(original)
    def translate(*args, **kwargs):
        events.append("call")
        result = original(*args, **kwargs)
        events.append("return")
        return result

    engine.translate = translate
    folder = make_folder(tmp_path / "in", 1, 4)  # 8 distinct segments, one engine call
    steps: list[int] = []
    run([folder], engine, tmp_path / "out", progress_factory=lambda total: lambda n: (steps.append(n),
                                                                                      events.append("p")))
    assert sum(steps) == 8
    assert events.count("call") == 1
    inside = events[events.index("call"):events.index("return")]
    assert inside.count("p") >= 4, events  # batches of 2 reported while the engine works
    assert max(steps) <= 2


def test_ct2_keeps_few_batches_in_flight_and_stops_when_progress_raises(tiny_model_dir: Path) -> None:
    pytest.importorskip("ctranslate2")
    from translate.engines.ct2 import CTranslate2Engine

    engine = CTranslate2Engine(str(tiny_model_dir), beam=1, batch_size=2, max_length=8, inter_threads=1)
    engine.load()
    submitted: list[int] = []
    real = engine._translator

    class Counting:
        def translate_batch(self, tokens, *args, **kwargs):
            submitted.append(len(tokens))
            return real.translate_batch(tokens, *args, **kwargs)

    engine._translator = Counting()
    texts = [f"{SENTENCES[k % len(SENTENCES)]} Nomor {k}." for k in range(40)]  # 20 batches

    class Stop(Exception):
        pass

    def progress(indices) -> None:
        raise Stop

    with pytest.raises(Stop):
        engine.translate(texts, progress=progress)
    # one batch per translator plus one queued, not the whole call's 20
    assert 1 <= len(submitted) <= engine.inter_threads + 1
    engine._translator = real
    assert len(engine.translate(texts)) == 40


def test_ct2_stop_does_not_wait_for_a_running_batch(tiny_model_dir: Path) -> None:
    """While CTranslate2's threads decode, the engine calls progress([]) so a stop is noticed mid-batch."""
    pytest.importorskip("ctranslate2")
    from translate.engines.ct2 import CTranslate2Engine

    engine = CTranslate2Engine(str(tiny_model_dir), beam=1, batch_size=2, max_length=8, inter_threads=1)
    engine.load()

    class Running:  # a batch that takes 3 s (then fails, so the old wait ends the test instead of a hang)
        started = time.monotonic()

        def done(self) -> bool:
            return time.monotonic() - self.started > 3

        def result(self):
            raise RuntimeError("the engine waited for the whole batch")

    class Busy:
        def translate_batch(self, tokens, *args, **kwargs):
            return [Running() for _ in tokens]

    real, engine._translator = engine._translator, Busy()

    class Stop(Exception):
        pass

    calls: list[list[int]] = []

    def progress(indices) -> None:
        calls.append(list(indices))
        raise Stop

    began = time.monotonic()
    with pytest.raises(Stop):
        engine.translate(["Harga beras naik.", "Banjir di Bekasi."], progress=progress)
    assert time.monotonic() - began < 2 and calls == [[]]
    engine._translator = real


def test_ct2_reports_texts_with_forced_terms_per_re_decode_batch(tiny_model_dir: Path) -> None:
    """A text with glossary terms is not held back to the end of the call: its re-decode batch reports it."""
    pytest.importorskip("ctranslate2")
    from translate.engines.base import TermConstraint
    from translate.engines.ct2 import CTranslate2Engine

    engine = CTranslate2Engine(str(tiny_model_dir), beam=1, batch_size=2, max_length=8, inter_threads=1)
    texts = [f"{SENTENCES[k % len(SENTENCES)]} Nomor {k}." for k in range(12)]
    # a term the tiny random model never writes by itself: every text is re-decoded with it forced
    constraints = [[TermConstraint(("Zebra Quokka",), "Jakarta")] for _ in texts]
    reports: list[list[int]] = []
    engine.translate(texts, constraints=constraints, progress=lambda batch: reports.append(list(batch)))
    batches = [batch for batch in reports if batch]  # not the heartbeats while it waits
    assert sorted(i for batch in batches for i in batch) == list(range(12))  # every text once
    assert len(batches) >= 6 and max(map(len, batches)) <= 2, reports  # per batch of 2, not all at the end


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_moves_per_engine_batch(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from translate.progress import BarProgress, progress_factory

    monkeypatch.setattr(BarProgress, "REDRAW_SECONDS", 0.0)  # every update drawn
    folder = make_folder(tmp_path / "in", 2, 3)  # 6 segments each, batches of 2
    screen = Terminal()
    run([folder], BatchEngine(), tmp_path / "out", progress_factory=progress_factory(False, screen))
    drawn = screen.getvalue()
    for done in (2, 4, 6, 8, 10, 12):  # the bar at every batch, not once per document
        assert f"| {done}/12 [" in drawn, drawn
    assert drawn.index("| 4/12 [") < drawn.index("berita-0.id.txt ->") < drawn.index("| 8/12 [")


# --------------------------------------------------------------------------- without a terminal


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_log_progress_prints_a_line_per_file_and_a_periodic_summary(tmp_path: Path) -> None:
    stream, clock = io.StringIO(), FakeClock()
    display = LogProgress(30, stream=stream, clock=clock, interval=30)
    engine = BatchEngine()
    original = engine.translate

    def slow(texts, align=None, constraints=None, progress=None):
        clock.now += 20  # each document takes 20 s of "work"
        return original(texts, align, constraints, progress)

    engine.translate = slow
    folder = make_folder(tmp_path / "in", 3, 5)
    run([folder], engine, tmp_path / "out", progress_factory=lambda total: display)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "translating 3 file(s), 30 segment(s)"
    done = [line for line in lines if " -> " in line]
    assert [line.split(" -> ")[0] for line in done] == [str(folder / f"berita-{k}.id.txt") for k in range(3)]
    summaries = [line for line in lines if line.startswith("progress: ")]
    assert summaries, lines  # 60 s of work, a summary every 30 s
    assert "files" in summaries[0] and "segments" in summaries[0] and "ETA" in summaries[0]
    assert "1/3 files" in summaries[0] or "2/3 files" in summaries[0]


def test_run_without_a_terminal_shows_progress_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("translate.progress.SUMMARY_INTERVAL", 0.0)  # a summary at every step
    folder = make_folder(tmp_path / "in", 2, 3)
    assert main(["run", str(folder), "-o", str(tmp_path / "out"), "--engine", "pseudo", "--no-glossary"]) == 0
    err = capsys.readouterr().err  # captured: not a terminal, as under cron
    assert "translating 2 file(s), 12 segment(s)" in err
    assert "progress: 1/2 files" in err and "ETA" in err
    assert err.index("berita-0.id.txt ->") < err.index("progress: 1/2 files")


def test_eval_without_a_terminal_shows_a_line_per_file_and_logs_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cron eval once printed two lines in 18 minutes: now a line per document; --log works there too."""
    corpus = make_folder(tmp_path / "corpus", 2, 2)
    for source in corpus.glob("*.id.txt"):  # references with the sources' two paragraphs
        (corpus / source.name.replace(".id.", ".en.")).write_text("Calm.\n\nPrices rose.\n", encoding="utf-8")
    log = tmp_path / "eval.jsonl"
    assert main(["eval", str(corpus), "--out", str(tmp_path / "report"), "--engine", "pseudo",
                 "--bootstrap", "0", "--no-glossary", "--log", str(log)]) == 0
    err = capsys.readouterr().err
    assert "translating 2 file(s), 8 segment(s)" in err
    assert "berita-0.id.txt ->" in err and "berita-1.id.txt ->" in err
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line["status"] for line in lines] == ["written", "written", "done"]


# --------------------------------------------------------------------------- --log


def test_log_has_a_flushed_line_per_file_as_it_completes(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in", 3, 2)
    (folder / "rusak.id.txt").write_bytes(b"Harga \xff naik.\n")
    log_path = tmp_path / "run.jsonl"
    log = RunLog(log_path)
    seen_by_engine: list[int] = []
    engine = BatchEngine()
    original = engine.translate

    def watching(texts, align=None, constraints=None, progress=None):
        seen_by_engine.append(len(log_path.read_text(encoding="utf-8").splitlines()))
        return original(texts, align, constraints, progress)

    engine.translate = watching
    report = run([folder], engine, tmp_path / "out", observer=log)
    log.close()
    # the failed file's line is there before any work, each finished file's before the next starts
    assert seen_by_engine == [1, 2, 3]
    lines = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    assert [line["type"] for line in lines] == ["file"] * 4 + ["run"]
    failed, first = lines[0], lines[1]
    assert failed["status"] == "failed" and "not valid UTF-8" in failed["error"] and failed["exit_code"] == 2
    source = folder / "berita-0.id.txt"
    assert first["source"] == str(source) and first["status"] == "written"
    import hashlib

    assert first["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert first["output"] == str(tmp_path / "out" / "berita-0.en.txt")
    assert first["signature"] == report.signature and first["segments"] == 4
    assert set(first) >= {"terms", "qa", "seconds", "error"} and first["seconds"] >= 0
    assert lines[-1]["status"] == "failed" and lines[-1]["written"] == 3 and lines[-1]["failed"] == 1


def test_log_counts_terms_and_qa_findings(tmp_path: Path) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Menteri Luar Negeri tiba di Moskwa.\n", encoding="utf-8")
    log_path = tmp_path / "log.jsonl"
    assert main(["run", str(source), "--engine", "pseudo", "--no-curated-glossary", "--glossary",
                 str(_glossary(tmp_path)), "--log", str(log_path), "-q"]) == 0
    [line, end] = [json.loads(x) for x in log_path.read_text(encoding="utf-8").splitlines()]
    assert line["terms"] == {"met": 0, "total": 1}  # pseudo keeps no term
    assert line["qa"].get("warning", 0) + line["qa"].get("error", 0) >= 1
    assert line["qa_checks"].get("glossary", 0) >= 1  # the missing term, by the check that found it
    assert sum(line["qa_checks"].values()) == sum(line["qa"].values())
    assert end["type"] == "run" and end["status"] == "done"


def _glossary(folder: Path) -> Path:
    path = folder / "g.tsv"
    path.write_text("Moskwa\tMoscow\n", encoding="utf-8")
    return path


def test_an_unwritable_log_is_refused_before_any_work(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "a.id.txt"
    source.write_text("Halo.\n", encoding="utf-8")
    assert main(["run", str(source), "--engine", "pseudo", "--log", str(source / "log.jsonl")]) == 3
    assert "cannot write the log" in capsys.readouterr().err
    assert not (tmp_path / "a.en.txt").exists()


# --------------------------------------------------------------------------- stopping


def test_a_stop_starts_no_new_batch_and_keeps_written_documents(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in", 3, 2)  # 4 segments each: 2 batches per document
    stop = StopRequest()
    engine = BatchEngine(stop, stop_at=3)  # the first batch of the second document
    log = RunLog(tmp_path / "log.jsonl")
    report = run([folder], engine, tmp_path / "out", stop=stop, observer=log)
    log.close()
    assert engine.batches == 3  # nothing after the batch during which the stop came
    assert report.interrupted == "test"
    assert list(outputs(tmp_path / "out")) == ["berita-0.en.txt"]
    assert [r.status for r in report.results] == ["written", "interrupted"]
    assert [job.source.name for job in report.not_started] == ["berita-2.id.txt"]
    assert leftovers(tmp_path) == []
    end = json.loads((tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert end["status"] == "interrupted" and end["written"] == 1 and end["not_started"] == 1


def _run_command(folder: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "translate", "run", str(folder), "-o", str(out), "--engine", "ct2",
            "--model", str(model), "--no-glossary", "--batch-size", "4", "--inter-threads", "1", *extra]


@pytest.fixture(scope="module")
def long_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    """Three long articles and their clean, uninterrupted translation (with its log)."""
    pytest.importorskip("ctranslate2")
    root = tmp_path_factory.mktemp("long-run")
    folder = make_folder(root / "in", 6, 100)  # 200 segments each: 50 batches of 4
    clean = root / "clean"
    subprocess.run(_run_command(folder, clean, tiny_model_dir, "--log", str(root / "clean.jsonl"), "-q"),
                   check=True, capture_output=True)
    log = [json.loads(line) for line in (root / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
    return folder, clean, log


def _interrupt(command: list[str], out: Path,
               signals: list[int]) -> tuple[subprocess.CompletedProcess, float]:
    """Start ``command``, send ``signals`` once its first output is written; the seconds to its exit."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (out.is_dir() and any(out.glob("*.en.txt"))):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before its first output"
        time.sleep(0.01)
    sent = time.monotonic()
    for number in signals:
        process.send_signal(number)
        time.sleep(0.05)
    _, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, "", err), time.monotonic() - sent


def test_ctrl_c_stops_within_a_batch_and_skip_existing_completes_the_set(
        long_run: tuple[Path, Path, list[dict]], tiny_model_dir: Path, tmp_path: Path) -> None:
    folder, clean, clean_log = long_run
    assert [line["status"] for line in clean_log] == ["written"] * 6 + ["done"]
    out = tmp_path / "out"
    result, seconds = _interrupt(_run_command(folder, out, tiny_model_dir), out, [signal.SIGINT])
    assert result.returncode == 130, result.stderr
    # A stop waits for the batches in flight (two of 4 segments), not for the document or the chunk:
    # test_a_stop_starts_no_new_batch... and test_ct2_keeps_few_batches_in_flight... pin that down;
    # the tiny model is too fast for a timing here to tell one from the other.
    assert seconds < 5, (seconds, result.stderr)
    assert "interrupted (SIGINT)" in result.stderr and "Resume with: translate run" in result.stderr
    assert "--skip-existing" in result.stderr.splitlines()[-1]
    written = outputs(out)
    assert 1 <= len(written) < len(clean_log) - 1
    assert all(data == clean.joinpath(name).read_bytes() for name, data in written.items())  # complete
    assert leftovers(out) == []
    resumed = subprocess.run(_run_command(folder, out, tiny_model_dir, "--skip-existing"),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"kept {len(written)} existing output(s)" in resumed.stderr
    assert outputs(out) == outputs(clean)


@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT, signal.SIGINT]],
                         ids=["sigterm", "second-ctrl-c"])
def test_sigterm_and_a_second_ctrl_c_exit_130_leaving_complete_files(
        signals: list[int], long_run: tuple[Path, Path, list[dict]], tiny_model_dir: Path,
        tmp_path: Path) -> None:
    folder, clean, _ = long_run
    out = tmp_path / "out"
    result, seconds = _interrupt(_run_command(folder, out, tiny_model_dir), out, signals)
    # SIGTERM used to kill the process outright.  A second Ctrl-C after the run's work is over
    # (interpreter shutdown) ends it by the signal itself: a shell reports that as 130 too.
    assert result.returncode in (130, -signal.SIGINT) if len(signals) > 1 else result.returncode == 130, \
        (result.returncode, result.stderr)
    assert seconds < 10
    assert all(data == clean.joinpath(name).read_bytes() for name, data in outputs(out).items())
    assert leftovers(out) == []


def test_a_stopped_command_does_not_wait_for_exit_time_cleanup(
        long_run: tuple[Path, Path, list[dict]], tiny_model_dir: Path, tmp_path: Path) -> None:
    """Freeing a CTranslate2 translator joins its threads (finishing abandoned batches): a stop skips that.

    The stand-ins for that join: an engine whose destruction takes a minute,
    and an atexit handler that sleeps a minute.
    """
    folder, _, _ = long_run
    out = tmp_path / "out"
    script = ("import atexit, sys, time; atexit.register(time.sleep, 60); sys.argv[0] = 'translate'; "
              "from translate.engines.ct2 import CTranslate2Engine; "
              "CTranslate2Engine.__del__ = lambda self: time.sleep(60); "
              "from translate.cli import main; raise SystemExit(main())")
    command = [sys.executable, "-c", script, *_run_command(folder, out, tiny_model_dir)[3:]]
    result, seconds = _interrupt(command, out, [signal.SIGINT])
    assert result.returncode == 130 and seconds < 10, (seconds, result.stderr)
    assert "Resume with:" in result.stderr


def test_library_runs_are_not_affected_by_signal_handling() -> None:
    """main() puts the handlers it installed back (pytest's own Ctrl-C keeps working)."""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    main(["run", os.devnull, "--engine", "copy", "-q"])
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    from translate import interrupt

    assert interrupt._HELD == []  # the engine held for a fast exit is freed: the caller's process goes on
