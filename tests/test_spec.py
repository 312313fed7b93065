"""spec/ cannot drift from the code: worked examples, tables, vectors, the JavaScript implementation,
the calibration and the generated measurement report are all checked here."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from normtok import calibrate, corpus
from normtok import nt as N

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
JS = SPEC / "reference" / "nt.mjs"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node (20+) is not installed")
VALUES = {**N.WEIGHTS, **N.RUN_PARAMS}


# -------------------------------------------------------------------------------------------------
# worked examples in the prose
# -------------------------------------------------------------------------------------------------

EXAMPLE = re.compile(r"```nt-example\n(.*?)```", re.S)
RUN = re.compile(r'^("(?:[^"\\]|\\.)*") ([WDLPX]) (\d+)\+(\d+)$')


def examples() -> list[tuple[str, str, list[tuple[str, str, int, int]], int]]:
    """(where, input, runs, nt_milli) of every nt-example block in spec/*.md."""
    out = []
    for md in sorted(SPEC.glob("*.md")):
        for i, m in enumerate(EXAMPLE.finditer(md.read_text(encoding="utf-8"))):
            fields = dict(line.split(": ", 1) if ": " in line else (line.rstrip(":"), "")
                          for line in m.group(1).strip().splitlines())
            runs = []
            for part in filter(None, (p.strip() for p in fields.get("runs", "").split(" | "))):
                rm = RUN.match(part)
                assert rm, f"{md.name} example {i}: cannot parse run {part!r}"
                runs.append((json.loads(rm[1]), rm[2], int(rm[3]), int(rm[4])))
            out.append((f"{md.name}#{i}", json.loads(fields["input"]), runs, int(fields["nt_milli"])))
    return out


def test_spec_has_worked_examples():
    ex = examples()
    assert len(ex) >= 12
    assert any(e[1] == "" for e in ex) and any("\n" in e[1] for e in ex)
    assert {r[1] for e in ex for r in e[2]} == {"W", "D", "L", "P", "X"}


@pytest.mark.parametrize("where,text,runs,value", examples(), ids=[e[0] for e in examples()])
def test_worked_example_matches_the_reference_implementation(where, text, runs, value):
    assert N.nt_milli(text) == value
    assert N.nt_milli_reference(text) == value
    assert [(r.text, r.cls, r.weight, r.run_weight) for r in N.explain(text)] == runs
    assert sum(w + rw for _, _, w, rw in runs) == value


@needs_node
def test_worked_examples_match_the_javascript_implementation(tmp_path):
    cases = [{"id": w, "input": t, "nt_milli": v, "note": ""} for w, t, _, v in examples()]
    f = tmp_path / "examples.json"
    f.write_text(json.dumps({"nt_version": "NT-1", "cases": cases}), encoding="utf-8")
    result = _node("check", str(f))
    assert result["failed"] == [] and result["passed"] == len(cases)


# -------------------------------------------------------------------------------------------------
# Tables 1 and 2, calibration table, and the JavaScript copy of the table
# -------------------------------------------------------------------------------------------------

def _md_table(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(header))
    rows = []
    for ln in lines[start + 2:]:
        if not ln.startswith("|"):
            break
        rows.append([c.strip() for c in ln.strip().strip("|").split("|")])
    return rows


def test_table_1_in_the_spec_is_the_implementation_table():
    rows = _md_table((SPEC / "nt-1.md").read_text(encoding="utf-8"), "| first | last | class | weight |")
    got = [(int(a, 16), int(b, 16), c, w) for a, b, c, w, *_ in rows]
    assert got == [(r.first, r.last, r.cls, r.weight) for r in N.ROWS]


def test_table_2_in_the_spec_is_the_implementation_constants():
    rows = _md_table((SPEC / "nt-1.md").read_text(encoding="utf-8"), "| name | value | applies to |")
    assert {name: int(value) for name, value, *_ in rows} == VALUES
    assert [name for name, *_ in rows] == list(N.PARAMS)


def test_calibration_document_lists_the_frozen_constants():
    rows = _md_table((SPEC / "calibration.md").read_text(encoding="utf-8"), "| constant | value | unrounded |")
    assert {c: int(v) for c, v, *_ in rows} == VALUES


def test_javascript_table_and_constants_are_the_spec_ones():
    src = JS.read_text(encoding="utf-8")
    table = re.search(r"const TABLE = `\n(.*?)\n`;", src, re.S)[1]
    got = [(int(a, 16), int(b, 16), c, w) for a, b, c, w in (ln.split() for ln in table.strip().splitlines())]
    assert got == [(r.first, r.last, r.cls, r.weight) for r in N.ROWS]
    consts = dict((k, int(v)) for k, v in re.findall(r"^  ([A-Z_]+): (\d+),?$", src, re.M))
    assert consts == VALUES


# -------------------------------------------------------------------------------------------------
# test vectors
# -------------------------------------------------------------------------------------------------

def _vector_files() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((SPEC / "vectors").glob("*.json"))}


def test_vectors_cover_every_row_class_and_edge_case():
    files = _vector_files()
    cases = [c for doc in files.values() for c in doc["cases"]]
    assert len(cases) >= 200
    for name, doc in files.items():
        assert doc["nt_version"] == "NT-1" and doc["count"] == len(doc["cases"])
        assert len({c["id"] for c in doc["cases"]}) == len(doc["cases"]), name
    singles = {c["input"] for c in cases if len(c["input"]) == 1}
    for r in N.ROWS:
        assert chr(r.first) in singles and chr(r.last) in singles, r
    inputs = [c["input"] for c in cases]
    for needed in ["", "\x00", "\ud800", "\ufffe", "\U0010ffff", "\u0301", "\U00040000", "\ue000\uf8ff"]:
        assert needed in inputs
    assert any(len(t) >= 10_000 for t in inputs)
    assert {cls for t in inputs for cls in {N.classify(ord(ch)).cls for ch in t}} == set(N.CLASSES)


def test_vectors_match_the_generator_and_the_reference():
    built = calibrate.build_vectors()
    on_disk = _vector_files()
    assert set(built) == set(on_disk)
    for name, doc in built.items():
        assert [(c["id"], c["input"], c["nt_milli"]) for c in doc["cases"]] == \
            [(c["id"], c["input"], c["nt_milli"]) for c in on_disk[name]["cases"]], name


def test_normalisation_sensitive_vectors_use_old_code_points():
    old = unicodedata.ucd_3_2_0
    for name, doc in _vector_files().items():
        for c in doc["cases"]:
            s = c["input"]
            marks = {unicodedata.combining(ch) for ch in s} - {0}
            if unicodedata.normalize("NFC", s) != s or len(marks) > 1:
                late = [f"U+{ord(ch):04X}" for ch in s if not 0xD800 <= ord(ch) <= 0xDFFF and old.category(ch) == "Cn"]
                assert not late, (name, c["id"], late)


def test_cli_vectors_check_passes_and_detects_a_wrong_vector(cli, tmp_path):
    code, out, err = cli("spec", "vectors", "--check", "--format", "json")
    assert code == 0, err
    assert sum(r["passed"] for r in json.loads(out)) == sum(len(d["cases"]) for d in _vector_files().values())
    bad = tmp_path / "v"
    shutil.copytree(SPEC / "vectors", bad)
    doc = json.loads((bad / "runs.json").read_text(encoding="utf-8"))
    doc["cases"][0]["nt_milli"] += 1
    (bad / "runs.json").write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = cli("spec", "vectors", "--dir", str(bad))
    assert code == 1 and "FAIL runs.json space-lone" in err
    (bad / "runs.json").write_text("{not json", encoding="utf-8")
    code, _, err = cli("spec", "vectors", "--dir", str(bad))
    assert code == 2 and "not a vector file" in err and "Traceback" not in err


def test_cli_vectors_write_reproduces_the_files(cli, tmp_path):
    code, _, err = cli("spec", "vectors", "--write", "--dir", str(tmp_path))
    assert code == 0, err
    for p in (SPEC / "vectors").glob("*.json"):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes()


# -------------------------------------------------------------------------------------------------
# the JavaScript implementation, under Node
# -------------------------------------------------------------------------------------------------

def _node(*args: str) -> dict:
    proc = subprocess.run([NODE, str(JS), *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@needs_node
def test_javascript_passes_every_vector():
    files = [str(p) for p in sorted((SPEC / "vectors").glob("*.json"))]
    result = _node("check", *files)
    assert result["failed"] == []
    assert result["passed"] == sum(len(d["cases"]) for d in _vector_files().values())


@needs_node
def test_javascript_detects_a_wrong_vector(tmp_path):
    doc = {"nt_version": "NT-1", "cases": [{"id": "x", "input": "Hello, world!", "nt_milli": 3915}]}
    (tmp_path / "v.json").write_text(json.dumps(doc), encoding="utf-8")
    proc = subprocess.run([NODE, str(JS), "check", str(tmp_path / "v.json")], capture_output=True, text=True)
    assert proc.returncode == 1 and json.loads(proc.stdout)["failed"][0]["got"] == 3914


@needs_node
def test_javascript_equals_python_on_the_whole_corpus():
    docs = corpus.load_manifest()
    proc = subprocess.run([NODE, str(JS), "files", *[str(d.file) for d in docs]], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    js = {path: int(v) for v, path in (ln.split("\t", 1) for ln in proc.stdout.splitlines())}
    py = N.nt_milli_many([d.text() for d in docs])
    diffs = [(d.id, js[str(d.file)], v) for d, v in zip(docs, py) if js[str(d.file)] != v]
    assert not diffs
    assert len(js) == len(docs) == 348 or len(js) == len(docs)


# -------------------------------------------------------------------------------------------------
# calibration and measurement
# -------------------------------------------------------------------------------------------------

def test_calibration_reproduces_the_frozen_constants():
    result = calibrate.calibrate()
    assert result.constants == VALUES
    assert result.rho == 0.17
    # no constant sits near a rounding boundary, so the derivation is robust to numerical noise
    for p, v in result.unrounded.items():
        assert abs(v - round(v)) < 0.49 or v == round(v), p
    assert result.provenance["nt_version"] == "NT-1"


class _Stop(Exception):
    pass


def test_nt1_calibration_and_measurement_stay_on_corpus_v1(monkeypatch):
    """NT-1's constants are frozen on v1: calibrate and measure read v1 even though v4 is the default."""
    assert corpus.CORPUS_VERSION == "v4" and calibrate.CORPUS_VERSION == "v1"
    prov = calibrate.provenance()
    v1_manifest = corpus.manifest_path(version="v1").read_bytes()
    assert prov["corpus_version"] == "v1" and prov["manifest_sha256"] == hashlib.sha256(v1_manifest).hexdigest()

    def spy(*args, **kwargs):
        raise _Stop(kwargs.get("version"))

    monkeypatch.setattr(corpus, "iter_documents", spy)
    for run in (lambda: calibrate.load_documents(tokenizers=()), lambda: calibrate.measure(speed=False)):
        with pytest.raises(_Stop) as stopped:
            run()
        assert stopped.value.args == ("v1",)


def test_cli_calibrate_exit_codes(cli, monkeypatch):
    code, out, err = cli("spec", "calibrate", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["match"] is True and {r["constant"] for r in doc["constants"]} == set(VALUES)
    monkeypatch.setattr(calibrate, "frozen", lambda: {**VALUES, "LETTER": VALUES["LETTER"] + 1})
    code, out, err = cli("spec", "calibrate")
    assert code == 1 and "LETTER" in err


def test_parallelism_rule_excludes_incomplete_documents():
    a = calibrate.Doc("x", "am", "prose", "prose", "g", 100, {}, blocks=36)
    e = calibrate.Doc("y", "en", "prose", "prose", "g", 100, {}, blocks=47)
    assert not calibrate.is_parallel(a, e)
    assert calibrate.is_parallel(calibrate.Doc("z", "fr", "prose", "prose", "g", 100, {}, blocks=45), e)
    assert calibrate.blocks("a\n\nb\n \nc\n") == 3 and calibrate.blocks("") == 0


@pytest.mark.slow
def test_measurements_md_is_generated_and_current(cli, tmp_path):
    """spec/measurements.md is the output of `normtok spec measure` (only the timings may differ)."""
    out = tmp_path / "m.md"
    code, stdout, err = cli("spec", "measure", "--no-speed", "--output", str(out), "--format", "json")
    assert code == 0, err
    targets = {t["target"]: t["met"] for t in json.loads(stdout)}
    assert all(v for k, v in targets.items() if not k.startswith("speed")), targets

    def strip_speed(text: str) -> str:
        return re.sub(r"\| speed: .*\n", "", re.sub(r"## 4\. Speed.*?(?=## 5\.)", "", text, flags=re.S))

    assert strip_speed(out.read_text(encoding="utf-8")) == \
        strip_speed((SPEC / "measurements.md").read_text(encoding="utf-8"))


def test_relative_links_in_the_spec_resolve():
    for md in SPEC.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", md.read_text(encoding="utf-8")):
            assert (md.parent / target).exists(), (md.name, target)
