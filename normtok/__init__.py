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


def _counter(model: str, engine: str, nbytes: int) -> Adapter:
    """The adapter that counts: the fastest engine proven identical to the reference (or the one asked for)."""
    from .engines import tokenizer as engine_tokenizer
    from .registry import resolve

    return engine_tokenizer(resolve(model), engine, nbytes)


def count(text: str, model: str = "gpt-4o", engine: str = "auto") -> int:
    """Exact content tokens of ``text`` for ``model`` (a model name or tokenizer id).

    ``engine``: ``auto`` (the fastest engine proven to count exactly like the reference adapter for
    this tokenizer and this much text; it loads in tens of milliseconds), ``reference`` (the
    vendor-library adapter that :func:`tokenizer` returns) or an engine name (``normtok count --help``).
    """
    return _counter(model, engine, len(text)).count(text)


def count_many(texts: Sequence[str], model: str = "gpt-4o", engine: str = "auto") -> list[int]:
    """Exact content tokens of each text, batched (multi-threaded where the engine allows)."""
    return _counter(model, engine, sum(map(len, texts))).count_many(texts)
