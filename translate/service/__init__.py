"""``translate serve``: a newsroom HTTP service with a browser post-editing editor.

A CMS uploads an article and gets the English back from one long-running
process that keeps the model loaded; a translator opens the article in the
editor, fixes the machine output segment by segment and downloads the file in
its format.  Parts: :mod:`.app` (routes), :mod:`.store` (SQLite), :mod:`.runner`
(jobs off the event loop), :mod:`.work` (the one adapter to the translation
library: the pipeline's stages and a :class:`~translate.pipeline.Translator`),
:mod:`.tm` (the translation memory shared with the CLI), :mod:`.exchange`
(XLIFF and PO in and out), :mod:`.codes` (checking edited targets),
:mod:`.security` (headers, body limit), ``static/`` (the editor: plain ES
modules and CSS).
"""
