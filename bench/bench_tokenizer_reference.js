#!/usr/bin/env node
// The reference side of bench_tokenizer: Hugging Face `tokenizers` (Rust, npm bindings)
// encoding the same file line by line with encodeBatch. Run with RAYON_NUM_THREADS=1 for
// one thread (bench/run_tokenizer_bench.sh does).
//
// usage: node bench_tokenizer_reference.js TEXT_FILE TOKENIZER_JSON [REPEAT]
'use strict';
const fs = require('fs');
const path = require('path');

const nodeDir = process.env.REMASK_NODE_DIR || path.join(__dirname, '..', 'tools', 'node');
const { Tokenizer } = require(path.join(nodeDir, 'node_modules', 'tokenizers'));

async function main() {
  const [textPath, tokenizerPath, repeatArg] = process.argv.slice(2);
  const repeat = Math.max(1, parseInt(repeatArg || '5', 10));
  const lines = fs.readFileSync(textPath, 'utf8').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0);
  const tokenizer = Tokenizer.fromFile(tokenizerPath);
  const options = { addSpecialTokens: false };
  let tokens = 0;
  for (const encoding of await tokenizer.encodeBatch(lines, options)) tokens += encoding.getLength();  // warm-up
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeat; ++r) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    await tokenizer.encodeBatch(lines, options);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    best = Math.min(best, seconds);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  const rate = (s) => (bytes / s / 1e6).toFixed(2).padStart(8);
  console.log(`tokenizers ${rate(best)} MB/s wall ${rate(bestCpu)} MB/s CPU  (${lines.length} lines, ` +
              `${(bytes / 1e6).toFixed(2)} MB, ${tokens} tokens, best of ${repeat}, encodeBatch, ` +
              `RAYON_NUM_THREADS=${process.env.RAYON_NUM_THREADS || 'unset'})`);
}

main().catch((error) => {
  console.error(`bench_tokenizer_reference.js: ${error.stack || error}`);
  process.exit(1);
});
