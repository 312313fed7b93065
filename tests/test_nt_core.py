"""The compiled NT-1 core (normtok/_ntcore.c) equals the reference and the numpy path, bit for bit.

Three implementations are compared: ``nt_milli_reference`` (the spec, literally), the numpy path
(``_single``/``_numpy_many``) and the C core (``_core``), plus the automaton the C core runs, in
Python. The C core gets its tables from nt.py; these tests feed it what breaks one-pass counters:
marks at starts and inside digit runs, lone spaces, long texts cut into lanes and chunks, every
str storage kind, surrogates, and text that is not NFC.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normtok import corpus
from normtok import nt as N

SPEC = Path(__file__).resolve().parent.parent / "spec"
VALUES = {**N.WEIGHTS, **N.RUN_PARAMS}
core = N._core
needs_core = pytest.mark.skipif(core is None, reason="normtok._ntcore is not built (no C compiler)")


def all_three(text: str) -> int:
    """The value, after checking that reference, numpy and (when built) C agree on it."""
    ref = N.nt_milli_reference(text)
    assert N._single(text) == ref, "numpy"
    if core is not None:
        assert core.milli(text) == ref, "C"
        assert core.milli_many([text]) == [ref], "C, many"
    return ref


def fast_two(texts: list[str]) -> list[int]:
    """numpy and C values of long texts (numpy equals the reference: tests/test_nt.py)."""
    want = N._numpy_many(texts)
    if core is not None:
        assert core.milli_many(texts) == want
        assert [core.milli(t) for t in texts] == want
    return want


# -------------------------------------------------------------------------------------------------
# the build
# -------------------------------------------------------------------------------------------------

def test_the_core_is_built_wherever_a_c_compiler_is():
    """A missing build would silently cost the speed: CI has a compiler, so it must have the core."""
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler here")
    import normtok._ntcore  # noqa: F401  (ImportError fails the test)

    assert core is not None
    assert N.implementation() == ("numpy" if os.environ.get("NORMTOK_NT_IMPL") == "numpy" else "c")


def test_the_c_source_holds_no_copy_of_the_tables():
    """One source of truth: no NT-1 constant and no table boundary is typed into the C code."""
    import re

    src = (Path(N.__file__).parent / "_ntcore.c").read_text(encoding="utf-8")
    literals = re.findall(r"\b(0[xX][0-9a-fA-F]+|\d+)\b", src)
    numbers = {int(x, 16) if x.lower().startswith("0x") else int(x) for x in literals}
    constants = {v for v in VALUES.values() if v > 16}
    assert not numbers & constants, numbers & constants
    boundaries = {r.first for r in N.ROWS if r.first > 0x7F} | {r.last for r in N.ROWS if r.last > 0x7F}
    assert not numbers & boundaries - {0x10FFFF}, numbers & boundaries


@needs_core
def test_the_core_rejects_what_is_not_a_str_and_bad_tables():
    with pytest.raises(TypeError, match="str"):
        core.module.milli(b"bytes")
    with pytest.raises(TypeError, match="str"):
        core.module.milli_many(["ok", 5])
    with pytest.raises(ValueError, match="codes|full tables"):
        core.module.install(b"\0" * 5, *core.args, None)
    trans, ends, resync, bias = core.args
    with pytest.raises(ValueError, match="differs"):
        core.module.install(bytes(128), trans, [e + 1 for e in ends], resync, bias, None)
    with pytest.raises(ValueError, match="sizes"):
        core.module.install(bytes(128), trans[:-4], ends, resync, bias, None)
    assert core.module.milli("ok") == N.nt_milli_reference("ok")  # still working


# -------------------------------------------------------------------------------------------------
# the automaton (what the C core runs), checked in Python: needs no compiler
# -------------------------------------------------------------------------------------------------

def test_automaton_states_and_kinds_fit_the_core():
    kinds, table, ends = N._automaton()
    assert len(kinds) <= 16 and len(N._STATES) <= 16
    assert all(0 <= cost + N._BIAS < 1 << 24 for row in table for _, cost in row)
    assert ends[N._STATES.index("W1")] == -(VALUES["SPACE"] + VALUES["RUN_W"])
    code = N._code_of(kinds)
    for r in N.ROWS:  # every code point's kind is its row's class and weight
        for cp in {r.first, r.last}:
            assert kinds[code[cp]][:2] == (r.cls, r.weight)
    assert kinds[code[0x20]] == ("W", "SPACE", True) and kinds[code[0x1F600]][:2] == ("X", "OTHER")


@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=40))
def test_automaton_in_python_equals_the_reference(text):
    assert N._automaton_value(text) == N.nt_milli_reference(text)


# -------------------------------------------------------------------------------------------------
# vectors, examples, the corpus
# -------------------------------------------------------------------------------------------------

def test_every_spec_vector():
    for path in sorted((SPEC / "vectors").glob("*.json")):
        cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
        for c in cases:
            assert all_three(c["input"]) == c["nt_milli"], (path.name, c["id"])
        if core is not None:
            assert core.milli_many([c["input"] for c in cases]) == [c["nt_milli"] for c in cases]


def test_every_corpus_document():
    texts = [t for _, t in corpus.iter_documents()]
    ref = [N.nt_milli_reference(t) for t in texts]
    assert N._numpy_many(texts) == ref
    if core is not None:
        assert core.milli_many(texts) == ref
        assert core.milli_many(["\n\n".join(texts)]) == N._numpy_many(["\n\n".join(texts)])  # lanes, chunks, NFC


# -------------------------------------------------------------------------------------------------
# generated text
# -------------------------------------------------------------------------------------------------

ANY = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
MARKS = "\u0301\u0323\u0302\u0308\u093c\u0bbe\u3099\u20e3\ufe0f\u200d\u0345\U000e0067\U0001d165"
SEPS = " \t\n\r\x00\x07\x85\u00a0\u2028\u3000,.-/:"
PIECES = st.sampled_from([
    *MARKS, *SEPS, "a", "Z", "é", "1", "٣", "९", "x\u0301", "1\u0301", " \u0301", "\u0301", "\n\u0301",
    "\ud800", "\udfff", "\U0001f600", "\U0001f3fd", "\U00040000", "\U0010ffff", "\ufffe", "\ue000", "日",
    "\u1100\u1161\u11a8", "\uac00\u11a8", "ệ", "e\u0323\u0302", "e\u0302\u0323", "\u0915\u093c", "\u0bc6\u0bbe",
    "\u00c5", "A\u030a", "\u212b", "\u2126", "  ", "   ", "\t\t", "\xff", "ÿ\u0308",
])
MIXED = st.one_of(
    st.text(ANY, max_size=60),
    st.lists(PIECES, max_size=40).map("".join),
    st.lists(st.one_of(PIECES, st.text(ANY, max_size=3)), max_size=30).map("".join),
)


@given(MIXED)
def test_generated_text_all_three_agree(text):
    all_three(text)


@given(st.text(ANY, max_size=30), st.integers(0, 30), st.lists(st.integers(0, 30)), st.sampled_from(MARKS))
def test_surrogates_and_marks_inserted_anywhere(text, where, marks, mark):
    chars = list(text)
    chars.insert(min(where, len(chars)), "\ud800")
    for m in marks:
        chars.insert(min(m, len(chars)), mark)
    all_three("".join(chars))


@settings(max_examples=60)
@given(st.integers(0, 30), st.lists(st.tuples(st.integers(0, 30), st.sampled_from(MARKS)), max_size=4),
       st.sampled_from(["", "a", " ", "x ", "1", "\u0301", "\n", "-"]), st.sampled_from(["", "a", " ", "4", "\u0301"]))
def test_digit_runs_of_every_length_with_marks_inside(n, marks, before, after):
    digits = list("1234567890" * 3)[:n]
    for pos, m in sorted(marks, reverse=True):
        digits.insert(min(pos, len(digits)), m)
    all_three(before + "".join(digits) + after)


def test_digit_run_lengths_exactly():
    group, digit, extend = VALUES["DIGIT_GROUP"], VALUES["DIGIT"], VALUES["EXTEND"]
    for n in range(1, 31):
        for mark in ("", "\u20e3", "\ufe0f\u20e3"):
            run = n * digit + (n + 2) // 3 * group + len(mark) * extend  # marks continue the run, not digits
            assert all_three("x " + "7" * n + mark + " y") == all_three("x  y") - 2 * VALUES["SPACE"] \
                - VALUES["RUN_W"] + run
            assert all_three("7" * n + mark) == run


@pytest.mark.parametrize("text", [
    "", " ", "  ", " " * 1000, "\t", "\n" * 500, " a", "a ", " a ", "a b", "a  b", "a \u0301b", " \u0301",
    "\x00", "\x00" * 10, "\x07\x1b[0m", "\x7f\x85\x9f", "\u0301", "\u0301" * 50, "\u0301a", "1\u0301",
    ",\u0301", " \u0301 ", "\n\u0301\n", "\ud800", "\udfff\ud800", "a\ud800b", "\ud800\u0301",
    "9" * 100_000, "\U0001f600" * 5, "\U00040000\u0301", "é" * 10, "ÿ" * 3 + "a",
])
def test_edge_texts(text):
    all_three(text)


@pytest.mark.parametrize("text", [
    "e\u0301te\u0301", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e",             # decomposed Latin
    "\u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af",                  # Hangul jamo
    "\uac00\u11a8", "a\u0301\u0323", "q\u0307\u0323", "x\u0323\u0302",             # LV+T, marks out of order
    "Tie\u0302\u0301ng Vie\u0323\u0302t", "Vi\u1ec7t Nam", "Ti\u00ea\u0301ng",      # Vietnamese, mixed forms
    "\u0915\u093c\u0916\u093c \u0921\u093c", "\u0958\u0959",                       # Devanagari nukta, excluded forms
    "\u0b95\u0bc6\u0bbe\u0bb3\u0bcd", "\u09c7\u09be", "\u0d46\u0d3e",               # Tamil, Bengali, Malayalam
    "\u212b\u2126\u00c5", "\u0344\u0340\u0341\u0374", "\u304b\u3099\u30cf\u309a",  # singletons, kana voicing
    "\u05d0\u05b4\u05b0\u0591", "\u0627\u0653\u0654", "\U0001d15e\U0001d165",     # Hebrew order, Arabic, music
    "\uf900\U0002f800", "\u0f73\u0f71\u0f72", "1\u0338=2", "\u0958\n\u0958\n",   # compat ideographs, Tibetan
])
def test_text_that_is_not_nfc(text):
    v = all_three(text)
    assert v == all_three(unicodedata.normalize("NFC", text)) == all_three(unicodedata.normalize("NFD", text))
    if core is not None and not unicodedata.is_normalized("NFC", text):
        assert core.module.suspects(text), "the quick check missed a text that is not NFC"


def test_nfc_windows_around_suspects():
    """The C core normalises a window from the last ASCII code point before a suspect to the first
    after it, merging suspects that are close: every gap, with and without ASCII around."""
    texts = []
    for gap in range(0, 40):
        for filler in ("\u0915", "\u0915\u093c", "\u00e9", "\u65e5"):
            for left, right in (("", ""), ("a", "b"), ("e", " x"), ("\n", "\n"), ("\u0301", "1")):
                texts.append(left + "e\u0301" + filler * gap + "a\u0323\u0302" + right)
                texts.append(left + "\u0301" + filler * gap + "\u0958" + right)
    for t in texts:
        assert core is None or core.milli(t) == N.nt_milli_reference(t), repr(t)
    fast_two(["".join(texts)[:150_000], "\n".join(texts)[:150_000]])


@needs_core
@given(st.text(st.sampled_from(
    "ae\u0301\u0300\u0323\u0302\u0327\u0308\u0345\u0344\u0340\u0958\u093c\u0915\u0bc6\u0bbe\u0bd7\u0b47\u0b3e"
    "\u1100\u1161\u11a8\uac00\u304b\u3099\u212b\u0f73\u0f71\u0f72\u05b4\u05b0\u0627\u0653\u0654\u3000 x\n"),
    max_size=12))
def test_the_quick_check_never_calls_a_text_nfc_that_is_not(text):
    core.install_full()
    if not core.module.suspects(text):
        assert unicodedata.is_normalized("NFC", text)
    assert core.milli(text) == N.nt_milli_reference(text)
    assert core.module.milli(unicodedata.normalize("NFC", text), True) == N.nt_milli_reference(text)


# -------------------------------------------------------------------------------------------------
# long texts: lanes (>= 4096 code points), chunks (65536), GIL release, 64-bit sums
# -------------------------------------------------------------------------------------------------

@settings(max_examples=25)
@given(st.lists(MIXED, min_size=1, max_size=8), st.integers(4000, 140_000), st.sampled_from(["", "\n"]))
def test_long_texts_across_lanes_and_chunks(parts, size, glue):
    unit = glue.join(parts) or "a"
    text = (unit * (size // len(unit) + 1))[:size]
    fast_two([text, text + "\u0301", "\u0301" + text, "1" * 4097 + text])


def test_long_texts_by_storage_kind_and_suspect_position():
    base = "The quick brown fox, 1234 jumps.\n    over {the} lazy dog\t\u00a0\n"
    texts = []
    for extra in ("", "é", "\u2014", "日", "\U0001f600", "\ud800"):  # 1-, 2- and 4-byte storage kinds
        for suspect in ("", "e\u0301", "\u0301", "x\u0323\u0302", "\u0958"):
            for at in (0, 4095, 4096, 65535, 65536, 65537, 100_000, 199_999):
                t = (base * 3200)[:200_000]
                t = t[:at] + suspect + extra + t[at:]
                texts.append(t)
    texts.append("a\u0301" * 70_000)                      # one line, a suspect everywhere
    texts.append(" " * 70_000 + "x\u0301" + "7" * 70_000)  # no code point to cut lanes at
    fast_two(texts)


@needs_core
def test_values_beyond_32_bits():
    text = "\U0001f600" * 2_500_000  # 4-byte kind, OTHER each: 5e9 milli-NT
    assert core.milli(text) == 2_500_000 * VALUES["OTHER"] > 2**32
    text = "\uffff" * 2_200_000  # 2-byte kind
    assert core.milli_many([text]) == [2_200_000 * VALUES["OTHER"]]


@needs_core
def test_threads_count_concurrently_and_exactly():
    texts = [("Hello, world! 123 e\u0301 \u65e5\u672c " * 20_000)[: 200_000 + k] for k in range(6)]
    want = N._numpy_many(texts)
    got: dict[int, int] = {}

    def work(i):
        got[i] = core.milli(texts[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(len(texts))] == want


# -------------------------------------------------------------------------------------------------
# the public functions, batches, the switch
# -------------------------------------------------------------------------------------------------

@given(st.lists(st.one_of(st.just(""), MIXED), max_size=30))
def test_many_with_empty_strings(batch):
    want = [N.nt_milli_reference(t) for t in batch]
    assert N.nt_milli_many(batch) == want
    assert N.nt_milli_many(iter(batch)) == want
    assert N.nt_milli_many(tuple(batch)) == want
    assert [N.nt_milli(t) for t in batch] == want


def test_many_empty_list_and_only_empty_strings():
    assert N.nt_milli_many([]) == []
    assert N.nt_milli_many(["", "", ""]) == [0, 0, 0]


def _run(code: str, impl: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NORMTOK_NT_IMPL"}
    if impl is not None:
        env["NORMTOK_NT_IMPL"] = impl
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_environment_switch_selects_the_implementation():
    code = ("from normtok import nt as N; print(N.implementation(), N.nt_milli('e\\u0301 12345 \\u65e5'), "
            "N.nt_milli_many(['Hello, world!', '']))")
    numpy = _run(code, "numpy")
    assert numpy.returncode == 0, numpy.stderr
    assert numpy.stdout.split()[0] == "numpy"
    default = _run(code, None)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[0] == ("c" if core is not None else "numpy")
    assert default.stdout.split()[1:] == numpy.stdout.split()[1:]
    bad = _run("from normtok import nt as N; N.nt_milli('x')", "fortran")
    assert bad.returncode != 0 and "NORMTOK_NT_IMPL" in bad.stderr
    forced = _run("from normtok import nt as N; print(N.implementation())", "c")
    if core is not None:
        assert forced.stdout.strip() == "c"
    else:
        assert forced.returncode != 0 and "not built" in forced.stderr


def test_cli_reports_the_implementation(cli):
    code, out, err = cli("nt", "--text", "Hello, world!", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["nt_implementation"] == N.implementation() and doc["totals"]["nt_milli"] == 3914


def test_cli_bad_implementation_is_a_usage_error_without_traceback(tmp_path):
    env = {**os.environ, "NORMTOK_NT_IMPL": "fortran"}
    proc = subprocess.run([sys.executable, "-c", "from normtok.cli import main; main()", "nt", "--text", "x"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "NORMTOK_NT_IMPL" in proc.stderr and "Traceback" not in proc.stderr


def test_nfc_tables_from_the_cache_equal_a_fresh_build(tmp_path, monkeypatch):
    """The NFC quick-check tables are cached (start-up); a cached or re-read copy is the same data."""
    import numpy as np

    from normtok import nt, vocab_cache

    monkeypatch.setenv(vocab_cache.CACHE_ENV, str(tmp_path))
    flags, ccc, pairs = nt._NfcTables.build()
    for _ in range(2):  # first call builds and stores, second reads the cache
        t = nt._NfcTables.cached()
        assert np.array_equal(t.flags, flags) and np.array_equal(t.ccc, ccc) and np.array_equal(t.pairs, pairs)
        assert np.array_equal(t.code, nt._LUT_CLS | flags)
    payloads = list(tmp_path.rglob("*.bin"))
    assert len(payloads) == 1
    payloads[0].write_bytes(b"\x00" * payloads[0].stat().st_size)
    t = nt._NfcTables.cached()  # a corrupt entry fails its SHA-256 and is rebuilt, never used
    assert np.array_equal(t.flags, flags)
