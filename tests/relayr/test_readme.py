"""The README's configuration table lists every variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""\bget_(?:str|bool|int|float|list)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def variables_read():
    names = set()
    for package in ("relayr", "records"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration))
    names = variables_read()
    assert len(names) > 20
    assert names - documented == set()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
