"""The parts of a cluster run that need no Ray: model shipping, actor sizing, stages, manifest, options."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from translate.cli import build_parser
from translate.cluster.manifest import Manifest
from translate.cluster.model_shipping import ModelFiles, content_key, node_copy, read_model
from translate.cluster.resources import ClusterError, ClusterResources, actor_shape
from translate.cluster.stages import capture, prepare_job, write_job
from translate.errors import InputError, ModelError, OutputError
from translate.incidents import IncidentLog
from translate.jobs import Job
from translate.pipeline import load_document


def converted(folder: Path) -> Path:
    """A converted directory as far as shipping cares: flat files, one of them translate-ct2.json."""
    folder.mkdir()
    (folder / "translate-ct2.json").write_text('{"model": "x"}', "utf-8")
    (folder / "model.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "source.spm").write_bytes(b"pieces")
    return folder


def test_a_model_unpacks_once_per_node_and_is_then_reused(tmp_path: Path) -> None:
    model = read_model(converted(tmp_path / "model"))
    fetched = []

    def fetch() -> ModelFiles:
        fetched.append(1)
        return model

    place = node_copy(model.key, fetch, tmp_path / "cache")
    assert {p.name: p.read_bytes() for p in place.iterdir()} == model.files
    assert node_copy(model.key, fetch, tmp_path / "cache") == place
    assert len(fetched) == 1  # the second actor of the node fetched nothing
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")] == []  # no staging left


def test_concurrent_actors_of_a_node_unpack_it_once(tmp_path: Path) -> None:
    model = read_model(converted(tmp_path / "model"))
    fetched = []
    gate = threading.Event()

    def fetch() -> ModelFiles:
        fetched.append(1)
        gate.wait(0.2)  # hold the lock a while: the others must wait for it, not unpack too
        return model

    places: list[Path] = []
    threads = [threading.Thread(target=lambda: places.append(node_copy(model.key, fetch, tmp_path / "c")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fetched) == 1 and len(set(places)) == 1


def test_the_content_key_follows_every_byte_and_name(tmp_path: Path) -> None:
    files = read_model(converted(tmp_path / "model")).files
    changed = dict(files, **{"model.bin": files["model.bin"][:-1] + b"\x00"})
    renamed = {("target.spm" if name == "source.spm" else name): data for name, data in files.items()}
    assert len({content_key(files), content_key(changed), content_key(renamed)}) == 3


def test_a_damaged_shipment_is_refused(tmp_path: Path) -> None:
    model = read_model(converted(tmp_path / "model"))
    damaged = ModelFiles(model.key, dict(model.files, **{"model.bin": b"short"}))
    with pytest.raises(ModelError, match="do not match their hash"):
        node_copy(model.key, lambda: damaged, tmp_path / "cache")
    escaping = {"../evil": b"x", **model.files}
    key = content_key(escaping)
    with pytest.raises(ModelError, match="not a plain file name"):
        node_copy(key, lambda: ModelFiles(key, escaping), tmp_path / "cache")
    assert not (tmp_path / "evil").exists()
    assert [p for p in (tmp_path / "cache").iterdir() if p.is_dir()] == []  # nothing half-unpacked


def test_only_a_converted_directory_ships(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a converted model directory"):
        read_model(tmp_path)
    folder = converted(tmp_path / "model")
    (folder / "sub").mkdir()
    with pytest.raises(ModelError, match="holds folders"):
        read_model(folder)


def test_cpu_actors_keep_the_engines_threads_and_fill_the_cluster() -> None:
    cluster = ClusterResources(cpus=16, gpus=0, largest_node_cpus=8)
    assert actor_shape(cluster, "cpu", threads=2, actors=None) == actor_shape(cluster, "cpu", 2, 8)
    assert actor_shape(cluster, "cpu", 2, None).num_cpus == 2
    wide = actor_shape(cluster, "cpu", threads=12, actors=None)  # more threads than a node has cores
    assert wide.num_cpus == 8 and wide.count == 2
    assert actor_shape(ClusterResources(1, 0, 1), "cpu", 4, None).count == 1


def test_gpu_actors_share_gpus_by_fraction() -> None:
    cluster = ClusterResources(cpus=32, gpus=2, largest_node_cpus=16)
    shape = actor_shape(cluster, "cuda", threads=1, actors=None, gpus_per_actor=0.25)
    assert (shape.count, shape.num_gpus, shape.num_cpus, shape.device) == (8, 0.25, 1.0, "cuda")
    assert actor_shape(cluster, "cuda", 1, None).count == 2
    with pytest.raises(ClusterError, match="no GPU"):
        actor_shape(ClusterResources(8, 0, 8), "cuda", 1, None)
    for bad in (0, -1, 1.5):
        with pytest.raises(ClusterError, match="fraction"):
            actor_shape(cluster, "cuda", 1, None, gpus_per_actor=bad)


def test_prepare_reports_a_bad_input_as_that_files_error(tmp_path: Path) -> None:
    source = tmp_path / "rusak.id.txt"
    source.write_bytes(b"Harga \xff naik.\n")
    status, prepared = prepare_job(Job(source, tmp_path / "rusak.en.txt"), "auto", False, None)
    assert prepared is None and status.failure is not None and status.failure.stage == "reading"
    assert isinstance(status.failure.error, InputError) and "rusak.id.txt" in str(status.failure.error)


def test_prepare_refuses_an_existing_output_before_any_work(tmp_path: Path) -> None:
    source, output = tmp_path / "a.id.txt", tmp_path / "a.en.txt"
    source.write_text("Presiden tiba di Jakarta.\n", "utf-8")
    output.write_text("old", "utf-8")
    status, _ = prepare_job(Job(source, output), "auto", False, None)
    assert isinstance(status.failure.error, OutputError)
    status, prepared = prepare_job(Job(source, output), "auto", True, None)
    assert status.failure is None and status.segments == 1 and prepared is not None


def test_write_is_atomic_and_reports_size_and_hash(tmp_path: Path) -> None:
    import hashlib

    source = tmp_path / "a.id.txt"
    source.write_text("Presiden tiba di Jakarta.\n", "utf-8")
    document = load_document(source)
    for segment in document.segments():
        segment.target = "The president arrived in Jakarta."
    written = write_job(document, str(tmp_path / "out" / "a.en.txt"), False)
    data = (tmp_path / "out" / "a.en.txt").read_bytes()
    assert data == b"The president arrived in Jakarta.\n"
    assert (written.size, written.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    again = write_job(document, str(tmp_path / "out" / "a.en.txt"), False)
    assert isinstance(again.failure.error, OutputError) and again.failure.stage == "writing"
    assert write_job(None, str(tmp_path / "none.txt"), False) is None


def test_an_unexpected_worker_error_keeps_its_traceback_for_the_incident_log(tmp_path: Path) -> None:
    def segmenter_bug() -> None:
        raise ValueError("segment index out of range")

    try:
        segmenter_bug()
    except ValueError as error:
        failure = capture("reading", error)
    import pickle

    failure = pickle.loads(pickle.dumps(failure))  # as it crosses from a worker to the driver
    error = IncidentLog(tmp_path).record(failure.exception(), "a.id.txt", failure.stage)
    assert "internal error while reading: ValueError: segment index out of range" in str(error)
    log = next(tmp_path.glob("translate-internal-*.log")).read_text("utf-8")
    assert "segmenter_bug" in log  # the worker's frames, not only the driver's


def test_the_manifest_appends_a_line_per_document(tmp_path: Path) -> None:
    path = tmp_path / "out" / "translate-manifest.jsonl"
    for run in range(2):  # an interrupted run, then the resumed one
        book = Manifest(path)
        book.run("engine=ct2|x", 2, run)
        book.written(Path("a.id.txt"), Path("out/a.en.txt"), 3, 120, "ab" * 32, 0)
        book.failed(Path("b.id.txt"), "b.id.txt: not valid UTF-8")
        book.close()
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["run", "written", "failed"] * 2
    assert lines[1] == {"kind": "written", "source": "a.id.txt", "output": "out/a.en.txt", "segments": 3,
                        "bytes": 120, "sha256": "ab" * 32, "actor": 0}
    assert lines[3]["kept"] == 1


def test_run_takes_ray_with_or_without_an_address() -> None:
    parser = build_parser()
    assert parser.parse_args(["run", "in"]).ray is None
    assert parser.parse_args(["run", "in", "--ray"]).ray == ""
    assert parser.parse_args(["run", "in", "--ray", "auto", "--ray-actors", "3"]).ray_actors == 3
    assert parser.parse_args(["run", "--ray", "ray://head:10001", "in"]).ray == "ray://head:10001"


def test_an_input_taken_for_the_ray_address_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    from translate.cli import main

    for name in ("in", "more"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.id.txt").write_text("Harga beras naik.\n", "utf-8")
    code = main(["run", "--ray", str(tmp_path / "in"), str(tmp_path / "more"), "-o", str(tmp_path / "out"),
                 "--engine", "copy"])
    assert code == ClusterError.exit_code
    err = capsys.readouterr().err
    assert "took the input" in err and "put --ray after the inputs" in err
    assert not (tmp_path / "out").exists()


def test_a_cluster_run_refuses_the_marian_engine_before_connecting(tmp_path: Path) -> None:
    from translate.cluster import run_on_ray
    from translate.engines.marian import MarianEngine

    with pytest.raises(ClusterError, match="marian engine does not run on a cluster"):
        run_on_ray([tmp_path], MarianEngine(str(tmp_path)), tmp_path / "out")
