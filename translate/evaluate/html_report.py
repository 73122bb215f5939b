"""The evaluation report: ``report.json`` and a self-contained ``report.html``; the comparison page.

The page has no external files: figures are PNGs embedded as ``data:`` URIs,
the style and the script (``translate/data/report.css``, ``report.js``) are
copied into the page, and the segments travel as a JSON data block.  It can be
mailed, attached to an issue or opened offline and still shows everything.

Safety: no text from a document is ever inserted as HTML.  Every string the
page shows is escaped here, and the segment browser puts text into the page
with ``textContent`` only, so an article containing ``<script>`` shows it as
text.  The page declares its own Content-Security-Policy: no network at all
(``default-src 'none'``), images only from ``data:``, and only its own style
and script blocks, named by their SHA-256 — no inline event handlers, no
``eval``.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from pathlib import Path

from ..errors import OutputError
from ..textio import refuse_existing, write_atomic
from . import plots
from .align import METHOD
from .comet import ENABLE_HINT
from .metrics import HIGHER_IS_BETTER, METRIC_NAMES
from .post_edit import PostEditEffort, is_unchanged
from .scoring import Evaluation, Issue, SegmentScore
from .significance import Comparison
from .tables import comparison_footer, counts_line, plural

REPORT_FILES = ("report.json", "report.html")
#: Segments the page carries (the lowest chrF++ first); the JSON report has all of them.
MAX_PAGE_SEGMENTS = 20_000
#: Edited segments the post-editing page lists (the highest HTER first); --json has all of them.
MAX_PAGE_EDITS = 2_000
#: Word-diff table size (MT words × post-edit words) past which a segment is shown unmarked.
MAX_DIFF_CELLS = 250_000
#: Term and number misses listed on the page.
MAX_PAGE_ISSUES = 500
#: Misses shown unfolded; a longer list starts folded.
OPEN_ISSUES = 20


def _asset(name: str) -> str:
    return (files("translate.data") / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _json_block(data: object) -> str:
    """JSON that cannot end its ``<script type="application/json">`` element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(title: str, body: str, data: object | None = None) -> str:
    """A whole page: CSP, style, body and (with ``data``) the segment browser's data and script."""
    style = _asset("report.css")
    script = _asset("report.js") if data is not None else ""
    scripts = _hash(script) if script else "'none'"
    policy = (f"default-src 'none'; img-src data:; style-src {_hash(style)}; script-src {scripts}; "
              "base-uri 'none'; form-action 'none'")
    tail = ""
    if data is not None:
        tail = (f'<script type="application/json" id="report-data">{_json_block(data)}</script>\n'
                f"<script>{script}</script>\n")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n"
            f"<title>{escape(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            f"{body}\n{tail}</body></html>\n")


def _img(caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _cell(value: object) -> str:
    if value is None:
        return '<td class="n">n/a</td>'
    if isinstance(value, float):
        return f'<td class="n">{value:.2f}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value:,}</td>'
    return f"<td>{escape(str(value))}</td>"


def _table(header: list[str], rows: Sequence[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _metric_header(name: str) -> str:
    return name if HIGHER_IS_BETTER[name] else f"{name} ↓"


def figures(evaluation: Evaluation) -> dict[str, tuple[str, bytes]]:
    """name -> (caption, PNG) for every figure the data allows."""
    result = {}
    if evaluation.segments:
        result["segments"] = ("Per-segment scores, one panel per metric", plots.segment_distribution(
            evaluation.segments))
    if evaluation.by_length:
        result["length"] = ("Scores by reference length in words", plots.by_length(evaluation.by_length))
    if len(evaluation.documents) > 1:
        result["documents"] = ("Scores by document", plots.by_document(evaluation.documents))
    if evaluation.segments:
        result["ratio"] = ("Hypothesis/reference length ratio", plots.ratio_histogram(evaluation.segments))
    if evaluation.terms and any(t.by_category for t in evaluation.terms):
        result["terms"] = ("Term success by category", plots.term_categories(evaluation.terms))
    return result


def _summary(evaluation: Evaluation, run_info: dict[str, str] | None) -> str:
    items = [f"<li>{escape(counts_line(evaluation))}.</li>",
             f"<li>{escape(evaluation.level_summary)}.</li>",
             "<li>A <b>unit</b> is what hypothesis and reference share by structure: a line, a paragraph "
             "(plain text) or a block (heading, paragraph, list item, table cell). A <b>segment</b> is what "
             "the metrics score: a line, or the sentences of a unit aligned one to one (or 2-1, 1-2, "
             "1-0, 0-1 where a system merged, split, dropped or added a sentence).</li>"]
    if evaluation.realigned_units:
        items.append(f"<li>{escape(plural(evaluation.realigned_units, evaluation.unit_name))} realigned in "
                     f"{escape(plural(evaluation.realigned, 'document'))} ({escape(METHOD)}).</li>")
    items += [f"<li>{escape(note)}</li>" for note in evaluation.notes]
    parts = [f"<ul class=\"summary\">{''.join(items)}</ul>"]
    if run_info:
        parts.append("<details><summary>Run</summary>"
                     + _table(["", ""], [[k, v] for k, v in run_info.items()], "wrap") + "</details>")
    return "".join(parts)


def _scores(evaluation: Evaluation) -> str:
    rows = []
    for m in evaluation.metrics:
        better = "higher is better" if HIGHER_IS_BETTER[m.name] else "lower is better"
        rows.append(f"<tr><th scope=\"row\">{escape(m.name)}</th><td class=\"n big\">{m.score:.2f}</td>"
                    f"<td class=\"n\">{escape(m.interval_text() or 'n/a')}</td><td>{better}</td></tr>"
                    f"<tr class=\"sigrow\"><td colspan=\"4\"><code class=\"sig\">{escape(m.signature)}</code>"
                    f"</td></tr>")
    ci = (f"95% confidence interval from {evaluation.n_bootstrap:,} bootstrap resamples of the segments"
          if evaluation.n_bootstrap else "no confidence intervals (--bootstrap 0)")
    comet = (f"<p>COMET {100 * evaluation.comet.score:.2f} ({escape(evaluation.comet.model)})</p>"
             if evaluation.comet is not None else f"<p class=\"note\">{escape(ENABLE_HINT)}</p>")
    return ("<section id=\"scores\"><h2>Corpus scores</h2>"
            "<table class=\"scores\"><thead><tr><th>metric</th><th>score</th><th>bootstrap μ ± 95% CI</th>"
            f"<th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p class=\"note\">{escape(ci)}; sacrebleu signatures under each score.</p>{comet}</section>")


def _breakdowns(evaluation: Evaluation) -> str:
    parts = ["<section id=\"breakdowns\"><h2>Breakdowns</h2>"]
    if evaluation.by_length:
        parts.append("<h3>By segment length</h3>")
        parts.append(_table(["reference words", "segments", *map(_metric_header, METRIC_NAMES)],
                            [[b.label, b.segments, *(b.scores[n] for n in METRIC_NAMES)]
                             for b in evaluation.by_length]))
    parts.append("<h3>By document</h3>")
    parts.append(_table(["document", "unit", "units", "segments", "realigned units",
                         *map(_metric_header, METRIC_NAMES)],
                        [[d.key, d.level, d.units, d.segments, d.realigned_units,
                          *(d.scores.get(n) for n in METRIC_NAMES)] for d in evaluation.documents], "wrap"))
    parts.append("<p class=\"note\">↓ lower is better. A document's scores are corpus scores over its own "
                 "segments.</p></section>")
    return "".join(parts)


def _issue_table(issues: list[Issue], what: str) -> str:
    """Misses with their segments, the first :data:`MAX_PAGE_ISSUES` of them."""
    if not issues:
        return ""
    rows = [[i.document, ", ".join(s.removeprefix(i.document) for s in i.segments) or f"unit {i.unit}",
             i.source, i.expected, i.hypothesis] for i in issues[:MAX_PAGE_ISSUES]]
    table = _table(["document", "segments", what, "expected", "hypothesis"], rows, "wrap issues")
    if len(issues) > MAX_PAGE_ISSUES:
        table += (f"<p class=\"note\">The first {MAX_PAGE_ISSUES:,} of {len(issues):,}; report.json "
                  "(or score --json) lists all.</p>")
    # A long list would push the rest of the page far down: folded, and the segment browser filters them too.
    opened = " open" if len(issues) <= OPEN_ISSUES else ""
    return (f"<details{opened}><summary>{len(issues):,} {escape(what)} miss(es) with their segments"
            f"</summary>{table}</details>")


def _source_checks(evaluation: Evaluation) -> str:
    parts = []
    terms = [i for i in evaluation.issues if i.kind == "term"]
    numbers = [i for i in evaluation.issues if i.kind == "number"]
    if evaluation.terms:
        parts.append("<section id=\"terms\"><h2>Terminology</h2>")
        rows = []
        for t in evaluation.terms:
            rows.append([t.metric, "all", t.found, t.total, t.score if t.total else None])
            rows += [["", c, n.found, n.total, 100 * n.rate if n.total else None]
                     for c, n in sorted(t.by_category.items())]
        parts.append(_table(["metric", "category", "found", "total", "%"], rows))
        parts += [f"<p><code class=\"sig\">{escape(t.signature)}</code></p>" for t in evaluation.terms]
        if evaluation.term_note():
            parts.append(f"<p class=\"note\">{escape(evaluation.term_note())}.</p>")
        parts.append(f"<h3>Term misses ({len(terms):,})</h3>")
        parts.append(_issue_table(terms, "source term"))
        parts.append("</section>")
    if evaluation.numbers_checked:
        parts.append(f"<section id=\"numbers\"><h2>Numbers</h2><p>{len(numbers):,} source number(s) missing "
                     f"from the hypothesis, in {len({(i.document, i.unit) for i in numbers}):,} of "
                     f"{escape(plural(evaluation.numbers_checked, evaluation.unit_name))} (a source number "
                     "must appear converted, "
                     "the English way: 2,5 as 2.5).</p>")
        parts.append(_issue_table(numbers, "source number"))
        parts.append("</section>")
    if evaluation.fidelity:
        parts.append("<section id=\"fidelity\"><h2>Format fidelity</h2>")
        parts.append(_table(["document", "units", "codes preserved", "%", "shape equal", "shape", "problems"],
                            [[f.document, f.blocks, f.preserved, f.rate if f.blocks else None,
                              "yes" if f.shape_equal else "no", f.shape, "; ".join(f.problems[:5])]
                             for f in evaluation.fidelity], "wrap"))
        parts.append("</section>")
    return "".join(parts)


def _segment_data(evaluation: Evaluation) -> dict:
    """What the segment browser needs, the worst segments first when there are more than the page carries."""
    segments: list[SegmentScore] = evaluation.segments
    if len(segments) > MAX_PAGE_SEGMENTS:
        segments = sorted(segments, key=lambda s: s.chrf)[:MAX_PAGE_SEGMENTS]
    documents = [d.key for d in evaluation.documents]
    index = {key: i for i, key in enumerate(documents)}
    position = {id(s): i for i, s in enumerate(evaluation.segments)}
    return {
        "documents": documents,
        "total": len(evaluation.segments),
        "hasSource": any(s.source is not None for s in segments),
        "segments": [{"i": position[id(s)], "id": s.id, "d": index[s.document], "b": s.bead,
                      "bleu": round(s.bleu, 2),
                      "chrf": round(s.chrf, 2), "ter": round(s.ter, 2),
                      "r": None if s.length_ratio is None else round(s.length_ratio, 3),
                      "w": s.words, "src": s.source, "su": s.source_is_unit, "ref": s.reference,
                      "hyp": s.hypothesis, "f": list(s.flags)} for s in segments],
    }


_BROWSER = """<section id="browser"><h2>Segments</h2>
<p class="note">Source, reference and hypothesis side by side; in the reference, words the hypothesis lacks
are <del>struck</del>; in the hypothesis, words the reference lacks are <ins>marked</ins>. Click a column
heading to sort (a score sorts worst first, again for best first).</p>
<div class="controls">
<label>Document <select id="f-doc"><option value="">all documents</option></select></label>
<label><input type="checkbox" id="f-term"> term misses</label>
<label><input type="checkbox" id="f-number"> number misses</label>
<label>Search <input type="search" id="f-text" placeholder="words in any column"></label>
<button type="button" id="csv">Download CSV</button>
</div>
<p id="count" class="note" aria-live="polite"></p>
<table id="segments" class="segments"><thead><tr>
<th class="c-id"><button type="button" data-key="i">segment</button></th>
<th class="c-n"><button type="button" data-key="bleu">BLEU</button></th>
<th class="c-n"><button type="button" data-key="chrf">chrF++</button></th>
<th class="c-n"><button type="button" data-key="ter">TER ↓</button></th>
<th class="c-n"><button type="button" data-key="r">length</button></th>
<th class="c-t c-src">source</th><th class="c-t">reference</th><th class="c-t">hypothesis</th>
</tr></thead><tbody></tbody></table>
<div class="pager"><button type="button" id="prev">Previous</button> <span id="page"></span>
<button type="button" id="next">Next</button></div>
<noscript><p>The segment browser needs JavaScript; report.json holds every segment.</p></noscript>
</section>"""


def render_html(evaluation: Evaluation, title: str, run_info: dict[str, str] | None = None) -> str:
    """The whole report page as one string."""
    images = figures(evaluation)
    data = _segment_data(evaluation)
    shown = len(data["segments"])
    body = [f"<header><h1>{escape(title)}</h1></header>",
            "<nav><a href=\"#scores\">Scores</a> <a href=\"#figures\">Figures</a> "
            "<a href=\"#breakdowns\">Breakdowns</a>"
            + (" <a href=\"#terms\">Terms</a>" if evaluation.terms else "")
            + (" <a href=\"#numbers\">Numbers</a>" if evaluation.numbers_checked else "")
            + " <a href=\"#browser\">Segments</a> <a href=\"#signatures\">Signatures</a></nav>",
            _summary(evaluation, run_info), _scores(evaluation),
            "<section id=\"figures\"><h2>Figures</h2>"
            + "".join(_img(caption, png) for caption, png in images.values()) + "</section>",
            _breakdowns(evaluation), _source_checks(evaluation), _BROWSER]
    if shown < len(evaluation.segments):
        body.append(f"<p class=\"note\">The browser holds the {shown:,} lowest-scoring (chrF++) of "
                    f"{len(evaluation.segments):,} segments; report.json has all.</p>")
    body.append("<section id=\"signatures\"><h2>Signatures</h2>"
                + _table(["scores", "sacrebleu signature"],
                         [*[[f"corpus {m.name}", m.signature] for m in evaluation.metrics],
                          *[[f"segment {k}", v] for k, v in evaluation.segment_signatures.items()],
                          ["alignment", METHOD]], "wrap sigs") + "</section>")
    return page(title, "\n".join(body), data)


def write_report(evaluation: Evaluation, outdir: str | Path, title: str = "Translation evaluation",
                 run_info: dict[str, str] | None = None, overwrite: bool = False) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.html`` into ``outdir``; return both paths."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    data = {"title": title, **({"run": run_info} if run_info else {}), **evaluation.as_dict()}
    if evaluation.comet is None:
        data["comet"] = {"available": False, "note": ENABLE_HINT}
    json_path, html_path = out / REPORT_FILES[0], out / REPORT_FILES[1]
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_atomic(json_path, text.encode("utf-8"), overwrite=overwrite)
    write_atomic(html_path, render_html(evaluation, title, run_info).encode("utf-8"), overwrite=overwrite)
    return json_path, html_path


def check_html_target(path: str | None, overwrite: bool) -> None:
    """Refuse an existing ``--html FILE`` before any work (not after minutes of scoring)."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise OutputError("is a folder", path=path, hint="give a file name for the HTML report")
    refuse_existing(target, overwrite)


def write_evaluation_page(path: str | Path, evaluation: Evaluation, title: str,
                          overwrite: bool = False) -> None:
    write_atomic(Path(path), render_html(evaluation, title).encode("utf-8"), overwrite=overwrite)


def word_diff(before: str, after: str) -> tuple[str, str]:
    """Both texts as escaped HTML: words only in ``before`` struck (``<del>``), only in ``after`` marked."""
    old, new = before.split(), after.split()
    if len(old) * len(new) > MAX_DIFF_CELLS:
        return escape(before), escape(after)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        kept_old, kept_new = escape(" ".join(old[i1:i2])), escape(" ".join(new[j1:j2]))
        if op == "equal":
            left.append(kept_old)
            right.append(kept_new)
            continue
        if i2 > i1:
            left.append(f"<del>{kept_old}</del>")
        if j2 > j1:
            right.append(f"<ins>{kept_new}</ins>")
    return " ".join(left), " ".join(right)


def render_post_edit(effort: PostEditEffort, title: str) -> str:
    """The page of ``translate score --post-edited --html``: HTER, unchanged share, documents, edits."""
    evaluation, hter = effort.evaluation, effort.hter
    total = len(effort.segments)
    share = f"{effort.unchanged_share:.2f}%" if effort.unchanged_share is not None else "n/a"
    summary = [counts_line(evaluation), evaluation.level_summary,
               "HTER is TER with the post-edit as the reference: the post-editor's edits (words inserted, "
               "deleted, substituted, blocks shifted) per word of the post-edit; lower is less editing. A "
               "segment is unchanged when the post-editor kept the machine translation as it was "
               "(spaces aside; a change of case counts, although TER ignores case)",
               *evaluation.notes]
    scores = _table(["", "score", "bootstrap μ ± 95% CI"],
                    [["HTER ↓", hter.score, hter.interval_text() or None],
                     ["unchanged segments", f"{effort.unchanged:,} of {total:,} ({share})", ""]], "scores")
    documents = _table(["document", "unit", "segments", "unchanged", "unchanged %", "HTER ↓"],
                       [[d.key, d.level, d.segments, d.unchanged, d.unchanged_share, d.hter]
                        for d in effort.documents], "wrap")
    edited = sorted((s for s in effort.segments if not is_unchanged(s)), key=lambda s: -s.ter)
    rows = []
    for segment in edited[:MAX_PAGE_EDITS]:
        machine, post_edited = word_diff(segment.hypothesis, segment.reference)
        rows.append(f"<tr><td>{escape(segment.id)}</td><td class=\"n\">{segment.ter:.2f}</td>"
                    f"<td>{machine}</td><td>{post_edited}</td></tr>")
    more = (f"<p class=\"note\">The {MAX_PAGE_EDITS:,} with the highest HTER of {len(edited):,} edited "
            "segments; --json lists every segment.</p>" if len(edited) > MAX_PAGE_EDITS else "")
    body = [f"<header><h1>{escape(title)}</h1></header>",
            "<ul class=\"summary\">" + "".join(f"<li>{escape(item)}.</li>" for item in summary) + "</ul>",
            f"<section id=\"scores\"><h2>Post-editing effort</h2>{scores}</section>",
            f"<section id=\"documents\"><h2>By document</h2>{documents}</section>",
            f"<section id=\"edits\"><h2>Edited segments ({len(edited):,})</h2><p class=\"note\">The highest "
            "HTER first; in the machine translation, words the post-editor removed are <del>struck</del>; in "
            "the post-edit, words the post-editor wrote are <ins>marked</ins>.</p>"
            "<table class=\"segments\"><thead><tr><th class=\"c-id\">segment</th>"
            "<th class=\"c-n\">HTER ↓</th><th>machine translation</th><th>post-edited</th></tr></thead>"
            "<tbody>"
            + "".join(rows) + f"</tbody></table>{more}</section>",
            "<section id=\"signatures\"><h2>Signatures</h2>"
            + _table(["scores", "sacrebleu signature"],
                     [["corpus HTER", hter.signature], ["segment HTER", effort.segment_signature],
                      ["alignment", METHOD]], "wrap sigs") + "</section>"]
    return page(title, "\n".join(body))


def write_post_edit_page(path: str | Path, effort: PostEditEffort, title: str,
                         overwrite: bool = False) -> None:
    write_atomic(Path(path), render_post_edit(effort, title).encode("utf-8"), overwrite=overwrite)


def render_comparison(comparison: Comparison, title: str) -> str:
    """The multi-system page of ``translate compare --html``: scores, CIs and both tests' p-values."""
    header = ["system", *(h for name in METRIC_NAMES for h in (_metric_header(name), "± CI", "p bs", "p ar"))]
    rows = []
    for index, row in enumerate(comparison.rows):
        cells = [f"<th scope=\"row\">{escape(row.system)}"
                 + (" <span class=\"tag\">baseline</span>" if index == 0 else "")
                 + (" <span class=\"tag\">identical</span>" if row.identical_to_baseline else "") + "</th>"]
        for name in METRIC_NAMES:
            score = row.scores[name]
            cells.append(_cell(score.score))
            cells.append(_cell(score.ci))
            for p in (row.p_bootstrap.get(name), row.p_randomization.get(name)):
                if index == 0:
                    cells.append("<td></td>")
                elif p is None:
                    cells.append('<td class="n">n/a</td>')
                else:
                    mark = " hit" if p < 0.05 else ""
                    cells.append(f'<td class="n{mark}">{p:.4f}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = ("<table class=\"compare\"><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header)
             + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    footer = comparison_footer(comparison)
    body = [f"<header><h1>{escape(title)}</h1></header>",
            f"<p>{escape(footer[0])}.</p>",
            "<section id=\"systems\"><h2>Systems against the baseline</h2>", table,
            "<p class=\"note\">↓ lower is better (TER). μ and the 95% CI come from the paired bootstrap; "
            "p bs: paired bootstrap, p ar: approximate randomization, both two-sided against the baseline; "
            "<span class=\"hit\">highlighted</span>: p &lt; 0.05. A system identical to the baseline gets "
            "p = 1.</p></section>",
            "<section id=\"figures\"><h2>Figures</h2>"
            + _img("Scores with 95% CIs, one panel per metric", plots.systems(comparison)) + "</section>",
            "<section id=\"signatures\"><h2>Signatures</h2>"
            + _table(["", ""], [[line.partition(": ")[0], line.partition(": ")[2]] for line in footer[1:]],
                     "wrap sigs") + "</section>"]
    return page(title, "\n".join(body))


def write_comparison_page(path: str | Path, comparison: Comparison, title: str,
                          overwrite: bool = False) -> None:
    write_atomic(Path(path), render_comparison(comparison, title).encode("utf-8"), overwrite=overwrite)
