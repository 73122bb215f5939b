"""The stack of open elements, as far as the HTML lexer and reader need it.

Two decisions of an HTML parser belong to tree construction, not to the
tokenizer, yet change how the rest of the page is read:

* the tokenizer switches to RCDATA, RAWTEXT, script data or PLAINTEXT after a
  ``title``, ``style``, ``script``... start tag only when the tree builder
  creates an *HTML* element for it; inside ``<svg>``/``<math>`` (foreign
  content) those are SVG/MathML elements whose content is markup, and only
  there is ``<![CDATA[`` a CDATA section (WHATWG 13.2.6.5, "in foreign
  content");
* where an element ends: its own end tag, the end tag of an element around it
  (``</div>`` closes an open ``<pre>``), a start tag that closes it (``<p>``
  closes an open ``<p>``, a breakout tag such as ``<p>`` closes open SVG
  elements), or the end of the file.  The reader keeps a skipped element
  (``pre``, ``code``, ``svg``, ``translate="no"``...) untouched to exactly
  that point -- and, for a skipped formatting element (``code``), also the
  text a browser puts in the copies it reopens after that.

Why hand-written: the parsers that build trees (html5lib, lxml) give no
source offsets, and the reader needs the token where each element ends.  So
this follows the WHATWG "in body" rules for the stack of open elements:
special elements, the element scopes, "close a p element", the implied ends of
``li``/``dd``/``dt``/headings/``option`` and table cells, ``</form>``, the
list of active formatting elements (markers, Noah's Ark) with the adoption
agency reduced to: an element above a special element stays open, "in
select" (html5lib's rules), foreign content with its breakout tags and
HTML/MathML integration points, and ``template`` as a scope boundary.  It
does not build a tree: no foster parenting, no copies of reopened elements on
the stack, no other insertion modes; the conformance run
(``benchmarks/conformance_html.py``) measures the difference.

Every step is amortised O(1): the position of the topmost element of each name
and category is kept in a list per key, so an end tag that closes nothing never
walks the stack.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html import unescape

HTML, SVG, MATHML = "html", "svg", "math"

#: Elements never pushed: they have no content (WHATWG void elements, plus obsolete ones parsed alike).
VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track "
    "wbr".split()
)
#: The tokenizer state a start tag of an HTML element switches to.
CONTENT_STATE = {
    "title": "rcdata", "textarea": "rcdata",
    "style": "rawtext", "xmp": "rawtext", "iframe": "rawtext", "noembed": "rawtext", "noframes": "rawtext",
    "noscript": "rawtext",  # scripting on, as in a browser
    "script": "script", "plaintext": "plaintext",
}
SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col "
    "colgroup dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 "
    "h4 h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav "
    "noembed noframes noscript object ol p param plaintext pre script search section select source style "
    "summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp".split()
)
_SCOPE = frozenset("applet caption html table td th marquee object template".split())
_FOREIGN_SCOPE = {MATHML: frozenset("mi mo mn ms mtext annotation-xml".split()),
                  SVG: frozenset({"foreignobject", "desc", "title"})}
_TEXT_POINTS = frozenset("mi mo mn ms mtext".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_TABLE_TAGS = frozenset("caption table tbody tfoot thead tr td th".split())
_TABLE_PARTS = frozenset("caption col colgroup tbody tfoot thead tr td th frame".split())
#: At most this many formatting elements are reopened at once.  The standard reopens them all, which
#: makes ``<p><b id=1>x</p><p><b id=2>x</p>...`` quadratic; pages holding more are not news articles.
_MAX_REOPENED = 64
#: Start tags that do not reopen active formatting elements before they are inserted ("in body").
_NO_REOPEN = frozenset(
    "html head body address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing "
    "form li dd dt plaintext table hr textarea iframe noembed noscript frameset frame base basefont bgsound "
    "link meta noframes script style template title caption col colgroup tbody td tfoot th thead tr rb rtc "
    "rp rt param source track".split()
)
#: Elements that put a marker in the list of active formatting elements.
_MARKERS = frozenset("td th caption applet marquee object template".split())
FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
#: Start tags that first close an open ``<p>`` ("close a p element" in button scope).
CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer "
    "header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre listing form "
    "plaintext table hr xmp li dd dt".split()
)
#: End tags that close the element only when it is in (default) scope.
_SCOPED_END = frozenset(
    "address article aside blockquote button center details dialog dir div dl fieldset figcaption figure "
    "footer header hgroup listing main menu nav ol pre search section summary ul form dd dt applet marquee "
    "object".split()
)  # (</form> outside a template takes the form alone off the stack)
_TABLE_END = frozenset("table caption tbody thead tfoot tr td th".split())
#: Start tags that break out of foreign content (html5lib 1.1's list; ``font`` with color/face/size).
BREAKOUT = frozenset(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing "
    "menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split()
)
#: What may stand in ``<head>``; any other start tag ends it.
_IN_HEAD = frozenset("base basefont bgsound link meta title noscript noframes style script template".split())


@dataclass
class _Element:
    name: str  # lower-cased
    namespace: str
    index: int  # token index of its start tag
    position: int = 0  # in the stack
    keys: list[tuple] = field(default_factory=list)  # the position lists it is in
    open: bool = True  # on the stack (False once popped, or ended by the adoption agency)
    integration: bool = False  # an HTML integration point: start tags inside are HTML
    marker: bool = False  # td, th, caption, object...: formatting elements outside are not reopened inside
    protected: bool = False  # a formatting element (or a copy of one) whose text the reader keeps


@dataclass
class _Entry:
    """A formatting element in the list of active formatting elements."""

    element: _Element  # the formatting element, or its latest reopened copy
    key: tuple  # name and attributes: Noah's Ark keeps at most three alike
    level: _Level
    removed: bool = False


@dataclass
class _Level:
    """The list of active formatting elements after one marker, indexed for O(1) steps."""

    order: list[_Entry] = field(default_factory=list)
    alike: dict[tuple, deque[_Entry]] = field(default_factory=dict)
    live: dict[tuple, int] = field(default_factory=dict)
    by_name: dict[str, list[_Entry]] = field(default_factory=dict)

    def add(self, entry: _Entry) -> None:
        alike = self.alike.setdefault(entry.key, deque())
        if self.live.get(entry.key, 0) >= 3:  # Noah's Ark: the earliest of four alike goes
            while alike[0].removed:
                alike.popleft()
            self.remove(alike.popleft())
        alike.append(entry)
        self.live[entry.key] = self.live.get(entry.key, 0) + 1
        self.by_name.setdefault(entry.element.name, []).append(entry)
        self.order.append(entry)

    def remove(self, entry: _Entry) -> None:
        if not entry.removed:
            entry.removed = True
            self.live[entry.key] -= 1

    def pending(self) -> bool:
        """Whether the next text would reopen elements: the last entry's element is closed."""
        while self.order and self.order[-1].removed:
            self.order.pop()
        return bool(self.order) and not self.order[-1].element.open

    def to_reopen(self) -> list[_Entry]:
        """The entries "reconstruct the active formatting elements" reopens, the most recent at most."""
        if not self.pending():
            return []
        start = len(self.order) - 1
        while start > 0 and len(self.order) - start < _MAX_REOPENED and (
                self.order[start - 1].removed or not self.order[start - 1].element.open):
            start -= 1
        return [entry for entry in self.order[start:] if not entry.removed]

    def last(self, name: str) -> _Entry | None:
        entries = self.by_name.get(name)
        while entries and entries[-1].removed:
            entries.pop()
        return entries[-1] if entries else None


class OpenElements:
    """Feed it the tag tokens in order; it says what the tokenizer does next and where elements end.

    ``last[i]`` is, for the start tag at token index ``i`` of an element that
    was pushed, the index of the last token inside the element: its own end
    tag, or the token before the one that closed it.  :meth:`finish` closes
    what is still open at the last token.

    A formatting element (``b``, ``code``...) closed by the end of an element
    around it stays in the list of active formatting elements, and a browser
    reopens a copy of it before the text or inline tag that follows
    (``<p><code>x</p><p>y`` puts ``y`` in a ``code`` element); the copies are
    on this stack too.  Text tokens inside a ``protected`` formatting element
    (the reader's skipped ones) or a copy of one are collected in
    ``protected``.

    A translation must not put text where the page had none if a browser
    would then build other elements: ``no_text_after`` holds the tokens after
    which text would reopen formatting elements or land in a protected one,
    ``no_text_before`` the start tags before which it would reopen elements
    the tag itself does not (an ``<a>`` closing an open ``<a>``, a ``<rt>``).
    """

    def __init__(self) -> None:
        self.stack: list[_Element] = []
        self.positions: dict[tuple, list[int]] = {}
        self.last: dict[int, int] = {}
        self.levels: list[_Level] = [_Level()]
        self.protected: set[int] = set()
        self.protected_open = 0  # protected elements on the stack
        self.no_text_after: set[int] = set()
        self.no_text_before: set[int] = set()

    # -- queries ---------------------------------------------------------------------

    def _top(self, key: tuple) -> int:
        """The position of the topmost open element of ``key``, or -1."""
        positions = self.positions.get(key)
        if not positions:
            return -1
        while positions and not self.stack[positions[-1]].open:  # ended by the adoption agency
            positions.pop()
        return positions[-1] if positions else -1

    def current(self) -> _Element | None:
        return self.stack[-1] if self.stack else None

    def in_foreign(self) -> bool:
        """Whether the current node is an SVG or MathML element (``<![CDATA[`` opens a CDATA section)."""
        node = self.current()
        return node is not None and node.namespace != HTML

    def _html_rules(self, name: str) -> bool:
        """Whether a start tag is handled as HTML (WHATWG 13.2.6, the tree construction dispatcher)."""
        node = self.current()
        if node is None or node.namespace == HTML or node.integration:
            return True
        if node.namespace == MATHML and node.name in _TEXT_POINTS:
            return name not in ("mglyph", "malignmark")
        return node.namespace == MATHML and node.name == "annotation-xml" and name == "svg"

    # -- the stack -------------------------------------------------------------------

    def _push(self, name: str, namespace: str, index: int, integration: bool = False) -> _Element:
        position = len(self.stack)
        element = _Element(name, namespace, index, position, integration=integration)
        keys: list[tuple] = [(namespace == HTML, name), ("namespace", namespace == HTML)]
        if namespace == HTML:
            if name in SPECIAL:
                keys.append(("special",))
                if name not in ("address", "div", "p"):
                    keys.append(("special-list",))  # what stops the search for an open <li>, <dd>, <dt>
            if name in _SCOPE:
                keys.append(("scope",))
            if name in ("html", "table", "template"):
                keys.append(("table-scope",))
            if name in ("ol", "ul"):
                keys.append(("list-scope",))
            if name == "button":
                keys.append(("button-scope",))
            if name in HEADINGS:
                keys.append(("heading",))
            if name in ("dd", "dt"):
                keys.append(("dd-dt",))
            if name in ("td", "th"):
                keys.append(("cell",))
            if name in ("tbody", "thead", "tfoot"):
                keys.append(("table-body",))
        elif name in _FOREIGN_SCOPE[namespace]:
            keys += [("special",), ("special-list",), ("scope",)]
        for key in keys:
            self.positions.setdefault(key, []).append(position)
        element.keys = keys
        self.stack.append(element)
        return element

    def _pop(self) -> _Element:
        element = self.stack.pop()
        position = len(self.stack)
        for key in element.keys:
            positions = self.positions[key]
            if positions and positions[-1] == position:  # else already dropped by _top
                positions.pop()
        if element.marker and len(self.levels) > 1:  # "clear the list ... up to the last marker"
            self.levels.pop()
        return element

    def _pop_to(self, position: int, closer: int, own: bool) -> None:
        """Pop the elements from the top down to ``position``; ``closer`` is the token doing it.

        The element at ``position`` ends with ``closer`` when that is its own
        end tag (``own``); every other one ends just before it.
        """
        while len(self.stack) > position:
            element = self._pop()
            if element.open:
                mine = own and len(self.stack) == position
                self._close(element, closer if mine else closer - 1)
        while self.stack and not self.stack[-1].open:  # left behind by the adoption agency
            self._pop()

    def _close(self, element: _Element, last: int) -> None:
        element.open = False
        self.protected_open -= element.protected
        if element.index >= 0:  # not a reopened copy
            self.last[element.index] = last

    def _reopen(self) -> None:
        """WHATWG "reconstruct the active formatting elements": copies of the closed ones go on the stack."""
        for entry in self.levels[-1].to_reopen():
            copy = self._push(entry.element.name, HTML, -1)
            copy.protected = entry.element.protected
            self.protected_open += copy.protected
            entry.element = copy

    def after(self, index: int) -> None:
        """Called after every token: note whether text put after it would change the tree or be protected."""
        if self.protected_open or self.levels[-1].pending():
            self.no_text_after.add(index)

    def _in_scope(self, key: tuple, *barriers: tuple) -> int:
        """The position of the topmost element of ``key`` with none of ``barriers`` above it, or -1."""
        position = self._top(key)
        if position < 0 or any(self._top(b) > position for b in barriers):
            return -1
        return position

    # -- start tags -------------------------------------------------------------------

    def text(self, index: int, content: bool = False) -> None:
        """A text token: it reopens formatting elements, and is protected inside a protected one.

        ``content``: the text of a RAWTEXT/RCDATA element, which goes into that element as it is.
        """
        if not content and not self.in_foreign() and not self._in_select():
            self._reopen()
        if self.protected_open:
            self.protected.add(index)

    def _in_select(self) -> bool:
        """Whether start and end tags are handled "in select" (html5lib's rules: most are ignored)."""
        select = self._top((True, "select"))
        return select >= 0 and select > self._top((True, "template"))

    def _select_start(self, name: str, index: int) -> bool:
        """A start tag in a select: False when it is ignored; a select it closes is popped."""
        in_table = self._top((True, "table")) >= 0
        if name in ("select", "input", "keygen", "textarea") or (in_table and name in _TABLE_TAGS):
            self._pop_to(self._top((True, "select")), index, own=False)
            return name != "select"
        if name == "optgroup":
            for closed in ("option", "optgroup"):
                node = self.current()
                if node is not None and node.name == closed:
                    self._pop_to(len(self.stack) - 1, index, own=False)
        return name in ("option", "optgroup", "script", "template")

    def _select_end(self, name: str, index: int) -> bool:
        """An end tag in a select: True when it was dealt with here (most are ignored)."""
        node = self.current()
        if name == "option" or name == "optgroup":
            below = self.stack[-2] if len(self.stack) > 1 else None
            if name == "optgroup" and node is not None and node.name == "option" and below is not None \
                    and below.name == "optgroup":
                self._pop_to(len(self.stack) - 1, index, own=False)
                node = self.current()
            if node is not None and node.name == name:
                self._pop_to(len(self.stack) - 1, index, own=True)
            return True
        if name == "select":
            self._pop_to(self._top((True, "select")), index, own=True)
            return True
        if name in _TABLE_TAGS and self._in_scope((True, name), ("table-scope",)) >= 0:
            self._pop_to(self._top((True, "select")), index, own=False)
            return False  # the end tag then closes its table element
        return name != "template"

    def start(self, name: str, attributes: dict[str, str | None], self_closing: bool,
              index: int, protected: bool = False) -> str | None:
        """Process a start tag; the tokenizer state it switches to (``"rcdata"``...), or None."""
        if not self._html_rules(name):
            if name in BREAKOUT or (name == "font" and {"color", "face", "size"} & attributes.keys()):
                while not self._html_rules(name) and self.stack:  # pop the foreign elements
                    self._pop_to(len(self.stack) - 1, index, own=False)
            else:
                current = self.current()
                if not self_closing and current is not None:  # in_foreign(): there is a current node
                    self._push_foreign(name, current.namespace, attributes, index)
                return None
        return self._html_start(name, attributes, self_closing, index, protected)

    def _push_foreign(self, name: str, namespace: str, attributes: dict[str, str | None], index: int) -> None:
        if namespace == SVG:
            integration = name in ("foreignobject", "desc", "title")
        else:
            encoding = unescape(attributes.get("encoding") or "").strip().lower()
            integration = name == "annotation-xml" and encoding in ("text/html", "application/xhtml+xml")
        self._push(name, namespace, index, integration)

    def _html_start(self, name: str, attributes: dict[str, str | None], self_closing: bool,
                    index: int, protected: bool) -> str | None:
        if self.levels[-1].pending() and (name in _NO_REOPEN or self._in_select()):
            self.no_text_before.add(index)  # text before it would reopen what it does not
        if self._in_select() and not self._select_start(name, index):
            return None  # ignored: no element, and no raw text after it either
        if name in _TABLE_PARTS and self._top((True, "table")) < 0 and self._top((True, "template")) < 0:
            return None  # a <tr>, <td>... outside a table is ignored
        if name in ("html", "body", "head"):
            # pushed where a document starts them; elsewhere a browser adds their attributes to the open one
            if name == "body":
                self._close_head(index)
            under = 0 if name == "html" else (1 if self._top((True, "html")) == 0 else 0)
            if len(self.stack) == under and self._top((True, name)) < 0:
                self._push(name, HTML, index)
            return None
        if name not in _IN_HEAD:
            self._close_head(index)
        self._implied_ends(name, index)
        if name not in _NO_REOPEN and not self._in_select():
            self._reopen()
            if self.protected_open:
                self.no_text_before.add(index)  # text before it would be in the protected element too
        if name in ("svg", "math"):
            if not self_closing:
                self._push_foreign(name, SVG if name == "svg" else MATHML, attributes, index)
            return None
        if name not in VOID:
            element = self._push(name, HTML, index)
            if name in FORMATTING:
                key = (name, tuple(sorted(attributes.items(), key=lambda a: (a[0], a[1] or ""))))
                element.protected = protected
                self.protected_open += protected
                self.levels[-1].add(_Entry(element, key, self.levels[-1]))
            elif name in _MARKERS:
                element.marker = True
                self.levels.append(_Level())
        return CONTENT_STATE.get(name)

    def _close_head(self, index: int) -> None:
        node = self.current()
        if node is not None and node.namespace == HTML and node.name == "head":
            self._pop_to(len(self.stack) - 1, index, own=False)

    def _implied_ends(self, name: str, index: int) -> None:
        """The elements a start tag closes before it is inserted."""
        def close(position: int) -> None:
            if position >= 0:
                self._pop_to(position, index, own=False)

        if name == "li":
            close(self._in_scope((True, "li"), ("special-list",)))
        elif name in ("dd", "dt"):
            close(self._in_scope(("dd-dt",), ("special-list",)))
        elif name in ("td", "th", "tr", "tbody", "thead", "tfoot"):
            key = {"td": ("cell",), "th": ("cell",), "tr": (True, "tr")}.get(name, ("table-body",))
            close(self._in_scope(key, ("table-scope",)))
        elif name == "button" and self._top((True, name)) >= 0:
            self._end(name, index, own=False)  # a new one closes the open one
        elif name in ("a", "nobr") and self.levels[-1].last(name) is not None:
            self._end(name, index, own=False)
            self.no_text_before.add(index)  # text before this tag would reopen the one it closes
        elif name in ("option", "optgroup"):
            node = self.current()
            if node is not None and node.namespace == HTML and node.name == "option":
                close(len(self.stack) - 1)
        if name in CLOSES_P:
            close(self._in_scope((True, "p"), ("scope",), ("button-scope",)))
        if name in HEADINGS:
            node = self.current()
            if node is not None and node.namespace == HTML and node.name in HEADINGS:
                close(len(self.stack) - 1)

    # -- end tags ---------------------------------------------------------------------

    def end(self, name: str, index: int) -> None:
        """Process an end tag."""
        node = self.current()
        if node is not None and node.namespace != HTML:
            # foreign content: the topmost foreign element of that name above every HTML element
            position = self._top((False, name))
            if position >= 0 and position > self._top(("namespace", True)):
                self._pop_to(position, index, own=True)
                return
        self._end(name, index, own=True)

    def _end(self, name: str, index: int, own: bool) -> None:
        """An end tag by the "in body" rules (and the table modes' cell and row ends)."""
        position = -1
        if self._in_select() and self._select_end(name, index):
            return
        if name in ("body", "html"):
            return  # "after body": nothing is popped
        if name == "form" and self._top((True, "template")) < 0:
            position = self._in_scope((True, name), ("scope",))
            if 0 <= position < len(self.stack) - 1:  # the form alone leaves the stack
                self._close(self.stack[position], index)
                return
        if name == "head":
            node = self.current()
            is_head = node is not None and (node.namespace, node.name) == (HTML, "head")
            position = len(self.stack) - 1 if is_head else -1
        elif name == "template":
            position = self._top((True, "template"))
        elif name == "p":
            position = self._in_scope((True, "p"), ("scope",), ("button-scope",))
        elif name == "li":
            position = self._in_scope((True, "li"), ("scope",), ("list-scope",))
        elif name in HEADINGS:
            position = self._in_scope(("heading",), ("scope",))
        elif name in _SCOPED_END:
            position = self._in_scope((True, name), ("scope",))
        elif name in _TABLE_END:
            position = self._in_scope((True, name), ("table-scope",))
        elif name in FORMATTING:
            position = self._adoption(name, index, own)
        else:  # any other end tag: the topmost element of that name, unless a special one stands above it
            position = self._in_scope((True, name), ("special",))
        if position >= 0:
            self._pop_to(position, index, own)

    def _adoption(self, name: str, index: int, own: bool) -> int:
        """The adoption agency, reduced; the position to pop to, or -1.

        Without a special element above it, the element is popped with what is
        above it.  With one, the element alone ends, and what is above the
        topmost special element is popped (a browser moves the special element
        into a copy of the formatting element, then pops that copy).  The
        element leaves the list of active formatting elements either way.
        """
        entry = self.levels[-1].last(name)
        if entry is None:  # not active: an end tag like any other
            return self._in_scope((True, name), ("special",))
        element = entry.element
        if not element.open:  # closed already, but still reopened around text: no more
            entry.level.remove(entry)
            return -1
        if self._top(("scope",)) > element.position:
            return -1  # not in scope: ignored
        entry.level.remove(entry)
        special = self._top(("special",))
        if special < element.position:
            return element.position
        # The element leaves the stack; its copy, put into the special element, is popped with
        # everything above that (formatting elements among them stay active, to be reopened).
        self._close(element, index if own else index - 1)
        self._pop_to(special + 1, index, own=False)
        return -1

    def finish(self, last: int) -> None:
        """The end of the file: every open element ends at token ``last``."""
        for element in self.stack:
            if element.open and element.index >= 0:
                self.last[element.index] = last
        self.stack.clear()
        self.positions.clear()
