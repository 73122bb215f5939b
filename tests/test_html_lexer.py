"""The HTML lexer against the WHATWG tokenizer states, and the element extents it reports."""

from __future__ import annotations

import random

import pytest
from timing import growth

from translate.formats.html_lexer import TokenKind, lex, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    """(kind, source) of every token."""
    return [(t.kind.value, text[t.start : t.end]) for t in tokenize(text)]


def covers(text: str) -> bool:
    tokens = tokenize(text)
    return "".join(text[t.start : t.end] for t in tokens) == text and all(
        a.end == b.start for a, b in zip(tokens, tokens[1:], strict=False))


# --------------------------------------------------------------------------- whitespace in tags


@pytest.mark.parametrize(
    ("text", "name", "attributes"),
    [
        # Only space, tab, LF, CR and FF separate; other white space belongs to the name or value.
        ('<p\u00a0class="x">', 'p\u00a0class="x"', []),
        ('<a href="/a"\u00a0target="_blank">', "a", [("href", "/a"), ("\u00a0target", "_blank")]),
        ("<a\x0b>", "a\x0b", []),
        ("<a \x0b>", "a", [("\x0b", None)]),
        ("<a a=\x0b>", "a", [("a", "\x0b")]),
        ("<a a=x\u3000y b=\u2003>", "a", [("a", "x\u3000y"), ("b", "\u2003")]),
        ("<a\x1f b\x85=c>", "a\x1f", [("b\x85", "c")]),
        ("<a/\x0b>", "a", [("\x0b", None)]),
        ("<a\u2009href=x>", "a\u2009href=x", []),
        ("<P\u212a CLASS=x>", "p\u212a", [("class", "x")]),  # only ASCII letters are lower-cased
    ],
)
def test_only_html_whitespace_separates_in_a_tag(text: str, name: str, attributes: list) -> None:
    (token,) = tokenize(text)
    assert (token.kind, token.name) == (TokenKind.START, name)
    assert [(a.name, a.value) for a in token.attributes] == attributes


def test_an_end_tag_name_with_other_white_space_is_another_name() -> None:
    text = "<script>x = 1;</script\u00a0>y</script>"
    assert kinds(text) == [("start", "<script>"), ("text", "x = 1;</script\u00a0>y"), ("end", "</script>")]
    (token,) = tokenize("</script\u00a0>")
    assert (token.kind, token.name) == (TokenKind.END, "script\u00a0")


# --------------------------------------------------------------------------- script data states


SCRIPT = "<script><!--\ndocument.write('<script src=\"a.js\"></script><p>Baca juga</p>');\n//--></script>"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # double-escaped: "<!--" then "<script>": the next "</script>" does not end the script
        (SCRIPT, SCRIPT[len("<script>") : -len("</script>")]),
        ("<script><!--<script>--></script>", "<!--<script>-->"),  # "-->" ends every escape
        ("<script><!--</script>-->", "<!--"),  # escaped but not double-escaped
        ("<script><!--><script></script>", "<!--><script>"),  # "<!-->" opens and closes the escape
        ("<script><!-- <scripts> </script>", "<!-- <scripts> "),  # only "script" double-escapes
        ("<SCRIPT><!--<SCRIPT/></SCRIPT ></SCRIPT>", "<!--<SCRIPT/></SCRIPT >"),
        ("<style><!--<style></style>-->", "<!--<style>"),  # RAWTEXT has no escapes
    ],
)
def test_script_data_escape_states(text: str, content: str) -> None:
    tokens = tokenize(text)
    assert tokens[1].kind is TokenKind.TEXT and tokens[1].raw
    assert text[tokens[1].start : tokens[1].end] == content
    assert tokens[2].kind is TokenKind.END


def test_a_double_escaped_script_never_closed_runs_to_the_end() -> None:
    text = "<script><!--<script></scr'+'ipt></script>X"
    assert kinds(text) == [("start", "<script>"), ("text", text[8:])]


def test_an_end_tag_needs_a_separator_after_its_name() -> None:
    assert kinds("<script>a</scripty>b</script") == [("start", "<script>"), ("text", "a</scripty>b</script")]
    assert kinds("<title>a</title/>") == [("start", "<title>"), ("text", "a"), ("end", "</title/>")]


# --------------------------------------------------------------------------- foreign content


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # In SVG, <title> is an SVG element: no RCDATA, the <div> is a tag.
        ("<svg><title><div>", ["start", "start", "start"]),
        ("<math><style>a<x>c</x></style></math>",
         ["start", "start", "text", "start", "text", "end", "end", "end"]),
        # A CDATA section holds markup-like text in foreign content only.
        ("<svg><![CDATA[<p>x</p>]]></svg>", ["start", "cdata", "end"]),
        ("<svg><![CDATA[x", ["start", "cdata"]),
        ("<p><![CDATA[<b>]]></p>", ["start", "bogus", "text", "end"]),
        # An HTML integration point (foreignObject, desc, title) reads its children as HTML.
        ("<svg><desc><title><p>x</p></title></desc>", ["start", "start", "start", "text", "end", "end"]),
        ("<svg><foreignObject><style>a<b></style>", ["start", "start", "start", "text", "end"]),
        ("<math><mi><textarea><b></textarea>", ["start", "start", "start", "text", "end"]),
        # A breakout tag closes the foreign elements: the next <title> is HTML again.
        ("<svg><g><p><title><b></title>", ["start", "start", "start", "start", "text", "end"]),
        ("</svg><title><b></title>", ["end", "start", "text", "end"]),
        ("<svg></svg><title><b></title>", ["start", "end", "start", "text", "end"]),
        ("<div><svg><g></div><title><b></title>", ["start", "start", "start", "end", "start", "text", "end"]),
        ("<svg/><title><b></title>", ["start", "start", "text", "end"]),
        # most start tags in a select are ignored: no RCDATA; <textarea> closes the select first
        ("<select><title><b></title>", ["start", "start", "start", "end"]),
        ("<select><textarea><b></textarea>", ["start", "start", "text", "end"]),
    ],
)
def test_foreign_content_decides_raw_text_and_cdata(text: str, expected: list[str]) -> None:
    assert [t.kind.value for t in tokenize(text)] == expected


# --------------------------------------------------------------------------- markup edge cases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("</>x", [("bogus", "</>"), ("text", "x")]),
        ("a</", [("text", "a</")]),
        ("<!x>y", [("bogus", "<!x>"), ("text", "y")]),
        ("<!>y", [("bogus", "<!>"), ("text", "y")]),
        ("<?php echo 1 ?>y", [("bogus", "<?php echo 1 ?>"), ("text", "y")]),
        ("</ p>y", [("bogus", "</ p>"), ("text", "y")]),
        ("<!--->y", [("comment", "<!--->"), ("text", "y")]),
        ("<!--a--!-->y", [("comment", "<!--a--!-->"), ("text", "y")]),
        ("<!--<!-->y", [("comment", "<!--<!-->"), ("text", "y")]),
        ("<!-- a", [("comment", "<!-- a")]),
        ("<!DOCTYPE html", [("declaration", "<!DOCTYPE html")]),
        ('<a href="x', [("bogus", '<a href="x')]),
        ("<a href=x", [("bogus", "<a href=x")]),
        ("<a href=", [("bogus", "<a href=")]),
        ("<a/", [("bogus", "<a/")]),
        ("< a>", [("text", "< a>")]),
        ("<1>", [("text", "<1>")]),
        ("<\u00e9>", [("text", "<\u00e9>")]),
        ("<a =b>", [("start", "<a =b>")]),
    ],
)
def test_markup_edge_cases(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_random_markup_always_covers_the_input() -> None:
    """What a mutation fuzzer produces: never an exception, tokens cover the input exactly."""
    rng = random.Random(11)
    alphabet = ["<", ">", "/", "!", "-", "?", "=", '"', "'", "a", "p", "script", "svg", "math", "title",
                "textarea", "[CDATA[", "]]>", " ", "\t", "\n", "\r", "\f", "\x0b", "\u00a0", "\u3000",
                "\u2003", "\x85", "\x00", "&", "&#x10FFFE;", "<!--", "-->", "</", "<!DOCTYPE",
                "foreignObject", "desc"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        assert covers(text), text


# --------------------------------------------------------------------------- element extents


def extent(text: str, start_source: str) -> str:
    """The source an element spans, from its start tag to the last token inside it."""
    lexed = lex(text)
    index = next(i for i, t in enumerate(lexed.tokens) if text[t.start : t.end] == start_source)
    last = lexed.tokens[lexed.last[index]]
    return text[lexed.tokens[index].start : last.end]


@pytest.mark.parametrize(
    ("text", "start", "spans"),
    [
        ("<p>a <pre>b</pre> c</p>", "<pre>", "<pre>b</pre>"),
        # closed by the end tag of an element around it
        ("<div><pre>kode program</div><p>Teks</p>", "<pre>", "<pre>kode program"),
        ("<p>Harga <code>x </p><p>Teks</p>", "<code>", "<code>x "),
        ("<ul><li><kbd>a</li><li>b</li></ul>", "<kbd>", "<kbd>a"),
        # ...or by the end of the file
        ("<p>a <pre>b<p>c", "<pre>", "<pre>b<p>c"),
        ("<body><pre>x</body>y", "<pre>", "<pre>x</body>y"),  # </body> closes nothing
        # an end tag that does not reach it (a special element in between, another scope) does not
        ("<span><pre>x</span>y</pre>z", "<pre>", "<pre>x</span>y</pre>"),
        ("<div><template><p>a</div><p>b", "<template>", "<template><p>a</div><p>b"),
        ("<table><tr><td><pre>x</td><td>y</td></tr></table>", "<pre>", "<pre>x"),
        ("<p><pre>x</p>y</pre>", "<pre>", "<pre>x</p>y</pre>"),  # <pre> closed the <p> before it
        ("<form><pre>x</form>y", "<pre>", "<pre>x</form>y"),  # </form> takes the form alone off the stack
        ("<tr><pre>x<tr>y", "<pre>", "<pre>x<tr>y"),  # a <tr> outside a table is ignored
        ("<table><tr><td><pre>x<tr>y", "<pre>", "<pre>x"),  # in a table it ends the cell
        # in a select, end tags other than its own and its options' are ignored
        ("<pre><select></pre>y", "<pre>", "<pre><select></pre>y"),
        ("<pre><select><option>a</select></pre>y", "<pre>", "<pre><select><option>a</select></pre>"),
        # foreign content: its own end tag, a breakout tag, an ancestor's end tag
        ("<svg><title><div>x</div>", "<svg>", "<svg><title><div>x</div>"),
        ("<svg><g>a</g></svg>b", "<svg>", "<svg><g>a</g></svg>"),
        ("<svg><g>a<p>b</p>", "<svg>", "<svg><g>a"),
        ("<div><svg><g>a</div>b", "<svg>", "<svg><g>a"),
        ("<svg><foreignObject><div>a</div></foreignObject></svg>b", "<svg>",
         "<svg><foreignObject><div>a</div></foreignObject></svg>"),
        ("<div translate=no><p>a<div>b</div>c</div>d", "<div translate=no>",
         "<div translate=no><p>a<div>b</div>c</div>"),
    ],
)
def test_element_extents_follow_the_tree_builder(text: str, start: str, spans: str) -> None:
    assert extent(text, start) == spans


def test_extents_of_many_unclosed_elements_are_found_in_linear_time() -> None:
    """4x the input must cost well under 16x the time (what walking the stack for every end tag costs)."""
    # every </x> is ignored: a <div> (special) stands between it and <x>, above many open elements
    ratio = growth(lambda n: lex("<x><div>" + "<span>Harga <code>x " * n + "</x>" * n), 1000)
    assert ratio < 8, ratio
