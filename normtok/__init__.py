"""normtok: exact cross-vendor token counts and the normalized token (NT).

    >>> import normtok
    >>> normtok.count("Hello, world!", model="gpt-4o")
    4
"""

from __future__ import annotations

from collections.abc import Sequence

from .adapters import Adapter, tokenizer
from .errors import NormtokError

__version__ = "0.1.0"

__all__ = ["Adapter", "NormtokError", "__version__", "count", "count_many", "tokenizer"]


def count(text: str, model: str = "gpt-4o") -> int:
    """Exact content tokens of ``text`` for ``model`` (a model name or tokenizer id)."""
    return tokenizer(model).count(text)


def count_many(texts: Sequence[str], model: str = "gpt-4o") -> list[int]:
    """Exact content tokens of each text, batched (multi-threaded where the library allows)."""
    return tokenizer(model).count_many(texts)
