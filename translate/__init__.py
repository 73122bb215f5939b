"""Indonesian → English translation and localization for news articles.

Public API::

    from translate import load_document, run, translate_text, create_engine, score_files
"""

from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "Document": "translate.document",
    "Block": "translate.document",
    "Segment": "translate.document",
    "create_engine": "translate.engines",
    "load_document": "translate.pipeline",
    "translate_documents": "translate.pipeline",
    "translate_text": "translate.pipeline",
    "translate_bytes": "translate.pipeline",
    "Translator": "translate.pipeline",
    "Settings": "translate.settings",
    "load_settings": "translate.settings",
    "apply_targets": "translate.targets",
    "run": "translate.pipeline",
    "segment_document": "translate.segment",
    "score_files": "translate.evaluate",
    "TranslateError": "translate.errors",
}


def __getattr__(name: str):
    """Import lazily: ``import translate`` stays fast and does not load torch."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'translate' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
