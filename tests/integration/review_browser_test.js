// The review page in a real browser (Debian's Chromium driven by npm playwright-core) on a
// live `remask optimize --review-web 0` run with [optimizer] review = "web", against a
// scripted fake target and a scripted /v1/infill served by this script. A person reads a
// trace, overrides one example's score with a reason, writes a note, vetoes a pending child
// and presses continue; then stops the run at the next iteration. Checked afterwards:
// feedback.jsonl, events.jsonl, candidates.jsonl, that the vetoed child was never accepted,
// and that the note reached the DLM context of the next proposal. An answer holding
// <script> and <img onerror> shows as text and runs nothing. Screenshots of each view go to
// $REMASK_ARTIFACTS. Every wait is for a condition (Playwright's own, or waitFor below).
'use strict';
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const nodeDir = process.env.REMASK_NODE_DIR;
const { chromium } = require(path.join(nodeDir, 'node_modules', 'playwright-core'));
const remaskBin = process.env.REMASK_BIN;
const artifacts = process.env.REMASK_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), 'review-shots-'));
const chromiumPath = process.env.REMASK_CHROMIUM || '/usr/bin/chromium';

const HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
const NOTE = 'Keep the answer to one word; the experts read it on a phone.';
const REASON = 'A person checked: the answer is acceptable.';
const GOOD_EDIT = 'Answer in one word';

// Waits for a condition (polled), failing with `what` after `limitMs`.
async function waitFor(what, condition, limitMs = 120000) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise(resolve => setImmediate(resolve));
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

// The fake target answers right only when its system prompt says GOOD_EDIT (so the child
// with that edit is better and would be accepted unless vetoed); the `hostile` example's
// answer is always HOSTILE. /v1/infill fills each span; candidate 0 writes GOOD_EDIT.
function startFakes(examples) {
  const infillContexts = [];
  let proposals = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => { body += chunk; });
    req.on('end', () => {
      const send = (obj) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (req.method === 'GET' && req.url === '/v1/models') return send({ object: 'list', data: [{ id: 'fake', object: 'model' }] });
      const json = JSON.parse(body || '{}');
      if (req.url === '/v1/chat/completions') {
        const system = (json.messages.find(m => m.role === 'system') || { content: '' }).content;
        const user = json.messages.find(m => m.role === 'user').content;
        const example = examples.find(e => e.input === user);
        let answer = system.includes(GOOD_EDIT) ? example.expected : 'maybe';
        if (example.id === 'hostile') answer = HOSTILE;
        return send({ id: 'x', object: 'chat.completion', model: 'fake', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
      }
      if (req.url === '/v1/infill') {
        infillContexts.push(json.context || '');
        proposals += 1;
        const candidates = [];
        for (let k = 0; k < (json.candidates || 1); ++k) {
          const fill = k === 0 ? ` ${GOOD_EDIT}, round ${proposals}. ` : ` Think twice, round ${proposals}. `;
          candidates.push(fillMarkup(json.text, fill));
        }
        return send({ candidates, usage: { forward_passes: 4, tokens: 10 } });
      }
      res.writeHead(404); res.end('{}');
    });
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, infillContexts })));
}

// Fills the first <mask:N> span with `fill` and the others with nothing, as /v1/infill does.
function fillMarkup(markup, fill) {
  let text = '';
  const spans = [];
  let first = true;
  for (let i = 0; i < markup.length;) {
    if (markup[i] === '\\' && markup[i + 1] === '<') { text += '<'; i += 2; continue; }
    if (markup.startsWith('<mask:', i)) {
      const close = markup.indexOf('>', i);
      const f = first ? fill : '';
      spans.push({ start: Buffer.byteLength(text), end: Buffer.byteLength(text + f), filled: f });
      text += f;
      first = false;
      i = close + 1;
      continue;
    }
    text += markup[i++];
  }
  return { text, spans };
}

function readJsonl(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'remask-review-browser-'));
  fs.mkdirSync(artifacts, { recursive: true });
  const examples = [
    { id: 'train-a', split: 'train', input: 'The film was a delight.', expected: 'positive' },
    { id: 'train-b', split: 'train', input: 'Two hours I will never get back.', expected: 'negative' },
    { id: 'train-c', split: 'train', input: 'A warm, funny story.', expected: 'positive' },
    { id: 'train-d', split: 'train', input: 'Dull and far too long.', expected: 'negative' },
    { id: 'hostile', split: 'dev', input: 'Loved every minute of it.', expected: 'positive' },
    { id: 'dev-b', split: 'dev', input: 'A mess from start to end.', expected: 'negative' },
    { id: 'test-a', split: 'test', input: 'Simply wonderful.', expected: 'positive' },
  ];
  fs.writeFileSync(path.join(work, 'data.jsonl'), examples.map(e => JSON.stringify(e)).join('\n') + '\n');
  fs.writeFileSync(path.join(work, 'prompt.txt'),
    'You label movie reviews as positive or negative. Read the review carefully and think about the tone before you reply to the user.');
  const fakes = await startFakes(examples);
  fs.writeFileSync(path.join(work, 'run.toml'), [
    '[task]', 'name = "jsonl"', `data = "${path.join(work, 'data.jsonl')}"`, 'metric = "exact"',
    'train_size = 0', 'val_size = 0', 'test_size = 0',
    '[target]', 'provider = "openai"', `base_url = "http://127.0.0.1:${fakes.port}/v1"`, 'model = "fake"',
    'api_key_env = ""', 'max_in_flight = 2', 'max_retries = 0', 'timeout_s = 20',
    '[dlm]', `url = "http://127.0.0.1:${fakes.port}"`, 'steps = 4',
    '[optimizer]', 'proposer = "dlm"', 'candidates = 2', 'minibatch = 2', 'slack = 1', 'review = "web"',
    `prompt = "${path.join(work, 'prompt.txt')}"`,
    '[budget]', 'target_calls = 60',
    '[run]', 'seed = 1', `cache = "${path.join(work, 'cache.sqlite')}"`, '',
  ].join('\n'));

  const runDir = path.join(work, 'run');
  const child = spawn(remaskBin, ['optimize', path.join(work, 'run.toml'), '--yes', '--run-dir', runDir, '--review-web', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', d => { stderr += d; });
  child.stdout.on('data', () => {});
  let exitCode = null;
  child.on('exit', code => { exitCode = code; });

  let browser;
  try {
    const url = await waitFor('the review page address on stderr', () => {
      if (exitCode !== null) throw new Error('remask exited early: ' + stderr);
      const m = stderr.match(/review page: (http:\/\/127\.0\.0\.1:\d+\/)/);
      return m && m[1];
    });
    await waitFor('the terminal to say it waits', () => stderr.includes('iteration 1: waiting for a review decision at ' + url));

    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', e => pageErrors.push(String(e)));
    page.on('dialog', d => { pageErrors.push('dialog: ' + d.message()); d.dismiss(); });
    await page.goto(url);
    await page.waitForSelector('body[data-loaded="yes"]');
    await page.fill('[data-testid=author]', 'ana');
    await page.dispatchEvent('[data-testid=author]', 'change');
    await page.waitForSelector('#pending-badge:not([hidden])');
    await page.screenshot({ path: path.join(artifacts, '1-overview.png'), fullPage: true });

    // The pending children of iteration 1.
    await page.click('[data-testid=tab-pending]');
    await page.waitForSelector('[data-testid="child-c1_0"]');
    await page.waitForSelector('[data-testid="child-c1_1"]');
    const childText = await page.textContent('[data-testid="child-c1_0"]');
    assert(childText.includes(GOOD_EDIT), 'the child shows its edit: ' + childText);
    await page.screenshot({ path: path.join(artifacts, '2-pending.png'), fullPage: true });

    // A candidate's examples, and the trace of the hostile answer.
    await page.click('[data-testid=tab-candidates]');
    await page.click('[data-testid="candidate-c0"]');
    await page.waitForSelector('#candidate-detail:not([hidden])');
    await page.screenshot({ path: path.join(artifacts, '3-candidates.png'), fullPage: true });
    await page.click('[data-testid=show-examples]');
    await page.waitForSelector('[data-testid="answer-hostile"]');
    const answer = await page.textContent('[data-testid="answer-hostile"]');
    assert.strictEqual(answer, HOSTILE, 'the answer shows as text');
    assert.strictEqual(await page.textContent('[data-testid="input-hostile"]'), 'Loved every minute of it.');
    assert.strictEqual(await page.locator('#view-examples img, #view-examples script').count(), 0, 'no element made from the answer');
    assert.strictEqual(await page.evaluate(() => window.pwned), undefined, 'no script ran');

    // Override one example's score, with a reason.
    await page.fill('[data-testid="score-hostile"]', '1');
    await page.fill('[data-testid="reason-hostile"]', REASON);
    await page.click('[data-testid="send-hostile"]');
    await page.waitForSelector('#message:has-text("Saved for hostile")');
    await page.waitForSelector('[data-testid="example-hostile"]:has-text("' + REASON + '")');
    await page.screenshot({ path: path.join(artifacts, '4-examples.png'), fullPage: true });

    // A note for the proposer.
    await page.click('[data-testid=tab-notes]');
    await page.fill('[data-testid=note]', NOTE);
    await page.click('[data-testid=send-note]');
    await page.waitForSelector('#message:has-text("Note saved")');
    await page.screenshot({ path: path.join(artifacts, '5-notes.png'), fullPage: true });

    // Bad requests while the run waits: the right status, a JSON error, and the run goes on.
    const bad = await page.evaluate(async () => {
      const post = async (p, body, type = 'application/json') => {
        const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': type }, body });
        return [r.status, typeof (await r.json()).error.message];
      };
      return {
        unknownExample: await post('/api/feedback', JSON.stringify({ id: 'no-such', comment: 'x' })),
        scoreTooHigh: await post('/api/feedback', JSON.stringify({ id: 'hostile', score: 1.5, comment: 'x' })),
        oversize: await post('/api/feedback', JSON.stringify({ note: 'x'.repeat(200000) })),
        unknownChild: await post('/api/decision', JSON.stringify({ action: 'veto', child: 'c9_9' })),
        unknownCandidate: [(await fetch('/api/candidates/c9_9/examples')).status, 'string'],
      };
    });
    assert.deepStrictEqual(bad, { unknownExample: [404, 'string'], scoreTooHigh: [400, 'string'], oversize: [413, 'string'],
      unknownChild: [404, 'string'], unknownCandidate: [404, 'string'] });

    // Veto the better child, then continue.
    await page.click('[data-testid=tab-pending]');
    await page.click('[data-testid="veto-c1_0"]');
    await page.waitForSelector('[data-testid="child-c1_0"].vetoed');
    await page.screenshot({ path: path.join(artifacts, '6-pending-vetoed.png'), fullPage: true });
    await page.click('[data-testid=continue]');

    // The next proposal's DLM context carries the note.
    await waitFor('the second proposal', () => fakes.infillContexts.length >= 2);
    const context = fakes.infillContexts[1];
    assert(context.includes('Notes from a reviewer'), 'the notes heading is in the context');
    assert(context.includes(NOTE), 'the note is in the DLM context of the next proposal');
    assert(!fakes.infillContexts[0].includes(NOTE), 'the first proposal came before the note');

    // Iteration 2 waits in turn; stop the run there.
    await waitFor('iteration 2 to wait', () => stderr.includes('iteration 2: waiting for a review decision'));
    await page.waitForSelector('[data-testid="child-c2_0"]');
    await page.click('[data-testid=stop]');
    await waitFor('remask to finish', () => exitCode !== null);
    assert.strictEqual(exitCode, 0, 'remask exit code; stderr:\n' + stderr);
    assert.deepStrictEqual(pageErrors, []);
    assert.strictEqual(await page.evaluate(() => window.pwned), undefined, 'no script ran, ever');
  } finally {
    if (browser) await browser.close();
    if (exitCode === null) child.kill('SIGKILL');
    fakes.server.close();
  }

  // What the run directory says.
  const feedback = readJsonl(path.join(runDir, 'feedback.jsonl'));
  const override = feedback.find(f => f.id === 'hostile');
  assert(override, 'the override line: ' + JSON.stringify(feedback));
  assert.strictEqual(override.score, 1);
  assert.strictEqual(override.comment, REASON);
  assert.strictEqual(override.author, 'ana');
  assert.strictEqual(override.candidate, 'c0');
  assert.match(override.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert(feedback.some(f => f.note === NOTE && f.author === 'ana'), 'the note line');
  assert(feedback.some(f => f.decision === 'veto' && f.child === 'c1_0' && f.iteration === 1 && f.author === 'ana'), 'the veto line');
  assert(feedback.some(f => f.decision === 'continue' && f.iteration === 1), 'the continue line');
  assert(feedback.some(f => f.decision === 'stop' && f.iteration === 2), 'the stop line');

  const events = readJsonl(path.join(runDir, 'events.jsonl'));
  const taken = events.filter(e => e.event === 'feedback');
  assert.strictEqual(taken.length, 1, 'one feedback event');
  assert.strictEqual(taken[0].iteration, 2, 'read at the start of iteration 2');
  assert(taken[0].entries.some(e => e.note === NOTE) && taken[0].entries.some(e => e.id === 'hostile' && e.score === 1));
  const review1 = events.find(e => e.event === 'review' && e.iteration === 1);
  assert.deepStrictEqual(review1.decision.vetoed, ['c1_0']);
  assert(events.some(e => e.event === 'stop' && e.reason === 'review'));

  const candidates = readJsonl(path.join(runDir, 'candidates.jsonl'));
  const vetoed = candidates.filter(c => c.id === 'c1_0');
  assert.strictEqual(vetoed.length, 1);
  assert.strictEqual(vetoed[0].decision, 'vetoed');
  assert.strictEqual(vetoed[0].accepted, false, 'the vetoed child is never accepted');
  assert(!events.some(e => e.event === 'candidate' && e.id === 'c1_0' && e.decision !== 'vetoed'));
  const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  assert.notStrictEqual(summary.best.candidate, 'c1_0');
  const report = fs.readFileSync(path.join(runDir, 'report.html'), 'utf8');
  assert(report.includes('Reviewer input') && report.includes('c2_0'), 'the report shows which feedback shaped which child');

  await reviewFinishedRun(runDir);
  // The held-out score is the metric's: the override on `hostile` (a dev example) and the
  // test split never meet.
  console.log(JSON.stringify({ ok: true, screenshots: fs.readdirSync(artifacts), best: summary.best, artifacts }));
  fs.rmSync(work, { recursive: true, force: true });
}

// `remask review RUN_DIR` on the finished run: the same page, nothing waits.
async function reviewFinishedRun(runDir) {
  const portFile = path.join(runDir, '..', 'review.port');
  const server = spawn(remaskBin, ['review', runDir, '--port', '0', '--port-file', portFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', d => { stderr += d; });
  let exitCode = null;
  server.on('exit', code => { exitCode = code; });
  let browser;
  try {
    const port = await waitFor('remask review to listen', () => {
      if (exitCode !== null) throw new Error('remask review exited: ' + stderr);
      return fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim();
    });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('body[data-loaded="yes"]');
    assert.strictEqual(await page.textContent('[data-testid=fact-status]'), 'finished');
    assert.strictEqual(await page.textContent('[data-testid=fact-stop-reason]'), 'review');
    await page.screenshot({ path: path.join(artifacts, '7-finished-overview.png'), fullPage: true });
    await page.click('[data-testid=tab-candidates]');
    await page.waitForSelector('[data-testid="candidate-c1_0"]:has-text("vetoed")');
    await page.waitForSelector('[data-testid="candidate-c2_0"]:has-text("' + NOTE + '")');
    await page.click('[data-testid="candidate-c2_0"]');
    await page.waitForSelector('#candidate-detail:not([hidden])');
    await page.screenshot({ path: path.join(artifacts, '8-finished-candidates.png'), fullPage: true });
    const pending = await page.evaluate(async () => (await fetch('/api/pending')).json());
    assert.deepStrictEqual(pending, { waiting: false });
    const refused = await page.evaluate(async () => (await fetch('/api/decision', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'continue' }) })).status);
    assert.strictEqual(refused, 409, 'a finished run waits for nothing');
  } finally {
    if (browser) await browser.close();
    if (exitCode === null) server.kill('SIGTERM');
  }
  await waitFor('remask review to stop', () => exitCode !== null);
  assert.strictEqual(exitCode, 0, 'remask review exits cleanly on SIGTERM: ' + stderr);
}

main().catch(e => { console.error(e && e.stack || e); process.exit(1); });
