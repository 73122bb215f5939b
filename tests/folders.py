"""Folders of short Indonesian articles for run tests (written for these tests)."""

from __future__ import annotations

from pathlib import Path


def article_folder(folder: Path, texts: dict[str, str]) -> Path:
    """``folder`` holding ``NAME.id.txt`` with each text (one line), created if needed."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.id.txt").write_text(text + "\n", encoding="utf-8")
    return folder
