"""Read a YAML seed file into plain values, with the line of every value.

PyYAML composes the file into nodes (which carry their line numbers); this module turns
the nodes into dicts, lists and scalars itself, so that:

* every value's line is known, for error messages (``lines[("evidence", 2, "quote")]``);
* duplicate keys, non-scalar keys, merge keys and recursive aliases are errors, not
  silently resolved;
* plain scalars follow YAML 1.2, not PyYAML's YAML 1.1: ``no`` and ``on`` stay text,
  ``1950-11-01`` stays the text "1950-11-01" (never a date object), and a number with a
  leading zero (``010``, octal in YAML 1.1) is an error, since it means different things
  to different readers;
* a file nested deeper than :data:`MAX_DEPTH` or a number longer than :data:`MAX_DIGITS`
  is a problem at its line, not a RecursionError or ValueError from deep inside Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem

__all__ = ["YamlFile", "read_yaml", "MAX_NODES", "MAX_DEPTH", "MAX_DIGITS"]

MAX_NODES = 2_000_000  # aliases can expand a small file enormously ("billion laughs")
# Seed records nest five or six levels deep (list, claim, evidence, item, via); the
# conversion below recurses once a level, and Python stops at about a thousand.
MAX_DEPTH = 100
# Python refuses to convert longer digit strings (sys.get_int_max_str_digits(), 4300 by
# default); no field takes a number anywhere near this long.
MAX_DIGITS = 4000

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)")
_KNOWN_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
}

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # the C composer is several times faster where libyaml is available
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass
class YamlFile:
    """A parsed file: its value, the line of every path in it, and what was wrong."""

    path: str
    value: Any = None
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_paths: list[tuple] = field(default_factory=list)  # the value path of each problem

    def line(self, path: tuple) -> int:
        """The line of the longest prefix of ``path`` that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    """Raised where the values nest too deeply; caught at the record's field (see convert)."""

    def __init__(self, node: yaml.Node):
        self.node = node


def read_yaml(path: str, text: str) -> YamlFile:
    """Parse ``text`` (the content of the file at ``path``) into a :class:`YamlFile`."""
    result = YamlFile(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as ex:
        mark = ex.problem_mark or ex.context_mark
        line = mark.line + 1 if mark else 1
        what = ex.problem or str(ex)
        if "nesting depth" in what:  # libyaml's own limit (1000 levels)
            message = _too_deep()
        else:
            message = f"YAML syntax error: {ex.context}, {what}" if ex.context else f"YAML syntax error: {what}"
        result.problems.append(Problem(path, line, "", "", message))
        result.problem_paths.append(())
        return result
    except RecursionError:  # the pure-Python composer recurses once a level (no libyaml)
        result.problems.append(Problem(path, 1, "", "", _too_deep()))
        result.problem_paths.append(())
        return result
    except yaml.YAMLError as ex:
        result.problems.append(Problem(path, 1, "", "", f"YAML error: {ex}"))
        result.problem_paths.append(())
        return result
    if node is None:
        return result
    converter = _Converter(result)
    try:
        result.value = converter.convert(node, ())
    except _TooLarge:
        result.value = None
        result.problems.append(
            Problem(path, node.start_mark.line + 1, "", "", f"the file expands to more than {MAX_NODES:,} values (aliases?)")
        )
        result.problem_paths.append(())
    return result


def _too_deep() -> str:
    return f"the values are nested too deeply (more than {MAX_DEPTH} levels); no seed record needs more than a few"


class _Converter:
    def __init__(self, result: YamlFile):
        self.result = result
        self.count = 0
        self.active: set[int] = set()

    def problem(self, node: yaml.Node, message: str, path: tuple = ()) -> None:
        self.result.problems.append(Problem(self.result.path, node.start_mark.line + 1, "", "", message))
        self.result.problem_paths.append(path)

    def convert(self, node: yaml.Node, path: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        self.result.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in _KNOWN_TAGS:
            self.problem(node, f"unsupported YAML tag {node.tag!r}", path)
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.problem(node, "recursive alias: a value that contains itself", path)
            return None
        if len(self.active) >= MAX_DEPTH:  # every open list or mapping is in self.active
            raise _TooDeep(node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)  # the other kinds of node returned above
            return self.mapping(node, path)
        except _TooDeep as deep:
            if len(path) > 2:
                raise
            # The whole field is dropped, reported once at the line where the nesting went
            # too deep, and named by its record and field (not by a hundred [1]s).
            self.problem(deep.node, _too_deep(), path)
            return None
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: tuple) -> dict:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "a key must be plain text, not a list or mapping", path)
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                self.problem(key_node, "merge keys (<<) are not supported: write the fields out", path)
                continue
            if key in out or key in first_line:
                self.problem(key_node, f"duplicate key {key!r} (first given on line {first_line[key]})", path + (key,))
                continue
            first_line[key] = line
            self.result.lines[path + (key,)] = line
            out[key] = self.convert(value_node, path + (key,))
        return out

    def scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        text = node.value
        if node.style or node.tag == "tag:yaml.org,2002:str":
            # quoted, block or explicitly tagged text (libyaml gives plain scalars style "")
            return text
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.fullmatch(text):
            if len(text) > MAX_DIGITS:
                self.problem(
                    node, f"a number of {len(text.lstrip('+-')):,} digits is too long to read (at most {MAX_DIGITS:,})", path
                )
                return None
            return int(text)
        if _LEADING_ZERO.fullmatch(text):
            self.problem(
                node,
                f"{text} has a leading zero (octal in YAML 1.1, decimal in YAML 1.2): "
                f"write {int(text)} for the number, or put it in quotes for text",
                path,
            )
            return None
        if _FLOAT.fullmatch(text):
            return float(text)
        return text
