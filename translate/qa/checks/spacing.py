"""Double spaces and spaces before punctuation, where the source has fewer.

Compared with the source (pofilter's ``doublespacing`` works the same way): an
article that puts two spaces after each sentence keeps doing it in English,
and that is not the translation's fault.  Whitespace runs that hold a line
break are layout (hard-wrapped text, indentation), never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import WARNING, QAContext, QAIssue, QAUnit
from ..registry import Check, register

DOUBLE_SPACE = "double-space"
SPACE_BEFORE_PUNCTUATION = "space-before-punctuation"

_DOUBLE = re.compile(r"(?<=\S)[ \t\u00a0]{2,}(?=\S)")
#: A space before , ; : ! ? or a closing bracket, or before a period that ends a word (not " .5" or " ...").
_BEFORE = re.compile(r"(?<=\w)[ \t\u00a0]+(?:[,;:!?)\]}]|\.(?![\d.]))")


@register
class SpacingCheck(Check):
    name = "spacing"
    description = "double spaces and spaces before punctuation the source does not have"

    def check_unit(self, unit: QAUnit, context: QAContext) -> Iterable[QAIssue]:
        source, target = unit.source_plain.text, unit.target_plain.text
        issues = []
        for code, pattern, what in ((DOUBLE_SPACE, _DOUBLE, "double space"),
                                    (SPACE_BEFORE_PUNCTUATION, _BEFORE, "space before punctuation")):
            found = list(pattern.finditer(target))
            if len(found) > len(pattern.findall(source)):
                issues.append(self.issue(unit, code, WARNING,
                                         f"{what} ({len(found)} in the translation, "
                                         f"{len(pattern.findall(source))} in the source)",
                                         target_span=found[0].span()))
        return issues
