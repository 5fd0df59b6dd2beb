//! The exchange gateway (交换网关): a department system queries a resource with an access token
//! of its agency's registered system. The gateway checks the grant on every call — items,
//! purpose (the case being handled, whose applicant must be the data subject where the data is
//! personal), daily quota, expiry, revocation — asks the provider, returns only the granted
//! items, and logs the call (answered or refused) before answering.

use super::log::{self, CallRef, Entry};
use super::providers;
use crate::{App, AppError};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tongban_domain::calendar::{china_time, china_today};
use tongban_domain::exchange::{Provider, Resource, only_granted};
use tongban_store::exchange::DataRequestRow;

/// Why a call was not answered: the HTTP status, a stable code, the message, the field or item
/// it concerns, and for a quota the seconds until it renews.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
    /// The call's place in the log, once logged.
    pub call: Option<Box<CallRef>>,
}

impl Refusal {
    pub fn new(status: u16, code: &'static str, message: String) -> Self {
        Self { status, code, message, field: None, retry_after: None, call: None }
    }

    pub fn field(name: &str, message: String) -> Self {
        Self { field: Some(name.into()), ..Self::new(400, "validation_failed", message) }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "gateway call failed");
        Self::new(500, "internal", "内部错误 (internal error)".into())
    }

    fn forbidden(code: &'static str, message: String) -> Self {
        Self::new(403, code, message)
    }
}

/// A query: the case being handled (the purpose), the provider's parameters, and the items
/// wanted (all granted ones when absent).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Query {
    pub case_number: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Map<String, Value>,
    pub items: Option<Vec<String>>,
}

/// An answer: the granted items' data, the grant it was given under and the call's log place.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Value,
    pub items: Vec<String>,
    pub grant: String,
    pub call: CallRef,
}

/// Seconds until the next China midnight, when daily quotas renew.
fn until_midnight() -> u64 {
    let now = china_time(Utc::now());
    let next = (now.date() + chrono::Days::new(1)).and_hms_opt(0, 0, 0).expect("midnight");
    (next - now).num_seconds().max(1) as u64
}

/// The call as far as it got, for the log.
#[derive(Default)]
struct Trace {
    grant: Option<String>,
    upstream_ms: u32,
}

/// How long the gateway keeps a published entry, and a checked token with its client's agency,
/// before reading again.
pub const ENTRY_TTL: Duration = Duration::from_secs(2);
pub const CLIENT_TTL: Duration = Duration::from_secs(30);
/// The longest the gateway keeps live grants on embedded storage (see `live_grants`).
pub const GRANT_TTL: Duration = Duration::from_secs(2);

/// A published entry as the gateway uses it: the resource and its system's address, parsed once.
pub(super) struct Live {
    row: tongban_store::exchange::DataResourceRow,
    spec: Resource,
    upstream: Option<reqwest::Url>,
}

/// A published entry (none: not published).
pub(super) type Published = Option<Arc<Live>>;

async fn entry(app: &App, resource: &str) -> Result<Published, Refusal> {
    let now = Instant::now();
    if let Some((at, e)) = app.exchange.entries.lock().expect("entries").get(resource)
        && now.duration_since(*at) < ENTRY_TTL
    {
        return Ok(e.clone());
    }
    let e = super::catalog::published(app, resource).await?.map(|(row, spec)| {
        let upstream = match &spec.provider {
            Some(Provider::Upstream { url }) => reqwest::Url::parse(url).ok(),
            _ => None,
        };
        Arc::new(Live { row, spec, upstream })
    });
    let mut entries = app.exchange.entries.lock().expect("entries");
    if entries.len() > 10_000 {
        entries.clear();
    }
    entries.insert(resource.to_owned(), (now, e.clone()));
    Ok(e)
}

/// The client a token was issued to and its agency (none: not a department system). A token
/// whose signature was checked is remembered until it expires (at most `CLIENT_TTL`), so each
/// call does not verify it again; the client's agency is read again after `CLIENT_TTL`.
async fn client_agency(app: &App, token: &str) -> Result<(String, Option<String>), Refusal> {
    let now = Instant::now();
    let unix = Utc::now().timestamp();
    if let Some(t) = app.exchange.tokens.lock().expect("tokens").get(token)
        && now.duration_since(t.checked) < CLIENT_TTL
        && t.expires > unix
    {
        return Ok((t.client_id.clone(), t.agency.clone()));
    }
    let (client_id, expires) = crate::oidc::machine_client(app, token).map_err(|e| match e {
        AppError::Unauthenticated => Refusal::new(
            401,
            "unauthenticated",
            "访问令牌无效或已过期：请以本部门系统的客户端凭据换取令牌 (invalid or expired token: use your system's client credentials)"
                .into(),
        ),
        e => Refusal::internal(e),
    })?;
    let client = app.store.oidc_client(&client_id).await.map_err(Refusal::internal)?;
    let Some(client) = client else {
        return Err(Refusal::new(401, "unauthenticated", "访问令牌无效 (invalid token)".into()));
    };
    let mut tokens = app.exchange.tokens.lock().expect("tokens");
    if tokens.len() > 10_000 {
        tokens.retain(|_, t| t.expires > unix && now.duration_since(t.checked) < CLIENT_TTL);
        if tokens.len() > 10_000 {
            tokens.clear();
        }
    }
    let agency = client.agency_code;
    tokens.insert(
        token.to_owned(),
        super::CheckedToken { client_id: client_id.clone(), agency: agency.clone(), expires, checked: now },
    );
    Ok((client_id, agency))
}

/// Answers a query on `resource` for the holder of `token`.
pub async fn query(app: &App, token: &str, resource: &str, q: Query) -> Result<Answer, Refusal> {
    let (client_id, agency) = client_agency(app, token).await?;
    let Some(agency) = agency else {
        return Err(Refusal::forbidden(
            "not_a_data_system",
            "该客户端不是已登记的部门系统 (the client is not a registered department system)".into(),
        ));
    };
    query_as(app, &client_id, &agency, resource, q, Purpose::Case).await
}

/// The client id the platform's own calls are logged under: 免提交 fetches for a case, made
/// for the case's handling agency under that agency's grant.
pub const PLATFORM_CLIENT: &str = "platform";

/// What a call is for: a case the consuming agency handles (`Query::case_number`), or — for the
/// platform's own pre-fill — an applicant's own application of an offering (she, or the
/// organization she acts for, must be the data subject, as for a case).
#[derive(Debug, Clone, Copy)]
pub(super) enum Purpose<'a> {
    Case,
    OwnApplication { offering_code: &'a str, applicant_id: &'a str, organization: &'a str },
}

/// The purposes of the call log's keyed digests.
pub const REQUEST_DIGEST: &str = "exchange.request";
pub const RESPONSE_DIGEST: &str = "exchange.response";

/// What a call asked, as its digest covers it.
#[derive(serde::Serialize)]
struct Asked<'a> {
    case_number: &'a Option<String>,
    items: &'a Option<Vec<String>>,
    params: &'a Map<String, Value>,
    resource: &'a str,
}

/// Answers a query of `agency` (through its system `client_id`): checked, asked, logged.
pub(super) async fn query_as(
    app: &App,
    client_id: &str,
    agency: &str,
    resource: &str,
    q: Query,
    purpose: Purpose<'_>,
) -> Result<Answer, Refusal> {
    let started = Instant::now();
    let mut trace = Trace::default();
    let outcome = answer(app, agency, resource, &q, purpose, &mut trace).await;
    // Keyed digests (SM3-HMAC under the vault's index key): an id number in a request has too
    // few values for a plain digest to keep it out of the log — hashing every candidate finds it.
    let asked = Asked { case_number: &q.case_number, items: &q.items, params: &q.params, resource };
    let request_digest =
        app.vault.blind_index(REQUEST_DIGEST, &serde_json::to_string(&asked).map_err(Refusal::internal)?);
    let (status, code, body) = match &outcome {
        Ok((data, _)) => (200, "ok", data.to_string()),
        Err(r) => (r.status, r.code, json!({"code": r.code, "message": r.message}).to_string()),
    };
    let body_sealed = if app.exchange.settings.keep_bodies {
        let both =
            json!({"request": {"case_number": q.case_number, "params": q.params, "items": q.items}, "response": body});
        Some(app.vault.seal("exchange.body", &both.to_string()).map_err(Refusal::internal)?)
    } else {
        None
    };
    let entry = Entry {
        at: Utc::now(),
        client_id: client_id.into(),
        consumer_agency: agency.into(),
        resource: resource.chars().take(64).collect(),
        grant_id: trace.grant.clone(),
        case_number: q.case_number.as_ref().map(|c| c.chars().take(40).collect()),
        status,
        code: code.into(),
        upstream_ms: trace.upstream_ms,
        total_ms: started.elapsed().as_millis() as u32,
        request_sm3: request_digest,
        response_sm3: app.vault.blind_index(RESPONSE_DIGEST, &body),
        body_sealed,
    };
    let logged = log::append(app, entry).await;
    // Per resource and consumer for Prometheus (an unknown resource's name is the caller's text).
    let named = if status == 404 { "-" } else { resource };
    let status_text = if logged.is_ok() { status.to_string() } else { "503".into() };
    metrics::counter!("exchange_calls_total", "resource" => named.to_owned(), "consumer" => agency.to_owned(),
        "status" => status_text)
    .increment(1);
    metrics::histogram!("exchange_call_duration_seconds", "resource" => named.to_owned())
        .record(started.elapsed().as_secs_f64());
    let call = match logged {
        Ok(c) => c,
        Err(e) => {
            // Nothing unlogged goes out; the quota reserved for it is given back.
            if let (Some(g), Ok(_)) = (&trace.grant, &outcome) {
                release(app, g);
            }
            tracing::error!(error = %e, "a gateway call could not be logged");
            return Err(Refusal::new(
                503,
                "log_unavailable",
                "调用日志暂不可用，请稍后重试 (the call log is unavailable: retry)".into(),
            ));
        }
    };
    match outcome {
        Ok((data, items)) => Ok(Answer { data, items, grant: trace.grant.unwrap_or_default(), call }),
        Err(mut r) => {
            r.call = Some(Box::new(call));
            Err(r)
        }
    }
}

/// Everything between the token and the log: the grant, the purpose, the quota, the provider.
async fn answer(
    app: &App,
    agency: &str,
    resource: &str,
    q: &Query,
    purpose: Purpose<'_>,
    trace: &mut Trace,
) -> Result<(Value, Vec<String>), Refusal> {
    let not_found = || Refusal::new(404, "not_found", format!("没有数据资源 {resource} (no data resource {resource})"));
    let Some(live) = entry(app, resource).await? else { return Err(not_found()) };
    let spec = &live.spec;
    let today = china_today();
    let grants = live_grants(app, &live.row.identifier, agency, today).await?;
    if grants.is_empty() {
        return Err(Refusal::forbidden(
            "grant_required",
            "贵部门没有该资源的有效授权（未申请、已过期或已撤销）(no live grant: not requested, expired or revoked)"
                .into(),
        ));
    }
    let personal = spec.holds_personal_data() || matches!(spec.provider, Some(Provider::Builtin { .. }));
    let own = match purpose {
        Purpose::OwnApplication { offering_code, applicant_id, organization } => {
            Some((offering_code.to_owned(), applicant_id, organization))
        }
        Purpose::Case => None,
    };
    let case = match &q.case_number {
        _ if own.is_some() => None,
        Some(n) => Some(purpose_case(app, agency, n).await?),
        None if personal => {
            return Err(Refusal::field(
                "case_number",
                "查询个人或法人数据须注明正在办理的办件编号 (name the case you are handling)".into(),
            ));
        }
        None => None,
    };
    let offering = own.as_ref().map(|o| o.0.clone()).or_else(|| case.as_ref().map(|c| c.offering_code.clone()));
    let grant: &DataRequestRow = grants
        .iter()
        .find(|g| {
            offering
                .as_ref()
                .is_none_or(|o| serde_json::from_str::<Vec<String>>(&g.offerings).unwrap_or_default().contains(o))
        })
        .ok_or_else(|| {
            Refusal::forbidden(
                "purpose_mismatch",
                "办件所属事项不在授权用途内 (the case's service is not among the grant's purposes)".into(),
            )
        })?;
    trace.grant = Some(grant.id.clone());
    let granted: Vec<String> = serde_json::from_str(&grant.items).unwrap_or_default();
    let items = match &q.items {
        Some(wanted) => {
            if let Some(bad) = wanted.iter().find(|i| !granted.contains(i)) {
                let mut r = Refusal::forbidden(
                    "item_not_granted",
                    format!("信息项 {bad} 未获授权 (item {bad} is not granted)"),
                );
                r.field = Some(bad.clone());
                return Err(r);
            }
            wanted.clone()
        }
        None => granted,
    };
    let applicant =
        case.as_ref().map(|c| (c.applicant_id.as_str(), c.organization.as_str())).or(own.map(|o| (o.1, o.2)));
    if let (true, Some((applicant_id, organization))) = (personal, applicant) {
        subject_check(app, spec, &q.params, applicant_id, organization).await?;
    }
    reserve(app, grant, &today.to_string()).await?;
    let provided = match &spec.provider {
        None => {
            Err(Refusal::new(503, "not_connected", "该资源尚未接入共享平台 (the resource is not yet connected)".into()))
        }
        Some(Provider::Builtin { source }) => providers::builtin(app, *source, &q.params).await,
        Some(Provider::Upstream { .. }) => match &live.upstream {
            None => Err(Refusal::new(
                502,
                "upstream_refused",
                "提供方地址无效 (the upstream address is not a valid URL)".into(),
            )),
            Some(url) => {
                let body = json!({ "params": q.params, "items": items });
                providers::upstream(app, url, &body).await.map(|(v, ms)| {
                    trace.upstream_ms = ms;
                    v
                })
            }
        },
    };
    match provided {
        Ok(v) => Ok((only_granted(v, &items), items)),
        Err(e) => {
            release(app, &grant.id);
            Err(e)
        }
    }
}

/// The live grants of `agency` on `resource`. On embedded storage one process serves, and every
/// change of a request passes through it and empties the cache (`Exchange::grants_changed`), so
/// grants are kept until then — revocation still bites on the next call — and at most
/// `GRANT_TTL`, for a change that slipped past (a write whose caller went away before it could
/// empty the cache). On PostgreSQL other nodes change them, so they are read on every call.
async fn live_grants(
    app: &App,
    resource: &str,
    agency: &str,
    today: chrono::NaiveDate,
) -> Result<Arc<Vec<DataRequestRow>>, Refusal> {
    let cached = app.store.backend() == tongban_store::Backend::Sqlite;
    let key = (resource.to_owned(), agency.to_owned(), today);
    let now = Instant::now();
    let changes = {
        let g = app.exchange.grants.lock().expect("grants");
        if cached
            && let Some((at, live)) = g.live.get(&key)
            && now.duration_since(*at) < GRANT_TTL
        {
            return Ok(live.clone());
        }
        g.changes
    };
    let live = Arc::new(app.store.live_grants_of(resource, agency, today).await.map_err(Refusal::internal)?);
    let mut g = app.exchange.grants.lock().expect("grants");
    if cached && g.changes == changes {
        if g.live.len() > 10_000 {
            g.live.clear();
        }
        g.live.insert(key, (now, live.clone()));
    }
    Ok(live)
}

/// The case a call is made for: it exists and the consuming agency handles it.
async fn purpose_case(app: &App, agency: &str, number: &str) -> Result<tongban_store::cases::CaseRow, Refusal> {
    let mismatch = || {
        Refusal::forbidden(
            "purpose_mismatch",
            "办件不存在或不由贵部门办理 (no such case handled by your agency)".into(),
        )
    };
    let case = app.store.case(number.trim()).await.map_err(Refusal::internal)?.ok_or_else(mismatch)?;
    if ![&case.handling_agency, &case.receiving_agency, &case.deciding_agency].iter().any(|a| a.as_str() == agency) {
        return Err(mismatch());
    }
    Ok(case)
}

/// The data subject the parameters name must be the applicant (the person, or the organization
/// they apply for) of the case, or of the application being pre-filled.
async fn subject_check(
    app: &App,
    spec: &Resource,
    params: &Map<String, Value>,
    applicant_id: &str,
    organization: &str,
) -> Result<(), Refusal> {
    let name = match &spec.provider {
        Some(Provider::Builtin { source }) => source.subject_param().map(str::to_owned),
        _ => spec.subject.clone(),
    };
    let Some(name) = name else { return Ok(()) };
    let raw = params.get(&name).and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(Refusal::field(&name, format!("缺少查询参数 {name} (parameter {name} is required)")));
    }
    let applicant_index = crate::people::person_citizen_index(app, applicant_id).await.map_err(Refusal::internal)?;
    let same = if name == "case_number" {
        match app.store.case(raw).await.map_err(Refusal::internal)? {
            Some(other) => other.applicant_id == applicant_id && other.organization == organization,
            None => false,
        }
    } else {
        providers::same_subject(app, raw, &applicant_index, organization)
    };
    if same {
        Ok(())
    } else {
        let mut r = Refusal::forbidden(
            "not_the_subject",
            "所查询的对象不是该办件的申请人 (the data subject is not the case's applicant)".into(),
        );
        r.field = Some(name);
        Err(r)
    }
}

/// Takes one call of the grant's daily quota (429 when spent).
async fn reserve(app: &App, grant: &DataRequestRow, day: &str) -> Result<(), Refusal> {
    let key = (grant.id.clone(), day.to_owned());
    let seeded = app.exchange.quota.lock().expect("quota").contains_key(&key);
    if !seeded {
        let used = app.store.grant_calls_on(&grant.id, day).await.map_err(Refusal::internal)?;
        app.exchange.quota.lock().expect("quota").entry(key.clone()).or_insert(used);
    }
    let mut quota = app.exchange.quota.lock().expect("quota");
    // Yesterday's counters go.
    quota.retain(|(_, d), _| d.as_str() >= day);
    let used = quota.entry(key).or_insert(0);
    if *used >= grant.quota_per_day as u64 {
        let mut r = Refusal::new(
            429,
            "quota_exceeded",
            format!(
                "今日调用已达上限 {} 次，次日零时恢复 (daily quota of {} calls used)",
                grant.quota_per_day, grant.quota_per_day
            ),
        );
        r.retry_after = Some(until_midnight());
        return Err(r);
    }
    *used += 1;
    Ok(())
}

fn release(app: &App, grant: &str) {
    let day = china_today().to_string();
    if let Some(n) = app.exchange.quota.lock().expect("quota").get_mut(&(grant.to_owned(), day)) {
        *n = n.saturating_sub(1);
    }
}
