//! Queries over the catalog index: keywords (jieba-segmented, all words required, exact name
//! first, fuzzy for Latin words), filters, facets with counts, pagination.

use crate::facets::FacetCounter;
use crate::{CatalogIndex, SearchError, enum_str};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, QueryParser, TermQuery};
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
/// and national ones, are usable by the visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: String,
    pub divisions: Option<Vec<String>>,
    pub audience: Option<Audience>,
    pub agency: Option<String>,
    pub theme: Option<String>,
    pub depth: Option<OnlineDepth>,
    pub case_kind: Option<CaseKind>,
    pub page: usize,
    pub per_page: usize,
}

/// Facet name → value → count, under the current query and filters.
pub type Facets = BTreeMap<String, BTreeMap<String, u64>>;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub total: usize,
    pub items: Vec<SearchHit>,
    /// Facet group (audience, theme, depth, case_kind, agency, level) → value → count.
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub facets: Facets,
    pub took_ms: f64,
}

impl CatalogIndex {
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let start = Instant::now();
        let query = self.build(q)?;
        let searcher = self.reader.searcher();
        let per_page = q.per_page.max(1);
        let offset = q.page.saturating_sub(1).saturating_mul(per_page);
        let top = TopDocs::with_limit(per_page).and_offset(offset).order_by_score();
        // Two passes over the matches: the page needs scores, the count and the facets do not —
        // without scoring, tantivy drops the weighting clauses and collects in blocks.
        let docs = searcher.search(&query, &top)?;
        let (total, facets) = searcher.search(&query, &(Count, FacetCounter))?;
        let mut items = Vec::with_capacity(docs.len());
        for (_, addr) in docs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let hit = doc.get_first(self.fields.hit).and_then(|v| v.as_str()).unwrap_or_default();
            match serde_json::from_str(hit) {
                Ok(h) => items.push(h),
                Err(e) => tracing::error!(error = %e, "unreadable search hit"),
            }
        }
        Ok(SearchResults { total, items, facets, took_ms: start.elapsed().as_secs_f64() * 1000.0 })
    }

    fn build(&self, q: &SearchQuery) -> Result<Box<dyn Query>, SearchError> {
        let f = &self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let words = q.q.trim();
        if !words.is_empty() {
            must.push((Occur::Must, self.keywords(words)));
        }
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        if let Some(divisions) = &q.divisions {
            let mut usable: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, term(f.level, &enum_str(&ExerciseLevel::National)))];
            usable.extend(divisions.iter().map(|d| (Occur::Should, term(f.division, d))));
            must.push((Occur::Must, Box::new(BooleanQuery::new(usable))));
        }
        let filters = [
            (f.audience, q.audience.as_ref().map(enum_str)),
            (f.agency, q.agency.clone()),
            (f.theme, q.theme.clone()),
            (f.depth, q.depth.as_ref().map(enum_str)),
            (f.case_kind, q.case_kind.as_ref().map(enum_str)),
        ];
        for (field, value) in filters {
            if let Some(v) = value {
                must.push((Occur::Must, term(field, &v)));
            }
        }
        if must.is_empty() {
            return Ok(Box::new(AllQuery));
        }
        if words.is_empty() {
            // Filters only: every match scores alike; keep a scoring clause so order is stable.
            must.push((Occur::Should, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(must)))
    }

    /// Every word must match somewhere (name, aliases, agency, guide text: the `all` field);
    /// Latin words of 4+ letters also match with one typo. Among the matches, words in the name,
    /// the aliases and the agency weigh more, and the exact name most.
    fn keywords(&self, words: &str) -> Box<dyn Query> {
        let f = &self.fields;
        // Query syntax characters are searched as text, never an error.
        let escaped: String =
            words.chars().map(|c| if "+-:^\"'()[]{}!\\~*<>=".contains(c) { ' ' } else { c }).collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in self.tokens(&escaped) {
            let term = Term::from_field_text(f.all, &word);
            let exact: Box<dyn Query> = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            let required: Box<dyn Query> = if word.len() >= 4 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                let fuzzy = Box::new(BoostQuery::new(Box::new(FuzzyTermQuery::new(term, 1, true)), 0.5));
                Box::new(BooleanQuery::new(vec![(Occur::Should, exact), (Occur::Should, fuzzy)]))
            } else {
                exact
            };
            clauses.push((Occur::Must, required));
        }
        let mut parser = QueryParser::for_index(&self.index, vec![f.name, f.aliases, f.agency_name]);
        parser.set_field_boost(f.name, 6.0);
        parser.set_field_boost(f.aliases, 3.0);
        parser.set_field_boost(f.agency_name, 1.5);
        let (weighted, _) = parser.parse_query_lenient(&escaped);
        let exact_name =
            TermQuery::new(Term::from_field_text(f.name_exact, &words.to_lowercase()), IndexRecordOption::Basic);
        clauses.push((Occur::Should, weighted));
        clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(exact_name), 50.0))));
        Box::new(BooleanQuery::new(clauses))
    }

    /// The distinct words of `text` as the index's analyzer cuts them.
    fn tokens(&self, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(crate::JIEBA) else { return vec![] };
        let mut stream = analyzer.token_stream(text);
        let mut words: Vec<String> = Vec::new();
        while let Some(t) = stream.next() {
            if !t.text.trim().is_empty() && !words.contains(&t.text) {
                words.push(t.text.clone());
            }
        }
        words
    }
}
