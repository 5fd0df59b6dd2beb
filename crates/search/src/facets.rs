//! Facet counts from columnar fast fields, by term ordinal in each segment (an array increment per
//! matching document); only the values counted are turned back into text. tantivy's
//! `FacetCollector` walks each segment's whole facet dictionary on every query, which at national
//! scale costs more than the search.
//!
//! Nationwide, a common word matches millions of offerings, so the counting pass reads as few
//! columns as it can: the five small groups (audience, theme, depth, case kind, level) are packed
//! into one single-valued column — an offering's combination of values, of which a catalog has a
//! few thousand — and agencies are the other. Both are read a block of documents at a time, and a
//! combination is unpacked into its groups once per segment, not once per document.

use std::collections::BTreeMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Facet name → value → count, under the current query and filters.
pub type Facets = BTreeMap<String, BTreeMap<String, u64>>;

/// The facet groups counted for every search, in the order `pack` writes them; then agency.
pub(crate) const PACKED: [&str; 5] = ["audience", "theme", "depth", "case_kind", "level"];
pub(crate) const AGENCY: &str = "agency";

/// The fast field holding an offering's packed combination.
pub(crate) const PACKED_FIELD: &str = "facet_values";

/// Separators that no catalog value contains (control characters).
const GROUP_SEP: char = '\u{1e}';
const VALUE_SEP: char = '\u{1f}';

/// Packs the values of the five small groups, in `PACKED` order.
pub(crate) fn pack(groups: [Vec<String>; 5]) -> String {
    let groups: Vec<String> = groups
        .into_iter()
        .map(|mut values| {
            values.sort();
            values.dedup();
            values.retain(|v| !v.contains([GROUP_SEP, VALUE_SEP]));
            values.join(&VALUE_SEP.to_string())
        })
        .collect();
    groups.join(&GROUP_SEP.to_string())
}

/// The (group, value) pairs of a packed combination.
fn unpack(packed: &str) -> impl Iterator<Item = (usize, &str)> {
    packed
        .split(GROUP_SEP)
        .enumerate()
        .flat_map(|(group, values)| values.split(VALUE_SEP).filter(|v| !v.is_empty()).map(move |v| (group, v)))
}

/// Agencies a segment reports. Nationally there are tens of thousands: each segment reports its
/// most frequent ones, so counts are exact for agencies that rank in every segment's top list —
/// which the few a page shows do in practice (and a bulk-loaded index is one segment).
const PER_SEGMENT: usize = 200;

/// Values a group returns at most (ties at the last place included).
const SHOWN: usize = 50;

pub(crate) struct FacetCounter;

/// One column in one segment: counts by term ordinal, and the ordinals counted so far (so that a
/// narrow search does not scan the counts of every agency in the segment).
struct Counts {
    column: StrColumn,
    counts: Vec<u32>,
    touched: Vec<u64>,
}

impl Counts {
    fn new(column: StrColumn) -> Self {
        Self { counts: vec![0; column.num_terms()], column, touched: Vec::new() }
    }

    fn add(&mut self, ord: u64) {
        let n = &mut self.counts[ord as usize];
        if *n == 0 {
            self.touched.push(ord);
        }
        *n += 1;
    }

    fn collect(&mut self, doc: DocId) {
        if let Some(ord) = self.column.ords().first(doc) {
            self.add(ord);
        }
    }

    fn collect_block(&mut self, docs: &[DocId], ords: &mut Vec<Option<u64>>) {
        ords.resize(docs.len(), None);
        self.column.ords().first_vals(docs, ords);
        for ord in ords.iter().flatten() {
            self.add(*ord);
        }
    }

    /// Calls `f` with each counted value and its count, in ordinal order.
    fn each(&self, ords: &[u64], mut f: impl FnMut(&str, u32)) {
        let mut i = 0;
        let _ = self.column.dictionary().sorted_ords_to_term_cb(ords, |bytes| {
            if let Ok(text) = std::str::from_utf8(bytes) {
                f(text, self.counts[ords[i] as usize]);
            }
            i += 1;
        });
    }
}

pub(crate) struct SegmentFacetCounter {
    packed: Option<Counts>,
    agency: Option<Counts>,
    ords: Vec<Option<u64>>,
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let fast = segment.fast_fields();
        Ok(SegmentFacetCounter {
            packed: fast.str(PACKED_FIELD)?.map(Counts::new),
            agency: fast.str(AGENCY)?.map(Counts::new),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut all: Facets = PACKED.iter().chain([&AGENCY]).map(|g| (g.to_string(), BTreeMap::new())).collect();
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
        for counts in [&mut self.packed, &mut self.agency].into_iter().flatten() {
            counts.collect(doc);
        }
    }

    /// The counting pass runs without scores, so tantivy hands over blocks of documents.
    fn collect_block(&mut self, docs: &[DocId]) {
        for counts in [&mut self.packed, &mut self.agency].into_iter().flatten() {
            counts.collect_block(docs, &mut self.ords);
        }
    }

    fn harvest(self) -> Facets {
        let mut facets: Facets = Facets::new();
        if let Some(packed) = &self.packed {
            let mut groups: [BTreeMap<String, u64>; 5] = Default::default();
            let mut ords = packed.touched.clone();
            ords.sort_unstable();
            packed.each(&ords, |combination, n| {
                for (group, value) in unpack(combination) {
                    if let Some(counts) = groups.get_mut(group) {
                        *counts.entry(value.to_owned()).or_default() += u64::from(n);
                    }
                }
            });
            facets.extend(PACKED.iter().map(|g| g.to_string()).zip(groups));
        }
        if let Some(agency) = &self.agency {
            let mut ranked: Vec<(u32, u64)> = agency.touched.iter().map(|&o| (agency.counts[o as usize], o)).collect();
            if ranked.len() > PER_SEGMENT {
                ranked.select_nth_unstable_by(PER_SEGMENT, |a, b| b.0.cmp(&a.0));
                ranked.truncate(PER_SEGMENT);
            }
            let mut ords: Vec<u64> = ranked.into_iter().map(|(_, o)| o).collect();
            ords.sort_unstable();
            let mut values = BTreeMap::new();
            agency.each(&ords, |value, n| {
                values.insert(value.to_owned(), u64::from(n));
            });
            facets.insert(AGENCY.to_owned(), values);
        }
        facets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_combination_unpacks_into_its_groups() {
        let packed = pack([
            vec!["person".into(), "organization".into(), "person".into()],
            vec!["出生".into()],
            vec!["full".into()],
            vec![],
            vec!["county".into()],
        ]);
        let pairs: Vec<(usize, &str)> = unpack(&packed).collect();
        assert_eq!(pairs, [(0, "organization"), (0, "person"), (1, "出生"), (2, "full"), (4, "county")]);
    }
}
