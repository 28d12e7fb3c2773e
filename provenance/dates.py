"""Event and document dates as EDTF (ISO 8601-2), compared as intervals.

The ``edtf`` library parses the notation ("1950-11", "1950-10~", "1949/1950", "195X");
this module adds what it leaves out: a real calendar check (it accepts 1951-02-29) and
the conversion of any EDTF value to the closed interval of days it may denote.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import io
import re
from functools import lru_cache

from edtf import parse_edtf

__all__ = ["check_edtf", "edtf_interval", "intervals_overlap", "shift_interval", "FIRST_DAY", "LAST_DAY"]

FIRST_DAY, LAST_DAY = dt.date.min.isoformat(), dt.date.max.isoformat()  # the calendar this tracker compares on
# [0-9], not \d: \d matches any script's digits ("１９５０", "١٩٥٠"), which int() reads but
# which would be stored as non-ASCII bounds that compare wrongly with every other date.
_YMD = re.compile(r"(?<![0-9])(-?[0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")
# Plain dates (most of them) are checked and converted without the EDTF grammar, which
# costs about 10 ms a parse.
_PLAIN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([~?%]?)")


def check_edtf(value: str) -> str:
    """Return ``value`` if it is a valid EDTF date on the real calendar, else raise ValueError."""
    plain = _PLAIN.fullmatch(value) if isinstance(value, str) else None
    if plain and _plain_interval(plain):
        return value
    return _check_edtf(value)


@lru_cache(maxsize=65536)
def _check_edtf(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("an EDTF date is required, e.g. 1950-11-01, 1950-11 or 1950-10~")
    if value != value.strip():
        raise ValueError(f"{value!r} has spaces around it")
    if any(c.isdigit() and not c.isascii() for c in value):
        raise ValueError(f"{value!r} has digits other than 0-9; write EDTF dates with ASCII digits, e.g. 1950-11-01")
    for year, month, day in _YMD.findall(value):
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{value!r} is not a date on the calendar ({year}-{month}-{day} does not exist)") from None
    try:
        # The library prints to stdout before re-raising some of its own errors; and any
        # exception it raises (an AttributeError for "1984-1X") means it could not read the date.
        with contextlib.redirect_stdout(io.StringIO()):
            parsed = parse_edtf(value)
    except Exception:
        raise ValueError(
            f"{value!r} is not an EDTF date; write e.g. 1950-11-01, 1950-11, 1950-10~ (about), "
            "1950? (uncertain) or 1949/1950 (interval), and keep the source's wording in the "
            "'as_written' field"
        ) from None
    try:
        edtf_interval(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is outside the years this tracker can compare (1 to 9999)") from None
    if "/" in value:
        # EDTF requires an interval's start not to be after its end; a reversed one would be
        # stored with its earliest day after its latest, and overlap nothing.
        start, end = _day(parsed.lower_strict(), dt.date.min), _day(parsed.upper_strict(), dt.date.max)
        if start > end:
            first, _, last = value.partition("/")
            raise ValueError(f"{value!r} starts after it ends; write the earlier date first ({last}/{first})")
    return value


@lru_cache(maxsize=65536)
def edtf_interval(value: str) -> tuple[str, str]:
    """The earliest and latest day an EDTF value may denote, as ISO dates.

    >>> edtf_interval("1950-11")
    ('1950-11-01', '1950-11-30')
    """
    plain = _PLAIN.fullmatch(value)
    if plain:
        interval = _plain_interval(plain)
        if interval and plain.group(4):  # about / uncertain: widened as below
            pad = _PADDING[_precision(value)]
            lower = max(dt.date.min + pad, dt.date.fromisoformat(interval[0])) - pad
            upper = min(dt.date.max - pad, dt.date.fromisoformat(interval[1])) + pad
            return lower.isoformat(), upper.isoformat()
        if interval:
            return interval
    parsed = parse_edtf(value)
    lower = _day(parsed.lower_strict(), dt.date.min)
    upper = _day(parsed.upper_strict(), dt.date.max)
    if any(mark in value for mark in "~?%"):
        # "About October 1950" may be a few days either side of October; widen by one unit
        # of the value's precision. (The library's own fuzzy bounds widen a month by a
        # whole year, which would hide real disagreements.)
        pad = _PADDING[_precision(value)]
        lower = max(dt.date.min + pad, lower) - pad
        upper = min(dt.date.max - pad, upper) + pad
    return lower.isoformat(), upper.isoformat()


def _plain_interval(match: re.Match) -> tuple[str, str] | None:
    """The interval of a plain YYYY, YYYY-MM or YYYY-MM-DD, or None if it is not on the calendar."""
    year, month, day, _qualifier = match.groups()
    y = int(year)
    if y == 0:
        return None
    if month is None:
        return f"{year}-01-01", f"{year}-12-31"
    m = int(month)
    if not 1 <= m <= 12:
        return None
    last = calendar.monthrange(y, m)[1]
    if day is None:
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    if not 1 <= int(day) <= last:
        return None
    return (f"{year}-{month}-{day}",) * 2


_PADDING = {"day": dt.timedelta(days=1), "month": dt.timedelta(days=31), "year": dt.timedelta(days=366)}


def _precision(value: str) -> str:
    first = re.match(r"-?[0-9]{4}(-[0-9]{2})?(-[0-9]{2})?", value.lstrip("./"))
    if first and first.group(2):
        return "day"
    if first and first.group(1):
        return "month"
    return "year"


def _day(t, open_end: dt.date) -> dt.date:
    if isinstance(t, float):  # an open or unknown end ("../1950", "1950/..")
        return open_end
    return dt.date(t.tm_year, t.tm_mon, t.tm_mday)


def intervals_overlap(a: str, b: str) -> bool:
    """True when two EDTF values could denote the same day."""
    a_lo, a_hi = edtf_interval(a)
    b_lo, b_hi = edtf_interval(b)
    return a_lo <= b_hi and b_lo <= a_hi


def shift_interval(interval: tuple[str, str], days: int) -> tuple[str, str]:
    """Both ends of an interval of ISO dates moved by ``days`` (negative: earlier).

    Raises OverflowError when either end would leave the years 1 to 9999 (``days`` too
    large for a timedelta is the same error). An open end ("1950/..", whose latest day is
    9999-12-31) is not kept open: it cannot be counted from.

    >>> shift_interval(("1950-10-01", "1950-10-31"), 12)
    ('1950-10-13', '1950-11-12')
    """
    delta = dt.timedelta(days=days)
    lower, upper = (dt.date.fromisoformat(end) + delta for end in interval)
    return lower.isoformat(), upper.isoformat()
