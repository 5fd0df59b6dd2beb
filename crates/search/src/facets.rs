//! Facet counts from columnar fast fields. Counting is by term ordinal in each segment (an array
//! increment per value of each matching document); only values that are counted are turned back
//! into text. tantivy's `FacetCollector` walks each segment's whole facet dictionary on every
//! query, which at national scale (tens of thousands of agencies) costs more than the search.

use crate::query::Facets;
use std::collections::BTreeMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The facet groups counted for every search; each is a `FAST` string field of the index.
pub(crate) const GROUPS: [&str; 6] = ["audience", "theme", "depth", "case_kind", "agency", "level"];

/// Values a segment reports per group. Groups with more values (agencies, nationally tens of
/// thousands) report their most frequent ones, so their counts are exact for values that rank
/// in every segment's top list — which the few values a page shows do in practice.
const PER_SEGMENT: usize = 200;

/// Values a group returns at most (ties at the last place included).
const SHOWN: usize = 50;

pub(crate) struct FacetCounter;

/// One group in one segment: counts by term ordinal, and the ordinals counted so far (so that a
/// narrow search does not scan the counts of every agency in the segment).
struct GroupCounts {
    group: usize,
    column: StrColumn,
    counts: Vec<u32>,
    touched: Vec<u64>,
}

/// Counts one value: `counts` by ordinal, `touched` the ordinals seen so far.
fn count(counts: &mut [u32], touched: &mut Vec<u64>, ord: u64) {
    let n = &mut counts[ord as usize];
    if *n == 0 {
        touched.push(ord);
    }
    *n += 1;
}

pub(crate) struct SegmentFacetCounter {
    groups: Vec<GroupCounts>,
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let mut groups = Vec::with_capacity(GROUPS.len());
        for (group, g) in GROUPS.iter().enumerate() {
            if let Some(column) = segment.fast_fields().str(g)? {
                let counts = vec![0; column.num_terms()];
                groups.push(GroupCounts { group, column, counts, touched: Vec::new() });
            }
        }
        Ok(SegmentFacetCounter { groups })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all: Facets = GROUPS.iter().map(|g| (g.to_string(), BTreeMap::new())).collect();
        for fruit in fruits {
            for (group, counts) in fruit {
                let into = all.entry(group).or_default();
                for (value, n) in counts {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        for counts in all.values_mut() {
            if counts.len() > SHOWN {
                let mut ranked: Vec<u64> = counts.values().copied().collect();
                ranked.sort_unstable_by(|a, b| b.cmp(a));
                let floor = ranked[SHOWN - 1];
                counts.retain(|_, n| *n >= floor);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        for GroupCounts { column, counts, touched, .. } in &mut self.groups {
            for ord in column.term_ords(doc) {
                count(counts, touched, ord);
            }
        }
    }

    /// The counting pass runs without scores, so tantivy hands over blocks of documents:
    /// single-valued columns are then read a block at a time.
    fn collect_block(&mut self, docs: &[DocId]) {
        let mut ords = vec![None; docs.len()];
        for GroupCounts { column, counts, touched, .. } in &mut self.groups {
            if column.ords().get_cardinality() == Cardinality::Multivalued {
                for &doc in docs {
                    for ord in column.term_ords(doc) {
                        count(counts, touched, ord);
                    }
                }
            } else {
                column.ords().first_vals(docs, &mut ords);
                for ord in ords.iter().flatten() {
                    count(counts, touched, *ord);
                }
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::new();
        for GroupCounts { group, column, counts, touched } in self.groups {
            let mut counted: Vec<(u32, u64)> = touched.into_iter().map(|ord| (counts[ord as usize], ord)).collect();
            if counted.len() > PER_SEGMENT {
                counted.select_nth_unstable_by(PER_SEGMENT, |a, b| b.0.cmp(&a.0));
                counted.truncate(PER_SEGMENT);
            }
            let mut values = BTreeMap::new();
            let mut text = String::new();
            for (n, ord) in counted {
                if column.ord_to_str(ord, &mut text).unwrap_or(false) {
                    values.insert(text.clone(), u64::from(n));
                }
            }
            facets.insert(GROUPS[group].to_owned(), values);
        }
        facets
    }
}
