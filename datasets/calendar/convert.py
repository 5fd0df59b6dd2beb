#!/usr/bin/env python3
"""Build the vendored China holiday calendar (holiday-cn JSON format).

Input : the unpacked source distribution of the PyPI package ``chinesecalendar``
        (see SOURCE.md for the exact version and the download commands).
Output: ``{year}.json`` files next to this script (or in ``--out``), one per
        State Council notice year, in the holiday-cn layout::

            {"year": 2026, "papers": ["<notice title>"],
             "days": [{"name": "春节", "date": "2026-02-15", "isOffDay": true}, ...]}

Usage::

    python3 convert.py /tmp/chinesecalendar-1.11.0            # writes the JSON files
    python3 convert.py /tmp/chinesecalendar-1.11.0 --check    # only compare, exit 1 on drift
    # optional cross-checks against independent packages (print differences):
    python3 convert.py SRC --check \
        --holidays-pkg /tmp/hol          # unpacked wheel of PyPI ``holidays``
        --chinese-days /tmp/cd/package   # unpacked npm ``chinese-days``

Conventions (same as holiday-cn):
* only exception days are listed: every day the notice gives off (weekend days
  inside a "X月X日至Y日放假" period included) with ``isOffDay: true``, and every
  weekend day the notice makes a working day (调休上班) with ``isOffDay: false``;
* a working day carries the name of the holiday it compensates;
* days are grouped by notice year, not by calendar year: late-December days of
  the next 元旦 period (e.g. 2018-12-29..31) belong to the next year's file;
* names are the festival names used in the notices (元旦, 春节, 清明节, 劳动节,
  端午节, 中秋节, 国庆节, and the combined "国庆节、中秋节" / "中秋节、国庆节"
  where the notice merges the two periods).

No network access; only the standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import importlib.util
import json
import sys
from pathlib import Path

# chinesecalendar's Holiday enum value (English name) -> holiday-cn name.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# Years whose notice merges 中秋节 and 国庆节 into one item. The name is the
# item heading exactly as the notice (and holiday-cn) writes it; the order of
# the two festivals is not derivable from the dates (2017 vs 2020/2025).
COMBINED_AUTUMN = {
    2009: "国庆节、中秋节",  # 10月1日至8日放假调休 (中秋 10-03)
    2012: "中秋节、国庆节",  # 9月30日至10月7日放假调休 (中秋 09-30)
    2017: "中秋节、国庆节",  # 10月1日至8日放假调休 (中秋 10-04)
    2020: "国庆节、中秋节",  # 10月1日至8日放假调休 (中秋 10-01)
    2023: "中秋节、国庆节",  # 9月29日至10月6日放假调休 (中秋 09-29)
    2025: "国庆节、中秋节",  # 10月1日至8日放假调休 (中秋 10-06)
}

# Corrections to chinesecalendar 1.11.0 so that the files list exactly the days
# named in the notices (the holiday-cn convention). Each one is backed by the
# notice text and at least one other source (see SOURCE.md).
ADD = [
    # 2006 notice: 1月1日至3日放假; 2005年12月31日（星期六）上班.
    # chinesecalendar lacks this working day; PyPI `holidays` (substituted day
    # 2006-01-03 <- 2005-12-31) and npm `holiday-calendar` both have it.
    ("2005-12-31", "元旦", False),
    # 2011 notice: 端午节 6月4日至6日放假公休，共3天 (Sunday 6-05 missing upstream).
    ("2011-06-05", "端午节", True),
    # 2012 notice: 端午节 6月22日至24日放假公休，共3天 (holiday-cn lists 6-23).
    ("2012-06-23", "端午节", True),
    # 2015 notice (纪念日调休放假): 9月3日至5日调休放假，共3天 (holiday-cn lists 9-05).
    ("2015-09-05", "抗日战争暨世界反法西斯战争胜利70周年纪念日", True),
]
REMOVE = [
    # Weekend days that chinesecalendar marks as holidays although the notice
    # does not name them ("X日放假，与周末连休" / "X日放假，Y日补休"); holiday-cn
    # does not list them either.
    "2014-04-06",  # 2014 清明节：4月5日放假，4月7日（星期一）补休
    "2019-04-06",  # 2019 清明节：4月5日放假，与周末连休
    "2019-04-07",
    "2019-06-08",  # 2019 端午节：6月7日放假，与周末连休
    "2019-06-09",
    "2019-09-14",  # 2019 中秋节：9月13日放假，与周末连休
    "2019-09-15",
    "2023-12-30",  # 2024 元旦：1月1日放假，与周末连休 (npm chinese-days agrees)
    "2023-12-31",
]

ANNUAL_TITLE = "国务院办公厅关于{year}年部分节假日安排的通知"
EXTRA_PAPERS = {
    2015: ["国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知"],
    2019: ["国务院办公厅关于调整2019年劳动节假期安排的通知"],
    2020: ["国务院办公厅关于延长2020年春节假期的通知"],
}


def find_constants(src: Path) -> Path:
    """Accept the sdist root, the chinese_calendar package dir or constants.py."""
    for cand in (src, src / "constants.py", src / "chinese_calendar" / "constants.py"):
        if cand.is_file() and cand.name == "constants.py":
            return cand
    raise SystemExit(f"chinese_calendar/constants.py not found under {src}")


def load_constants(path: Path):
    spec = importlib.util.spec_from_file_location("cc_constants", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # only imports datetime and enum
    return mod


def notice_year(day: dt.date, name: str) -> int:
    # The 元旦 period of year N may start in late December of N-1; it is
    # announced (and listed by holiday-cn) in the notice for year N.
    if name == "元旦" and day.month == 12:
        return day.year + 1
    return day.year


def build(src: Path) -> dict[int, dict]:
    c = load_constants(find_constants(src))
    names = {}
    for member in c.Holiday:
        if member.value not in NAMES:
            raise SystemExit(f"unknown holiday in source: {member.value!r}")
        names[member.value] = NAMES[member.value]

    days: dict[str, tuple[str, bool]] = {}
    for table, off in ((c.holidays, True), (c.workdays, False)):
        for day, value in table.items():
            key = day.isoformat()
            if key in days:
                raise SystemExit(f"{key} is both a holiday and a workday upstream")
            days[key] = (names[value], off)

    for key in REMOVE:
        if key not in days:
            raise SystemExit(f"correction stale: {key} no longer in source")
        del days[key]
    for key, name, off in ADD:
        if days.get(key) == (name, off):
            print(f"note: correction for {key} now present upstream", file=sys.stderr)
        elif key in days:
            raise SystemExit(f"correction conflicts with source at {key}: {days[key]}")
        days[key] = (name, off)

    years: dict[int, dict] = {}
    for key in sorted(days):
        name, off = days[key]
        d = dt.date.fromisoformat(key)
        y = notice_year(d, name)
        if y in COMBINED_AUTUMN and name in ("国庆节", "中秋节"):
            name = COMBINED_AUTUMN[y]
        if not off and d.weekday() < 5:
            raise SystemExit(f"{key}: working day on a weekday? {name}")
        entry = years.setdefault(
            y,
            {"year": y, "papers": [ANNUAL_TITLE.format(year=y)] + EXTRA_PAPERS.get(y, []), "days": []},
        )
        entry["days"].append({"name": name, "date": key, "isOffDay": off})

    # Sanity: a 中秋节 period touching the 国庆节 period must be a declared merge.
    for y, entry in years.items():
        mid = [dt.date.fromisoformat(x["date"]) for x in entry["days"] if x["name"] == "中秋节" and x["isOffDay"]]
        nat = [dt.date.fromisoformat(x["date"]) for x in entry["days"] if x["name"] == "国庆节" and x["isOffDay"]]
        if mid and nat and min(nat) - max(mid) <= dt.timedelta(days=1):
            raise SystemExit(f"{y}: 中秋节 adjoins 国庆节 but the year is not in COMBINED_AUTUMN")
    return years


def dump(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, indent=4) + "\n"


def crosscheck_holidays_pkg(path: Path, years: dict[int, dict]) -> None:
    """Compare working days with PyPI `holidays` (vacanza) China substituted days."""
    sys.path.insert(0, str(path))
    from holidays.countries.china import ChinaStaticHolidays as S  # noqa: E402

    theirs = set()
    for y, items in S.special_public_holidays.items():
        if items and isinstance(items[0], int):
            items = (items,)
        for t in items:
            if len(t) >= 4:
                theirs.add(dt.date(t[4] if len(t) == 5 else y, t[2], t[3]).isoformat())
    lo = min(years)
    theirs = {d for d in theirs if notice_year(dt.date.fromisoformat(d), "元旦" if d[5:7] == "12" else "") >= lo}
    ours = {x["date"] for e in years.values() for x in e["days"] if not x["isOffDay"]}
    print(f"[holidays pkg] working days: ours={len(ours)} theirs={len(theirs)}")
    for d in sorted(ours - theirs):
        print(f"  only here: {d}")
    for d in sorted(theirs - ours):
        print(f"  only in holidays pkg: {d}")


def crosscheck_chinese_days(path: Path, years: dict[int, dict]) -> None:
    """Compare all days with npm `chinese-days` dist/years/*.json."""
    theirs = {}
    for f in sorted(glob.glob(str(path / "dist" / "years" / "[0-9]*.json"))):
        j = json.load(open(f, encoding="utf-8"))
        for d in j.get("holidays", {}):
            theirs[d] = True
        for d in j.get("workdays", {}):
            theirs[d] = False
    ours = {x["date"]: x["isOffDay"] for e in years.values() for x in e["days"]}
    print(f"[chinese-days] days: ours={len(ours)} theirs={len(theirs)}")
    for d in sorted(set(ours) | set(theirs)):
        if ours.get(d) != theirs.get(d):
            print(f"  {d}: here={ours.get(d)} chinese-days={theirs.get(d)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="unpacked chinesecalendar sdist (or its constants.py)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    ap.add_argument("--check", action="store_true", help="do not write; fail if files differ")
    ap.add_argument("--holidays-pkg", type=Path, help="unpacked PyPI holidays wheel (cross-check)")
    ap.add_argument("--chinese-days", type=Path, help="unpacked npm chinese-days package (cross-check)")
    args = ap.parse_args()

    years = build(args.source)
    drift = 0
    for y, entry in sorted(years.items()):
        target = args.out / f"{y}.json"
        text = dump(entry)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                print(f"differs: {target}")
                drift += 1
        else:
            target.write_text(text, encoding="utf-8")
    if not args.check:
        stale = sorted(set(int(p.stem) for p in args.out.glob("[0-9][0-9][0-9][0-9].json")) - set(years))
        for y in stale:
            print(f"warning: {y}.json is not produced from the source", file=sys.stderr)
    print(f"years {min(years)}-{max(years)}: {len(years)} files, "
          f"{sum(len(e['days']) for e in years.values())} days"
          + (" (checked)" if args.check else f" -> {args.out}"))

    if args.holidays_pkg:
        crosscheck_holidays_pkg(args.holidays_pkg, years)
    if args.chinese_days:
        crosscheck_chinese_days(args.chinese_days, years)
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main())
