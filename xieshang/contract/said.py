"""A message people read in both languages, kept apart so that each page shows its own.

A Said is the string the command line, the load report's `reason` and the stored file
records have always carried — both languages, Chinese first — and keeps each language
beside it (`zh`, `en`) for the dashboard, which shows the one its page is in.
"""

from __future__ import annotations


class Said(str):
    zh: str
    en: str

    def __new__(cls, zh: str, en: str) -> Said:
        said = super().__new__(cls, zh if zh == en else f"{zh} {en}")
        said.zh, said.en = zh, en
        return said

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return self.zh, self.en


def said_by(exc: BaseException) -> Said:
    """What an exception says: its Said when raised with one, else its text in both."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Said) else Said(str(exc), str(exc))


def reason_fields(reason: Said) -> dict[str, str]:
    """A report entry's reason: both languages in `reason`, then each on its own."""
    return {"reason": str(reason), "reason_zh": reason.zh, "reason_en": reason.en}
