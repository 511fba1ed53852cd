"""The layer rules of the architecture, checked by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"

# layer: (project layers it may import, third-party top-level packages it must not import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "errors": (set(), {"sqlalchemy", "flask", "dash", "plotly", "pandas"}),
    "config": ({"errors"}, {"sqlalchemy", "flask", "dash", "plotly", "pandas"}),
    "filters": ({"errors"}, {"sqlalchemy", "flask", "dash", "plotly", "pandas"}),
    "drill": ({"errors", "filters"}, {"sqlalchemy", "flask", "dash", "plotly", "pandas"}),
    "sources": ({"config", "errors", "sources", "drill"}, {"flask", "dash", "plotly"}),
    "queries": ({"sources.schema", "filters", "drill", "queries"}, {"pandas", "flask", "dash", "plotly"}),
    "datasets": ({"queries", "sources", "filters", "drill", "errors", "config", "datasets"}, {"dash", "plotly"}),
    "metrics": ({"errors", "metrics"}, {"sqlalchemy", "flask", "dash", "plotly"}),
    "figures": ({"metrics", "figures"}, {"sqlalchemy", "flask", "dash"}),
    "views": (
        {"metrics", "figures", "filters", "drill", "errors", "datasets.interface", "store.interface", "views"},
        {"dash", "sqlalchemy", "flask"},
    ),
    "components": ({"components"}, {"sqlalchemy", "pandas"}),
    "pages": ({"views", "components", "filters", "drill", "errors", "state", "store.interface", "pages"}, {"sqlalchemy"}),
    "state": ({"config", "datasets.interface", "store.interface"}, {"sqlalchemy", "dash"}),
    "store": ({"errors", "store"}, {"flask", "dash", "plotly", "pandas"}),
}
FORBIDDEN_PROJECT = {
    "datasets": {"metrics", "figures", "views", "pages"},
    "components": {"datasets", "queries", "metrics", "sources"},
    "pages": {"queries", "sources", "metrics", "datasets.repository"},
}
WIRING = {"auth", "exports", "review_export", "version", "factory", "http", "health", "__main__", "__init__", "gunicorn_conf"}


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports_of(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names if node.module == "dashboard")
    return names


def allowed(target: str, permitted: set[str]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in permitted)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) not in WIRING)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_respects_its_layer(path: Path) -> None:
    layer = layer_of(path)
    assert layer in RULES, f"{path} is in no known layer; add it to the architecture rules"
    permitted, banned_libraries = RULES[layer]
    problems = []
    for name in imports_of(path):
        if name == "dashboard":
            continue
        if name.startswith("dashboard."):
            target = name.removeprefix("dashboard.")
            if not allowed(target, permitted):
                problems.append(f"imports dashboard.{target}")
            if allowed(target, FORBIDDEN_PROJECT.get(layer, set())):
                problems.append(f"imports dashboard.{target} (explicitly forbidden)")
        elif name.split(".")[0] in banned_libraries:
            problems.append(f"imports {name}")
    assert not problems, f"{path.relative_to(PACKAGE)} ({layer}): " + "; ".join(problems)


def test_the_rules_can_fail() -> None:
    """A view importing sqlalchemy must be caught (guards against a rule table that allows all)."""
    permitted, banned = RULES["views"]
    assert "sqlalchemy" in banned and not allowed("queries.overview", permitted)


def test_pages_load_no_data_at_import() -> None:
    """Dash re-executes page modules per app build: no repository access at module level."""
    for path in (PACKAGE / "pages").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Expr | ast.Assign) and "get_state" in ast.unparse(node):
                pytest.fail(f"{path.name} reaches the repository at import time: {ast.unparse(node)[:80]}")
