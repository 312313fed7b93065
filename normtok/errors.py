"""Errors a user can cause. Each carries the process exit code the CLI uses.

Exit codes: 0 ok, 1 a check failed, 2 usage or input error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class NormtokError(Exception):
    """An error caused by input or configuration; the CLI prints it without a traceback."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UnknownModelError(NormtokError):
    """A model name or tokenizer id that is not in the registry."""

    def __init__(self, name: str, choices: Iterable[str]) -> None:
        self.name = name
        self.suggestions = difflib.get_close_matches(name.lower(), sorted(set(choices)), n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown model or tokenizer {name!r}.{hint} Run 'normtok models' for the full list.")


class VocabUnavailableError(NormtokError):
    """The tokenizer is registered but its files are not available here: never substituted."""


class HashMismatchError(NormtokError):
    """A tokenizer file does not have the SHA-256 the registry records: never loaded."""


class InputDecodeError(NormtokError):
    """Input that is not valid UTF-8; names the source and the byte offset."""

    def __init__(self, source: str, offset: int, reason: str = "invalid UTF-8") -> None:
        self.source = source
        self.offset = offset
        super().__init__(f"{source}: {reason} at byte offset {offset} (use --errors replace to substitute U+FFFD)")
