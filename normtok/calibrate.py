"""Derive the NT-1 constants from the reference corpus, as spec/calibration.md describes.

The procedure uses only the calibration split of corpus v1 and the two anchor tokenizers
(OpenAI o200k_base and Meta Llama 3). Every step is a closed-form or deterministic fit on
integer counts from :func:`normtok.nt.tally`, and every fitted value is rounded half up to an
integer number of milli-NT, so ``normtok spec calibrate`` re-derives the frozen constants
exactly (and says so) or shows which ones differ.

Steps (names match spec/calibration.md):

1. policy   PUNCT, EXTEND, CONTROL, OTHER are fixed by policy, not fitted.
2. split    rho = LETTER / RUN_L: the share of a word's weight carried by its letters, chosen on a
            grid so that parallel texts in space-separated scripts get the same letters+words size
            as their English version (least squares of log ratios).
3. shape    RUN_L(+rho*LETTER), RUN_P, RUN_W, SPACE, DIGIT, DIGIT_GROUP: non-negative least
            squares of the anchor tokens (geometric mean of the two anchors) on English and
            language-neutral documents (code, data, agent traffic), relative error per document.
4. scale    one factor so that English prose has exactly as many NT as anchor tokens.
5. scripts  SEA, HAN, KANA, HANGUL: non-negative least squares so that each language's parallel
            text has the NT of its English version. SYLLABARY (one syllable per character) takes
            the HANGUL value: the corpus has no usable parallel text in those scripts.

A parallel document is used only if its number of blocks (paragraphs separated by blank lines)
is within 10% of its English counterpart's: a document that lacks part of the content is not
parallel (udhr.a01-15.am lacks the preamble: 36 blocks against 47).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import corpus, nt

CORPUS_VERSION = "v1"
"""NT-1's calibration corpus. Explicit, not corpus.CORPUS_VERSION (the latest): NT-1's constants are
frozen and were derived from v1; calibrate and measure must keep reproducing them on v1 even when a
later corpus version is the default elsewhere (v2 adds evaluation-only documents; v3 and v4 add
calibration-split UI documents that NT-1 was not derived from)."""
ANCHORS = ("openai/o200k_base", "meta/llama3")
POLICY = {"PUNCT": 100, "EXTEND": 100, "CONTROL": 1000, "OTHER": 2000}
SCRIPT_PARAMS = ("SEA", "SYLLABARY", "HAN", "KANA", "HANGUL")
FITTED_SCRIPTS = ("SEA", "HAN", "KANA", "HANGUL")
TIED = {"SYLLABARY": "HANGUL"}
BLOCK_TOLERANCE = 0.10
SHAPE_PARAMS = ("RUN_L", "RUN_P", "RUN_W", "SPACE", "DIGIT", "DIGIT_GROUP")
RHO_GRID = tuple(i / 200 for i in range(201))
MIN_CHARS = 2000
SHAPE_LANGUAGES = ("en", "zxx")
SHAPE_EXCLUDED_FAMILIES = ("edge",)


@dataclass
class Doc:
    """One calibration document: its id, metadata, tallies and anchor token counts."""

    id: str
    language: str
    domain: str
    family: str
    parallel_group: str | None
    characters: int
    tally: dict[str, int]
    blocks: int = 0
    tokens: dict[str, int] = field(default_factory=dict)

    @property
    def anchor(self) -> float:
        """Geometric mean of the anchor tokenizers' counts."""
        return math.exp(sum(math.log(self.tokens[a]) for a in ANCHORS) / len(ANCHORS))


@dataclass
class Result:
    constants: dict[str, int]
    unrounded: dict[str, float]
    rho: float
    scale: float
    provenance: dict[str, object]
    documents: dict[str, int]


def round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def nnls(a: np.ndarray, b: np.ndarray, max_iter: int = 1000) -> np.ndarray:
    """Non-negative least squares, min ||a x - b|| with x >= 0 (Lawson and Hanson's active set)."""
    m, n = a.shape
    passive = np.zeros(n, dtype=bool)
    x = np.zeros(n)
    grad = a.T @ (b - a @ x)
    for _ in range(max_iter):
        if passive.all() or not (grad[~passive] > 1e-12).any():
            break
        j = int(np.argmax(np.where(~passive, grad, -np.inf)))
        passive[j] = True
        while True:
            z = np.zeros(n)
            z[passive] = np.linalg.lstsq(a[:, passive], b, rcond=None)[0]
            if (z[passive] > 0).all():
                break
            neg = passive & (z <= 0)
            alpha = float(np.min(x[neg] / (x[neg] - z[neg])))
            x = x + alpha * (z - x)
            passive &= x > 1e-12
        x = z
        grad = a.T @ (b - a @ x)
    return x


def load_documents(root: str | None = None, tokenizers: Sequence[str] = ANCHORS) -> list[Doc]:
    """The calibration split, tallied, with exact counts from ``tokenizers``."""
    from . import count_many

    docs, texts = [], []
    for d, text in corpus.iter_documents(split="calibration", root=root, version=CORPUS_VERSION):
        docs.append(Doc(d.id, d.language, d.domain, d.family, d.parallel_group, d.characters, nt.tally(text),
                        blocks(text)))
        texts.append(text)
    for tid in tokenizers:
        for doc, n in zip(docs, count_many(texts, model=tid)):
            doc.tokens[tid] = n
    return docs


def blocks(text: str) -> int:
    """Number of non-blank blocks separated by blank lines (the parallelism check)."""
    return sum(1 for b in re.split(r"\n[ \t]*\n", text) if b.strip())


def is_parallel(doc: Doc, english: Doc) -> bool:
    return abs(doc.blocks - english.blocks) <= BLOCK_TOLERANCE * english.blocks


def _parallel_pairs(docs: Iterable[Doc]) -> dict[str, list[tuple[Doc, Doc]]]:
    """language -> [(document, English document of the same parallel group)], parallel ones only."""
    docs = list(docs)
    english = {d.parallel_group: d for d in docs if d.parallel_group and d.language == "en"}
    out: dict[str, list[tuple[Doc, Doc]]] = defaultdict(list)
    for d in docs:
        if d.parallel_group and d.language != "en" and d.parallel_group in english:
            if is_parallel(d, english[d.parallel_group]):
                out[d.language].append((d, english[d.parallel_group]))
    return dict(sorted(out.items()))


def _pooled(pairs: list[tuple[Doc, Doc]], key: str) -> tuple[int, int]:
    return sum(d.tally[key] for d, _ in pairs), sum(e.tally[key] for _, e in pairs)


def choose_rho(docs: Sequence[Doc]) -> tuple[float, list[str]]:
    """Step 2: the letter/word split, on languages written entirely in LETTER scripts."""
    langs = {}
    for lang, pairs in _parallel_pairs(docs).items():
        other = sum(sum(d.tally[p] for p in SCRIPT_PARAMS) for d, _ in pairs)
        letters, _ = _pooled(pairs, "LETTER")
        if other <= 0.01 * letters:
            langs[lang] = (_pooled(pairs, "RUN_L"), _pooled(pairs, "LETTER"))
    best = None
    for rho in RHO_GRID:
        loss = sum(math.log((w + rho * c) / (we + rho * ce)) ** 2 for (w, we), (c, ce) in langs.values())
        if best is None or loss < best[0] - 1e-12:
            best = (loss, rho)
    assert best is not None
    return best[1], sorted(langs)


def _nt_of(t: dict[str, int], values: dict[str, float]) -> float:
    return sum(t[p] * values.get(p, 0.0) for p in nt.PARAMS)


def derive(docs: Sequence[Doc], provenance: dict[str, object] | None = None) -> Result:
    """Run steps 1-5 on tallied calibration documents."""
    values: dict[str, float] = {k: float(v) for k, v in POLICY.items()}
    rho, _ = choose_rho(docs)
    # step 3: shape, in anchor tokens per unit
    shape_docs = [d for d in docs if d.language in SHAPE_LANGUAGES and d.family not in SHAPE_EXCLUDED_FAMILIES
                  and d.characters >= MIN_CHARS]
    cols = ("LW",) + SHAPE_PARAMS[1:]
    rows, target = [], []
    for d in shape_docs:
        t = d.tally
        policy = sum(t[p] * POLICY[p] for p in POLICY) / 1000
        rows.append([t["RUN_L"] + rho * t["LETTER"]] + [t[p] for p in SHAPE_PARAMS[1:]])
        target.append(d.anchor - policy)
    a = np.array(rows, dtype=float)
    y = np.array(target, dtype=float)
    theta = dict(zip(cols, nnls(a / y[:, None], np.ones(len(y)))))
    fitted = {"RUN_L": theta["LW"], "LETTER": rho * theta["LW"], **{p: theta[p] for p in SHAPE_PARAMS[1:]}}
    # step 4: scale on English prose
    prose = [d for d in docs if d.language == "en" and d.domain == "prose"]
    tokens = sum(d.anchor for d in prose)
    policy_nt = sum(sum(d.tally[p] * POLICY[p] for p in POLICY) for d in prose) / 1000
    scale = (tokens - policy_nt) / sum(_nt_of(d.tally, fitted) for d in prose)
    for p, v in fitted.items():
        values[p] = 1000 * scale * v
    constants = {p: round_half_up(v) for p, v in values.items()}
    # step 5: script weights from parallel text
    pairs = _parallel_pairs(docs)
    base_values = {p: float(v) for p, v in constants.items()}
    a_rows, b_rows = [], []
    for _lang, lp in pairs.items():
        base = sum(_nt_of(d.tally, base_values) for d, _ in lp)
        en = sum(_nt_of(e.tally, base_values) for _, e in lp)
        a_rows.append([sum(d.tally[p] for d, _ in lp) / en for p in FITTED_SCRIPTS])
        b_rows.append(1 - base / en)
    w = nnls(np.array(a_rows), np.array(b_rows))
    for p, v in zip(FITTED_SCRIPTS, w):
        values[p] = float(v)
        constants[p] = round_half_up(float(v))
    for p, q in TIED.items():
        values[p], constants[p] = values[q], constants[q]
    order = list(nt.PARAMS)
    return Result(
        constants={p: constants.get(p, 0) for p in order},
        unrounded={p: values.get(p, 0.0) for p in order},
        rho=rho, scale=scale, provenance=provenance or {},
        documents={"calibration": len(docs), "shape": len(shape_docs), "prose_en": len(prose),
                   "parallel_languages": len(pairs)},
    )


def provenance(root: str | None = None) -> dict[str, object]:
    """What the derivation depends on: corpus manifest hash, anchor tokenizer hashes, Unicode version."""
    from . import tokenizer

    manifest = corpus.manifest_path(root, CORPUS_VERSION)
    return {
        "corpus_version": CORPUS_VERSION,
        "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest(),
        "anchors": {a: tokenizer(a).sha256 for a in ANCHORS},
        "unicode_version": nt.unicode_version(),
        "nt_version": nt.NT_VERSION,
    }


def calibrate(root: str | None = None) -> Result:
    """Derive the constants from the corpus at ``root`` (default: the repository's corpus)."""
    return derive(load_documents(root), provenance(root))


def frozen() -> dict[str, int]:
    """The constants normtok ships (normtok/nt.py)."""
    return {**nt.WEIGHTS, **nt.RUN_PARAMS}


def compare(result: Result) -> list[dict[str, object]]:
    """One row per constant: frozen value, derived value, unrounded value, source, match."""
    fz = frozen()
    rows = []
    for p in nt.PARAMS:
        source = ("policy" if p in POLICY else f"= {TIED[p]}" if p in TIED
                  else "parallel text" if p in SCRIPT_PARAMS else "anchor tokens")
        rows.append({"constant": p, "frozen": fz[p], "derived": result.constants[p],
                     "unrounded": round(result.unrounded[p], 3), "source": source,
                     "match": fz[p] == result.constants[p]})
    return rows


# ---------------------------------------------------------------------------------------------
# Test vectors (spec/vectors/*.json). Expected values come from the reference state machine;
# the independent JavaScript implementation and the worked examples in spec/nt-1.md check them.
# ---------------------------------------------------------------------------------------------

VECTOR_FILES = {
    "table.json": "Every row of Table 1: its first and last code point alone, and in a run of three "
                  "(W rows between letters, M rows after a letter); code points just outside rows.",
    "runs.json": "Run rules: lone spaces, whitespace runs, digit groups, M inheritance, punctuation, "
                 "mixed scripts, code and data, concatenation.",
    "edge.json": "Totality and normalisation: empty text, controls, NUL, lone marks, noncharacters, "
                 "private use, unassigned and surrogate code points, NFC cases, long inputs.",
}


def _row_cases() -> list[tuple[str, str, str]]:
    cases: list[tuple[str, str, str]] = []
    for r in nt.ROWS:
        for which, cp in (("first", r.first), ("last", r.last)):
            if which == "last" and r.last == r.first:
                continue
            c = chr(cp)
            tag = f"U+{cp:04X}"
            cases.append((f"row-{tag}-{which}", c, f"{tag} alone: class {r.cls}, weight {r.weight}"))
        c = chr(r.first)
        if r.cls == "W":
            cases.append((f"row-U+{r.first:04X}-between", f"a{c}b", f"U+{r.first:04X} between two letters"))
        elif r.cls == "M":
            cases.append((f"row-U+{r.first:04X}-after", f"a{c}", f"U+{r.first:04X} continues a letter run"))
        else:
            cases.append((f"row-U+{r.first:04X}-x3", c * 3, f"U+{r.first:04X} three times: one run"))
    firsts = {r.first for r in nt.ROWS}
    for r in nt.ROWS:
        nxt = r.last + 1
        if nxt <= 0x10FFFF and nxt not in firsts and nt.classify(nxt).weight == "OTHER":
            cases.append((f"gap-U+{nxt:04X}", chr(nxt), f"U+{nxt:04X} is in no row: class X, weight OTHER"))
    return cases


_RUN_CASES: list[tuple[str, str, str]] = [
    ("space-lone", "a b", "a lone U+0020 between words costs nothing"),
    ("space-two", "a  b", "two spaces are a whitespace run: RUN_W + 2 SPACE"),
    ("space-only", " ", "a text that is one space"),
    ("space-only-two", "  ", "a text that is two spaces"),
    ("space-leading", " a", "a lone space at the start"),
    ("space-trailing", "a ", "a lone space at the end"),
    ("space-tab", "a\tb", "a tab is not a lone space"),
    ("space-nbsp", "a\u00a0b", "NO-BREAK SPACE is not a lone space"),
    ("space-ideographic", "\u3042\u3000\u3044", "IDEOGRAPHIC SPACE between kana"),
    ("newline", "a\nb", "a line break is a whitespace run"),
    ("crlf", "a\r\nb", "CR LF is one whitespace run"),
    ("paragraph", "One.\n\nTwo.", "a blank line is one run"),
    ("indent-python", "def f():\n    return 1\n", "indentation joins the line break into one run"),
    ("indent-tabs", "if x:\n\t\ty()", "tabs"),
    ("space-then-mark", "a \u0301b", "an M after a space joins the whitespace run: not lone"),
    ("space-before-punct", "a (b)", "a lone space before punctuation"),
    ("space-before-digit", "x 1", "a lone space before a digit"),
    ("trailing-spaces", "end   \n", "trailing spaces and a line break"),
    ("whitespace-long", " " * 100, "a run of 100 spaces is one run"),
    ("whitespace-mixed", " \t \u2003\n", "one run of five whitespace code points"),
] + [(f"digits-{n}", "7" * n, f"{n} digits: ceil({n}/3) groups") for n in range(1, 13)] + [
    ("digits-grouped", "1,234,567", "digits separated by commas are three runs"),
    ("digits-decimal", "3.14159", "two digit runs around a full stop"),
    ("digits-year", "In 1948, 48 states", "years and numbers in prose"),
    ("digits-phone", "+1 (555) 010-9999", "a phone number"),
    ("digits-arabic-indic", "\u0661\u0669\u0664\u0668", "Arabic-Indic digits are D"),
    ("digits-persian", "\u06f1\u06f3\u06f9\u06f9", "Extended Arabic-Indic digits are D"),
    ("digits-devanagari", "\u0967\u096f\u096a\u096e", "Devanagari digits are D"),
    ("digits-fullwidth", "\uff11\uff12\uff13\uff14", "fullwidth digits are D"),
    ("digits-mixed-scripts", "12\u0663\u0664", "ASCII and Arabic-Indic digits form one run"),
    ("digits-letter", "A1B2C3", "letters and digits alternate"),
    ("digits-keycap", "1\ufe0f\u20e3", "keycap: the Ms join the digit run but are not digits"),
    ("digits-keycap-4", "1234\u20e35", "an M inside a digit run: 5 digits, 2 groups"),
    ("mark-leading", "\u0301abc", "a leading M is class X"),
    ("mark-leading-two", "\u0301\u0302", "two leading Ms"),
    ("mark-after-letter", "a\u0301\u0302\u0303", "marks continue the letter run"),
    ("mark-after-punct", "!\u0301", "a mark continues a punctuation run"),
    ("mark-after-digit", "5\u0301", "a mark continues a digit run"),
    ("mark-cyrillic-stress", "\u043c\u043e\u043b\u043e\u0301\u043a\u043e", "Cyrillic with a stress mark: one run"),
    ("zwnj-persian", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "ZWNJ inside a Persian word"),
    ("zwj-emoji-family", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "an emoji ZWJ sequence"),
    ("emoji-skin-tone", "\U0001f44d\U0001f3fd", "emoji with a skin-tone modifier"),
    ("emoji-vs16", "\u2764\ufe0f", "a symbol with VARIATION SELECTOR-16"),
    ("emoji-flag", "\U0001f1ef\U0001f1f5", "a flag: two regional indicators"),
    ("emoji-tag-flag", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
     "a subdivision flag with tag characters"),
    ("emoji-in-text", "Great job \U0001f389\U0001f389!", "emoji in a sentence"),
    ("punct-run", "!!!", "a punctuation run"),
    ("punct-ellipsis", "Wait...", "three full stops are one run"),
    ("punct-quotes", "\u201cquoted\u201d \u2014 yes", "curly quotes and an em dash"),
    ("punct-arrow", "a \u2192 b", "a symbol is P"),
    ("punct-math", "\u2200x \u2208 \u211d: x\u00b2 \u2265 0", "mathematical symbols"),
    ("punct-cjk", "\u4f60\u597d\uff0c\u4e16\u754c\u3002", "CJK punctuation"),
    ("punct-arabic", "\u0645\u0631\u062d\u0628\u0627\u060c \u0643\u064a\u0641\u061f", "Arabic comma and question mark"),
    ("punct-danda", "\u0928\u092e\u0938\u094d\u0924\u0947\u0964", "Devanagari danda"),
    ("punct-greek", "\u03c4\u03b9;", "Greek question mark (NFC maps U+037E to ;)"),
    ("word-english", "The quick brown fox jumps over the lazy dog.", "an English sentence"),
    ("word-camel", "getElementById", "one letter run"),
    ("word-snake", "get_element_by_id", "underscores are punctuation"),
    ("word-apostrophe", "don't", "an apostrophe splits the run"),
    ("word-hyphen", "state-of-the-art", "hyphens split the run"),
    ("latin-accents", "Ça déjà été façonné", "precomposed accented letters are LETTER"),
    ("latin-vietnamese", "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u", "Vietnamese in NFC"),
    ("cyrillic", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", "Russian"),
    ("greek", "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5", "Greek"),
    ("hebrew", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd", "Hebrew"),
    ("arabic", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", "Arabic"),
    ("hindi", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", "Hindi"),
    ("bengali", "\u09b9\u09cd\u09af\u09be\u09b2\u09cb", "Bengali"),
    ("tamil", "\u0bb5\u0ba3\u0b95\u0bcd\u0b95\u0bae\u0bcd", "Tamil"),
    ("thai", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e0a\u0e32\u0e27\u0e42\u0e25\u0e01", "Thai: no spaces, SEA"),
    ("khmer", "\u179f\u17bd\u179f\u17d2\u178f\u17b8", "Khmer: SEA"),
    ("amharic", "\u1230\u120b\u121d\u1361\u12d3\u1208\u121d", "Amharic with the Ethiopic wordspace: SYLLABARY"),
    ("chinese", "\u6211\u4eec\u90fd\u662f\u4eba\u3002", "Chinese: HAN"),
    ("japanese", "\u3053\u308c\u306f\u65e5\u672c\u8a9e\u306e\u6587\u3067\u3059\u3002", "Japanese: KANA and HAN"),
    ("japanese-iteration", "\u4eba\u3005", "the iteration mark is HAN"),
    ("korean", "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.", "Korean: HANGUL, spaces between words"),
    ("korean-jamo-chat", "\u314b\u314b\u314b", "compatibility jamo"),
    ("mixed-latin-cyrillic", "Moscow \u041c\u043e\u0441\u043a\u0432\u0430 2024", "scripts mixed"),
    ("mixed-cjk-latin", "\u4f7f\u7528Python\u7f16\u7a0b", "Latin inside Chinese: runs change class"),
    ("code-python", "def add(a, b):\n    return a + b\n", "Python"),
    ("code-json", '{"id": 42, "tags": ["a", "b"], "ok": true}', "compact JSON"),
    ("code-json-pretty", '{\n  "id": 42,\n  "name": "x"\n}', "pretty-printed JSON"),
    ("code-c", "for (int i = 0; i < n; ++i) { sum += a[i]; }", "C"),
    ("code-shell", "ls -la /usr/bin | grep -c py", "shell"),
    ("code-html", '<p class="x">Hi &amp; bye</p>', "HTML"),
    ("code-url", "https://example.com/path?q=1&r=two", "a URL"),
    ("code-uuid", "123e4567-e89b-12d3-a456-426614174000", "a UUID"),
    ("code-base64", "SGVsbG8sIHdvcmxkIQ==", "base64"),
    ("code-hex", "0xDEADBEEF 0x00ff", "hex literals"),
    ("csv", "id,name,score\n1,Ana,9.5\n2,Bo,7\n", "CSV"),
    ("markdown", "# Title\n\n- item *one*\n- item **two**\n", "Markdown"),
    ("concat-a", "hello", "concatenation: a"),
    ("concat-b", " world", "concatenation: b"),
    ("concat-ab", "hello world", "NT(a+b) = NT(a) + NT(b) here: the lone space stays lone"),
    ("concat-digits-a", "12", "concatenation of digit runs: a"),
    ("concat-digits-ab", "1234", "digit runs merge: 2 groups, not 1 + 1"),
    ("concat-space-a", "x ", "concatenation of lone spaces: a"),
    ("concat-space-ab", "x  y", "two lone spaces become one run of two"),
]


def _edge_cases() -> list[tuple[str, str, str]]:
    cases = [
        ("empty", "", "the empty text is 0"),
        ("nul", "\x00", "NUL is a control (X, CONTROL)"),
        ("nul-in-text", "a\x00b", "NUL between letters"),
        ("c0-all", "".join(chr(c) for c in range(0x20)), "all C0 controls: whitespace runs and controls"),
        ("del", "\x7f", "DELETE"),
        ("c1", "\x80\x9f", "C1 controls"),
        ("nel", "a\x85b", "NEXT LINE is whitespace"),
        ("lone-mark", "\u0301", "a lone combining mark"),
        ("lone-marks", "\u0301\u0308\u0323", "lone combining marks (NFC reorders them)"),
        ("lone-zwj", "\u200d", "a lone ZERO WIDTH JOINER"),
        ("lone-vs16", "\ufe0f", "a lone variation selector"),
        ("bom-start", "\ufeffHello", "a byte order mark at the start"),
        ("bom-middle", "Hel\ufefflo", "U+FEFF inside a word continues it"),
        ("zwsp-thai", "\u0e2a\u0e27\u0e31\u0e2a\u200b\u0e14\u0e35", "ZERO WIDTH SPACE inside Thai"),
        ("bidi-controls", "\u202bab\u202c \u2067x\u2069", "bidi embedding and isolate controls"),
        ("soft-hyphen", "co\u00adoperate", "SOFT HYPHEN is P"),
        ("unassigned-bmp", "\u0378", "unassigned U+0378"),
        ("unassigned-plane4", "\U00040000", "unassigned U+40000"),
        ("unassigned-run", "\U00040000\U00040001\U00040002", "three unassigned code points"),
        ("nonchar-fdd0", "\ufdd0", "noncharacter U+FDD0"),
        ("nonchar-fffe", "\ufffe", "noncharacter U+FFFE"),
        ("nonchar-ffff", "\uffff", "noncharacter U+FFFF"),
        ("nonchar-1fffe", "\U0001fffe", "noncharacter U+1FFFE"),
        ("nonchar-10ffff", "\U0010ffff", "the last code point"),
        ("replacement", "\ufffd", "REPLACEMENT CHARACTER"),
        ("pua-bmp", "\ue000\uf8ff", "private use, BMP"),
        ("pua-plane15", "\U000f0000", "private use, plane 15"),
        ("pua-plane16", "\U0010fffd", "private use, plane 16"),
        ("surrogate-high", "\ud800", "a lone high surrogate (ill-formed text; defined anyway)"),
        ("surrogate-low", "\udfff", "a lone low surrogate"),
        ("surrogates-in-text", "a\ud800b\udc00c", "lone surrogates between letters"),
        ("nfc-compose", "e\u0301", "NFC composes e + U+0301 into U+00E9"),
        ("nfc-precomposed", "\u00e9", "the same text, precomposed: same value"),
        ("nfc-angstrom", "\u212b", "ANGSTROM SIGN (P row) becomes U+00C5 (L) under NFC"),
        ("nfc-ohm", "\u2126", "OHM SIGN becomes GREEK CAPITAL OMEGA"),
        ("nfc-kelvin", "\u212a", "KELVIN SIGN becomes K"),
        ("nfc-hangul-jamo", "\u1100\u1161\u11a8", "conjoining jamo compose into U+AC01"),
        ("nfc-hangul-syllable", "\uac01", "the same syllable, precomposed"),
        ("nfc-exclusion", "\u0958", "DEVANAGARI LETTER QA decomposes (composition exclusion)"),
        ("nfc-reorder", "a\u0301\u0323", "canonical reordering: dot below before acute"),
        ("nfc-reorder-2", "a\u0323\u0301", "the same text in canonical order"),
        ("nfc-vietnamese-nfd", "Vie\u0323\u0302t", "decomposed Vietnamese composes under NFC"),
        ("nfc-greek-tonos", "\u03ac\u0301", "Greek with an extra tonos"),
        ("nfc-cjk-compat", "\uf900", "CJK COMPATIBILITY IDEOGRAPH becomes U+8C48"),
        ("nfc-tamil", "\u0b92\u0bd7", "Tamil AU composes"),
        ("nfc-not-nfkc", "\ufb01 \uff21 \u00bd", "NFC leaves compatibility characters alone"),
        ("zalgo", "Z\u0315\u031b\u0343a\u0310\u0308l\u0327\u0316g\u0308o", "zalgo text"),
        ("mojibake", "Ã©tÃ© Ã  Paris", "mojibake of UTF-8 read as Latin-1"),
        ("long-letters", "a" * 10000, "one run of 10,000 letters"),
        ("long-digits", "9" * 10000, "10,000 digits: 3,334 groups"),
        ("long-mixed", "ab1 " * 2500, "10,000 code points of short runs"),
        ("long-cjk", "\u6f22" * 5000, "5,000 Han ideographs"),
    ]
    return cases


def build_vectors() -> dict[str, dict[str, object]]:
    """The vector documents, with expected values from the reference state machine."""
    groups = {"table.json": _row_cases(), "runs.json": _RUN_CASES, "edge.json": _edge_cases()}
    out = {}
    for name, cases in groups.items():
        rows = []
        for cid, text, note in cases:
            value = nt.nt_milli_reference(text)
            if nt.nt_milli(text) != value:
                raise AssertionError(f"fast path disagrees with the reference on {cid}")
            rows.append({"id": cid, "input": text, "nt_milli": value, "note": note})
        if len({r["id"] for r in rows}) != len(rows):
            raise AssertionError(f"duplicate vector ids in {name}")
        out[name] = {"nt_version": nt.NT_VERSION, "description": VECTOR_FILES[name],
                     "unicode_version": nt.unicode_version(), "count": len(rows), "cases": rows}
    return out


def write_vectors(directory) -> list[tuple[object, int]]:
    """Write spec/vectors/*.json (ASCII-only JSON, one case per line for readable diffs)."""
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in build_vectors().items():
        head = {k: v for k, v in doc.items() if k != "cases"}
        lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()] + ['  "cases": [']
        cases = doc["cases"]
        lines += [f"    {json.dumps(c, ensure_ascii=True)}{',' if i < len(cases) - 1 else ''}"
                  for i, c in enumerate(cases)]
        lines += ["  ]", "}"]
        path = directory / name
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        written.append((path, len(cases)))
    return written


# ---------------------------------------------------------------------------------------------
# Measurement (spec/measurements.md): NT-1 against the targets of the NT issue, on both splits.
# ---------------------------------------------------------------------------------------------

SCALE_TOKENIZERS = ANCHORS
PARITY_TOLERANCE = 0.25
PARITY_SHARE = 0.90
CV_TARGET = 0.10
SCALE_TOLERANCE = 0.10
SPEED_TARGET = 20.0
_CJK = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_WS = frozenset([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])


def _alternatives(text: str) -> dict[str, float]:
    """Other candidate units, computed on the NFC text: bytes, code points, weighted code points (B)."""
    import unicodedata

    t = unicodedata.normalize("NFC", text)
    cps = non_ws = 0
    weighted = 0.0
    runs = 0
    in_ws = False
    for ch in t:
        c = ord(ch)
        cps += 1
        if c in _WS:
            if not in_ws:
                runs += 1
            in_ws = True
            continue
        in_ws = False
        non_ws += 1
        weighted += 2.5 if any(a <= c <= b for a, b in _CJK) else 1.0
    return {"bytes": float(len(t.encode("utf-8", "surrogatepass"))), "codepoints": float(non_ws),
            "weighted_cp": weighted + runs}


def _cv(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    return float(arr.std(ddof=1) / arr.mean())


def measure(root: str | None = None, speed: bool = True, progress=lambda m: None) -> dict[str, object]:
    """Everything spec/measurements.md reports, as plain data."""
    from . import __version__, count_many, tokenizer
    from .registry import entries

    docs = list(corpus.iter_documents(root=root, version=CORPUS_VERSION))
    texts = [t for _, t in docs]
    meta = [d for d, _ in docs]
    progress(f"{len(docs)} documents; computing NT-1 (fast path and reference)")
    milli = nt.nt_milli_many(texts)
    mismatch = [d.id for d, t, v in zip(meta, texts, milli) if nt.nt_milli_reference(t) != v]
    tok_ids = [e.id for e in entries().values() if e.available]
    tokens: dict[str, list[int]] = {}
    for tid in tok_ids:
        progress(f"counting {tid}")
        tokens[tid] = count_many(texts, model=tid)
    alt = [_alternatives(t) for t in texts]
    units: dict[str, list[float]] = {"NT-1": [v / 1000 for v in milli]}
    for k in ("bytes", "codepoints", "weighted_cp"):
        units[k] = [a[k] for a in alt]
    # alternatives scaled like NT: anchor tokens per unit = 1 on English prose (calibration split)
    cal_prose = [i for i, d in enumerate(meta)
                 if d.language == "en" and d.domain == "prose" and d.split == "calibration"]
    anchor = [math.exp(sum(math.log(tokens[a][i]) for a in ANCHORS) / len(ANCHORS)) for i in range(len(meta))]
    for k in ("bytes", "codepoints", "weighted_cp"):
        s = sum(anchor[i] for i in cal_prose) / sum(units[k][i] for i in cal_prose)
        units[k] = [v * s for v in units[k]]
    units["o200k tokens"] = [float(v) for v in tokens["openai/o200k_base"]]

    # scale
    scale_rows = []
    for split in ("calibration", "evaluation", None):
        ids = [i for i, d in enumerate(meta) if d.language == "en" and d.domain == "prose"
               and (split is None or d.split == split)]
        for tid in tok_ids:
            per_doc = [tokens[tid][i] / units["NT-1"][i] for i in ids]
            scale_rows.append({"split": split or "both", "tokenizer": tid, "documents": len(ids),
                               "tokens_per_nt": sum(tokens[tid][i] for i in ids) / sum(units["NT-1"][i] for i in ids),
                               "min_doc": min(per_doc), "max_doc": max(per_doc)})

    # parity
    english = {(d.parallel_group): i for i, d in enumerate(meta) if d.parallel_group and d.language == "en"}
    parity: dict[str, dict[str, object]] = {}
    for split in ("calibration", "evaluation"):
        langs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, d in enumerate(meta):
            if d.parallel_group and d.language != "en" and d.split == split and d.parallel_group in english:
                langs[d.language].append((i, english[d.parallel_group]))
        table = {}
        for lang, pairs in sorted(langs.items()):
            row: dict[str, object] = {"groups": len(pairs)}
            for u, vals in units.items():
                row[u] = sum(vals[i] for i, _ in pairs) / sum(vals[e] for _, e in pairs)
            text_blocks = [(blocks(texts[i]), blocks(texts[e])) for i, e in pairs]
            row["parallel"] = all(abs(b - be) <= BLOCK_TOLERANCE * be for b, be in text_blocks)
            table[lang] = row
        within = {u: sum(abs(r[u] - 1) <= PARITY_TOLERANCE for r in table.values()) for u in units}
        parity[split] = {"languages": table, "within": within, "count": len(table)}

    # CV per (language, domain) class
    cv: dict[str, dict[str, object]] = {}
    for split in ("calibration", "evaluation"):
        classes: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, d in enumerate(meta):
            if d.split == split and d.characters >= MIN_CHARS:
                classes[(d.language, d.domain)].append(i)
        classes = {k: v for k, v in sorted(classes.items()) if len(v) >= 2}
        per_class = {f"{k[0]} {k[1]}": {tid: _cv([tokens[tid][i] / units["NT-1"][i] for i in ids])
                                        for tid in tok_ids} | {"documents": len(ids)}
                     for k, ids in classes.items()}
        medians = {u: {tid: float(np.median([_cv([tokens[tid][i] / units[u][i] for i in ids])
                                             for ids in classes.values()])) for tid in tok_ids}
                   for u in units}
        cv[split] = {"classes": per_class, "medians": medians, "count": len(classes)}
    families = {}
    for fam in ("code", "structured", "agent", "math"):
        ids = [i for i, d in enumerate(meta) if d.family == fam and d.characters >= MIN_CHARS
               and (fam == "code" or d.language in ("en", "zxx"))]
        families[fam] = {"documents": len(ids)} | {tid: _cv([tokens[tid][i] / units["NT-1"][i] for i in ids])
                                                   for tid in tok_ids}
        families[fam]["by_unit"] = {u: float(np.median([_cv([tokens[tid][i] / units[u][i] for i in ids])
                                                        for tid in tok_ids])) for u in units}

    report: dict[str, object] = {
        "provenance": {
            "nt_version": nt.NT_VERSION, "normtok_version": __version__, "unicode_version": nt.unicode_version(),
            "corpus_version": CORPUS_VERSION,
            "manifest_sha256": hashlib.sha256(corpus.manifest_path(root, CORPUS_VERSION).read_bytes()).hexdigest(),
            "documents": len(docs), "tokenizers": {tid: tokenizer(tid).sha256 for tid in tok_ids},
        },
        "reference_mismatches": mismatch, "scale": scale_rows, "parity": parity, "cv": cv, "families": families,
    }
    if speed:
        progress("timing NT-1 and o200k counting (best of 3, CPU time)")
        report["speed"] = measure_speed(meta, texts)
    report["targets"] = _targets(report, tok_ids)
    return report


def measure_speed(meta: Sequence[corpus.Document], texts: Sequence[str], repeats: int = 3) -> list[dict[str, object]]:
    """CPU seconds of NT-1 and of o200k counting (tiktoken encode_ordinary, one thread) on the same texts."""
    import time
    import unicodedata

    from . import tokenizer

    enc = tokenizer("openai/o200k_base")
    nt.nt_milli("\u00e9")  # build the lazy tables outside the timing
    groups = {"all documents": list(texts),
              "ASCII documents": [t for t in texts if t.isascii()],
              "non-ASCII, NFC": [t for t in texts if not t.isascii() and unicodedata.is_normalized("NFC", t)],
              "non-ASCII, not NFC": [t for t in texts if not unicodedata.is_normalized("NFC", t)]}
    rows = []
    for name, ts in groups.items():
        size = sum(len(t.encode("utf-8", "surrogatepass")) for t in ts)
        runs = {"o200k": lambda ts=ts: [enc.count(t) for t in ts],
                "nt_milli": lambda ts=ts: [nt.nt_milli(t) for t in ts],
                "nt_milli_many": lambda ts=ts: nt.nt_milli_many(ts)}
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(repeats):
            for k, f in runs.items():
                t0 = time.process_time()
                f()
                best[k] = min(best[k], time.process_time() - t0)
        rows.append({"texts": name, "documents": len(ts), "mb": size / 1e6, "implementation": nt.implementation(),
                     "o200k_mb_s": size / best["o200k"] / 1e6, "nt_mb_s": size / best["nt_milli"] / 1e6,
                     "nt_many_mb_s": size / best["nt_milli_many"] / 1e6,
                     "speedup": best["o200k"] / best["nt_milli"],
                     "speedup_many": best["o200k"] / best["nt_milli_many"]})
    return rows


def _targets(report: dict, tok_ids: Sequence[str]) -> list[dict[str, object]]:
    out = []
    for row in report["scale"]:
        if row["split"] == "evaluation" and row["tokenizer"] in SCALE_TOKENIZERS:
            r = row["tokens_per_nt"]
            out.append({"target": f"scale: {row['tokenizer']} tokens per NT, English prose (evaluation)",
                        "goal": "0.90-1.10", "measured": f"{r:.3f}", "met": abs(r - 1) <= SCALE_TOLERANCE})
    p = report["parity"]["evaluation"]
    share = p["within"]["NT-1"] / p["count"]
    out.append({"target": "parity: languages within 25% of English (evaluation)", "goal": ">= 90%",
                "measured": f"{p['within']['NT-1']}/{p['count']} ({share:.0%})", "met": share >= PARITY_SHARE})
    med = report["cv"]["evaluation"]["medians"]["NT-1"]
    worst = max(med, key=med.get)
    out.append({"target": "conversion: median CV of tokens/NT per class, every tokenizer (evaluation)",
                "goal": "<= 0.10", "measured": f"max {med[worst]:.3f} ({worst})",
                "met": all(v <= CV_TARGET for v in med.values())})
    if "speed" in report:
        allrow = report["speed"][0]
        out.append({"target": "speed: NT-1 vs o200k counting, per document (all documents)", "goal": ">= 20x",
                    "measured": f"{allrow['speedup']:.1f}x", "met": allrow["speedup"] >= SPEED_TARGET})
        out.append({"target": "speed: NT-1 vs o200k counting, batched NT (all documents)", "goal": ">= 20x",
                    "measured": f"{allrow['speedup_many']:.1f}x", "met": allrow["speedup_many"] >= SPEED_TARGET})
    out.append({"target": "fast path equals the reference algorithm on every corpus document", "goal": "0 differences",
                "measured": str(len(report["reference_mismatches"])), "met": not report["reference_mismatches"]})
    return out


def _f(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


_IMPLEMENTATION_NAMES = {"c": "`c`, the compiled core (normtok/_ntcore.c)",
                         "numpy": "`numpy`, the numpy path of normtok/nt.py"}


def render_measurements(report: dict) -> str:
    """spec/measurements.md from :func:`measure` (generated: edit the code, not the file)."""
    prov = report["provenance"]
    tok_ids = list(prov["tokenizers"])
    short = {t: t.split("/", 1)[1] for t in tok_ids}
    out = [
        "# NT-1 measurements",
        "",
        "<!-- Generated by `normtok spec measure`. Do not edit by hand: edit normtok/calibrate.py and re-run. -->",
        "",
        "This report measures NT-1 (spec/nt-1.md) against the goals of the NT issue, on the reference corpus.",
        "The constants were derived on the **calibration** split only (spec/calibration.md); the **evaluation**",
        "split is the honest, out-of-sample measurement and is the one the targets are judged on.",
        "",
        "## Provenance",
        "",
        f"- NT version: {prov['nt_version']}; normtok {prov['normtok_version']}; "
        f"Unicode (NFC) {prov['unicode_version']}",
        f"- corpus {prov['corpus_version']}, {prov['documents']} documents, "
        f"manifest SHA-256 `{prov['manifest_sha256']}`",
        "- tokenizers (SHA-256 of their files):",
    ]
    out += [f"  - `{t}` `{h}`" for t, h in prov["tokenizers"].items()]
    out += ["", "## Targets", "", "| target | goal | measured | met |", "|---|---|---|---|"]
    out += [f"| {t['target']} | {t['goal']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |"
            for t in report["targets"]]
    out += ["", "## 1. Scale: anchor tokens per NT on English prose", "",
            "Goal: 1 NT within 10% of one token of current OpenAI and Llama tokenizers (o200k_base, Llama 3).",
            "Pooled ratio = sum of tokens / sum of NT over the English prose documents; min/max over documents.",
            "", "| tokenizer | calibration | evaluation | both | min doc | max doc |", "|---|---|---|---|---|---|"]
    by = {(r["split"], r["tokenizer"]): r for r in report["scale"]}
    for t in tok_ids:
        b = by[("both", t)]
        out.append(f"| {t} | {_f(by[('calibration', t)]['tokens_per_nt'])} | "
                   f"{_f(by[('evaluation', t)]['tokens_per_nt'])} | {_f(b['tokens_per_nt'])} | "
                   f"{_f(b['min_doc'])} | {_f(b['max_doc'])} |")
    units = [u for u in next(iter(report["parity"]["evaluation"]["languages"].values())) if u not in
             ("groups", "parallel")]
    out += ["", "## 2. Parity: the same content in different languages", "",
            "Ratio = size of a language's parallel documents / size of their English versions (pooled over the",
            "parallel groups of the split). Goal: within 25% of English (0.75-1.25) for at least 90% of the",
            "languages. The same ratio is shown for other units (each scaled to anchor tokens on English prose)",
            "and for o200k tokens themselves. `parallel = no` marks a document whose block count differs from",
            "its English version by more than 10% (it lacks content; excluded from calibration).", ""]
    for split in ("evaluation", "calibration"):
        p = report["parity"][split]
        out += [f"### {split} split ({p['count']} languages)", "",
                "| unit | languages within 25% |", "|---|---|"]
        out += [f"| {u} | {p['within'][u]}/{p['count']} |" for u in units]
        out += ["", "| language | groups | parallel | " + " | ".join(units) + " |",
                "|---|---|---|" + "---|" * len(units)]
        for lang, r in p["languages"].items():
            cells = [(f"**{_f(r[u], 2)}**" if abs(r[u] - 1) > PARITY_TOLERANCE else _f(r[u], 2)) for u in units]
            out.append(f"| {lang} | {r['groups']} | {'yes' if r['parallel'] else 'no'} | " + " | ".join(cells) + " |")
        out.append("")
    out += ["## 3. Predictable conversion: CV of tokens/NT per (language, domain) class", "",
            "For each class with at least two documents of 2,000+ characters in the split: the coefficient of",
            "variation (sample standard deviation / mean) of tokens/NT across its documents. Goal: median over",
            "classes <= 0.10 for every registered tokenizer. Medians for other units are shown for comparison.", ""]
    for split in ("evaluation", "calibration"):
        c = report["cv"][split]
        out += [f"### {split} split ({c['count']} classes)", "", "Median CV over classes:", "",
                "| unit | " + " | ".join(short[t] for t in tok_ids) + " |", "|---|" + "---|" * len(tok_ids)]
        for u, med in c["medians"].items():
            out.append(f"| {u} | " + " | ".join(_f(med[t]) for t in tok_ids) + " |")
        out += ["", "CV of tokens/NT-1 per class:", "",
                "| class | docs | " + " | ".join(short[t] for t in tok_ids) + " |", "|---|---|" + "---|" * len(tok_ids)]
        for k, row in c["classes"].items():
            out.append(f"| {k} | {row['documents']} | " + " | ".join(_f(row[t]) for t in tok_ids) + " |")
        out.append("")
    out += ["### Non-prose families, both splits pooled", "",
            "CV of tokens/NT-1 across every document of 2,000+ characters in the family (code in 11 languages;",
            "English or language-neutral data formats, agent traffic and math): how well the run rules for",
            "code, numbers and whitespace carry across documents that differ in layout.", "",
            "| family | docs | " + " | ".join(short[t] for t in tok_ids) + " |", "|---|---|" + "---|" * len(tok_ids)]
    for fam, row in report["families"].items():
        out.append(f"| {fam} | {row['documents']} | " + " | ".join(_f(row[t]) for t in tok_ids) + " |")
    fam_units = list(next(iter(report["families"].values()))["by_unit"])
    out += ["", "The same, as the median over tokenizers, for each unit:", "",
            "| family | " + " | ".join(fam_units) + " |", "|---|" + "---|" * len(fam_units)]
    for fam, row in report["families"].items():
        out.append(f"| {fam} | " + " | ".join(_f(row["by_unit"][u]) for u in fam_units) + " |")
    if "speed" in report:
        out += ["", "## 4. Speed", "",
                "CPU time, best of 3, one thread, on the corpus documents. o200k = `normtok.tokenizer('o200k_base')"
                ".count` per document (tiktoken `encode_ordinary`); NT per document = `normtok.nt_milli`; NT batched",
                "= `normtok.nt.nt_milli_many` over the same list. Goal: NT at least 20 times faster than o200k.",
                "Machine-dependent; the machine was shared with other jobs while this ran. NT implementation: "
                + _IMPLEMENTATION_NAMES.get(report["speed"][0].get("implementation", ""), "unknown") + ".", "",
                "| texts | docs | MB | o200k MB/s | NT MB/s | speed-up | NT batched MB/s | speed-up |",
                "|---|---|---|---|---|---|---|---|"]
        for r in report["speed"]:
            out.append(f"| {r['texts']} | {r['documents']} | {_f(r['mb'], 2)} | {_f(r['o200k_mb_s'], 1)} | "
                       f"{_f(r['nt_mb_s'], 1)} | {_f(r['speedup'], 1)}x | {_f(r['nt_many_mb_s'], 1)} | "
                       f"{_f(r['speedup_many'], 1)}x |")
    out += ["", "## 5. Consistency", "",
            f"The numpy fast path and the one-pass reference algorithm differ on "
            f"{len(report['reference_mismatches'])} of {prov['documents']} corpus documents.", ""]
    return "\n".join(out) + "\n"
