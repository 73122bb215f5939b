"""Exit codes of the command line: the table shown in --help and the README."""




#: Exit codes, stable across releases (also in the README); the library's errors carry theirs.
EXIT_CODES = """\
exit codes:
  0    success (every file written, or kept with --skip-existing)
  1    other error
  2    bad input: a file that cannot be read or parsed, no input files, or a usage error
  3    an output that cannot or must not be written (exists without --overwrite, unwritable)
  4    a model or engine that cannot be loaded or run
  5    a glossary with errors (every problem listed as file:line)
  6    translations that cannot be merged back into the document
  7    hypothesis and reference that cannot be scored together
  70   internal error: a bug; the message names the log holding the details
  130  interrupted (Ctrl-C or SIGTERM); files already written are complete
In a folder run, the exit code is the highest of the failed files' codes."""
