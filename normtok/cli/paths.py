"""Checks on path arguments: the inputs of count, nt and compare, and the output directories of the verbs that write.

Why here and not in ``engine.discover``: these are mistakes in how the command was typed, not in
the files: stdin named twice would be read once and then counted again as an empty input. (An
empty argument, ``normtok count "$UNSET"``, is reported by ``discover`` itself, for API callers too.)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from ..errors import NormtokError


def no_stdin() -> bool:
    """True when stdin cannot be the input: a terminal, or closed (``normtok count <&-``: ``sys.stdin`` is None)."""
    return sys.stdin is None or sys.stdin.isatty()


def check_stdin() -> None:
    """'-' was given: stdin must exist."""
    if sys.stdin is None:
        raise NormtokError("'-': stdin is closed")


def check_paths(paths: tuple[str, ...]) -> None:
    """stdin ('-') at most once, and open."""
    if paths.count("-") > 1:
        raise click.UsageError("'-' (stdin) can be given only once")
    if "-" in paths:
        check_stdin()


def writable_dir(path: str | os.PathLike[str], option: str) -> Path:
    """Create ``path`` (and its parents) and check a file can be written there, before any long computation.

    A report or table build that fails only when it writes, after minutes of counting, loses the work.
    """
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=p):
            pass
    except OSError as exc:
        raise NormtokError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None
    return p
