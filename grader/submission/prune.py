"""Deciding which notebook cells grading needs, from the notebook's code alone.

A Regularization notebook trains a model three times for 30,000 iterations; the
checks only call a handful of functions. ``plan`` reads every code cell (IPython
syntax turned into Python by IPython's own ``TransformerManager``, then ``ast`` and
``symtable``) and keeps the cells whose effects can reach what the grader calls:

- a cell runs if it binds (def, class, import, assignment, for/with target, walrus,
  del, a ``global`` write inside a function it calls) or mutates in place
  (``d[k] = v``, ``obj.attr = v``, ``setattr(obj, ...)``) a *needed* name, or if it
  reads a needed data global at all (it might mutate it through an alias or a method);
- needed names start as the graded functions and the globals a check patches, and
  grow to a fixpoint: a needed function's free names (body, defaults, decorators), and
  everything the module-level code of a running cell reads;
- cells of imports and set-up (``%matplotlib``, ``!pip``, ``np.seterr``,
  ``sys.path.append``), star imports, imports of support modules (their import may
  have side effects) and cells that do not parse (so the student sees the same
  SyntaxError; a cell that fails to compile runs nothing) always run.

Module-level ``np.random.seed(...)`` is not a reason to run a cell: no check depends
on the kernel's random state (dropout checks read the masks back from the returned
cache), so the common "seed, then train" cell is skipped.

When the analysis cannot be sure, the plan runs every cell and says why
(``fell_back``): ``exec``/``eval``/``globals()``/``locals()``/``vars()``,
``__builtins__``, ``sys.modules``, ``%run``/``%load`` and other magics that run or
bind code we cannot see, unknown cell magics, other uses of ``get_ipython()``, and a
graded function that no cell defines (so "did you mean" still sees every name).

The plan cannot see every effect of a call made in a skipped cell (a support
function mutating a notebook object it was handed, say). The grader therefore
re-runs the notebook in full when the pruned run looks broken: a NameError in a
cell that ran or in a graded call (see ``grader.grade``). We judged that a second
run only for broken submissions is worth the certainty: a correct notebook never
pays it, and a broken one costs at most what grading cost before pruning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from grader.submission.cellcode import CellFacts, analyse
from grader.records import SkippedCell


@dataclass(frozen=True)
class Plan:
    """Which code cells to run.

    Attributes:
        run: ``nb.cells`` indices of the code cells to run, in order.
        skipped: the code cells left out, each with a one-line reason.
        fell_back: the analysis was unsure, so every cell runs.
        why: the sentence saying why it fell back (None otherwise).
    """

    run: tuple[int, ...]
    skipped: tuple[SkippedCell, ...] = ()
    fell_back: bool = False
    why: str | None = None

    @property
    def skipped_cells(self) -> frozenset[int]:
        return frozenset(s.cell for s in self.skipped)



def everything(cells: Sequence[tuple[int, str]], why: str | None = None) -> Plan:
    """A plan that runs every code cell (``why`` given: the analysis fell back)."""
    return Plan(run=tuple(i for i, _ in cells), fell_back=why is not None, why=why)


def plan(cells: Sequence[tuple[int, str]], needed: Iterable[str], *, graded: Iterable[str] = (),
         local_modules: Iterable[str] = ()) -> Plan:
    """Decide which code cells grading needs.

    Args:
        cells: (``nb.cells`` index, source) of every code cell, in order.
        needed: names the grader reads from the notebook: the graded functions and
            the globals a check patches.
        graded: the functions the checks call; if no cell defines one, every cell
            runs (so a missing function's "did you mean" sees every name).
        local_modules: module names of the support files (their import always runs).

    Returns:
        The Plan; it never raises on student code.
    """
    local = frozenset(local_modules)
    analysed = [analyse(i, src, local) for i, src in cells]
    for c in analysed:
        if c.opaque:
            return everything(cells, f"cell {c.index} {c.opaque}")
    defined = set().union(*(c.defines for c in analysed)) if analysed else set()
    missing = sorted(set(graded) - defined)
    if missing:
        return everything(cells, f"no cell defines {', '.join(missing)}")
    bodies: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    for c in analysed:
        for name, names in c.bodies.items():
            bodies.setdefault(name, set()).update(names)
        for name, names in c.writes.items():
            writes.setdefault(name, set()).update(names)
    effects = _effects(bodies, writes)
    # Data globals: bound other than by def, class or import. Any cell reading a needed
    # one might change it (a method call, an alias), so it runs.
    data = set().union(*(c.binds - c.defines - c.imports for c in analysed)) if analysed else set()
    reasons: dict[int, str] = {c.index: c.always for c in analysed if c.always}
    needed_now = set(needed)
    while True:
        for c in analysed:
            if c.index in reasons:
                continue
            touched = c.binds | c.mutates | set().union(*(effects.get(n, ()) for n in c.reads))
            hit = sorted(touched & needed_now) or sorted(c.reads & needed_now & data)
            if hit:
                reasons[c.index] = f"sets {', '.join(hit[:3])}"
        grown = set(needed_now)
        for c in analysed:
            if c.index in reasons:
                grown |= c.reads
        for name in list(grown):
            grown |= bodies.get(name, set())
        if grown == needed_now:
            break
        needed_now = grown
    run = tuple(c.index for c in analysed if c.index in reasons)
    skipped = tuple(SkippedCell(c.index, _skip_reason(c)) for c in analysed if c.index not in reasons)
    return Plan(run=run, skipped=skipped)


def _effects(bodies: Mapping[str, set[str]], writes: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Globals each notebook function may set when called, through the functions it calls."""
    out: dict[str, set[str]] = {}
    for name in bodies:
        seen, todo, acc = {name}, [name], set()
        while todo:
            f = todo.pop()
            acc |= writes.get(f, set())
            for g in bodies.get(f, ()):
                if g in bodies and g not in seen:
                    seen.add(g)
                    todo.append(g)
        out[name] = acc
    return out


def _skip_reason(c: CellFacts) -> str:
    return f"sets nothing the graded functions read: {c.line}"


def needed_names(assignment) -> tuple[frozenset[str], frozenset[str]]:
    """(everything the grader reads from the notebook, the functions its checks call).

    Args:
        assignment: a loaded ``grader.spec.load.Assignment``.
    """
    called = set()
    patched = set()
    for c in assignment.checks:
        called |= {n for n in (c.function, c.forward, c.masks_from) if n}
        patched |= set(c.wrong.get("patch", {}))
    return frozenset(called | patched), frozenset(called)


def local_modules(assignment) -> frozenset[str]:
    """Module names the support files provide (``reg_utils.py`` -> ``reg_utils``)."""
    return frozenset(s.split("/")[-1].removesuffix(".py") for s in assignment.support)


def plan_notebook(nb, assignment) -> Plan:
    """The plan for a notebook (nbformat v4) graded against ``assignment``."""
    cells = [(i, c.get("source", "")) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"]
    needed, graded = needed_names(assignment)
    return plan(cells, needed, graded=graded, local_modules=local_modules(assignment))


class Watch:
    """A sandbox wrapper that notices graded calls failing with NameError.

    After a pruned run, a NameError means a name the plan left out may be missing;
    ``grader.grade`` then grades a full run instead (see the module docstring).
    """

    def __init__(self, inner, name_errors: list[str] | None = None) -> None:
        self.inner = inner
        self.name_errors: list[str] = [] if name_errors is None else name_errors
        self.died = False  # a call found the process dead: later checks need a fresh sandbox

    def run(self, nb):
        return self.inner.run(nb)

    def defined_functions(self) -> tuple[str, ...]:
        return self.inner.defined_functions()

    def call(self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch: dict | None = None):
        result = self.inner.call(function, args, kwargs, patch=patch)
        if result.ename == "NameError":
            self.name_errors.append(function)
        self.died = self.died or result.kernel_died
        return result

    def close(self) -> None:
        self.inner.close()


def doubt(cell_errors: Iterable, watch: Watch) -> str | None:
    """Why a pruned run's results may differ from a full run's, or None.

    Args:
        cell_errors: the pruned run's cell failures (anything with ``cell`` and ``ename``).
        watch: the sandbox wrapper the checks called through.
    """
    cells = [e.cell for e in cell_errors if e.ename == "NameError"]
    if cells:
        return f"cell {cells[0]} raised NameError when only the cells grading needs ran"
    if watch.name_errors:
        return f"{watch.name_errors[0]}() raised NameError when only the cells grading needs ran"
    return None
