"""environment.yml (conda) and requirements.txt (pip) pin the same versions."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_conda_and_pip_pins_agree():
    pip = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pip[_norm(name)] = version.strip()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            conda[_norm(name)] = version
    assert conda == pip


def test_lock_contains_every_direct_pin():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            lock[_norm(name)] = version.strip()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            assert lock.get(_norm(name)) == version.strip(), f"{name} differs between requirements.txt and .lock"
