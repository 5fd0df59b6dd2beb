//! Requests and grants (共享申请与授权): a consuming agency's steward asks for a published
//! resource for a purpose; the data authority's conformity review, then (有条件共享) the
//! provider's reply, each on a working-day clock — overdue requests turn yellow, then red and are
//! escalated to the data authority (`escalate_overdue`), who also settles disputes by deciding in
//! the provider's place. A 不予共享 resource is refused at once with its legal basis. A grant is
//! the request granted: scoped to its items, offerings, daily quota and expiry, revocable — the
//! next gateway call is refused. Each step is an entry of the SM3-chained audit trail, keyed by
//! the request's number.

use super::{catalog, data_roles, is_authority, stewarded};
use crate::access::{Assignment, Principal};
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tongban_domain::calendar::china_today;
use tongban_domain::cases::{Clock, WarningRule, clock};
use tongban_domain::exchange::{Decision, RequestState, SharingClass, next_state};
use tongban_domain::identity::StaffRole;
use tongban_store::audit::TrailDraft;
use tongban_store::exchange::{DataRequestRow, RequestFilter};

/// What a consuming agency's steward asks for.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRequest {
    pub resource: String,
    /// The requesting (consuming) agency's credit code.
    pub consumer_agency: String,
    /// 用途: what the data is for.
    pub purpose: String,
    /// 依据: the law or document that allows it.
    pub legal_basis: String,
    /// The offerings (实施编码) whose cases need it; calls name a case of one of them.
    pub offerings: Vec<String>,
    /// The data items wanted.
    pub items: Vec<String>,
    /// Calls a (China) day.
    pub quota_per_day: u32,
    /// The last day the grant lives.
    pub expires_on: NaiveDate,
}

/// A request (or grant) with its clock and trail.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    pub id: String,
    pub resource: String,
    pub resource_name: String,
    pub provider_agency: String,
    pub provider_name: String,
    pub consumer_agency: String,
    pub consumer_name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub offerings: Vec<String>,
    pub items: Vec<String>,
    pub quota_per_day: i32,
    pub expires_on: NaiveDate,
    pub state: RequestState,
    pub state_name: &'static str,
    /// The running stage's clock (review or the provider's reply).
    pub clock: Option<Clock>,
    /// The refusal's or revocation's reasons.
    pub reasons: String,
    pub version: i64,
    pub created_at: chrono::DateTime<Utc>,
    pub trail: Vec<TrailStep>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailStep {
    pub seq: i64,
    pub at: chrono::DateTime<Utc>,
    pub actor_role: String,
    pub action: String,
    pub after_state: String,
    pub note: String,
    pub hash: String,
}

fn list_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn list_of(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn state_of(r: &DataRequestRow) -> Result<RequestState, AppError> {
    RequestState::parse(&r.state).ok_or_else(|| AppError::internal(format!("request {}: state {}", r.id, r.state)))
}

fn text_ok(fields: &mut BTreeMap<String, String>, field: &str, value: &str, min: usize, max: usize) {
    let n = value.trim().chars().count();
    if n < min || n > max {
        fields.insert(field.into(), format!("应为 {min}–{max} 个字符 (must be {min} to {max} characters)"));
    }
}

fn draft(who: &Principal, role: &str, action: &str, before: &str, after: &str, note: &str, req: &str) -> TrailDraft {
    TrailDraft {
        at: Utc::now(),
        actor_id: who.person_id.clone(),
        actor_role: role.into(),
        action: action.into(),
        before_state: before.into(),
        after_state: after.into(),
        detail: serde_json::json!({ "note": note }).to_string(),
        request_id: req.into(),
    }
}

/// Asks for a resource. Refused at once (with the legal basis) when it is 不予共享.
pub async fn request(app: &App, who: &Principal, new: NewRequest, request_id: &str) -> Result<RequestView, AppError> {
    let roles = data_roles(app, who).await?;
    if !stewarded(&roles).contains(&new.consumer_agency) && !is_authority(&roles) {
        return Err(AppError::field(
            "consumer_agency",
            "只能以您担任数据管理员的部门申请 (request for an agency you are data steward of)",
        ));
    }
    let Some((row, resource)) = catalog::published(app, &new.resource).await? else {
        return Err(AppError::field("resource", "没有这个已发布的数据资源 (no such published resource)"));
    };
    let mut fields = BTreeMap::new();
    if row.agency_code == new.consumer_agency {
        fields.insert("consumer_agency".into(), "本部门的资源无需申请 (your own agency's resource)".into());
    }
    text_ok(&mut fields, "purpose", &new.purpose, 4, 500);
    text_ok(&mut fields, "legal_basis", &new.legal_basis, 4, 500);
    let code_ok = |c: &String| (6..=40).contains(&c.len()) && c.chars().all(|c| c.is_ascii_alphanumeric());
    if new.offerings.is_empty() || new.offerings.len() > 50 || !new.offerings.iter().all(code_ok) {
        fields.insert("offerings".into(), "请填写 1–50 个实施编码 (1 to 50 offering codes)".into());
    }
    if new.items.is_empty() {
        fields.insert("items".into(), "请选择需要的信息项 (choose the data items)".into());
    }
    if let Some(bad) = new.items.iter().find(|i| resource.item(i).is_none()) {
        fields.insert("items".into(), format!("资源没有信息项 {bad} (the resource has no item {bad})"));
    }
    if !(1..=1_000_000).contains(&new.quota_per_day) {
        fields.insert("quota_per_day".into(), "每日调用上限应为 1–1000000 (1 to 1,000,000)".into());
    }
    let today = china_today();
    if new.expires_on <= today || new.expires_on > today + chrono::Days::new(3 * 366) {
        fields.insert("expires_on".into(), "有效期至应在今天之后、三年以内 (after today, within three years)".into());
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }
    let id = format!("SQ{}{}", today.format("%Y%m%d"), tongban_crypto::digits(8).map_err(AppError::internal)?);
    let refused = resource.sharing == SharingClass::NotShared;
    let (state, reasons) = if refused {
        (RequestState::Refused, format!("该资源不予共享，依据：{}", resource.sharing_condition.trim()))
    } else {
        (RequestState::Review, String::new())
    };
    let now = Utc::now();
    let mut items = new.items.clone();
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
    let r = DataRequestRow {
        id: id.clone(),
        resource: row.identifier.clone(),
        resource_version: row.published_version.unwrap_or(row.latest_version),
        provider_agency: row.agency_code.clone(),
        consumer_agency: new.consumer_agency.clone(),
        requested_by: who.person_id.clone(),
        purpose: new.purpose.trim().into(),
        legal_basis: new.legal_basis.trim().into(),
        offerings: list_json(&new.offerings),
        items: list_json(&items),
        quota_per_day: new.quota_per_day as i32,
        expires_on: new.expires_on,
        state: state.as_str().into(),
        stage_from: (!refused).then_some(today),
        stage_days: if refused { 0 } else { app.exchange.settings.deadlines.review as i32 },
        reasons: reasons.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let trail = draft(who, "data_steward", "request", "", state.as_str(), &reasons, request_id);
    app.store.insert_data_request(r, trail).await?;
    app.exchange.grants_changed();
    tracing::info!(request = %id, resource = %row.identifier, state = state.as_str(), "data request made");
    view(app, who, &id).await
}

/// Who may decide a request now: the data authority in review (and in any stage, settling a
/// dispute); the provider's steward at the reply.
fn may_decide(roles: &[Assignment], r: &DataRequestRow, state: RequestState) -> bool {
    is_authority(roles) || (state == RequestState::ProviderReply && stewarded(roles).contains(&r.provider_agency))
}

async fn load(app: &App, id: &str) -> Result<DataRequestRow, AppError> {
    app.store.data_request(id).await?.ok_or(AppError::NotFound { what: "共享申请", what_en: "data request" })
}

/// A decision on a request's current stage.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    pub decision: Decision,
    /// Required for a refusal.
    #[serde(default)]
    pub reasons: String,
    /// On approval: the calls a day granted (the requested quota when absent).
    pub quota_per_day: Option<u32>,
    /// The request's version the decision was made on (409 when it changed since).
    pub expected_version: Option<i64>,
}

/// Approves or refuses a request in its current stage (a refusal needs reasons).
pub async fn decide(
    app: &App,
    who: &Principal,
    id: &str,
    v: Verdict,
    request_id: &str,
) -> Result<RequestView, AppError> {
    let Verdict { decision, reasons, quota_per_day: quota, expected_version } = v;
    let reasons = reasons.as_str();
    let roles = data_roles(app, who).await?;
    let r = load(app, id).await?;
    visible(&roles, &r)?;
    let state = state_of(&r)?;
    if !state.on_clock() {
        return Err(AppError::Conflict {
            field: "state",
            message: format!("申请已{}，不能再审核 (the request is {})", state.label(), state.as_str()),
        });
    }
    if !may_decide(&roles, &r, state) {
        return Err(AppError::Forbidden);
    }
    if decision == Decision::Refuse && reasons.trim().chars().count() < 4 {
        return Err(AppError::field(
            "reasons",
            "不予共享须说明理由 (a refusal gives its reasons, 4 characters or more)",
        ));
    }
    if quota.is_some_and(|q| !(1..=1_000_000).contains(&q)) {
        return Err(AppError::field("quota_per_day", "每日调用上限应为 1–1000000 (1 to 1,000,000)"));
    }
    if reasons.chars().count() > 1000 {
        return Err(AppError::field("reasons", "理由至多 1000 个字符 (at most 1,000 characters)"));
    }
    let Some((_, resource)) = catalog::published(app, &r.resource).await? else {
        return Err(AppError::NotFound { what: "数据资源", what_en: "data resource" });
    };
    let Some((next, days)) =
        next_state(state, decision, resource.sharing, resource.provider.is_some(), app.exchange.settings.deadlines)
    else {
        return Err(AppError::internal(format!("request {id}: no decision from {}", state.as_str())));
    };
    let role = if is_authority(&roles) { "data_authority" } else { "data_steward" };
    let action = match decision {
        Decision::Approve => "approve",
        Decision::Refuse => "refuse",
    };
    let version = expected_version.unwrap_or(r.version);
    let mut changed = r.clone();
    changed.state = next.as_str().into();
    changed.stage_from = days.map(|_| china_today());
    changed.stage_days = days.unwrap_or(0) as i32;
    changed.reasons = if decision == Decision::Refuse { reasons.trim().into() } else { String::new() };
    if let (Decision::Approve, Some(q)) = (decision, quota) {
        changed.quota_per_day = q as i32;
    }
    changed.version = version + 1;
    changed.updated_at = Utc::now();
    let note = match (decision, quota) {
        (Decision::Approve, Some(q)) if q as i32 != r.quota_per_day => {
            format!("核定每日调用上限 {q} 次 (quota {q} a day) {}", reasons.trim()).trim().to_owned()
        }
        _ => reasons.trim().to_owned(),
    };
    let trail = draft(who, role, action, &r.state, next.as_str(), &note, request_id);
    if !app.store.update_data_request(changed, version, trail).await? {
        return Err(AppError::stale());
    }
    app.exchange.grants_changed();
    tracing::info!(request = %id, from = %r.state, to = next.as_str(), "data request decided");
    view(app, who, id).await
}

/// Revokes a grant: the provider's steward, the consumer's own, or the data authority. The next
/// call through the gateway is refused.
pub async fn revoke(
    app: &App,
    who: &Principal,
    id: &str,
    reasons: &str,
    request_id: &str,
) -> Result<RequestView, AppError> {
    let roles = data_roles(app, who).await?;
    let r = load(app, id).await?;
    visible(&roles, &r)?;
    if state_of(&r)? != RequestState::Granted {
        return Err(AppError::Conflict {
            field: "state",
            message: "只能撤销已授权的申请 (only a grant is revoked)".into(),
        });
    }
    if reasons.trim().chars().count() < 4 || reasons.chars().count() > 1000 {
        return Err(AppError::field(
            "reasons",
            "请说明撤销理由，4–1000 个字符 (give the reasons, 4 to 1,000 characters)",
        ));
    }
    let mut changed = r.clone();
    changed.state = RequestState::Revoked.as_str().into();
    changed.reasons = reasons.trim().into();
    changed.version = r.version + 1;
    changed.updated_at = Utc::now();
    let role = if is_authority(&roles) { "data_authority" } else { "data_steward" };
    let trail = draft(who, role, "revoke", &r.state, "revoked", reasons.trim(), request_id);
    if !app.store.update_data_request(changed, r.version, trail).await? {
        return Err(AppError::stale());
    }
    app.exchange.grants_changed();
    tracing::info!(request = %id, "data grant revoked");
    view(app, who, id).await
}

/// What the person may do with a request now.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Actions {
    pub decide: bool,
    pub revoke: bool,
}

/// What `who` may do with the request they see.
pub async fn actions(app: &App, who: &Principal, v: &RequestView) -> Result<Actions, AppError> {
    let roles = data_roles(app, who).await?;
    let own = stewarded(&roles);
    let authority = is_authority(&roles);
    Ok(Actions {
        decide: v.state.on_clock()
            && (authority || (v.state == RequestState::ProviderReply && own.contains(&v.provider_agency))),
        revoke: v.state == RequestState::Granted
            && (authority || own.contains(&v.provider_agency) || own.contains(&v.consumer_agency)),
    })
}

/// Whether the person may see the request: the data authority, or a steward of either side.
fn visible(roles: &[Assignment], r: &DataRequestRow) -> Result<(), AppError> {
    let own = stewarded(roles);
    if is_authority(roles) || own.contains(&r.consumer_agency) || own.contains(&r.provider_agency) {
        Ok(())
    } else {
        Err(AppError::NotFound { what: "共享申请", what_en: "data request" })
    }
}

/// The clock of the request's stage, when one runs.
async fn stage_clock(app: &App, r: &DataRequestRow) -> Result<Option<Clock>, AppError> {
    Ok(match (state_of(r)?.on_clock(), r.stage_from) {
        (true, Some(from)) => Some(
            app.calendar
                .with(&app.store, |cal| {
                    clock(cal, from, r.stage_days as u32, &[], None, china_today(), WarningRule::default())
                })
                .await?,
        ),
        _ => None,
    })
}

/// The trail action that escalates an overdue stage.
pub const ESCALATE: &str = "escalate";

/// Escalates every request whose stage is overdue (red) and not yet escalated in that stage: a
/// step in its trail, and a message to each platform administrator (the data authority) to
/// settle it. Run by the supervision sweep; returns how many were escalated.
pub async fn escalate_overdue(app: &App) -> Result<usize, AppError> {
    let on_clock = [RequestState::Review.as_str(), RequestState::ProviderReply.as_str()];
    let mut escalated = 0;
    for r in app.store.data_requests_in(&on_clock).await? {
        let Some(clock) = stage_clock(app, &r).await? else { continue };
        if clock.warning != tongban_domain::cases::Warning::Red {
            continue;
        }
        let trail = app.store.trail(&r.id).await?;
        if trail.last().is_some_and(|t| t.action == ESCALATE) {
            continue; // nothing happened since it was escalated
        }
        let authority: Vec<String> = app
            .store
            .staff_roles(None, None)
            .await?
            .into_iter()
            .filter(|a| a.role == StaffRole::PlatformAdmin.as_str())
            .map(|a| a.person_id)
            .collect();
        let resource = app.store.data_resource(&r.resource).await?.map(|d| d.name).unwrap_or_default();
        let now = Utc::now();
        let mut messages = Vec::new();
        for person_id in authority {
            messages.push(tongban_store::cases::MessageRow {
                id: format!("m_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]),
                person_id,
                case_number: None,
                title: format!("共享申请超期（红灯）：{}", r.id),
                body: format!(
                    "“{resource}”的共享申请已超过{}个工作日的办理时限，请督办或直接决定（数据共享 › 共享申请）。",
                    r.stage_days
                ),
                created_at: now,
                read_at: None,
            });
        }
        let step = TrailDraft {
            at: now,
            actor_id: "system".into(),
            actor_role: "supervision".into(),
            action: ESCALATE.into(),
            before_state: r.state.clone(),
            after_state: r.state.clone(),
            detail:
                serde_json::json!({ "note": "超期，提请数据主管部门督办 (overdue: escalated to the data authority)" })
                    .to_string(),
            request_id: "supervision".into(),
        };
        if app.store.escalate_data_request(&r.id, r.version, step, messages).await? {
            tracing::info!(request = %r.id, state = %r.state, "overdue data request escalated");
            escalated += 1;
        }
    }
    Ok(escalated)
}

async fn to_view(app: &App, r: DataRequestRow, with_trail: bool) -> Result<RequestView, AppError> {
    let state = state_of(&r)?;
    let clock = stage_clock(app, &r).await?;
    let trail = if with_trail {
        app.store
            .trail(&r.id)
            .await?
            .into_iter()
            .map(|e| TrailStep {
                note: serde_json::from_str::<serde_json::Value>(&e.detail)
                    .ok()
                    .and_then(|d| d["note"].as_str().map(str::to_owned))
                    .unwrap_or_default(),
                seq: e.seq,
                at: e.at,
                actor_role: e.actor_role,
                action: e.action,
                after_state: e.after_state,
                hash: e.hash,
            })
            .collect()
    } else {
        Vec::new()
    };
    let resource_name = app.store.data_resource(&r.resource).await?.map(|d| d.name).unwrap_or_default();
    Ok(RequestView {
        provider_name: crate::staff::agency_name(app, &r.provider_agency).await?,
        consumer_name: crate::staff::agency_name(app, &r.consumer_agency).await?,
        resource_name,
        offerings: list_of(&r.offerings),
        items: list_of(&r.items),
        state,
        state_name: state.label(),
        clock,
        trail,
        id: r.id,
        resource: r.resource,
        provider_agency: r.provider_agency,
        consumer_agency: r.consumer_agency,
        purpose: r.purpose,
        legal_basis: r.legal_basis,
        quota_per_day: r.quota_per_day,
        expires_on: r.expires_on,
        reasons: r.reasons,
        version: r.version,
        created_at: r.created_at,
    })
}

/// One request with its trail.
pub async fn view(app: &App, who: &Principal, id: &str) -> Result<RequestView, AppError> {
    let roles = data_roles(app, who).await?;
    let r = load(app, id).await?;
    visible(&roles, &r)?;
    to_view(app, r, true).await
}

/// The requests the person sees — the data authority's all, a steward's their agencies' (both
/// sides) — optionally only those in `states`; those on a clock carry it (red when overdue).
pub async fn list(app: &App, who: &Principal, states: &[RequestState]) -> Result<Vec<RequestView>, AppError> {
    let roles = data_roles(app, who).await?;
    let states: Vec<String> = states.iter().map(|s| s.as_str().to_owned()).collect();
    let mut rows = Vec::new();
    if is_authority(&roles) {
        rows = app.store.data_requests(&RequestFilter { states, ..Default::default() }).await?;
    } else {
        for a in stewarded(&roles) {
            let f = RequestFilter { agency: Some(a), states: states.clone(), ..Default::default() };
            for r in app.store.data_requests(&f).await? {
                if !rows.iter().any(|x: &DataRequestRow| x.id == r.id) {
                    rows.push(r);
                }
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(to_view(app, r, false).await?);
    }
    Ok(out)
}
