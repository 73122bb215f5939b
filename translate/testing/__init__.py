"""Helpers that build small real models for tests and benchmarks (no downloads)."""
