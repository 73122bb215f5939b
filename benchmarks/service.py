"""Load and faults of ``translate serve``, on loopback only, bounded in count and time.

Starts ``translate serve`` as a process (ct2, beam 4, ``--max-length`` tokens) on
a Marian model of the real opus-mt-id-en shape with random weights (built once
into ``benchmarks/.cache/``, shared with ``constraints.py`` and ``speed.py``;
``--model DIR`` uses another), on 127.0.0.1 and a free port.  Articles are
NTREX-128 Indonesian sentences (``../shared/eval-data/ntrex128``; ``corpora/``
when it is missing), ``--segments`` paragraphs per article, each labelled so no
two jobs share a sentence.

Load: for each client count (``--clients 10 50``), that many clients at once
upload an article and, while the jobs translate, edit segments of their own job
that already have machine output (``--edits`` each, ``--think`` seconds apart),
each edit keeping the segment's tags; a client checks its job's progress
every 0.5 s and reads its segments when progress moved, as the editor does.  Reported: segment throughput (all
segments / time from the first upload to the last job translated), edits/s,
p50/p95/max latency of the edits made while some job was still translating,
and lost edits: every acknowledged edit must be in the server's edit history
and the last one of each segment must be its target.

Faults: one long article is uploaded, the server is killed (SIGKILL) once part
of it is translated and some edits are saved, and started again: the machine
output seen before the kill and every saved edit must still be there, and the
job must resume to the end.

The client threads run on the same machine as the server (loopback), so the
latencies include their CPU use too.

Usage: ``.venv/bin/python benchmarks/service.py [--clients 10 50] [--segments 20] [--edits 10]``
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from translate.document import is_code_char  # noqa: E402
from translate.service.store import Store  # noqa: E402

DEADLINE = 600.0  # no phase runs longer than this many seconds


@dataclass
class Server:
    """A ``translate serve`` process on loopback."""

    data: Path
    model: Path
    max_length: int
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait for /health; returns the seconds it took (model load included)."""
        if not self.port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        env = dict(os.environ, TRANSLATE_CACHE=str(HERE / ".cache" / "translate"))
        command = [sys.executable, "-m", "translate", "serve", "--engine", "ct2", "--model", str(self.model),
                   "--max-length", str(self.max_length), "--no-glossary", "--data", str(self.data),
                   "--port", str(self.port), "-q"]
        started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        while time.monotonic() - started < DEADLINE:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.process.stderr.read()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start in time")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def word(number: int) -> str:
    """A made-up word per number (``Baka``, ``Bake``...): labels the engine must translate.

    Digits would not do: numbers become protected codes, so "bagian 1" and
    "bagian 2" would be one cached translation and the engine would idle.
    """
    syllables = [c + v for c in "bdgklmnprst" for v in "aeiou"]
    letters = []
    while True:
        number, rest = divmod(number, len(syllables))
        letters.append(syllables[rest])
        if not number:
            break
    return "".join(letters).capitalize()


def articles(count: int, segments: int, first: int = 0) -> list[bytes]:
    """``count`` plain-text articles of ``segments`` paragraphs; no two paragraphs alike."""
    from constraints import _texts

    lines = [line.strip() for line in _texts()[0] if line.strip()]
    out = []
    for a in range(first, first + count):
        picked = [lines[(a * segments + i) % len(lines)] for i in range(segments)]
        labelled = [f"Berita {word(a)} bagian {word(i)} {line}" for i, line in enumerate(picked)]
        out.append("\n\n".join(labelled).encode("utf-8") + b"\n")
    return out


def edited_target(segment: dict, label: str) -> str:
    """A new target that keeps the segment's tags, in source order (so they nest as in the source)."""
    codes = [c for c in segment["source"] if is_code_char(c)]
    return f"Edited {label} " + " ".join(codes) + " end."


@dataclass
class Client:
    number: int
    base: str
    headers: dict[str, str]
    article: bytes
    edits: int
    think: float
    poll: float = 0.5  # seconds between status polls (the editor follows progress events)
    job: str = ""
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (when, seconds)
    saved: list[tuple[int, str]] = field(default_factory=list)  # acknowledged (segment, target)
    failures: list[str] = field(default_factory=list)
    finished_at: float = 0.0

    def run(self, stop_at: float) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=60) as http:
            response = http.post("/api/jobs", files={"file": (f"artikel-{self.number}.txt", self.article,
                                                              "text/plain")})
            response.raise_for_status()
            self.job = response.json()["id"]
            done_edits, edited, seen_done = 0, set(), -1
            while time.monotonic() < stop_at:
                job = http.get(f"/api/jobs/{self.job}").json()
                if done_edits < self.edits and job["done"] != seen_done:  # as the editor: on progress
                    seen_done = job["done"]
                    segments = http.get(f"/api/jobs/{self.job}/segments").json()
                    ready = [s for s in segments if s["mt"] is not None and s["n"] not in edited]
                    for segment in ready[: self.edits - done_edits]:
                        target = edited_target(segment, f"{self.number}.{segment['n']}")
                        started = time.monotonic()
                        answer = http.put(f"/api/jobs/{self.job}/segments/{segment['n']}",
                                          json={"target": target, "version": segment["version"]})
                        self.latencies.append((started, time.monotonic() - started))
                        if answer.status_code == 200:
                            self.saved.append((segment["n"], target))
                        else:
                            self.failures.append(f"{answer.status_code} {answer.text[:200]}")
                        edited.add(segment["n"])
                        done_edits += 1
                        time.sleep(self.think)
                if job["state"] in ("translated", "failed"):
                    self.finished_at = self.finished_at or time.monotonic()
                    if done_edits >= self.edits or job["state"] == "failed":
                        return
                time.sleep(self.poll)
            self.failures.append("deadline reached")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load_round(server: Server, secret: str, clients: int, segments: int, edits: int, think: float) -> dict:
    texts = articles(clients, segments, first=clients * 1000)
    people = [Client(i, server.base, {"Authorization": f"Bearer {secret}"}, texts[i], edits, think)
              for i in range(clients)]
    started = time.monotonic()
    threads = [threading.Thread(target=c.run, args=(started + DEADLINE,)) for c in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    last_done = max(c.finished_at for c in people)
    during = [s for c in people for when, s in c.latencies if when < last_done]
    everything = [s for c in people for _, s in c.latencies]
    store = Store.in_folder(server.data)
    lost = 0
    for c in people:
        history = {(e["n"], e["target"]) for e in store.edits(c.job)}
        targets = store.targets(c.job)
        lost += sum(1 for n, target in c.saved if (n, target) not in history or targets[n] != target)
    total_segments = sum(len(store.targets(c.job)) for c in people)
    store.close()
    elapsed = last_done - started
    return {
        "clients": clients, "segments": total_segments, "seconds": elapsed,
        "segments_per_s": total_segments / elapsed, "edits": len(everything),
        "edits_during": len(during), "p50_ms": 1000 * percentile(during, 50),
        "p95_ms": 1000 * percentile(during, 95), "max_ms": 1000 * max(during, default=float("nan")),
        "p95_all_ms": 1000 * percentile(everything, 95), "saved": sum(len(c.saved) for c in people),
        "lost": lost, "failures": [f for c in people for f in c.failures][:5],
    }


def kill_restart(server: Server, secret: str, segments: int, kill_at: float) -> dict:
    """Upload one long article, SIGKILL the server mid-job, start it again, check what survived."""
    headers = {"Authorization": f"Bearer {secret}"}
    article = articles(1, segments, first=999_999)[0]
    with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
        job = http.post("/api/jobs", files={"file": ("panjang.txt", article, "text/plain")}).json()["id"]
        saved: list[tuple[int, str]] = []
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            status = http.get(f"/api/jobs/{job}").json()
            if status["done"] >= kill_at * status["total"]:
                break
            time.sleep(0.05)
        seen = http.get(f"/api/jobs/{job}/segments").json()
        for segment in [s for s in seen if s["mt"] is not None][:10]:
            target = edited_target(segment, f"before-kill.{segment['n']}")
            answer = http.put(f"/api/jobs/{job}/segments/{segment['n']}", json={"target": target})
            if answer.status_code == 200:
                saved.append((segment["n"], target))
        machine_before = {s["n"]: s["mt"] for s in http.get(f"/api/jobs/{job}/segments").json() if s["mt"]}
    server.kill()
    store = Store.in_folder(server.data)
    state_after_kill = store.job(job)
    store.close()
    restart = server.start()
    with httpx.Client(base_url=server.base, headers=headers, timeout=60) as http:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            status = http.get(f"/api/jobs/{job}").json()
            if status["state"] in ("translated", "failed"):
                break
            time.sleep(0.2)
        after = {s["n"]: s for s in http.get(f"/api/jobs/{job}/segments").json()}
    return {
        "total": state_after_kill.total, "done_at_kill": state_after_kill.done, "seen_before_kill":
            len(machine_before), "state_at_kill": state_after_kill.state, "restart_s": restart,
        "final_state": status["state"], "final_done": status["done"], "error": status["error"],
        "machine_kept": sum(1 for n, mt in machine_before.items() if after[n]["mt"] == mt),
        "edits_saved": len(saved), "edits_kept": sum(1 for n, t in saved if after[n]["target"] == t),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--segments", type=int, default=20, help="paragraphs per article (default: 20)")
    parser.add_argument("--edits", type=int, default=10, help="edits per client (default: 10)")
    parser.add_argument("--think", type=float, default=0.05, help="seconds between a client's edits")
    parser.add_argument("--max-length", type=int, default=16, help="tokens per translation (default: 16)")
    parser.add_argument("--kill-segments", type=int, default=200, help="paragraphs of the killed job")
    parser.add_argument("--model", type=Path, help="Marian model folder (default: the real-shape random one)")
    args = parser.parse_args(argv)
    if args.model is None:
        from constraints import _model_dir, _texts

        source, target, _origin = _texts()
        args.model = _model_dir(source, target)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="service-bench-") as folder:
        server = Server(Path(folder) / "data", args.model, args.max_length)
        secret = Store.in_folder(server.data).create_token("bench")
        try:
            load_s = server.start()
            print(f"server up in {load_s:.1f} s (ct2, beam 4, max length {args.max_length}, {cores} cores "
                  "shared with the clients and with other work on this machine)")
            print("| clients | segments | s | segments/s | edits | edits during MT | p50 ms | p95 ms "
                  "| max ms | p95 all ms | lost |")
            print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for clients in args.clients:
                r = load_round(server, secret, clients, args.segments, args.edits, args.think)
                print(f"| {r['clients']} | {r['segments']} | {r['seconds']:.1f} | {r['segments_per_s']:.1f} "
                      f"| {r['edits']} | {r['edits_during']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
                      f"| {r['max_ms']:.1f} | {r['p95_all_ms']:.1f} | {r['lost']} of {r['saved']} |",
                      flush=True)
                if r["failures"]:
                    print(f"  failures: {r['failures']}")
            k = kill_restart(server, secret, args.kill_segments, 0.25)
            reason = f" ({k['error']})" if k["error"] else ""
            print(f"kill -9 at {k['done_at_kill']}/{k['total']} segments stored (state {k['state_at_kill']});"
                  f" restart {k['restart_s']:.1f} s; job {k['final_state']} {k['final_done']}/{k['total']}"
                  f"{reason}; machine output seen before the kill kept: "
                  f"{k['machine_kept']}/{k['seen_before_kill']}; saved edits kept: {k['edits_kept']}/"
                  f"{k['edits_saved']}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
