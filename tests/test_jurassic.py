"""AI21 J2 is counted as the vendor's JurassicTokenizer counts, not as its bare SentencePiece model.

The reference is ai21-tokenizer 0.12.0's own ``JurassicTokenizer`` (the last release that has it), on
text built to hit every step of its wrapper: lines, tabs, space runs longer than the longest space
piece, digit runs (ASCII, full-width, superscript: NFKC turns the last two into digit pieces).
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normtok.adapters import JurassicAdapter, load_entry, read_verified, tokenizer
from normtok.errors import HashMismatchError, VocabUnavailableError
from normtok.registry import FileRef, resolve
from tests.reference import _pkg

J2_DIR = _pkg("ai21_tokenizer") / "resources" / "j2-tokenizer"


@pytest.fixture(scope="module")
def vendor():
    from ai21_tokenizer import JurassicTokenizer

    return JurassicTokenizer(J2_DIR)


@pytest.fixture(scope="module")
def j2() -> JurassicAdapter:
    ad = tokenizer("ai21/j2")
    assert isinstance(ad, JurassicAdapter)
    return ad


CASES = [
    "", "\n", "\n\n", "a", " a", "a b", "a    b", "a\nb", "a\n\n\nb", "a\r\nb", "\tx\t\ty \t z",
    "    def f():\n        return 1\n", "1234567 12 2024 007", "x" + " " * 70 + "y", " " * 33,
    "１２３４５６７ x²³ ٣٤٥", "3.14159265358979", "ID 12345678901234567890", "trailing   ",
]


@pytest.mark.parametrize("text", CASES)
def test_ids_and_counts_equal_the_vendor(vendor, j2, text):
    assert j2.encode(text) == vendor.encode(text)
    assert j2.count(text) == len(vendor.encode(text))


LINES = st.lists(st.one_of(
    st.text(st.sampled_from(" \t\n\r"), min_size=1, max_size=40),
    st.text(st.sampled_from("0123456789"), min_size=1, max_size=25),
    st.text(st.sampled_from("０１２３４５６７８９²³¹⁴"), min_size=1, max_size=8),
    st.sampled_from(["the", " cat", "Straße", "東京", "नमस्ते", "x=1;", "<|newline|>", "▁▁", "\u3000"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=LINES)
def test_fuzzed_whitespace_and_digits_match_the_vendor(vendor, j2, text):
    expected = vendor.encode(text)
    assert j2.encode(text) == expected
    assert j2.count(text) == len(expected)


def test_count_many_equals_counts_one_by_one(vendor, j2):
    assert j2.count_many(CASES) == [len(vendor.encode(t)) for t in CASES]


def test_the_bare_model_would_count_differently(j2):
    """Why the wrapper matters: the bare model reads a newline as a space and splits digits its own way."""
    import sentencepiece

    bare = sentencepiece.SentencePieceProcessor(model_file=str(J2_DIR / "j2-tokenizer.model"))
    text = "def f():\n    return 1234567\n"
    assert len(bare.encode(text)) != j2.count(text)
    assert j2.count("a\n\n\nb") == 5  # ▁a, three newline pieces, ▁b


def test_a_user_supplied_model_reads_the_config_beside_it(tmp_path, vendor):
    shutil.copy(J2_DIR / "j2-tokenizer.model", tmp_path / "j2-tokenizer.model")
    entry = resolve("ai21/j2").with_file(tmp_path / "j2-tokenizer.model")
    with pytest.raises(VocabUnavailableError, match="config.json is missing"):
        load_entry(entry)
    changed = json.loads((J2_DIR / "config.json").read_text())
    changed["space_mode"] = None
    (tmp_path / "config.json").write_text(json.dumps(changed))
    with pytest.raises(HashMismatchError, match="not the registered Jurassic config"):
        load_entry(entry)
    shutil.copy(J2_DIR / "config.json", tmp_path / "config.json")
    text = "line one\n\tline  two 12345"
    assert load_entry(entry).count(text) == len(vendor.encode(text))


def test_the_config_is_hash_checked(tmp_path):
    entry = resolve("ai21/j2")
    config = next(f for f in entry.files if f.role == "config")
    assert read_verified(config).sha256 == config.sha256
    changed = json.loads((J2_DIR / "config.json").read_text())
    changed["number_mode"] = None
    (tmp_path / "config.json").write_text(json.dumps(changed))
    tampered = FileRef(role="config", sha256=config.sha256, path=str(tmp_path / "config.json"))
    with pytest.raises(HashMismatchError):
        load_entry(type(entry)(**{**entry.__dict__, "files": (entry.files[0], tampered)}))


def test_cli_counts_j2_like_the_vendor(tmp_path, vendor):
    from click.testing import CliRunner

    from normtok.cli import main

    text = "Title\n\n    indented  text\t42\n" * 3
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    out = CliRunner().invoke(main, ["count", "-m", "j2-ultra", "--no-nt", "--format", "json", str(tmp_path / "t.txt")])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["totals"]["tokens"] == {"ai21/j2": len(vendor.encode(text))}
    assert report["models"][0]["exact"] is True
