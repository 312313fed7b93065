"""User mistakes and odd inputs on every verb: a clear message, the right exit code, no traceback.

Each case here was a traceback, a wrong exit code, a silent drop or polluted stdout before it was
fixed. The ``cli`` fixture runs in-process with ``catch_exceptions=False``, so a traceback fails
the test by raising.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from normtok import tables as tables_lib

ROOT = Path(__file__).resolve().parent.parent
CHAT_LOG = ROOT / "examples" / "audit" / "chat.jsonl"


def _fails(result: tuple[int, str, str], code: int, *messages: str) -> str:
    rc, _out, err = result
    assert rc == code, err
    assert "Traceback" not in err
    for m in messages:
        assert m in err, err
    return err


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    p = tmp_path / "ok.txt"
    p.write_text("hello world\n", encoding="utf-8")
    return p


@pytest.fixture
def not_a_dir(tmp_path: Path) -> Path:
    """A path whose parent is a regular file: no directory can be created there, even as root."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    return blocker / "sub"


# --- count, nt, compare: the PATH arguments --------------------------------------------------------

@pytest.mark.parametrize("verb", [["count", "-m", "gpt-4o", "-q"], ["nt"], ["compare", "-m", "gpt-4o"]])
def test_stdin_twice_is_a_usage_error(cli, verb):
    _fails(cli(*verb, "-", "-", input="hi\n"), 2, "'-' (stdin) can be given only once")


@pytest.mark.parametrize("verb", [["count", "-m", "gpt-4o", "-q"], ["nt"], ["compare", "-m", "gpt-4o"]])
def test_empty_path_argument_is_an_error_not_the_current_directory(cli, text_file, verb):
    rc, out, err = cli(*verb, str(text_file), "", "--format", "json")
    _fails((rc, out, err), 2, "'': empty path argument")
    doc = json.loads(out)
    assert {"path": "''", "reason": "empty path argument"} in doc["errors"]
    if verb[0] != "compare":
        assert [f["path"] for f in doc["files"]] == [str(text_file)]  # the good file is still counted
    else:
        assert doc["files"] == 1


def test_count_same_name_twice_keeps_each_nt(cli, text_file):
    """NT was keyed by file name: the second of two same-named inputs overwrote the first's value."""
    rc, out, err = cli("count", str(text_file), str(text_file), "-m", "gpt-4o", "-q", "--format", "jsonl")
    assert rc == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["nt_milli"] == rows[1]["nt_milli"] > 0
    assert rows[2]["nt_milli"] == 2 * rows[0]["nt_milli"]


@pytest.mark.parametrize("extra", [["-m", "gpt-4o"], ["-m", "gemma-3-27b", "--tokenizer-file", "{file}"]])
def test_count_all_conflicts_with_model(cli, text_file, extra):
    """--all silently won over -m, and with --tokenizer-file loaded one user file for every tokenizer."""
    args = [a.replace("{file}", str(text_file)) for a in extra]
    _fails(cli("count", str(text_file), "--all", *args), 2, "give either --all or -m/--model")


def test_count_empty_tiktoken_file_is_an_error(cli, text_file, tmp_path):
    empty = tmp_path / "empty.tiktoken"
    empty.write_bytes(b"")
    _fails(cli("count", str(text_file), "-m", "kimi-k2", "--tokenizer-file", str(empty)), 2,
           "the vocabulary file has no tokens")


def test_count_tekken_file_without_pattern_is_an_error(cli, text_file, tmp_path):
    bad = tmp_path / "tekken.json"
    bad.write_text(json.dumps({"config": {"default_vocab_size": 1, "default_num_special_tokens": 0},
                               "vocab": [{"rank": 0, "token_bytes": "YQ=="}]}), encoding="utf-8")
    _fails(cli("count", str(text_file), "-m", "mistral/tekken", "--tokenizer-file", str(bad)), 2,
           "not a tekken tokenizer file", "pattern")


def test_nt_text_argument_that_is_not_utf8(cli):
    """Undecodable argv bytes reach Python as lone surrogates; they were measured as if they were text."""
    arg = "a\udced\udca0\udc80"  # the bytes 61 ED A0 80 under surrogateescape
    rc, out, err = cli("nt", "--text", arg, "--text", "ok", "--format", "json")
    _fails((rc, out, err), 2, "--text[0]: invalid UTF-8", "at byte offset 1")
    doc = json.loads(out)
    assert [f["path"] for f in doc["files"]] == ["--text[1]"]
    assert doc["errors"][0]["path"] == "--text[0]"
    rc, out, err = cli("nt", "--text", arg, "--errors", "replace", "--format", "json")
    assert rc == 0, err
    assert json.loads(out)["files"][0]["bytes"] == 4


def test_nt_json_lists_skipped_and_errors(cli, tmp_path, text_file):
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01")
    (tmp_path / "bad.txt").write_bytes(b"ab\xff")
    rc, out, err = cli("nt", str(text_file), str(tmp_path / "bin.dat"), str(tmp_path / "bad.txt"), "--format", "json")
    _fails((rc, out, err), 2, "byte offset 2")
    doc = json.loads(out)
    assert [s["path"] for s in doc["skipped"]] == [str(tmp_path / "bin.dat")]
    assert [e["path"] for e in doc["errors"]] == [str(tmp_path / "bad.txt")]


# --- the registry override --------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not valid UTF-8 JSON"),
    ('{"entries": [5]}', "entries[0]: expected an object, got int"),
    ('{"entries": [{"vendor": "x"}]}', "entries[0]: 'id' must be a non-empty string"),
    ('{"entries": [{"id": "openai/o200k_base", "files": "nope"}]}', "'files' must be a list of file objects"),
    ('{"entries": [{"id": "my/tok", "models": "abc"}]}', "'models' must be a list of strings"),
    ('{"entries": [{"id": "my/tok", "files": [{"path": 5}]}]}', "files[0] must be an object with string fields"),
])
def test_bad_registry_override(cli, text_file, tmp_path, monkeypatch, content, message):
    reg = tmp_path / "registry.json"
    reg.write_text(content, encoding="utf-8")
    monkeypatch.setenv("NORMTOK_REGISTRY", str(reg))
    err = _fails(cli("count", str(text_file), "-m", "gpt-4o", "-q"), 2, message)
    assert "$NORMTOK_REGISTRY" in err


def test_missing_registry_override(cli, text_file, tmp_path, monkeypatch):
    monkeypatch.setenv("NORMTOK_REGISTRY", str(tmp_path / "nope.json"))
    _fails(cli("models"), 2, "cannot read registry", "(from $NORMTOK_REGISTRY): No such file or directory")


def test_registry_pattern_tiktoken_rejects(cli, text_file, tmp_path, monkeypatch):
    ranks = tmp_path / "tiny.tiktoken"
    ranks.write_bytes(b"YQ== 0\nYg== 1\n")
    reg = tmp_path / "registry.json"
    reg.write_text(json.dumps({"entries": [{"id": "test/badpattern", "format": "tiktoken", "pattern": "((",
                                            "files": [{"path": str(ranks)}], "models": ["badpattern-1"]}]}),
                   encoding="utf-8")
    monkeypatch.setenv("NORMTOK_REGISTRY", str(reg))
    _fails(cli("count", str(text_file), "-m", "badpattern-1", "--engine", "reference", "-q"), 2,
           "test/badpattern: tiktoken cannot use this vocabulary and pattern")


# --- convert and the tables --------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "message"), [
    ("1,5", "use '.' for decimals"),
    ("12,34", "not '12,34'"),
    ("1e999", "AMOUNT must be a finite number >= 0, not '1e999'"),
    ("nan", "AMOUNT must be a finite number >= 0, not 'nan'"),
    ("1.7e308", "too large"),
])
def test_convert_bad_amounts(cli, amount, message):
    rc, out, err = cli("convert", "--from", "nt", "--to", "deepseek-v3", "--format", "json", "--", amount)
    _fails((rc, out, err), 2, message)
    assert out == ""


@pytest.mark.parametrize(("amount", "value"), [("1,000", 1000.0), ("1,000,000.5", 1000000.5), ("1_000", 1000.0)])
def test_convert_thousands_separators(cli, amount, value):
    rc, out, err = cli("convert", "--from", "gpt-4o", "--to", "nt", "--format", "json", "--", amount)
    assert rc == 0, err
    assert json.loads(out)["amount"] == value


def _copy_tables(tmp_path: Path) -> Path:
    d = tmp_path / "tables"
    d.mkdir()
    for name in ("metadata.json", "ratios.json", "pairs.json", "documents.json"):
        shutil.copy(tables_lib.default_dir() / name, d / name)
    return d


def _rehash(d: Path, *names: str) -> None:
    """Record the current SHA-256 of hand-edited table files, so the content checks behind the hash check run."""
    meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
    for n in names:
        meta["files"][n] = hashlib.sha256((d / n).read_bytes()).hexdigest()
    (d / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    tables_lib._loaded.clear()


def test_a_table_file_metadata_does_not_list_is_refused(cli, tmp_path):
    d = _copy_tables(tmp_path)
    meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
    del meta["files"]["ratios.json"]
    (d / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    _fails(cli("convert", "1", "--from", "gpt-4o", "--to", "nt", "--tables", str(d)), 2,
           "records no SHA-256 for ratios.json")


@pytest.mark.parametrize("verb", [["convert", "100", "--from", "gpt-4o", "--to", "nt"], ["report"]])
def test_tables_metadata_without_required_fields(cli, tmp_path, verb):
    d = tmp_path / "tables"
    d.mkdir()
    (d / "metadata.json").write_text('{"schema": "normtok.tables/1"}', encoding="utf-8")
    extra = ["--out", str(tmp_path / "rep")] if verb == ["report"] else []
    _fails(cli(*verb, "--tables", str(d), *extra), 2, "not usable tables metadata", "'tokenizers' must be")


def test_tables_metadata_not_an_object(cli, tmp_path):
    d = tmp_path / "tables"
    d.mkdir()
    (d / "metadata.json").write_text("[]", encoding="utf-8")
    _fails(cli("convert", "1", "--from", "gpt-4o", "--to", "nt", "--tables", str(d)), 2, "schema None")


def test_tables_rows_malformed(cli, tmp_path):
    d = _copy_tables(tmp_path)
    (d / "ratios.json").write_text('{"rows": [{"a": 1}]}', encoding="utf-8")
    _rehash(d, "ratios.json")
    _fails(cli("convert", "1", "--from", "gpt-4o", "--to", "nt", "--tables", str(d)), 2,
           "ratios.json: rows[0] is not a ratios row")
    (d / "ratios.json").write_text("not json", encoding="utf-8")
    _rehash(d, "ratios.json")
    _fails(cli("convert", "1", "--from", "gpt-4o", "--to", "nt", "--tables", str(d)), 2,
           "ratios.json: not a tables file")


def test_tables_documents_rows_malformed(cli, tmp_path):
    d = _copy_tables(tmp_path)
    (d / "documents.json").write_text('{"rows": [{"a": 1}]}', encoding="utf-8")
    _rehash(d, "documents.json")
    _fails(cli("tables", "evaluate", "--tables", str(d)), 2, "documents.json: rows[0] is not a documents row")


def test_tables_missing_pair_row(cli, tmp_path):
    d = _copy_tables(tmp_path)
    doc = json.loads((d / "pairs.json").read_text(encoding="utf-8"))
    doc["rows"] = [r for r in doc["rows"] if (r["from_tokenizer_id"], r["to_tokenizer_id"])
                   != ("openai/o200k_base", "deepseek/v3")]
    (d / "pairs.json").write_text(json.dumps(doc), encoding="utf-8")
    _rehash(d, "pairs.json")
    _fails(cli("convert", "1", "--from", "gpt-4o", "--to", "deepseek-v3", "--tables", str(d)), 2,
           "have no row for openai/o200k_base -> deepseek/v3 in class 'chat-global'")


# --- outputs that cannot be written: an error before the work, not a traceback after it --------------

@pytest.mark.parametrize(("verb", "option"), [
    (["report", "--out", "{dir}"], "--out"),
    (["tables", "evaluate", "--write", "{dir}"], "--write"),
    (["tables", "build", "-m", "gpt-4o", "-q", "--out", "{dir}"], "--out"),
    (["spec", "vectors", "--write", "--dir", "{dir}"], "--dir"),
    (["spec", "measure", "--no-speed", "--output", "{dir}/m.md"], "--output"),
])
def test_unwritable_output_directory(cli, not_a_dir, verb, option):
    args = [a.replace("{dir}", str(not_a_dir)) for a in verb]
    rc, out, err = cli(*args, "--format", "json")
    _fails((rc, out, err), 2, f"{option} {not_a_dir}", "cannot write there")
    assert out == ""
    assert "measuring" not in err and "counting" not in err  # refused before the long part


def test_spec_measure_stdout_markdown_conflicts_with_json(cli):
    _fails(cli("spec", "measure", "--output", "-", "--format", "json"), 2, "--output - writes the Markdown report")


@pytest.mark.parametrize(("doc", "message"), [
    ({"nt_version": "NT-1", "cases": [{"id": "a"}]}, "cases[0] is not a test vector"),
    ({"nt_version": "NT-1", "cases": [{"id": "a", "input": 5, "nt_milli": 1}]}, "cases[0] is not a test vector"),
    ({"nt_version": "NT-1", "cases": 5}, "'cases' must be a list"),
])
def test_spec_vectors_malformed(cli, tmp_path, doc, message):
    (tmp_path / "v.json").write_text(json.dumps(doc), encoding="utf-8")
    _fails(cli("spec", "vectors", "--dir", str(tmp_path)), 2, message)


# --- compare: price files --------------------------------------------------------------------------

PRICE_HEADER = "model,provider,currency,input,cached_input,output,date,source\n"


def test_compare_unknown_model_in_price_file_is_reported_with_its_line(cli, text_file, tmp_path):
    prices = tmp_path / "p.csv"
    prices.write_text(PRICE_HEADER + "gpt-4o,OpenAI,USD,2.5,,10,2026-11-01,https://x\n"
                      "foo-bar-9,X,USD,1,,1,2026-11-01,https://y\n", encoding="utf-8")
    rc, out, err = cli("compare", str(text_file), "--prices", str(prices), "--format", "json")
    _fails((rc, out, err), 2, "p.csv: line 3: unknown model or tokenizer 'foo-bar-9'")
    doc = json.loads(out)
    assert [m["model"] for m in doc["models"]] == ["gpt-4o"]  # the good entry is still used
    assert any("foo-bar-9" in e["reason"] for e in doc["errors"])


def test_compare_price_file_without_usable_entry_says_why(cli, text_file, tmp_path):
    prices = tmp_path / "p.json"
    prices.write_text(json.dumps({"prices": [1, {"model": "gpt-4o"}]}), encoding="utf-8")
    _fails(cli("compare", str(text_file), "--prices", str(prices)), 2, "prices[0] (line 1): entry is not an object",
           "'currency' is required", "has no usable entry")


# --- audit ------------------------------------------------------------------------------------------

def test_audit_file_named_gz_that_is_not_gzip(cli, tmp_path):
    p = tmp_path / "log.jsonl.gz"
    p.write_bytes(b"hello\n")
    _fails(cli("audit", str(p)), 2, "not a readable gzip file")


def test_audit_truncated_gzip_keeps_the_records_read(cli, tmp_path):
    data = gzip.compress(CHAT_LOG.read_bytes())
    p = tmp_path / "log.jsonl.gz"
    p.write_bytes(data[: len(data) * 2 // 3])
    rc, out, err = cli("audit", str(p), "--format", "json", "--fingerprint-sample", "0")
    _fails((rc, out, err), 2, "gzip stream corrupt or truncated after line")
    doc = json.loads(out)
    assert doc["malformed"]["count"] == 1
    assert doc["input"]["records"] > 1


def test_audit_deeply_nested_json_is_a_malformed_record(cli, tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    _fails(cli("audit", str(p), "--fingerprint-sample", "0"), 2, "deep.jsonl:1: not a usable JSON record: nested")


def test_audit_csv_invalid_utf8_names_column_and_offset(cli, tmp_path):
    p = tmp_path / "flat.csv"
    p.write_bytes(b"id,model,prompt,completion,prompt_tokens,completion_tokens\n"
                  b"r1,gpt-4o,hi,there,1,1\nr2,gpt-4o,hi\xff,x,1,1\n")
    _fails(cli("audit", str(p), "--fingerprint-sample", "0"), 2,
           "flat.csv:3: invalid UTF-8 in column 'prompt' at byte offset 2 of the field (byte 0xff)")


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_audit_out_in_missing_directory(cli, tmp_path, suffix):
    """Parquet opened its file only at the first batch: a traceback after the counting had started."""
    rc, out, err = cli("audit", str(CHAT_LOG), "--out", str(tmp_path / "no" / f"r{suffix}"), "--format", "json")
    _fails((rc, out, err), 2, "cannot write", "No such file or directory")
    assert out == ""


def test_audit_unknown_model_option_suggests(cli, tmp_path):
    p = tmp_path / "flat.csv"
    p.write_text("prompt,completion,prompt_tokens,completion_tokens\nhi,there,1,1\n", encoding="utf-8")
    _fails(cli("audit", str(p), "-m", "gtp-4o"), 2, "unknown model or tokenizer 'gtp-4o'", "Did you mean: gpt-4o")


# --- pipes ------------------------------------------------------------------------------------------

def test_closed_pipe_is_not_a_traceback():
    """``normtok nt --explain README.md --format jsonl | head -1`` (far more than a pipe buffer): no traceback."""
    code = "import sys; from normtok.cli import main; sys.argv = ['normtok'] + sys.argv[1:]; main()"
    args = ["nt", "--explain", "--format", "jsonl", str(ROOT / "README.md")]
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=60)
    assert json.loads(first)["run"] == 1
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert rc == 0


@pytest.mark.parametrize("verb", [["count", "-m", "gpt-4o", "-"], ["audit", "-"]])
def test_closed_stdin(verb):
    """``normtok count - <&-`` (cron, some CI runners): sys.stdin is None; it was an AttributeError traceback."""
    code = "import sys; from normtok.cli import main; sys.argv = ['normtok'] + sys.argv[1:]; main()"
    proc = subprocess.run([sys.executable, "-c", code, *verb], capture_output=True, text=True, timeout=60,
                          preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2, proc.stderr
    assert "'-': stdin is closed" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_audit_lone_surrogate_escape_is_a_malformed_record(cli, tmp_path):
    """'\\ud800' in a JSON line is no text a tokenizer accepts: the HF tokenizer raised TypeError (traceback)."""
    p = tmp_path / "log.jsonl"
    good = {"id": "ok", "model": "gpt-4o", "prompt": "a \U0001F600", "completion": "b", "prompt_tokens": 3,
            "completion_tokens": 1}
    p.write_text('{"id": "x", "model": "gpt-4o", "prompt": "a\\ud800", "completion": "b", "prompt_tokens": 1, '
                 '"completion_tokens": 1}\n' + json.dumps(good) + "\n", encoding="utf-8")
    rc, out, err = cli("audit", str(p), "--format", "json")
    _fails((rc, out, err), 2, "log.jsonl:1: prompt: a lone surrogate escape")
    doc = json.loads(out)
    assert doc["malformed"]["count"] == 1 and doc["input"]["records"] == 2  # the pair (an emoji) is fine


def test_json_output_is_utf8_for_a_file_name_that_is_not(tmp_path):
    """A file name with the byte FF was written raw into the JSON: the document did not decode as UTF-8."""
    from click.testing import CliRunner

    from normtok.cli import main

    name = os.fsdecode(b"bad\xff.txt")
    (tmp_path / name).write_text("hi\n", encoding="utf-8")
    for verb in (["count", "-m", "gpt-4o", "-q"], ["nt"]):
        for fmt in ("json", "jsonl"):
            result = CliRunner().invoke(main, [*verb, str(tmp_path), "--format", fmt], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            text = result.stdout_bytes.decode("utf-8")  # strict
            paths = [r["path"] for r in json.loads(text)["files"]] if fmt == "json" else \
                [json.loads(line)["path"] for line in text.splitlines()][:1]
            assert os.fsencode(paths[0]).endswith(b"bad\xff.txt")


@pytest.mark.parametrize("version", ["v1", "v2", "v3", "v4"])
def test_corpus_verify_bad_manifest_names_it_once(cli, tmp_path, version):
    (tmp_path / version).mkdir()
    (tmp_path / version / "manifest.json").write_text("{bad", encoding="utf-8")
    rc, out, err = cli("corpus", "verify", "--root", str(tmp_path), "--version", version, "--format", "json")
    assert rc == 1, err
    [problem] = json.loads(out)["problems"]
    assert problem["subject"] == str(tmp_path / version / "manifest.json")
    assert problem["message"].startswith("not valid UTF-8 JSON") and str(tmp_path) not in problem["message"]


def test_count_jobs_beyond_the_cores_is_capped(cli, text_file, monkeypatch):
    """-j 64 on 2 cores would start 64 workers (each loads the vocabulary) for no speed."""
    from normtok import engines

    monkeypatch.setattr(engines, "default_jobs", lambda: 2)
    rc, out, err = cli("count", str(text_file), "-m", "gpt-4o", "-j", "64", "--format", "json")
    assert rc == 0, err
    assert "-j 64 is more than the 2 core(s) here; using 2" in err
    assert json.loads(out)["totals"]["files"] == 1


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_audit_max_discrepancy_must_be_finite(cli, value):
    """nan disabled the gate (exit 0 with an over-billed record) and wrote NaN into the JSON document."""
    rc, out, err = cli("audit", str(CHAT_LOG), "--max-discrepancy", value, "--format", "json")
    _fails((rc, out, err), 2, "is not a finite percentage")
    assert out == ""


def test_tables_evaluate_check_with_nothing_scored_fails(cli):
    rc, out, err = cli("tables", "evaluate", "--min-characters", "1000000000", "--check", "--format", "json")
    _fails((rc, out, err), 1, "--check: no evaluation row of kind 'specific' to check")
    assert json.loads(out)["rows"] == []


@pytest.mark.parametrize("verb", [["count", "-m", "gpt-4o", "-q"], ["nt"]])
def test_nothing_matched_is_said(cli, tmp_path, text_file, verb):
    rc, out, err = cli(*verb, str(tmp_path), "--include", "*.md", "--format", "csv")
    assert rc == 0, err
    assert "warning: no input files" in err
    assert out.splitlines()[-1].startswith("total,")
