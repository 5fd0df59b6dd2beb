//! Organizations (法人) in unified identity: registered by their legal representative, checked
//! against the legal-person registry (法人库 stand-in); agents (经办人) authorized by the legal
//! representative with scopes and an expiry; a person switches between acting for themself and
//! for an organization. Every organization action passes `access::authorize`.

use crate::access::{self, Acting, Need, Principal, acting};
use crate::identity::registry::{Refused, records};
use crate::identity::{self, RegistryReport};
use crate::people;
use crate::{App, AppError};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tongban_domain::CreditCode;
use tongban_domain::identity::{AgentScope, Assurance};
use tongban_store::organizations::{GrantRow, LegalEntryRow, OrganizationRow};

/// The longest an agent may be authorized for at once.
pub const MAX_GRANT_DAYS: i64 = 366;

/// The organization whose agents the principal manages (its legal representative, acting for it).
async fn managed_organization<'a>(app: &App, who: &'a Principal) -> Result<&'a Acting, AppError> {
    access::authorize(app, who, Need::OrganizationManagement).await?;
    who.acting.as_ref().ok_or(AppError::Forbidden)
}

/// Loads the legal-person registry from CSV lines `credit_code,name,legal_rep_citizen_id`
/// (header optional); the representative's id number is kept only as its blind index. Loading
/// again updates entries.
pub async fn import_legal_registry(app: &App, text: &str) -> Result<RegistryReport, AppError> {
    let (rows, rejected) = legal_rows(app, text);
    let loaded = app.store.import_legal_registry(&rows, false).await?;
    Ok(RegistryReport { loaded, rejected })
}

/// Replaces the whole legal-person registry with an extract, in one transaction — or, when any
/// line is refused, changes nothing.
pub async fn replace_legal_registry(app: &App, text: &str) -> Result<RegistryReport, AppError> {
    let (rows, rejected) = legal_rows(app, text);
    let loaded = if rejected.is_empty() { app.store.import_legal_registry(&rows, true).await? } else { 0 };
    Ok(RegistryReport { loaded, rejected })
}

/// Removes the entries of an extract from the legal-person registry; how many there were.
pub async fn remove_from_legal_registry(app: &App, text: &str) -> Result<u64, AppError> {
    let (rows, _) = legal_rows(app, text);
    let codes: Vec<String> = rows.into_iter().map(|r| r.credit_code).collect();
    Ok(app.store.delete_legal_entries(&codes).await?)
}

/// The entries of an extract, and the refused lines.
fn legal_rows(app: &App, text: &str) -> (Vec<LegalEntryRow>, Refused) {
    let mut rejected = Vec::new();
    let mut rows = Vec::new();
    let now = Utc::now();
    let header = "credit_code,name,legal_rep_citizen_id";
    for (n, [code, name, rep]) in records(text, header, "信用代码,名称,法定代表人证件号码", &mut rejected)
    {
        let code = match CreditCode::parse(code) {
            Ok(c) => c,
            Err(e) => {
                rejected.push((n, e.to_string()));
                continue;
            }
        };
        let Some(rep_index) = people::citizen_index(app, rep) else {
            rejected.push((n, "法定代表人证件号码无效 (invalid legal representative id number)".into()));
            continue;
        };
        if name.chars().count() < 2 {
            rejected.push((n, "名称过短 (name too short)".into()));
            continue;
        }
        rows.push(LegalEntryRow {
            credit_code: code.as_str().to_owned(),
            name: name.to_owned(),
            legal_rep_index: rep_index,
            loaded_at: now,
        });
    }
    (rows, rejected)
}

/// A person registers the organization they legally represent: they must be real-name verified
/// (L2 or above) and the legal-person registry must name them as its representative.
pub async fn register(app: &App, who: &Principal, credit_code: &str) -> Result<OrganizationRow, AppError> {
    let code = CreditCode::parse(credit_code).map_err(|e| AppError::field("credit_code", e.to_string()))?;
    if who.assurance < Assurance::L2 {
        return Err(AppError::field("credit_code", "请先完成实名核验 (verify your real name first)"));
    }
    let entry = app.store.legal_entry(code.as_str()).await?;
    let rep_index = people::person_citizen_index(app, &who.person_id).await?;
    let Some(entry) = entry.filter(|e| e.legal_rep_index == rep_index) else {
        return Err(AppError::field(
            "credit_code",
            "法人库中该单位的法定代表人不是您 (the legal-person registry does not name you as its legal representative)",
        ));
    };
    let org = OrganizationRow {
        credit_code: entry.credit_code,
        name: entry.name,
        legal_rep_person_id: who.person_id.clone(),
        created_at: Utc::now(),
    };
    app.store.insert_organization(org.clone()).await.map_err(|e| match e {
        tongban_store::StoreError::Duplicate(field) => {
            AppError::Conflict { field, message: "该单位已注册 (this organization is registered already)".into() }
        }
        e => e.into(),
    })?;
    tracing::info!(org = %org.credit_code, person = %who.person_id, "organization registered");
    Ok(org)
}

/// An organization a person may act for, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub credit_code: String,
    pub name: String,
    pub legal_rep: bool,
    pub scopes: Vec<AgentScope>,
    /// For an agent, when the grant ends.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The organizations the person may act for: those they represent, and those with a live grant.
pub async fn memberships(app: &App, person_id: &str) -> Result<Vec<Membership>, AppError> {
    let mut out: Vec<Membership> = app
        .store
        .organizations_led_by(person_id)
        .await?
        .into_iter()
        .map(|o| Membership {
            credit_code: o.credit_code,
            name: o.name,
            legal_rep: true,
            scopes: AgentScope::ALL.to_vec(),
            expires_at: None,
        })
        .collect();
    for g in app.store.live_grants(Some(person_id), None, Utc::now()).await? {
        if out.iter().any(|m| m.credit_code == g.credit_code) {
            continue;
        }
        let Some(org) = app.store.organization(&g.credit_code).await? else { continue };
        out.push(Membership {
            credit_code: org.credit_code,
            name: org.name,
            legal_rep: false,
            scopes: AgentScope::parse_list(&g.scopes),
            expires_at: Some(g.expires_at),
        });
    }
    Ok(out)
}

/// Switches the person's session to act for an organization (or, with `None`, for themself).
/// The session is replaced: what it may do changes.
pub async fn switch(
    app: &App,
    who: &Principal,
    credit_code: Option<&str>,
    client: &identity::Client,
) -> Result<identity::LoggedIn, AppError> {
    if let Some(code) = credit_code
        && acting(app, &who.person_id, code).await?.is_none()
    {
        return Err(AppError::Forbidden);
    }
    let fresh = identity::rotate_session(app, who, client).await?;
    app.store.set_acting_for(&fresh.principal.session_id, credit_code).await?;
    let principal = identity::authenticate(app, &fresh.token).await?.ok_or(AppError::Unauthenticated)?;
    Ok(identity::LoggedIn { token: fresh.token, principal })
}

/// An agent's grant as the legal representative's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantView {
    pub id: String,
    pub agent_name: String,
    pub agent_phone_masked: String,
    pub scopes: Vec<AgentScope>,
    pub expires_at: DateTime<Utc>,
}

/// The live grants of the organization the legal representative acts for.
pub async fn grants(app: &App, who: &Principal) -> Result<Vec<GrantView>, AppError> {
    let acting = managed_organization(app, who).await?;
    let mut out = Vec::new();
    for g in app.store.live_grants(None, Some(&acting.credit_code), Utc::now()).await? {
        let (name, phone) = people::name_and_masked_phone(app, &g.agent_person_id).await?;
        out.push(GrantView {
            id: g.id,
            agent_name: name,
            agent_phone_masked: phone,
            scopes: AgentScope::parse_list(&g.scopes),
            expires_at: g.expires_at,
        });
    }
    Ok(out)
}

/// The legal representative authorizes a registered person (named by id number or phone) to act
/// for the organization with `scopes` for `days` days.
pub async fn grant(
    app: &App,
    who: &Principal,
    agent: &str,
    scopes: &[AgentScope],
    days: i64,
) -> Result<GrantView, AppError> {
    let acting = managed_organization(app, who).await?;
    let mut fields = std::collections::BTreeMap::new();
    if scopes.is_empty() {
        fields.insert("scopes".to_owned(), "至少选择一项权限 (choose at least one scope)".to_owned());
    }
    if !(1..=MAX_GRANT_DAYS).contains(&days) {
        fields.insert("days".to_owned(), format!("授权天数应为 1 至 {MAX_GRANT_DAYS} (1 to {MAX_GRANT_DAYS} days)"));
    }
    let person = people::find_person(app, agent).await?;
    match &person {
        None => {
            fields.insert(
                "agent".to_owned(),
                "未找到该注册用户 (no registered person with that id number or phone)".into(),
            );
        }
        Some(p) if p == &who.person_id => {
            fields.insert("agent".to_owned(), "不能授权给自己 (you cannot authorize yourself)".into());
        }
        Some(_) => {}
    }
    let (Some(agent_id), true) = (person, fields.is_empty()) else {
        return Err(AppError::Validation { fields });
    };
    let now = Utc::now();
    let row = GrantRow {
        id: tongban_crypto::token().map_err(AppError::internal)?[..16].to_owned(),
        credit_code: acting.credit_code.clone(),
        agent_person_id: agent_id.clone(),
        scopes: AgentScope::join(scopes),
        expires_at: now + Duration::days(days),
        granted_by: who.person_id.clone(),
        granted_at: now,
        revoked_at: None,
    };
    app.store.insert_grant(row.clone()).await?;
    tracing::info!(org = %row.credit_code, agent = %agent_id, scopes = %row.scopes, "agent authorized");
    let (agent_name, agent_phone_masked) = people::name_and_masked_phone(app, &agent_id).await?;
    Ok(GrantView { id: row.id, agent_name, agent_phone_masked, scopes: scopes.to_vec(), expires_at: row.expires_at })
}

/// The legal representative ends a grant; the agent's sessions stop acting for the organization
/// at their next request.
pub async fn revoke(app: &App, who: &Principal, grant_id: &str) -> Result<(), AppError> {
    let acting = managed_organization(app, who).await?;
    if app.store.revoke_grant(&acting.credit_code, grant_id, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound { what: "授权", what_en: "grant" })
    }
}
