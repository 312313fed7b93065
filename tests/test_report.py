"""``normtok report``: an HTML page whose PNG plots show the tables, readable without anything else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from normtok import report, tables
from normtok.errors import NormtokError

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


def test_report_that_cannot_be_written_is_an_error_naming_the_file(cli, t, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "r"
    (out / "parity.png").mkdir(parents=True)  # a directory where a plot goes: the write fails midway
    code, stdout, err = cli("report", "--out", str(out), "--tables", str(t.dir))
    assert code == 2 and stdout == "" and "Traceback" not in err
    assert "cannot write the report" in err and "parity.png" in err


def test_report_from_installed_tables_without_documents_leaves_out_parity_and_says_why(t, tmp_path: Path) -> None:  # noqa: ANN001
    installed = tmp_path / "share"  # what a wheel installs: metadata, ratios and pairs (pyproject data-files)
    installed.mkdir()
    for name in ("metadata.json", "ratios.json", "pairs.json"):
        (installed / name).write_bytes((t.dir / name).read_bytes())
    files = report.render(tmp_path / "out", tables.Tables(installed))
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "parity.png" not in {p.name for p in files} and 'src="parity.png"' not in html
    assert "no <code>documents.json</code>" in html
    assert {"ratios-by-language.png", "ratios-by-domain.png", "spread.png"} <= {p.name for p in files}


def test_report_with_a_tampered_documents_file_is_still_refused(t, tmp_path: Path) -> None:  # noqa: ANN001
    with open(t.dir / "documents.json", "a", encoding="utf-8") as fh:
        fh.write(" ")
    with pytest.raises(NormtokError, match="documents.json does not match the SHA-256"):
        report.render(tmp_path / "out", tables.Tables(t.dir))


def test_dotplot_reference_line_runs_unbroken_through_shaded_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.png"
    rows = [f"r{i}" for i in range(8)]
    report.dotplot(path, "t", rows, ["s"], {(r, "s"): 4.0 for r in rows}, "x", ref=1.0, lo=0.5)
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        top, rh = 44, 18
        ys = [top + i * rh + rh // 2 for i in range(len(rows))]
        columns = [x for x in range(rgb.width) if rgb.getpixel((x, ys[0])) == report.MUTED]
        assert columns, "no reference line"
        # on every row, shaded (odd) or not, the line is there (the shading used to paint over it)
        assert all(rgb.getpixel((columns[0], y)) == report.MUTED for y in ys)


def test_parity_text_says_nt_is_the_same_content_in_every_language(t, tmp_path: Path) -> None:  # noqa: ANN001
    report.render(tmp_path / "out", t)
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    # NT is built to give the same content the same size in every language (spec/README.md): it is the
    # yardstick, not a tokenizer to be tracked
    assert "NT tracks what tokenizers charge" not in html and "same size in every language" in html


def test_published_report_text_is_what_normtok_report_renders_today(tmp_path: Path) -> None:
    """The page in spec/tables/report is re-rendered with the tables (README: build, evaluate, report): its
    text is compared here (the PNG bytes depend on the Pillow version, so only their names are)."""
    base = Path(__file__).resolve().parents[1] / "spec" / "tables"
    files = report.render(tmp_path / "fresh", tables.Tables(base))
    fresh = (tmp_path / "fresh" / "index.html").read_text(encoding="utf-8")
    published = (base / "report" / "index.html").read_text(encoding="utf-8")
    assert published == fresh, "spec/tables/report is stale: run 'normtok report --out spec/tables/report'"
    assert {p.name for p in files} <= {p.name for p in (base / "report").iterdir()}
