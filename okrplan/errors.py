"""One error root for okrplan, and the located problems an input error carries.

Every exception a user's mistake can cause is an :class:`OkrplanError`; the CLI catches that
root in one place and exits with its ``exit_code``. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in an input file, with where it is and how to fix it."""

    message: str
    file: str = ""
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR
    locale: str = "en"  # the language of "error:", "warning:" and "hint:" (message's own)

    def __str__(self) -> str:
        from okrplan.wording import label

        where = self.file
        if self.line is not None:
            where = f"{where or '<input>'}:{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        colon = label(self.locale, "colon")  # "：" after Chinese words
        severity = label(self.locale, f"sev_{self.severity.value}") + colon
        head = f"{where}: {severity}" if where else severity
        if self.path:
            head += f"{self.path}{colon}"
        text = head + self.message
        if self.hint:
            text += f"\n    {label(self.locale, 'hint')}{colon}{self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line or 0, self.column or 0, self.path, self.message)


class OkrplanError(Exception):
    """The root of every error okrplan reports to a user (exit code 1 unless a subclass says)."""

    exit_code = 1


class InputError(OkrplanError):
    """A target file, plan or actuals file that cannot be used; carries every problem found."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...], summary: str = "") -> None:
        from okrplan.wording import words

        self.issues = tuple(sorted(issues, key=Issue.sort_key))
        errors = sum(1 for i in self.issues if i.severity is Severity.ERROR)
        # the issues' language, where they have one
        locales = {i.locale for i in self.issues} or {"en"}
        locale = locales.pop() if len(locales) == 1 else "en"
        self.summary = summary or words(locale, "problems_found", n=errors)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join([*(str(i) for i in self.issues), self.summary])


class OptionError(InputError):
    """A command-line option's value names nothing there is (``--unit nope``, ``-o d.xyz``):
    a usage error, exit code 2, like click's own."""

    exit_code = 2


class OutputError(OkrplanError):
    """An output location that cannot be written, or would overwrite what a user made."""


class MissingDependencyError(OkrplanError):
    """A program or optional package okrplan needs is not installed; the message says how."""


class InfeasibleError(OkrplanError):
    """The plan was solved and written, but the target cannot be met (exit code 3)."""

    exit_code = 3
