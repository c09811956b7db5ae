"""The chart README's values table, generated from values.yaml's comments and defaults.

`python -m tests.chart.values_table` rewrites the table in helm/relayr/README.md;
tests/chart/test_values.py fails when the README's table differs from a fresh one.
"""

import json
import re

import yaml

from tests.chart.rendering import CHART

VALUES = CHART / "values.yaml"
README = CHART / "README.md"
BEGIN, END = "<!-- values-table:begin -->", "<!-- values-table:end -->"
KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z][A-Za-z0-9]*):")


def comments_by_path(text):
    """Dotted key path -> the comment lines right above that key at the same indentation."""
    found, stack, pending = {}, [], []
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith("# "):
            pending.append((indent, stripped[2:].strip()))
            continue
        match = KEY.match(line)
        if not match:
            pending = []
            continue
        stack = [(i, k) for i, k in stack if i < indent]
        stack.append((indent, match["key"]))
        path = ".".join(k for _, k in stack)
        found[path] = " ".join(text for i, text in pending if i == indent)
        pending = []
    return found


def leaves(values, prefix=""):
    """(dotted path, default) for every leaf; an empty map or any list counts as a leaf."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from leaves(value, f"{path}.")
        else:
            yield path, value


def describe(path, comments):
    """A leaf's own comment, else the nearest commented parent's (e.g. resources.limits.cpu)."""
    parts = path.split(".")
    while parts:
        if comments.get(".".join(parts)):
            return comments[".".join(parts)]
        parts.pop()
    return ""


def table():
    text = VALUES.read_text()
    comments = comments_by_path(text)
    rows = ["| Key | Default | Description |", "| --- | --- | --- |"]
    for path, default in leaves(yaml.safe_load(text)):
        shown = json.dumps(default).replace("|", "\\|")
        rows.append(f"| `{path}` | `{shown}` | {describe(path, comments)} |")
    return "\n".join(rows)


def readme_table():
    text = README.read_text()
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()


if __name__ == "__main__":
    text = README.read_text()
    head, rest = text.split(BEGIN)
    README.write_text(f"{head}{BEGIN}\n{table()}\n{END}{rest.split(END, 1)[1]}")
