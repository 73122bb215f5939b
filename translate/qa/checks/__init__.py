"""The QA checks, one module each; :mod:`translate.qa.registry` imports them all."""
