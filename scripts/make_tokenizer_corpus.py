#!/usr/bin/python3
"""Writes tests/fixtures/tokenizer/corpus.jsonl: the strings the tokenizer tests encode with
both remask and the reference (Hugging Face `tokenizers`), one JSON string per line.

Sources: SST-2 and SST-5 sentences, GLUE SST-2 phrases, the tau-bench policy documents
(lines and paragraphs), tau-bench task instructions and tool schemas (as JSON source),
hand-written hard cases (code, emoji and ZWJ sequences, CJK, Arabic, combining marks in
and out of NFC, whitespace runs, digits, contractions, special-token look-alikes), and a
sweep over every assigned Unicode block. Deterministic: the same data gives the same file.

usage: scripts/make_tokenizer_corpus.py [--data DIR] [--out FILE]
(DIR defaults to the first of data/, ../shared/data, ../../shared/data that holds sst2/)
"""
import argparse
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from tokenizer_corpus_cases import hand_written_cases  # noqa: E402


def every_nth(items, count):
    """count items spread evenly over items (all of them if there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def sst_cases(data):
    cases = []
    for name, count in [("stsa.binary.train", 1200), ("stsa.binary.dev", 200), ("stsa.binary.test", 200)]:
        lines = read_lines(os.path.join(data, "sst2", name))
        cases += [line.split(" ", 1)[1] for line in every_nth(lines, count)]
    glue = read_lines(os.path.join(data, "sst2", "glue_train.tsv"))[1:]
    cases += [line.split("\t")[0] for line in every_nth(glue, 300)]  # phrases keep trailing spaces
    for name, count in [("sst_train.txt", 500), ("sst_dev.txt", 150), ("sst_test.txt", 150)]:
        lines = read_lines(os.path.join(data, "sst5", name))
        cases += [line.split("\t", 1)[1] for line in every_nth(lines, count)]
    return cases


def tau_cases(data):
    cases = []
    for domain in ["retail", "airline"]:
        with open(os.path.join(data, "tau-bench", domain, "wiki.md"), encoding="utf-8") as f:
            wiki = f.read()
        cases.append(wiki)  # the whole document, newlines and all
        cases += [p for p in wiki.split("\n\n") if p.strip()]
        cases += [line for line in wiki.split("\n") if line.strip()]
        tasks_path = os.path.join(data, "tau-bench", domain, "tasks_test.json")
        with open(tasks_path, encoding="utf-8") as f:
            tasks = json.load(f)["tasks"]
        cases += [task["instruction"] for task in every_nth(tasks, 60)]
        cases += [json.dumps(task["actions"], indent=2) for task in every_nth(tasks, 15)]
    with open(os.path.join(data, "tau-bench", "tool_signatures.json"), encoding="utf-8") as f:
        signatures = json.load(f)
    for domain in ["retail", "airline"]:
        tools = signatures[domain]
        tools = tools if isinstance(tools, list) else list(tools.values())
        cases += [json.dumps(tool, indent=2) for tool in tools[:8]]
    return cases


def unicode_sweep():
    """One string per 256-code-point block with assigned characters: up to 64 of them, each
    followed by a letter, a space or a digit so that every regex branch meets them."""
    cases = []
    separators = ["a", " ", "1", "", "\n"]
    for block in range(0x80, 0x30000, 256):
        chars = []
        for cp in range(max(block, 0x80), block + 256):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            if unicodedata.category(chr(cp)) in ("Cn", "Co", "Cs"):
                continue
            chars.append(chr(cp))
        chars = every_nth(chars, 64)
        if chars:
            cases.append("".join(c + separators[i % len(separators)] for i, c in enumerate(chars)))
    return cases


def normalization_sweep():
    """Every combining mark between a letter and U+0334 (so canonical reordering shows), and
    every canonically decomposable character written decomposed (so composition shows),
    in groups; this checks the reference's Unicode 9.0 normalization tables too."""
    marks = [chr(cp) for cp in range(0x300, 0x30000)
             if not 0xD800 <= cp <= 0xDFFF and unicodedata.combining(chr(cp)) > 0]
    marked = ["a" + m + "\u0334" for m in marks]
    decomposable = [unicodedata.normalize("NFD", chr(cp)) for cp in range(0xA0, 0x30000)
                    if not 0xD800 <= cp <= 0xDFFF and unicodedata.decomposition(chr(cp))
                    and not unicodedata.decomposition(chr(cp)).startswith("<")]
    cases = [" ".join(marked[i:i + 32]) for i in range(0, len(marked), 32)]
    cases += [" ".join(decomposable[i:i + 64]) for i in range(0, len(decomposable), 64)]
    return cases + ["\U00011935\U00011930", "\u1100\u1161\U00011935\u0301\u0334"]


def newer_letters_and_numbers():
    """Letters and numbers newer than Python's Unicode tables (utf8proc knows them), in
    contexts where their class decides the pre-token boundaries (contraction after, letters
    around, digits around)."""
    import ctypes

    class Property(ctypes.Structure):
        _fields_ = [("category", ctypes.c_int16), ("combining_class", ctypes.c_int16)]

    utf8proc = ctypes.CDLL("libutf8proc.so.2")
    utf8proc.utf8proc_get_property.restype = ctypes.POINTER(Property)
    chars = [chr(cp) for cp in range(0x80, 0x110000)
             if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) == "Cn"
             and utf8proc.utf8proc_get_property(cp).contents.category in (1, 2, 3, 4, 5, 9, 10, 11)]
    chars = every_nth(chars, 640)
    pieces = [c + "'s a" + c + "b 1" + c + "2 " + c + c + "," for c in chars]
    return [" ".join(pieces[i:i + 16]) for i in range(0, len(pieces), 16)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    candidates = [os.path.join(ROOT, "data"), os.path.join(ROOT, "..", "shared", "data"),
                  os.path.join(ROOT, "..", "..", "shared", "data")]
    default_data = next((c for c in candidates if os.path.isdir(os.path.join(c, "sst2"))), candidates[0])
    parser.add_argument("--data", default=default_data)
    parser.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "tokenizer", "corpus.jsonl"))
    args = parser.parse_args()

    cases = sst_cases(args.data) + tau_cases(args.data) + hand_written_cases() + unicode_sweep() + normalization_sweep() + newer_letters_and_numbers()
    seen, unique = set(), []
    for case in cases:
        if case not in seen:
            seen.add(case)
            unique.append(case)
    with open(args.out, "w", encoding="utf-8") as f:
        for case in unique:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(unique)} strings to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
