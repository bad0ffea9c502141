"""The wheel ships content/, and a bot installed from it finds its knowledge."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from bot import __version__

ROOT = Path(__file__).resolve().parent.parent
TEST_IMPORT = re.compile(r"^\s*(?:from|import) (?:tests|bot\.offline)\b", re.MULTILINE)
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]


def test_wheel_ships_content_and_the_installed_bot_loads_it(tmp_path: Path) -> None:
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob(f"cramp_coach-{__version__}-*.whl")  # the one version source
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        code = {name: archive.read(name).decode() for name in names if name.endswith(".py")}
        archive.extractall(tmp_path / "site")
    assert "bot/content/nutrients/magnesium.toml" in names
    assert "bot/content/causes.toml" in names
    # Nothing test-only ships: the stand-in Bot API is the tests' (tests/telegram_api), and
    # the console is a front end of its own, needing neither it nor anything of the tests'.
    assert not any(name.startswith(("tests/", "bot/offline/")) for name in names)
    assert "bot/console/__init__.py" in names
    assert [name for name, text in code.items() if TEST_IMPORT.search(text)] == []
    probe = (
        "import bot.loader as c; k = c.load_knowledge(); "
        "print(c.default_content_dir()); print(len(k.nutrients))"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    content_dir, count = done.stdout.split()
    assert Path(content_dir) == tmp_path / "site" / "bot" / "content"
    assert int(count) == 7
