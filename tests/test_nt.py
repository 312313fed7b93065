"""NT-1 reference implementation: the fast path equals the one-pass reference, and the properties
the spec states (totality, bounds, normalisation, concatenation) hold."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import normtok
from normtok import corpus
from normtok import nt as N

VALUES = {**N.WEIGHTS, **N.RUN_PARAMS}
WHITE_SPACE = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
               0x202F, 0x205F, 0x3000}

# Code points that exercise every class, the run rules and NFC (marks that compose, reorder, jamo).
POOL = (
    " \t\n\r\u00a0\u3000aZé1٣९,.!—\u201c→\u0301\u0323\u0302\u0327\u0308\u200d\u200c\ufe0f\u20e3\ufeff"
    "\u0300\u0345\u0344\u212b\u2126\u0958\u093c\u0915\u0bc6\u0bbe\u0bd7\u09c7\u09be\u1100\u1161\u11a8\uac00"
    "\u304b\u3099\u4e00\u3005\u0e01\u0e31\u1200\u1361\u0645\u06cc\u05d0\u0410\u03b1\x00\x07\x7f\x85"
    "\ue000\ud800\udfff\U0001f600\U0001f3fd\U00040000\U000e0067\ufdd0\uffff\U0010ffff"
)
texts = st.text(alphabet=st.sampled_from(POOL), max_size=40)


def _tally_value(text: str) -> int:
    t = N.tally(text)
    return sum(t[p] * VALUES[p] for p in N.PARAMS)


@given(texts)
def test_fast_path_tally_and_explain_equal_the_reference(text):
    ref = N.nt_milli_reference(text)
    assert N.nt_milli(text) == ref
    assert _tally_value(text) == ref
    runs = N.explain(text)
    assert sum(r.milli for r in runs) == ref
    assert "".join(r.text for r in runs) == unicodedata.normalize("NFC", text)


@given(st.lists(texts, max_size=30))
def test_batched_values_equal_single_values(batch):
    assert N.nt_milli_many(batch) == [N.nt_milli_reference(t) for t in batch]


def test_batches_across_block_boundaries():
    # texts around the small-text limit and enough of them to fill several blocks
    batch = [("ab1 é\u0301 " * (k % 700))[: k * 7 % 5000] for k in range(400)] + ["", " ", "1"]
    assert N.nt_milli_many(batch) == [N.nt_milli_reference(t) for t in batch]
    assert N.nt_milli_many(iter(batch)) == N.nt_milli_many(batch)


def test_fast_path_equals_reference_on_every_corpus_document():
    docs = list(corpus.iter_documents())
    fast = N.nt_milli_many([t for _, t in docs])
    slow = [N.nt_milli_reference(t) for _, t in docs]
    assert fast == slow
    assert [N.nt_milli(t) for _, t in docs] == slow


@given(texts)
def test_value_is_a_function_of_the_nfc_text(text):
    v = N.nt_milli(text)
    assert v >= 0
    assert N.nt_milli(unicodedata.normalize("NFC", text)) == v
    assert N.nt_milli(unicodedata.normalize("NFD", text)) == v


@given(texts)
def test_bounds(text):
    n = len(unicodedata.normalize("NFC", text))
    assert 0 <= N.nt_milli(text) <= 2000 * n


@given(texts, texts)
def test_concatenation_junction_is_bounded(a, b):
    j = N.nt_milli(a + b) - N.nt_milli(a) - N.nt_milli(b)
    assert -VALUES["DIGIT_GROUP"] <= j <= VALUES["RUN_W"] + 2 * VALUES["SPACE"]


@pytest.mark.parametrize("a,b,junction", [
    ("abc", "!", 0),
    ("ab", "cd", -VALUES["RUN_L"]),
    ("a!", "?", -VALUES["RUN_P"]),
    ("12", "3", -VALUES["DIGIT_GROUP"]),
    ("12", "34", 0),
    ("123", "456", 0),
    ("a\n", "\nb", -VALUES["RUN_W"]),
    ("a ", "\nb", VALUES["SPACE"]),
    ("a ", " b", VALUES["RUN_W"] + 2 * VALUES["SPACE"]),
    ("\U0001f600", "\U0001f600", 0),
])
def test_concatenation_rule_of_section_8_3(a, b, junction):
    assert N.nt_milli(a + b) - N.nt_milli(a) - N.nt_milli(b) == junction


def test_totality_on_special_inputs():
    for text in ["", "\x00", "\ud800", "\udfff", "\ufffe", "\U0010ffff", "\u0301" * 50, "\U00040000",
                 "\ue000", " " * 10_000, "9" * 100_000]:
        assert N.nt_milli(text) == N.nt_milli_reference(text) >= 0
    assert N.nt_milli("") == 0
    assert N.nt_milli(" ") == 0
    assert N.nt_milli("9" * 100_000) == 100_000 * VALUES["DIGIT"] + 33_334 * VALUES["DIGIT_GROUP"]


def test_lone_space_rule():
    assert N.nt_milli("a b") == N.nt_milli("a") + N.nt_milli("b")
    two = 2 * VALUES["SPACE"] + VALUES["RUN_W"]
    assert N.nt_milli("a  b") == N.nt_milli("a") + N.nt_milli("b") + two
    assert N.nt_milli("a\u00a0b") == N.nt_milli("a") + N.nt_milli("b") + VALUES["SPACE"] + VALUES["RUN_W"]
    # a mark after a space joins the whitespace run, so the space is no longer lone
    assert N.nt_milli("a \u0301b") == (N.nt_milli("ab") + VALUES["RUN_L"] + VALUES["SPACE"] + VALUES["EXTEND"]
                                       + VALUES["RUN_W"])


def test_table_rows_are_sorted_disjoint_and_named():
    rows = N.ROWS
    assert all(a.last < b.first for a, b in zip(rows, rows[1:]))
    assert all(r.first <= r.last <= 0x10FFFF for r in rows)
    assert {r.cls for r in rows} == {"W", "D", "L", "P", "M", "X"}
    assert {r.weight for r in rows} | {"OTHER"} == set(N.WEIGHTS)
    assert len(rows) < 256  # the fast path stores row classes in bytes


def test_whitespace_rows_are_exactly_unicode_white_space():
    w = {cp for r in N.ROWS if r.cls == "W" for cp in range(r.first, r.last + 1)}
    assert w == WHITE_SPACE


def test_digit_rows_are_decimal_digits_and_ascii_classes():
    for r in N.ROWS:
        if r.cls == "D":
            assert r.last - r.first == 9
            assert [unicodedata.decimal(chr(c)) for c in range(r.first, r.last + 1)] == list(range(10))
    import string
    for ch in string.punctuation:
        assert N.classify(ord(ch)).cls == "P"
    for ch in string.ascii_letters:
        assert N.classify(ord(ch)).weight == "LETTER"
    assert N.classify(0x1F600).weight == "OTHER" and N.classify(0xE0000).cls == "M"


def test_extending_rows_hold_marks_and_format_characters():
    for r in N.ROWS:
        if r.cls == "M":
            cats = {unicodedata.category(chr(c)) for c in range(r.first, r.last + 1)}
            assert cats <= {"Mn", "Me", "Mc", "Cf", "Cn"}, (r, cats)


@given(st.text(alphabet=st.sampled_from(
    "ae\u0301\u0300\u0323\u0302\u0327\u0308\u0345\u0344\u0340\u0958\u093c\u0915\u0bc6\u0bbe\u0bd7\u0b47\u0b3e"
    "\u1100\u1161\u11a8\uac00\u304b\u3099\u212b\u0f73\u0f71\u0f72\u05b4\u05b0\u0627\u0653\u0654\u3000 x"),
    max_size=12))
def test_nfc_quick_check_never_calls_a_text_nfc_that_is_not(text):
    import numpy as np

    t = N._nfc_luts()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    code = np.take(t.code, cp.astype(np.intp)) if len(cp) else np.zeros(0, np.uint8)
    if len(N._nfc_suspects(cp, code, t)) == 0:
        assert unicodedata.is_normalized("NFC", text)


def test_public_api():
    assert normtok.nt("Hello, world!") == 3.914
    assert normtok.nt.nt_milli("Hello, world!") == 3914
    assert N.NT_VERSION == "NT-1"
    assert N.format_nt(3914) == "3.914" and N.format_nt(5) == "0.005" and N.format_nt(0) == "0.000"
    assert N.format_nt(-1500) == "-1.500"
    assert N.unicode_version() == unicodedata.unidata_version


# -------------------------------------------------------------------------------------------------
# normtok nt (CLI)
# -------------------------------------------------------------------------------------------------

def test_cli_text_and_json(cli):
    code, out, err = cli("nt", "--text", "Hello, world!", "--text", "", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["nt_version"] == "NT-1" and doc["unicode_version"] == unicodedata.unidata_version
    assert [f["nt_milli"] for f in doc["files"]] == [3914, 0]
    assert doc["files"][0]["nt"] == "3.914"
    assert doc["totals"] == {"files": 2, "chars": 13, "bytes": 13, "nt": "3.914", "nt_milli": 3914}


def test_cli_files_stdin_and_formats(cli, tmp_path):
    (tmp_path / "a.txt").write_text("def f():\n    return 1\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("日本語のテキスト", encoding="utf-8")
    code, out, _ = cli("nt", str(tmp_path), "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "kind,path,chars,bytes,nt,nt_milli"
    assert lines[1].endswith(",7.261,7261") and lines[2].endswith(",3.790,3790")
    assert lines[3].startswith("total,") and lines[3].endswith(",11.051,11051")
    code, out, _ = cli("nt", "-", "--format", "jsonl", input="Hello, world!")
    assert code == 0 and json.loads(out.splitlines()[0])["nt_milli"] == 3914
    code, out, _ = cli("nt", str(tmp_path / "a.txt"))
    assert code == 0 and "7.261" in out and "TOTAL" not in out


def test_cli_bad_input_is_reported_and_others_still_counted(cli, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\xfe no")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02")
    (tmp_path / "good.txt").write_text("Hello, world!", encoding="utf-8")
    code, out, err = cli("nt", str(tmp_path), str(tmp_path / "missing.txt"), "--format", "json")
    assert code == 2
    assert "bad.txt: invalid UTF-8" in err and "byte offset 3" in err
    assert "skipped" in err and "bin.dat" in err and "missing.txt" in err
    assert "Traceback" not in err
    assert [f["nt_milli"] for f in json.loads(out)["files"]] == [3914]
    code, out, err = cli("nt", str(tmp_path / "bad.txt"), "--errors", "replace", "--format", "json")
    assert code == 0 and json.loads(out)["files"][0]["nt_milli"] == N.nt_milli("ok \ufffd\ufffd no")
    assert json.loads(out)["decode_errors"] == "replace"


def test_cli_explain(cli):
    code, out, _ = cli("nt", "--explain", "--text", "Hello, world!", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert [(r["text"], r["class"], r["milli"]) for r in doc["runs"]] == [
        ("Hello", "L", 1069), (",", "P", 888), (" ", "W", 0), ("world", "L", 1069), ("!", "P", 888)]
    assert doc["nt_milli"] == 3914
    code, out, _ = cli("nt", "--explain", "--text", "a\u0301 b")
    assert code == 0 and "TOTAL" in out and "NT (NT-1)" in out
    code, _, err = cli("nt", "--explain", "--text", "a", "--text", "b")
    assert code == 2 and "exactly one input" in err and "Traceback" not in err


def test_normtok_nt_is_available_after_a_plain_import():
    import subprocess
    import sys

    code = "import normtok; print(normtok.nt('Hello, world!'), normtok.nt.nt_milli_many(['a', '']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["3.914", "[677,", "0]"]
