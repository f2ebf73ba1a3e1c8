"""Resolve the deadline in a promise ("tomorrow at 3pm", "within 2 business days") to a moment.

Rules cover the usual phrasings; dateparser is only the fallback for explicit calendar dates.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

END_OF_DAY = time(17, 0)
# "within 90000 days" is not a deadline anyone means, and would overflow date arithmetic
MAX_AMOUNT = 1000
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty-eight": 48, "seventy-two": 72,
    "couple of": 2, "a couple of": 2, "half an": 0.5, "half a": 0.5,
}  # fmt: skip
PARTS_OF_DAY = {
    "morning": time(12, 0), "midday": time(12, 0), "noon": time(12, 0), "lunchtime": time(13, 0),
    "afternoon": time(17, 0), "evening": time(20, 0), "tonight": time(20, 0),
}  # fmt: skip
MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, NUMBERS), key=len, reverse=True)) + r")"
_RANGE = _NUM + r"(?:\s*(?:-|–|to|or)\s*" + _NUM + r")?"
_UNTIL = r"(?:within|in|inside of|in the next|within the next|over the next|no later than)"
HOURS_RE = re.compile(
    rf"\b{_UNTIL}\s+(?:the\s+next\s+)?{_RANGE}\s*(hours?|hrs?|h|minutes?|mins?)\b"
    r"|\bwithin\s+(?:the\s+next|the|an|one)\s+(hour)\b"
)
DAYS_RE = re.compile(
    rf"\b(?:{_UNTIL}\s+)?(?:the\s+next\s+)?{_RANGE}\s*"
    r"(business|working|calendar)?\s*(days?|weeks?)\b"
)
CLOCK_RE = re.compile(
    r"\b(\d{1,2})(?::|\.)?(\d{2})?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\b([01]?\d|2[0-3]):([0-5]\d)\b"
    r"|\b(?:at|by|before|around|until)\s+(\d{1,2})(?:[:.](\d{2}))?(?:\s*o'?clock)?"
    r"(?![\d/:\w]|[.:]\d|\s*[ap]\.?m)"
)
WEEKDAY_RE = re.compile(r"\b(next\s+|this\s+|coming\s+)?(" + "|".join(WEEKDAYS) + r")\b")
DATE_RE = re.compile(
    rf"\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b(?:,?\s+\d{{4}})?"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|(?<=\bon )\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b"
    r"|(?<=\bby )\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b"
    r"|(?<=\bthe )\d{1,2}(?:st|nd|rd|th)\b"
)
EOD_RE = re.compile(
    r"\b(?:end of (?:the |today'?s |business )?day|eod|cob|close of business|today|later today"
    r"|this afternoon|end of business)\b"
)
TOMORROW_RE = re.compile(r"\b(?:day after tomorrow|tomorrow|tmrw|tmr)\b")
PART_RE = re.compile(
    r"(?<!good )\b(?:this\s+|tomorrow\s+|in the\s+)?(" + "|".join(PARTS_OF_DAY) + r")\b"
)
FIRST_THING_RE = re.compile(r"\bfirst thing\b")
WEEK_RE = re.compile(
    r"\b(end of (?:the |this )?week|end of next week|later this week|this week"
    r"|(?:early |beginning of |start of )?next week)\b"
)
MONTH_END_RE = re.compile(r"\bend of (?:the |this )?month\b|\bmonth[- ]end\b")


def resolve(segment: str, now: datetime) -> datetime | None:
    """Return the due moment a promise segment names, in now's time zone, or None."""
    text = segment.lower().replace("’", "'")
    moment = _duration(text, now)
    if moment is not None:
        return moment
    day = _day(text, now)
    clock = _clock(text)
    if day is None and clock is None:
        return None
    if day is None:
        day = now.date() if _still_ahead(clock, now) else _next(now.date())
    if WEEKDAY_RE.search(text) and day == now.date() and not _still_ahead(clock, now):
        day += timedelta(days=7)
    if clock is None:
        clock = _default_clock(text, day, now)
    return _at(day, clock, now.tzinfo)


def _still_ahead(clock: time | None, now: datetime) -> bool:
    return clock is not None and clock > now.timetz().replace(tzinfo=None)


def _number(word: str) -> float:
    return float(NUMBERS[word]) if word in NUMBERS else float(word)


def _amount(match: re.Match, first: int) -> float:
    high = match.group(first + 1)
    return _number(high if high else match.group(first))


def _duration(text: str, now: datetime) -> datetime | None:
    match = HOURS_RE.search(text)
    if match is None:
        return None
    if match.group(4):
        return _later(now, 60)
    amount = _amount(match, 1)
    if amount > MAX_AMOUNT:
        return None
    return _later(now, amount if match.group(3).startswith("m") else amount * 60)


def _later(now: datetime, minutes: float) -> datetime:
    # aware arithmetic in one zone is wall-clock arithmetic; real elapsed time needs UTC
    return (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(now.tzinfo)


def _day(text: str, now: datetime) -> date | None:
    today = now.date()
    for finder in (_relative_days, _weekday, _week, _calendar_date):
        day = finder(text, today, now)
        if day is not None:
            return day
    if TOMORROW_RE.search(text):
        return today + timedelta(days=2 if "day after" in text else 1)
    if EOD_RE.search(text) or re.search(r"\b(?:this (?:morning|evening)|tonight)\b", text):
        return today
    return None


def _relative_days(text: str, today: date, now: datetime) -> date | None:
    match = DAYS_RE.search(text)
    if match is None or not _looks_like_deadline(text, match):
        return None
    amount = int(round(_amount(match, 1)))
    if amount > MAX_AMOUNT:
        return None
    if match.group(4).startswith("week"):
        return today + timedelta(weeks=amount)
    if match.group(3) in ("business", "working"):
        return _add_business_days(today, amount)
    return today + timedelta(days=amount)


def _looks_like_deadline(text: str, match: re.Match) -> bool:
    before = text[: match.start()].rstrip()
    if match.group(0).split()[0] in ("within", "in", "inside", "no"):
        return True
    return bool(match.group(3)) or before.endswith(("next", "within", "in"))


def _add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _weekday(text: str, today: date, now: datetime) -> date | None:
    match = WEEKDAY_RE.search(text)
    if match is None:
        return None
    target = WEEKDAYS.index(match.group(2))
    if (match.group(1) or "").strip() == "next":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=target)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _week(text: str, today: date, now: datetime) -> date | None:
    if MONTH_END_RE.search(text):
        first_next = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return first_next - timedelta(days=1)
    match = WEEK_RE.search(text)
    if match is None:
        return None
    monday = today - timedelta(days=today.weekday())
    phrase = match.group(1)
    if "next week" in phrase and "end of" not in phrase:
        return monday + timedelta(days=7)
    friday = monday + timedelta(days=4)
    late = now.timetz().replace(tzinfo=None) >= END_OF_DAY
    if "next" in phrase or today > friday or (today == friday and late):
        friday += timedelta(days=7)
    return friday


def _calendar_date(text: str, today: date, now: datetime) -> date | None:
    match = DATE_RE.search(text)
    if match is None:
        return None
    import dateparser  # slow to import; only explicit dates need it

    order = "MDY" if str(now.tzinfo).startswith("America/") else "DMY"
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "DATE_ORDER": order,
        "PREFER_DAY_OF_MONTH": "first",
    }
    try:
        parsed = dateparser.parse(match.group(0), languages=["en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    return parsed.date() if parsed else None


def _clock(text: str) -> time | None:
    match = CLOCK_RE.search(text)
    if match is None:
        return _part_of_day(text)
    if match.group(1):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour > 12 or minute > 59:
            return None
        if match.group(3).startswith("p") and hour != 12:
            hour += 12
        elif match.group(3).startswith("a") and hour == 12:
            hour = 0
        return time(hour, minute)
    if match.group(4):
        return time(int(match.group(4)), int(match.group(5)))
    hour, minute = int(match.group(6)), int(match.group(7) or 0)
    if hour > 23 or minute > 59:
        return None
    if hour < 8:
        hour += 12  # "at 3" in a service reply means business hours, not 3 at night
    return time(hour, minute)


def _part_of_day(text: str) -> time | None:
    if FIRST_THING_RE.search(text):
        return time(10, 0)
    match = PART_RE.search(text)
    return PARTS_OF_DAY[match.group(1)] if match else None


def _default_clock(text: str, day: date, now: datetime) -> time:
    late = now.timetz().replace(tzinfo=None) >= END_OF_DAY
    if day == now.date() and late:
        return time(23, 59)  # "by end of day" said after five means before midnight
    return END_OF_DAY


def _next(day: date) -> date:
    return day + timedelta(days=1)


def _at(day: date, clock: time, zone) -> datetime:
    local = datetime.combine(day, clock, tzinfo=zone)
    # a wall time inside a DST gap does not exist; a round trip through UTC moves it forward
    return local.astimezone(UTC).astimezone(zone)
