"""The run's manifest: one JSON line per document written or failed, appended as each completes.

A line is appended (and flushed) when its document is done, so after an
interruption the manifest lists exactly the outputs that are whole on disk; a
run resumed with ``--skip-existing`` appends the rest.  Each run starts with
a line of its own: when it started, its signature and how many documents it had
to translate.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError

#: The manifest's name in the output folder, unless another path is given.
MANIFEST_NAME = "translate-manifest.jsonl"


class Manifest:
    """An append-only JSONL file; every line a JSON object, ``"kind"`` saying which."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle: IO[str] | None = self.path.open("a", encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write the manifest: {error.strerror or error}", path=str(self.path),
                              hint="give another --manifest path") from None

    def run(self, signature: str, documents: int, kept: int) -> None:
        self._line({"kind": "run", "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "signature": signature,
                    "documents": documents, "kept": kept})

    def written(self, source: Path, output: Path, segments: int, size: int, sha256: str, actor: int) -> None:
        self._line({"kind": "written", "source": str(source), "output": str(output), "segments": segments,
                    "bytes": size, "sha256": sha256, "actor": actor})

    def failed(self, source: Path, error: str) -> None:
        self._line({"kind": "failed", "source": str(source), "error": error})

    def _line(self, record: dict[str, Any]) -> None:
        if self._handle is not None:
            self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
