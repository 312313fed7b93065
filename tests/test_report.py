"""``normtok report``: an HTML page whose PNG plots show the tables, readable without anything else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from normtok import report, tables

from .test_tables import TOKS, synthetic_tables


@pytest.fixture
def t(tmp_path: Path) -> tables.Tables:
    return synthetic_tables(tmp_path / "tables")


def test_render_writes_html_and_every_png_it_references(t, tmp_path: Path) -> None:  # noqa: ANN001
    files = report.render(tmp_path / "out", t)
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', html)
    assert set(images) == {p.name for p in files if p.suffix == ".png"}
    assert {"ratios-by-language.png", "ratios-by-domain.png", "parity.png", "spread.png"} <= set(images)
    for name in images:
        with Image.open(tmp_path / "out" / name) as im:
            assert im.format == "PNG" and im.width > 200 and im.height > 100
            # a plot, not a blank canvas: many distinct colours
            assert len(im.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 20
    assert "http://" not in html and "https://" not in html and "<script" not in html  # self-contained
    assert "test-nt" in html and t.metadata["tokenizers"][0]["sha256"] in html


def test_heatmap_cell_colours_follow_the_values(tmp_path: Path) -> None:
    path = tmp_path / "h.png"
    report.heatmap(path, "t", ["low", "high"], ["a"], {("low", "a"): 0.5, ("high", "a"): 2.0})
    assert report.diverging(1.0) == (247, 247, 247)
    lo, hi = report.diverging(0.5), report.diverging(2.0)
    assert lo[2] > lo[0] and hi[0] > hi[2]  # blue below 1, red above
    with Image.open(path) as im:
        colours = {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert lo in colours and hi in colours


def test_parity_is_tokens_relative_to_english_on_the_same_text(t) -> None:  # noqa: ANN001
    par = report.parity(t)
    docs = [r for r in t.documents if r["parallel_group"] == "g1"]
    tok: dict = {}
    nt: dict = {}
    for r in docs:  # the group's documents of a language, summed
        tok[r["language"], r["tokenizer_id"]] = tok.get((r["language"], r["tokenizer_id"]), 0) + r["tokens"]
        if r["tokenizer_id"] == TOKS[0]:
            nt[r["language"]] = nt.get(r["language"], 0) + r["nt_milli"]
    assert par["ja", TOKS[0]] == pytest.approx(tok["ja", TOKS[0]] / tok["en", TOKS[0]])
    assert par["ja", "nt"] == pytest.approx(nt["ja"] / nt["en"])
    assert not any(lang == "en" for lang, _ in par)


def test_cli_report(cli, t, tmp_path: Path) -> None:  # noqa: ANN001
    code, out, err = cli("report", "--out", str(tmp_path / "r"), "--tables", str(t.dir), "--format", "json")
    assert code == 0, err
    assert (tmp_path / "r" / "index.html").is_file() and "index.html" in out
    code, _, err = cli("report", "--out", str(tmp_path / "r2"), "--tables", str(tmp_path / "missing"))
    assert code == 2 and "no published tables" in err


def test_published_report_is_complete_and_of_the_published_tables() -> None:
    base = Path(__file__).resolve().parents[1] / "spec" / "tables"
    html = (base / "report" / "index.html").read_text(encoding="utf-8")
    for name in re.findall(r'<img src="([^"]+)"', html):
        assert (base / "report" / name).is_file(), name
    t = tables.Tables(base)
    assert f"NT version {t.nt_version}" in html and f"corpus {t.corpus_version}" in html
    for tok in t.metadata["tokenizers"]:
        assert tok["sha256"] in html, "report is stale: run 'normtok report --out spec/tables/report'"
