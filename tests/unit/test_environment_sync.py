"""Pins agree: requirements.txt (runtime) + the `dev` group of pyproject.toml = environment.yml = requirements.lock."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            out[_norm(name)] = version.strip()
    return out


def runtime() -> dict[str, str]:
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def dev() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _pins(project["optional-dependencies"]["dev"])


def test_dev_tools_are_not_runtime_requirements():
    assert {"pytest", "pytest-xdist", "ruff", "nbstripout", "pre-commit"} <= set(dev())
    assert not set(dev()) & set(runtime())


def test_conda_and_pip_pins_agree():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            conda[_norm(name)] = version
        elif isinstance(dep, dict):  # the pip section: packages that conda-forge does not have
            conda |= _pins(d.split("#")[0] for d in dep.get("pip", []) if "==" in d)
    assert conda == runtime() | dev()


def test_lock_contains_every_direct_pin():
    lock = _pins(line for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line)
    for name, version in (runtime() | dev()).items():
        assert lock.get(name) == version, f"{name} differs between requirements.txt/pyproject.toml and the lock"
