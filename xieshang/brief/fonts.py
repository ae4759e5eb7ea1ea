"""The system CJK font the brief's charts and PDF are set in: found through fontconfig
(`fc-list :lang=zh`), else by the usual file names under the system font folders. Nothing
is fetched: a county server on an intranet has only the fonts its packages installed, so
a missing font is a one-line error naming the package to install."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)
# file name -> family, for a machine without fc-list (Debian's fonts-noto-cjk,
# fonts-wqy-zenhei and fonts-wqy-microhei, Adobe's Source Han Sans)
KNOWN_FILES: tuple[tuple[str, str], ...] = (
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC"),
    ("SourceHanSansSC-Regular.otf", "Source Han Sans SC"),
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("wqy-microhei.ttc", "WenQuanYi Micro Hei"),
    ("wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)
MISSING = (
    "没有找到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试 "
    "no CJK font found: install fonts-noto-cjk (apt-get install fonts-noto-cjk) and try again"
)


class NoCjkFont(RuntimeError):
    """No system font covers Chinese; the message names the package to install."""


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path


def _rank(family: str, style: str) -> tuple:
    # simplified-Chinese sans faces first, regular weight, never a monospaced one
    simplified = bool(re.search(r"\bSC\b|Hans|WenQuanYi|Micro Hei", family))
    return ("Mono" in family, not simplified, "Regular" not in style, "Serif" in family, family)


def _from_fontconfig() -> CjkFont | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run(
            [fc_list, ":lang=zh", "family", "style", "file"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = []
    for line in listing.splitlines():
        path, _, rest = line.partition(": ")
        family, _, style = rest.partition(":style=")
        if not path or not family:
            continue
        for name in family.split(","):  # "文泉驿微米黑,WenQuanYi Micro Hei"
            found.append((_rank(name, style), name, path))
    if not found:
        return None
    _, family, path = min(found)
    return CjkFont(family, Path(path))


def _from_files() -> CjkFont | None:
    for name, family in KNOWN_FILES:
        for folder in FONT_DIRS:
            if folder.is_dir():
                for path in folder.rglob(name):
                    return CjkFont(family, path)
    return None


@functools.cache
def cjk_font() -> CjkFont:
    """The CJK font to set the brief in; NoCjkFont when the system has none."""
    font = _from_fontconfig() or _from_files()
    if font is None:
        raise NoCjkFont(MISSING)
    return font
