"""Chat-format overhead: what a vendor adds around the content of a chat request and reply.

A bill counts more than the content: role headers, control tokens, injected tool schemas,
default system prompts, the end-of-turn token of a reply. This module renders a chat the
way each vendor's own format does, as a list of segments:

- ``text``: template text (role names, separators) tokenized with the content tokenizer;
- ``content``: a message's text (its exact count is the *content* part of the bill);
- ``special``: control tokens (one token each; a plain constant for OpenAI's documented rule);
- ``break``: a boundary where the vendor encodes separately (no merge across it).

Adjacent text and content segments form one piece, as the vendor's tokenizer sees it, so the
template total is exact even where content merges with surrounding template text; the
overhead is ``template total - content tokens``. Counting is done by the caller, batched
(:meth:`Render.texts` then :meth:`Render.evaluate`). Mistral formats are encoded by
``mistral-common`` itself, which implements them.

Every render carries a label: ``exact`` (the format is reproduced and counted exactly),
``estimated`` (with an interval ``[low, high]`` around the point value), or ``unknown``
(the format is not known: say so, never guess).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .registry import TokenizerEntry

EXACT, ESTIMATED, UNKNOWN = "exact", "estimated", "unknown"
LABEL_ORDER = {EXACT: 0, ESTIMATED: 1, UNKNOWN: 2}

#: Content categories of a prompt / completion, used by the bill breakdown.
SYSTEM, MESSAGE, COMPLETION, REASONING = "system", "message", "completion", "reasoning"


# ----------------------------------------------------------------------------- the chat model


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str
    type: str = "function"


@dataclass(frozen=True)
class Message:
    """One chat message, already validated (see ``normtok.audit``)."""

    role: str
    content: str | None
    name: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    text_parts: int = 1
    media_parts: int = 0
    reasoning: str | None = None


@dataclass(frozen=True)
class Chat:
    messages: tuple[Message, ...]
    tools: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Choice:
    """One generated reply: the assistant message and why generation stopped."""

    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: str | None = None
    finish_reason: str | None = None
    media_parts: int = 0


# ----------------------------------------------------------------------------- segments and renders


@dataclass(frozen=True)
class Seg:
    kind: str  # text | content | special | break
    text: str = ""
    category: str = ""
    n: int = 0
    original: str | None = None  # content as sent, when the template alters it (trim)


def T(s: str) -> Seg:
    return Seg("text", s)


def C(s: str | None, category: str, shown: str | None = None) -> Seg:
    s = s or ""
    return Seg("content", s if shown is None else shown, category, original=s)


def S(n: int = 1) -> Seg:
    return Seg("special", n=n)


BREAK = Seg("break")


@dataclass
class Tally:
    """A render evaluated with one tokenizer's counts."""

    total: int
    low: int
    high: int
    content: dict[str, int]
    tools: int
    label: str
    notes: tuple[str, ...] = ()

    @property
    def content_total(self) -> int:
        return sum(self.content.values())

    @property
    def template(self) -> int:
        """Template overhead: everything that is neither content nor tool definitions."""
        return self.total - self.content_total - self.tools


@dataclass
class Render:
    """One side (prompt or completion) of a chat as a vendor format lays it out."""

    fmt: str
    segments: list[Seg] = field(default_factory=list)
    label: str = EXACT
    low: int = 0  # interval offsets around the point total (<= 0 and >= 0)
    high: int = 0
    tools: list[str] = field(default_factory=list)  # tool-definition text, for attribution
    tools_const: int = 0
    fixed: int | None = None  # total computed by the vendor's own library
    notes: list[str] = field(default_factory=list)
    _pieces: tuple[int, tuple[list[str], int]] | None = field(default=None, repr=False, compare=False)

    def estimate(self, low: int, high: int, note: str) -> None:
        """Widen the interval for a component whose tokens are not known exactly."""
        self.low += low
        self.high += high
        if self.label == EXACT:
            self.label = ESTIMATED
        if note not in self.notes:
            self.notes.append(note)

    def unknown(self, note: str) -> Render:
        self.label = UNKNOWN
        if note not in self.notes:
            self.notes.append(note)
        return self

    def pieces(self) -> tuple[list[str], int]:
        """Texts the tokenizer sees between control tokens, and the number of control tokens."""
        key = len(self.segments)
        if self._pieces is not None and self._pieces[0] == key:
            return self._pieces[1]
        self._pieces = (key, self._split())
        return self._pieces[1]

    def _split(self) -> tuple[list[str], int]:
        out: list[str] = []
        cur: list[str] = []
        specials = 0
        for s in self.segments:
            if s.kind in ("text", "content"):
                cur.append(s.text)
                continue
            if cur:
                out.append("".join(cur))
                cur = []
            specials += s.n
        if cur:
            out.append("".join(cur))
        return [p for p in out if p], specials

    def contents(self) -> list[tuple[str, str]]:
        return [(s.category, s.original or "") for s in self.segments if s.kind == "content"]

    def texts(self) -> set[str]:
        """Every string whose count :meth:`evaluate` needs."""
        if self.label == UNKNOWN:
            return set()
        need = {t for _, t in self.contents()} | set(self.tools)
        if self.fixed is None:
            need.update(self.pieces()[0])
        need.discard("")
        return need

    def evaluate(self, counts: Mapping[str, int]) -> Tally:
        def n(t: str) -> int:
            return counts[t] if t else 0

        content: dict[str, int] = {}
        for cat, text in self.contents():
            content[cat] = content.get(cat, 0) + n(text)
        tools = sum(n(t) for t in self.tools) + self.tools_const
        if self.label == UNKNOWN:
            return Tally(0, 0, 0, content, tools, UNKNOWN, tuple(self.notes))
        if self.fixed is not None:
            total = self.fixed
        else:
            pieces, specials = self.pieces()
            total = sum(n(p) for p in pieces) + specials
        return Tally(total, total + self.low, total + self.high, content, tools, self.label, tuple(self.notes))


def combine(tallies: Sequence[Tally]) -> Tally:
    """Several plausible renderings of one side: the first is the point value, the interval spans all."""
    first = tallies[0]
    notes = tuple(dict.fromkeys(n for t in tallies for n in t.notes))
    if any(t.label == UNKNOWN for t in tallies):
        return Tally(0, 0, 0, first.content, first.tools, UNKNOWN, notes)
    low, high = min(t.low for t in tallies), max(t.high for t in tallies)
    label = EXACT if low == high and all(t.label == EXACT for t in tallies) else ESTIMATED
    if len({t.total for t in tallies}) > 1:
        notes += ("several chat formats are plausible for this model; the interval spans them",)
    return Tally(first.total, low, high, first.content, first.tools, label, notes)


# ----------------------------------------------------------------------------- helpers


def _category(role: str) -> str:
    return SYSTEM if role in ("system", "developer") else MESSAGE


def tojson(value: Any) -> str:
    """Jinja ``tojson`` as Hugging Face chat templates define it (no ASCII escaping, default separators)."""
    return json.dumps(value, ensure_ascii=False)


def _arguments(call: ToolCall) -> Any:
    """Arguments as servers hand them to templates: parsed JSON when it parses (vLLM does this)."""
    try:
        return json.loads(call.arguments)
    except ValueError:
        return call.arguments


def _media(render: Render, parts: int) -> bool:
    if parts:
        render.unknown("image/audio input: its tokens depend on the vendor's media encoder and are not counted")
        return True
    return False


def _multi_text(render: Render, m: Message) -> None:
    if m.text_parts > 1:
        render.estimate(-(m.text_parts - 1), m.text_parts - 1,
                        "content given as several text parts: joined with newlines (how servers join them varies)")


def _end_of_turn(render: Render, choice: Choice, point: int) -> None:
    """The end-of-turn token: billed by some servers, not by others, unless generation hit the length limit."""
    if choice.finish_reason == "length":
        return
    render.segments += [BREAK, S(point)] if point else [BREAK]
    render.estimate(-point, 1 - point, "end-of-turn token: billed by some servers and not others (0 or 1 token)")


# ----------------------------------------------------------------------------- OpenAI

#: Models on which the openai-cookbook "How to count tokens with tiktoken" rule was verified against the API.
OPENAI_VERIFIED = re.compile(r"^(ft:)?(gpt-3\.5-turbo|gpt-35-turbo|gpt-4(-|$|:)|gpt-4o|chatgpt-4o)")
#: Function-definition constants of the cookbook's num_tokens_for_tools (func_init, prop_init, prop_key,
#: enum_init, enum_item, func_end), per model family.
OPENAI_TOOL_CONSTANTS = {"gpt-4o": (7, 3, 3, -3, 3, 12), "gpt-4": (10, 3, 3, -3, 3, 12)}


def _openai_prompt(chat: Chat, model: str, legacy: bool = False) -> Render:
    """The documented rule: 3 tokens per message + its values, +1 for a name, +3 to prime the reply."""
    r = Render("openai-0301" if legacy else "openai")
    per_message, per_name = (4, -1) if legacy else (3, 1)
    verified = bool(OPENAI_VERIFIED.match(model.lower().rsplit("/", 1)[-1]))
    for m in chat.messages:
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        r.segments += [S(per_message), BREAK, T(m.role), BREAK, C(m.content, _category(m.role)), BREAK]
        if m.name:
            r.segments += [T(m.name), BREAK, S(per_name)]
        for call in m.tool_calls:
            r.segments += [T(call.name), BREAK, T(call.arguments), BREAK, S(3)]
            r.estimate(-3, 3, "tool calls in the conversation: OpenAI does not document their rendering")
        if m.role == "tool" and m.tool_call_id:
            r.estimate(-2, 2, "tool results: OpenAI does not document their rendering")
    r.segments += [S(3)]
    if chat.tools:
        _openai_tools(r, chat.tools, model)
    if not verified:
        n = len(chat.messages) + 3
        r.estimate(-n, n, f"the per-message rule is documented for gpt-3.5/gpt-4/gpt-4o, not verified for {model}")
    return r


def _openai_tools(r: Render, tools: Sequence[Mapping[str, Any]], model: str) -> None:
    """Tool definitions, counted as the openai-cookbook's num_tokens_for_tools does (an estimate)."""
    family = "gpt-4" if re.match(r"^(ft:)?(gpt-4(-|$)|gpt-3\.5|gpt-35)", model.lower()) else "gpt-4o"
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = OPENAI_TOOL_CONSTANTS[family]
    const = 0
    for tool in tools:
        fn = tool.get("function", tool) if isinstance(tool, Mapping) else {}
        const += func_init
        desc = str(fn.get("description") or "")
        r.tools.append(f"{fn.get('name', '')}:{desc[:-1] if desc.endswith('.') else desc}")
        props = (fn.get("parameters") or {}).get("properties") or {}
        if props:
            const += prop_init
            for key, spec in props.items():
                spec = spec if isinstance(spec, Mapping) else {}
                const += prop_key
                if isinstance(spec.get("enum"), list):
                    const += enum_init
                    for item in spec["enum"]:
                        const += enum_item
                        r.tools.append(str(item))
                p_desc = str(spec.get("description") or "")
                r.tools.append(f"{key}:{spec.get('type', '')}:{p_desc[:-1] if p_desc.endswith('.') else p_desc}")
    const += func_end
    r.tools_const = const
    r.segments += [BREAK, *[x for t in r.tools for x in (T(t), BREAK)], S(const)]
    approx = 5 + sum(len(t) for t in r.tools) // 40  # ~10% of the tool text's tokens (about 4 chars/token)
    r.estimate(-approx, approx, "tool definitions: openai-cookbook estimate (num_tokens_for_tools); "
                                "nested schemas are not covered")


def _undocumented_reasoning(r: Render, ch: Choice) -> None:
    """Visible reasoning in a format whose framing tokens are not published: counted, framing estimated."""
    if ch.reasoning:
        r.segments += [BREAK, C(ch.reasoning, REASONING)]
        r.estimate(-2, 2, "visible reasoning text: its framing tokens are not documented")


def _openai_completion(choices: Sequence[Choice]) -> Render:
    r = Render("openai")
    for ch in choices:
        if _media(r, ch.media_parts):
            return r
        _undocumented_reasoning(r, ch)
        r.segments += [BREAK, C(ch.content, COMPLETION)]
        for call in ch.tool_calls:
            r.segments += [BREAK, T(call.name), BREAK, T(call.arguments), BREAK, S(3)]
            r.estimate(-3, 3, "tool calls in the reply: OpenAI does not document their rendering")
        _end_of_turn(r, ch, 0)
    return r


# ----------------------------------------------------------------------------- ChatML (Qwen)

QWEN25_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
QWEN2_DEFAULT_SYSTEM = "You are a helpful assistant."
CHATML_TOOLS_HEAD = ("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                     "You are provided with function signatures within <tools></tools> XML tags:\n<tools>")


def _chatml_tools_block(tools: Sequence[Mapping[str, Any]]) -> list[Seg]:
    # <tool_call> and </tool_call> are added tokens of Qwen2.5+ vocabularies: one token wherever they appear
    body = "".join("\n" + tojson(dict(t)) for t in tools)
    return [T(CHATML_TOOLS_HEAD + body + "\n</tools>\n\nFor each function call, return a json object with function "
              "name and arguments within "), S(2), T(" XML tags:\n"), S(),
            T('\n{"name": <function-name>, "arguments": <args-json-object>}\n'), S()]


def _chatml_call(call: ToolCall) -> list[Seg]:
    args = _arguments(call)
    args_text = args if isinstance(args, str) else tojson(args)
    return [S(), T('\n{"name": "' + call.name + '", "arguments": ' + args_text + "}\n"), S()]


def _chatml_prompt(chat: Chat, default_system: str | None, name: str, qwen3: bool) -> Render:
    """Qwen's ChatML template (Qwen2/2.5 insert a default system prompt; Qwen3 does not)."""
    r = Render(name)
    msgs = list(chat.messages)
    first_system = bool(msgs) and msgs[0].role in ("system", "developer")
    if chat.tools:
        r.segments += [S(), T("system\n")]
        if first_system:
            r.segments += [C(msgs[0].content, SYSTEM), T("\n\n")]
        elif default_system:
            r.segments += [T(default_system + "\n\n")]
        r.segments += _chatml_tools_block(chat.tools)
        r.segments += [S(), T("\n")]
        r.tools.append(CHATML_TOOLS_HEAD + "".join("\n" + tojson(dict(t)) for t in chat.tools))
        r.estimate(-2, 2, "tool definitions: rendered as Qwen's chat template does (reproduced, not vendor-verified)")
    elif first_system:
        r.segments += [S(), T("system\n"), C(msgs[0].content, SYSTEM), S(), T("\n")]
    elif default_system:
        r.segments += [S(), T("system\n" + default_system), S(), T("\n")]
    for i, m in enumerate(msgs):
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        if i == 0 and first_system:
            continue
        if m.role == "tool":
            if i == 0 or msgs[i - 1].role != "tool":
                r.segments += [S(), T("user")]
            if qwen3:  # <tool_response> is an added token from Qwen3 on
                r.segments += [T("\n"), S(), T("\n"), C(m.content, MESSAGE), T("\n"), S()]
            else:
                r.segments += [T("\n<tool_response>\n"), C(m.content, MESSAGE), T("\n</tool_response>")]
            if i == len(msgs) - 1 or msgs[i + 1].role != "tool":
                r.segments += [S(), T("\n")]
            continue
        role = "system" if m.role == "developer" else m.role
        r.segments += [S(), T(role + "\n"), C(m.content, _category(m.role))]
        if m.role == "assistant" and m.tool_calls:
            for j, call in enumerate(m.tool_calls):
                if j or m.content:
                    r.segments += [T("\n")]
                r.segments += _chatml_call(call)
            r.estimate(-2 * len(m.tool_calls), 2 * len(m.tool_calls),
                       "tool calls in the conversation: argument formatting varies between servers")
        r.segments += [S(), T("\n")]
    r.segments += [S(), T("assistant\n")]
    return r


def _chatml_completion(choices: Sequence[Choice], name: str) -> Render:
    r = Render(name)
    for ch in choices:
        if _media(r, ch.media_parts):
            return r
        r.segments.append(BREAK)
        if ch.reasoning:
            r.segments += [S(), T("\n"), C(ch.reasoning, REASONING), T("\n"), S(), T("\n\n")]
            r.estimate(-2, 2, "visible reasoning: <think> framing differs between model versions")
        r.segments += [C(ch.content, COMPLETION)]
        for j, call in enumerate(ch.tool_calls):
            if j or ch.content:
                r.segments += [T("\n")]
            r.segments += _chatml_call(call)
        if ch.tool_calls:
            r.estimate(-2 * len(ch.tool_calls), 2 * len(ch.tool_calls),
                       "tool calls in the reply: argument formatting varies between servers")
        _end_of_turn(r, ch, 1)
    return r


# ----------------------------------------------------------------------------- Llama 3 / Llama 4


def _llama_header(role: str) -> list[Seg]:
    # llama_models ChatFormat._encode_header: role and "\n\n" are encoded apart from the content
    return [S(), T("ipython" if role == "tool" else role), S(), BREAK, T("\n\n"), BREAK]


def _llama_call(call: ToolCall) -> str:
    return tojson({"type": "function", "name": call.name, "parameters": _arguments(call)})


def _llama_ref_prompt(chat: Chat, name: str) -> Render:
    """Meta's reference chat format (llama_models ChatFormat.encode_dialog_prompt), Llama 3 and 4 alike."""
    r = Render(name)
    if chat.tools:
        return r.unknown(f"tool definitions: the {name} system-prompt format for custom tools is not reproduced")
    r.segments += [S()]
    for m in chat.messages:
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        role = "system" if m.role == "developer" else m.role
        r.segments += [*_llama_header(role), C(m.content, _category(m.role)), BREAK]
        for call in m.tool_calls:
            r.segments += [T(_llama_call(call)), BREAK]
            r.estimate(-3, 3, "tool calls in the conversation: rendered in Meta's JSON tool-call format")
        r.segments += [S()]
    r.segments += _llama_header("assistant")
    return r


LLAMA31_PREAMBLE = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"


def _llama_hf_prompt(chat: Chat, preamble: bool, name: str) -> Render:
    """The Hugging Face chat templates of Llama 3 (and 3.1+ with its dated system preamble)."""
    r = Render(name)
    if chat.tools:
        return r.unknown(f"tool definitions: the {name} tool prompt is not reproduced")
    msgs = list(chat.messages)
    r.segments += [S()]
    if preamble:
        sys_msg = msgs.pop(0) if msgs and msgs[0].role == "system" else None
        r.segments += [S(), T("system"), S(), T("\n\n" + LLAMA31_PREAMBLE)]
        if sys_msg is not None:
            r.segments += [C(sys_msg.content, SYSTEM, (sys_msg.content or "").strip())]
        r.segments += [S()]
        r.estimate(-1, 1, "Llama 3.1+ system preamble: the date it renders varies by server")
    for m in msgs:
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        role = "system" if m.role == "developer" else m.role
        if preamble and role == "tool":
            role = "ipython"
        text = (m.content or "").strip()
        r.segments += [S(), T(role), S(), T("\n\n"), C(m.content, _category(m.role), text)]
        for call in m.tool_calls:
            r.segments += [T(_llama_call(call))]
            r.estimate(-3, 3, "tool calls in the conversation: rendered in Meta's JSON tool-call format")
        r.segments += [S()]
    r.segments += [S(), T("assistant"), S(), T("\n\n")]
    return r


def _llama_completion(choices: Sequence[Choice], name: str) -> Render:
    r = Render(name)
    for ch in choices:
        if _media(r, ch.media_parts):
            return r
        _undocumented_reasoning(r, ch)
        r.segments += [BREAK, C(ch.content, COMPLETION), BREAK]
        for call in ch.tool_calls:
            r.segments += [T(_llama_call(call)), BREAK]
            r.estimate(-3, 3, "tool calls in the reply: rendered in Meta's JSON tool-call format")
        _end_of_turn(r, ch, 1)
    return r


# ----------------------------------------------------------------------------- DeepSeek V3


def _deepseek_prompt(chat: Chat, name: str, think_prefix: bool = False) -> Render:
    """DeepSeek-V3 chat template: <｜begin▁of▁sentence｜>{system}<｜User｜>..<｜Assistant｜>..<｜end▁of▁sentence｜>"""
    r = Render(name)
    if chat.tools:
        return r.unknown("tool definitions: DeepSeek's tool prompt differs between V3 releases and is not reproduced")
    systems = [m for m in chat.messages if m.role in ("system", "developer")]
    r.segments += [S()]
    for i, m in enumerate(systems):
        if i:
            r.segments += [T("\n\n")]
        r.segments += [C(m.content, SYSTEM)]
    is_tool = False
    first_output = True
    first_call = True
    for m in chat.messages:
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        if m.role in ("system", "developer"):
            continue
        if m.role == "user":
            is_tool = False
            r.segments += [S(), C(m.content, MESSAGE)]
        elif m.role == "assistant" and m.tool_calls:
            is_tool = False
            for call in m.tool_calls:
                body = call.name + "\n```json\n" + call.arguments + "\n```"
                if first_call:  # <｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>type<｜tool▁sep｜>..
                    r.segments += [S(3), T(call.type), S(), T(body), S()]
                    first_call = False
                else:  # the template closes the call list only after a second call
                    r.segments += [T("\n"), S(), T(call.type), S(), T(body), S(), S(2)]
            r.estimate(-2 * len(m.tool_calls), 2 * len(m.tool_calls),
                       "tool calls in the conversation: DeepSeek's template renders them inconsistently")
        elif m.role == "assistant":  # <｜Assistant｜> (or <｜tool▁outputs▁end｜>) content <｜end▁of▁sentence｜>
            is_tool = False
            r.segments += [S(), C(m.content, MESSAGE), S()]
        elif m.role == "tool":
            is_tool = True
            if first_output:
                r.segments += [S(2), C(m.content, MESSAGE), S()]
                first_output = False
            else:
                r.segments += [T("\n"), S(), C(m.content, MESSAGE), S()]
    if is_tool:
        r.segments += [S()]
    else:
        r.segments += [S()]
        if think_prefix:
            r.segments += [S()]
    return r


def _deepseek_completion(choices: Sequence[Choice], name: str) -> Render:
    r = Render(name)
    for ch in choices:
        if _media(r, ch.media_parts):
            return r
        r.segments.append(BREAK)
        if ch.reasoning:
            r.segments += [C(ch.reasoning, REASONING), T("\n"), S(), T("\n\n")]
            r.estimate(-2, 2, "visible reasoning: <think> framing differs between DeepSeek releases")
        r.segments += [C(ch.content, COMPLETION)]
        for call in ch.tool_calls:
            r.segments += [S(), T(call.type), S(), T(call.name + "\n```json\n" + call.arguments + "\n```"), S()]
        if ch.tool_calls:
            r.segments += [S()]
            r.estimate(-2 * len(ch.tool_calls), 2 * len(ch.tool_calls),
                       "tool calls in the reply: DeepSeek's tool-call framing")
        _end_of_turn(r, ch, 1)
    return r


# ----------------------------------------------------------------------------- Mistral (mistral-common)

#: Mistral instruct formats: name -> tokenizer file shipped in mistral-common.
MISTRAL_FILES = {
    "mistral-v1": "tokenizer.model.v1",
    "mistral-v2": "mistral_instruct_tokenizer_240216.model.v2",
    "mistral-v3": "mistral_instruct_tokenizer_240323.model.v3",
    "mistral-v7": "mistral_instruct_tokenizer_241114.model.v7",
    "mistral-v3-tekken": "tekken_240718.json",
    "mistral-v3-tekken-mm": "tekken_240911.json",
}
#: mistral-common's own model table (MistralTokenizer MODEL_NAME_TO_TOKENIZER_CLS), plus undated aliases.
MISTRAL_MODELS = {
    "ministral-8b-2410": "mistral-v3-tekken", "open-mistral-nemo-2407": "mistral-v3-tekken",
    "open-mistral-nemo": "mistral-v3-tekken", "mistral-nemo": "mistral-v3-tekken",
    "mistral-small-2409": "mistral-v3-tekken", "pixtral-12b-2409": "mistral-v3-tekken-mm",
    "pixtral-12b": "mistral-v3-tekken-mm", "mistral-tiny-2312": "mistral-v2", "mistral-small-2312": "mistral-v2",
    "mistral-small-2402": "mistral-v2", "mistral-large-2402": "mistral-v2", "mistral-medium-2312": "mistral-v1",
    "mistral-tiny-2407": "mistral-v3", "open-mixtral-8x22b-2404": "mistral-v3", "open-mixtral-8x22b": "mistral-v3",
    "mixtral-8x22b": "mistral-v3", "mistral-large-2407": "mistral-v3", "codestral-2405": "mistral-v3",
    "codestral-22b": "mistral-v3", "codestral-mamba-2407": "mistral-v3", "mistral-large-2411": "mistral-v7",
    "mistral-large-2411-spm": "mistral-v7", "open-mistral-7b": "mistral-v1", "mistral-7b": "mistral-v1",
    "open-mixtral-8x7b": "mistral-v1", "mixtral-8x7b": "mistral-v1",
}


@lru_cache(maxsize=8)
def mistral_tokenizer(fmt: str) -> Any:
    """mistral-common's tokenizer for a format (loaded once; the file's hash is checked against the registry)."""
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    from .adapters import read_verified
    from .registry import entries

    filename = MISTRAL_FILES[fmt]
    for e in entries().values():
        for ref in (*e.files, *e.alternate_files):
            if ref.module == "mistral_common" and (ref.path or "").endswith(filename):
                read_verified(ref)  # raises on a modified file
    return MistralTokenizer.from_file(str(MistralTokenizer._data_path() / filename))


def _openai_dicts(chat: Chat) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in chat.messages:
        d: dict[str, Any] = {"role": "system" if m.role == "developer" else m.role, "content": m.content or ""}
        if m.tool_calls:
            d["tool_calls"] = [{"id": f"call{i:05d}", "type": "function",
                                "function": {"name": c.name, "arguments": c.arguments}}
                               for i, c in enumerate(m.tool_calls)]
        if m.role == "tool":
            d["tool_call_id"] = m.tool_call_id or "call00000"
            if m.name:
                d["name"] = m.name
        out.append(d)
    return out


def _mistral_prompt(chat: Chat, name: str) -> Render:
    """Encoded by mistral-common, which implements Mistral's instruct formats."""
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    r = Render(name)
    for m in chat.messages:
        if _media(r, m.media_parts):
            return r
        _multi_text(r, m)
        r.segments.append(C(m.content, _category(m.role)))
    try:
        request = ChatCompletionRequest.from_openai(_openai_dicts(chat), tools=[dict(t) for t in chat.tools] or None)
        r.fixed = len(mistral_tokenizer(name).encode_chat_completion(request).tokens)
    except Exception as exc:  # mistral-common raises its own and pydantic validation errors
        return r.unknown(f"mistral-common cannot encode this conversation ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:120]})")
    if chat.tools:
        r.tools.append(tojson([dict(t) for t in chat.tools]))
    return r


def _mistral_completion(choices: Sequence[Choice], name: str) -> Render:
    r = Render(name)
    for ch in choices:
        if _media(r, ch.media_parts):
            return r
        _undocumented_reasoning(r, ch)
        r.segments += [BREAK, C(ch.content, COMPLETION), BREAK]
        if ch.tool_calls:
            calls = [{"name": c.name, "arguments": _arguments(c)} for c in ch.tool_calls]
            r.segments += [S(), T(tojson(calls)), BREAK]
            r.estimate(-2, 2, "tool calls in the reply: [TOOL_CALLS] framing differs between versions")
        _end_of_turn(r, ch, 1)
    return r


# ----------------------------------------------------------------------------- raw text (no template)


def _raw_prompt(chat: Chat) -> Render:
    r = Render("raw")
    for m in chat.messages:
        if _media(r, m.media_parts):
            return r
        r.segments += [BREAK, C(m.content, _category(m.role))]
    return r


def _raw_completion(choices: Sequence[Choice]) -> Render:
    r = Render("raw")
    for ch in choices:
        r.segments += [BREAK, C(ch.reasoning, REASONING), BREAK, C(ch.content, COMPLETION)]
    return r


# ----------------------------------------------------------------------------- format table

FORMATS: dict[str, str] = {
    "openai": "OpenAI's documented per-message rule (openai-cookbook); tools estimated",
    "openai-0301": "OpenAI gpt-3.5-turbo-0301 rule (4 per message, name replaces role)",
    "chatml": "ChatML as in Qwen3's chat template (no default system prompt)",
    "chatml-qwen2.5": "ChatML as in Qwen2.5's chat template (default system prompt inserted)",
    "chatml-qwen2": "ChatML as in Qwen2's chat template ('You are a helpful assistant.' inserted)",
    "llama3": "Meta's reference Llama 3 chat format (llama_models ChatFormat)",
    "llama3-hf": "Llama 3's Hugging Face chat template (content trimmed)",
    "llama3.1-hf": "Llama 3.1+ Hugging Face chat template (dated system preamble, content trimmed)",
    "llama4": "Meta's reference Llama 4 chat format (llama_models llama4 ChatFormat)",
    "deepseek-v3": "DeepSeek-V3 chat template",
    "deepseek-v3.1": "DeepSeek-V3.1+ chat template (one think-mode token after <｜Assistant｜>)",
    **{k: f"Mistral instruct format via mistral-common ({v})" for k, v in MISTRAL_FILES.items()},
    "raw": "no template: the texts are billed as they are (completion/embedding endpoints)",
}


def render_prompt(fmt: str, chat: Chat, model: str = "") -> Render:
    """The prompt side of ``chat`` in format ``fmt``."""
    if fmt in ("openai", "openai-0301"):
        return _openai_prompt(chat, model, legacy=fmt == "openai-0301")
    if fmt == "chatml":
        return _chatml_prompt(chat, None, fmt, qwen3=True)
    if fmt == "chatml-qwen2.5":
        return _chatml_prompt(chat, QWEN25_DEFAULT_SYSTEM, fmt, qwen3=False)
    if fmt == "chatml-qwen2":
        return _chatml_prompt(chat, QWEN2_DEFAULT_SYSTEM, fmt, qwen3=False)
    if fmt in ("llama3", "llama4"):
        return _llama_ref_prompt(chat, fmt)
    if fmt in ("llama3-hf", "llama3.1-hf"):
        return _llama_hf_prompt(chat, fmt == "llama3.1-hf", fmt)
    if fmt in ("deepseek-v3", "deepseek-v3.1"):
        return _deepseek_prompt(chat, fmt, think_prefix=fmt == "deepseek-v3.1")
    if fmt in MISTRAL_FILES:
        return _mistral_prompt(chat, fmt)
    if fmt == "raw":
        return _raw_prompt(chat)
    return Render(fmt).unknown(f"chat format {fmt!r} is not known")


def render_completion(fmt: str, choices: Sequence[Choice]) -> Render:
    """The completion side (the generated replies) in format ``fmt``."""
    if fmt.startswith("openai"):
        return _openai_completion(choices)
    if fmt.startswith("chatml"):
        return _chatml_completion(choices, fmt)
    if fmt.startswith("llama"):
        return _llama_completion(choices, fmt)
    if fmt.startswith("deepseek"):
        return _deepseek_completion(choices, fmt)
    if fmt in MISTRAL_FILES:
        return _mistral_completion(choices, fmt)
    if fmt == "raw":
        return _raw_completion(choices)
    return Render(fmt).unknown(f"chat format {fmt!r} is not known")


@dataclass(frozen=True)
class FormatChoice:
    """The chat formats that may have produced a bill for a model: one (exact) or several (an interval)."""

    formats: tuple[str, ...]
    note: str = ""

    @property
    def name(self) -> str:
        return "|".join(self.formats) if self.formats else "unknown"


#: (tokenizer id, model-name regex, formats): first match wins, before the per-tokenizer defaults.
MODEL_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("openai/cl100k_base", r"^(ft:)?gpt-3\.5-turbo-0301", ("openai-0301",)),
    ("qwen/qwen2.5", r"^qwen2\.5", ("chatml-qwen2.5",)),
    ("qwen/qwen2.5", r"^qwen2-", ("chatml-qwen2",)),
    ("qwen/qwen2.5", r"^(qwen3|qwq)", ("chatml",)),
    ("meta/llama3", r"^(meta-)?llama-?3(-|$)", ("llama3", "llama3-hf")),
    ("deepseek/v3", r"^deepseek-v3(-0324)?$", ("deepseek-v3",)),
)
#: Default formats per tokenizer family (also the candidates the bill fingerprint tries).
TOKENIZER_FORMATS: dict[str, tuple[str, ...]] = {
    "openai/o200k_base": ("openai",),
    "openai/cl100k_base": ("openai",),
    "meta/llama3": ("llama3", "llama3.1-hf"),
    "meta/llama4": ("llama4",),
    "qwen/qwen2.5": ("chatml-qwen2.5", "chatml"),
    "qwen/qwen3.5": ("chatml",),
    "deepseek/v3": ("deepseek-v3", "deepseek-v3.1"),
    "mistral/tekken": ("mistral-v3-tekken",),
    "mistral/spm": ("mistral-v1", "mistral-v3", "mistral-v7"),
}


def formats_for(entry: TokenizerEntry, model: str) -> FormatChoice:
    """The chat formats a bill for ``model`` (served by ``entry``'s tokenizer) may have been rendered with."""
    name = model.lower().rsplit("/", 1)[-1]
    if entry.id.startswith("mistral/"):
        fmt = MISTRAL_MODELS.get(name)
        own = TOKENIZER_FORMATS[entry.id] + (("mistral-v3-tekken-mm",) if entry.id == "mistral/tekken" else ())
        if fmt in own:
            return FormatChoice((fmt,))
        return FormatChoice(TOKENIZER_FORMATS[entry.id],
                            f"{model} is not in mistral-common's model table: every shipped {entry.id} format is tried")
    for tok_id, pattern, fmts in MODEL_RULES:
        if tok_id == entry.id and re.match(pattern, name):
            return FormatChoice(fmts)
    if entry.id in TOKENIZER_FORMATS:
        return FormatChoice(TOKENIZER_FORMATS[entry.id])
    return FormatChoice((), f"no chat format is known for {entry.id}")


def fingerprint_formats(entry: TokenizerEntry) -> tuple[str, ...]:
    """The formats tried for a tokenizer when fingerprinting a bill (``raw`` when none is known)."""
    return TOKENIZER_FORMATS.get(entry.id, ("raw",))
