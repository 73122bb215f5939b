// The editor: a document list with progress, and a segment grid for post-editing.
// No build step: plain ES modules served by the service.

import { api, ApiError, downloadName, followEvents, token, Unauthorized } from './api.js';
import {
  codedOffset, dropCode, insertCode, isCode, makeChip, missingCodes, moveCode, placeCaret, readTarget,
  renderSource, renderTarget,
} from './coded.js';

const $ = (id) => document.getElementById(id);
const AUTOSAVE_MS = 700;

const state = {
  job: null, // the open job
  segments: new Map(), // n -> segment (as the server last returned it)
  rows: new Map(), // n -> row element
  dirty: new Map(), // n -> timer of a pending autosave
  saving: new Map(), // n -> promise of the save in flight
  stream: null, // AbortController of the progress stream
  listTimer: null,
};

function show(section) {
  for (const id of ['login', 'documents', 'editor']) $(id).hidden = id !== section;
  $('logout').hidden = section === 'login';
}

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function fail(error) {
  if (error instanceof Unauthorized) {
    token.clear();
    $('login-error').textContent = 'The token was refused (unknown or revoked). Enter a valid token.';
    route();
    return;
  }
  status(error.message || String(error), true);
}

// ------------------------------------------------------------------ routing

function route() {
  clearTimeout(state.listTimer);
  if (state.stream) state.stream.abort();
  state.stream = null;
  if (!token.get()) {
    show('login');
    $('token').focus();
    return;
  }
  const match = /^#\/job\/([0-9a-f]+)$/.exec(location.hash);
  if (match) openJob(match[1]).catch(fail);
  else showList().catch(fail);
}

// ------------------------------------------------------------------ document list

async function showList() {
  show('documents');
  const jobs = await api.jobs();
  const body = $('doc-table').querySelector('tbody');
  body.replaceChildren(...jobs.map(jobRow));
  $('no-docs').hidden = jobs.length > 0;
  status(`${jobs.length} document(s)`);
  if (jobs.some((job) => job.state === 'queued' || job.state === 'translating')) {
    state.listTimer = setTimeout(() => { if (!$('documents').hidden) showList().catch(fail); }, 1000);
  }
}

function jobRow(job) {
  const row = document.createElement('tr');
  row.dataset.job = job.id;
  const name = document.createElement('td');
  const link = document.createElement('a');
  link.href = `#/job/${job.id}`;
  link.textContent = job.name;
  name.append(link);
  const stateCell = document.createElement('td');
  stateCell.textContent = job.state;
  stateCell.className = `state ${job.state}`;
  if (job.error) stateCell.title = job.error;
  const progressCell = document.createElement('td');
  const bar = document.createElement('progress');
  bar.max = Math.max(1, job.total);
  bar.value = job.done;
  progressCell.append(bar, document.createTextNode(` ${job.done}/${job.total}`));
  const confirmed = document.createElement('td');
  confirmed.textContent = `${job.confirmed}/${job.total}`;
  const actions = document.createElement('td');
  if (job.state === 'translated') {
    const download = document.createElement('button');
    download.type = 'button';
    download.textContent = 'Download';
    download.addEventListener('click', () => downloadJob(job).catch(fail));
    actions.append(download);
  }
  row.append(name, stateCell, progressCell, confirmed, actions);
  return row;
}

async function upload(event) {
  event.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  $('upload-error').textContent = '';
  try {
    const job = await api.upload(file);
    $('upload-form').reset();
    location.hash = `#/job/${job.id}`;
  } catch (error) {
    if (error instanceof ApiError) $('upload-error').textContent = error.message;
    else fail(error);
  }
}

async function downloadJob(job) {
  const response = await api.document(job.id);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = downloadName(response, job.name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ------------------------------------------------------------------ the segment grid

async function openJob(id) {
  await flushEdits(); // the job shown before keeps every edit typed into it, even one not yet autosaved
  // Nothing of the job shown before stays on screen while this one loads.
  state.job = null;
  state.segments.clear();
  state.rows.clear();
  delete $('editor').dataset.job;
  $('doc-title').textContent = '';
  $('counts').textContent = '';
  $('grid').replaceChildren();
  status('');
  show('editor');
  const job = await api.job(id);
  if (location.hash !== `#/job/${id}`) return; // the translator went elsewhere meanwhile
  state.job = job;
  $('doc-title').textContent = job.name;
  await refreshSegments();
  if (state.job !== job) return;
  updateHeader(job);
  $('editor').dataset.job = id; // its rows are rendered
  if (job.state === 'queued' || job.state === 'translating') followProgress(id);
  // the first open segment gets the caret, unless the translator already clicked into one meanwhile
  const first = firstOpen(-1);
  if (first !== null && !$('grid').contains(document.activeElement)) focusSegment(first);
}

function followProgress(id) {
  const controller = new AbortController();
  state.stream = controller;
  let refreshing = null;
  followEvents(id, (name, progress) => {
    if (!state.job || state.job.id !== id) return;
    Object.assign(state.job, progress);
    updateHeader(state.job);
    if (!refreshing) refreshing = refreshSegments().catch(fail).finally(() => { refreshing = null; });
    if (name === 'end') {
      setTimeout(() => { if (state.job && state.job.id === id) refreshSegments().catch(fail); }, 50);
    }
  }, controller.signal).catch((error) => { if (error.name !== 'AbortError') fail(error); });
}

function updateHeader(job) {
  $('doc-progress').max = Math.max(1, job.total);
  $('doc-progress').value = job.done;
  const check = [...state.segments.values()].filter((s) => s.needs_check).length;
  $('counts').textContent = `${job.state} · ${job.done}/${job.total} translated · ${job.confirmed} confirmed`
    + ` · ${check} to check`;
  $('download').disabled = job.state !== 'translated';
}

// Fetch the segments and update rows that are not being edited (machine output arrives during a job).
async function refreshSegments() {
  const job = state.job;
  if (!job) return; // between two jobs (a refresh timed by the previous job's stream): nothing to show
  const segments = await api.segments(job.id);
  if (state.job !== job) return;
  const grid = $('grid');
  for (const segment of segments) {
    const known = state.segments.get(segment.n);
    if (!state.rows.has(segment.n)) {
      state.segments.set(segment.n, segment);
      const row = buildRow(segment);
      state.rows.set(segment.n, row);
      grid.append(row);
      continue;
    }
    // A row with the caret but no change of the translator's (still showing what the server sent,
    // or nothing while the machine output is pending) gets the new text too, caret at its end.
    const focused = state.rows.get(segment.n).contains(document.activeElement);
    const untouched = readTarget(targetOf(segment.n)) === (known.target ?? '');
    const editing = state.dirty.has(segment.n) || state.saving.has(segment.n) || (focused && !untouched);
    if (!editing && (known.version !== segment.version || known.state !== segment.state
      || known.target !== segment.target)) {
      state.segments.set(segment.n, segment);
      renderTarget(targetOf(segment.n), segment.target, segment.codes);
      updateRow(segment.n);
      if (focused) placeCaret(targetOf(segment.n), Number.MAX_SAFE_INTEGER);
    }
  }
  job.confirmed = segments.filter((s) => s.state === 'confirmed').length;
  updateHeader(job);
  applyFilter();
}

function buildRow(segment) {
  const row = document.createElement('div');
  row.className = 'row';
  row.setAttribute('role', 'listitem');
  row.dataset.n = segment.n;
  const number = document.createElement('div');
  number.className = 'num';
  number.textContent = String(segment.n + 1);
  const source = document.createElement('div');
  source.className = 'source';
  source.lang = 'id';
  renderSource(source, segment);
  const cell = document.createElement('div');
  cell.className = 'target-cell';
  const target = document.createElement('div');
  target.className = 'target';
  target.lang = 'en';
  target.contentEditable = 'true';
  target.spellcheck = true;
  target.setAttribute('role', 'textbox');
  target.setAttribute('aria-label', `target of segment ${segment.n + 1}`);
  renderTarget(target, segment.target, segment.codes);
  const notes = document.createElement('div');
  notes.className = 'notes';
  cell.append(target, notes);
  const badge = document.createElement('div');
  badge.className = 'badge';
  row.append(number, source, cell, badge);
  state.rows.set(segment.n, row);
  updateRow(segment.n);
  return row;
}

const targetOf = (n) => state.rows.get(n).querySelector('.target');

// Flags, notes, missing tags and TM matches of a row, from its segment and current text.
function updateRow(n, problems = []) {
  const segment = state.segments.get(n);
  const row = state.rows.get(n);
  const coded = readTarget(targetOf(n));
  row.dataset.state = segment.state;
  row.classList.toggle('needs-check', segment.needs_check);
  row.classList.toggle('low-confidence', segment.confidence !== null && segment.confidence < 0.5);
  row.querySelector('.badge').textContent = segment.state;
  const notes = row.querySelector('.notes');
  notes.replaceChildren();
  for (const problem of problems) notes.append(note('error', problem));
  const termsMissing = segment.terms_found.some((use) => !use.found);
  for (const issue of segment.qa) {
    if (issue.code === 'term-missing' && termsMissing) continue; // said below, with the required English
    notes.append(note('qa', `QA: ${issue.message}`));
  }
  for (const use of segment.terms_found) {
    if (use.found) continue;
    const term = segment.terms.find((t) => t.source_term === use.source_term);
    const forms = term ? term.targets.join('" or "') : use.source_term;
    notes.append(note('term', `glossary: "${use.surface}" must be translated as "${forms}"`));
  }
  if (segment.confidence !== null && segment.confidence < 0.5) {
    notes.append(note('conf', `low confidence (${segment.confidence.toFixed(2)})`));
  }
  const missing = missingCodes(segment.source, coded);
  if (missing.length) {
    const tray = note('missing', 'missing tags (click to insert at the caret): ');
    for (const char of missing) {
      const chip = makeChip(char, segment.codes[char], false);
      chip.classList.add('insert');
      chip.addEventListener('mousedown', (event) => {
        event.preventDefault();
        insertMissing(n, char);
      });
      tray.append(chip);
    }
    notes.append(tray);
  }
  if (segment.tm && segment.tm.length) {
    const list = note('tm', 'TM: ');
    for (const match of segment.tm) {
      const use = document.createElement('button');
      use.type = 'button';
      use.className = 'tm-match';
      use.textContent = `${Math.round(match.score)}% ${Array.from(match.target).filter((c) => !isCode(c)).join('')}`;
      use.addEventListener('click', () => replaceTarget(n, match.target));
      list.append(use);
    }
    notes.append(list);
  }
}

function note(kind, text) {
  const el = document.createElement('div');
  el.className = `note ${kind}`;
  el.textContent = text;
  return el;
}

function applyFilter() {
  const only = $('filter-check').checked;
  for (const [n, row] of state.rows) row.hidden = only && !state.segments.get(n).needs_check;
}

// ------------------------------------------------------------------ editing and saving

let caret = { n: null, offset: 0 }; // the last caret position in a target (where missing tags go)

function rememberCaret() {
  const selection = window.getSelection();
  if (!selection.rangeCount) return;
  const range = selection.getRangeAt(0);
  const target = range.startContainer.nodeType === Node.ELEMENT_NODE
    ? range.startContainer.closest('.target') : range.startContainer.parentElement.closest('.target');
  if (!target) return;
  caret = { n: Number(target.closest('.row').dataset.n), offset: codedOffset(target, range.startContainer, range.startOffset) };
}

function replaceTarget(n, coded, focusChip = null) {
  const target = targetOf(n);
  renderTarget(target, coded, state.segments.get(n).codes);
  scheduleSave(n);
  updateRow(n);
  if (focusChip) target.querySelector(`[data-code="${focusChip}"]`)?.focus();
}

function insertMissing(n, char) {
  const coded = readTarget(targetOf(n));
  const at = caret.n === n ? caret.offset : Array.from(coded).length;
  replaceTarget(n, insertCode(coded, char, at));
  targetOf(n).focus();
  placeCaret(targetOf(n), at + 1);
}

// Save every edit not saved yet, and wait for the saves in flight: leaving a job never loses one.
async function flushEdits() {
  await Promise.all([...state.dirty.keys()].map((n) => save(n).catch(fail)));
  await Promise.all([...state.saving.values()].map((saving) => saving.catch(() => null)));
}

function scheduleSave(n) {
  clearTimeout(state.dirty.get(n));
  state.dirty.set(n, setTimeout(() => save(n).catch(fail), AUTOSAVE_MS));
}

// Save the row's target now (waits for a save in flight first); confirmed=true confirms it.
async function save(n, confirmed = false) {
  clearTimeout(state.dirty.get(n));
  state.dirty.delete(n);
  while (state.saving.has(n)) await state.saving.get(n);
  const segment = state.segments.get(n);
  const coded = readTarget(targetOf(n));
  if (!confirmed && coded === segment.target) return segment;
  const promise = (async () => {
    try {
      const saved = await api.save(state.job.id, n, coded, confirmed, segment.version);
      state.segments.set(n, saved);
      updateRow(n);
      status(`segment ${n + 1} ${confirmed ? 'confirmed' : 'saved'}`);
      return saved;
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        updateRow(n, error.problems.length ? error.problems : [error.message]);
        status(`segment ${n + 1} not saved: ${error.message}`, true);
        return null;
      }
      if (error instanceof ApiError && error.status === 409) {
        const fresh = await api.segment(state.job.id, n);
        state.segments.set(n, fresh);
        renderTarget(targetOf(n), fresh.target, fresh.codes);
        updateRow(n, ['this segment was changed elsewhere: reloaded, please check it']);
        return null;
      }
      throw error;
    }
  })();
  state.saving.set(n, promise);
  try {
    return await promise;
  } finally {
    state.saving.delete(n);
    refreshCounts();
  }
}

function refreshCounts() {
  if (!state.job) return;
  state.job.confirmed = [...state.segments.values()].filter((s) => s.state === 'confirmed').length;
  updateHeader(state.job);
}

function firstOpen(after) {
  const order = [...state.rows.keys()].sort((a, b) => a - b);
  for (const n of order) {
    if (n > after && state.segments.get(n).state !== 'confirmed' && !state.rows.get(n).hidden) return n;
  }
  return null;
}

function neighbour(n, step) {
  const order = [...state.rows.keys()].filter((k) => !state.rows.get(k).hidden).sort((a, b) => a - b);
  const at = order.indexOf(n);
  return order[Math.min(order.length - 1, Math.max(0, at + step))];
}

function focusSegment(n) {
  const target = targetOf(n);
  target.focus();
  placeCaret(target, Number.MAX_SAFE_INTEGER);
  state.rows.get(n).scrollIntoView({ block: 'nearest' });
}

function currentRow(event) {
  const row = event.target.closest && event.target.closest('.row');
  return row ? Number(row.dataset.n) : null;
}

async function onKey(event) {
  const n = currentRow(event);
  if (n === null) return;
  const chip = event.target.classList && event.target.classList.contains('chip') ? event.target : null;
  if (event.ctrlKey && event.key === 'Enter') {
    event.preventDefault();
    const saved = await save(n, true).catch(fail);
    if (saved) {
      renderTarget(targetOf(n), saved.target, saved.codes);
      const next = firstOpen(n);
      if (next !== null) focusSegment(next);
    }
  } else if (event.ctrlKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
    event.preventDefault();
    focusSegment(neighbour(n, event.key === 'ArrowDown' ? 1 : -1));
  } else if (chip && event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
    event.preventDefault();
    const coded = moveCode(readTarget(targetOf(n)), chip.dataset.code, event.key === 'ArrowRight' ? 1 : -1);
    replaceTarget(n, coded, chip.dataset.code);
  } else if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault(); // a segment is one line; Enter would add markup the document cannot hold
  }
}

function onInput(event) {
  const n = currentRow(event);
  if (n === null) return;
  scheduleSave(n);
  updateRow(n);
}

// Paste plain text only, without tag characters.
function onPaste(event) {
  if (currentRow(event) === null) return;
  event.preventDefault();
  const text = Array.from(event.clipboardData.getData('text/plain')).filter((c) => !isCode(c)).join('')
    .replace(/[\r\n]+/g, ' ');
  const selection = window.getSelection();
  if (!selection.rangeCount) return;
  const range = selection.getRangeAt(0);
  range.deleteContents();
  const node = document.createTextNode(text);
  range.insertNode(node);
  range.setStartAfter(node);
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
  onInput(event);
}

// Drag a chip to another place in its own target.
function onDragStart(event) {
  const chip = event.target.closest && event.target.closest('.target .chip');
  if (!chip) return;
  event.dataTransfer.setData('application/x-translate-tag', `${currentRow(event)}:${chip.dataset.code}`);
  event.dataTransfer.effectAllowed = 'move';
}

function onDrop(event) {
  const data = event.dataTransfer.getData('application/x-translate-tag');
  const n = currentRow(event);
  if (!data || n === null) return;
  event.preventDefault();
  const [from, char] = data.split(':');
  if (Number(from) !== n) return;
  const target = targetOf(n);
  const point = document.caretRangeFromPoint(event.clientX, event.clientY);
  if (!point || !target.contains(point.startContainer)) return;
  const at = codedOffset(target, point.startContainer, point.startOffset);
  replaceTarget(n, dropCode(readTarget(target), char, at), char);
}

async function onFocusOut(event) {
  const n = currentRow(event);
  if (n !== null && state.dirty.has(n) && !state.rows.get(n).contains(event.relatedTarget)) {
    await save(n).catch(fail);
  }
}

// ------------------------------------------------------------------ start

function start() {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set($('token').value.trim());
    $('token').value = '';
    $('login-error').textContent = '';
    route();
  });
  $('logout').addEventListener('click', () => { token.clear(); route(); });
  $('upload-form').addEventListener('submit', upload);
  $('filter-check').addEventListener('change', applyFilter);
  $('download').addEventListener('click', async () => {
    for (const n of [...state.dirty.keys()]) await save(n).catch(fail);
    await downloadJob(state.job).catch(fail);
  });
  const grid = $('grid');
  grid.addEventListener('keydown', (event) => { onKey(event).catch(fail); });
  grid.addEventListener('input', onInput);
  grid.addEventListener('paste', onPaste);
  grid.addEventListener('dragstart', onDragStart);
  grid.addEventListener('dragover', (event) => { if (currentRow(event) !== null) event.preventDefault(); });
  grid.addEventListener('drop', onDrop);
  grid.addEventListener('focusout', (event) => { onFocusOut(event); });
  document.addEventListener('selectionchange', rememberCaret);
  window.addEventListener('hashchange', route);
  window.addEventListener('beforeunload', (event) => {
    if (state.dirty.size) {
      for (const n of [...state.dirty.keys()]) save(n);
      event.preventDefault();
    }
  });
  route();
}

start();
