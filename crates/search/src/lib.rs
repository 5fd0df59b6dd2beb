//! The catalog index (统一搜索): published offerings in tantivy, Chinese segmented by jieba.
//!
//! The index is a cache of the database: it remembers in its commit payload the highest catalog
//! revision it holds, so a process catches up after a crash or after another process published
//! (`CatalogIndex::indexed_revision` + `Store::published_after`), and it can always be rebuilt.

mod facets;
mod query;

pub use facets::Facets;
pub use query::{SearchHit, SearchQuery, SearchResults};

use std::path::Path;
use std::sync::Mutex;
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tongban_domain::catalog::{Audience, Offering, Synonyms};

/// The name under which the jieba analyzer is registered; every open registers it. Documents are
/// cut in search mode: each word, and the dictionary words of two and three characters inside it.
const JIEBA: &str = "jieba";
/// Queries are cut in precise mode: each word once. Every such word is also in the index (search
/// mode emits the word itself), so requiring these words finds what requiring every overlapping
/// piece would, with fewer posting lists to intersect.
const JIEBA_QUERY: &str = "jieba_query";
/// Memory the writer may use before it flushes a segment.
const WRITER_BUDGET: usize = 128 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("search index is poisoned by an earlier panic")]
    Poisoned,
}

/// The fields of the index.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub code: Field,
    /// The whole name and each whole alias, lower-cased, untokenized: an exact match ranks first.
    pub name_exact: Field,
    pub name: Field,
    pub aliases: Field,
    pub agency_name: Field,
    /// Name, aliases, agency and guide text together: every query word must be here. One posting
    /// list per word keeps the conjunction cheap at national scale.
    pub all: Field,
    pub division: Field,
    /// The division and every division it lies in (by its code): a province or city chosen finds
    /// the services of the divisions under it.
    pub within: Field,
    pub level: Field,
    pub audience: Field,
    pub agency: Field,
    pub theme: Field,
    pub depth: Field,
    pub case_kind: Field,
    /// Audience, themes, depth, case kind and level packed into one value, counted as facets.
    pub facet_values: Field,
    /// The hit as JSON, returned as is.
    pub hit: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |record: IndexRecordOption| {
        TextOptions::default()
            .set_indexing_options(TextFieldIndexing::default().set_tokenizer(JIEBA).set_index_option(record))
    };
    // Frequencies without positions: queries are terms, never phrases.
    let freqs = IndexRecordOption::WithFreqs;
    let fields = Fields {
        code: b.add_text_field("offering_code", STRING),
        // Raw, with frequencies: a term clause ranks in block-max WAND only if it reads them.
        name_exact: b.add_text_field(
            "name_or_alias_exact",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        name: b.add_text_field("name", text(freqs)),
        aliases: b.add_text_field("aliases", text(freqs)),
        agency_name: b.add_text_field("agency_name", text(freqs)),
        all: b.add_text_field("all", text(freqs)),
        division: b.add_text_field("division", STRING),
        within: b.add_text_field("within", STRING),
        level: b.add_text_field("level", STRING),
        audience: b.add_text_field("audience", STRING),
        agency: b.add_text_field("agency", STRING | FAST),
        theme: b.add_text_field("theme", STRING),
        depth: b.add_text_field("depth", STRING),
        case_kind: b.add_text_field("case_kind", STRING),
        facet_values: b.add_text_field(facets::PACKED_FIELD, TextOptions::default().set_fast("raw")),
        hit: b.add_text_field("hit", STORED),
    };
    (b.build(), fields)
}

/// The catalog index, on disk or in memory. One writer per index, shared behind a mutex.
pub struct CatalogIndex {
    index: Index,
    reader: IndexReader,
    /// `None` only while `optimize` swaps it.
    writer: Mutex<Option<IndexWriter>>,
    pub(crate) fields: Fields,
    /// What people say for the catalog's words, and the list's revision: each query is also read
    /// with them.
    pub(crate) synonyms: std::sync::RwLock<(i64, std::sync::Arc<Synonyms>)>,
}

impl CatalogIndex {
    /// Opens the index in `dir`, creating it, or recreating it empty when its schema is not
    /// this version's (the caller then rebuilds it from the database).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
        let index = match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema => index,
            Ok(_) => {
                tracing::warn!(dir = %dir.display(), "search index has another schema; recreating it");
                std::fs::remove_dir_all(dir)
                    .and_then(|()| std::fs::create_dir_all(dir))
                    .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
                Index::create_in_dir(dir, schema)?
            }
            Err(_) => Index::create_in_dir(dir, schema)?,
        };
        Self::with_index(index, fields)
    }

    /// A fresh index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        let analyzer = |search_mode| {
            TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_search_mode(search_mode))
                .filter(LowerCaser)
                .build()
        };
        index.tokenizers().register(JIEBA, analyzer(true));
        index.tokenizers().register(JIEBA_QUERY, analyzer(false));
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer = index.writer(WRITER_BUDGET)?;
        Ok(Self { index, reader, writer: Mutex::new(Some(writer)), fields, synonyms: Default::default() })
    }

    /// The synonyms queries are read with from now on, and their revision.
    pub fn set_synonyms(&self, synonyms: Synonyms, revision: i64) {
        if let Ok(mut s) = self.synonyms.write() {
            *s = (revision, std::sync::Arc::new(synonyms));
        }
    }

    /// The revision of the synonyms in use (0: none set).
    pub fn synonyms_revision(&self) -> i64 {
        self.synonyms.read().map_or(0, |s| s.0)
    }

    /// The highest catalog revision this index holds (0 when empty).
    pub fn indexed_revision(&self) -> Result<i64, SearchError> {
        let payload = self.index.load_metas()?.payload;
        Ok(payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Adds or replaces these published offerings and records `revision` as caught up to.
    pub fn apply<'a>(
        &self,
        offerings: impl IntoIterator<Item = &'a Offering>,
        revision: i64,
    ) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let w = guard.as_mut().ok_or(SearchError::Poisoned)?;
        for o in offerings {
            w.delete_term(Term::from_field_text(self.fields.code, &o.offering_code));
            w.add_document(self.document(o))?;
        }
        self.commit(w, revision)
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let w = guard.as_mut().ok_or(SearchError::Poisoned)?;
        w.delete_all_documents()?;
        self.commit(w, 0)
    }

    /// After a bulk load (rebuild, large import): lets the background merges finish, then merges
    /// the index into one segment, which searches fastest. Incremental publishing adds small
    /// segments again, which the merge policy folds in over time.
    pub fn optimize(&self) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let old = guard.take().ok_or(SearchError::Poisoned)?;
        let merged = old.wait_merging_threads().and_then(|()| {
            let mut writer = self.index.writer(WRITER_BUDGET)?;
            let segments = self.index.searchable_segment_ids()?;
            if segments.len() > 1 {
                writer.merge(&segments).wait()?;
            }
            Ok(writer)
        });
        // Whatever happened, leave a writer behind so that publishing goes on.
        *guard = match merged {
            Ok(writer) => Some(writer),
            Err(e) => {
                *guard = self.index.writer(WRITER_BUDGET).ok();
                return Err(e.into());
            }
        };
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// How many segments the index has (benchmarks report it).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    fn commit(&self, w: &mut IndexWriter, revision: i64) -> Result<(), SearchError> {
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&revision.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// How many offerings the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, o: &Offering) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.code, &o.offering_code);
        d.add_text(f.name_exact, o.name.to_lowercase());
        d.add_text(f.name, &o.name);
        d.add_text(f.all, &o.name);
        for a in &o.aliases {
            d.add_text(f.name_exact, a.to_lowercase());
            d.add_text(f.aliases, a);
            d.add_text(f.all, a);
        }
        d.add_text(f.agency_name, &o.agency.name);
        d.add_text(f.all, &o.agency.name);
        d.add_text(f.all, body_text(o));
        d.add_text(f.division, &o.division_code);
        let mut place = tongban_domain::DivisionCode::parse(&o.division_code).ok();
        while let Some(code) = place {
            d.add_text(f.within, code.as_str());
            place = code.structural_parent();
        }
        d.add_text(f.level, enum_str(&o.level));
        d.add_text(f.agency, &o.agency.credit_code);
        d.add_text(f.depth, enum_str(&o.online_depth));
        d.add_text(f.case_kind, enum_str(&o.case_kind));
        for a in &o.audience {
            d.add_text(f.audience, enum_str(a));
        }
        for t in &o.themes {
            d.add_text(f.theme, t);
        }
        let packed = facets::pack([
            o.audience.iter().map(enum_str).collect(),
            o.themes.clone(),
            vec![enum_str(&o.online_depth)],
            vec![enum_str(&o.case_kind)],
            vec![enum_str(&o.level)],
        ]);
        d.add_text(f.facet_values, packed);
        d.add_text(f.hit, serde_json::to_string(&SearchHit::of(o)).unwrap_or_default());
        d
    }
}

/// The searchable text of a guide beyond its name: conditions, materials, steps, basis, result.
fn body_text(o: &Offering) -> String {
    let mut parts: Vec<&str> = vec![&o.item.name, &o.conditions, &o.result.name, &o.item.competent_department];
    parts.extend(o.materials.iter().map(|m| m.name.as_str()));
    parts.extend(o.steps.iter().map(|s| s.name.as_str()));
    parts.extend(o.legal_basis.iter().map(String::as_str));
    parts.extend(o.faq.iter().flat_map(|f| [f.q.as_str(), f.a.as_str()]));
    parts.join("\n")
}

/// The serde name of a unit enum variant (`Audience::Person` → `person`).
pub(crate) fn enum_str<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Audience as the query parameter names it.
pub fn parse_audience(s: &str) -> Option<Audience> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}
