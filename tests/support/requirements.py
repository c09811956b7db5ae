"""Reads requirements/*.txt as `make requirements` writes them (uv pip compile)."""

import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements"
# A logical line, its continuation lines joined: `name==version ; marker --hash=... --hash=...`.
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(?:;\s*(.*?))?\s*((?:--hash=\S+\s*)*)$")


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(text):
    """(package, version, marker, hashes) for each pinned requirement; None for a line that is not one."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            match = ENTRY.match(line.split(" #", 1)[0].strip())
            found.append(match and (canonical(match[1]), match[2], match[3] or "", match[4].split()))
    return found


def pins(name):
    """requirements/<name>.txt as {(package, version, marker)}."""
    return {entry[:3] for entry in entries((REQUIREMENTS / f"{name}.txt").read_text()) if entry}


def version_of(package, name="base"):
    (version,) = {version for found, version, _ in pins(name) if found == canonical(package)}
    return version
