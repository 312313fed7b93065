"""Shared fixtures: run the CLI in-process and point the registry at tampered copies."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def cli():
    """Invoke ``normtok`` in-process: returns (exit_code, stdout, stderr)."""
    from normtok.cli import main

    def run(*args: str, input: str | bytes | None = None):
        runner = CliRunner()
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(scope="module")
def fresh_vocab_cache(tmp_path_factory):
    """A fresh vocab cache for one test module, so that the cache build path is exercised too."""
    from normtok import engines, vocab_cache

    patch = pytest.MonkeyPatch()
    patch.setenv(vocab_cache.CACHE_ENV, str(tmp_path_factory.mktemp("vocab-cache")))
    yield
    engines.unload()
    patch.undo()
