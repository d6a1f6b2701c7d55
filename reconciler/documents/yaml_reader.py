"""Reading YAML files safely, fast, and with line numbers on demand: the lab's files and the
emulators' seeds alike, so every YAML file the project reads meets the same limits.

Files are parsed with ruamel.yaml's C-backed safe loader, which is several times faster than the
round-trip loader and builds plain Python objects. Line numbers are only needed when something is
wrong, so ``locate`` re-parses a file with the round-trip loader (which records them) only then.

Hostile input is refused before it can hurt: files larger than a limit, binary files, UTF-16 files,
symbolic links that leave the repository, python tags (the safe loader knows none), and alias bombs
(checked by bounding the number of nodes the document expands to).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor
from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported from libyaml
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from reconciler.documents.findings import DocumentError, Finding

# A study of 100,000 workers is about 2 MB of YAML; 16 MiB leaves room while refusing files that
# would make every run slow or exhaust memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
# After aliases are expanded; generous for real files, fatal for a "billion laughs" document.
MAX_EXPANDED_NODES = 2_000_000
# Our files nest four levels deep; far deeper nesting only serves to exhaust the stack of whatever
# walks the data later (the schema validator, error messages).
MAX_DEPTH = 64

# A line whose indentation and indicators ("- ", "? ", ": ") reach this far could nest block
# collections past MAX_DEPTH; only then is the nesting counted exactly (see _check_nesting).
_DEEP_LINE = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH // 4},}}", re.MULTILINE)
_OPENING = ("SequenceStartEvent", "MappingStartEvent")
_CLOSING = ("SequenceEndEvent", "MappingEndEvent")

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_SAVE_AS_UTF8 = "save the file as UTF-8 text"

JsonPointer = Sequence[str | int]


def _timestamp_as_text(constructor: SafeConstructor, node: ScalarNode) -> str:
    # Dates stay strings so a JSON Schema can check them and an impossible date such as
    # 2027-02-30 becomes a clear validation error instead of a crash inside the loader.
    return str(constructor.construct_scalar(node))


class _PlainSafeConstructor(SafeConstructor):
    pass


class _OnceResolver(VersionedResolver):
    """ruamel looks up the document's YAML version again for every scalar; one file is one
    document of one version, so look it up once. A fresh resolver is made for every file."""

    _resolvers: Any = None

    @property
    def versioned_resolver(self) -> Any:
        if self._resolvers is None:
            self._resolvers = super().versioned_resolver
        return self._resolvers


class _PlainRoundTripConstructor(RoundTripConstructor):
    pass


_PlainSafeConstructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_PlainRoundTripConstructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed YAML file as plain Python data (dicts, lists, strings, numbers, booleans, None)."""

    path: Path
    data: Any
    first_line: str


def read_document(path: Path, *, root: Path | None = None, allow_empty: bool = False) -> Document:
    """Parse one YAML file, raising ``InvalidInput`` with a located problem when it cannot be used."""
    return parse_text(path, read_text(path, root=root), allow_empty=allow_empty)


def parse_text(path: Path, text: str, *, allow_empty: bool = False) -> Document:
    """Parse the text of ``path`` (as ``read_text`` returned it); see ``read_document``."""
    # Bounded before the parser can recurse: no input up to the size limit may crash it.
    _check_nesting(path, text)
    yaml = YAML(typ="safe", pure=False)
    yaml.Constructor = _PlainSafeConstructor
    yaml.Resolver = _OnceResolver
    try:
        data = yaml.load(text)
    except MarkedYAMLError as error:
        raise DocumentError([_marked_problem(path, error)]) from None
    except ReaderError as error:
        # Control characters: the reader reports an offset into the text, not a line.
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        message = f"a control character (#x{error.character:04x}) that YAML does not allow"
        if isinstance(error.character, str):
            message = f"a control character ({error.character!r}) that YAML does not allow"
        raise DocumentError([Finding(path, message, "delete it or escape it", line, column)]) from None
    except YAMLError as error:
        raise DocumentError([Finding(path, f"not valid YAML: {error}", "fix the YAML syntax")]) from None
    except RecursionError:
        raise DocumentError(
            [Finding(path, "the YAML is nested too deeply to read", "flatten the document")]
        ) from None
    if data is None and not allow_empty:
        raise DocumentError(
            [Finding(path, "the file is empty", "fill it in, or delete it if it is not needed", 1, 1)]
        )
    _check_expansion(path, data)
    return Document(path, data, text.split("\n", 1)[0])


def read_text(path: Path, *, root: Path | None = None) -> str:
    """The file's text, refusing what no YAML file of ours should be."""
    _check_inside(path, root)
    try:
        if not path.exists():
            raise DocumentError([Finding(path, "the file does not exist", "check the path")])
        if not path.is_file():
            raise DocumentError([Finding(path, "not a regular file", "point at a YAML file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(
                [
                    Finding(
                        path,
                        f"the file is {size / 1_048_576:.1f} MiB, over the limit of "
                        f"{MAX_FILE_BYTES // 1_048_576} MiB",
                        "split it into several files",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as error:
        raise DocumentError([Finding(path, f"cannot read the file: {error.strerror}")]) from None
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            raise DocumentError([Finding(path, f"the file is encoded as {encoding}", _SAVE_AS_UTF8, 1, 1)])
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise DocumentError([Finding(path, "the file is binary, not YAML text", _SAVE_AS_UTF8, line, 1)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise DocumentError(
            [Finding(path, "the file is not valid UTF-8 text", _SAVE_AS_UTF8, line, column)]
        ) from None


def _too_deep(path: Path, line: int = 0, column: int = 0) -> DocumentError:
    return DocumentError(
        [
            Finding(
                path,
                f"the YAML is nested too deeply (over {MAX_DEPTH} levels)",
                "flatten the document",
                line,
                column,
            )
        ]
    )


def _check_nesting(path: Path, text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before the C parser builds the document: it recurses
    once per level on the C stack, and 100,000 ``[`` kill the process without a word.

    Flow collections nest at most once per ``[`` or ``{``; block collections at most twice per
    column of indentation and indicators. When those bounds are low (every real file) nothing
    more is done; otherwise the parser's events, which it produces without recursing, are
    counted exactly."""
    flow_bound = text.count("[") + text.count("{")
    if flow_bound <= MAX_DEPTH // 2 and _DEEP_LINE.search(text) is None:
        return
    depth = 0
    parser = CParser(io.StringIO(text))
    try:
        for event in iter(parser.get_event, None):
            kind = type(event).__name__
            if kind in _OPENING:
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _too_deep(path, mark.line + 1, mark.column + 1)
            elif kind in _CLOSING:
                depth -= 1
    except YAMLError:
        return  # a syntax error: the loader reports it at its place, as for any other file


def _check_inside(path: Path, root: Path | None) -> None:
    if root is None:
        return
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise DocumentError(
            [
                Finding(
                    path,
                    "the file is a link to a place outside the repository",
                    "replace the link with the file itself",
                )
            ]
        )


def _marked_problem(path: Path, error: MarkedYAMLError) -> Finding:
    mark = error.problem_mark or error.context_mark
    what = error.problem or error.context or "not valid YAML"
    hint = "fix the YAML syntax at this place"
    if "duplicate key" in what:
        # ruamel's text quotes the value too; the key and the place are what the user needs.
        what = what.split(" with value ")[0]
        hint = "keep one of the two entries; YAML keys must be unique"
    elif "could not determine a constructor" in what:
        what = "a YAML tag that is not allowed here: " + what.rsplit(" ", 1)[-1]
        hint = "remove the tag; only plain YAML data is read"
    elif "expected a single document" in f"{error.context} {what}":
        what = "a second YAML document in the file"
        hint = "keep one YAML document per file (remove the extra '---')"
    line = mark.line + 1 if mark is not None else 0
    column = mark.column + 1 if mark is not None else 0
    context_mark = error.context_mark
    if error.problem and error.context and context_mark is not None and context_mark.line + 1 != line:
        # "while parsing a flow sequence" started lines earlier: that is where the mistake usually is.
        what += f" ({error.context.strip()} that starts on line {context_mark.line + 1})"
    return Finding(path, what, hint, line, column)


def _check_expansion(path: Path, data: Any) -> None:
    """Count nodes as a consumer would see them, aliases expanded, and stop at a bound."""
    budget = MAX_EXPANDED_NODES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if depth > MAX_DEPTH:
            raise _too_deep(path)
        if budget < 0:
            raise DocumentError(
                [
                    Finding(
                        path,
                        f"the document expands to more than {MAX_EXPANDED_NODES:,} values "
                        "(a YAML alias bomb?)",
                        "write the values out instead of repeating anchors and aliases",
                    )
                ]
            )
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
            budget -= len(node)  # the keys
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def locate(path: Path, pointer: JsonPointer, *, key: bool = False) -> tuple[int, int]:
    """The 1-based line and column of the value at ``pointer`` (or of its key, with ``key``).

    Walks as deep as the document allows and returns the nearest position found, so a pointer
    into something missing still lands on its parent. Returns (0, 0) when nothing can be told.
    """
    try:
        status = path.stat()
        node = _round_trip(str(path), status.st_mtime_ns, status.st_size)
    except (OSError, DocumentError, YAMLError, ValueError, RecursionError):
        return (0, 0)
    position = _start_of(node)
    for depth, step in enumerate(pointer):
        last = depth == len(pointer) - 1
        found = _child_position(node, step, key=key and last)
        if found is None:
            break
        position, node = found
    return (position[0] + 1, position[1] + 1) if position else (0, 0)


@lru_cache(maxsize=8)
def _round_trip(path: str, mtime_ns: int, size: int) -> Any:
    """The file parsed with positions, once per version of the file (a file with a thousand bad
    IDs is parsed once, not a thousand times); ``mtime_ns`` and ``size`` only key the cache."""
    yaml = YAML()
    yaml.Constructor = _PlainRoundTripConstructor
    return yaml.load(read_text(Path(path)))


def _start_of(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return (lc.line, lc.col)


def _child_position(node: Any, step: str | int, *, key: bool) -> tuple[tuple[int, int], Any] | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if isinstance(node, dict) and step in node:
            line, column = lc.key(step) if key else lc.value(step)
            return (line, column), node[step]
        if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            line, column = lc.item(step)
            return (line, column), node[step]
    except (KeyError, TypeError, IndexError):
        # A key brought in by a YAML merge (<<:) has no position of its own: use its parent's.
        return None
    return None
