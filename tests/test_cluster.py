"""``translate run --ray`` on a local Ray instance: the local run's bytes, faults, resuming, the CLI.

One Ray instance (2 CPUs, always a new one: ``address="local"``) serves the
module, and the corpus and the local run the Ray runs are compared with are
made once; each run starts its own actors (a few seconds each, so the tests
share runs: six in all).  Engines use one thread per actor, so the instance
holds two actors and the local run decodes with the same batches.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import ray  # the "ray" extra is part of "dev": CI runs these tests, never skips them

from translate.cli import main
from translate.cluster import MANIFEST_NAME, RayOptions, run_on_ray
from translate.cluster.actors import CRASH_ENV
from translate.cluster.resources import ClusterError
from translate.engines import create_engine
from translate.errors import InputError, ModelError
from translate.manifest import MANIFEST_NAME as RESUME_MANIFEST
from translate.pipeline import RunReport, run
from translate.settings import Settings

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
OPTIONS = {"beam": 2, "max_length": 12, "inter_threads": 1, "intra_threads": 1}
CLI_ENGINE = ["--engine", "ct2", "--beam", "2", "--max-length", "12", "--inter-threads", "1",
              "--intra-threads", "1"]


@pytest.fixture(scope="module", autouse=True)
def ray_instance():
    ray.init(address="local", num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False,
             log_to_driver=False, logging_level="WARNING")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's corpus sources (text, Markdown, HTML, DOCX) and a second copy in a subfolder."""
    folder = tmp_path_factory.mktemp("corpus") / "in"
    for copy in (folder, folder / "more"):
        copy.mkdir(parents=True)
        for path in CORPORA.glob("*.id.*"):
            shutil.copyfile(path, copy / path.name)
    return folder


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An input that fails alone: not UTF-8."""
    path = tmp_path_factory.mktemp("broken") / "broken.id.txt"
    path.write_bytes(b"Harga beras \xff naik.\n")
    return path


def engine(model: Path):
    return create_engine("ct2", model=str(model), **OPTIONS)


def defaults() -> dict:
    """The glossary and localizer of a default run (curated glossary, en_US)."""
    settings = Settings()
    return {"glossary": settings.load_glossary(), "localizer": settings.localizer()}


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too: a partial ``.part`` file would show); the resume
    manifest as what it records of each output (its latest line, without the time it was written)."""
    return {str(p.relative_to(folder)): _recorded(p) if p.name == RESUME_MANIFEST else p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _recorded(manifest: Path) -> bytes:
    latest = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record.pop("written")
        latest[record["output"]] = record
    return json.dumps(sorted(latest.items())).encode()


@pytest.fixture(scope="module")
def local(tiny_model_dir: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[RunReport, dict[str, bytes]]:
    """The local run (no Ray) of the corpus: its report and its outputs."""
    out = tmp_path_factory.mktemp("local") / "out"
    local_engine = engine(tiny_model_dir)
    local_engine.load()
    report = run([corpus], local_engine, out, **defaults())
    assert not report.failures and len(report.results) == 10
    return report, outputs(out)


def test_outputs_equal_the_local_run(tiny_model_dir: Path, corpus: Path, broken: Path, tmp_path: Path,
                                     local: tuple[RunReport, dict[str, bytes]]) -> None:
    local_report, local_outputs = local
    out = tmp_path / "ray"
    seen = []
    report = run_on_ray([corpus, broken], engine(tiny_model_dir), out, manifest=out / MANIFEST_NAME,
                        progress=seen.append, **defaults())
    written = outputs(out)
    manifest = [json.loads(line) for line in written.pop(MANIFEST_NAME).splitlines()]
    assert written == local_outputs  # byte for byte, every format; nothing for the broken file
    [failure] = report.failures  # the broken file fails alone, named, with the reason
    assert failure.job.source == broken and "not valid UTF-8" in str(failure.error)
    assert "broken.id.txt" in str(failure.error)
    assert report.signature == local_report.signature
    assert [r.segments for r in report.results[:-1]] == [r.segments for r in local_report.results]
    assert len(report.qa) == len(local_report.qa) and len(report.terms) == len(local_report.terms)
    assert manifest[0]["kind"] == "run"
    assert manifest[0]["signature"] == report.signature and manifest[0]["documents"] == 11
    assert sorted(m["kind"] for m in manifest[1:]) == ["failed"] + ["written"] * 10
    for line in manifest[1:]:
        if line["kind"] == "written":
            output = Path(line["output"])
            assert local_outputs[str(output.relative_to(out))] == output.read_bytes()
            assert line["bytes"] == output.stat().st_size and line["segments"] > 0
        else:
            assert line["source"] == str(broken) and "not valid UTF-8" in line["error"]
    # each output is recorded as a local run records it: a local --skip-existing keeps them all as unchanged
    local_engine = engine(tiny_model_dir)
    local_engine.load()
    resumed = run([corpus], local_engine, out, skip_existing=True, **defaults())
    assert len(resumed.existing) == 10 and not resumed.written
    assert {decision.reason for decision in resumed.resume.values()} == {"unchanged"}
    # two actors, both used, each reporting its throughput; the driver's progress ends complete
    assert len(report.actors) == 2 and all(a.documents for a in report.actors)
    assert sum(a.documents for a in report.actors) == 10 and all(a.rate > 0 for a in report.actors)
    assert seen[-1].done == 11 and seen[-1].failed == 1 and seen[-1].segments == sum(
        r.segments for r in report.results if not r.error)


def test_a_killed_actor_is_restarted_and_its_documents_retried(
        tiny_model_dir: Path, corpus: Path, tmp_path: Path, local: tuple[RunReport, dict[str, bytes]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "crashed"
    monkeypatch.setenv(CRASH_ENV, str(marker))  # an actor exits (os._exit) at its second document
    out = tmp_path / "ray"
    report = run_on_ray([corpus], engine(tiny_model_dir), out, **defaults())
    assert marker.exists()  # an actor did exit in the middle of the run
    assert not report.failures and len(report.results) == 10
    assert outputs(out) == local[1]  # nothing partial, nothing missing, nothing else


def test_cli_skip_existing_completes_an_interrupted_run(
        tiny_model_dir: Path, corpus: Path, broken: Path, tmp_path: Path,
        local: tuple[RunReport, dict[str, bytes]], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    local_outputs = local[1]
    out = tmp_path / "ray"

    def interrupt(progress) -> None:
        if progress.done >= 3:
            raise KeyboardInterrupt  # as Ctrl-C on the driver

    with pytest.raises(KeyboardInterrupt):
        run_on_ray([corpus], engine(tiny_model_dir), out, progress=interrupt, **defaults())
    first = outputs(out)
    assert 3 <= len(first) < len(local_outputs)
    assert all(local_outputs[name] == data for name, data in first.items()  # whole files only
               if not name.endswith(RESUME_MANIFEST))

    monkeypatch.chdir(tmp_path)  # no translate.toml or glossaries/ of the repository
    code = main(["run", str(corpus), str(broken), "-o", str(out), "--skip-existing", "--ray",
                 "--model", str(tiny_model_dir), *CLI_ENGINE, "-q", "--log", str(tmp_path / "run.jsonl")])
    err = capsys.readouterr().err
    assert code == InputError.exit_code  # the broken file's error; the others were written
    kept = [name for name in first if not name.endswith(RESUME_MANIFEST)]
    assert f"kept {len(kept)} existing output(s) (--skip-existing): {len(kept)} unchanged" in err
    assert "signature: engine=ct2" in err and "manifest: " in err and MANIFEST_NAME in err
    assert "1 of " in err and "broken.id.txt: not valid UTF-8" in err
    written = outputs(out)
    manifest = [json.loads(line) for line in written.pop(MANIFEST_NAME).splitlines()]
    assert written == local_outputs  # the set is complete, byte for byte
    assert manifest[0]["kept"] == len(kept)
    assert sorted(m["kind"] for m in manifest[1:]) == ["failed"] + ["written"] * (10 - len(kept))
    assert f"wrote {10 - len(kept)} file(s); 1 of " in err
    # --log: a line per file as a local run writes it (kept, written with terms and QA, failed), then the run
    log = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()]
    files = [line for line in log if line["type"] == "file"]
    assert sorted(line["status"] for line in files) == sorted(
        ["kept"] * len(kept) + ["written"] * (10 - len(kept)) + ["failed"])
    assert all(line["signature"] == files[0]["signature"] and line["signature"].startswith("engine=ct2")
               for line in files)
    assert all(line["segments"] > 0 and "qa" in line for line in files if line["status"] == "written")
    assert log[-1]["type"] == "run" and log[-1]["written"] == 10 - len(kept) and log[-1]["failed"] == 1


def test_cli_refuses_a_translation_memory_on_a_cluster(tiny_model_dir: Path, corpus: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(corpus), "-o", str(tmp_path / "out"), "--ray", "--engine", "ct2",
                 "--model", str(tiny_model_dir), "--tm", str(tmp_path / "tm.sqlite")])
    assert code == ClusterError.exit_code
    assert "translation memory is not shared" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_model_that_cannot_load_is_the_runs_error(tiny_model_dir: Path, corpus: Path,
                                                    tmp_path: Path) -> None:
    damaged = tmp_path / "damaged-model"
    shutil.copytree(engine(tiny_model_dir).prepare(), damaged)  # a converted directory...
    (damaged / "model.bin").write_bytes(b"truncated")  # ...whose weights are damaged
    with pytest.raises(ModelError, match="cannot load the CTranslate2 model"):
        run_on_ray([corpus], create_engine("ct2", model=str(damaged), **OPTIONS), tmp_path / "out",
                   options=RayOptions(actors=1))
    assert not (tmp_path / "out").exists()


def test_copy_engine_runs_without_a_model(corpus: Path, tmp_path: Path) -> None:
    report = run_on_ray([corpus / "more"], create_engine("copy"), tmp_path / "ray",
                        options=RayOptions(actors=1))
    local_report = run([corpus / "more"], create_engine("copy"), tmp_path / "local")
    assert not report.failures and len(report.results) == 5 and report.signature == local_report.signature
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")
