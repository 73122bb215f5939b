// Coded text <-> DOM. A segment's text holds one private-use character per inline tag
// (U+E000-U+F8FF); the editor shows each as a chip that can be moved but not typed.
// Document text only ever becomes text nodes (createTextNode / textContent), never HTML.
// Offsets are in code points, as the server counts them (Array.from, not string indices).

export const isCode = (ch) => {
  const c = ch.codePointAt(0);
  return c >= 0xe000 && c <= 0xf8ff;
};

export function makeChip(char, info, movable) {
  const el = document.createElement('span');
  const kind = info ? info.kind : 'unknown';
  el.className = `chip ${kind}${info && info.name === 'quantity' ? ' qty' : ''}`;
  el.contentEditable = 'false';
  el.dataset.code = char;
  el.textContent = info ? info.label : '?';
  el.title = info ? info.data : 'unknown tag';
  if (movable) {
    el.draggable = true;
    el.tabIndex = 0;
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', `tag ${el.textContent}: Alt+arrows move it`);
  }
  return el;
}

// The source: chips for tags, quantities with their source words and required English,
// glossary terms marked with their required English.
export function renderSource(container, segment) {
  container.replaceChildren();
  const chars = Array.from(segment.source);
  const quantities = Object.fromEntries(segment.quantities.map((q) => [q.char, q]));
  const termAt = new Map();
  for (const term of segment.terms) termAt.set(term.start, term);
  let i = 0;
  let text = '';
  const flush = (parent) => {
    if (text) parent.append(document.createTextNode(text));
    text = '';
  };
  while (i < chars.length) {
    const term = termAt.get(i);
    if (term && term.end > i) {
      flush(container);
      const mark = document.createElement('mark');
      mark.className = 'term';
      mark.title = `glossary (${term.category}): ${term.source_term} → ${term.targets.join(' / ')}`;
      appendRun(mark, chars.slice(i, term.end), segment.codes, quantities);
      const need = document.createElement('span');
      need.className = 'need';
      need.textContent = term.targets[0];
      mark.append(need);
      container.append(mark);
      i = term.end;
      continue;
    }
    if (isCode(chars[i])) {
      flush(container);
      container.append(sourceChip(chars[i], segment.codes, quantities));
    } else {
      text += chars[i];
    }
    i += 1;
  }
  flush(container);
}

function appendRun(parent, chars, codes, quantities) {
  let text = '';
  for (const ch of chars) {
    if (isCode(ch)) {
      if (text) parent.append(document.createTextNode(text));
      text = '';
      parent.append(sourceChip(ch, codes, quantities));
    } else {
      text += ch;
    }
  }
  if (text) parent.append(document.createTextNode(text));
}

function sourceChip(char, codes, quantities) {
  const quantity = quantities[char];
  if (!quantity) return makeChip(char, codes[char], false);
  const el = document.createElement('mark');
  el.className = 'quantity';
  el.title = `written in English as: ${quantity.english}`;
  el.append(document.createTextNode(quantity.source));
  const need = document.createElement('span');
  need.className = 'need';
  need.textContent = quantity.english;
  el.append(need);
  return el;
}

// The target: text nodes and movable chips.
export function renderTarget(container, coded, codes) {
  container.replaceChildren();
  let text = '';
  for (const ch of Array.from(coded || '')) {
    if (isCode(ch)) {
      if (text) container.append(document.createTextNode(text));
      text = '';
      container.append(makeChip(ch, codes[ch], true));
    } else {
      text += ch;
    }
  }
  if (text) container.append(document.createTextNode(text));
}

// The coded text of an edited target: chips give their tag, typed or pasted tag characters
// are dropped (a tag cannot be typed), the browser's no-break spaces become spaces.
export function readTarget(container) {
  let out = '';
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out += Array.from(child.nodeValue).filter((ch) => !isCode(ch)).join('').replace(/\u00a0/g, ' ');
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.dataset && child.dataset.code) out += child.dataset.code;
        else if (child.tagName !== 'BR') walk(child);
      }
    }
  };
  walk(container);
  return out;
}

// Where a DOM point (node, offset) is in the coded text of container.
export function codedOffset(container, node, offset) {
  let count = 0;
  let found = null;
  const walk = (parent) => {
    for (let k = 0; k < parent.childNodes.length && found === null; k += 1) {
      if (parent === node && k === offset) { found = count; return; }
      const child = parent.childNodes[k];
      if (child === node && child.nodeType === Node.TEXT_NODE) {
        found = count + Array.from(child.nodeValue.slice(0, offset)).length;
        return;
      }
      if (child.nodeType === Node.TEXT_NODE) count += Array.from(child.nodeValue).length;
      else if (child.dataset && child.dataset.code) count += 1;
      else walk(child);
    }
    if (parent === node && found === null) found = count;
  };
  walk(container);
  return found === null ? count : found;
}

// Put the caret at a coded offset.
export function placeCaret(container, position) {
  let left = position;
  const range = document.createRange();
  for (const child of container.childNodes) {
    const size = child.nodeType === Node.TEXT_NODE ? Array.from(child.nodeValue).length : 1;
    if (left <= size && child.nodeType === Node.TEXT_NODE) {
      range.setStart(child, Array.from(child.nodeValue).slice(0, left).join('').length);
      range.collapse(true);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    left -= size;
  }
  range.selectNodeContents(container);
  range.collapse(false);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

// Move tag `char` one step: over an adjacent tag, else over the next word (and the spaces before it).
export function moveCode(coded, char, direction) {
  const chars = Array.from(coded);
  const from = chars.indexOf(char);
  if (from < 0) return coded;
  chars.splice(from, 1);
  let to = from;
  const space = (ch) => /\s/u.test(ch);
  if (direction > 0) {
    if (to < chars.length && isCode(chars[to])) to += 1;
    else {
      while (to < chars.length && space(chars[to])) to += 1;
      while (to < chars.length && !space(chars[to]) && !isCode(chars[to])) to += 1;
    }
  } else if (to > 0 && isCode(chars[to - 1])) to -= 1;
  else {
    while (to > 0 && space(chars[to - 1])) to -= 1;
    while (to > 0 && !space(chars[to - 1]) && !isCode(chars[to - 1])) to -= 1;
  }
  chars.splice(to, 0, char);
  return chars.join('');
}

// Move tag `char` to coded offset `position` (counted in the text with the tag still in it).
export function dropCode(coded, char, position) {
  const chars = Array.from(coded);
  const from = chars.indexOf(char);
  if (from < 0) return coded;
  chars.splice(from, 1);
  chars.splice(position > from ? position - 1 : position, 0, char);
  return chars.join('');
}

// Insert a (missing) tag at a coded offset.
export function insertCode(coded, char, position) {
  const chars = Array.from(coded);
  chars.splice(Math.min(position, chars.length), 0, char);
  return chars.join('');
}

// The segment's tags missing from a target (the chips to offer again).
export function missingCodes(source, target) {
  const present = new Set(Array.from(target).filter(isCode));
  return Array.from(source).filter((ch) => isCode(ch) && !present.has(ch));
}
