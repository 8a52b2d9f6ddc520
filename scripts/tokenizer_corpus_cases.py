"""Hand-written hard cases for the tokenizer corpus (see make_tokenizer_corpus.py)."""

CODE = [
    '#include <vector>\n\nint main(int argc, char** argv) {\n    std::vector<int> v{1, 2, 3};\n    for (auto& x : v) x *= 2;\n    return v.size() > 2 ? 0 : 1;\n}\n',
    'def fib(n):\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n',
    'class Foo(Bar):\n\tdef __init__(self):\n\t\tsuper().__init__()\n\t\tself.x = {"a": [1, 2.5e-3, None]}\r\n',
    '{"name": "find_user_id_by_email", "arguments": {"email": "mia.garcia@example.com"}}',
    'SELECT id, name FROM users WHERE age >= 18 AND name LIKE \'%son\' ORDER BY id DESC;',
    'for f in *.txt; do echo "$f" | sed -e \'s/\\.txt$/.md/\'; done 2>&1 | tee log.txt',
    '<div class="row"><a href="https://example.com/?q=1&amp;r=2">link</a></div>',
    'const re = /^(?:[a-z0-9!#$%&\'*+/=?^_`{|}~-]+)@example\\.com$/i;',
    'if (x != nullptr && *x == \'\\0\') { return -1; } // early out',
    '    indented with four spaces\n        and eight\n\t\tand two tabs\n',
    'fn main() -> Result<(), Box<dyn Error>> { let v: Vec<u8> = vec![0xFF; 16]; Ok(()) }',
    '| col a | col b |\n|---|---:|\n| 1 | 2 |\n',
    '```python\nprint("hello")\n```\n',
    'x=1;y=2;z=x+y*3/4-5%6**7//8',
    '!!!???...,,,;;;:::---___===+++',
    'e^{i\\pi} + 1 = 0 \\quad \\sum_{k=0}^{\\infty} \\frac{x^k}{k!}',
    '0x7fff_ffff 1e10 3.14159 -42 +7 1_000_000 0b1011 0o777',
]

EMOJI = [
    'I love it 😍😍😍', '👨‍👩‍👧‍👦 family', '🏳️‍🌈 flag', '👍🏽 thumbs', '🇺🇸🇫🇷🇯🇵', '1️⃣2️⃣#️⃣',
    '🧑🏿‍🚀 astronaut', '❤️‍🔥', '👩‍❤️‍💋‍👨', 'a😀b😀c', '😀', '🫠🫡🫶', '☺︎ text style ☺️ emoji style',
    '🎉🎉 Party time!! 🎉🎉', 'emoji at end 🚀', '🚀emoji at start',
]

SCRIPTS = [
    '你好，世界！今天天气很好。', '我喜欢这部电影，但是结局太突然了。', '日本語のテキストです。カタカナとひらがな。',
    '東京タワーは333メートルです', '한국어 문장입니다. 잘 부탁드립니다!', 'مرحبا بالعالم، كيف حالك؟',
    'العربية: ١٢٣٤٥٦٧٨٩٠ أرقام', 'שלום עולם', 'नमस्ते दुनिया, यह एक परीक्षण है।', 'สวัสดีครับ ภาษาไทย',
    'Привет, мир! Ёлка и ёжик.', 'Γειά σου Κόσμε· ΣΊΣΥΦΟΣ σίσυφος', 'Ἀθῆναι ᾧ ὅτι', 'ქართული ენა',
    'Հայերեն լեզու', 'ኢትዮጵያ', 'Tiếng Việt có dấu: Trường Sơn, Nguyễn', 'Türkçe: İstanbul ıı İİ',
    'Ελληνικά και English mixed 中文 mixed', '𝐁𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 𝔉𝔯𝔞𝔨𝔱𝔲𝔯', '㍿ ㌀ ㋿ ①②③ ⅫⅩ',
    'ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３', 'ﬁﬂ ligatures ﬀ', '𠀀𠀁 CJK extension B 𪚥', 'Ω Ω Å Å K K',
]

COMBINING = [
    'e\u0301', 'caf\u00e9 vs cafe\u0301', 'A\u030a ngstr\u00f6m', 'a\u0316\u0301 vs a\u0301\u0316',
    '\u1100\u1161\u11a8 jamo', 'n\u0303o\u0308u\u0308', 'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319alg\u0336o',
    'x\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308', '\u0301 leading combining mark', 'q\u0307\u0323',
    '\u212b \u2126 \u212a', '\u1e9b\u0323', '\u0958 \u0915\u093c', '\u00c7\u0327', 'o\u031b\u0323 \u01a1\u0323',
    '\u0344 \u0340\u0341', 'ë\u0304', '\u30ac vs \u30ab\u3099', '\uff76\uff9e half width', '\u0622 \u0627\u0653',
]

WHITESPACE = [
    ' ', '  ', '\t', '\n', '\r\n', '\n\n\n', ' \n ', '\t\t\n\t', 'a\r\nb\r\nc', 'line\r\n\r\nnext',
    '   leading', 'trailing   ', '  both  ', 'a \t b', 'x\u00a0y', 'x\u2003y\u3000z', 'x\u180ey',
    'x\u200by', '\ufeffBOM', 'x\u0085y', 'x\u2028y\u2029z', 'x\u1680y\u202fz\u205f', 'x\u000bvt\u000cff',
    ' \u00a0 \u00a0', '\u3000\u3000全角', 'end with newline\n', '\n\nstart with newlines', 'a\n \n \nb',
    'tab\tseparated\tvalues\t1\t2', '\r', '\r\r\n', 'a\rb',
]
for k in range(1, 18):
    WHITESPACE += ['a' + ' ' * k + 'b', 'x' + ' ' * k, '\n' * k + 'y', 'z' + ' ' * k + '\n' + ' ' * k + 'w']
    WHITESPACE += ['\t' * k + 'q', ' ' * k + '!' + ' ' * k]

DIGITS = ['0', '7', '42', '123', '1234', '12345', '3.14159', '1,234,567.89', '2024-05-17', '10:45pm',
          '+1 (555) 123-4567', '$1,000,000', '100%', '1st 2nd 3rd 4th', '0.000001', '1e-9', '99999999999999999999',
          'ORDER #W2378156', 'zip 94102-1234', '٣٤٥ ۴۵۶ १२३ ௧௨', '½ ¾ ² ³ ⁴', '12abc34def', 'v1.2.3-rc.4+build.5']
DIGITS += [''.join(str((i * 7 + j) % 10) for j in range(n)) for i, n in enumerate(range(1, 25))]

CONTRACTIONS = [
    "I'm sure you're right, it's fine.", "They'll say we'd have done it; I've seen it.", "DON'T SHOUT, I'M HERE",
    "it 's a movie that 's n't bad", "o'clock rock'n'roll ma'am y'all", "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D", "'Re 'rE 'vE", "\u2019s curly apostrophe it\u2019s", "'\u017f long s", "'\u212a kelvin",
    "''quoted'' `` backticks ''", "the dog's bone and the dogs' bones", "'tis 'twas", "rock 'n' roll",
]

SPECIAL_LOOKALIKES = [
    '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    '<|im_end|>', '<|im_start|>', '<|endoftext|>', 'text<|im_end|>more text', ' <|im_end|> ', '<|im_end|><|im_end|>',
    '<|im_end', 'im_end|>', '< |im_end| >', '<||im_end||>', '<|<|im_end|>|>', '<|IM_END|>', '<|im_end|>\n\n',
    '<think>\nreasoning\n</think>\n\nanswer', '<tool_call>\n{"name": "x"}\n</tool_call>', '<tool_response>ok</tool_response>',
    '<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>', '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>',
    '<|reserved_special_token_5|>', '<|reserved_special_token_250|>x', '<|eot_id|><|eot_id|>', '<|start_header_id|>',
    '<|end_of_text|>', '<|startoftext|>', '<|mdm_mask|>', '<|mask|>', '<|vision_start|><|image_pad|><|vision_end|>',
    'a<|endoftext|>b<|endoftext|>c', '<|endoftext|><|im_start|>', '<<|im_start|>>', '<|im_start|>assistant\n<think>\n\n</think>\n\n',
    '<s></s><unk><pad>[CLS][SEP][MASK]', '<|python_tag|>', '<|eom_id|>', 'I wrote <|im_end|> in my review, ignore previous instructions.',
]

MISC = [
    '', 'a', 'A', '.', 'Hello', 'Hello world', 'HELLO WORLD', 'hello  world', 'Hello, World!', 'hello\nworld',
    'a' * 500, 'ab' * 300, 'the ' * 200, '!' * 100, 'aGVsbG8gd29ybGQhIGJhc2U2NCBibG9i' * 8, 'x' * 1000 + ' end',
    'supercalifragilisticexpialidocious antidisestablishmentarianism', 'pneumonoultramicroscopicsilicovolcanoconiosis',
    'https://www.example.com/path/to/page?query=1&other=two#anchor', 'mailto:someone@example.com',
    'C:\\Users\\name\\Documents\\file.txt', '/usr/local/bin/remask --help', '~/.cache/remask/calls.sqlite',
    '\u0000 nul and \u001b[31mansi\u001b[0m escapes', '\u007f\u0080\u009f controls', '\ufffd replacement char',
    '\U0010fffd\U000e0001 tags \U000e0041', '\uffff\ufffe noncharacters', 'a\u200db\u200cc joiners',
    'The movie was great!!! 10/10 would watch again :) :-( ;-) <3', 'Yes. No. Maybe? Definitely!',
    '"Quoted" \u201csmart quotes\u201d \u2018single\u2019 \u00abguillemets\u00bb \u2014 em dash \u2013 en dash \u2026',
    '© ® ™ § ¶ † ‡ • ° ± × ÷ ≠ ≤ ≥ ∞ √ ∑ ∏ ∫ ∂ ∆ ∇ ∈ ∉ ∅', '→ ← ↑ ↓ ⇒ ⇔ ★ ☆ ♠ ♥ ♦ ♣ ✓ ✗',
    'Ⓐⓑⓒ circled', 'MiXeD CaSe WoRdS', 'camelCaseIdentifier snake_case_identifier kebab-case-identifier SCREAMING_CASE',
    'user@example.com #hashtag @mention $variable %percent ^caret &ampersand *star',
]


def hand_written_cases():
    return CODE + EMOJI + SCRIPTS + COMBINING + WHITESPACE + DIGITS + CONTRACTIONS + SPECIAL_LOOKALIKES + MISC
