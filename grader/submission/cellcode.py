"""What one notebook cell's code does, as far as deciding whether to run it goes.

``analyse`` turns IPython syntax into Python with IPython's own ``TransformerManager``
(magics and ``!cmd`` become ``get_ipython()`` calls), expands the magics that run
Python code (``%time``, ``%%capture``, ...) into that code, and reads the result with
``ast`` (what is mutated, imported, set up) and ``symtable`` (what is bound and read,
with Python's own scoping rules). ``grader.submission.prune`` combines the cells into a plan.
It never runs student code.
"""

from __future__ import annotations

import ast
import symtable
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# working directory, the import path, modules reloaded.
ENV_CALLS = frozenset({"seterr", "seterrcall", "setrecursionlimit", "chdir", "putenv", "filterwarnings",
                       "simplefilter", "resetwarnings", "reload", "set_default_dtype"})
ENV_OBJECTS = (("sys", "path"), ("os", "environ"))
# Names whose use makes bindings invisible to static analysis.
OPAQUE_NAMES = frozenset({"exec", "eval", "globals", "locals", "vars", "__import__", "__builtins__", "builtins",
                          "get_ipython", "execfile", "runfile"})
# Line magics that set up the session (always run, bind no names) ...
SETUP_MAGICS = frozenset({"matplotlib", "load_ext", "reload_ext", "unload_ext", "autoreload", "aimport", "config",
                          "precision", "xmode", "colors", "pdb", "autosave", "autocall", "automagic", "alias",
                          "unalias", "doctest_mode", "autoawait"})
# ... that change what later imports or file reads see (always run) ...
EFFECT_MAGICS = frozenset({"cd", "env", "set_env", "pip", "conda"})
# ... that only display something (skippable) ...
DISPLAY_MAGICS = frozenset({"who", "whos", "who_ls", "pwd", "ls", "lsmagic", "history", "pinfo", "pinfo2",
                            "psource", "pdoc", "pdef", "pfile", "page", "magic", "quickref", "dhist", "dirs",
                            "time", "timeit", "prun"})  # the last three only when given no code
# ... and whose argument (line) or body (cell) is Python code run in the notebook.
CODE_MAGICS = frozenset({"time", "timeit", "prun", "capture"})
DISPLAY_CELL_MAGICS = frozenset({"html", "latex", "markdown", "javascript", "js", "svg"})
EFFECT_CELL_MAGICS = frozenset({"writefile", "bash", "sh", "script", "system"})
SCOPES = frozenset({"lambda", "listcomp", "setcomp", "dictcomp", "genexpr"})


@dataclass(frozen=True)
class CellFacts:
    """What one cell does, as far as the plan cares.

    Attributes:
        index: the cell's index in ``nb.cells``.
        line: its first line of code, for messages.
        binds: module-level names it binds (def, class, import, assignment, del, ...).
        mutates: names whose object it changes in place (``x[k] = v``, ``x.a = v``).
        reads: names read by code that runs when the cell runs (not function bodies).
        defines: names it binds with def or class.
        imports: names it binds with import.
        bodies: def/class name -> module-level names its body reads.
        writes: def/class name -> module-level names its body sets or mutates.
        always: why the cell runs whenever grading runs at all, else None.
        opaque: why the cell makes the analysis unsure (run every cell), else None.
    """

    index: int
    line: str
    binds: frozenset[str] = frozenset()
    mutates: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()  # by code that runs when the cell runs
    defines: frozenset[str] = frozenset()  # def/class names (graded functions must be among them)
    imports: frozenset[str] = frozenset()  # names bound by import statements
    bodies: Mapping[str, frozenset[str]] = field(default_factory=dict)  # def/class name -> globals it reads
    writes: Mapping[str, frozenset[str]] = field(default_factory=dict)  # def/class name -> globals it sets
    always: str | None = None  # reason to run whatever is needed
    opaque: str | None = None  # reason to run every cell



def first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip() and not s.strip().startswith("#")), "")
    return line if len(line) <= 80 else line[:77] + "..."


def _python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001  IPython gives up the same way running the cell: compile shows the error
        return source


def _parse(code: str) -> ast.Module | None:
    try:
        return compile(code, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except (SyntaxError, ValueError):
        return None


def analyse(index: int, source: str, local: frozenset[str]) -> CellFacts:
    """The facts of one code cell.

    Args:
        index: its ``nb.cells`` index.
        source: its source (IPython syntax allowed).
        local: module names of the assignment's support files.

    Returns:
        CellFacts; never raises on student code.
    """
    line = first_line(source)
    if not source.strip():
        return CellFacts(index, line, always="is empty")
    tree = _parse(_python(source))
    if tree is None:
        # The kernel runs the same Python (sys.executable): it fails to compile this
        # cell too, runs none of it, and the student sees the error as before.
        return CellFacts(index, line, always="does not compile")
    if not tree.body:
        return CellFacts(index, line, always="has only comments")  # nothing to run, nothing to skip
    tree, magic = _expand_magics(tree)
    if magic.opaque:
        return CellFacts(index, line, opaque=magic.opaque)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in OPAQUE_NAMES:
            return CellFacts(index, line, opaque=f"uses {node.id}, which can bind names the grader cannot see")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                (node.value.id, node.attr) == ("sys", "modules"):
            return CellFacts(index, line, opaque="uses sys.modules")
    try:
        table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    except SyntaxError as exc:  # scoping errors (nonlocal at module level, ...) that ast accepts
        return CellFacts(index, line, always=f"does not compile ({exc.msg})")
    binds, reads, imports = set(), set(), set()
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported():
            binds.add(sym.get_name())
        if sym.is_imported():
            imports.add(sym.get_name())
        if sym.is_referenced():
            reads.add(sym.get_name())
    bodies: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    for child in table.get_children():
        names = _global_reads(child)
        if child.get_type() == "class":
            reads |= {s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()}
        if child.get_type() in ("function", "class") and child.get_name() not in SCOPES:
            bodies.setdefault(child.get_name(), set()).update(names)
            writes.setdefault(child.get_name(), set()).update(_global_sets(child))
        else:  # lambdas and comprehensions at module level: treat as run now
            reads |= names
    defs = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defines = defs | {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and n.name in binds}
    for node in _nodes(tree.body, top=True):  # conditional definitions too
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            writes.setdefault(node.name, set()).update(_mutated_roots(node.body) & bodies.get(node.name, set()))
    mutates = _mutated_roots(tree.body, top=True)
    always = magic.always or _always(tree, local)
    return CellFacts(index, line, frozenset(binds | magic.binds), frozenset(mutates), frozenset(reads),
                 frozenset(defines), frozenset(imports),
                 {k: frozenset(v) for k, v in bodies.items()}, {k: frozenset(v) for k, v in writes.items()},
                 always=always or ("binds names by a star import" if magic.star else None))


def _global_reads(table: symtable.SymbolTable) -> set[str]:
    """Module-level names a function or class body (and everything nested in it) reads."""
    out = {s.get_name() for s in table.get_symbols() if s.is_global() and (s.is_referenced() or s.is_assigned())}
    for child in table.get_children():
        out |= _global_reads(child)
    return out


def _global_sets(table: symtable.SymbolTable) -> set[str]:
    """Names a function assigns after declaring them ``global``."""
    out = {s.get_name() for s in table.get_symbols() if s.is_declared_global() and s.is_assigned()}
    for child in table.get_children():
        out |= _global_sets(child)
    return out


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _nodes(body: Sequence[ast.stmt], top: bool) -> Iterable[ast.AST]:
    """Every node under ``body``; at the top level, not inside def/class bodies (they run later)."""
    todo = list(body)
    while todo:
        node = todo.pop()
        yield node
        if top and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(getattr(node, "decorator_list", []))
            if not isinstance(node, ast.ClassDef):
                todo.extend(node.args.defaults + [d for d in node.args.kw_defaults if d is not None])
            continue
        todo.extend(ast.iter_child_nodes(node))


def _mutated_roots(body: Sequence[ast.stmt], top: bool = False) -> set[str]:
    """Names whose object is changed in place: ``x[k] = v``, ``x.a = v``, ``del x[k]``, ``setattr(x, ...)``."""
    out = set()
    for node in _nodes(body, top):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name = _root(node)
            if name:
                out.add(name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args:
            name = _root(node.args[0])
            if name:
                out.add(name)
    return out


def _always(tree: ast.Module, local: frozenset[str]) -> str | None:
    """Why this cell runs whatever is needed: imports and set-up only, a support-module
    import, a star import, or a change to process state."""
    for node in _nodes(tree.body, top=True):
        if isinstance(node, ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return "binds names by a star import"
            if node.level or (node.module or "").split(".")[0] in local:
                return f"imports the support module {node.module or '.'}"
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in local for a in node.names):
            return "imports a support module"
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name in ENV_CALLS:
                return f"calls {name}(), which changes the process's state"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                (node.value.id, node.attr) in ENV_OBJECTS:
            return f"uses {node.value.id}.{node.attr}"
    if tree.body and all(_is_setup(s) for s in tree.body):
        return "imports and set-up only"
    return None


def _is_setup(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    if isinstance(stmt, ast.Assign):  # plt.rcParams["figure.figsize"] = (7.0, 4.0)
        return all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in stmt.targets) and \
            not any(isinstance(n, ast.Call) for n in ast.walk(stmt))
    return False


# --- IPython magics (after TransformerManager they are get_ipython() calls) -----------

@dataclass
class _Magics:
    always: str | None = None
    opaque: str | None = None
    star: bool = False
    binds: set[str] = field(default_factory=set)


def _magic(call: ast.AST) -> tuple[str, str, list[str]] | None:
    """("line"|"cell"|"system"|"setup"|"effect", magic name, string args) for get_ipython().X(...)."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "get_ipython"):
        return None
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(args) != len(call.args) or call.keywords:
        return None
    kind = call.func.attr
    if kind in ("system", "getoutput"):
        return "system", kind, args
    if kind == "run_line_magic" and len(args) == 2:
        kind = "setup" if args[0] in SETUP_MAGICS else "effect" if args[0] in EFFECT_MAGICS else "line"
        return kind, args[0], args[1:]
    if kind == "run_cell_magic" and len(args) == 3:
        return "cell", args[0], args[1:]
    return None


def _expand_magics(tree: ast.Module) -> tuple[ast.Module, _Magics]:
    """Replace magics that run Python code by that code; classify the others."""
    out = _Magics()
    body: list[ast.stmt] = []
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        m = _magic(value) if value is not None else None
        # Magics nested elsewhere (inside a def, an if) are left as get_ipython() uses: opaque.
        if m is None:
            body.append(stmt)
            continue
        kind, name, args = m
        code = None
        if kind == "system":
            out.always = out.always or "runs a shell command"
        elif kind == "effect":
            out.always = out.always or f"runs %{name}"
        elif kind == "setup":
            body.append(ast.Pass(lineno=stmt.lineno))  # set-up like an import: see _is_setup
        elif kind == "line" and name in CODE_MAGICS and args[0].strip() and name != "capture":
            code = args[0]
        elif kind == "line" and name in DISPLAY_MAGICS:
            pass
        elif kind == "line" and name == "pylab":
            out.star = True
        elif kind == "cell" and name in CODE_MAGICS:
            code = args[1]
            if name == "capture" and args[0].split() and not args[0].split()[-1].startswith("-"):
                out.binds.add(args[0].split()[-1])
        elif kind == "cell" and name in DISPLAY_CELL_MAGICS:
            pass
        elif kind == "cell" and name in EFFECT_CELL_MAGICS:
            out.always = out.always or f"runs %%{name}"
        else:
            out.opaque = out.opaque or f"uses %{'%' if kind == 'cell' else ''}{name}, which the grader cannot analyse"
            continue
        if isinstance(stmt, ast.Assign):  # x = !ls, x = %time f(): the target is bound
            body.append(ast.Assign(targets=stmt.targets, value=ast.Constant(None), lineno=stmt.lineno))
        if code is not None:
            inner = _parse(_python(code))
            if inner is None:
                out.always = out.always or f"runs code under %{name} that does not compile"
            else:
                inner, more = _expand_magics(inner)
                out.opaque = out.opaque or more.opaque
                out.always = out.always or more.always
                out.star = out.star or more.star
                out.binds |= more.binds
                body.extend(inner.body)
    return ast.fix_missing_locations(ast.Module(body=body, type_ignores=[])), out


