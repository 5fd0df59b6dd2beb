//! The service catalog: publishing guides under the consistency rules, importing and exporting
//! them, the demo catalog, and search over the index kept in step with the database.

mod csv_format;
mod form_edit;
pub mod synonyms;

pub use form_edit::{FormEditing, form_for_editing, save_form};

use crate::{AppError, datasets};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tongban_domain::DivisionCode;
use tongban_domain::catalog::{Audience, CaseKind, Offering, OnlineDepth, Violations};
use tongban_search::{SearchQuery, SearchResults};
use tongban_store::Store;
use tongban_store::catalog::{PublishOutcome, PublishedGuide};

/// Where a process keeps its search index.
#[derive(Debug, Clone)]
pub enum IndexLocation {
    Dir(PathBuf),
    Memory,
    /// No index: commands that only write the database (a running server catches up).
    None,
}

/// How many published guides one catch-up step reads.
const SYNC_BATCH: u64 = 2000;

/// Validates `o` against the consistency rules; every violation is named by its field.
pub fn validate(o: &Offering) -> Result<(), AppError> {
    let mut v = o.validate(&datasets::division_known);
    if let Some(form) = &o.form
        && let Err(e) = crate::forms::compile(form)
    {
        v.insert("form.schema".into(), format!("不是有效的 JSON Schema (not a valid JSON Schema): {e}"));
    }
    if v.is_empty() { Ok(()) } else { Err(AppError::Validation { fields: v }) }
}

/// Validates and publishes, then brings the index up to date.
pub async fn publish(app: &crate::App, o: &Offering, note: &str) -> Result<PublishOutcome, AppError> {
    validate(o)?;
    let outcome = app.store.publish_offering(o, note).await?;
    sync(app).await?;
    Ok(outcome)
}

/// Saves `o` as the draft of its offering, whatever rules it still breaks (a draft may be
/// incomplete); returns those rules, which publishing will insist on.
pub async fn save_draft(app: &crate::App, o: &Offering) -> Result<Violations, AppError> {
    app.store.save_draft(o).await?;
    Ok(o.validate(&datasets::division_known))
}

/// Publishes the draft of offering `code` under the consistency rules.
pub async fn publish_draft(app: &crate::App, code: &str, note: &str) -> Result<PublishOutcome, AppError> {
    let draft = app.store.draft(code).await?.ok_or(AppError::NotFound { what: "草稿", what_en: "draft" })?;
    publish(app, &draft, note).await
}

/// Adds to the index every publication it has not seen yet. Returns how many it applied.
pub async fn sync(app: &crate::App) -> Result<usize, AppError> {
    let Some(index) = &app.index else { return Ok(0) };
    synonyms::refresh(app).await?;
    let mut applied = 0;
    loop {
        let from = index.indexed_revision().map_err(AppError::internal)?;
        let batch = app.store.published_after(from, SYNC_BATCH).await?;
        let Some(last) = batch.last().map(|g| g.revision) else { return Ok(applied) };
        let index = index.clone();
        let n = batch.len();
        tokio::task::spawn_blocking(move || index.apply(batch.iter().map(|g| &g.offering), last))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        applied += n;
    }
}

/// Empties the index and rebuilds it from the database.
pub async fn reindex(app: &crate::App) -> Result<usize, AppError> {
    let Some(index) = &app.index else { return Ok(0) };
    index.clear().map_err(AppError::internal)?;
    let n = sync(app).await?;
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.optimize())
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(n)
}

/// The outcome of an import: nothing rejected is written, everything else is.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// New versions published.
    pub published: usize,
    /// Rows equal to the latest published version.
    pub unchanged: usize,
    /// Line number (1-based) → reason.
    pub rejected: BTreeMap<usize, String>,
}

/// The file formats of import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines: one offering a line, as the API returns it.
    Jsonl,
    /// CSV with the columns of `docs/catalog-csv.md`.
    Csv,
}

impl Format {
    /// By file name: `*.csv` is CSV, anything else JSON Lines.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::Jsonl,
        }
    }
}

/// A row as its line number (1-based) and its JSON object, or why it is not one.
type Row = (usize, Result<serde_json::Value, String>);

fn jsonl_rows(text: &str) -> impl Iterator<Item = Row> + Send + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, serde_json::from_str(l).map_err(|e| format!("JSON 无效 (invalid JSON): {e}"))))
}

fn csv_rows(text: &str) -> Result<impl Iterator<Item = Row> + Send + '_, AppError> {
    let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| header_error(e.to_string()))?;
    let positions = csv_format::read_header(header).map_err(header_error)?;
    Ok(reader.into_records().map(move |r| match r {
        Ok(record) => {
            let line = record.position().map_or(0, |p| p.line() as usize);
            (line, csv_format::row_to_json(&positions, &record))
        }
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line() as usize);
            (line, Err(format!("CSV 无效 (invalid CSV): {e}")))
        }
    }))
}

fn header_error(reason: String) -> AppError {
    AppError::field("header", reason)
}

/// A row's object as a validated offering, or every reason it is not one.
fn parse_row(row: serde_json::Value) -> Result<Offering, String> {
    let o: Offering = serde_json::from_value(row).map_err(|e| format!("字段无效 (invalid field): {e}"))?;
    validate(&o).map_err(|e| match e {
        AppError::Validation { fields } => {
            fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ")
        }
        e => e.to_string(),
    })?;
    Ok(o)
}

/// Imports a catalog file. Each row is published in its own transaction: a bad row is reported
/// with its line number and stops nothing. Re-importing the same file publishes nothing new.
/// `progress` is told each line number as it is done. A CSV header that is not the documented
/// one fails the whole file before anything is written.
pub async fn import(
    app: &crate::App,
    format: Format,
    text: &str,
    note: &str,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ImportReport, AppError> {
    let rows: Box<dyn Iterator<Item = Row> + Send + '_> = match format {
        Format::Jsonl => Box::new(jsonl_rows(text)),
        Format::Csv => Box::new(csv_rows(text)?),
    };
    let mut report = ImportReport::default();
    for (line_no, row) in rows {
        match row.and_then(parse_row) {
            Ok(o) => {
                if app.store.publish_offering(&o, note).await?.changed {
                    report.published += 1;
                } else {
                    report.unchanged += 1;
                }
            }
            Err(reason) => {
                report.rejected.insert(line_no, reason);
            }
        }
        progress(line_no);
    }
    sync(app).await?;
    Ok(report)
}

/// Every published guide, in revision order: what `import` reads.
pub async fn export(store: &Store, format: Format, out: &mut (dyn std::io::Write + Send)) -> Result<usize, AppError> {
    match format {
        Format::Jsonl => {
            each_published(store, |o| {
                let line = serde_json::to_string(o).map_err(AppError::internal)?;
                writeln!(out, "{line}").map_err(AppError::internal)
            })
            .await
        }
        Format::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            w.write_record(csv_format::header()).map_err(AppError::internal)?;
            let n = each_published(store, |o| {
                let value = serde_json::to_value(o).map_err(AppError::internal)?;
                w.write_record(csv_format::json_to_row(&value)).map_err(AppError::internal)
            })
            .await?;
            w.flush().map_err(AppError::internal)?;
            Ok(n)
        }
    }
}

/// Calls `f` with every published guide in revision order; how many there were.
async fn each_published(
    store: &Store,
    mut f: impl FnMut(&Offering) -> Result<(), AppError> + Send,
) -> Result<usize, AppError> {
    let mut from = 0;
    let mut n = 0;
    loop {
        let batch = store.published_after(from, SYNC_BATCH).await?;
        let Some(last) = batch.last().map(|g| g.revision) else { return Ok(n) };
        for g in &batch {
            f(&g.offering)?;
        }
        n += batch.len();
        from = last;
    }
}

/// The latest published guide.
pub async fn get(store: &Store, code: &str) -> Result<PublishedGuide, AppError> {
    store.published(code).await?.ok_or(AppError::NotFound { what: "服务事项", what_en: "offering" })
}

/// Raw search parameters as the API and the results page receive them.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub division: Option<String>,
    pub audience: Option<String>,
    pub agency: Option<String>,
    pub theme: Option<String>,
    pub depth: Option<String>,
    pub case_kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
pub const MAX_PER_PAGE: usize = 100;

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// Validates the parameters, naming every bad one, and searches. The division filter admits
/// the division, its ancestors, the divisions under it and national services.
pub async fn search(app: &crate::App, p: &SearchParams) -> Result<SearchResults, AppError> {
    let mut bad = BTreeMap::new();
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let q = some(&p.q).unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        bad.insert("q".into(), format!("最多 {MAX_QUERY_CHARS} 个字符 (at most {MAX_QUERY_CHARS} characters)"));
    }
    let divisions = match some(&p.division) {
        None => None,
        Some(d) => match DivisionCode::parse(&d) {
            Ok(code) if datasets::division_known(code.as_str()) => {
                Some(app.store.division_path(code.as_str()).await?.into_iter().map(|d| d.code).collect())
            }
            Ok(code) => {
                bad.insert("division".into(), format!("行政区划 {code} 不存在 (unknown division)"));
                None
            }
            Err(e) => {
                bad.insert("division".into(), e.to_string());
                None
            }
        },
    };
    let audience_raw = some(&p.audience);
    let depth_raw = some(&p.depth);
    let kind_raw = some(&p.case_kind);
    let audience: Option<Audience> = audience_raw.as_deref().and_then(parse_enum);
    let depth: Option<OnlineDepth> = depth_raw.as_deref().and_then(parse_enum);
    let case_kind: Option<CaseKind> = kind_raw.as_deref().and_then(parse_enum);
    for (name, raw, parsed, allowed) in [
        ("audience", &audience_raw, audience.is_some(), "person|organization"),
        ("depth", &depth_raw, depth.is_some(), "I|II|III|IV"),
        ("case_kind", &kind_raw, case_kind.is_some(), "immediate|committed|reported|joint"),
    ] {
        if raw.is_some() && !parsed {
            bad.insert(name.into(), format!("应为 {allowed} (must be {allowed})"));
        }
    }
    let number =
        |name: &str, v: &Option<String>, default: usize, max: usize, bad: &mut BTreeMap<String, String>| match some(v)
            .map(|s| s.parse::<usize>())
        {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                bad.insert(name.into(), format!("应为 1 到 {max} 的整数 (an integer 1..={max})"));
                default
            }
        };
    let page = number("page", &p.page, 1, 10_000, &mut bad);
    let per_page = number("per_page", &p.per_page, 10, MAX_PER_PAGE, &mut bad);
    if !bad.is_empty() {
        return Err(AppError::Validation { fields: bad });
    }
    let Some(index) = app.index.clone() else {
        return Err(AppError::Internal("this process has no search index".into()));
    };
    // The services of the chosen division's ancestors, of the division itself and of every
    // division under it.
    let under =
        divisions.as_ref().and(some(&p.division)).and_then(|d| DivisionCode::parse(&d).ok()).map(|d| d.to_string());
    let query = SearchQuery {
        q,
        divisions,
        under,
        audience,
        agency: some(&p.agency),
        theme: some(&p.theme),
        depth,
        case_kind,
        page,
        per_page,
    };
    tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}
