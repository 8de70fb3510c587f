"""Dates and times to ISO 8601 at the precision they were written with.

``"mart 2026"`` is a month, not the first of March: the value keeps the precision
(``2026-03``) and says so in ``evidence["precision"]``. Times are kept as written (local
time of the report) unless an offset or ``Z`` is given, in which case they are converted
to UTC and the offset is recorded in ``evidence["utc_offset"]``.

Numeric dates are day-first (``14.03.2026``, ``14/03/2026``), as everywhere on the route;
``dayfirst=False`` reads ``03/14/2026`` the US way, and only when asked. Two-digit years
pivot on the current year: ``yy`` greater than this year's two digits + 1 is 19yy,
otherwise 20yy (in 2026: ``27`` → 2027, ``28`` → 1928, ``89`` → 1989).

Month names are recognised in English, Serbian (Latin and Cyrillic, nominative and
genitive: ``mart``/``marta``/``марта``), Croatian, Macedonian, Bulgarian, Greek
(``Μάρτιος``/``Μαρτίου``), German, French, Hungarian, Turkish and Albanian.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

MIN_YEAR, MAX_YEAR = 1900, 2100

_MONTH_WORDS: tuple[str, ...] = (
    # one line per month: every spelling, any case and accents (matched accent-free)
    "january jan januar januara јануар јануара јануари януари ιανουάριος ιανουαρίου janvier janvár "
    "siječanj siječnja jänner ocak janar",
    "february feb februar februara фебруар фебруара февруари февруари φεβρουάριος φεβρουαρίου février "
    "február veljača veljače şubat shkurt",
    "march mar mart marta март марта μάρτιος μαρτίου märz mars március ožujak ožujka",
    "april apr aprila април априла απρίλιος απριλίου avril április travanj travnja nisan prill",
    "may maj maja мај маја май μάιος μαΐου mai május svibanj svibnja mayıs",
    "june jun juna juni јун јуна јуни юни ιούνιος ιουνίου juin június lipanj lipnja haziran qershor",
    "july jul jula juli јул јула јули юли ιούλιος ιουλίου juillet július srpanj srpnja temmuz korrik",
    "august aug avgust avgusta август августа αύγουστος αυγούστου août augusztus kolovoz kolovoza "
    "ağustos gusht",
    "september sep sept septembar septembra септембар септембра септември σεπτέμβριος σεπτεμβρίου septembre "
    "szeptember rujan rujna eylül shtator",
    "october oct oktobar oktobra октобар октобра октомври οκτώβριος οκτωβρίου oktober octobre október "
    "listopad listopada ekim tetor",
    "november nov novembar novembra новембар новембра ноември νοέμβριος νοεμβρίου novembre studeni studenoga "
    "studenog kasım nëntor",
    "december dec decembar decembra децембар децембра декември δεκέμβριος δεκεμβρίου dezember décembre "
    "prosinac prosinca aralık dhjetor",
)
# Words that may stand next to a date and carry nothing: ordinals, "year", "of", "the".
_FILLER = {"th", "st", "nd", "rd", "er", "of", "the", "god", "godine", "године", "год", "г", "g", "den", "le",
           "έτους", "ετους", "ev"}  # fmt: skip


def _fold(word: str) -> str:
    """Accent-free case-folded form used to look month words up (``Μαΐου`` → ``μαιου``)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTHS: dict[str, int] = {
    _fold(word): number for number, line in enumerate(_MONTH_WORDS, start=1) for word in line.split()
}

_TIME = re.compile(
    r"^(?P<date>.+?)(?:\s*[T,]\s*|\s+)(?:(?:u|at|à|um|στις|в)\s+)?"
    r"(?P<h>\d{1,2})[:h](?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?\s*(?:h|ч|sati|uhr)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YEAR_FIRST = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_WORDS = re.compile(r"\d+|[^\W\d_]+")


def _expand_year(text: str, digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    if len(digits) != 2:
        raise InvalidValue("date", text, f"year {digits!r} must have 2 or 4 digits")
    yy, this = int(digits), datetime.date.today().year
    century = 1900 if yy > this % 100 + 1 else 2000
    return century + yy


def _named(text: str, date_part: str) -> tuple[int, int | None, int | None]:
    """(year, month, day) of a date written with a month name, in any order."""
    month: int | None = None
    numbers: list[str] = []
    for token in _WORDS.findall(date_part):
        if token.isdigit():
            numbers.append(token)
            continue
        key = _fold(token)
        if key in _FILLER:
            continue
        if key not in _MONTHS:
            raise InvalidValue("date", text, f"unrecognised word {token!r} (not a month name)")
        if month is not None:
            raise InvalidValue("date", text, "more than one month name")
        month = _MONTHS[key]
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if month is None or len(years) != 1 or len(days) > 1 or len(years) + len(days) != len(numbers):
        raise InvalidValue("date", text, "not a recognisable date: expected day, month name and 4-digit year")
    return int(years[0]), month, int(days[0]) if days else None


def _parse_date(text: str, part: str, dayfirst: bool) -> tuple[int, int | None, int | None]:
    if m := _YEAR.match(part):
        return int(m.group(1)), None, None
    if m := _YEAR_MONTH.match(part):
        return int(m.group(1)), int(m.group(2)), None
    if m := _YEAR_FIRST.match(part):
        return int(m.group(1)), int(m.group(3)), int(m.group(4))
    if m := _DAY_FIRST.match(part):
        first, second = int(m.group(1)), int(m.group(3))
        day, month = (first, second) if dayfirst else (second, first)
        return _expand_year(text, m.group(4)), month, day
    if m := _MONTH_YEAR.match(part):
        return int(m.group(2)), int(m.group(1)), None
    if any(c.isalpha() for c in part):
        return _named(text, part)
    raise InvalidValue("date", text, "not a recognisable date format")


def _check(text: str, year: int, month: int | None, day: int | None, dayfirst: bool) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue("date", text, f"year {year} outside {MIN_YEAR}-{MAX_YEAR}")
    if month is not None and not 1 <= month <= 12:
        order = "day-first" if dayfirst else "month-first"
        raise InvalidValue("date", text, f"month {month} out of range 1-12 ({order} order assumed)")
    if day is not None and month is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            name = calendar.month_name[month]
            raise InvalidValue("date", text, f"day {day} out of range for {name} {year} (1-{days})")


_ISO_FAST = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?)?)?$")
_PRECISION = ("year", "month", "day", "minute", "minute", "second")


def normalise_date(text: str, *, dayfirst: bool = True) -> Normalised:
    """A date or date-time as ISO 8601 at its written precision; evidence: ``precision``."""
    if (fast := _ISO_FAST.match(text)) is not None:
        # Plain ISO 8601 without a zone (most machine-written dates): checked, and returned as is.
        parts = [int(g) for g in fast.groups() if g is not None]
        try:
            month_, day_ = ([*parts[1:3], 1, 1])[:2]
            hms = ([*parts[3:], 0, 0, 0])[:3]
            datetime.datetime(parts[0], month_, day_, hms[0], hms[1], hms[2])
        except ValueError:
            pass  # let the full parser name what is wrong
        else:
            if 1900 <= parts[0] <= 2100:
                return Normalised(text.replace(" ", "T"), text, {"precision": _PRECISION[len(parts) - 1]})
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidValue("date", text, "date is empty")
    if len(cleaned) > 64:
        raise InvalidValue("date", text, "too long to be a date")
    # Croatian/Serbian spacing "14. 3. 2026." → "14.3.2026." (never touching a following time).
    cleaned = re.sub(r"\b(\d{1,2})\.\s+(?=\d{1,2}\.)", r"\1.", cleaned)
    cleaned = re.sub(r"(\.\d{1,2})\.\s+(?=\d{2,4}(?![\d:]))", r"\1.", cleaned)
    hour = minute = second = None
    tz = None
    date_part = cleaned
    if m := _TIME.match(cleaned):
        date_part, tz = m.group("date"), m.group("tz")
        hour, minute = int(m.group("h")), int(m.group("m"))
        second = int(m.group("s")) if m.group("s") else None
    date_part = date_part.strip().rstrip(".,").strip()
    year, month, day = _parse_date(text, date_part, dayfirst)
    _check(text, year, month, day, dayfirst)
    evidence: dict[str, str] = {}
    if hour is None or minute is None:
        value = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        evidence["precision"] = "day" if day else "month" if month else "year"
        return Normalised(value=value, original=text, evidence=evidence)
    if day is None or month is None:
        raise InvalidValue("date", text, "a time is given but the date has no day")
    if hour > 23 or minute > 59 or (second is not None and second > 59):
        raise InvalidValue("date", text, f"time {hour:02d}:{minute:02d} out of range")
    moment = datetime.datetime(year, month, day, hour, minute, second or 0)
    if tz:
        offset = _offset(tz)
        moment = moment - offset
        evidence["utc_offset"] = "+00:00" if tz.upper() == "Z" else _format_offset(offset)
    evidence["precision"] = "minute" if second is None else "second"
    value = moment.strftime("%Y-%m-%dT%H:%M" if second is None else "%Y-%m-%dT%H:%M:%S")
    return Normalised(value=value, original=text, evidence=evidence)


def _offset(tz: str) -> datetime.timedelta:
    if tz.upper() == "Z":
        return datetime.timedelta(0)
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    sign = -1 if tz[0] == "-" else 1
    return sign * datetime.timedelta(hours=hours, minutes=minutes)


def _format_offset(offset: datetime.timedelta) -> str:
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
