"""Executes a notebook headless (nbclient) and fails on the first cell that raises.

Usage: python tests/run_notebook.py NOTEBOOK
The notebook reads RESULTS, EXPERIMENT, CHAINLAB_ROOT and FIGURE_OUT from the environment.
"""

import sys

import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3").execute()
outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
errors = [o for o in outputs if o.get("output_type") == "error"]
assert not errors, errors
print(f"{path}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")
