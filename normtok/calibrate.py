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
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import corpus, nt

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
    for d, text in corpus.iter_documents(split="calibration", root=root):
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

    manifest = corpus.manifest_path(root)
    return {
        "corpus_version": corpus.CORPUS_VERSION,
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
