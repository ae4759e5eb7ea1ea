"""The optional narrowing of "meetings in scope" (metrics.md): form, topic category,
online. Held as vocabulary codes; parsed from codes or Chinese labels."""

from __future__ import annotations

from dataclasses import dataclass

from xieshang.contract.columns import VOCABULARIES, label, lookup_table

_YES = {"yes", "y", "true", "1", "是", "线上", "on"}
_NO = {"no", "n", "false", "0", "否", "线下", "off"}


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of "meetings in scope" (metrics.md): codes, not labels."""

    form: str | None = None
    category: str | None = None  # topic category
    online: bool | None = None

    @classmethod
    def parse(cls, form=None, category=None, online=None) -> Filters:
        """From user input: a vocabulary code or any Chinese label; online as yes/no.

        Raises ValueError naming the bad value and the accepted ones.
        """
        return cls(
            form=_vocab_value("form", form, "form"),
            category=_vocab_value("topic_category", category, "category"),
            online=_bool_value(online),
        )

    @property
    def active(self) -> bool:
        return self.form is not None or self.category is not None or self.online is not None

    def where(self, table) -> list:
        """Predicates on a table with form, topic_category and online columns."""
        out = []
        if self.form is not None:
            out.append(table.c.form == self.form)
        if self.category is not None:
            out.append(table.c.topic_category == self.category)
        if self.online is not None:
            out.append(table.c.online.is_(self.online))
        return out


NO_FILTERS = Filters()


def _vocab_value(vocab: str, value, what: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = lookup_table(vocab).get(str(value).strip().lower())
    if code is None:
        accepted = ", ".join(f"{c} ({label(vocab, c)})" for c in VOCABULARIES[vocab])
        raise ValueError(f"unknown {what} {value!r}; use one of: {accepted}")
    return code


def _bool_value(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"online must be yes or no, not {value!r}")
