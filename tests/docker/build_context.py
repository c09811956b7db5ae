"""The build context Docker would send for this repository, per .dockerignore.

Follows Docker's rules: patterns are relative to the context root, ``*`` and
``?`` stay within one path segment, ``**`` spans any number of them, a
pattern matching a folder matches everything under it, ``!`` re-includes, and
the last matching line wins.
"""

import re
from pathlib import Path


def pattern_regex(pattern):
    pattern = pattern.strip("/")
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end + 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


class BuildContext:
    def __init__(self, root):
        self.root = Path(root)
        self.rules = []  # (regex, re-includes?)
        ignore_file = self.root / ".dockerignore"
        lines = ignore_file.read_text().splitlines() if ignore_file.exists() else []
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            self.rules.append((pattern_regex(line.lstrip("!").strip()), negated))

    def excludes(self, relative_path):
        """True when .dockerignore keeps ``relative_path`` (a file or folder) out of the context."""
        parts = Path(relative_path).as_posix().strip("/").split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        excluded = False
        for regex, negated in self.rules:
            if any(regex.fullmatch(prefix) for prefix in prefixes):
                excluded = not negated
        return excluded

    def files(self, source):
        """The files of ``source`` (a file or folder relative to the root) that reach the context."""
        path = self.root / source
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        return [p for p in candidates if not self.excludes(p.relative_to(self.root))]
