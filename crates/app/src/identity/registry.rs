//! Real-name verification (L2) against the population registry, and loading the registry.

use super::*;

/// Real-name verification (实名核验, L1 → L2): the account's name and id number must match an
/// entry of the population registry.
pub async fn verify_real_name(app: &App, who: &Principal) -> Result<Assurance, AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    let current = assurance_of(&person)?;
    if current >= Assurance::L2 {
        return Ok(current);
    }
    let vault = &app.vault;
    let registered = app.store.registry_name(&person.citizen_id_index).await?;
    if registered.as_deref() != Some(vault.blind_index(NAME, person.name.trim()).as_str()) {
        return Err(AppError::field(
            "name",
            "姓名与证件号码未能在人口库中核验一致 (name and id number do not match the population registry)",
        ));
    }
    app.store.set_assurance(&person.id, Assurance::L2.as_str()).await?;
    tracing::info!(person = %person.id, "real name verified: L2");
    Ok(Assurance::L2)
}

/// A registry import: how many entries were loaded, and the bad lines with their reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryReport {
    pub loaded: usize,
    pub rejected: Vec<(usize, String)>,
}

/// Loads the population registry stand-in from CSV lines `name,citizen_id` (a header line
/// `name,citizen_id` is allowed). Stored as blind indexes only; loading again updates entries.
pub async fn import_registry(app: &App, text: &str) -> Result<RegistryReport, AppError> {
    let (rows, rejected) = registry_rows(app, text);
    let loaded = app.store.import_registry(&rows, Utc::now(), false).await?;
    Ok(RegistryReport { loaded, rejected })
}

/// Replaces the whole population registry with an extract, in one transaction — or, when any
/// line is refused, changes nothing (a registry must not be half replaced).
pub async fn replace_registry(app: &App, text: &str) -> Result<RegistryReport, AppError> {
    let (rows, rejected) = registry_rows(app, text);
    let loaded = if rejected.is_empty() { app.store.import_registry(&rows, Utc::now(), true).await? } else { 0 };
    Ok(RegistryReport { loaded, rejected })
}

/// Removes the entries of an extract from the population registry; how many there were.
pub async fn remove_from_registry(app: &App, text: &str) -> Result<u64, AppError> {
    let (rows, _) = registry_rows(app, text);
    let indexes: Vec<String> = rows.into_iter().map(|(citizen, _)| citizen).collect();
    Ok(app.store.delete_registry_entries(&indexes).await?)
}

/// Lines of an extract refused: (line number, reason).
pub(crate) type Refused = Vec<(usize, String)>;

/// The entries of an extract as blind indexes (citizen id, name), and the refused lines.
fn registry_rows(app: &App, text: &str) -> (Vec<(String, String)>, Refused) {
    let vault = &app.vault;
    let mut rejected = Vec::new();
    let mut rows = Vec::new();
    for (n, [name, citizen]) in records(text, "name,citizen_id", "姓名,证件号码", &mut rejected) {
        if name.chars().count() < 2 {
            rejected.push((n, "姓名过短 (name too short)".into()));
            continue;
        }
        match CitizenId::parse(citizen, china_today()) {
            Ok(c) => rows.push((vault.blind_index(CITIZEN_ID, c.as_str()), vault.blind_index(NAME, name))),
            Err(e) => rejected.push((n, e.to_string())),
        }
    }
    (rows, rejected)
}

/// The records of a registry extract in CSV: `(line number, fields)` of each non-blank line with
/// as many fields as `header` names (a first line equal to `header` is skipped). Other lines go
/// to `rejected` with the reason.
pub(crate) fn records<'a, const N: usize>(
    text: &'a str,
    header: &str,
    header_zh: &str,
    rejected: &mut Vec<(usize, String)>,
) -> Vec<(usize, [&'a str; N])> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())) {
        if line.is_empty() || (n == 1 && line.replace(' ', "") == header) {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        match <[&str; N]>::try_from(fields) {
            Ok(fields) => out.push((n, fields)),
            Err(_) => rejected.push((n, format!("应为 {header_zh} (expected {header})"))),
        }
    }
    out
}
