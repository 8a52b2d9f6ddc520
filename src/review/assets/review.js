// The review page: one client of the JSON API (docs/review.md). Every piece of run data
// (prompts, traces, answers, names) is untrusted and reaches the page through textContent
// or attribute values only, never as markup.
'use strict';

const state = { view: 'overview', run: null, candidates: [], selected: null, pendingKey: '' };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function field(label, value, testid) {
  const v = el('span', { class: 'text' });
  v.textContent = value === null || value === undefined ? '' : String(value);
  if (testid) v.setAttribute('data-testid', testid);
  return el('div', { class: 'field' }, el('b', {}, label), v);
}

function score(x) { return typeof x === 'number' ? x.toFixed(3) : '-'; }
function amount(x) { return typeof x === 'number' && !Number.isInteger(x) ? String(Number(x.toPrecision(4))) : String(x); }

function say(text, isError) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

function author() { return document.getElementById('author').value.trim(); }

async function api(path, body) {
  const headers = {};
  const key = sessionStorage.getItem('remask-review-key');
  if (key) headers.Authorization = 'Bearer ' + key;
  const init = { headers };
  if (body !== undefined) {
    init.method = 'POST';
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) document.getElementById('key-box').hidden = false;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.error && data.error.message) || ('HTTP ' + res.status));
  return data;
}

function show(view) {
  state.view = view;
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.view === view);
  for (const s of document.querySelectorAll('main section')) s.hidden = s.id !== 'view-' + view;
}

function chart(series) {
  const ns = 'http://www.w3.org/2000/svg';
  const w = 520, h = 200, pad = 34;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h);
  const maxX = Math.max(1, ...series.map(p => p.target_calls));
  const x = c => pad + (w - 2 * pad) * c / maxX, y = v => h - pad - (h - 2 * pad) * v;
  const line = (x1, y1, x2, y2) => {
    const l = document.createElementNS(ns, 'line');
    Object.entries({ x1, y1, x2, y2, stroke: '#99a' }).forEach(([k, v]) => l.setAttribute(k, v));
    svg.append(l);
  };
  const label = (tx, ty, text) => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', tx); t.setAttribute('y', ty); t.setAttribute('font-size', '11');
    t.textContent = text;
    svg.append(t);
  };
  line(pad, h - pad, w - pad, h - pad); line(pad, pad, pad, h - pad);
  label(2, y(1) + 4, '1.0'); label(2, y(0) + 4, '0.0'); label(w - pad - 10, h - 8, String(maxX));
  label(w / 2 - 30, h - 8, 'target calls');
  if (series.length) {
    let d = '', prev = null;
    for (const p of series) {
      d += (prev ? ` H${x(p.target_calls)} V${y(p.val)}` : `M${x(p.target_calls)} ${y(p.val)}`);
      prev = p;
    }
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d); path.setAttribute('fill', 'none');
    path.setAttribute('stroke', '#2c6cb0'); path.setAttribute('stroke-width', '2');
    svg.append(path);
    for (const p of series) {
      const dot = document.createElementNS(ns, 'circle');
      dot.setAttribute('cx', x(p.target_calls)); dot.setAttribute('cy', y(p.val)); dot.setAttribute('r', '4');
      dot.setAttribute('fill', '#2c6cb0');
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = `${p.candidate}: ${score(p.val)} after ${p.target_calls} calls`;
      dot.append(tip);
      svg.append(dot);
    }
  }
  const box = document.getElementById('chart');
  box.replaceChildren(svg);
}

function renderRun(run) {
  document.getElementById('run-dir').textContent = run.run_dir;
  const status = run.waiting ? 'waiting for your decision' : run.finished ? 'finished' : run.live ? 'running' : 'not running (stopped or in another process)';
  const facts = [['status', status], ['task', run.task], ['proposer', run.proposer],
    ['iterations', run.iterations], ['stop reason', run.stop_reason || '-'],
    ['best', run.best ? `${run.best.candidate} (validation ${score(run.best.val)})` : '-'],
    ['initial', run.initial ? `validation ${score(run.initial.val)}` : '-'],
    ['feedback lines', `${run.feedback.lines} written, ${run.feedback.taken} taken by the loop`]];
  const dl = document.getElementById('facts');
  dl.replaceChildren();
  for (const [k, v] of facts) {
    dl.append(el('dt', {}, k));
    dl.append(el('dd', { 'data-testid': 'fact-' + k.replace(/ /g, '-') }, String(v)));
  }
  const body = document.querySelector('#budget tbody');
  body.replaceChildren();
  for (const [kind, b] of Object.entries(run.budget))
    body.append(el('tr', {}, el('td', {}, kind), el('td', {}, amount(b.used)), el('td', {}, b.cap ? amount(b.cap) : 'no cap')));
  chart(run.series);
  document.getElementById('pending-badge').hidden = !run.waiting;
}

function editsBlock(edits) {
  const box = el('div', {});
  if (!edits.length) box.append(el('p', { class: 'muted' }, 'no edits'));
  for (const e of edits)
    box.append(el('div', { class: 'edit' },
      e.before ? el('span', { class: 'text before' }, e.before) : el('span', { class: 'muted' }, '(inserted)'), ' → ',
      e.after ? el('span', { class: 'text after' }, e.after) : el('span', { class: 'muted' }, '(removed)')));
  return box;
}

function entryText(f) {
  const who = f.author ? f.author + ': ' : '';
  if (f.note !== undefined) return who + 'note: ' + f.note;
  const s = f.score !== undefined ? `score → ${f.score}, ` : '';
  return `${who}${f.id || f.input}: ${s}${f.comment || ''}`;
}

function renderPending(p) {
  const key = JSON.stringify(p);
  if (key === state.pendingKey) return;
  state.pendingKey = key;
  document.getElementById('pending-none').hidden = p.waiting;
  document.getElementById('pending-body').hidden = !p.waiting;
  if (!p.waiting) return;
  document.getElementById('pending-head').textContent =
    `Iteration ${p.iteration}: parent ${p.parent.id} scored ${score(p.parent.minibatch_score)} on the minibatch.`;
  const box = document.getElementById('pending-children');
  box.replaceChildren();
  for (const c of p.children) {
    const card = el('div', { class: 'card' + (c.vetoed ? ' vetoed' : '') + (c.picked ? ' picked' : ''), 'data-testid': 'child-' + c.id });
    card.append(el('h4', {}, `${c.id}: minibatch ${score(c.minibatch_score)}` + (c.vetoed ? ' (vetoed)' : '') + (c.picked ? ' (picked)' : '')));
    card.append(editsBlock(c.edits));
    card.append(el('p', {},
      el('button', { 'data-testid': 'veto-' + c.id, on: { click: () => decide('veto', c.id) } }, 'Veto'), ' ',
      el('button', { 'data-testid': 'pick-' + c.id, on: { click: () => decide('pick', c.id) } }, 'Pick')));
    box.append(card);
  }
}

function renderCandidates() {
  const body = document.querySelector('#candidates tbody');
  body.replaceChildren();
  for (const c of state.candidates) {
    const row = el('tr', { class: 'clickable', 'data-testid': 'candidate-' + c.id, on: { click: () => select(c.id) } },
      el('td', {}, c.id), el('td', {}, c.parent || '-'), el('td', {}, String(c.iteration)),
      el('td', {}, c.decision), el('td', {}, score(c.minibatch_score)), el('td', {}, score(c.val)),
      el('td', {}, c.feedback_taken.length ? c.feedback_taken.map(entryText).join(' | ') : ''));
    body.append(row);
  }
}

function select(id) {
  state.selected = id;
  const c = state.candidates.find(x => x.id === id);
  const detail = document.getElementById('candidate-detail');
  detail.hidden = !c;
  if (!c) return;
  document.getElementById('candidate-title').textContent = `${c.id} (${c.decision})`;
  const chain = [];
  for (let x = c; x; x = state.candidates.find(y => y.id === x.parent)) chain.push(x.id);
  document.getElementById('lineage').textContent = 'lineage: ' + chain.reverse().join(' → ');
  document.getElementById('candidate-edits').replaceChildren(editsBlock(c.edits));
  const fb = document.getElementById('candidate-feedback');
  fb.replaceChildren();
  if (c.feedback_taken.length) {
    fb.append(el('h4', {}, 'Feedback read before this proposal'));
    for (const f of c.feedback_taken) fb.append(el('div', { class: 'text' }, entryText(f)));
  }
}

async function showExamples(id) {
  document.getElementById('examples-of').textContent = id;
  const data = await api('/api/candidates/' + encodeURIComponent(id) + '/examples');
  const box = document.getElementById('examples');
  box.replaceChildren();
  for (const t of data.examples) {
    const card = el('div', { class: 'card', 'data-testid': 'example-' + t.id });
    card.append(el('h4', {}, `${t.id} (${t.phase}), score ${score(t.score)}`));
    card.append(field('input', t.input, 'input-' + t.id));
    card.append(field('expected', t.expected));
    card.append(field('answer', t.reply, 'answer-' + t.id));
    card.append(field('feedback', t.feedback));
    for (const r of t.reviews) card.append(field('review', entryText(r)));
    const scoreBox = el('input', { type: 'number', min: '0', max: '1', step: '0.05', placeholder: 'score', 'data-testid': 'score-' + t.id, class: 'score-input' });
    const reason = el('input', { type: 'text', placeholder: 'reason or comment', 'data-testid': 'reason-' + t.id, maxlength: '20000' });
    const form = el('form', { class: 'review' }, scoreBox, reason,
      el('button', { type: 'submit', 'data-testid': 'send-' + t.id }, 'Save'));
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const body = { id: t.id, candidate: id, comment: reason.value, author: author() };
      if (scoreBox.value !== '') body.score = Number(scoreBox.value);
      try {
        await api('/api/feedback', body);
        say(`Saved for ${t.id}; the next iteration reads it.`);
        await showExamples(id);
      } catch (e) { say(e.message, true); }
    });
    card.append(form);
    box.append(card);
  }
  show('examples');
}

async function decide(action, child) {
  try {
    await api('/api/decision', { action, child, author: author() });
    say(action === 'continue' ? 'Continuing.' : action === 'stop' ? 'The run stops after this iteration.' : `${action} ${child}`);
    state.pendingKey = '';
    renderPending(await api('/api/pending'));
  } catch (e) { say(e.message, true); }
}

async function refresh() {
  try {
    const run = await api('/api/run');
    const changed = !state.run || run.iterations !== state.run.iterations || run.feedback.lines !== state.run.feedback.lines ||
      run.finished !== state.run.finished || !state.candidates.length;
    state.run = run;
    renderRun(run);
    if (changed) {
      state.candidates = await api('/api/candidates');
      renderCandidates();
      if (state.selected) select(state.selected);
    }
    renderPending(await api('/api/pending'));
    document.body.dataset.loaded = 'yes';
  } catch (e) { say(e.message, true); }
}

function start() {
  const a = document.getElementById('author');
  a.value = localStorage.getItem('remask-review-author') || '';
  a.addEventListener('change', () => localStorage.setItem('remask-review-author', a.value.trim()));
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => show(b.dataset.view));
  document.getElementById('continue').addEventListener('click', () => decide('continue'));
  document.getElementById('stop').addEventListener('click', () => decide('stop'));
  document.getElementById('show-examples').addEventListener('click', () => showExamples(state.selected).catch(e => say(e.message, true)));
  document.getElementById('send-note').addEventListener('click', async () => {
    const note = document.getElementById('note');
    try {
      await api('/api/feedback', { note: note.value, author: author() });
      note.value = '';
      say('Note saved; the proposer sees it from the next iteration on.');
    } catch (e) { say(e.message, true); }
  });
  document.getElementById('key-save').addEventListener('click', () => {
    sessionStorage.setItem('remask-review-key', document.getElementById('key').value);
    document.getElementById('key-box').hidden = true;
    refresh();
  });
  refresh();
  // New iterations show up by polling (a few small JSON reads every 1.5 s).
  setInterval(refresh, 1500);
}

document.addEventListener('DOMContentLoaded', start);
