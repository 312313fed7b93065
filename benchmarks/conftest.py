"""Benchmark fixtures: texts built from the reference corpus, and a summary of ratios at the end.

Run with ``pytest benchmarks/ --benchmark-only`` (never collected by the default ``pytest`` run,
whose ``testpaths`` is ``tests``). Every goal of the fast path is a *ratio* measured in one run
against the raw libraries, so a busy machine slows both sides alike; the summary printed at the
end (and written to ``$NORMTOK_BENCH_DIR/summary.md``) is what ``benchmarks/README.md`` quotes.

Texts: English prose, Chinese prose and source code from ``corpora/v1``, paragraphs shuffled
(deterministically) and repeated to the size asked. The corpus is 4 MB, so large texts repeat
paragraphs; engines with pre-token caches (fastokens) benefit from that as they would from any
natural text, which repeats 96-98% of its pre-tokens (see ``/work/shared/research``).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from normtok.corpus import iter_documents

MB = 1 << 20
BENCH_DIR = Path(os.environ.get("NORMTOK_BENCH_DIR") or Path(tempfile.gettempdir()) / "normtok-bench")
KINDS = {
    "en": {"language": "en", "domain": "prose"},
    "zh": {"language": ["zh-Hans", "zh-Hant"], "domain": "prose"},
    "code": {"domain": "code"},
}
#: benchmark family -> tokenizer id
FAMILIES = {
    "o200k": "openai/o200k_base",
    "cl100k": "openai/cl100k_base",
    "llama3": "meta/llama3",
    "qwen3.5": "qwen/qwen3.5",
    "deepseek": "deepseek/v3",
    "tekken": "mistral/tekken",
    "mistral-spm": "mistral/spm",
}

RESULTS: list[dict] = []


def pytest_addoption(parser):
    g = parser.getgroup("normtok benchmarks")
    g.addoption("--bench-text-mb", type=int, default=12, help="size of the in-process throughput texts (MB)")
    g.addoption("--bench-process-mb", type=int, default=100, help="size of the whole-process texts (MB); 0 skips")
    g.addoption("--bench-rss-mb", type=int, default=0, help="size of the peak-RSS file (MB); 0 skips (README: 2048)")


def corpus_file(kind: str, mb: int) -> Path:
    """A text of about ``mb`` MB of one kind, cached in BENCH_DIR."""
    path = BENCH_DIR / f"{kind}-{mb}MB.txt"
    if path.exists() and path.stat().st_size >= mb * MB:
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paragraphs = [p for _, text in iter_documents(**KINDS[kind]) for p in text.split("\n\n") if p.strip()]
    rnd = random.Random(f"{kind}-{mb}")
    tmp = path.with_suffix(".tmp")
    written = 0
    with tmp.open("w", encoding="utf-8") as fh:
        while written < mb * MB:
            rnd.shuffle(paragraphs)
            block = "\n\n".join(paragraphs) + "\n\n"
            fh.write(block)
            written += len(block.encode("utf-8"))
    tmp.replace(path)
    return path


def record(section: str, **row) -> None:
    RESULTS.append({"section": section, **row})


def run_process(cmd: list[str], rounds: int = 1) -> tuple[float, int, str]:
    """(median wall seconds, peak RSS MB, stdout) of a command run in a fresh process."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "dt = time.perf_counter() - t\n"
             "sys.stderr.write(p.stderr)\n"
             "assert p.returncode == 0, p.returncode\n"
             "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
             "print(p.stdout, end='')\n")
    times, rss, out = [], 0, ""
    for _ in range(rounds):
        r = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"{cmd} failed: {r.stderr[-2000:]}")
        first, _, out = r.stdout.partition("\n")
        dt, peak = first.split()
        times.append(float(dt))
        rss = max(rss, int(peak))
    return statistics.median(times), rss, out


def timed(fn, rounds: int = 1):
    """(best wall seconds, result) of ``fn()``."""
    best, result = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def _table(rows: list[dict], cols: list[str]) -> str:
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        out.append("| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |")
    return "\n".join(out)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if v < 100 else f"{v:.0f}"
    return "" if v is None else str(v)


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    parts = []
    sections = {
        "throughput": ["text", "family", "engine", "normtok_MBps", "baseline", "baseline_MBps", "ratio", "goal"],
        "all-defaults": ["text", "engines", "normtok_MBps", "baselines_MBps", "ratio"],
        "nt": ["text", "nt_MBps", "tiktoken_o200k_MBps", "ratio", "goal"],
        "process": ["text", "family", "MB", "engine", "normtok_s", "normtok_rss_MB", "baseline", "baseline_s",
                    "ratio", "no_nt_s", "ratio_no_nt", "goal"],
        "startup": ["case", "median_s", "rss_MB", "goal_s"],
        "load": ["tokenizer", "engine", "load_s"],
        "rss": ["engine", "family", "MB", "seconds", "rss_MB", "goal_MB"],
        "j2": ["text", "normtok_MBps", "vendor_MBps", "ratio", "bare_model_MBps", "goal"],
    }
    for name, cols in sections.items():
        rows = [r for r in RESULTS if r["section"] == name]
        if rows:
            parts.append(f"### {name}\n\n{_table(rows, cols)}\n")
    text = "\n".join(parts)
    terminalreporter.write_sep("=", "normtok benchmark summary")
    terminalreporter.write_line(text)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "summary.md").write_text(text, encoding="utf-8")
    (BENCH_DIR / "summary.json").write_text(json.dumps(RESULTS, indent=1), encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def _machine(request):
    """Record the machine and versions with the results."""
    import platform

    from normtok import engines

    record("machine", python=platform.python_version(), cpus=engines.default_jobs(),
           load=os.getloadavg()[0], versions={n: engines.installed_version(n) for n in engines.INFO})
    yield
