//! The relevance set (datasets/search/relevance.tsv): everyday queries, each with the service a
//! person means, searched over the demo catalog with the platform's starting synonyms. Every
//! query must find its service first; the output is the hit rate docs/benchmarks.md quotes:
//! `cargo nextest run -p tongban-search --test relevance --no-capture`.

use std::path::Path;
use tongban_domain::catalog::{Offering, Synonyms};
use tongban_search::{CatalogIndex, SearchQuery};

fn dataset(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The queries, each with the services that are right first.
fn relevance_set() -> Vec<(String, Vec<String>)> {
    dataset("search/relevance.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (q, expected) = l.split_once('\t').unwrap_or_else(|| panic!("a query and its service: {l}"));
            (q.trim().to_owned(), expected.split('|').map(|s| s.trim().to_owned()).collect())
        })
        .collect()
}

fn demo_index(synonyms: Synonyms) -> CatalogIndex {
    let offerings: Vec<Offering> = dataset("catalog/demo.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a demo offering"))
        .collect();
    let names: std::collections::HashSet<&str> = offerings.iter().map(|o| o.name.as_str()).collect();
    for (q, expected) in relevance_set() {
        for e in expected {
            assert!(names.contains(e.as_str()), "{q}: no service named {e} in the demo catalog");
        }
    }
    let idx = CatalogIndex::in_memory().unwrap();
    idx.apply(&offerings, 1).unwrap();
    idx.set_synonyms(synonyms, 1);
    idx
}

/// The first three names found for each query, and whether the first is right.
fn run(idx: &CatalogIndex) -> Vec<(String, bool, Vec<String>)> {
    relevance_set()
        .into_iter()
        .map(|(q, expected)| {
            let found = idx.search(&SearchQuery { q: q.clone(), page: 1, per_page: 3, ..SearchQuery::default() });
            let top: Vec<String> = found.unwrap().items.into_iter().map(|h| h.name).collect();
            let hit = top.first().is_some_and(|n| expected.contains(n));
            (q, hit, top)
        })
        .collect()
}

#[test]
fn every_everyday_query_finds_its_service_first() {
    let set = relevance_set();
    assert!(set.len() >= 40, "the set holds at least 40 queries: {}", set.len());
    let synonyms = Synonyms::parse(&dataset("search/synonyms.txt")).expect("the starting synonyms parse");
    let with = run(&demo_index(synonyms));
    let without = run(&demo_index(Synonyms::default()));
    let rate = |r: &[(String, bool, Vec<String>)]| r.iter().filter(|x| x.1).count();
    println!(
        "relevance set: {} of {} first ({:.1} %); without the synonyms {} ({:.1} %)",
        rate(&with),
        with.len(),
        100.0 * rate(&with) as f64 / with.len() as f64,
        rate(&without),
        100.0 * rate(&without) as f64 / with.len() as f64
    );
    let misses: Vec<String> =
        with.iter().filter(|r| !r.1).map(|(q, _, top)| format!("  {q}: found {}", top.join(" · "))).collect();
    assert!(misses.is_empty(), "queries whose service is not first:\n{}", misses.join("\n"));
}
