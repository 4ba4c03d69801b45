"""Reading a submitted notebook: bytes -> a notebook, or one sentence saying why not.

A student's file is untrusted input: empty, huge, not UTF-8, not JSON, JSON but not a
notebook, or a notebook with malformed cells each become a sentence, never an exception.
"""

from __future__ import annotations

import json

import nbformat

MAX_NOTEBOOK_BYTES = 64 * 2**20


def read_notebook(data: bytes) -> tuple[nbformat.NotebookNode | None, str | None]:
    """Parse a submission; (notebook, None) or (None, a sentence saying why it is not one)."""
    if not data.strip():
        return None, "The file is empty: it is not a notebook."
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"The file is {len(data) / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit for a notebook."
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"The file is not UTF-8 text (byte {exc.start}): it is not a notebook (.ipynb)."
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): it is not a notebook."
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        return None, "The file is JSON but not a notebook: it has no list of cells."
    try:
        nb = nbformat.reads(text, as_version=4)  # converts nbformat 3 notebooks
    except Exception as exc:  # nbformat raises a variety of types for malformed input
        return None, f"The file could not be read as a notebook: {type(exc).__name__}: {exc}"
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and isinstance(c.get("source", ""), str) for c in cells):
        return None, "The notebook's cells are malformed (a cell without text source)."
    return nb, None
