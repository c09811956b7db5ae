"""Reads docker/Dockerfile into stages and instructions, for the image tests.

Only what the tests need: continuation lines, comments, ``--flag=value``
options, exec-form (JSON) arguments and ``KEY=value`` pairs. hadolint checks
the syntax itself; this module lets tests assert what the image does.
"""

import json
import re
import shlex
from dataclasses import dataclass, field

FLAG = re.compile(r"--([a-z-]+)=(\S+)\s*")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    flags: dict  # leading --name=value options, e.g. {"from": "builder"}
    arguments: str  # the rest, continuation lines joined by a space
    line: int

    def exec_form(self):
        """The JSON array of CMD/ENTRYPOINT/RUN in exec form, else None."""
        if self.arguments.startswith("["):
            return json.loads(self.arguments)
        return None

    def pairs(self):
        """ENV/ARG/LABEL ``KEY=value`` pairs, quotes removed; a bare ARG maps to None."""
        result = {}
        for word in shlex.split(self.arguments):
            key, sep, value = word.partition("=")
            result[key] = value if sep else None
        return result

    def copy_sources_and_destination(self):
        words = shlex.split(self.arguments)
        return words[:-1], words[-1]


@dataclass
class Stage:
    image: str  # as written after FROM, ARGs not substituted
    name: str | None
    line: int
    instructions: list = field(default_factory=list)

    def all(self, keyword):
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword):
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self):
        """Every ENV of the stage, later values winning."""
        result = {}
        for instruction in self.all("ENV"):
            result.update(instruction.pairs())
        return result


def logical_lines(text):
    """(first line number, text) per instruction: continuations joined, comments dropped."""
    pending, start = [], None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker drops comment lines even inside a continuation
        if start is None:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        yield start, " ".join(pending)
        pending, start = [], None
    if pending:
        yield start, " ".join(pending)


def parse_instruction(number, line):
    keyword, _, rest = line.partition(" ")
    flags = {}
    rest = rest.strip()
    while match := FLAG.match(rest):
        flags[match.group(1)] = match.group(2)
        rest = rest[match.end() :]
    return Instruction(keyword.upper(), flags, rest, number)


def parse(text):
    """(global ARG instructions before the first FROM, stages in order)."""
    global_args, stages = [], []
    for number, line in logical_lines(text):
        instruction = parse_instruction(number, line)
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name, line=number))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            global_args.append(instruction)
    return global_args, stages
