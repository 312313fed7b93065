"""A small multilingual sample for differential tests: 25+ languages, code, JSON, emoji, edge cases.

Prose lines are Article 1 of the Universal Declaration of Human Rights (public domain) and
similar short sentences; the rest exercises the pre-tokenizers' corner cases.
"""

PROSE = {
    "en": "All human beings are born free and equal in dignity and rights. They are endowed with reason "
          "and conscience and should act towards one another in a spirit of brotherhood.",
    "zh-Hans": "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。",
    "zh-Hant": "人人生而自由，在尊嚴和權利上一律平等。他們賦有理性和良心，並應以兄弟關係的精神相對待。",
    "ja": "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。",
    "ko": "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.",
    "ru": "Все люди рождаются свободными и равными в своем достоинстве и правах.",
    "uk": "Всі люди народжуються вільними і рівними у своїй гідності та правах.",
    "ar": "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق.",
    "fa": "تمام افراد بشر آزاد به دنیا می‌آیند و از لحاظ حیثیت و حقوق با هم برابرند.",
    "he": "כל בני האדם נולדו בני חורין ושווים בערכם ובזכויותיהם.",
    "hi": "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।",
    "bn": "সমস্ত মানুষ স্বাধীনভাবে সমান মর্যাদা এবং অধিকার নিয়ে জন্মগ্রহণ করে।",
    "ta": "மனிதப் பிறவியினர் சகலரும் சுதந்திரமாகவே பிறக்கின்றனர்; அவர்கள் மதிப்பிலும், உரிமைகளிலும் சமமானவர்கள்.",
    "th": "มนุษย์ทั้งหลายเกิดมามีอิสระและเสมอภาคกันในเกียรติศักด[ิ์]และสิทธิ",
    "vi": "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền lợi.",
    "id": "Semua orang dilahirkan merdeka dan mempunyai martabat dan hak-hak yang sama.",
    "tr": "Bütün insanlar hür, haysiyet ve haklar bakımından eşit doğarlar.",
    "es": "Todos los seres humanos nacen libres e iguales en dignidad y derechos.",
    "fr": "Tous les êtres humains naissent libres et égaux en dignité et en droits.",
    "de": "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
    "pt": "Todos os seres humanos nascem livres e iguais em dignidade e em direitos.",
    "it": "Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti.",
    "nl": "Alle mensen worden vrij en gelijk in waardigheid en rechten geboren.",
    "pl": "Wszyscy ludzie rodzą się wolni i równi pod względem swej godności i swych praw.",
    "sw": "Watu wote wamezaliwa huru, hadhi na haki zao ni sawa.",
    "el": "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα.",
    "am": "የሰው ልጅ ሁሉሲወለድ ነጻና በክብርና በመብትም እኩልነት ያለው ነው።",
    "my": "လူတိုင်းသည် တူညီ လွတ်လပ်သော ဂုဏ်သိက္ခာဖြင့် လည်းကောင်း၊",
}

CODE = {
    "python": 'def count(text: str, *, model: str = "gpt-4o") -> int:\n    """Count."""\n'
              "    if not text:\n        return 0\n\treturn len(tokenizer(model).encode(text))  # tab\n",
    "javascript": "const xs = [1, 2, 3].map((x) => x * 2);\nconsole.log(`sum=${xs.reduce((a, b) => a + b, 0)}`);\n",
    "rust": "fn main() {\n    let v: Vec<u64> = (0..10).collect();\n    println!(\"{:?}\", v);\n}\n",
    "sql": "SELECT id, COUNT(*) AS n FROM usage WHERE model = 'gpt-4o' GROUP BY id HAVING n > 1000;\n",
    "shell": "#!/bin/sh\nset -eu\nfor f in *.txt; do wc -c \"$f\"; done | sort -n | tail -3\n",
}

STRUCTURED = {
    "json": '{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}], '
            '"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]}',
    "jsonrpc": '{"jsonrpc":"2.0","id":17,"method":"tools/call","params":{"name":"search","arguments":{"q":"東京"}}}',
    "csv": "id,amount,currency\n1,1234567.89,USD\n2,0.000001,EUR\n",
    "yaml": "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q\n",
    "latex": r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2} \quad \sum_{n=1}^{\infty} \frac{1}{n^2}",
}

EDGE = {
    "emoji_zwj": "👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, 👍🏽 skin tone, 🧑🏿‍💻 coder, 1️⃣ keycap",
    "combining": "e\u0301 a\u0300\u0323 \u0301lone mark, Z\u0351\u0358\u0359\u035a\u0361algo",
    "digits": "3141592653589793238462643383279502884197169399375105820974944592 and 1,000,000.00",
    "whitespace": "a    b\t\t\tc\n\n\n\n  \n        indented\r\n\r\nend   \u00a0\u3000 ",
    "specials": "<|endoftext|> <|im_start|>user\nhi<|im_end|> <s>[INST] x [/INST]</s> <|begin_of_text|>"
                "<|eot_id|> <｜begin▁of▁sentence｜><｜User｜><think>",
    "mojibake": "Ã©tÃ© â€œquotedâ€\x9d Ð\x9fÑ€Ð¸Ð²ÐµÑ‚",
    "mixed": "Tokyo 東京 Москва القاهرة मुंबई Bangkok กรุงเทพ 서울",
    "control": "nul\x00byte bell\x07 del\x7f noncharacter\ufffe\uffff private\ue000 astral\U0001f600\U00020000",
    "empty": "",
    "single_space": " ",
}

ALL = {**{f"prose:{k}": v for k, v in PROSE.items()}, **{f"code:{k}": v for k, v in CODE.items()},
       **{f"structured:{k}": v for k, v in STRUCTURED.items()}, **{f"edge:{k}": v for k, v in EDGE.items()}}
