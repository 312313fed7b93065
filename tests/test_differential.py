"""normtok's counts equal each vendor's own library, on a multilingual sample and on fuzzed text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import normtok
from normtok.registry import entries

from .reference import ALTERNATES, BUILDERS, _deepseek, reference
from .samples import ALL, PROSE

AVAILABLE = sorted(e.id for e in entries().values() if e.available)


def test_every_available_tokenizer_has_an_independent_reference():
    assert set(AVAILABLE) == set(BUILDERS)


def test_sample_covers_twenty_languages_code_json_emoji():
    assert len(PROSE) >= 20
    assert any(k.startswith("code:") for k in ALL) and "structured:json" in ALL and "edge:emoji_zwj" in ALL


@pytest.mark.parametrize("tid", AVAILABLE)
def test_sample_matches_reference(tid):
    ref = reference(tid)
    tok = normtok.tokenizer(tid)
    names = list(ALL)
    texts = [ALL[n] for n in names]
    got_single = {n: tok.count(t) for n, t in zip(names, texts)}
    got_batch = dict(zip(names, tok.count_many(texts)))
    want = {n: ref(t) for n, t in zip(names, texts)}
    assert got_single == want
    assert got_batch == want
    assert want["edge:empty"] == 0


@pytest.mark.parametrize("tid", AVAILABLE)
def test_alternate_files_segment_identically(tid):
    tok = normtok.tokenizer(tid)
    for build in ALTERNATES.get(tid, []):
        alt = build()
        assert [alt(t) for t in ALL.values()] == tok.count_many(list(ALL.values()))


SPECIAL_STRINGS = [
    "<|endoftext|>", "<|endofprompt|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<s>", "</s>",
    "[INST]", "[/INST]", "[TOOL_CALLS]", "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>",
    "<|header_start|>", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<unk>", "<|newline|>",
]
COMBINING = st.text(st.characters(min_codepoint=0x300, max_codepoint=0x36F), min_size=1, max_size=4)
EMOJI_ZWJ = st.sampled_from(["👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🧑🏿‍💻", "1️⃣", "🇯🇵", "❤️‍🔥", "\u200d", "\ufe0f"])
DIGITS = st.integers(1, 40).map(lambda n: "9876543210" * (n // 10) + "1234567890"[: n % 10])
SPACES = st.lists(st.sampled_from([" ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2009"]), min_size=1,
                  max_size=12).map("".join)
WORDS = st.sampled_from(list(PROSE.values())).map(lambda s: s[: len(s) // 3])
ANY = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
FUZZ = st.lists(st.one_of(ANY, COMBINING, EMOJI_ZWJ, DIGITS, SPACES, WORDS, st.sampled_from(SPECIAL_STRINGS)),
                max_size=12).map("".join)


@pytest.mark.parametrize("tid", AVAILABLE)
@given(text=FUZZ)
def test_fuzzed_text_matches_reference(tid, text):
    assert normtok.tokenizer(tid).count(text) == reference(tid)(text)


def test_special_token_strings_are_text_not_control_tokens():
    # each string would be one control token if it were matched; as text it takes several tokens
    for tid in AVAILABLE:
        tok = normtok.tokenizer(tid)
        for s in ["<|endoftext|>", "<|im_start|>", "<｜User｜>", "<think>"]:
            assert tok.count(s) > 1, (tid, s)


def test_qwen_applies_nfc_like_the_vendor():
    decomposed = "e\u0301te\u0301"  # NFC: "été"
    tok = normtok.tokenizer("qwen/qwen2.5")
    assert tok.count(decomposed) == tok.count("\u00e9t\u00e9")
    assert normtok.tokenizer("openai/o200k_base").count(decomposed) != normtok.tokenizer(
        "openai/o200k_base").count("\u00e9t\u00e9")


def test_deepseek_unmodified_vendor_library_agrees_on_text_without_control_strings():
    raw = _deepseek(raw=True)
    tok = normtok.tokenizer("deepseek/v3")
    texts = [t for n, t in ALL.items() if n != "edge:specials"]
    assert [raw(t) for t in texts] == tok.count_many(texts)
