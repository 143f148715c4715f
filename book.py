#!/usr/bin/env python3
"""The armlib book's commands. Needs only Python 3.11 or newer; everything else goes into .venv.

    python3 book.py lab                  set up .venv, then open JupyterLab on notebooks/
    python3 book.py test [PYTEST ARGS]   set up .venv, then run every test (unit tests and notebooks)
    python3 book.py execute [CHAPTER..]  re-execute notebooks from their .py sources, refresh outputs
    python3 book.py site                 build the book as a static web site (offline) in _site/html/

Setting up is idempotent: it installs requirements.txt and armlib (editable) once, and again only
when requirements.txt or pyproject.toml change.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "armlib-installed.sha256"
INPUTS = [ROOT / "requirements.txt", ROOT / "pyproject.toml"]
TEST_WORKERS = 2  # notebooks run two at a time, one thread each: the 2-core budget machine


def fingerprint() -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in INPUTS)).hexdigest()


def set_up() -> None:
    """Create .venv and install the pinned course environment, unless it is already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"armlib needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    if STAMP.exists() and STAMP.read_text() == fingerprint():
        return
    print("installing the course environment (requirements.txt, armlib)", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.txt")], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(fingerprint())


def run(*command: str, env: dict | None = None) -> int:
    return subprocess.call([str(PYTHON), "-m", *command], cwd=ROOT, env={**os.environ, **(env or {})})


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("lab", "test", "execute", "site"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    set_up()
    if command == "lab":
        as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers
        return run("jupyterlab", f"--ServerApp.root_dir={ROOT / 'notebooks'}", *as_root, *rest)
    if command == "test":
        parallel = ["-n", str(TEST_WORKERS), "--dist", "loadfile"] if TEST_WORKERS > 1 else []
        threads = {"ARMLIB_NUM_THREADS": "1"} if parallel else {}
        with tempfile.TemporaryDirectory(prefix="armlib-results-") as scratch:  # keep results/ as committed
            return run("pytest", *parallel, *rest, env={**threads, "ARMLIB_RESULTS_DIR": scratch})
    if command == "site":  # from the committed notebooks, never executed
        return run("website.build", *rest)
    return run("tools.execute_notebooks", *rest, env={"ARMLIB_NUM_THREADS": "1"})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
