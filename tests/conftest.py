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
