"""The three descriptions of the course environment agree: requirements.txt (pins, what the two
commands install), environment.yml (the same pins for conda users) and pyproject.toml (the library's
ranges, which must admit every pin)."""
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line).groups()
            found[name.lower()] = version
    return found


def requirements() -> dict[str, str]:
    return pins((ROOT / "requirements.txt").read_text().splitlines())


def conda_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_requirements_pin_every_package_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        assert not line or "==" in line, f"requirements.txt must pin exact versions: {line!r}"


def test_torch_is_pinned_to_the_cpu_build_release():
    assert requirements()["torch"] == "2.13.0"


def test_conda_environment_installs_the_same_pins():
    environment = conda_environment()
    assert "conda-forge" in environment["channels"]
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert pins(pip_section) == requirements()
    assert "-e ." in pip_section


def test_conda_environment_uses_python_3_11():
    assert "python=3.11" in conda_environment()["dependencies"]


def test_library_ranges_admit_every_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = requirements()
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        requirement = Requirement(spec)
        name = requirement.name.lower()
        assert name in pinned, f"{name} is a dependency of armlib, but requirements.txt does not pin it"
        assert requirement.specifier.contains(pinned[name]), f"{spec} does not admit {name}=={pinned[name]}"
