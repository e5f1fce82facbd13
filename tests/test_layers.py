"""The import rules of DESIGN §3 that `lint-imports` cannot state on its own.

The layer contract in pyproject.toml names chatapp's modules one by one (chatapp
holds both the edges and the features, and chatapp.conf sits below accounts and
endpoints); a module it does not name would escape the rule, so each must be named.
No module may reach itself through its imports: a cycle would tie the layers
together again.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("chatapp", "accounts", "endpoints")


def graph() -> grimp.ImportGraph:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def layered_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return {name.strip() for layer in contract["layers"] for name in layer.split(":")}


def test_every_chatapp_module_has_a_layer():
    found = graph()
    named = layered_modules()
    # A package split between layers (chatapp.search: its views are an edge) names its children.
    split = {name.rpartition(".")[0] for name in named if name.count(".") > 1}
    children = found.find_children("chatapp") - split
    children |= {child for package in split for child in found.find_children(package)}
    assert sorted(children - named) == []


def test_no_module_imports_itself_through_others():
    found = graph()
    cycles = {
        module: sorted(found.find_upstream_modules(module) & found.find_downstream_modules(module))
        for module in sorted(found.modules)
    }
    assert {module: others for module, others in cycles.items() if others} == {}
