//! What answers a query: a department system over HTTP (through the one outbound client — no
//! redirects, internal addresses only where allowed — with a deadline, one retry of a failed
//! connection, and a circuit breaker per upstream), or data the platform holds.

use super::gateway::Refusal;
use crate::{App, AppError};
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use tongban_domain::exchange::Builtin;
use tongban_domain::licences::SignedLicence;
use tongban_domain::{CitizenId, CreditCode};

/// Consecutive failures that cut an upstream off, and for how long.
const TRIP_AFTER: u32 = 5;
const OPEN_FOR: Duration = Duration::from_secs(30);
/// The largest answer read from an upstream.
const MAX_ANSWER: usize = 1 << 20;

/// One upstream's circuit breaker.
#[derive(Debug, Default, Clone, Copy)]
pub struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

fn param<'a>(params: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, Refusal> {
    params
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Refusal::field(name, format!("缺少查询参数 {name} (parameter {name} is required)")))
}

/// The answer of a built-in provider.
pub async fn builtin(app: &App, source: Builtin, params: &Map<String, Value>) -> Result<Value, Refusal> {
    Ok(match source {
        Builtin::Population => {
            let raw = param(params, "id_number")?;
            let index = crate::people::citizen_index(app, raw)
                .ok_or_else(|| Refusal::field("id_number", "公民身份号码无效 (not a valid id number)".into()))?;
            let registered = app.store.registry_name(&index).await.map_err(Refusal::internal)?;
            let name_matches = params
                .get("name")
                .and_then(Value::as_str)
                .map(|n| registered.as_deref() == Some(app.vault.blind_index(crate::people::NAME, n.trim()).as_str()));
            json!({ "registered": registered.is_some(), "name_matches": name_matches })
        }
        Builtin::LegalPerson => {
            let code = CreditCode::parse(param(params, "credit_code")?)
                .map_err(|_| Refusal::field("credit_code", "统一社会信用代码无效 (not a valid credit code)".into()))?;
            match app.store.legal_entry(code.as_str()).await.map_err(Refusal::internal)? {
                Some(e) => json!({ "registered": true, "credit_code": e.credit_code, "name": e.name }),
                None => json!({ "registered": false, "credit_code": code.as_str() }),
            }
        }
        Builtin::LicencesByHolder => {
            let holder = param(params, "holder_code")?;
            let rows = if let Ok(c) = CreditCode::parse(holder) {
                app.store.licences_of("", c.as_str()).await.map_err(Refusal::internal)?
            } else {
                let index = crate::people::citizen_index(app, holder).ok_or_else(|| {
                    Refusal::field(
                        "holder_code",
                        "应为公民身份号码或统一社会信用代码 (an id number or credit code)".into(),
                    )
                })?;
                let mut rows = app.store.unbound_licences(&index).await.map_err(Refusal::internal)?;
                if let Some(p) = app
                    .store
                    .person_by(tongban_store::identity::PersonKey::CitizenId, &index)
                    .await
                    .map_err(Refusal::internal)?
                {
                    rows.extend(app.store.licences_of(&p.id, "").await.map_err(Refusal::internal)?);
                }
                rows
            };
            let list: Vec<Value> = rows
                .iter()
                .filter_map(|r| Some((r, serde_json::from_str::<SignedLicence>(&r.sealed).ok()?)))
                .map(|(r, s)| {
                    let l = s.licence;
                    json!({
                        "identifier": l.id, "name": l.name, "number": l.number, "status": r.status,
                        "issuer_name": l.issuer_name, "valid_to": l.valid_to, "holder_name": l.holder_name,
                    })
                })
                .collect();
            Value::Array(list)
        }
        Builtin::CaseResults => {
            let number = param(params, "case_number")?;
            match app.store.case(number).await.map_err(Refusal::internal)? {
                Some(c) => {
                    let licence = app.store.licence_of_case(&c.case_number).await.map_err(Refusal::internal)?;
                    json!({
                        "case_number": c.case_number, "offering_name": c.offering_name, "state": c.state,
                        "concluded": c.state == "concluded", "updated_at": c.updated_at,
                        "licence_id": licence.map(|l| l.id),
                    })
                }
                None => return Err(Refusal::new(404, "no_data", "没有这个办件 (no such case)".into())),
            }
        }
    })
}

/// Whether an id number or credit code given as `raw` names the same holder as `index` (a
/// person's blind index) or `organization`.
pub fn same_subject(app: &App, raw: &str, person_index: &str, organization: &str) -> bool {
    if let Ok(c) = CreditCode::parse(raw) {
        return !organization.is_empty() && c.as_str() == organization;
    }
    organization.is_empty()
        && CitizenId::parse(raw, tongban_domain::calendar::china_today()).is_ok()
        && crate::people::citizen_index(app, raw).as_deref() == Some(person_index)
}

/// Asks a department system: posts `{"params", "items"}` and reads a JSON object or array.
pub async fn upstream(app: &App, url: &reqwest::Url, body: &Value) -> Result<(Value, u32), Refusal> {
    let ex = &app.exchange;
    {
        let breakers = ex.breakers.lock().expect("breakers");
        if let Some(b) = breakers.get(url.as_str())
            && b.open_until.is_some_and(|t| t > Instant::now())
        {
            return Err(Refusal::new(
                502,
                "upstream_unavailable",
                "提供方系统连续失败，暂停调用 30 秒 (the provider's system keeps failing: calls paused)".into(),
            ));
        }
    }
    if !app.outbound.url_permitted(url) {
        return Err(Refusal::new(
            502,
            "upstream_refused",
            "提供方地址不在允许范围 (the upstream address is not allowed)".into(),
        ));
    }
    let started = Instant::now();
    let deadline = started + ex.settings.upstream_timeout;
    let mut attempt = 0;
    let result = loop {
        attempt += 1;
        let left = deadline.saturating_duration_since(Instant::now());
        let sent = app.outbound.http.post(url.clone()).timeout(left).json(body).send().await;
        match sent {
            // A connection that never got through is retried once: the query reads only.
            Err(e) if e.is_connect() && attempt < 2 && Instant::now() < deadline => continue,
            Err(e) if e.is_timeout() => {
                break Err(Refusal::new(
                    504,
                    "upstream_timeout",
                    "提供方系统响应超时 (the provider's system was too slow)".into(),
                ));
            }
            Err(e) => {
                tracing::warn!(%url, error = %e, "upstream failed");
                break Err(Refusal::new(
                    502,
                    "upstream_failed",
                    "提供方系统不可用 (the provider's system is down)".into(),
                ));
            }
            Ok(resp) if !resp.status().is_success() => {
                let s = resp.status();
                if (s.as_u16() == 502 || s.as_u16() == 503) && attempt < 2 && Instant::now() < deadline {
                    continue;
                }
                break Err(Refusal::new(
                    502,
                    "upstream_failed",
                    format!("提供方系统返回 {} (the provider's system answered {})", s.as_u16(), s.as_u16()),
                ));
            }
            Ok(resp) => break read(resp).await,
        }
    };
    let mut breakers = ex.breakers.lock().expect("breakers");
    match &result {
        Err(r) if r.status >= 502 && r.code != "upstream_malformed" => {
            let b = breakers.entry(url.as_str().to_owned()).or_default();
            b.failures += 1;
            if b.failures >= TRIP_AFTER {
                b.open_until = Some(Instant::now() + OPEN_FOR);
                b.failures = 0;
                tracing::warn!(%url, "upstream cut off for 30 s after repeated failures");
            }
        }
        // An upstream that answers starts afresh: no breaker is a closed one.
        _ => {
            breakers.remove(url.as_str());
        }
    }
    result.map(|v| (v, started.elapsed().as_millis() as u32))
}

async fn read(resp: reqwest::Response) -> Result<Value, Refusal> {
    let malformed = || {
        Refusal::new(
            502,
            "upstream_malformed",
            "提供方系统返回的数据格式错误 (the provider's answer is malformed)".into(),
        )
    };
    if resp.content_length().is_some_and(|n| n as usize > MAX_ANSWER) {
        return Err(malformed());
    }
    let bytes = resp.bytes().await.map_err(|e| {
        if e.is_timeout() {
            Refusal::new(504, "upstream_timeout", "提供方系统响应超时 (the provider's system was too slow)".into())
        } else {
            malformed()
        }
    })?;
    if bytes.len() > MAX_ANSWER {
        return Err(malformed());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(v),
        _ => Err(malformed()),
    }
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::internal(e)
    }
}
