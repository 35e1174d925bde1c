"""The floors: every app imports only the apps below it, the room imports none, no cycles.

Read from the source, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = sorted(
    config.name
    for config in apps.get_app_configs()
    if Path(config.path).resolve().parent == ROOT and (Path(config.path) / "apps.py").exists()
)


def _imports(app: str) -> list[tuple[str, str, str]]:
    """(file, imported app, imported name or '') for every import of another project app."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top in PROJECT_APPS and top != app:
                        found.append((str(path.relative_to(ROOT)), top, ""))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top = node.module.split(".")[0]
                if top in PROJECT_APPS and top != app:
                    for alias in node.names:
                        found.append((str(path.relative_to(ROOT)), top, alias.name))
    return found


def test_the_project_apps_are_found() -> None:
    assert {"workshops", "ideas", "voting", "moderation", "summaries"} <= set(PROJECT_APPS)


def test_the_room_imports_no_app_above_it() -> None:
    assert _imports("workshops") == []


def test_no_app_reaches_for_another_apps_private_names() -> None:
    private = [
        (where, f"{app}.{name}")
        for each in PROJECT_APPS
        for where, app, name in _imports(each)
        if name.startswith("_")
    ]
    assert private == []


def test_apps_import_each_other_without_cycles() -> None:
    below = {app: {imported for _, imported, _ in _imports(app)} for app in PROJECT_APPS}

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            step == goal or (step not in seen and reaches(step, goal, seen | {step}))
            for step in below[start]
        )

    cycles = sorted(app for app in PROJECT_APPS if reaches(app, app))
    assert cycles == []
