"""docs/deploy.md's systemd units, as an admin copies them, checked by systemd's own
`systemd-analyze verify`: a setting systemd ignores (a misspelt key, a comment after a
value, which systemd takes as part of it) is a warning there, and a failure here. Only the
programs' folder differs: /opt/xieshang/bin is where the doc installs them, the test's
Python scripts folder where the test did."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers.tools import required_program

DOC = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
UNIT = re.compile(r"^    # /etc/systemd/system/(\S+)$")
INSTALLED = "/opt/xieshang/bin/"


def doc_units() -> dict[str, str]:
    """{file name: text} of every indented block that starts with a unit's path."""
    units: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        found = UNIT.match(line)
        if found:
            current = units.setdefault(found.group(1), [])
        elif current is not None and line.startswith("    "):
            current.append(line[4:])
        else:
            current = None
    return {name: "\n".join(lines) + "\n" for name, lines in units.items()}


def test_the_doc_gives_the_web_load_timer_and_alert_units():
    assert sorted(doc_units()) == [
        "xieshang-alert@.service",
        "xieshang-load.service",
        "xieshang-load.timer",
        "xieshang-web.service",
    ]


def test_systemd_takes_every_unit_without_a_warning(tmp_path):
    analyze = required_program("systemd-analyze")
    scripts = Path(sys.executable).parent
    assert (scripts / "gunicorn").exists() and (scripts / "xieshang").exists()
    for name, text in doc_units().items():
        (tmp_path / name).write_text(text.replace(INSTALLED, f"{scripts}/"), encoding="utf-8")
    # the template checked as one of its instances, as systemd runs it
    alert = tmp_path / "xieshang-alert@.service"
    alert.rename(tmp_path / "xieshang-alert@xieshang-load.service.service")
    units = sorted(str(path) for path in tmp_path.iterdir())
    done = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
