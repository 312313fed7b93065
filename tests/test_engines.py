"""Every fast engine counts exactly like the reference adapter, for every tokenizer it is used for.

This file is the exactness proof behind ``normtok.engines.PROVEN``: differential tests of each
(engine, tokenizer) pair against the reference adapter on the whole reference corpus, on the
multilingual sample, and on hypothesis-generated adversarial text. It also checks the engine
choice (small vs large inputs, visible fallbacks, version pins) and the binary vocab cache.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normtok import chunking, engines, vocab_cache
from normtok.adapters import parse_tiktoken_ranks, read_verified
from normtok.adapters import tokenizer as reference
from normtok.corpus import iter_documents
from normtok.errors import HashMismatchError
from normtok.registry import entries, resolve

from .samples import ALL

AVAILABLE = sorted(e.id for e in entries().values() if e.available)
PAIRS = [(tid, name) for tid in AVAILABLE for name in engines.candidates(entries()[tid])]


pytestmark = pytest.mark.usefixtures("fresh_vocab_cache")  # a fresh vocab cache: the build path runs too


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    return [text for _, text in iter_documents()]


_reference_counts: dict[str, list[int]] = {}


def _reference_corpus_counts(tid: str, texts: list[str]) -> list[int]:
    if tid not in _reference_counts:
        _reference_counts[tid] = reference(tid).count_many(texts)
    return _reference_counts[tid]


@pytest.fixture(scope="module", params=PAIRS, ids=[f"{t}:{n}" for t, n in PAIRS])
def pair(request):
    """(tokenizer id, engine adapter); engines are unloaded afterwards (fastokens holds 100-300 MB each)."""
    tid, name = request.param
    ad = engines.load(entries()[tid], name)
    yield tid, ad
    engines.unload()


# --- coverage of the proof table ------------------------------------------------------------------------------


def test_every_available_tokenizer_has_a_fast_or_reference_engine():
    assert {tid for tid, _ in PAIRS} >= set(AVAILABLE) - {"ai21/j2"}
    # AI21 J2: kitoken differs from sentencepiece, and no other engine reads it: the reference counts it
    assert engines.candidates(entries()["ai21/j2"]) == []


def test_proof_table_matches_the_registry():
    """A PROVEN fingerprint that no longer matches its registry entry means the proof is stale."""
    table = entries()
    for name, proofs in engines.PROVEN.items():
        for tid, fp in proofs.items():
            assert tid in table and table[tid].available, (name, tid)
            assert engines.fingerprint(table[tid]) == fp, f"{name} proof for {tid} is stale: re-run and update"


def test_fastokens_serves_every_bpe_tokenizer_and_bpe_openai_only_openai():
    bpe = [t for t in AVAILABLE if entries()[t].format in ("tiktoken", "tekken", "hf")]
    assert all(engines.proven("fastokens", entries()[t]) for t in bpe)
    assert sorted(engines.PROVEN["bpe-openai"]) == ["openai/cl100k_base", "openai/o200k_base"]


# --- differential tests ---------------------------------------------------------------------------------------


def test_sample_matches_reference(pair):
    tid, ad = pair
    texts = list(ALL.values())
    want = reference(tid).count_many(texts)
    assert ad.count_many(texts) == want
    assert [ad.count(t) for t in texts] == want


def test_corpus_matches_reference(pair, corpus_texts):
    tid, ad = pair
    want = _reference_corpus_counts(tid, corpus_texts)
    got = ad.count_many(corpus_texts)
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    assert not bad, f"{len(bad)} corpus documents differ, first: {corpus_texts[bad[0]][:80]!r}"


def test_encode_matches_reference_ids(pair):
    tid, ad = pair
    ref = reference(tid)
    for text in list(ALL.values())[:40]:
        assert ad.encode(text) == ref.encode(text), (tid, text[:40])


SPECIALS = ["<|endoftext|>", "<|endofprompt|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<s>", "</s>",
            "[INST]", "[/INST]", " [PREFIX]", "[TOOL_CALLS]", "<|begin_of_text|>", "<|eot_id|>", "<unk>",
            "<｜begin▁of▁sentence｜>", "<｜User｜>", "<think>", "</think>", "<|reserved_special_token_5|>",
            # Mistral SentencePiece user-defined pieces (sentencepiece matches them in text) and its space mark
            "[REF]", "[/REF]", "[REFERENCE_DOC_1]", "[REFERENCE_DOC_10]", "[REF", "\u2581", "\u2581\u2581 "]
WHITESPACE = st.lists(st.sampled_from([" ", "  ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\u00a0", "\u3000",
                                       "\u2009", "\x0b", "\x0c", "\x85", "\u2028", " \n", "\t\n", "        \n",
                                       " " * 17, " " * 33]),
                      min_size=1, max_size=10).map("".join)
DIGITS = st.integers(1, 60).map(lambda n: ("31415926535897932384626433832795028841971"
                                           "69399375105820974944592307816406286")[:n])
COMBINING = st.tuples(st.sampled_from("aeouAEZ\u0627\u05d0\u3042"),
                      st.text(st.characters(min_codepoint=0x300, max_codepoint=0x36F), min_size=1, max_size=5)
                      ).map("".join)
LONG_WORD = st.tuples(st.sampled_from(["a", "Ab", "x9", "東", "й", "😀", "-", "_", "'s"]),
                      st.integers(50, 1500)).map(lambda t: t[0] * t[1])
WORDS = st.sampled_from(["Hello", " world", "don't", "I'LL", "we've", "Ünïcödé", "東京都", "Москва", "كتاب",
                         "naïve", "ﬁ", "x/y", "//", "a\tb", "$1,000.00", "v2.3.4", "0x1F", "e\u0301", "🇯🇵",
                         "👨‍👩‍👧", "\ufeff", "\u200b", "\u200d", "\x00", "\x7f", "\ufffd"])
ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
ADVERSARIAL = st.lists(st.one_of(WHITESPACE, DIGITS, COMBINING, LONG_WORD, WORDS, ANY, st.sampled_from(SPECIALS)),
                       max_size=14).map("".join)


@settings(max_examples=120)
@given(texts=st.lists(ADVERSARIAL, min_size=1, max_size=6))
def test_adversarial_text_matches_reference(pair, texts):
    tid, ad = pair
    ref = reference(tid)
    assert ad.count_many(texts) == ref.count_many(texts)
    assert ad.count(texts[0]) == ref.count(texts[0])


@settings(max_examples=300)
@given(lines=st.lists(st.one_of(COMBINING, WORDS, ANY, st.sampled_from(["\u1100\u1161", "\u0301", "\r", "A\u030a",
                                                                        "\u212b", "\uac00\u11a8", "\u0958"])),
                      max_size=30),
       seps=st.lists(st.sampled_from(["\n", "\r\n", "", " "]), min_size=30, max_size=30), block=st.integers(1, 40))
def test_blockwise_nfc_equals_nfc(lines, seps, block):
    import unicodedata

    text = "".join(a + b for a, b in zip(lines, seps))
    assert engines.nfc(text, block) == unicodedata.normalize("NFC", text)
    assert engines.nfc(text) == unicodedata.normalize("NFC", text)


# --- choice and fallback --------------------------------------------------------------------------------------


def test_small_input_picks_a_fast_loading_engine_and_large_input_fastokens():
    o200k = resolve("gpt-4o")
    assert engines.choose(o200k, "auto", 1000).engine == "bpe-openai"
    assert engines.choose(resolve("llama-3.1-8b"), "auto", 1000).engine == "kitoken"
    assert engines.choose(resolve("llama-3.1-8b"), "auto", 6 << 20, jobs=2).engine == "tiktoken"
    assert engines.choose(resolve("llama-3.1-8b"), "auto", 20 << 20, jobs=2).engine == "fastokens"
    assert engines.choose(resolve("deepseek/v3"), "auto", 1000).engine == "kitoken"
    assert engines.choose(resolve("mistral/spm"), "auto", 1000, jobs=2).engine == "kitoken"
    assert engines.choose(resolve("mistral/spm"), "auto", 10 << 30, jobs=2).engine == "fastokens"
    for tid in ("gpt-4o", "llama-3.1-8b", "deepseek/v3", "qwen/qwen3.5", "mistral/tekken", "mistral/spm"):
        assert min(engines.candidates(resolve(tid)), key=lambda n: engines.estimate(n, 1 << 30, 2)) == "fastokens"


def test_reference_engine_is_the_reference_adapter():
    c = engines.choose(resolve("gpt-4o"), "reference")
    assert c.reference and c.adapter is reference("gpt-4o") and c.engine == "tiktoken" and c.fallback is None


def test_unproven_engine_falls_back_visibly():
    c = engines.choose(resolve("ai21/j2"), "kitoken")
    assert c.reference and c.engine == "sentencepiece"
    assert "not proven" in c.fallback


def test_changed_registry_entry_voids_the_proof():
    e = resolve("gpt-4o")
    changed = type(e)(**{**e.__dict__, "pattern": e.pattern + "|x"})
    assert not engines.proven("fastokens", changed) and not engines.proven("bpe-openai", changed)
    assert engines.candidates(changed) == ["tiktoken"]  # the reference library itself needs no proof


def test_user_supplied_file_is_counted_by_the_reference_library(tmp_path):
    src = resolve("llama-3.1-8b").files[0].locate()
    user = resolve("llama-3.1-8b").with_file(src)
    assert engines.candidates(user) == ["tiktoken"]
    c = engines.choose(user, "fastokens")
    assert c.reference and "not proven" in c.fallback
    assert c.adapter.count("hello world") == reference("llama-3.1-8b").count("hello world")


def test_other_engine_version_is_not_used(monkeypatch):
    engines.unload()
    monkeypatch.setitem(engines.INFO, "kitoken", engines.EngineInfo("kitoken", "kitoken", "kitoken", "0.0.1",
                                                                  0.1, 10.0, 0.0))
    c = engines.choose(resolve("mistral/spm"), "kitoken", 1000)
    assert c.reference and c.engine == "sentencepiece"
    assert "exactness was proven for 0.0.1" in c.fallback
    c = engines.choose(resolve("mistral/spm"), "auto", 1000)  # the next proven engine counts, and says why
    assert not c.reference and c.engine == "fastokens" and "exactness was proven for 0.0.1" in c.fallback
    engines.unload()


def test_engine_that_fails_to_load_falls_back_to_the_next(monkeypatch):
    engines.unload()

    def broken(entry):
        raise RuntimeError("boom")

    monkeypatch.setitem(engines._LOADERS, "bpe-openai", broken)
    c = engines.choose(resolve("gpt-4o"), "auto", 1000)
    assert c.engine == "kitoken" and "boom" in c.fallback
    engines.unload()


def test_tampered_vocabulary_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    e = resolve("meta/llama3")
    bad = tmp_path / "tokenizer.model"
    bad.write_bytes(e.files[0].locate().read_bytes().replace(b"IQ== 0", b"Ig== 0", 1))
    ref = type(e.files[0])(role="vocab", sha256=e.files[0].sha256, path=str(bad))
    tampered = type(e)(**{**e.__dict__, "files": (ref,)})
    for name in ("tiktoken", "fastokens"):
        with pytest.raises(HashMismatchError):
            engines.load(tampered, name)


def test_unchanged_vocabulary_is_not_rehashed_but_a_changed_one_is(tmp_path, monkeypatch):
    e = resolve("meta/llama3")
    copy = tmp_path / "tokenizer.model"
    copy.write_bytes(e.files[0].locate().read_bytes())
    ref = type(e.files[0])(role="vocab", sha256=e.files[0].sha256, path=str(copy))
    local = type(e)(**{**e.__dict__, "files": (ref,)})
    engines.unload()
    engines.load(local, "kitoken")  # verifies and remembers the file's stamp
    engines.unload()
    reads = []
    real = engines.read_verified
    monkeypatch.setattr(engines, "read_verified", lambda r: reads.append(r) or real(r))
    engines.load(local, "kitoken")
    assert reads == []  # the stamp matched: no re-read, no re-hash
    engines.unload()
    data = copy.read_bytes()
    copy.write_bytes(data.replace(b"IQ== 0", b"Ig== 0", 1))  # same size, new content: ctime changes
    with pytest.raises(HashMismatchError):
        engines.load(local, "kitoken")
    engines.unload()


# --- vocab cache ----------------------------------------------------------------------------------------------


def test_cache_is_built_once_and_verified(tmp_path, monkeypatch):
    monkeypatch.setenv(vocab_cache.CACHE_ENV, str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return b"payload"

    a = vocab_cache.get("kind", "k" * 64, "bin", "b1", build)
    b = vocab_cache.get("kind", "k" * 64, "bin", "b1", build)
    assert a.built and not b.built and b.data == b"payload" and len(calls) == 1
    a.path.write_bytes(b"corrupt")  # corrupted payload: hash mismatch, rebuilt
    c = vocab_cache.get("kind", "k" * 64, "bin", "b1", build)
    assert c.built and c.data == b"payload" and len(calls) == 2
    d = vocab_cache.get("kind", "k" * 64, "bin", "b2", build)  # another builder version: stale
    assert d.built and len(calls) == 3


def test_unwritable_cache_still_counts(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(vocab_cache.CACHE_ENV, str(blocker / "cache"))
    art = vocab_cache.get("kind", "k" * 64, "bin", "b1", lambda: b"x")
    assert art.path is None and art.data == b"x"


def _build_in_child(cache: str, key: str) -> str:
    os.environ[vocab_cache.CACHE_ENV] = cache
    import time

    def slow() -> bytes:
        time.sleep(0.2)
        return b"same bytes from both builders" * 1000

    return vocab_cache.get("race", key, "bin", "b1", slow).sha256


def test_two_processes_building_at_once_both_get_a_valid_entry(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        digests = pool.starmap(_build_in_child, [(str(tmp_path), "r" * 64)] * 2)
    assert len(set(digests)) == 1
    os.environ[vocab_cache.CACHE_ENV] = str(tmp_path)
    assert vocab_cache.lookup("race", "r" * 64, "bin", "b1") is not None
    assert not [p for p in Path(tmp_path).rglob("*.tmp")]  # no temporary files left behind


def test_rank_table_cache_round_trips_exactly():
    e = resolve("meta/llama3")
    f = read_verified(e.files[0])
    want = parse_tiktoken_ranks(f.data)
    got, pattern = vocab_cache.ranks(f.sha256, lambda: (want, None))
    again, _ = vocab_cache.ranks(f.sha256, lambda: pytest.fail("rebuilt"))  # second read hits the cache
    assert got == want == again and pattern is None


def test_tiktoken_to_hf_conversion_is_exact_in_hf_tokenizers():
    """The converted tokenizer.json, run by HF ``tokenizers`` (not fastokens), equals tiktoken."""
    from tokenizers import Tokenizer

    e = resolve("meta/llama3")
    f = read_verified(e.files[0])
    ranks = parse_tiktoken_ranks(f.data)
    spec = json.loads(vocab_cache.hf_json(f.sha256, lambda: ranks, e.pattern))
    vocab_cache.verify_hf_conversion(spec, ranks, e.pattern)
    hf = Tokenizer.from_str(json.dumps(spec))
    ref = reference(e)
    texts = list(ALL.values())
    assert [len(hf.encode(t, add_special_tokens=False)) for t in texts] == ref.count_many(texts)


@pytest.mark.parametrize("tid", ["meta/llama3", "qwen/qwen3.5"])
def test_converted_merges_are_the_ones_tiktoken_can_make(tid):
    """Against tiktoken itself: a token gets a merge exactly when tiktoken encodes it alone as one token,
    and the merge's two parts are each one token for tiktoken (the split it is made from)."""
    e = resolve(tid)
    f = read_verified(e.files[0])
    ranks = parse_tiktoken_ranks(f.data)
    spec = json.loads(vocab_cache.hf_json(f.sha256, lambda: ranks, e.pattern))
    b2u = vocab_cache.bytes_to_unicode()
    u2b = {c: b for b, c in b2u.items()}
    merged = {}
    for left, right in spec["model"]["merges"]:
        lb, rb = bytes(u2b[c] for c in left), bytes(u2b[c] for c in right)
        merged[lb + rb] = (lb, rb)
    core = reference(e).encoding._core_bpe
    # encode_single_piece looks a whole piece up first; 0xFF (never in UTF-8, in no longer token) defeats that
    # without changing the merges inside the token
    assert not [t for t in ranks if len(t) > 1 and b"\xff" in t]
    ff = ranks[b"\xff"]

    def merged_alone(tok: bytes) -> bool:
        return core.encode_single_piece(tok + b"\xff") == [ranks[tok], ff]

    for tok in ranks:
        if len(tok) < 2:
            continue
        alone = merged_alone(tok)
        assert (tok in merged) == alone, tok
        if alone:
            left, right = merged[tok]
            assert (len(left) == 1 or merged_alone(left)) and (len(right) == 1 or merged_alone(right)), tok


def test_conversion_check_rejects_a_wrong_table():
    ranks = {b"a": 0, b"b": 1, b"ab": 2, b"ba": 3}
    spec = vocab_cache.tiktoken_to_hf(ranks, r"\S+")
    vocab_cache.verify_hf_conversion(spec, ranks, r"\S+")
    spec["model"]["merges"].reverse()
    with pytest.raises(ValueError, match="rank order"):
        vocab_cache.verify_hf_conversion(spec, ranks, r"\S+")
    spec = vocab_cache.tiktoken_to_hf({**ranks, b"ab": 3, b"ba": 2}, r"\S+")
    with pytest.raises(ValueError, match="id"):
        vocab_cache.verify_hf_conversion(spec, ranks, r"\S+")


def test_cut_rules_exist_for_every_tokenizer_but_j2():
    for tid in AVAILABLE:
        rule = chunking.rule_for(entries()[tid])
        if tid == "ai21/j2":
            assert rule.policy is chunking.Policy.NONE
        else:
            assert rule.policy >= chunking.Policy.SPACE_ASCII, tid
