"""What an .xlsx cell's number stands for: its number format (a date, a time, a duration, a
plain number) and the text a CSV would hold for it, as openpyxl reads it
(:mod:`okrplan.xlsx_rows` reads the sheet)."""

from __future__ import annotations

import datetime as dt
import re

# The built-in number formats openpyxl knows that show a date, a time or a duration (the
# others, 0–49, are numbers and text); ids it does not know (the East Asian date formats
# 27–36 and 50–81) it reads as plain numbers, and so does this reader, to read alike.
BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
BUILTIN_DURATIONS = frozenset({46})
BUILTIN_CODES = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
"""Built-in codes a workbook may also spell out as custom formats (a custom format with a
built-in's code is that built-in, as openpyxl reads it)."""

# A format shows a date or time when, outside quoted text and [bracketed] colours or locales
# (but [h], [m], [s] count), its first section has d, m, h, y or s not escaped by \ or _.
_QUOTED_OR_BRACKETED = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(
    r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE
)
WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date or a time.

    >>> is_date_format("yyyy-mm-dd"), is_date_format('0.00"m"'), is_date_format("[Red]0")
    (True, False, False)
    """
    first = _QUOTED_OR_BRACKETED.sub("", code.split(";")[0])
    return _DATE_LETTER.search(first) is not None


def is_duration_format(code: str) -> bool:
    """Whether a number format shows elapsed time (``[h]:mm``).

    >>> is_duration_format("[h]:mm:ss"), is_duration_format("h:mm")
    (True, False)
    """
    return _DURATION.search(code.split(";")[0]) is not None


def serial_text(value: float, epoch: dt.datetime, duration: bool) -> str:
    """The date, time or duration a date-formatted number stands for, as text.

    Day 1 is 1900-01-01 in the 1900 system; Excel counts a 29 February 1900 that never was,
    so serials before 60 are a day later than counting from 1899-12-30 gives. A fraction is
    the time of day, to the millisecond.

    >>> W = WINDOWS_EPOCH
    >>> serial_text(46082, W, False), serial_text(1, W, False), serial_text(61, W, False)
    ('2026-03-01', '1900-01-01', '1900-03-01')
    >>> serial_text(0.5, W, False), serial_text(46082.75, W, False), serial_text(1.5, W, True)
    ('12:00:00', '2026-03-01T18:00:00', '1 day, 12:00:00')
    """
    if duration:
        span = dt.timedelta(days=value)
        if span.microseconds:
            span = dt.timedelta(
                seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3)
            )
        return str(span)
    day, fraction = divmod(value, 1)
    time = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and time.days == 0:
        minutes, seconds = divmod(time.seconds, 60)
        return dt.time(minutes // 60, minutes % 60, seconds, time.microseconds).isoformat()
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    moment = epoch + dt.timedelta(days=day) + time
    return moment.isoformat().removesuffix("T00:00:00")


def number_text(text: str) -> tuple[str, float | int]:
    """A ``<v>`` number as a CSV would hold it, and its value.

    >>> number_text("7200"), number_text("7200.0"), number_text("0.1"), number_text("1E3")
    (('7200', 7200), ('7200', 7200.0), ('0.1', 0.1), ('1000', 1000.0))
    """
    if "." in text or "E" in text or "e" in text:
        real = float(text)
        if real.is_integer():
            return str(int(real)), real
        return str(real), real
    number = int(text)
    return str(number), number


def iso_text(text: str) -> str:
    """An ISO 8601 date cell (``t="d"``) as text: ``2026-03-01`` (midnight dropped)."""
    text = text.strip().removesuffix("Z")
    for kind in (dt.date, dt.datetime, dt.time):
        try:
            value = kind.fromisoformat(text)
        except ValueError:
            continue
        return value.isoformat().removesuffix("T00:00:00")
    return text
