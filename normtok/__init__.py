"""normtok: exact cross-vendor token counts and the normalized token (NT).

    >>> import normtok
    >>> normtok.count("Hello, world!", model="gpt-4o")
    4
    >>> normtok.nt("Hello, world!")  # normalized tokens (NT-1), from the text alone
    3.914
"""

from __future__ import annotations

from collections.abc import Sequence

from .adapters import Adapter, tokenizer
from .errors import NormtokError

__version__ = "0.1.0"

__all__ = ["Adapter", "NormtokError", "__version__", "count", "count_many", "nt", "tokenizer"]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    """``normtok.nt`` is imported on first use: it builds numpy tables that plain counting never needs."""
    if name == "nt":
        import importlib

        return importlib.import_module(".nt", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def count(text: str, model: str = "gpt-4o") -> int:
    """Exact content tokens of ``text`` for ``model`` (a model name or tokenizer id)."""
    return tokenizer(model).count(text)


def count_many(texts: Sequence[str], model: str = "gpt-4o") -> list[int]:
    """Exact content tokens of each text, batched (multi-threaded where the library allows)."""
    return tokenizer(model).count_many(texts)
