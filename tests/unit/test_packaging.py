"""`make install` is quiet: the build backend warns about nothing when it builds Peerline.

pip shows every warning setuptools raises while building a local directory as a
``BuildBackendWarning``; the project's own configuration decides whether there are any.
The editable wheel is built offline, in a subprocess, from a copy of the project.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = """
import json, sys, warnings
from setuptools import build_meta
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    wheel = build_meta.build_editable(sys.argv[1])
print(json.dumps({"wheel": wheel, "warnings": [
    f"{w.category.__name__}: {str(w.message).strip()[:300]}" for w in seen
]}))
"""


def project_copy(tmp_path: Path) -> Path:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    for pattern in config["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return copy


def test_the_editable_build_raises_no_warning(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    out = tmp_path / "wheels"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["warnings"] == []
    with zipfile.ZipFile(out / result["wheel"]) as wheel:
        metadata = wheel.read("peerline-0.1.0.dist-info/METADATA").decode()
        pth = wheel.read("__editable__.peerline-0.1.0.pth").decode()
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    assert Path(pth.strip()).resolve() == project.resolve()  # the checkout, as it is
