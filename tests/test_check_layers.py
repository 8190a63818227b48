"""`dualworker check` is a pipeline whose layers import downwards only (no import circle)."""

from __future__ import annotations

import ast
from pathlib import Path

CHECK = Path(__file__).resolve().parent.parent / "dualworker_cli" / "check"

#: each layer may import itself and the layers listed before it
LAYERS = ("parse", "model", "discover", "analysis", "rules", "engine", "reporters", "command")
LAYER_OF = {
    "parse": "parse",
    "model": "model",
    "discover": "discover",
    "deploys": "discover",
    "analysis": "analysis",
    "backend_analysis": "analysis",
    "env_gate": "analysis",
    "identity": "analysis",
    "request_paths": "analysis",
    "reach": "analysis",
    "rules": "rules",
    "engine": "engine",
    "fix": "engine",
    "suppress": "engine",
    "parallel": "engine",
    "init": "engine",
    "reporters": "reporters",
    "command": "command",
}


def _layer(module: str) -> str:
    head = module.removeprefix("dualworker_cli.check.").split(".")[0]
    return LAYER_OF[head]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if module and module.startswith("dualworker_cli.check."):
            found.add(module)
    return found


def test_every_check_module_belongs_to_a_layer() -> None:
    for path in CHECK.rglob("*.py"):
        if path.name == "__init__.py" and path.parent == CHECK:
            continue
        rel = path.relative_to(CHECK).with_suffix("").as_posix().replace("/", ".")
        assert _layer(rel) in LAYERS, rel


def test_layers_import_downwards_only() -> None:
    wrong = []
    for path in CHECK.rglob("*.py"):
        if path.name == "__init__.py" and path.parent == CHECK:
            continue
        rel = path.relative_to(CHECK).with_suffix("").as_posix().replace("/", ".")
        own = LAYERS.index(_layer(rel))
        for module in _imports(path):
            if LAYERS.index(_layer(module)) > own:
                wrong.append(f"{rel} ({_layer(rel)}) imports {module} ({_layer(module)})")
    assert wrong == []
