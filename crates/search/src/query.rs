//! Queries over the catalog index: keywords (jieba-segmented, all words required, exact name
//! first, fuzzy for Latin words), filters, facets with counts, pagination.

use crate::facets::{FacetCounter, Facets};
use crate::{CatalogIndex, SearchError, enum_str};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{TantivyDocument, Term};
use tongban_domain::catalog::{Audience, CaseKind, ExerciseLevel, Offering, OnlineDepth};

/// One result row: what a results list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub offering_code: String,
    pub item_code: String,
    pub name: String,
    pub agency: String,
    pub agency_code: String,
    pub division_code: String,
    pub level: ExerciseLevel,
    pub audience: Vec<Audience>,
    pub online_depth: OnlineDepth,
    pub case_kind: CaseKind,
    pub visits: u32,
    pub statutory_limit: u32,
    pub committed_limit: u32,
}

impl SearchHit {
    pub fn of(o: &Offering) -> Self {
        Self {
            offering_code: o.offering_code.clone(),
            item_code: o.item.code.clone(),
            name: o.name.clone(),
            agency: o.agency.name.clone(),
            agency_code: o.agency.credit_code.clone(),
            division_code: o.division_code.clone(),
            level: o.level,
            audience: o.audience.clone(),
            online_depth: o.online_depth,
            case_kind: o.case_kind,
            visits: o.visits,
            statutory_limit: o.statutory_limit,
            committed_limit: o.committed_limit,
        }
    }
}

/// A validated search. `divisions` is the visitor's division and its ancestors: offerings there,
/// and national ones, are usable by the visitor; with `under`, so are the offerings of every
/// division under it (a province or a city chosen shows its districts' services too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: String,
    pub divisions: Option<Vec<String>>,
    pub under: Option<String>,
    pub audience: Option<Audience>,
    pub agency: Option<String>,
    pub theme: Option<String>,
    pub depth: Option<OnlineDepth>,
    pub case_kind: Option<CaseKind>,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub total: usize,
    pub items: Vec<SearchHit>,
    /// Facet group (audience, theme, depth, case_kind, agency, level) → value → count.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub facets: Facets,
    /// No service had every word: these have some of them.
    pub partial: bool,
    pub took_ms: f64,
}

/// Clauses of a boolean query.
type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// A search as tantivy runs it: what matches (counted, faceted) and how the matches rank (the
/// page). Kept apart so that each pass runs the cheapest query that gives its answer.
struct Plan {
    matches: Box<dyn Query>,
    ranks: Box<dyn Query>,
}

impl CatalogIndex {
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let start = Instant::now();
        let searcher = self.reader.searcher();
        let mut plan = self.plan(q, false);
        let (mut total, mut facets) = searcher.search(&plan.matches, &(Count, FacetCounter))?;
        // No service has every word: those with some of them, best first, said to be partial
        // (老人去世 finds the services of a death though none says 老人).
        let partial = total == 0 && self.tokens(&q.q).len() > 1;
        if partial {
            plan = self.plan(q, true);
            (total, facets) = searcher.search(&plan.matches, &(Count, FacetCounter))?;
        }
        let per_page = q.per_page.max(1);
        let offset = q.page.saturating_sub(1).saturating_mul(per_page);
        let top = TopDocs::with_limit(per_page).and_offset(offset).order_by_score();
        let docs = searcher.search(&plan.ranks, &top)?;
        let mut items = Vec::with_capacity(docs.len());
        for (_, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let hit = doc.get_first(self.fields.hit).and_then(|v| v.as_str()).unwrap_or_default();
            match serde_json::from_str(hit) {
                Ok(h) => items.push(h),
                Err(e) => tracing::error!(error = %e, "unreadable search hit"),
            }
        }
        Ok(SearchResults { total, items, facets, partial, took_ms: start.elapsed().as_secs_f64() * 1000.0 })
    }

    /// Every query word must occur in the `all` field (name, aliases, agency, guide text), Latin
    /// words of 4+ letters with one typo allowed — in the query as typed, or in one of its
    /// readings with the synonyms (生孩子 as 生育); every filter must hold. Among the matches, words
    /// in the name weigh most, then the aliases, then the agency, and the guide text (materials,
    /// conditions, FAQ) far below them: a service that names 身份证 ranks above one whose materials
    /// ask for it. A service scores by its best reading, never by the sum of them; the exact name
    /// or alias ranks first of all. `partial`: any one of the words is enough to match.
    fn plan(&self, q: &SearchQuery, partial: bool) -> Plan {
        let f = &self.fields;
        let freqs = IndexRecordOption::WithFreqs;
        let term = |field: Field, value: &str, record: IndexRecordOption| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), record))
        };
        let boosted = |query: Box<dyn Query>, boost: f32| -> (Occur, Box<dyn Query>) {
            (Occur::Should, Box::new(BoostQuery::new(query, boost)))
        };
        // Query syntax characters are searched as text, never an error.
        let text: String =
            q.q.trim().chars().map(|c| if "+-:^\"'()[]{}!\\~*<>=".contains(c) { ' ' } else { c }).collect();
        let words = self.tokens(&text);
        let mut readings = vec![words.clone()];
        if let Ok(synonyms) = self.synonyms.read()
            && !words.is_empty()
        {
            for r in synonyms.1.readings(&text).iter().map(|r| self.tokens(r)) {
                if !r.is_empty() && !readings.contains(&r) {
                    readings.push(r);
                }
            }
        }

        // Per reading: every word in `all` (scored low: the guide text), and the weights.
        let reading = |words: &[String]| -> (Clauses, Clauses) {
            let mut all_words = Vec::new();
            let mut weights = Vec::new();
            for word in words {
                let in_all: Box<dyn Query> = Box::new(BoostQuery::new(term(f.all, word, freqs), 0.1));
                all_words.push((
                    Occur::Must,
                    if word.len() >= 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.all, word), 1, true);
                        Box::new(BooleanQuery::new(vec![(Occur::Should, in_all), boosted(Box::new(fuzzy), 0.05)]))
                    } else {
                        in_all
                    },
                ));
                weights.push(boosted(term(f.name, word, freqs), 6.0));
                weights.push(boosted(term(f.aliases, word, freqs), 3.0));
                weights.push(boosted(term(f.agency_name, word, freqs), 1.5));
            }
            if partial {
                // Some word of the reading: one required clause of optional ones.
                let some: Box<dyn Query> =
                    Box::new(BooleanQuery::new(all_words.into_iter().map(|(_, q)| (Occur::Should, q)).collect()));
                return (vec![(Occur::Must, some)], weights);
            }
            (all_words, weights)
        };

        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(divisions) = &q.divisions {
            let basic = IndexRecordOption::Basic;
            let mut usable: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, term(f.level, &enum_str(&ExerciseLevel::National), basic))];
            usable.extend(divisions.iter().map(|d| (Occur::Should, term(f.division, d, basic))));
            if let Some(under) = &q.under {
                usable.push((Occur::Should, term(f.within, under, basic)));
            }
            filters.push((Occur::Must, Box::new(BooleanQuery::new(usable))));
        }
        let facet_filters = [
            (f.audience, q.audience.as_ref().map(enum_str)),
            (f.agency, q.agency.clone()),
            (f.theme, q.theme.clone()),
            (f.depth, q.depth.as_ref().map(enum_str)),
            (f.case_kind, q.case_kind.as_ref().map(enum_str)),
        ];
        for (field, value) in facet_filters {
            if let Some(v) = value {
                filters.push((Occur::Must, term(field, &v, IndexRecordOption::Basic)));
            }
        }
        let and = |clauses: Vec<(Occur, Box<dyn Query>)>| -> Box<dyn Query> { Box::new(BooleanQuery::new(clauses)) };
        let copy = |clauses: &[(Occur, Box<dyn Query>)]| -> Vec<(Occur, Box<dyn Query>)> {
            clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect()
        };

        if words.is_empty() {
            if !q.q.trim().is_empty() {
                // Only punctuation or query syntax: no word to find, so nothing is found.
                return Plan { matches: Box::new(EmptyQuery), ranks: Box::new(EmptyQuery) };
            }
            if filters.is_empty() {
                return Plan { matches: Box::new(AllQuery), ranks: Box::new(AllQuery) };
            }
            // Filters only: every match scores alike; a scoring clause keeps the order stable.
            let mut ranks = copy(&filters);
            ranks.push((Occur::Should, Box::new(AllQuery)));
            return Plan { matches: and(filters), ranks: and(ranks) };
        }
        let exact = boosted(term(f.name_exact, &q.q.trim().to_lowercase(), freqs), 50.0);

        if readings.len() == 1 {
            let (mut required, weights) = reading(&words);
            if words.len() == 1 && filters.is_empty() {
                // One word, no filter, no other reading: the nationwide case with the most matches.
                // Every name, alias, agency or exact match is also an `all` match, so the union of
                // the clauses matches the same offerings — and a union of terms is what tantivy
                // ranks with block-max WAND, skipping the blocks that cannot reach the page.
                let matches = and(copy(&required));
                required[0].0 = Occur::Should;
                required.extend(weights);
                required.push(exact);
                return Plan { matches, ranks: and(required) };
            }
            required.extend(filters);
            let matches = and(copy(&required));
            required.extend(weights);
            required.push(exact);
            return Plan { matches, ranks: and(required) };
        }

        // Several readings: a match of any; each service scores by its best reading.
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut best: Vec<Box<dyn Query>> = Vec::new();
        for r in &readings {
            let (required, weights) = reading(r);
            any.push((Occur::Should, and(copy(&required))));
            let mut scored = required;
            scored.extend(weights);
            best.push(and(scored));
        }
        let mut matches = copy(&filters);
        matches.push((Occur::Must, and(any)));
        let mut ranks = filters;
        ranks.push((Occur::Must, Box::new(DisjunctionMaxQuery::new(best))));
        ranks.push(exact);
        Plan { matches: and(matches), ranks: and(ranks) }
    }

    /// The words of a text as a query reads them: segmented by jieba, fillers (我要, 办理…) dropped
    /// unless nothing else is left. Other searches of the platform (the data resource catalog)
    /// split their queries the same way.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(crate::JIEBA_QUERY) else { return vec![] };
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<String> = Vec::new();
        while let Some(t) = stream.next() {
            if !t.text.trim().is_empty() && !words.contains(&t.text) {
                words.push(t.text.clone());
            }
        }
        let meant: Vec<String> = words.iter().filter(|w| !FILLER.contains(&String::as_str(w))).cloned().collect();
        if meant.is_empty() { words } else { meant }
    }

    /// The words of `text` (`tokens`), then those of each reading the search synonyms give it
    /// (身份证 → 居民身份证): another search of the platform matches a text having all the
    /// words of any one of them.
    pub fn readings(&self, text: &str) -> Vec<Vec<String>> {
        let mut out = vec![self.tokens(text)];
        let synonyms = self.synonyms.read().map(|s| s.1.clone());
        if let Ok(synonyms) = synonyms {
            for reading in synonyms.readings(text) {
                let words = self.tokens(&reading);
                if !out.contains(&words) {
                    out.push(words);
                }
            }
        }
        out
    }
}

/// Words around what a query asks for: 我要结婚 asks for 结婚.
const FILLER: &[&str] = &[
    "我",
    "我要",
    "要",
    "想",
    "我想",
    "想要",
    "怎么",
    "怎么办",
    "如何",
    "怎样",
    "在哪",
    "在哪里",
    "哪里",
    "去",
    "了",
    "的",
    "吗",
    "呢",
    "请问",
    "需要",
    "可以",
    "办理",
    "咨询",
];
