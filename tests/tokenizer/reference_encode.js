#!/usr/bin/env node
// The reference for the C++ tokenizer: Hugging Face `tokenizers` (the Rust library, npm
// bindings pinned in tools/node) encoding or decoding a file of JSON lines.
//
//   node reference_encode.js encode TOKENIZER_JSON IN.jsonl OUT.jsonl [--plain] [--add-special]
//     IN: one JSON string per line; OUT: one JSON array of ids per line.
//     --plain: the same tokenizer with its added tokens removed, so special-token
//     look-alikes are ordinary text (what remask's recognize_special=false promises).
//     --add-special: apply the post-processor (addSpecialTokens: true).
//   node reference_encode.js decode TOKENIZER_JSON IN.jsonl OUT.jsonl [--skip-special]
//     IN: one JSON array of ids per line; OUT: one JSON string per line.
'use strict';
const fs = require('fs');
const path = require('path');

const nodeDir = process.env.REMASK_NODE_DIR || path.join(__dirname, '..', '..', 'tools', 'node');
const { Tokenizer } = require(path.join(nodeDir, 'node_modules', 'tokenizers'));

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

async function main() {
  const [mode, tokenizerPath, input, output, ...flags] = process.argv.slice(2);
  if (!['encode', 'decode'].includes(mode) || !output) {
    console.error('usage: reference_encode.js encode|decode TOKENIZER_JSON IN.jsonl OUT.jsonl [flags]');
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(tokenizerPath, 'utf8'));
  if (flags.includes('--plain')) spec.added_tokens = [];
  const tokenizer = Tokenizer.fromString(JSON.stringify(spec));
  const items = readLines(input);
  const out = [];
  if (mode === 'encode') {
    const encodings = await tokenizer.encodeBatch(items, { addSpecialTokens: flags.includes('--add-special') });
    for (const encoding of encodings) out.push(JSON.stringify(encoding.getIds()));
  } else {
    const texts = await tokenizer.decodeBatch(items, flags.includes('--skip-special'));
    for (const text of texts) out.push(JSON.stringify(text));
  }
  fs.writeFileSync(output, out.join('\n') + (out.length ? '\n' : ''));
}

main().catch((error) => {
  console.error(`reference_encode.js: ${error.stack || error}`);
  process.exit(1);
});
