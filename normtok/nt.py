"""NT-1, the normalized token: a vendor-neutral size of a text, computed from the text alone.

The normative definition is ``spec/nt-1.md``; this module is its reference implementation and
must stay bit-identical to it (tests check the table below against the spec's table, and both
implementations against ``spec/vectors/``). In one paragraph:

    Normalise to NFC. Give every code point a class (W whitespace, D digit, L letter,
    P punctuation/symbol, M extending, X other) and an integer weight from one table of
    code-point ranges. An M code point continues the run before it. Cut the text into runs
    of equal class. The value, in thousandths of an NT (milli-NT), is the sum of the
    code-point weights plus, per run: RUN_L for a letter run, RUN_P for a punctuation run,
    RUN_W for a whitespace run (a run that is a single U+0020 costs nothing at all), and
    DIGIT_GROUP for every started group of three digits in a digit run.

Everything is integer arithmetic, so every conforming implementation returns the same number.
Three compute it here: ``nt_milli_reference`` (the spec's algorithm, literally; slow), a numpy path,
and the compiled core ``normtok/_ntcore.c`` (one pass in C, built when a C compiler is available).
``nt_milli`` and ``nt_milli_many`` use the compiled core when it is built, else numpy;
:func:`implementation` says which, and tests check all three against each other.

    >>> from normtok.nt import nt_milli, format_nt
    >>> format_nt(nt_milli("Hello, world!"))
    '3.914'
"""

from __future__ import annotations

import os
import sys
import types
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .nfc import nfc

__all__ = [
    "NT_VERSION", "CLASSES", "WEIGHTS", "RUN_PARAMS", "PARAMS", "ROWS", "Row", "Run",
    "nt", "nt_milli", "nt_milli_many", "nt_milli_reference", "format_nt", "explain", "tally", "classify",
    "unicode_version", "implementation",
]

NT_VERSION = "NT-1"
"""The version name of the constants below. They never change under this name."""

CLASSES = ("W", "D", "L", "P", "M", "X")
"""W whitespace, D digit, L letter, P punctuation/symbol, M extending (joins the run before it), X other."""

# ---------------------------------------------------------------------------------------------
# NT-1 constants (frozen). Derived by normtok/calibrate.py on corpus v1's calibration split,
# except the four policy values marked (policy); see spec/calibration.md.
# ---------------------------------------------------------------------------------------------
WEIGHTS = MappingProxyType({
    "SPACE": 51,         # W code point (a lone U+0020 run costs nothing, see RUN_W)
    "DIGIT": 10,         # D code point (plus DIGIT_GROUP per started group of three)
    "LETTER": 98,        # L: alphabets and abugidas written with spaces between words
    "SEA": 205,          # L: Thai, Lao, Tibetan, Myanmar, Khmer (no spaces between words)
    "SYLLABARY": 308,    # L: Ethiopic, Cherokee, Canadian syllabics, Yi (= HANGUL, see calibration)
    "HAN": 637,          # L: Han ideographs
    "KANA": 260,         # L: Hiragana, Katakana, Bopomofo
    "HANGUL": 308,       # L: Hangul syllables and jamo
    "PUNCT": 100,        # P (policy)
    "EXTEND": 100,       # M (policy)
    "CONTROL": 1000,     # X: C0/C1 controls (policy)
    "OTHER": 2000,       # X: every code point not in the table (policy)
})
RUN_PARAMS = MappingProxyType({
    "RUN_W": 964,        # per whitespace run, except a run that is exactly one U+0020
    "RUN_L": 579,        # per letter run
    "RUN_P": 788,        # per punctuation run
    "DIGIT_GROUP": 1212,  # per started group of 3 digits in a digit run: ceil(n / 3)
})
PARAMS = tuple(WEIGHTS) + tuple(RUN_PARAMS)
"""Order of the vector returned by :func:`tally`."""

# The range table: first, last, class, weight name. Sorted, no overlaps; code points in no row
# are class X with weight OTHER. spec/nt-1.md Table 1 is this table (a test checks they agree).
_TABLE = """
0000 0008 X CONTROL
0009 000D W SPACE
000E 001F X CONTROL
0020 0020 W SPACE
0021 002F P PUNCT
0030 0039 D DIGIT
003A 0040 P PUNCT
0041 005A L LETTER
005B 0060 P PUNCT
0061 007A L LETTER
007B 007E P PUNCT
007F 0084 X CONTROL
0085 0085 W SPACE
0086 009F X CONTROL
00A0 00A0 W SPACE
00A1 00A9 P PUNCT
00AA 00AA L LETTER
00AB 00B4 P PUNCT
00B5 00B5 L LETTER
00B6 00B9 P PUNCT
00BA 00BA L LETTER
00BB 00BF P PUNCT
00C0 00D6 L LETTER
00D7 00D7 P PUNCT
00D8 00F6 L LETTER
00F7 00F7 P PUNCT
00F8 02FF L LETTER
0300 036F M EXTEND
0370 037D L LETTER
037E 037E P PUNCT
037F 0386 L LETTER
0387 0387 P PUNCT
0388 0588 L LETTER
0589 0589 P PUNCT
058A 05FF L LETTER
0600 060B L LETTER
060C 060D P PUNCT
060E 061A L LETTER
061B 061F P PUNCT
0620 065F L LETTER
0660 0669 D DIGIT
066A 066D P PUNCT
066E 06D3 L LETTER
06D4 06D4 P PUNCT
06D5 06EF L LETTER
06F0 06F9 D DIGIT
06FA 07BF L LETTER
07C0 07C9 D DIGIT
07CA 0963 L LETTER
0964 0965 P PUNCT
0966 096F D DIGIT
0970 09E5 L LETTER
09E6 09EF D DIGIT
09F0 0A65 L LETTER
0A66 0A6F D DIGIT
0A70 0AE5 L LETTER
0AE6 0AEF D DIGIT
0AF0 0B65 L LETTER
0B66 0B6F D DIGIT
0B70 0BE5 L LETTER
0BE6 0BEF D DIGIT
0BF0 0C65 L LETTER
0C66 0C6F D DIGIT
0C70 0CE5 L LETTER
0CE6 0CEF D DIGIT
0CF0 0D65 L LETTER
0D66 0D6F D DIGIT
0D70 0DFF L LETTER
0E00 0E4F L SEA
0E50 0E59 D DIGIT
0E5A 0ECF L SEA
0ED0 0ED9 D DIGIT
0EDA 0F1F L SEA
0F20 0F29 D DIGIT
0F2A 103F L SEA
1040 1049 D DIGIT
104A 108F L SEA
1090 1099 D DIGIT
109A 109F L SEA
10A0 10FF L LETTER
1100 11FF L HANGUL
1200 167F L SYLLABARY
1680 1680 W SPACE
1780 17DF L SEA
17E0 17E9 D DIGIT
17EA 17FF L SEA
1800 180F L LETTER
1810 1819 D DIGIT
181A 18AF L LETTER
19E0 19FF L SEA
1AB0 1AFF M EXTEND
1C80 1CBF L LETTER
1CD0 1CFF L LETTER
1D00 1DBF L LETTER
1DC0 1DFF M EXTEND
1E00 1FFF L LETTER
2000 200A W SPACE
200B 200F M EXTEND
2010 2027 P PUNCT
2028 2029 W SPACE
202A 202E M EXTEND
202F 202F W SPACE
2030 205E P PUNCT
205F 205F W SPACE
2060 206F M EXTEND
2070 20CF P PUNCT
20D0 20FF M EXTEND
2100 2BFF P PUNCT
2C60 2C7F L LETTER
2D00 2D7F L LETTER
2D80 2DDF L SYLLABARY
2DE0 2DFF L LETTER
2E00 2E7F P PUNCT
2E80 2FDF L HAN
2FF0 2FFF P PUNCT
3000 3000 W SPACE
3001 3004 P PUNCT
3005 3007 L HAN
3008 3020 P PUNCT
3021 3029 L HAN
302A 302F M EXTEND
3030 3030 P PUNCT
3031 3035 L KANA
3036 303A P PUNCT
303B 303C L HAN
303D 303F P PUNCT
3040 312F L KANA
3130 318F L HANGUL
3190 319F P PUNCT
31A0 31BF L KANA
31C0 31EF P PUNCT
31F0 31FF L KANA
3200 33FF P PUNCT
3400 4DBF L HAN
4DC0 4DFF P PUNCT
4E00 9FFF L HAN
A000 A4CF L SYLLABARY
A640 A69F L LETTER
A720 A7FF L LETTER
A8E0 A8FF L LETTER
A960 A97F L HANGUL
A9E0 A9FF L SEA
AA60 AA7F L SEA
AB00 AB2F L SYLLABARY
AB30 AB6F L LETTER
AB70 ABBF L SYLLABARY
AC00 D7FF L HANGUL
F900 FAFF L HAN
FB00 FB4F L LETTER
FB50 FDCF L LETTER
FDF0 FDFF L LETTER
FE00 FE0F M EXTEND
FE10 FE1F P PUNCT
FE20 FE2F M EXTEND
FE30 FE6F P PUNCT
FE70 FEFE L LETTER
FEFF FEFF M EXTEND
FF01 FF0F P PUNCT
FF10 FF19 D DIGIT
FF1A FF20 P PUNCT
FF21 FF3A L LETTER
FF3B FF40 P PUNCT
FF41 FF5A L LETTER
FF5B FF65 P PUNCT
FF66 FF9F L KANA
FFA0 FFDF L HANGUL
FFE0 FFEF P PUNCT
1B000 1B16F L KANA
20000 3FFFF L HAN
E0000 E007F M EXTEND
E0100 E01EF M EXTEND
"""


@dataclass(frozen=True)
class Row:
    first: int
    last: int
    cls: str
    weight: str

    @property
    def milli(self) -> int:
        return WEIGHTS[self.weight]


def _parse_table(text: str) -> tuple[Row, ...]:
    rows = []
    for line in text.strip().splitlines():
        first, last, cls, weight = line.split()
        rows.append(Row(int(first, 16), int(last, 16), cls, weight))
    for a, b in zip(rows, rows[1:]):
        assert a.first <= a.last < b.first, f"table rows overlap or are unsorted: {a} {b}"
    assert all(r.cls in CLASSES and r.weight in WEIGHTS for r in rows)
    return tuple(rows)


ROWS = _parse_table(_TABLE)
_FIRSTS = [r.first for r in ROWS]
_OTHER = Row(0, 0x10FFFF, "X", "OTHER")


def classify(cp: int) -> Row:
    """The table row of a code point (the OTHER row for code points in no row)."""
    i = bisect_right(_FIRSTS, cp) - 1
    if i >= 0 and ROWS[i].last >= cp:
        return ROWS[i]
    return _OTHER


def unicode_version() -> str:
    """The Unicode version of the NFC used here (Python's unicodedata), reported with results."""
    return unicodedata.unidata_version


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# The reference algorithm: a literal transcription of spec/nt-1.md section 4 (one pass).
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One run of the NFC text, with what it contributes (for ``normtok nt --explain`` and the spec)."""

    text: str
    cls: str
    weight: int
    """Sum of the code-point weights of the run (0 for a lone space)."""
    run_weight: int
    """RUN_L, RUN_P, RUN_W or DIGIT_GROUP x groups (0 for a lone space and for X runs)."""

    @property
    def milli(self) -> int:
        return self.weight + self.run_weight


def _run_weight(cls: str, length: int, digits: int, lone_space: bool) -> int:
    if cls == "W":
        return 0 if lone_space else RUN_PARAMS["RUN_W"]
    if cls == "L":
        return RUN_PARAMS["RUN_L"]
    if cls == "P":
        return RUN_PARAMS["RUN_P"]
    if cls == "D":
        return RUN_PARAMS["DIGIT_GROUP"] * ((digits + 2) // 3)
    return 0


def explain(text: str) -> list[Run]:
    """The runs of ``text`` (after NFC) and their weights; their sum is :func:`nt_milli`."""
    runs: list[Run] = []
    cur_cls: str | None = None
    start = 0
    weight = digits = 0
    norm = _nfc(text)

    def close(end: int) -> None:
        assert cur_cls is not None
        s = norm[start:end]
        lone = cur_cls == "W" and s == " "
        runs.append(Run(s, cur_cls, 0 if lone else weight, _run_weight(cur_cls, end - start, digits, lone)))

    for i, ch in enumerate(norm):
        row = classify(ord(ch))
        cls = row.cls
        if cls == "M":
            cls = cur_cls if cur_cls is not None else "X"
        if cls != cur_cls:
            if cur_cls is not None:
                close(i)
            cur_cls, start, weight, digits = cls, i, 0, 0
        weight += row.milli
        if row.cls == "D":
            digits += 1
    if cur_cls is not None:
        close(len(norm))
    return runs


def nt_milli_reference(text: str) -> int:
    """NT-1 of ``text`` in milli-NT, by the spec's one-pass algorithm (slow, obviously correct)."""
    total = 0
    cur_cls: str | None = None
    run_len = digits = 0
    first_is_space = False
    pending = 0  # weight of the current run's code points
    for ch in _nfc(text):
        cp = ord(ch)
        row = classify(cp)
        cls = row.cls
        if cls == "M":
            cls = cur_cls if cur_cls is not None else "X"
        if cls != cur_cls:
            if cur_cls is not None:
                lone = cur_cls == "W" and run_len == 1 and first_is_space
                total += (0 if lone else pending) + _run_weight(cur_cls, run_len, digits, lone)
            cur_cls, run_len, digits, pending, first_is_space = cls, 0, 0, 0, cp == 0x20
        run_len += 1
        pending += row.milli
        if row.cls == "D":
            digits += 1
    if cur_cls is not None:
        lone = cur_cls == "W" and run_len == 1 and first_is_space
        total += (0 if lone else pending) + _run_weight(cur_cls, run_len, digits, lone)
    return total


# ---------------------------------------------------------------------------------------------
# The fast path: the same arithmetic, vectorised with numpy. Texts are processed in blocks: each
# block is the texts joined with a separator position that ends every run, so one pass of numpy
# operations serves many texts. Tests check it against nt_milli_reference.
# ---------------------------------------------------------------------------------------------

_W, _D, _L, _P, _M, _X, _SEP = range(7)
_CLS_CODE = {c: i for i, c in enumerate(CLASSES)}
_PARAM_INDEX = {p: i for i, p in enumerate(PARAMS)}
_RUN_W, _RUN_L, _RUN_P, _GROUP = (RUN_PARAMS[k] for k in ("RUN_W", "RUN_L", "RUN_P", "DIGIT_GROUP"))
_LONE = _RUN_W + WEIGHTS["SPACE"]  # what a lone U+0020 would cost if it were not free
_RUNW_BY_CLS = np.zeros(8, np.int64)
_RUNW_BY_CLS[[_W, _L, _P]] = (_RUN_W, _RUN_L, _RUN_P)


def _build_luts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code point: class code, weight and parameter index."""
    cls = np.full(0x110000, _X, dtype=np.uint8)
    weight = np.full(0x110000, WEIGHTS["OTHER"], dtype=np.int16)
    param = np.full(0x110000, _PARAM_INDEX["OTHER"], dtype=np.uint8)
    for r in ROWS:
        cls[r.first:r.last + 1] = _CLS_CODE[r.cls]
        weight[r.first:r.last + 1] = r.milli
        param[r.first:r.last + 1] = _PARAM_INDEX[r.weight]
    return cls, weight, param


_LUT_CLS, _LUT_W, _LUT_PARAM = _build_luts()
_ASCII_CLS = bytes(_LUT_CLS[:128].tolist()) + bytes([_X]) * 128
_ASCII_W = np.concatenate((_LUT_W[:128], np.zeros(128, np.int16)))
_CHUNK = 1 << 15
_ASCII_W_BY_CLS = np.zeros(6, np.int64)
for _c, _w in zip(_LUT_CLS[:128].tolist(), _LUT_W[:128].tolist()):
    if _ASCII_W_BY_CLS[_c] not in (0, _w):
        raise AssertionError("the ASCII path needs code-point weights that depend on the class only")
    _ASCII_W_BY_CLS[_c] = _w
_ASCII_WBYTE = bytes(0 if c == _X else int(w) for c, w in zip(_LUT_CLS[:128].tolist(), _LUT_W[:128].tolist()))
_ASCII_WBYTE += bytes(128)
_NOT_CONTROL = bytes(i for i in range(256) if not (i < 128 and _LUT_CLS[i] == _X))


class _NfcTables:
    """Flags for a vectorised NFC check, built once from Python's own unicodedata.

    A text is certainly NFC (UAX #15 quick check, sharpened) when it has no code point that NFC
    replaces, its combining marks are in canonical order, and every code point that can compose
    with the one before it (NFC_QC=Maybe) follows a starter without decomposition that it does not
    compose with. Anything else goes to unicodedata.normalize, line by line.
    """

    IMPURE, EXTEND, MAYBE, MARK, NO = 8, 16, 32, 64, 128  # code byte: class in bits 0-2, flags above

    def __init__(self, flags: np.ndarray, ccc: np.ndarray, pairs: np.ndarray) -> None:
        self.flags, self.ccc, self.pairs = flags, ccc, pairs
        self.code = _LUT_CLS | flags

    @classmethod
    def cached(cls) -> _NfcTables:
        """The tables from the vocab cache (~5 ms) or built (~80 ms of start-up) and cached.

        The entry is keyed by Python's Unicode version and this module's source, so a new Unicode
        database or any change here builds it again; vocab_cache verifies the payload's SHA-256.
        """
        import hashlib

        from . import vocab_cache

        n = 0x110000
        try:
            source = open(__file__, "rb").read()
        except OSError:  # no source file (frozen): build every time
            return cls(*cls.build())
        key = hashlib.sha256(unicodedata.unidata_version.encode() + b"\n" + source).hexdigest()

        def build() -> bytes:
            flags, ccc, pairs = cls.build()
            return flags.tobytes() + ccc.tobytes() + pairs.astype("<i8").tobytes()

        data = vocab_cache.get("nt-nfc", key, "bin", f"normtok-nt-nfc-{unicodedata.unidata_version}", build).data
        if len(data) < 2 * n or (len(data) - 2 * n) % 8:
            return cls(*cls.build())
        flags = np.frombuffer(data, np.uint8, n, 0).copy()
        ccc = np.frombuffer(data, np.uint8, n, n).copy()
        pairs = np.frombuffer(data, "<i8", offset=2 * n).astype(np.int64)
        return cls(flags, ccc, pairs)

    @classmethod
    def build(cls) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """flags (with EXTEND on M code points), canonical combining classes, sorted composition pairs."""
        flags = np.zeros(0x110000, dtype=np.uint8)
        ccc = np.zeros(0x110000, dtype=np.uint8)
        pairs = []
        for cp in range(0x30000):  # no later plane has decompositions or combining classes
            ch = chr(cp)
            c = unicodedata.combining(ch)
            dec = unicodedata.decomposition(ch)
            if c:
                ccc[cp] = c
                flags[cp] |= cls.MARK | cls.IMPURE
            if dec and not dec.startswith("<"):
                flags[cp] |= cls.IMPURE
                parts = [int(x, 16) for x in dec.split()]
                if len(parts) == 2 and unicodedata.normalize("NFC", ch) == ch:
                    pairs.append((parts[0] << 21) | parts[1])
                    flags[parts[1]] |= cls.MAYBE
            if unicodedata.normalize("NFC", ch) != ch:
                flags[cp] |= cls.NO
        flags[0xAC00:0xD7A4] |= cls.IMPURE  # Hangul syllables decompose algorithmically
        flags[0x1161:0x1176] |= cls.MAYBE   # V jamo compose with L jamo
        flags[0x11A8:0x11C3] |= cls.MAYBE   # T jamo compose with LV syllables (impure, so always flagged)
        pairs += [(lead << 21) | vowel for lead in range(0x1100, 0x1113) for vowel in range(0x1161, 0x1176)]
        flags[_LUT_CLS == _M] |= cls.EXTEND  # so that one max() finds texts needing the slow steps
        return flags, ccc, np.array(sorted(pairs), dtype=np.int64)


_nfc_tables: _NfcTables | None = None


def _nfc_luts() -> _NfcTables:
    global _nfc_tables
    if _nfc_tables is None:
        _nfc_tables = _NfcTables.cached()
    return _nfc_tables


def _nfc_suspects(cp: np.ndarray, code: np.ndarray, t: _NfcTables) -> np.ndarray:
    """Positions where NFC might change the text (empty: the text is certainly NFC)."""
    pos = np.flatnonzero(code >= t.MAYBE)
    if len(pos) == 0:
        return pos
    f = code[pos]
    bad = (f & t.NO) != 0
    inner = pos > 0
    prev = cp[np.maximum(pos - 1, 0)]
    mark = ((f & t.MARK) != 0) & inner
    bad |= mark & (t.ccc[prev] > t.ccc[cp[pos]])
    maybe = ((f & t.MAYBE) != 0) & inner
    if maybe.any():
        keys = (prev.astype(np.int64) << 21) | cp[pos].astype(np.int64)
        hit = np.minimum(np.searchsorted(t.pairs, keys), len(t.pairs) - 1)
        bad |= maybe & (((t.flags[prev] & t.IMPURE) != 0) | (t.pairs[hit] == keys))
    return pos[bad]


def _nfc_lines(text: str, cp: np.ndarray | None = None, suspects: np.ndarray | None = None) -> str:
    """NFC, line by line: a line break is never changed or combined by NFC, so this equals NFC(text).

    With the code points and the suspect positions of the text, only the lines holding a suspect
    are normalised (the others are certainly NFC).
    """
    if cp is None or suspects is None:
        return nfc(text)
    lines = text.split("\n")
    which = np.unique(np.searchsorted(np.flatnonzero(cp == 0x0A), suspects)).tolist()
    for i in which:
        lines[i] = unicodedata.normalize("NFC", lines[i])
    return "\n".join(lines)


def _block(texts: Sequence[str], normalized: bool = False) -> list[int]:
    """NT-1 in milli-NT of each text: one set of numpy passes over the texts joined by separators."""
    joined = texts[0] if len(texts) == 1 else "\x00".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    begin = np.concatenate((np.zeros(1, np.int64), np.cumsum(lengths[:-1] + 1)))
    seps = begin[1:] - 1
    if joined.isascii():  # ASCII is NFC; bytes.translate does the class lookup
        raw = joined.encode("ascii")
        cp = np.frombuffer(raw, dtype=np.uint8)
        cls = np.frombuffer(raw.translate(_ASCII_CLS), dtype=np.uint8)
        weight = np.take(_ASCII_W, cp)
    else:
        t = _nfc_luts()
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        code = np.empty(len(cp), dtype=np.uint8)
        weight = np.empty(len(cp), dtype=np.int16)
        for i in range(0, len(cp), _CHUNK):  # cache-sized pieces keep the table lookups fast
            idx = cp[i:i + _CHUNK].astype(np.intp)
            np.take(t.code, idx, out=code[i:i + _CHUNK])
            np.take(_LUT_W, idx, out=weight[i:i + _CHUNK])
        suspects = () if normalized else _nfc_suspects(cp, code, t)
        if len(suspects):  # normalise only the texts that may need it, then start again
            which = set(np.searchsorted(begin, suspects, side="right").tolist())
            return _block([_nfc_lines(x) if i + 1 in which else x for i, x in enumerate(texts)], True)
        cls = code & 7
    if len(seps):
        cls = cls.copy() if not cls.flags.writeable else cls
        cls[seps] = _SEP
        weight[seps] = 0
    n = len(cls)
    if n == 0:
        return [0] * len(texts)
    # code-point weights per text (each segment runs from a text's start to the next one's)
    wsum = np.add.reduceat(weight, np.minimum(begin, n - 1), dtype=np.int64) if len(texts) > 1 else \
        np.array([weight.sum(dtype=np.int64)])
    wsum[lengths == 0] = 0
    # effective classes: an M code point continues the run before it (X at a start)
    m = np.flatnonzero(cls == _M)
    has_m = len(m) > 0
    eff = _inherit(cls, m) if has_m else cls
    # runs: start, class, length; run weights by class, lone spaces, digit groups
    starts = np.flatnonzero(eff[1:] != eff[:-1])
    starts += 1
    starts = np.concatenate((np.zeros(1, np.intp), starts))
    rc = eff[starts]
    run_len = np.diff(starts, append=n)
    rw = _RUNW_BY_CLS[rc]
    lone = (rc == _W) & (run_len == 1)
    lone &= cp[starts] == 0x20
    rw[lone] -= _LONE
    d = np.flatnonzero(rc == _D)
    if len(d):
        nd = run_len[d]
        if has_m:  # an M inside a digit run is not a digit
            nd = nd - (np.searchsorted(m, starts[d] + nd) - np.searchsorted(m, starts[d]))
        rw[d] = _GROUP * ((nd + 2) // 3)
    csum = np.concatenate((np.zeros(1, np.int64), np.cumsum(rw)))
    first_run = np.searchsorted(starts, begin)
    end_run = np.searchsorted(starts, begin + lengths)
    return (wsum + csum[end_run] - csum[first_run]).tolist()


def _single(text: str, normalized: bool = False) -> int:
    """NT-1 of one text: the arithmetic of _block, arranged for one text with few numpy calls."""
    n = len(text)
    if n == 0:
        return 0
    m = None
    if text.isascii():
        raw = text.encode("ascii")
        cp = np.frombuffer(raw, dtype=np.uint8)
        eff = cls = np.frombuffer(raw.translate(_ASCII_CLS), dtype=np.uint8)
        total = int(np.frombuffer(raw.translate(_ASCII_WBYTE), dtype=np.uint8).sum())
        total += WEIGHTS["CONTROL"] * len(raw.translate(None, _NOT_CONTROL))  # controls: weight > 255
    else:
        t = _nfc_luts()
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        code = np.empty(n, dtype=np.uint8)
        total = 0
        for i in range(0, n, _CHUNK):  # cache-sized pieces keep the table lookups fast
            idx = cp[i:i + _CHUNK].astype(np.intp)
            np.take(t.code, idx, out=code[i:i + _CHUNK], mode="wrap")
            total += int(np.take(_LUT_W, idx, mode="wrap").sum(dtype=np.int64))
        eff = cls = code & 7
        if code.max() >= t.EXTEND:
            suspects = () if normalized else _nfc_suspects(cp, code, t)
            if len(suspects):
                return _single(_nfc_lines(text, cp, suspects), True)
            m = np.flatnonzero(cls == _M)
            if len(m):
                eff = _inherit(cls, m)
            else:
                m = None
    # run boundaries: change[i] is True where a run starts at i (and at n, the end)
    change = np.empty(n + 1, dtype=bool)
    change[0] = change[n] = True
    np.not_equal(eff[1:], eff[:-1], out=change[1:n])
    starts = np.flatnonzero(change[:n])
    runs = np.bincount(eff[starts], minlength=8)
    total += _RUN_L * int(runs[_L]) + _RUN_P * int(runs[_P]) + _RUN_W * int(runs[_W])
    if runs[_W]:  # a lone space is a W run of length one at U+0020: it costs nothing
        single = change[:n] & change[1:]
        total -= _LONE * int(np.count_nonzero(single & (cp == 0x20)))
    if runs[_D]:  # ceil(digits / 3) groups per digit run; runs of 4+ digits need their length
        is_d = eff == _D
        if m is None and (n < 4 or not (is_d[3:] & is_d[2:-1] & is_d[1:-2] & is_d[:-3]).any()):
            total += _GROUP * int(runs[_D])
        else:
            d = np.flatnonzero(eff[starts] == _D)
            ds = starts[d]
            ends = np.append(starts, n)[d + 1]
            nd = ends - ds
            if m is not None:  # an M inside a digit run is not a digit
                nd = nd - (np.searchsorted(m, ends) - np.searchsorted(m, ds))
            total += _GROUP * int(((nd + 2) // 3).sum())
    return total


def _inherit(cls: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Effective classes: each M code point (positions ``m``) takes the class before it; X at a start."""
    eff = cls.copy()
    first = np.ones(len(m), dtype=bool)
    first[1:] = m[1:] != m[:-1] + 1
    heads = m[first]
    inherit = np.where(heads > 0, cls[np.maximum(heads - 1, 0)], _X)
    inherit[inherit == _SEP] = _X
    eff[m] = inherit[np.cumsum(first) - 1]
    return eff


_SMALL = 2048
_BLOCK_CHARS = 1 << 15


def _numpy_many(texts: Iterable[str]) -> list[int]:
    """nt_milli_many by the numpy path (short texts are computed together: same values, less overhead)."""
    out: list[int] = []
    batch: list[str] = []
    size = 0
    for text in texts:
        if len(text) >= _SMALL:
            if batch:
                out.extend(_block(batch))
                batch, size = [], 0
            out.append(_single(text))
            continue
        batch.append(text)
        size += len(text) + 1
        if size >= _BLOCK_CHARS:
            out.extend(_block(batch))
            batch, size = [], 0
    if batch:
        out.extend(_block(batch))
    return out


# ---------------------------------------------------------------------------------------------
# The compiled path (normtok/_ntcore.c): one pass per text, driven by an automaton built here from
# the same constants, so the C code holds no copy of the table. States: the effective class of the
# current run, plus what its run weight still depends on: for W whether the run is so far exactly
# one U+0020 (a lone-space candidate), for D the number of digits modulo 3. Each code point costs
# its weight plus whatever starting a run (or ending a lone-space candidate) adds. Tests check
# the automaton (in Python, _automaton_value) and the C core against nt_milli_reference.
# ---------------------------------------------------------------------------------------------

_STATES = ("start", "W1", "W", "D1", "D2", "D0", "L", "P", "X")
"""start: no run yet; W1: a W run that is one U+0020 so far; D1/D2/D0: a D run, digits mod 3."""
_STATE_CLASS = {"start": None, "W1": "W", "W": "W", "D1": "D", "D2": "D", "D0": "D", "L": "L", "P": "P", "X": "X"}
_BIAS = 2048
"""Added to every transition cost so that the C core sums unsigned numbers (subtracted per code point)."""


def _char_kinds() -> list[tuple[str, str, bool]]:
    """The automaton's input alphabet: (class, weight name, is U+0020), one per distinct row kind."""
    kinds = sorted({(r.cls, r.weight, False) for r in ROWS} | {("X", "OTHER", False)})
    return [("W", "SPACE", True)] + kinds


def _step(state: str, cls: str, weight: str, space: bool) -> tuple[str, int]:
    """The automaton: the next state and the cost in milli-NT of one code point (spec sections 5.1-5.4)."""
    cost = WEIGHTS[weight]
    cur = _STATE_CLASS[state]
    if cls == "M":  # continues the current run (X at the start); a W run with a mark is no lone space
        return ("X" if cur is None else "W" if state == "W1" else state), cost
    if cls == cur:
        if cls == "D":  # a new group of three starts at the 1st, 4th, 7th... digit
            return {"D1": "D2", "D2": "D0", "D0": "D1"}[state], cost + (_GROUP if state == "D0" else 0)
        return ("W" if cls == "W" else state), cost
    if state == "W1":  # the run that ends was a lone space: it costs nothing after all
        cost -= _LONE
    if cls == "W":
        return ("W1" if space else "W"), cost + _RUN_W
    if cls == "D":
        return "D1", cost + _GROUP
    return cls, cost + {"L": _RUN_L, "P": _RUN_P, "X": 0}[cls]


def _automaton() -> tuple[list[tuple[str, str, bool]], list[list[tuple[str, int]]], list[int]]:
    """(char kinds, transitions[state][kind] = (next state, cost), end cost per state)."""
    kinds = _char_kinds()
    table = [[_step(s, *k) for k in kinds] for s in _STATES]
    ends = [-_LONE if s == "W1" else 0 for s in _STATES]
    return kinds, table, ends


def _code_of(kinds: list[tuple[str, str, bool]], stop: int = 0x110000) -> np.ndarray:
    """Per code point below ``stop``: its index in ``kinds``."""
    index = {(_CLS_CODE[c], _PARAM_INDEX[w]): i for i, (c, w, space) in enumerate(kinds) if not space}
    lut = np.full(8 * 256, 255, dtype=np.uint8)
    for (c, p), i in index.items():
        lut[c * 256 + p] = i
    code = lut[_LUT_CLS[:stop].astype(np.intp) * 256 + _LUT_PARAM[:stop]]
    code[0x20] = 0
    if (code == 255).any():
        raise AssertionError("a code point has no char kind")
    return code


def _automaton_value(text: str) -> int:
    """NT-1 by running the automaton in Python (what the C core computes; for tests)."""
    kinds, table, ends = _automaton()
    code = _code_of(kinds)
    state = "start"
    total = 0
    for ch in _nfc(text):
        state_index = _STATES.index(state)
        state, cost = table[state_index][int(code[ord(ch)])]
        total += cost
    return total + ends[_STATES.index(state)]


class _Core:
    """The compiled core with its tables installed: ASCII at once, everything else at first non-ASCII text."""

    def __init__(self, module: types.ModuleType) -> None:
        kinds, table, ends = _automaton()
        if len(kinds) > 16 or len(_STATES) > 16:
            raise AssertionError("the C core has room for 16 char kinds and 16 states")
        trans = np.zeros((len(_STATES), 16), dtype=np.uint32)
        for s, row in enumerate(table):
            for k, (nxt, cost) in enumerate(row):
                if not 0 <= cost + _BIAS < 1 << 24:
                    raise AssertionError("a transition cost does not fit the C core's entries")
                trans[s, k] = ((cost + _BIAS) << 8) | (_STATES.index(nxt) * 16)
        resync = bytearray(b"\xff" * 16)
        for k in range(len(kinds)):  # the state after this kind whatever the state before
            after = {table[s][k][0] for s in range(len(_STATES))}
            if len(after) == 1:
                resync[k] = _STATES.index(after.pop())
        self.module = module
        self.kinds = kinds
        self.args = (trans.tobytes(), ends, bytes(resync), _BIAS)
        self.full = False
        if module.installed()[1]:  # this module was imported again (importlib.reload)
            self.install_full()
        else:
            module.install(_code_of(kinds, 128).tobytes(), *self.args)

    def install_full(self) -> None:
        """All code points, with the NFC quick-check data (built at the first non-ASCII text: ~50 ms)."""
        if self.full:
            return
        t = _nfc_luts()
        attention = (t.flags & (t.NO | t.MARK | t.MAYBE)) != 0
        codes = _code_of(self.kinds) | (attention.astype(np.uint8) << 7)
        nfc = (t.flags.tobytes(), t.ccc.tobytes(), t.pairs.astype(np.int64).tobytes(),
               (t.NO, t.MARK, t.MAYBE, t.IMPURE))
        self.module.install(codes.tobytes(), *self.args, nfc)
        self.full = True

    def milli(self, text: str) -> int:
        if not self.full and not text.isascii():
            self.install_full()
        return self.module.milli(text)

    def milli_many(self, texts: Iterable[str]) -> list[int]:
        if not isinstance(texts, (list, tuple)):
            texts = list(texts)
        if not self.full and not all(t.isascii() for t in texts):
            self.install_full()
        return self.module.milli_many(texts)


def _load_core() -> _Core | None:
    try:
        from . import _ntcore  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _Core(_ntcore)


_core = _load_core()
_IMPLS = ("c", "numpy")
_impl: str | None = None


def implementation() -> str:
    """Which implementation computes :func:`nt_milli` and :func:`nt_milli_many`: ``"c"`` or ``"numpy"``.

    The compiled core (normtok/_ntcore.c) when it was built, else numpy; the values are the same.
    ``NORMTOK_NT_IMPL=numpy`` forces numpy, ``NORMTOK_NT_IMPL=c`` insists on the compiled core.
    """
    global _impl
    if _impl is None:
        want = os.environ.get("NORMTOK_NT_IMPL", "").strip().lower()
        if want not in ("", *_IMPLS):
            from .errors import NormtokError

            raise NormtokError(f"NORMTOK_NT_IMPL must be 'c' or 'numpy', not {want!r}")
        if want == "c" and _core is None:
            from .errors import NormtokError

            raise NormtokError("NORMTOK_NT_IMPL=c, but the compiled NT core (normtok._ntcore) is not built: "
                               "reinstall normtok with a C compiler available")
        _impl = want or ("c" if _core is not None else "numpy")
    return _impl


def nt_milli_many(texts: Iterable[str]) -> list[int]:
    """NT-1 of each text in milli-NT (see :func:`implementation` for which code computes it)."""
    if implementation() == "c":
        assert _core is not None
        return _core.milli_many(texts)
    return _numpy_many(texts)


def nt_milli(text: str) -> int:
    """NT-1 of ``text`` in milli-NT (an exact integer; 1000 = one NT)."""
    if implementation() == "c":
        assert _core is not None
        return _core.milli(text)
    return _single(text)


def nt(text: str) -> float:
    """NT-1 of ``text`` in NT, for display; use :func:`nt_milli` for sums and billing."""
    return nt_milli(text) / 1000


def format_nt(milli: int) -> str:
    """The spec's reporting form: a decimal with exactly three fractional digits (``'12.345'``)."""
    sign = "-" if milli < 0 else ""
    q, r = divmod(abs(int(milli)), 1000)
    return f"{sign}{q}.{r:03d}"


def tally(text: str) -> dict[str, int]:
    """How often each parameter is paid in ``text``: ``nt_milli(text) == sum(tally[p] * value[p])``.

    Code-point weights count code points (a lone space is not counted); run parameters count runs
    (RUN_W leaves out lone spaces) and DIGIT_GROUP counts started groups of three digits. The
    calibration (normtok/calibrate.py) fits the constants on these counts. Uses the reference
    algorithm's runs, so it is slow but simple.
    """
    out = dict.fromkeys(PARAMS, 0)
    for run in explain(text):
        lone = run.cls == "W" and run.text == " "
        if not lone:
            for ch in run.text:
                out[classify(ord(ch)).weight] += 1
        if run.cls == "W" and not lone:
            out["RUN_W"] += 1
        elif run.cls in ("L", "P"):
            out["RUN_" + run.cls] += 1
        elif run.cls == "D":
            out["DIGIT_GROUP"] += run.run_weight // RUN_PARAMS["DIGIT_GROUP"]
    return out


class _CallableModule(types.ModuleType):
    """``normtok.nt`` is this module and also the function :func:`nt`: ``normtok.nt("text")``.

    The package API names both the module (``normtok.nt.nt_milli``) and the function; a callable
    module keeps the two from shadowing each other whichever is imported first.
    """

    def __call__(self, text: str) -> float:
        return nt(text)


sys.modules[__name__].__class__ = _CallableModule


class Counter:
    """NT-1 as a column of ``normtok count``: a counter for :func:`normtok.engine.count_sources`.

    Long inputs may be cut where the token rules cut them (after a newline before a word character,
    or at a single space between word characters): both sides of such a cut end and start runs of
    different classes and nothing composes across it, so the junction term of section 8.3 is 0
    and the pieces' values add up to the whole (proven in tests/test_nt_streaming.py).
    """

    id = "nt"

    def __init__(self) -> None:
        from .chunking import CutRule, Policy

        self.cut_rule = CutRule(Policy.PRETOKEN)

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return nt_milli_many(texts)
