"""TypeScript modules through tree-sitter: a module graph that follows relative imports.

The rules about auth, header forwarding and WebSocket origins need real syntax (which handler
is passed to which route, what a spread contains), not regexes. tree-sitter is imported on first
use only, so config-only runs never pay for it.
"""

from __future__ import annotations

import bisect
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import Any

from dualworker_cli.check.parse import paths as fs
from dualworker_cli.check.parse import workspaces
from dualworker_cli.check.parse.config import read_text

_PARSERS: dict[str, Any] = {}
EXTENSIONS: tuple[str, ...] = (".ts", ".tsx", ".mts", ".js", ".mjs", ".jsx")
FUNCTION_TYPES = frozenset(
    {
        "arrow_function",
        "function_declaration",
        "function_expression",
        "function",
        "method_definition",
        "generator_function_declaration",
    }
)


def _parser(tsx: bool) -> Any:
    """A tree-sitter parser for TypeScript (or TSX), built once per process."""
    key = "tsx" if tsx else "ts"
    if key not in _PARSERS:
        import tree_sitter
        import tree_sitter_typescript

        grammar = (
            tree_sitter_typescript.language_tsx() if tsx else tree_sitter_typescript.language_typescript()
        )
        _PARSERS[key] = tree_sitter.Parser(tree_sitter.Language(grammar))
    return _PARSERS[key]


def walk(node: Any) -> Iterator[Any]:
    """Every node under ``node`` (itself included), depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


#: node types :func:`nodes_in` answers from one tree-sitter query per module instead of a walk
INDEXED_TYPES = (
    "string",
    "template_string",
    "call_expression",
    "new_expression",
    "member_expression",
    "variable_declarator",
    "return_statement",
    "spread_element",
    "number",
)
#: the query that indexes them, one pattern (and capture) per type; an analysis that runs a query
#: over every module anyway appends these patterns to its own and hands the nodes to
#: :func:`keep_node_index` (a query's walk over the tree costs as much as its matches)
INDEX_PATTERNS = " ".join(f"({kind}) @{kind}" for kind in INDEXED_TYPES)
_INDEX_QUERIES: dict[int, Any] = {}
_START = operator.attrgetter("start_byte")
_END = operator.attrgetter("end_byte")


def _ascending(values: list[int]) -> bool:
    """Is ``values`` in order already (each one at least the one before), tested in C?"""
    return all(map(operator.le, values, values[1:]))


def pre_order(nodes: list[Any]) -> list[Any]:
    """``sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))`` (a walk's order: outer node
    first), with the keys computed in C: ``start << 32 - end`` (tree-sitter offsets are 32-bit).
    A query returns nodes in that order already: then only the keys are read, nothing is sorted
    (``sorted`` is stable, so equal keys keep their order either way)."""
    keys = list(map(operator.sub, map(operator.lshift, map(_START, nodes), repeat(32)), map(_END, nodes)))
    if _ascending(keys):
        return list(nodes)
    return list(map(nodes.__getitem__, sorted(range(len(nodes)), key=keys.__getitem__)))


def pre_order_starts(nodes: list[Any]) -> tuple[list[int], list[Any]]:
    """``pre_order(nodes)`` and the start bytes of the sorted nodes, each start read once (reading
    a node's offsets is a call into tree-sitter). Nodes starting one after another, as most do,
    are in order without reading where they end."""
    starts = list(map(_START, nodes))
    if all(map(operator.lt, starts, starts[1:])):
        return starts, list(nodes)
    keys = list(map(operator.sub, map(operator.lshift, starts, repeat(32)), map(_END, nodes)))
    if _ascending(keys):
        return starts, list(nodes)
    order = sorted(range(len(nodes)), key=keys.__getitem__)
    return list(map(starts.__getitem__, order)), list(map(nodes.__getitem__, order))


def has_node_index(module: Module) -> bool:
    return "_node_index" in module.__dict__


def keep_node_index(module: Module, found: dict[str, list[Any]]) -> None:
    """Keep the :data:`INDEXED_TYPES` nodes of ``module`` (type -> nodes, any order) that a
    caller's query captured with :data:`INDEX_PATTERNS`, so :func:`nodes_in` needs no query."""
    index = {}
    for kind, nodes in found.items():
        if nodes:
            index[kind] = pre_order_starts(nodes)
    module.__dict__["_node_index"] = index


def _node_index(module: Module) -> dict[str, tuple[list[int], list[Any]]]:
    """type -> (start bytes, nodes) of every :data:`INDEXED_TYPES` node of ``module``, in the
    order a walk visits them (source order, outer first), collected in C on first use."""
    cached = module.__dict__.get("_node_index")
    if cached is not None:
        return cached
    import tree_sitter

    language = module.tree.language
    query = _INDEX_QUERIES.get(id(language))
    if query is None:
        query = _INDEX_QUERIES[id(language)] = (tree_sitter.Query(language, INDEX_PATTERNS), language)
    keep_node_index(module, tree_sitter.QueryCursor(query[0]).captures(module.root))
    return module.__dict__["_node_index"]


def _under(node: Any, top: Any) -> bool:
    """Is ``node`` ``top`` or below it? (Asked of a node spanning the same bytes as ``top``, which
    may also be its parent: ``return`` without an argument is a ``return_statement`` as long.)"""
    if node.start_byte != top.start_byte:
        return True
    current = node
    while current is not None and current.start_byte == top.start_byte and current.end_byte == top.end_byte:
        if current.id == top.id:
            return True
        current = current.parent
    return False


def nodes_in(module: Module, node: Any, *types: str) -> list[Any]:
    """The nodes of ``types`` (all in :data:`INDEXED_TYPES`) under ``node`` of ``module``, itself
    included, in walk order: ``[n for n in walk(node) if n.type in types]`` without visiting the
    rest of the subtree in Python."""
    index = _node_index(module)
    start, end = node.start_byte, node.end_byte
    found: list[Any] = []
    for kind in types:
        starts, nodes = index.get(kind, ((), ()))
        lo = bisect.bisect_left(starts, start)
        hi = bisect.bisect_left(starts, end, lo)
        found += [n for n in nodes[lo:hi] if n.end_byte < end or (n.end_byte == end and _under(n, node))]
    return pre_order(found) if len(types) > 1 else found


def text(node: Any) -> str:
    return node.text.decode("utf-8", "replace")


_STRING_PARTS = ("string_fragment", "escape_sequence")


def string_value(node: Any) -> str | None:
    """The value of a string literal or a template literal without substitutions."""
    if node is None:
        return None
    kind = node.type
    if kind == "string":
        parts = [c for c in node.children if c.type in _STRING_PARTS]
        return text(parts[0]) if len(parts) == 1 else "".join(map(text, parts))  # mostly one fragment
    if kind == "template_string":
        if any(c.type == "template_substitution" for c in node.children):
            return None
        return text(node)[1:-1]
    return None


def unwrap(node: Any) -> Any:
    """Strip ``(x)``, ``x as T``, ``x satisfies T`` and ``x!`` around an expression."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ):
        named = node.named_children
        if not named:
            break
        node = named[0]
    return node


def unwrap_await(node: Any) -> Any:
    """:func:`unwrap`, and the awaited expression of ``await x`` (``const s = await makeClient()``
    holds what the call answers)."""
    node = unwrap(node)
    if node is not None and node.type == "await_expression" and node.named_children:
        node = unwrap(node.named_children[0])
    return node


def method_call(node: Any) -> tuple[Any, str] | None:
    """For a call ``obj.method(...)``: its member expression and the method name; else None.

    Routes (``app.get``), mounts (``app.route``) and binding calls (``env.X.fetch``) all take
    this shape, so the rules ask one question instead of re-walking the call's fields.
    """
    if node.type != "call_expression":
        return None
    func = node.child_by_field_name("function")
    if func is None or func.type != "member_expression":
        return None
    prop = func.child_by_field_name("property")
    return func, text(prop) if prop is not None else ""


def arguments(call: Any) -> list[Any]:
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def enclosing_function(node: Any) -> Any:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


@dataclass
class Module:
    """One parsed file with what the analyses need: imports, exports, top-level definitions."""

    path: Path
    rel: str
    source: str
    tree: Any
    imports: dict[str, tuple[Path | None, str]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    reexports: list[tuple[Path | None, dict[str, str] | None]] = field(default_factory=list)
    defs: dict[str, Any] = field(default_factory=dict)
    order: int = 0

    @property
    def root(self) -> Any:
        return self.tree.root_node

    @cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    def position(self, node: Any) -> tuple[int, int]:
        """1-based line and character column (tree-sitter counts bytes)."""
        row, col = node.start_point
        line = self.lines[row] if row < len(self.lines) else ""
        prefix = line.encode("utf-8")[:col].decode("utf-8", "replace")
        return row + 1, len(prefix.removeprefix("\ufeff")) + 1  # editors do not show a BOM


def _candidates(target: Path) -> Iterator[Path]:
    """``target`` itself (with a source extension), then with each extension, then its index."""
    stem = target
    if target.suffix in EXTENSIONS:
        yield target
        stem = target.with_suffix("")
    for ext in EXTENSIONS:
        yield stem.with_name(stem.name + ext)
    for ext in EXTENSIONS:
        yield target / f"index{ext}"


def _file_for(target: Path, boundary: Path) -> Path | None:
    """``target`` as a module file: itself, with a source extension, or a folder's index."""
    for candidate in _candidates(target):  # lazily: the first one usually exists
        if fs.is_file(candidate):
            try:
                candidate.relative_to(boundary)
            except ValueError:
                return None
            return candidate
    return None


def _candidate_texts(target: str) -> Iterator[str]:
    """:func:`_candidates` on a path string with a name (the same texts, no ``Path`` each)."""
    folder, name = os.path.split(target)
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # `Path.suffix`
    stem = name
    if suffix in EXTENSIONS:
        yield target
        stem = name[: -len(suffix)]
    prefix = f"{folder}/{stem}" if folder != "/" else f"/{stem}"
    for ext in EXTENSIONS:
        yield prefix + ext
    for ext in EXTENSIONS:
        yield f"{target}/index{ext}"


def _file_for_text(target: str, boundary: str) -> Path | None:
    """:func:`_file_for` on path strings (``target`` resolved, absolute, as ``boundary``): a
    relative import's candidates cost a string each instead of a ``Path`` (with the same text)."""
    if not os.path.basename(target):  # the file system's root: pathlib answers (and fails) as ever
        return _file_for(Path(target), Path(boundary))
    inside = boundary if boundary.endswith("/") else boundary + "/"
    for candidate in _candidate_texts(target):  # lazily: the first one usually exists
        if fs.is_file(candidate):
            return Path(candidate) if candidate.startswith(inside) or candidate == boundary else None
    return None


#: folder (a path string) -> the ``paths`` aliases in effect there
_TSCONFIG_CACHE: dict[str, list[tuple[str, list[Path]]]] = {}
#: (importing folder, specifier, boundary) -> the file, for the run
_SPECIFIERS: dict[tuple[str, str, str], Path | None] = {}


def _strictly_below(folder: str, top: str) -> bool:
    """``Path(top) in Path(folder).parents`` for normalized absolute path strings."""
    return folder != top and folder.startswith(top if top.endswith("/") else top + "/")


def _path_aliases(folder: Path | str, boundary: Path | str) -> list[tuple[str, list[Path]]]:
    """``compilerOptions.paths`` of the nearest tsconfig.json (``@/*`` -> ``src/*``), resolved."""
    key = str(folder)
    cached = _TSCONFIG_CACHE.get(key)
    if cached is not None:
        return cached
    aliases: list[tuple[str, list[Path]]] = []
    config_text = os.path.join(key, "tsconfig.json")
    if fs.is_file(config_text):
        aliases = _tsconfig_paths(Path(config_text), boundary)
    elif _strictly_below(key, str(boundary)):
        aliases = _path_aliases(os.path.dirname(key), boundary)
    _TSCONFIG_CACHE[key] = aliases
    return aliases


def _tsconfig_paths(config: Path, boundary: Path | str, depth: int = 0) -> list[tuple[str, list[Path]]]:
    """The ``paths`` aliases a tsconfig.json sets, or inherits through a relative ``extends``
    (a monorepo's packages extend one root config that maps ``@acme/x/*`` to ``packages/x/src/*``);
    targets are relative to the ``baseUrl`` of the config that declares them."""
    from dualworker_cli.check.parse import jsonc
    from dualworker_cli.check.parse.errors import ParseError

    try:
        data = jsonc.parse(config.read_text(encoding="utf-8")).to_python()
    except (ParseError, OSError, UnicodeDecodeError):
        data = {}
    data = data if isinstance(data, dict) else {}
    options = data.get("compilerOptions", {})
    options = options if isinstance(options, dict) else {}
    paths = options.get("paths")
    if isinstance(paths, dict):
        base = config.parent / str(options.get("baseUrl", "."))
        return [
            (pattern, [base / t for t in targets if isinstance(t, str)])
            for pattern, targets in paths.items()
            if isinstance(targets, list)
        ]
    parents = data.get("extends")
    for parent in parents if isinstance(parents, list) else [parents]:
        if isinstance(parent, str) and parent.startswith(".") and depth < 5:
            target = config.parent / parent
            if target.suffix != ".json":
                target = (
                    target / "tsconfig.json"
                    if os.path.isdir(target)
                    else target.with_name(target.name + ".json")
                )
            folder = os.path.dirname(fs.resolve_text(str(target)))
            if fs.is_file(target) and (folder == str(boundary) or _strictly_below(folder, str(boundary))):
                found = _tsconfig_paths(Path(fs.resolve_text(str(target))), boundary, depth + 1)
                if found:
                    return found
    return []


def resolve_specifier(base: Path, spec: str, boundary: Path) -> Path | None:
    """The file an import names: relative (``./x``, ``./x.js`` meaning ``./x.ts``, ``./dir``),
    through the nearest tsconfig's ``paths`` aliases, or a package of the same workspace
    (``@acme/auth``, ``@acme/db/queries``: see ``workspaces``); other packages resolve to None.

    The answer depends on the importing folder only, and the modules of a folder import the same
    packages (``hono``, ``./auth``): it is kept for the run (:class:`ModuleGraph` forgets it)."""
    key = (os.path.dirname(str(base)), spec, str(boundary))
    if key in _SPECIFIERS:
        return _SPECIFIERS[key]
    found = _SPECIFIERS[key] = _resolve_specifier(base, spec, boundary)
    return found


def _resolve_specifier(base: Path, spec: str, boundary: Path) -> Path | None:
    if spec.startswith("."):
        return _file_for_text(fs.resolve_text(os.path.join(os.path.dirname(str(base)), spec)), str(boundary))
    for pattern, targets in _path_aliases(os.path.dirname(str(base)), boundary):
        prefix, star, suffix = pattern.partition("*")
        if star and spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix + suffix):
            middle = spec[len(prefix) : len(spec) - len(suffix)]
            candidates = [Path(str(t).replace("*", middle, 1)) for t in targets]
        elif not star and spec == pattern:
            candidates = targets
        else:
            continue
        for candidate in candidates:
            found = _file_for(fs.resolve(candidate), boundary)
            if found is not None:
                return found
    return workspaces.resolve(base, spec, boundary, _file_for)


def _import_parts(stmt: Any) -> Iterator[Any]:
    """The ``import_clause``, ``namespace_import`` and ``import_specifier`` nodes of an import
    statement, in walk order. The grammar puts them only at ``import_clause`` > ``named_imports``
    > ``import_specifier`` (or ``import_clause`` > ``namespace_import``), so a statement parsed
    without errors is read along that path instead of walking its strings and names; one with an
    error (recovered nodes may sit anywhere) is walked whole, as before."""
    if stmt.has_error:
        yield from walk(stmt)
        return
    for clause in stmt.children:
        if clause.type != "import_clause":
            continue
        yield clause
        for part in clause.children:
            if part.type == "namespace_import":
                yield part
            elif part.type == "named_imports":
                yield from (spec for spec in part.children if spec.type == "import_specifier")


def _index(module: Module, boundary: Path) -> None:
    """Fill imports/exports/defs from the module's top-level statements."""
    for stmt in module.root.named_children:
        if stmt.type == "import_statement":
            source = stmt.child_by_field_name("source")
            spec = string_value(source) or ""
            target = resolve_specifier(module.path, spec, boundary)
            for node in _import_parts(stmt):
                if node.type == "import_specifier":
                    name = node.child_by_field_name("name")
                    if name is None:
                        continue
                    alias = node.child_by_field_name("alias") or name
                    module.imports[text(alias)] = (target, text(name))
                elif node.type == "namespace_import":
                    ident = next((c for c in node.named_children if c.type == "identifier"), None)
                    if ident is not None:
                        module.imports[text(ident)] = (target, "*")
                elif node.type == "import_clause":
                    first = node.named_children[0] if node.named_children else None
                    if first is not None and first.type == "identifier":
                        module.imports[text(first)] = (target, "default")
            continue
        if stmt.type == "export_statement":
            _index_export(module, stmt, boundary)
            decl = stmt.child_by_field_name("declaration")
            if decl is not None:
                _index_decl(module, decl)
            continue
        _index_decl(module, stmt)


def _index_export(module: Module, stmt: Any, boundary: Path) -> None:
    source = stmt.child_by_field_name("source")
    is_default = any(c.type == "default" for c in stmt.children)
    decl = stmt.child_by_field_name("declaration")
    value = stmt.child_by_field_name("value")
    if source is not None:
        target = resolve_specifier(module.path, string_value(source) or "", boundary)
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        if clause is None:
            module.reexports.append((target, None))
        else:
            mapping = {}
            for spec in clause.named_children:
                name = spec.child_by_field_name("name")
                if name is None:  # broken code: tree-sitter recovers with other nodes
                    continue
                alias = spec.child_by_field_name("alias") or name
                mapping[text(alias)] = text(name)
            module.reexports.append((target, mapping))
        return
    if decl is not None:
        for name in _declared_names(decl):
            module.exports["default" if is_default else name] = name
        if is_default and not _declared_names(decl):
            module.defs["default"] = decl
            module.exports["default"] = "default"
        return
    if value is not None and is_default:
        value = unwrap(value)
        if value.type == "identifier":
            module.exports["default"] = text(value)
        else:
            module.defs["default"] = value
            module.exports["default"] = "default"
        return
    clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
    if clause is not None:
        for spec in clause.named_children:
            name = spec.child_by_field_name("name")
            if name is None:
                continue
            alias = spec.child_by_field_name("alias") or name
            module.exports[text(alias)] = text(name)


def _declared_names(decl: Any) -> list[str]:
    if decl.type in ("lexical_declaration", "variable_declaration"):
        return [
            text(d.child_by_field_name("name"))
            for d in decl.named_children
            if d.type == "variable_declarator"
            and d.child_by_field_name("name") is not None
            and d.child_by_field_name("name").type == "identifier"
        ]
    name = decl.child_by_field_name("name")
    return [text(name)] if name is not None else []


def _index_decl(module: Module, decl: Any) -> None:
    if decl.type in ("lexical_declaration", "variable_declaration"):
        for d in decl.named_children:
            name = d.child_by_field_name("name") if d.type == "variable_declarator" else None
            value = d.child_by_field_name("value") if name is not None else None
            if name is not None and name.type == "identifier" and value is not None:
                module.defs[text(name)] = value
    elif decl.type in (
        "function_declaration",
        "class_declaration",
        "generator_function_declaration",
        "abstract_class_declaration",
    ):
        name = decl.child_by_field_name("name")
        if name is not None:
            module.defs[text(name)] = decl


class ModuleGraph:
    """Modules reachable from an entry file through relative imports (cached, cycle-safe)."""

    def __init__(self, project_root: Path) -> None:
        self.boundary = fs.resolve(project_root)
        _TSCONFIG_CACHE.clear()  # a new run reads tsconfig files and workspaces afresh
        _SPECIFIERS.clear()
        workspaces.clear()
        self._boundary_text = str(self.boundary)
        self.modules: dict[Path, Module] = {}
        #: the path ``load`` was given -> its module (``load`` resolves the path first)
        self._by_text: dict[str, Module] = {}
        self._reachable: dict[Path, list[Module]] = {}
        self._counter = 0

    def rel(self, path: Path) -> str:
        """``path`` relative to the project (POSIX), or as it is when outside."""
        text, top = str(path), self._boundary_text
        if text.startswith(top if top.endswith("/") else top + "/"):
            return text[len(top) :].lstrip("/")
        return "." if text == top else text

    def load(self, path: Path) -> Module | None:
        """Parse ``path`` and everything it imports; None when it does not exist."""
        key = str(path)  # the imports of a Worker's modules name the same files again and again
        module = self._by_text.get(key)
        if module is not None:
            return module
        path = fs.resolve(path)
        if path in self.modules:
            self._by_text[key] = self.modules[path]
            return self.modules[path]
        if not fs.is_file(path):
            return None
        rel = self.rel(path)
        source = read_text(path, rel)
        tree = _parser(path.suffix in (".tsx", ".jsx")).parse(source.encode("utf-8"))
        module = Module(path, rel, source, tree)
        self.modules[path] = self._by_text[key] = module
        _index(module, self.boundary)
        for target, _ in list(module.imports.values()) + [(t, None) for t, _ in module.reexports]:
            if target is not None:
                self.load(target)
        self._counter += 1
        module.order = self._counter  # post-order: imported modules run first
        return module

    def reachable(self, entry: Module) -> list[Module]:
        """``entry`` and every module it imports, directly or not, in execution order (kept: loading
        ``entry`` loaded all of them, so the answer does not change)."""
        cached = self._reachable.get(entry.path)
        if cached is not None:
            return cached
        found: dict[Path, Module] = {}
        todo = [entry]
        while todo:
            module = todo.pop()
            if module.path in found:
                continue
            found[module.path] = module
            targets = [t for t, _ in module.imports.values()] + [t for t, _ in module.reexports]
            todo.extend(self.modules[t] for t in targets if t is not None and t in self.modules)
        self._reachable[entry.path] = result = sorted(found.values(), key=lambda m: m.order)
        return result

    def export_names(self, module: Module, seen: set[Path] | None = None) -> set[str]:
        """Names ``module`` exports, following ``export ... from``."""
        seen = seen if seen is not None else set()
        if module.path in seen:
            return set()
        seen.add(module.path)
        names = set(module.exports)
        for target, mapping in module.reexports:
            if mapping is not None:
                names |= set(mapping)
            elif target is not None and target in self.modules:
                names |= self.export_names(self.modules[target], seen) - {"default"}
        return names

    def resolve(self, module: Module, name: str, depth: int = 0) -> tuple[Module, str, Any] | None:
        """Where the local ``name`` of ``module`` is defined: (module, local name, value node)."""
        if depth > 20:
            return None
        if name in module.defs:
            return module, name, module.defs[name]
        if name in module.imports:
            target, imported = module.imports[name]
            if target is None or target not in self.modules or imported == "*":
                return None
            return self.resolve_export(self.modules[target], imported, depth + 1)
        return None

    def resolve_export(self, module: Module, exported: str, depth: int = 0) -> tuple[Module, str, Any] | None:
        if depth > 20:
            return None
        if exported in module.exports:
            return self.resolve(module, module.exports[exported], depth + 1)
        for target, mapping in module.reexports:
            if target is None or target not in self.modules:
                continue
            if mapping is not None and exported in mapping:
                return self.resolve_export(self.modules[target], mapping[exported], depth + 1)
            if mapping is None and exported != "default":
                found = self.resolve_export(self.modules[target], exported, depth + 1)
                if found is not None:
                    return found
        return None

    def resolve_member(self, module: Module, node: Any) -> tuple[Module, str, Any] | None:
        """``ns.name`` where ``ns`` is ``import * as ns from "./x"``: the definition of ``name``."""
        if node.type != "member_expression":
            return None
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is None or prop is None or obj.type != "identifier":
            return None
        target, imported = module.imports.get(text(obj), (None, ""))
        if imported != "*" or target is None or target not in self.modules:
            return None
        return self.resolve_export(self.modules[target], text(prop))

    def imported_name(self, module: Module, name: str) -> str:
        """The name a local identifier has where it comes from (``import { a as b }`` -> ``a``)."""
        if name in module.imports:
            return module.imports[name][1]
        return name
