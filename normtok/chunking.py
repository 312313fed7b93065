"""Where a long text may be cut so that the token counts of the pieces add up to the whole.

A streaming counter must cut a 2 GB file into pieces, and a cut may change a count: BPE
pre-tokenizers look ahead (``\\s+(?!\\S)``, ``\\s++$``), punctuation runs swallow trailing
newlines, and SentencePiece adds a dummy ``▁`` at the start of every text. So normtok cuts only
where the pre-tokenizer provably starts a new piece, by one of two rules:

``newline``  after ``\\n`` when the next character is a letter, digit or ASCII punctuation other
             than ``/``. No pre-token of any audited pattern contains a newline followed by such a
             character (the punctuation rule of o200k-style patterns, ``[^\\s\\p{L}\\p{N}]+[\\r\\n/]*``,
             may continue with ``/``), the whitespace run ending in the newline is one piece whether
             or not the text ends there (``\\s*[\\r\\n]+`` and cl100k's ``\\s++$`` match the same span),
             and nothing looks behind.
``space``    before a single U+0020 between two non-space characters (letters, digits, ASCII
             punctuation): the space always begins the next pre-token (`` word``, `` +``), and no
             pre-token contains a non-space character followed by a space.

SentencePiece (Mistral v7) keeps the ``space`` rule only between ASCII letters and digits (NFKC
maps some letters to a space plus a mark) and counts the piece after such a cut without its
leading space, since the dummy prefix puts the same ``▁`` back. It keeps the ``newline`` rule
too: no piece of its vocabulary contains a newline (it is the byte-fallback token ``<0x0A>``), so
the piece after a newline cut is counted as ``"\n" + piece`` minus the count of ``"\n"`` alone
(the dummy ``▁`` then lands before the newline, where it is one token of its own).

A tokenizer whose pre-tokenizer has not been audited is never cut (files are counted whole).
AI21 J2 has pieces that span spaces, so no space cut is safe; its vendor wrapper encodes every line
on its own, so a cut after any newline would be, but no policy offers newline cuts without space
cuts, and J2 texts are counted whole.
The rules are proven per tokenizer by ``tests/test_streaming.py`` against whole-text counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class Policy(IntEnum):
    """How freely a text may be cut; the strictest policy of all selected counters applies (they nest)."""

    NONE = 0              # never cut
    SPACE_ASCII = 1       # only before a single space between ASCII letters/digits
    NEWLINE_ASCII = 2     # that, and the newline rule
    PRETOKEN = 3          # the newline rule, and the space rule between any non-space characters


#: How a piece begins: at the start of the text, at a space cut, or at a newline cut.
START, SPACE, NEWLINE = 0, 1, 2


@dataclass(frozen=True)
class CutRule:
    policy: Policy
    #: SentencePiece with a dummy prefix: a piece that starts at a space cut is counted without the space.
    strip_space: bool = False
    #: SentencePiece with a dummy prefix: a piece that starts at a newline cut is counted as "\n" + piece,
    #: minus the count of "\n".
    newline_prefix: bool = False

    def view(self, piece: str, kind: int) -> str:
        """The text to count for a piece that begins as ``kind``."""
        if kind == SPACE and self.strip_space:
            return piece[1:]
        if kind == NEWLINE and self.newline_prefix:
            return "\n" + piece
        return piece


def count_pieces(count_many: Any, rule: CutRule, pieces: list[tuple[str, int]],
                 newline_cost: int | None = None) -> list[int]:
    """Counts of pieces cut under ``rule``; their sum is the count of the text they were cut from."""
    counts = list(count_many([rule.view(p, k) for p, k in pieces]))
    if rule.newline_prefix and any(k == NEWLINE for _, k in pieces):
        cost = count_many(["\n"])[0] if newline_cost is None else newline_cost
        counts = [c - cost if k == NEWLINE else c for c, (_, k) in zip(counts, pieces)]
    return counts


NEVER = CutRule(Policy.NONE)

#: SHA-256 of the pre-tokenizer patterns audited for the PRETOKEN rules (o200k and its relatives llama4
#: and tekken, cl100k, llama3, qwen2.5, qwen3.5).
AUDITED_PATTERNS = frozenset({
    "2d1b8dc11e89af71459b36004f698ab3693f59fd84f63e8ec2b49564ab857420",  # o200k_base, llama4
    "f021c3d976978e62ee64cdad150cc3405c2e3d6e3b40407850bb9e8d9eb65899",  # cl100k_base
    "d98f9631be1e9607a9848c26c1f9eac1aa9fc21ac6ba82a2fc0741af9780a48f",  # llama3
    "1ff7f41064896984db5d1bb6ff64fa4bc29007d08c1b439e505b7392777a319e",  # qwen2.5
    "00431aed57e696b747435f734d1e3b9b1bfd931a121fb5cac7129e97c181e9ba",  # qwen3.5
    "1d64a9a8eaf9f1bd80331984d81fdd514e7feafe8df83a525dd31472f275699a",  # tekken
})

#: Vocabulary files whose pre-tokenizer or normalizer lives in the file itself, by SHA-256 of the file.
AUDITED_FILES: dict[str, CutRule] = {
    # DeepSeek-V3 tokenizer.json: Split(\p{N}{1,3}), Split(CJK runs), Split(o200k-like pattern), ByteLevel
    "8f9f37ca37fdc4f5fd36d5cf4d3b0e8392edb4e894fd10cc0d70b4957c8633cf": CutRule(Policy.PRETOKEN),
    # Mistral v7 SentencePiece: dummy prefix, whitespace kept, no piece contains a newline
    "1b968b8dc352f42192367337c78ccc61e1eaddc6d641a579372d4f20694beb7a": CutRule(Policy.NEWLINE_ASCII, True, True),
    # AI21 J2 is not here: its vocabulary has multi-word pieces (a space inside a piece), so no cut is safe.
}


def pattern_digest(pattern: str) -> str:
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()


def rule_for(entry: Any) -> CutRule:
    """The cut rule of a registry entry (or any counter with ``cut_rule`` / ``entry``)."""
    own = getattr(entry, "cut_rule", None)
    if isinstance(own, CutRule):
        return own
    inner = getattr(entry, "entry", None)
    if inner is not None and inner is not entry:
        return rule_for(inner)
    fmt = getattr(entry, "format", None)
    files = getattr(entry, "files", ())
    sha = files[0].sha256 if files else None
    if fmt in ("tiktoken", "tekken"):
        pattern = getattr(entry, "pattern", None)
        if pattern and pattern_digest(pattern) in AUDITED_PATTERNS:
            return CutRule(Policy.PRETOKEN)
        return NEVER
    if sha and sha in AUDITED_FILES:
        return AUDITED_FILES[sha]
    return NEVER


_PUNCT = frozenset("!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~")


def _after_newline(c: str) -> bool:
    return c.isalnum() or c in _PUNCT


def _word(c: str) -> bool:
    return c.isalnum() or c in _PUNCT or c == "/"


def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def find_cut(text: str, lo: int, hi: int, policy: Policy) -> tuple[int, int] | None:
    """The last position ``p`` in ``[lo, hi]`` where ``text`` may be cut, and the kind of cut (SPACE, NEWLINE).

    ``text[p - 1]`` and ``text[p]`` (and ``text[p + 1]`` for a space cut) must exist.
    """
    if policy is Policy.NONE:
        return None
    lo = max(lo, 1)
    hi = min(hi, len(text) - 2)
    if hi < lo:
        return None
    best_nl = -1
    if policy >= Policy.NEWLINE_ASCII:
        i = text.rfind("\n", lo - 1, hi)
        while i >= lo - 1:
            if _after_newline(text[i + 1]):
                best_nl = i + 1
                break
            i = text.rfind("\n", lo - 1, i)
    ok = _word if policy is Policy.PRETOKEN else _ascii_word
    best_sp = -1
    j = text.rfind(" ", max(lo, best_nl), hi + 1)
    while j >= max(lo, best_nl + 1):
        if ok(text[j - 1]) and ok(text[j + 1]):
            best_sp = j
            break
        j = text.rfind(" ", lo, j)
    if best_sp > best_nl:
        return best_sp, SPACE
    if best_nl >= lo:
        return best_nl, NEWLINE
    return None


class Chunker:
    """Cuts a stream of decoded text into pieces of about ``target`` characters at safe positions.

    Yields ``(piece, kind)``, ``kind`` being how the piece begins (START, SPACE or NEWLINE).
    With ``Policy.NONE`` the whole stream is one piece.
    """

    def __init__(self, policy: Policy, target: int = 1 << 20) -> None:
        self.policy = policy
        self.target = target
        self._buf = ""
        self._scan_from = 0
        self._kind = START

    def feed(self, text: str) -> list[tuple[str, int]]:
        buf = self._buf + text if self._buf else text
        out: list[tuple[str, int]] = []
        start = 0  # pieces are sliced off at offsets; the rest is copied once at the end
        while self.policy is not Policy.NONE and len(buf) - start >= self.target + 2:
            lo = start + max(self._scan_from, self.target // 4, 1)
            hi = start + max(self.target, self._scan_from)
            cut = find_cut(buf, lo, hi, self.policy)
            while cut is None and hi < len(buf) - 2:  # no cut near the target: the first one after it
                lo, hi = hi, min(hi + self.target, len(buf) - 2)
                cut = find_cut(buf, lo, hi, self.policy)
            if cut is None:
                self._scan_from = max(0, len(buf) - 2 - start)  # nothing safe yet: wait for more text
                break
            p, kind = cut
            out.append((buf[start:p], self._kind))
            start = p
            self._kind = kind
            self._scan_from = 0
        self._buf = buf[start:] if start else buf
        return out

    def finish(self) -> list[tuple[str, int]]:
        if not self._buf:
            return []
        out = [(self._buf, self._kind)]
        self._buf = ""
        return out


def split_text(text: str, policy: Policy, target: int = 1 << 20) -> list[tuple[str, int]]:
    """``text`` cut into safe pieces of about ``target`` characters (for tests and in-memory texts)."""
    ch = Chunker(policy, target)
    return ch.feed(text) + ch.finish() if text else []
