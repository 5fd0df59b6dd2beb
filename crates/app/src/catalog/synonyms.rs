//! Search synonyms (同义词与口语词): the list a platform starts with, what platform administrators
//! save, and every node searching with the latest saved list.

use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use tongban_domain::catalog::Synonyms;
use tongban_domain::identity::StaffRole;

/// The list a new platform starts with.
pub const STARTING: &str = include_str!("../../../../datasets/search/synonyms.txt");

/// Saves the starting list on the first start, and gives the index the saved list when it is newer
/// than the one in use (called with the catalog's sync, so every node follows a save).
pub async fn refresh(app: &App) -> Result<(), AppError> {
    let Some(index) = &app.index else { return Ok(()) };
    let (list, revision) = match app.store.synonyms().await? {
        Some(saved) => saved,
        None => {
            app.store.seed_synonyms(STARTING).await?;
            app.store.synonyms().await?.ok_or_else(|| AppError::Internal("synonyms not saved".into()))?
        }
    };
    if revision != index.synonyms_revision() {
        // A saved list was checked when saved; a list that no longer parses is logged, not used.
        match Synonyms::parse(&list) {
            Ok(s) => index.set_synonyms(s, revision),
            Err(e) => tracing::error!(error = %e, revision, "the saved search synonyms do not parse"),
        }
    }
    Ok(())
}

/// The saved list as text, and its revision, for the platform's administrators.
pub async fn list(app: &App, who: &Principal) -> Result<(String, i64), AppError> {
    access::authorize(app, who, Need::Staff(&[StaffRole::PlatformAdmin], None)).await?;
    Ok(app.store.synonyms().await?.unwrap_or_else(|| (STARTING.to_owned(), 0)))
}

/// Checks and saves a new list (a bad line is refused by its number, and nothing is saved);
/// searches use it at once. The number of rules saved.
pub async fn save(app: &App, who: &Principal, text: &str) -> Result<usize, AppError> {
    access::authorize(app, who, Need::Staff(&[StaffRole::PlatformAdmin], None)).await?;
    if text.len() > 200_000 {
        return Err(AppError::field("synonyms", "同义词表过长，最多 200,000 字节 (at most 200,000 bytes)"));
    }
    let parsed = Synonyms::parse(text).map_err(|e| AppError::field("synonyms", e.to_string()))?;
    let rules = parsed.rules.len();
    app.store.save_synonyms(text, &who.person_id).await?;
    refresh(app).await?;
    tracing::info!(rules, by = %who.person_id, "search synonyms saved");
    Ok(rules)
}
