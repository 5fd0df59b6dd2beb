//! Data sharing and exchange (共享交换): the data resource catalog a steward keeps for their
//! agency (`catalog`), requests for another agency's resource decided on working-day deadlines
//! into scoped, revocable grants (`requests`), the gateway department systems query with a
//! client-credentials token (`gateway`, answering from `providers`), and the call log that
//! proves itself — appended before the answer, chained by SM3 per node, sealed in signed batches
//! off the request path (`log`). Rules: `tongban_domain::exchange`.

pub mod catalog;
pub mod gateway;
pub mod log;
pub mod monitor;
pub mod providers;
pub mod requests;
pub mod shared;

use crate::access::{Assignment, Principal};
use crate::{App, AppError};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tongban_domain::exchange::ShareDeadlines;
use tongban_domain::identity::StaffRole;

/// The exchange's settings [configurable].
#[derive(Debug, Clone)]
pub struct Settings {
    /// This node's number: its call log is chained apart from other nodes'.
    pub node: u8,
    pub deadlines: ShareDeadlines,
    /// How long the gateway waits for an upstream answer (a retry included).
    pub upstream_timeout: Duration,
    /// Keep each call's request and response, SM4-sealed, in the log (off by default: the log
    /// holds digests only, no personal data).
    pub keep_bodies: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            node: 1,
            deadlines: ShareDeadlines::default(),
            upstream_timeout: Duration::from_secs(5),
            keep_bodies: false,
        }
    }
}

/// The settings and the in-process state of the exchange.
#[derive(Default)]
pub struct Exchange {
    pub settings: Settings,
    /// The log writer, started by the first call.
    writer: tokio::sync::OnceCell<log::Writer>,
    /// Per upstream URL: consecutive failures and until when calls are cut off.
    breakers: Mutex<HashMap<String, providers::Breaker>>,
    /// Calls per grant and China day so far (seeded from the log on first use).
    quota: Mutex<HashMap<(String, String), u64>>,
    /// Published entries the gateway read lately (`gateway::ENTRY_TTL`): a publication reaches
    /// every node's gateway within it.
    entries: Mutex<HashMap<String, (std::time::Instant, gateway::Published)>>,
    /// Live grants by resource, consuming agency and day, on embedded storage only
    /// (`gateway::live_grants`): emptied by every change of a request in this process, each
    /// kept at most `gateway::GRANT_TTL`.
    grants: Mutex<Grants>,
    /// Tokens lately checked, with their client and its agency (`gateway::CLIENT_TTL`).
    tokens: Mutex<HashMap<String, CheckedToken>>,
}

/// The grants cache, and how many times it was emptied: a read that began before a change must
/// not put what it read back after it.
#[derive(Default)]
struct Grants {
    changes: u64,
    live: HashMap<(String, String, chrono::NaiveDate), (std::time::Instant, GrantRows)>,
}

type GrantRows = std::sync::Arc<Vec<tongban_store::exchange::DataRequestRow>>;

/// A token whose signature held: its client, the client's agency, when it expires (Unix
/// seconds) and when it was checked.
struct CheckedToken {
    client_id: String,
    agency: Option<String>,
    expires: i64,
    checked: std::time::Instant,
}

impl Exchange {
    pub fn new(settings: Settings) -> Self {
        Self { settings, ..Default::default() }
    }

    /// A request changed (requested, decided, revoked): the gateway reads grants afresh.
    fn grants_changed(&self) {
        let mut g = self.grants.lock().expect("grants");
        g.changes += 1;
        g.live.clear();
    }

    /// Drops this node's cached entry of a resource (it was just published here).
    fn forget(&self, identifier: &str) {
        self.entries.lock().expect("entries").remove(identifier);
    }
}

/// The data authority (数据主管部门): the platform administrator.
pub fn is_authority(roles: &[Assignment]) -> bool {
    roles.iter().any(|a| a.role == StaffRole::PlatformAdmin)
}

/// The agencies whose data the person stewards.
pub fn stewarded(roles: &[Assignment]) -> Vec<String> {
    let mut v: Vec<String> =
        roles.iter().filter(|a| a.role == StaffRole::DataSteward).map(|a| a.agency_code.clone()).collect();
    v.sort();
    v.dedup();
    v
}

/// The person's staff roles, refusing anyone who is neither a steward nor the data authority.
pub async fn data_roles(app: &App, who: &Principal) -> Result<Vec<Assignment>, AppError> {
    if who.acting.is_some() {
        return Err(AppError::Forbidden);
    }
    let roles = crate::access::roles(app, &who.person_id).await?;
    if stewarded(&roles).is_empty() && !is_authority(&roles) {
        return Err(AppError::Forbidden);
    }
    Ok(roles)
}

/// A registered department system: its client id, and the secret shown this once.
pub use crate::oidc::NewClient;

/// Registers a system of `agency_code` that queries the gateway (a client-credentials client
/// of the OIDC provider, belonging to the agency). Its steward or the data authority.
pub async fn register_system(app: &App, who: &Principal, agency_code: &str, name: &str) -> Result<NewClient, AppError> {
    let roles = data_roles(app, who).await?;
    if !is_authority(&roles) && !stewarded(&roles).iter().any(|a| a == agency_code) {
        return Err(AppError::Forbidden);
    }
    add_system(app, agency_code, name).await
}

/// Registers a system without a person (the operator's `tongban exchange add-system`).
pub async fn add_system(app: &App, agency_code: &str, name: &str) -> Result<NewClient, AppError> {
    if tongban_domain::CreditCode::parse(agency_code).is_err() {
        return Err(AppError::field("agency_code", "应为统一社会信用代码 (a credit code)"));
    }
    let c = crate::oidc::add_client(app, name, &[], &["client_credentials".into()], false).await?;
    app.store.set_oidc_client_agency(&c.client_id, agency_code).await?;
    Ok(c)
}

/// A system as its steward sees it (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemView {
    pub client_id: String,
    pub name: String,
    pub agency_code: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The systems of the agencies the person stewards (all of them for the data authority: of the
/// agencies that registered any).
pub async fn systems(app: &App, who: &Principal, agency_code: &str) -> Result<Vec<SystemView>, AppError> {
    let roles = data_roles(app, who).await?;
    if !is_authority(&roles) && !stewarded(&roles).iter().any(|a| a == agency_code) {
        return Err(AppError::Forbidden);
    }
    Ok(app
        .store
        .agency_systems(agency_code)
        .await?
        .into_iter()
        .map(|c| SystemView {
            client_id: c.client_id,
            name: c.name,
            agency_code: c.agency_code.unwrap_or_default(),
            created_at: c.created_at,
        })
        .collect())
}
