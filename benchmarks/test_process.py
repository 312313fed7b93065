"""Whole-process benchmarks: what a user waits for, load included.

* ``normtok count -m MODEL FILE`` on 100 MB (``--bench-process-mb``) of English, code and
  Chinese against a fresh Python process running the raw library single-threaded (tiktoken
  ``encode_ordinary``; ``tokenizers`` ``encode_batch`` for DeepSeek; ``sentencepiece`` ``encode``);
  timed as a user runs it (NT-1 column included) and with ``--no-nt`` (tokens only, what the
  ratio goals are about);
* start-up: ``normtok count -m gpt-4o`` on a 1 KB file, and the default model set;
* peak RSS on a large file (``--bench-rss-mb 2048``), per engine.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from normtok.registry import default_ids

from .conftest import BENCH_DIR, FAMILIES, KINDS, corpus_file, record, run_process

NORMTOK = [shutil.which("normtok")] if shutil.which("normtok") else [sys.executable, "-c",
                                                                    "from normtok.cli import main; main()"]

BASELINE = r"""
import json, sys, unicodedata
from normtok.registry import resolve
from normtok.adapters import read_verified, parse_tekken_ranks
from normtok.chunking import count_pieces, split_text, rule_for
tid, path = sys.argv[1], sys.argv[2]
e = resolve(tid)
data = read_verified(e.files[0]).data
text = open(path, encoding="utf-8").read()
if e.format in ("tiktoken", "tekken"):
    import tempfile, tiktoken
    from tiktoken.load import load_tiktoken_bpe
    if e.format == "tekken":
        ranks = parse_tekken_ranks(data)[0]
    else:
        with tempfile.NamedTemporaryFile(suffix=".tiktoken") as tmp:
            tmp.write(data); tmp.flush()
            ranks = load_tiktoken_bpe(tmp.name)
    enc = tiktoken.Encoding(tid, pat_str=e.pattern, mergeable_ranks=ranks, special_tokens={})
    nfc = e.normalization == "NFC"
    # 1 MB pieces cut where counts add up: the speed of one encode_ordinary call, without its 8 bytes per token
    n = sum(len(enc.encode_ordinary(unicodedata.normalize("NFC", p) if nfc else p))
            for p, _ in split_text(text, rule_for(e).policy, 1 << 20))
else:
    rule = rule_for(e)
    pieces = split_text(text, rule.policy, 1 << 20)
    if e.format == "hf":
        from tokenizers import Tokenizer
        spec = json.loads(data); spec["added_tokens"] = []
        tok = Tokenizer.from_str(json.dumps(spec))
        count_many = lambda texts: [len(x) for x in tok.encode_batch(list(texts), add_special_tokens=False)]
    else:
        import sentencepiece
        sp = sentencepiece.SentencePieceProcessor(); sp.LoadFromSerializedProto(data)
        count_many = lambda texts: [len(x) for x in sp.encode(list(texts))]
    n = sum(count_pieces(count_many, rule, pieces))
print(n)
"""

PROCESS_FAMILIES = ["o200k", "cl100k", "llama3", "qwen3.5", "deepseek", "mistral-spm"]


def _normtok_count(args: list[str]) -> tuple[float, int, dict]:
    s, rss, out = run_process([*NORMTOK, "count", "--format", "json", "-q", *args])
    return s, rss, json.loads(out)


@pytest.mark.parametrize("family", PROCESS_FAMILIES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_whole_process(benchmark, request, kind, family):
    mb = request.config.getoption("--bench-process-mb")
    if not mb:
        pytest.skip("--bench-process-mb 0")
    tid = FAMILIES[family]
    path = corpus_file(kind, mb)
    base_s, base_rss, base_out = run_process([sys.executable, "-c", BASELINE, tid, str(path)])
    result = {}

    def run():
        result["s"], result["rss"], result["doc"] = _normtok_count(["-m", tid, str(path)])

    benchmark.pedantic(run, rounds=1, iterations=1)
    doc = result["doc"]
    assert doc["totals"]["tokens"][tid] == int(base_out), "normtok and the raw library disagree"
    tokens_s, _, tokens_doc = _normtok_count(["-m", tid, "--no-nt", str(path)])
    assert tokens_doc["totals"]["tokens"][tid] == int(base_out)
    base_name = {"deepseek": "tokenizers", "mistral-spm": "sentencepiece"}.get(family, "tiktoken 1T")
    goal = {"zh": ">= 4x"}.get(kind, ">= 8x") if family not in ("deepseek", "mistral-spm") else (
        ">= 2.5x" if family == "mistral-spm" else "")
    record("process", text=kind, family=family, MB=round(path.stat().st_size / 1e6), engine=doc["models"][0]["engine"],
           normtok_s=result["s"], normtok_rss_MB=result["rss"], baseline=base_name, baseline_s=base_s,
           ratio=base_s / result["s"], no_nt_s=tokens_s, ratio_no_nt=base_s / tokens_s, goal=goal)


@pytest.fixture(scope="module")
def small_file() -> Path:
    p = BENCH_DIR / "1KB.txt"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    p.write_text(corpus_file("en", 1).read_text(encoding="utf-8")[:1000], encoding="utf-8")
    return p


@pytest.mark.parametrize("case", ["gpt-4o", "default set"])
def test_startup(benchmark, small_file, case):
    args = ["-m", "gpt-4o"] if case == "gpt-4o" else []
    _normtok_count([*args, str(small_file)])  # warm the vocab cache and the page cache
    s, rss, out = run_process([*NORMTOK, "count", "-q", *args, str(small_file)], rounds=7)
    benchmark.pedantic(lambda: None, rounds=1)
    record("startup", case=f"normtok count {' '.join(args) or '(' + str(len(default_ids())) + ' tokenizers)'} 1KB",
           median_s=s, rss_MB=rss, goal_s=0.5 if case == "gpt-4o" else 1.5)


RSS_CASES = [  # (engine, family, fraction of --bench-rss-mb): slow engines get a smaller file
    ("auto", "o200k", 1), ("fastokens", "deepseek", 1), ("bpe-openai", "o200k", 1 / 4), ("tiktoken", "llama3", 1 / 8),
    ("kitoken", "mistral-spm", 1 / 8), ("fastokens", "mistral-spm", 1 / 2), ("reference", "deepseek", 1 / 32),
]


@pytest.mark.parametrize(("eng", "family", "fraction"), RSS_CASES, ids=[f"{e}-{f}" for e, f, _ in RSS_CASES])
def test_peak_rss(benchmark, request, eng, family, fraction):
    mb = request.config.getoption("--bench-rss-mb")
    if not mb:
        pytest.skip("peak RSS needs --bench-rss-mb (the README uses 2048)")
    path = corpus_file("en", max(1, int(mb * fraction)))
    tid = FAMILIES[family]
    result = {}

    def run():
        result["s"], result["rss"], result["doc"] = _normtok_count(["-m", tid, "--engine", eng, str(path)])

    benchmark.pedantic(run, rounds=1, iterations=1)
    record("rss", engine=result["doc"]["models"][0]["engine"], family=family,
           MB=round(path.stat().st_size / 1e6), seconds=result["s"], rss_MB=result["rss"], goal_MB=600)
