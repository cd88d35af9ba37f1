"""Date and time functions against sqlite3 (3.40 semantics)."""

from __future__ import annotations

import time

from hypothesis import given, settings, strategies as st

from pyrite.vdbe.functions import lookup

from functions_oracle import oracle, same


class Ctx:
    changes = total_changes = last_insert_rowid = 0


def call(name: str, *args: object) -> object:
    d = lookup(name, len(args))
    assert d is not None and d.needs_context
    return d.func(Ctx(), *args)


def want(name: str, *args: object) -> object:
    return oracle(f"SELECT {name}({', '.join('?' * len(args))})", *args)


CASES = [
    ("date", "2023-02-31"), ("datetime", "2023-02-31 10:00"),
    ("date", "2023-02-31", "+0 days"), ("date", "2020-01-05", "+1-02-03"),
    ("date", "2020-01-31", "+1 month"), ("datetime", 1e10), ("datetime", 1e10, "auto"),
    ("datetime", 1500000000, "auto"), ("datetime", 2459000.5, "julianday"),
    ("datetime", 2459000.5, "+1 day", "julianday"),
    ("strftime", "%W %j %w", "2021-01-03"), ("strftime", "%J", "2021-01-03 12:34:56.789"),
    ("strftime", "%f", "2021-01-03 12:34:59.9999"), ("time", "12:34"), ("datetime", "12:34"),
    ("julianday", "2000-01-01"), ("datetime", "2020-01-05T10:20:30.5Z"),
    ("datetime", "2020-01-05 10:20:30+05:30"), ("datetime", "2020-01-05 10:20:30 -14:00"),
    ("datetime", "2020-01-05 10:20:30 +15:00"), ("datetime", "  2020-01-05"),
    ("date", "2020-1-5"), ("datetime", "2020-01-05 10:20:30", "+1.5 hours"),
    ("datetime", "2020-01-05", "weekday 0"), ("datetime", "2020-01-05", "weekday 6"),
    ("datetime", "2020-01-05", "start of month", "-1 day"),
    ("datetime", "2020-01-05", "+10:30"), ("datetime", "2020-01-05", "-10:30:15.5"),
    ("datetime", "2020-01-05", "localtime"), ("datetime", "2020-01-05", "utc"),
    ("unixepoch", "2020-01-05 10:20:30.75"), ("julianday", "-4713-11-24 12:00:00"),
    ("date", -1), ("date", 5373484.5), ("date", "10000-01-01"),
    ("datetime", "2020-01-05 24:00"), ("date", "2020-02-30", "start of day"),
    ("datetime", 1.5e9, "unixepoch"), ("datetime", "1500000000", "unixepoch"),
    ("datetime", "2020-01-05", "unixepoch"), ("date", "2020-01-05", "+1 year", "+2 months"),
    ("date", "2020-02-29", "+1 year"), ("date", "2020-01-05", "+1.5 months"),
    ("date", "2020-01-05", "  +1 day"), ("date", "2020-01-05", "+1 days "),
    ("strftime", "%Y", "2020-01-05", None), ("date", "2020-01-05", "weekday 7"),
    ("date", "2020-01-05", "WEEKDAY 3"), ("strftime", "%s", "2020-01-05 10:20:30.9"),
    ("datetime", 0), ("datetime", -0.5), ("datetime", "-0001-01-01"),
    ("date", "0000-01-01", "-1 day"), ("datetime", 0, "+1 day", "unixepoch"),
    ("strftime", "%", "2020-01-01"), ("strftime", "abc", "2020-01-01"),
    ("strftime", "", "2020-01-01"), ("strftime", "%e", "2020-01-01"),
    ("datetime", "2020-01-05 10:20:30 Z "), ("date", "2020-12-31", "+1 month"),
    ("date", "2020-01-05", "-13 months"), ("datetime", "2020-01-05", "+100000000000000 seconds"),
    ("date", b"2020-01-05"), ("date", None), ("date", "2020-01-05", None),
    ("datetime", "2020-01-05", "start of year", "+7 days", "weekday 1"),
    ("datetime", "2020-06-15 13:14:15.678", "-3 minutes", "+90 seconds"),
    ("strftime", "%Y-%m-%d %H:%M:%S %% %w", "2024-02-29 23:59:59"),
    ("julianday", "2020-01-05 10:20:30.123"), ("unixepoch", 0), ("unixepoch", "1970-01-01"),
    ("time", "10:20:30.5+01:00"), ("date", "2020-01-05", "+1 fortnight"),
    ("date", "2020-01-05", "start of week"), ("datetime", 1e5, "unixepoch", "start of day"),
    ("date", "2020-01-05", "+12 years"), ("date", "2020-01-05", "-2020 years"),
    ("date", "2020-01-05", "+7980 years"), ("date", " now"),
    ("datetime", -1.0, "localtime"), ("datetime", -1.0, "utc"), ("datetime", 1e12, "localtime"),
    ("datetime", "1900-03-01 10:00", "localtime"), ("datetime", "2100-03-01 10:00", "utc"),
    ("datetime", "2020-03-01 10:00+02:00", "utc"), ("datetime", "2020-03-01 10:00", "utc", "utc"),
]


def test_datetime_cases() -> None:
    for case in CASES:
        got = call(*case)
        expect = want(*case)
        assert same(got, expect), (case, got, expect)


def test_now_uses_context_time() -> None:
    class Fixed(Ctx):
        current_time = 2451545 * 86400000  # 2000-01-01 12:00:00
    d = lookup("datetime", 1)
    assert d.func(Fixed(), "now") == "2000-01-01 12:00:00"
    assert lookup("current_date", 0).func(Fixed()) == "2000-01-01"
    # Without a fixed time, 'now' is the clock.
    got = call("unixepoch")
    assert abs(got - time.time()) < 5


dates = st.builds(
    lambda y, mo, d, h, mi, s, frac: f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}{frac}",
    st.integers(0, 9999), st.integers(1, 12), st.integers(1, 31), st.integers(0, 23),
    st.integers(0, 59), st.integers(0, 59), st.sampled_from(["", ".5", ".123", ".9999"]))
modifiers = st.one_of(
    st.builds(lambda n, u: f"{n:+} {u}", st.integers(-5000, 5000),
              st.sampled_from(["days", "hours", "minutes", "seconds", "months", "years",
                               "day", "month", "year"])),
    st.builds(lambda f, u: f"{f:+.3f} {u}", st.floats(-1000, 1000, allow_nan=False),
              st.sampled_from(["days", "hours", "months", "years", "seconds"])),
    st.sampled_from(["start of month", "start of year", "start of day", "weekday 0",
                     "weekday 3", "+01:30", "-12:00:30.5", "localtime", "utc"]),
)


@settings(max_examples=300, deadline=None)
@given(dates, st.lists(modifiers, max_size=3),
       st.sampled_from(["date", "time", "datetime", "julianday", "unixepoch"]))
def test_datetime_hypothesis(value: str, mods: list[str], fn: str) -> None:
    args = (value, *mods)
    assert same(call(fn, *args), want(fn, *args)), (fn, args)


@settings(max_examples=200, deadline=None)
@given(dates, st.sampled_from(["%d", "%f", "%H", "%j", "%J", "%m", "%M", "%s", "%S",
                               "%w", "%W", "%Y", "%%", "x%Yy"]))
def test_strftime_hypothesis(value: str, fmt: str) -> None:
    assert same(call("strftime", fmt, value), want("strftime", fmt, value)), (fmt, value)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.floats(-1e6, 6e6, allow_nan=False), st.integers(-10**12, 10**12)),
       st.sampled_from([[], ["unixepoch"], ["auto"], ["julianday"], ["+1 day"]]))
def test_numeric_times(v: object, mods: list[str]) -> None:
    for fn in ("datetime", "julianday"):
        assert same(call(fn, v, *mods), want(fn, v, *mods)), (fn, v, mods)
