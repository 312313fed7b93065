"""The registry: model resolution, provenance, hash checks, and no silent substitution."""

from __future__ import annotations

import json
import shutil

import pytest

import normtok
from normtok.adapters import load_entry
from normtok.errors import HashMismatchError, UnknownModelError, VocabUnavailableError
from normtok.registry import entries, registry_version, resolve


@pytest.mark.parametrize("model, tid", [
    ("gpt-4o", "openai/o200k_base"), ("gpt-4o-2024-08-06", "openai/o200k_base"), ("GPT-4.1", "openai/o200k_base"),
    ("o3", "openai/o200k_base"), ("gpt-5", "openai/o200k_base"), ("openai/gpt-4o", "openai/o200k_base"),
    ("gpt-4", "openai/cl100k_base"), ("gpt-3.5-turbo-0125", "openai/cl100k_base"),
    ("llama-3.1-8b", "meta/llama3"), ("llama-3.3-70b-instruct", "meta/llama3"), ("llama-4-scout", "meta/llama4"),
    ("qwen2.5-72b", "qwen/qwen2.5"), ("qwen3-32b", "qwen/qwen2.5"), ("qwen3.6-35b-a3b", "qwen/qwen3.5"),
    ("deepseek-v3", "deepseek/v3"), ("deepseek-r1", "deepseek/v3"), ("deepseek-ai/DeepSeek-V3", "deepseek/v3"),
    ("mistral-large-2411", "mistral/spm"), ("pixtral-12b-2409", "mistral/tekken"),
    ("mistral-nemo", "mistral/tekken"), ("mixtral-8x7b", "mistral/spm"),
    ("jamba-1.5", "ai21/jamba"), ("j2-ultra", "ai21/j2"), ("gemma-3-27b", "google/gemma3"),
    ("claude-sonnet-4", "anthropic/claude"), ("meta/llama3", "meta/llama3"),
])
def test_model_names_resolve_to_their_tokenizer(model, tid):
    assert resolve(model).id == tid


def test_every_entry_records_its_sources():
    assert registry_version()
    for e in entries().values():
        assert e.vendor and e.models and e.mapping_source, e.id
        if e.available:
            assert e.files and all(len(f.sha256) == 64 for f in e.files + e.alternate_files), e.id
            if e.format == "tiktoken":
                assert e.pattern, e.id
        else:
            assert not e.files and e.status in {"needs-file", "unpublished"}, e.id


def test_no_model_name_is_served_by_two_entries():
    seen: dict[str, str] = {}
    for e in entries().values():
        for m in e.models:
            assert m.lower() not in seen, (m, seen.get(m.lower()), e.id)
            seen[m.lower()] = e.id


def test_loaded_tokenizer_reports_the_registered_sha256():
    for e in entries().values():
        if e.available:
            assert normtok.tokenizer(e.id).sha256 == e.sha256


def test_unknown_model_suggests_close_names():
    with pytest.raises(UnknownModelError) as err:
        resolve("gpt4o")
    assert "gpt-4o" in err.value.suggestions
    assert "gpt-4o" in str(err.value)


@pytest.mark.parametrize("model", ["jamba-1.5", "gemma-3-27b", "glm-4.5", "kimi-k2", "claude-sonnet-4"])
def test_missing_vocab_is_an_error_never_a_substitute(model):
    with pytest.raises(VocabUnavailableError, match="no vocab available"):
        normtok.count("hello", model=model)


def _override(tmp_path, monkeypatch, entry: dict) -> None:
    reg = tmp_path / "override.json"
    reg.write_text(json.dumps({"entries": [entry]}), encoding="utf-8")
    monkeypatch.setenv("NORMTOK_REGISTRY", str(reg))


def test_tampered_vocab_file_is_refused(tmp_path, monkeypatch):
    src = resolve("mixtral-8x7b").files[0].locate()
    copy = tmp_path / "tokenizer.model"
    data = bytearray(src.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    e = resolve("mixtral-8x7b")
    _override(tmp_path, monkeypatch, {"id": "test/tampered", "vendor": "test", "format": "spm",
                                      "files": [{"path": str(copy), "sha256": e.sha256}], "models": ["tampered-x"]})
    with pytest.raises(HashMismatchError, match="SHA-256 mismatch"):
        load_entry(resolve("tampered-x"))


def test_registry_override_adds_an_entry_with_a_user_file(tmp_path, monkeypatch):
    src = resolve("mixtral-8x7b").files[0].locate()
    copy = tmp_path / "my.model"
    shutil.copy(src, copy)
    _override(tmp_path, monkeypatch, {"id": "test/copy", "vendor": "test", "format": "spm",
                                      "files": [{"path": str(copy), "sha256": resolve("mixtral-8x7b").sha256}],
                                      "models": ["copy-model"]})
    tok = load_entry(resolve("copy-model"))
    assert tok.count("Bonjour le monde") == normtok.count("Bonjour le monde", model="mixtral-8x7b")


def test_user_supplied_file_counts_exactly_for_a_needs_file_entry():
    src = resolve("mixtral-8x7b").files[0].locate()
    tok = normtok.tokenizer("gemma-3-27b", tokenizer_file=str(src))
    assert tok.entry.id == "google/gemma3" and tok.entry.status == "user-file"
    assert tok.sha256 == resolve("mixtral-8x7b").sha256  # identity is the file's own hash
    assert tok.count("Hello world") == normtok.count("Hello world", model="mixtral-8x7b")
