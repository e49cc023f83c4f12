"""Above the solvers, no function takes more than 8 parameters or runs past 60 lines
(issue #17): the command line, the web app, batch, reports, the demo and the job layer.

Parameters exclude ``self`` and ``cls`` (``*args`` and ``**kwargs`` count one each);
a function's lines run from its ``def`` to its last line, nested functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import optimise

MAX_PARAMS = 8
MAX_LINES = 60

PACKAGE = Path(optimise.__file__).resolve().parent
ROOT = PACKAGE.parent
#: Every module in these folders (and their sub-folders).
FOLDERS = ("commands", "app", "batch", "report")
#: These modules.
MODULES = ("cli.py", "optimise/demo.py", "optimise/jobs.py", "optimise/settings.py",
           "optimise/inputs.py", "optimise/config.py")  # fmt: skip
#: The job modules, wherever they live under optimise/.
JOB_MODULES = ("run.py", "*_run.py", "output.py")  # jobs and their writers


def layer_files() -> list[Path]:
    """The modules above the solvers; a folder or module that is not there fails."""
    missing = [f for f in FOLDERS if not (PACKAGE / f).is_dir()]
    missing += [m for m in MODULES if not (ROOT / m).is_file()]
    assert not missing, f"not found (moved? update this test): {missing}"
    files = {p for f in FOLDERS for p in (PACKAGE / f).rglob("*.py")}
    files |= {ROOT / m for m in MODULES}
    jobs = {p for pattern in JOB_MODULES for p in PACKAGE.rglob(pattern)}
    assert len(jobs) >= 5, f"expected the five job modules, found {sorted(map(str, jobs))}"
    return sorted(files | jobs)


def sizes(path: Path) -> list[tuple[str, int, int]]:
    """``(where, parameters, lines)`` of every function in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            names = [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
            params = len([n for n in names if n not in ("self", "cls")])
            params += (a.vararg is not None) + (a.kwarg is not None)
            lines = node.end_lineno - node.lineno + 1
            where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
            found.append((where, params, lines))
    return found


def test_no_function_above_the_solvers_is_too_big():
    functions = [f for path in layer_files() for f in sizes(path)]
    assert len(functions) > 50, f"only {len(functions)} functions scanned"
    offenders = [f"{where} params={params} lines={lines}"
                 for where, params, lines in functions
                 if params > MAX_PARAMS or lines > MAX_LINES]  # fmt: skip
    assert not offenders, (
        f"{len(offenders)} function(s) above {MAX_PARAMS} parameters or {MAX_LINES} lines:\n"
        + "\n".join(offenders)
    )
