"""The divergence report: one HTML page with PNG plots, rendered from the published tables.

Why plots first: how far tokenizers diverge is a picture (which language costs how much with which
vendor), the tables are the numbers behind it. The page needs nothing but a browser: the PNGs sit
next to ``index.html``, no scripts, no web fonts. Rendering uses Pillow (already installed with
normtok's vocabulary packages) with its built-in font.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import NormtokError
from .tables import NT_UNIT, Tables, load

BG = (255, 255, 255)
INK = (33, 37, 41)
GRID = (222, 226, 230)
MUTED = (108, 117, 125)
# Okabe-Ito and Tableau colours: distinguishable, print and colour-blind friendly enough for 10 series
SERIES = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0),
          (240, 228, 66), (100, 100, 100), (148, 103, 189), (140, 86, 75), (23, 190, 207), (188, 189, 34)]


def _font(size: int = 13) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the bitmap font
        return ImageFont.load_default()


def _text_w(draw: Any, text: str, font: Any) -> int:
    box = draw.textbbox((0, 0), text, font=font)
    return int(box[2] - box[0])


def diverging(value: float, span: float = math.log(3)) -> tuple[int, int, int]:
    """Blue (fewer tokens than NT) - white (1.0) - red (more), on a log scale clipped at 3x."""
    x = max(-1.0, min(1.0, math.log(value) / span)) if value > 0 else -1.0
    blue, red, white = (33, 102, 172), (178, 24, 43), (247, 247, 247)
    end = red if x > 0 else blue
    a = abs(x) ** 0.8
    return tuple(round(w + (e - w) * a) for w, e in zip(white, end))  # type: ignore[return-value]


def heatmap(path: Path, title: str, rows: Sequence[str], cols: Sequence[str],
            values: dict[tuple[str, str], float], row_labels: dict[str, str] | None = None,
            note: str = "") -> None:
    """A labelled heatmap of tokens/NT with the value in each cell."""
    from PIL import Image, ImageDraw

    font, small, big = _font(13), _font(11), _font(16)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    labels = [(row_labels or {}).get(r, r) for r in rows]
    left = 16 + max([_text_w(probe, s, font) for s in labels] + [40])
    cw, ch = 74, 20
    top = 60 + max(_text_w(probe, c, small) for c in cols) * 0.72
    top = int(top)
    width = left + cw * len(cols) + 24
    height = top + ch * len(rows) + 60
    img = Image.new("RGB", (width, height), BG)
    d = ImageDraw.Draw(img)
    d.text((16, 12), title, fill=INK, font=big)
    for j, c in enumerate(cols):
        # column labels rotated 45 degrees
        w = _text_w(probe, c, small) + 4
        lab = Image.new("RGBA", (w, 16), (255, 255, 255, 0))
        ImageDraw.Draw(lab).text((2, 1), c, fill=INK, font=small)
        rot = lab.rotate(35, expand=True)
        img.paste(rot, (left + j * cw + cw // 2 - 6, top - rot.size[1] - 4), rot)
    for i, (r, label) in enumerate(zip(rows, labels)):
        y = top + i * ch
        d.text((left - 8 - _text_w(probe, label, font), y + 3), label, fill=INK, font=font)
        for j, c in enumerate(cols):
            x = left + j * cw
            v = values.get((r, c))
            if v is None:
                d.rectangle([x, y, x + cw - 1, y + ch - 1], fill=(240, 240, 240))
                continue
            color = diverging(v)
            d.rectangle([x, y, x + cw - 1, y + ch - 1], fill=color)
            txt = f"{v:.2f}"
            lum = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
            d.text((x + (cw - _text_w(probe, txt, font)) // 2, y + 3), txt, fill=INK if lum > 140 else BG, font=font)
    # legend
    ly = top + ch * len(rows) + 16
    d.text((16, ly), note or "tokens per NT (ratio of sums, calibration split); blue: fewer tokens than NT, "
           "red: more", fill=MUTED, font=small)
    for k, v in enumerate([1 / 3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]):
        x = 16 + k * 54
        d.rectangle([x, ly + 18, x + 50, ly + 34], fill=diverging(v))
        d.text((x + 12, ly + 20), f"{v:.2g}", fill=INK, font=small)
    img.save(path, optimize=True)


def dotplot(path: Path, title: str, rows: Sequence[str], series: Sequence[str],
            values: dict[tuple[str, str], float], xlabel: str, ref: float = 1.0,
            highlight: str | None = None, lo: float | None = None) -> None:
    """Rows of dots on a log x axis, one colour per series (a parity chart)."""
    from PIL import Image, ImageDraw

    font, small, big = _font(13), _font(11), _font(16)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    vals = [v for v in values.values() if v > 0]
    lo = lo or 2 ** math.floor(math.log2(min(vals + [ref]) * 0.95))
    hi = 2 ** math.ceil(math.log2(max(vals + [ref]) * 1.05))
    left = 16 + max([_text_w(probe, r, font) for r in rows] + [40])
    plot_w, rh = 640, 18
    legend_w = 16 + max(_text_w(probe, s, small) for s in series) + 40
    top = 44
    width = left + plot_w + legend_w + 16
    height = top + rh * len(rows) + 50
    img = Image.new("RGB", (width, max(height, top + 20 * len(series) + 20)), BG)
    d = ImageDraw.Draw(img)
    d.text((16, 12), title, fill=INK, font=big)

    def xpos(v: float) -> float:
        return left + plot_w * (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))

    bottom = top + rh * len(rows)
    for i in range(1, len(rows), 2):  # row shading first: grid and reference lines run on top of it, unbroken
        y = top + i * rh + rh // 2
        d.rectangle([left, y - rh // 2, left + plot_w, y + rh // 2], fill=(248, 249, 250))
    tick = lo
    while tick <= hi * 1.0001:
        for m in (1, 1.5) if hi / lo <= 16 else (1,):
            t = tick * m
            if lo <= t <= hi:
                x = xpos(t)
                d.line([x, top, x, bottom], fill=GRID)
                d.text((x - 8, bottom + 4), f"{t:g}", fill=MUTED, font=small)
        tick *= 2
    d.line([xpos(ref), top, xpos(ref), bottom], fill=MUTED, width=2)
    d.text((left + plot_w // 2 - 60, bottom + 20), xlabel, fill=INK, font=small)
    for i, r in enumerate(rows):
        y = top + i * rh + rh // 2
        d.text((left - 8 - _text_w(probe, r, font), y - 8), r, fill=INK, font=font)
        for k, s in enumerate(series):
            v = values.get((r, s))
            if v is None or v <= 0:
                continue
            x = xpos(v)
            col = INK if s == highlight else SERIES[k % len(SERIES)]
            if s == highlight:
                d.polygon([(x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y)], outline=INK, fill=(255, 255, 255))
            else:
                d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=col)
    lx = left + plot_w + 24
    for k, s in enumerate(series):
        y = top + 20 * k + 4
        if s == highlight:
            d.polygon([(lx + 5, y), (lx + 11, y + 6), (lx + 5, y + 12), (lx - 1, y + 6)], outline=INK, fill=BG)
        else:
            d.ellipse([lx + 1, y + 2, lx + 9, y + 10], fill=SERIES[k % len(SERIES)])
        d.text((lx + 16, y - 1), s, fill=INK, font=small)
    img.save(path, optimize=True)


def parity(tables: Tables, reference: str = "en") -> dict[tuple[str, str], float]:
    """Tokens of each language / tokens of ``reference`` on the same parallel text (and NT likewise).

    Uses every corpus document in a parallel group that also has the reference language (both
    splits: this is descriptive, nothing is fitted).
    """
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in tables.documents:
        if not r["parallel_group"]:
            continue
        key = (r["parallel_group"], r["language"])
        d = docs.setdefault(key, {"nt": {}, "tokens": {}})
        d["nt"][r["doc_id"]] = r["nt_milli"] / 1000  # once per document, whatever the tokenizer rows
        d["tokens"][r["tokenizer_id"]] = d["tokens"].get(r["tokenizer_id"], 0) + r["tokens"]
    units = [*tables.tokenizer_ids(), NT_UNIT]
    sums: dict[tuple[str, str], list[float]] = {}
    for (group, lang), d in docs.items():
        ref = docs.get((group, reference))
        if ref is None or lang == reference:
            continue
        for u in units:
            a = sum(d["nt"].values()) if u == NT_UNIT else d["tokens"][u]
            b = sum(ref["nt"].values()) if u == NT_UNIT else ref["tokens"][u]
            acc = sums.setdefault((lang, u), [0.0, 0.0])
            acc[0] += a
            acc[1] += b
    return {k: a / b for k, (a, b) in sums.items() if b > 0}


def _short(tid: str) -> str:
    return tid


def render(out_dir: str | Path, tables: Tables | None = None) -> list[Path]:
    """Write ``index.html`` and its PNGs to ``out_dir``; returns the files written.

    A file that cannot be written (a directory in its place, a full disk) is a ``NormtokError`` naming it.
    """
    t = tables or load()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        return _render(out, t)
    except OSError as exc:
        where = exc.filename or out
        raise NormtokError(f"cannot write the report: {where}: {exc.strerror or exc}") from None


def _render(out: Path, t: Tables) -> list[Path]:
    tids = t.tokenizer_ids()
    ratio = {(r["class"], r["tokenizer_id"]): r["ratio"] for r in t.ratios}
    meta_classes = {c["class"]: c for c in t.metadata["classes"]}
    langs = t.classes("language")
    langs.sort(key=lambda c: sum(ratio[c, u] for u in tids) / len(tids))
    lang_labels = {c: f"{c} ({meta_classes[c].get('script') or '?'})" for c in langs}
    files = []

    p = out / "ratios-by-language.png"
    heatmap(p, "Tokens per NT by language and tokenizer", langs, tids, ratio, lang_labels)
    files.append(p)

    doms = t.classes("domain") + t.classes("profile")
    p = out / "ratios-by-domain.png"
    heatmap(p, "Tokens per NT by domain, family and profile", doms, tids, ratio)
    files.append(p)

    # A wheel installs only the tables that convert reads; the parity chart needs the per-document
    # counts, so without documents.json it is left out, and the page says why (a tampered file still fails).
    has_documents = (t.dir / "documents.json").is_file()
    par = parity(t) if has_documents else {}
    par_langs = sorted({lang for lang, _ in par}, key=lambda lang: par.get((lang, NT_UNIT), 0))
    p = out / "parity.png"
    if par_langs:
        dotplot(p, "Parity: tokens for the same text relative to English (parallel documents)", par_langs,
                [*tids, NT_UNIT], par, "tokens(language) / tokens(English), log scale; diamond = NT",
                highlight=NT_UNIT)
        files.append(p)

    spread_rows = []
    for c in langs + doms:
        vals = [ratio[c, u] for u in tids]
        spread_rows.append((c, max(vals) / min(vals), min(zip(vals, tids))[1], max(zip(vals, tids))[1]))
    spread_rows.sort(key=lambda r: -r[1])
    p = out / "spread.png"
    dotplot(p, "Divergence: most / fewest tokens across tokenizers, per class", [r[0] for r in spread_rows],
            ["max/min"], {(r[0], "max/min"): r[1] for r in spread_rows}, "max tokens / min tokens (log scale)",
            lo=1.0)
    files.append(p)

    files.append(_html(out, t, tids, spread_rows, par_langs, has_documents))
    return files


def _html(out: Path, t: Tables, tids: list[str], spread_rows: list[tuple[str, float, str, str]],
          par_langs: list[str], has_documents: bool = True) -> Path:
    e = html.escape
    meta = t.metadata
    tok_rows = "".join(
        f"<tr><td>{e(x['id'])}</td><td>{e(x['vendor'])}</td><td><code>{e(x['sha256'])}</code></td></tr>"
        for x in meta["tokenizers"])
    top = "".join(f"<tr><td>{e(c)}</td><td>{s:.2f}x</td><td>{e(lo)}</td><td>{e(hi)}</td></tr>"
                  for c, s, lo, hi in spread_rows[:12])
    profiles = "".join(
        f"<li><b>{e(c['class'])}</b>: {e(c['description'])} Weights (share of NT): "
        f"{e(', '.join(f'{k} {v:.0%}' for k, v in c['weights'].items()))}</li>"
        for c in meta["classes"] if c["kind"] == "profile")
    parity_block = (
        '<h2>Parity across languages</h2><p>The same text (UDHR articles, Django UI strings, Debian '
        'Installation Guide) in each language, in tokens relative to English, per tokenizer. A value of 3 means '
        'the same content costs three times as many tokens as in English. The diamond is NT, which is meant to give '
        'the same content about the same size in every language, so it sits near 1; a dot far to its right is a '
        'language that tokenizer charges more for than English, for the same content.</p>'
        '<img src="parity.png" alt="parity chart">'
        if par_langs else "" if has_documents else
        '<h2>Parity across languages</h2><p>Not rendered: these tables have no <code>documents.json</code> (the '
        'per-document counts the parity chart is computed from), as in an installed package. Render the report '
        'from a directory with the full published tables (<code>--tables</code>).</p>')
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>normtok divergence report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#212529}}
img{{max-width:100%;border:1px solid #dee2e6;margin:.5em 0 1.5em}}table{{border-collapse:collapse;font-size:.9em}}
td,th{{border-bottom:1px solid #dee2e6;padding:.2em .6em;text-align:left}}code{{font-size:.85em}}
.meta{{color:#6c757d}}</style></head><body>
<h1>How far tokenizers diverge</h1>
<p class="meta">normtok {e(__version__)} · NT version {e(t.nt_version)} · corpus {e(t.corpus_version)}
 · registry {e(meta['registry_version'])} · tables fitted on the {e(meta['split'])} split</p>
<p>Every number is an exact token count from the vendor's own tokenizer, divided by NT, the vendor-neutral
normalized token. Below 1.0 a tokenizer needs fewer tokens than NT for that text; above 1.0, more. The tables
behind these plots are in <code>spec/tables/</code> (Parquet, CSV, JSON).</p>
<h2>By language</h2>
<p>Tokens per NT for natural-language text (prose and UI strings) of each language, rows sorted by the mean over
tokenizers. Scripts outside Latin are where tokenizers disagree most.</p>
<img src="ratios-by-language.png" alt="heatmap of tokens per NT by language and tokenizer">
{parity_block}
<h2>By domain</h2>
<p>Code, structured data, agent traffic, math and edge cases, plus the blended profiles used as defaults by
<code>normtok convert</code>.</p>
<img src="ratios-by-domain.png" alt="heatmap of tokens per NT by domain and tokenizer">
<h2>Where the spread is largest</h2>
<p>For each class, the tokens of the most expensive tokenizer divided by those of the cheapest.</p>
<img src="spread.png" alt="spread of tokens across tokenizers per class">
<table><tr><th>class</th><th>max/min</th><th>fewest tokens</th><th>most tokens</th></tr>{top}</table>
<h2>Profiles</h2><ul>{profiles}</ul>
<h2>Tokenizers</h2>
<table><tr><th>id</th><th>vendor</th><th>SHA-256 of the vocabulary file</th></tr>{tok_rows}</table>
</body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
