"""The reader's main job: JupyterLab serving the chapters. Starts a real server on a free localhost
port (no browser), asks its REST API what is in notebooks/, and shuts it down."""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_jupyterlab_serves_every_chapter(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={NOTEBOOKS}",
         "--ServerApp.port_retries=0", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"),
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                listing = get(f"{base}/api/contents", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
                time.sleep(0.5)
        served = {item["name"] for item in listing["content"]}
        chapters = {path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
        assert chapters and chapters <= served
        assert get(f"{base}/lab/api/settings", token)  # the JupyterLab application itself, not just the server
    finally:
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                                      headers={"Authorization": f"token {token}"}), timeout=5)
        server.wait(timeout=30)
