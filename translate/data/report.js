// Segment browser of the translate evaluation report.
// Text from the documents is only ever put into the page with textContent: never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var rows = data.segments;
  var PAGE = 50;
  var MAX_DIFF_CELLS = 250000; // word-diff table size past which a row is shown without highlighting
  var HIGHER = { bleu: true, chrf: true, r: true, ter: false, i: true };
  var state = { key: "chrf", ascending: true, page: 0, doc: "", term: false, number: false, text: "" };
  var table = document.getElementById("segments");
  var body = table.tBodies[0];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function words(text) {
    return text ? text.split(/\s+/).filter(function (w) { return w.length > 0; }) : [];
  }

  // Longest common subsequence of two word lists: which words of each side the other one has.
  function common(a, b) {
    var keepA = new Array(a.length).fill(false), keepB = new Array(b.length).fill(false);
    if (a.length * b.length > MAX_DIFF_CELLS) return null;
    var n = a.length, m = b.length, i, j, width = m + 1;
    var len = new Uint16Array((n + 1) * (m + 1));
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        len[i * width + j] = a[i] === b[j] ? len[(i + 1) * width + j + 1] + 1
          : Math.max(len[(i + 1) * width + j], len[i * width + j + 1]);
      }
    }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { keepA[i] = true; keepB[j] = true; i++; j++; }
      else if (len[(i + 1) * width + j] >= len[i * width + j + 1]) i++;
      else j++;
    }
    return [keepA, keepB];
  }

  function marked(cell, tokens, keep, tag) {
    tokens.forEach(function (word, k) {
      if (k > 0) cell.appendChild(document.createTextNode(" "));
      if (keep && !keep[k]) cell.appendChild(el(tag, word));
      else cell.appendChild(document.createTextNode(word));
    });
  }

  function number(value) {
    return value === null || value === undefined ? "n/a" : value.toFixed(2);
  }

  function matches(row) {
    if (state.doc !== "" && row.d !== Number(state.doc)) return false;
    if (state.term && row.f.indexOf("term") < 0) return false;
    if (state.number && row.f.indexOf("number") < 0) return false;
    if (state.text) {
      var needle = state.text.toLowerCase();
      var hay = [row.id, row.ref, row.hyp, row.src || ""].join("\n").toLowerCase();
      if (hay.indexOf(needle) < 0) return false;
    }
    return true;
  }

  function compare(a, b) {
    var x = a[state.key], y = b[state.key];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    var order = x < y ? -1 : x > y ? 1 : 0;
    if (order === 0) order = a.i - b.i;
    return state.ascending ? order : -order;
  }

  function selected() {
    return rows.filter(matches).sort(compare);
  }

  function render() {
    var chosen = selected();
    var pages = Math.max(1, Math.ceil(chosen.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var first = state.page * PAGE;
    var shown = chosen.slice(first, first + PAGE);
    body.textContent = "";
    shown.forEach(function (row) {
      var tr = el("tr");
      tr.dataset.id = row.id;
      if (row.f.length) tr.className = "flag";
      var name = data.documents[row.d];
      var local = row.id.indexOf(name) === 0 ? row.id.slice(name.length) : row.id;
      if (local.charAt(0) === ":") local = "line " + local.slice(1);
      var id = el("td", local);
      if (data.documents.length > 1) id.appendChild(el("span", name, "unit"));
      if (row.b !== "1-1") id.appendChild(el("span", "bead " + row.b, "unit"));
      if (row.f.length) id.appendChild(el("span", row.f.join(", ") + " miss", "unit"));
      tr.appendChild(id);
      ["bleu", "chrf", "ter"].forEach(function (key) { tr.appendChild(el("td", number(row[key]), "n")); });
      tr.appendChild(el("td", row.r === null ? "n/a" : row.r.toFixed(2), "n"));
      var src = el("td", row.src || "", "t c-src");
      if (row.su) src.appendChild(el("span", "(the whole unit: its sentences do not line up)", "unit"));
      tr.appendChild(src);
      var ref = words(row.ref), hyp = words(row.hyp), keep = common(ref, hyp);
      var refCell = el("td", null, "t"), hypCell = el("td", null, "t");
      marked(refCell, ref, keep && keep[0], "del");
      marked(hypCell, hyp, keep && keep[1], "ins");
      tr.appendChild(refCell);
      tr.appendChild(hypCell);
      body.appendChild(tr);
    });
    var total = data.total > rows.length ? " (of " + data.total + " segments in the evaluation)" : "";
    document.getElementById("count").textContent = chosen.length === 0 ? "No segment matches."
      : "Segments " + (first + 1) + "–" + (first + shown.length) + " of " + chosen.length + total + ".";
    document.getElementById("page").textContent = "page " + (state.page + 1) + " of " + pages;
    document.getElementById("prev").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th"), function (th) {
      var button = th.querySelector("button");
      if (!button) return;
      th.setAttribute("aria-sort", button.dataset.key === state.key
        ? (state.ascending ? "ascending" : "descending") : "none");
    });
  }

  function csvField(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // a spreadsheet must not run a cell as a formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function downloadCsv() {
    var header = ["segment", "document", "bead", "BLEU", "chrF++", "TER", "length_ratio", "flags",
                  "source", "reference", "hypothesis"];
    var lines = [header.join(",")];
    selected().forEach(function (row) {
      lines.push([row.id, data.documents[row.d], row.b, row.bleu, row.chrf, row.ter, row.r, row.f.join(" "),
                  row.src, row.ref, row.hyp].map(csvField).join(","));
    });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = "segments.csv";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  var select = document.getElementById("f-doc");
  data.documents.forEach(function (name, index) {
    var option = el("option", name);
    option.value = String(index);
    select.appendChild(option);
  });
  if (data.documents.length < 2) select.parentNode.hidden = true;
  if (!data.hasSource) table.classList.add("nosrc");
  if (!rows.some(function (r) { return r.f.indexOf("term") >= 0; })) document.getElementById("f-term").parentNode.hidden = true;
  if (!rows.some(function (r) { return r.f.indexOf("number") >= 0; })) document.getElementById("f-number").parentNode.hidden = true;

  select.addEventListener("change", function () { state.doc = select.value; state.page = 0; render(); });
  document.getElementById("f-term").addEventListener("change", function (e) { state.term = e.target.checked; state.page = 0; render(); });
  document.getElementById("f-number").addEventListener("change", function (e) { state.number = e.target.checked; state.page = 0; render(); });
  document.getElementById("f-text").addEventListener("input", function (e) { state.text = e.target.value; state.page = 0; render(); });
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; render(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; render(); });
  document.getElementById("csv").addEventListener("click", downloadCsv);
  Array.prototype.forEach.call(table.tHead.querySelectorAll("button"), function (button) {
    button.addEventListener("click", function () {
      var key = button.dataset.key;
      if (state.key === key) state.ascending = !state.ascending;
      else { state.key = key; state.ascending = HIGHER[key]; } // worst first: low BLEU, high TER
      state.page = 0;
      render();
    });
  });
  render();
})();
