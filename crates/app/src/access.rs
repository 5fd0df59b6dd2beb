//! Who may do what (权限): the signed-in `Principal`, the organization a session acts for and
//! the staff roles a person holds, read from the store — and `authorize(who, Need)`, the one
//! authorization check of every protected action. The rules live here and nowhere else; this
//! module never calls a use case.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::DivisionCode;
use tongban_domain::identity::{AgentScope, Assurance, StaffRole, within};
use tongban_store::staff::StaffRoleRow;

/// Who is making a request: the person and their session, and the organization the session
/// acts for, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub person_id: String,
    pub session_id: String,
    pub name: String,
    pub assurance: Assurance,
    pub acting: Option<Acting>,
}

/// Acting for an organization: as its legal representative (every scope, and managing agents)
/// or as an agent with the scopes of a live grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub credit_code: String,
    pub name: String,
    pub legal_rep: bool,
    pub scopes: Vec<AgentScope>,
}

/// A live staff role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub id: String,
    pub person_id: String,
    pub role: StaffRole,
    /// Empty for the platform administrator.
    pub agency_code: String,
    pub division_code: String,
    pub granted_at: DateTime<Utc>,
}

pub(crate) fn assignment(r: StaffRoleRow) -> Option<Assignment> {
    Some(Assignment {
        role: StaffRole::parse(&r.role)?,
        id: r.id,
        person_id: r.person_id,
        agency_code: r.agency_code,
        division_code: r.division_code,
        granted_at: r.granted_at,
    })
}

/// Where a staff action applies: an agency and a division, or (`None`) the whole platform.
pub type Place<'a> = Option<(&'a str, &'a str)>;

/// Whether `a` covers acting at `place`: the platform administrator everywhere, others at their
/// agency within their division subtree.
pub fn covers(a: &Assignment, place: Place) -> bool {
    if a.role == StaffRole::PlatformAdmin {
        return true;
    }
    let Some((agency, division)) = place else { return false };
    let (Ok(division), Ok(root)) = (DivisionCode::parse(division), DivisionCode::parse(&a.division_code)) else {
        return false;
    };
    a.agency_code == agency && within(&division, &root)
}

/// The person's live staff roles.
pub async fn roles(app: &App, person_id: &str) -> Result<Vec<Assignment>, AppError> {
    Ok(app.store.staff_roles(Some(person_id), None).await?.into_iter().filter_map(assignment).collect())
}

/// The administrators of `agency` whose division subtree holds `division`: whom its overdue work
/// (red cases, red rectifications) is escalated to.
pub async fn administrators_over(app: &App, agency: &str, division: &str) -> Result<Vec<String>, AppError> {
    let Ok(division) = DivisionCode::parse(division) else { return Ok(Vec::new()) };
    Ok(app
        .store
        .staff_roles(None, Some(agency))
        .await?
        .into_iter()
        .filter(|r| r.role == StaffRole::AgencyAdmin.as_str())
        .filter(|r| DivisionCode::parse(&r.division_code).is_ok_and(|root| within(&division, &root)))
        .map(|r| r.person_id)
        .collect())
}

/// How the person may act for `credit_code` now, if at all: as its legal representative, or by a
/// live grant (the newest). Asked on every request of a session acting for an organization, so it
/// reads only that organization and that person's grants for it.
pub async fn acting(app: &App, person_id: &str, credit_code: &str) -> Result<Option<Acting>, AppError> {
    let Some(org) = app.store.organization(credit_code).await? else { return Ok(None) };
    let scopes = if org.legal_rep_person_id == person_id {
        Some(AgentScope::ALL.to_vec())
    } else {
        let grants = app.store.live_grants(Some(person_id), Some(credit_code), Utc::now()).await?;
        grants.first().map(|g| AgentScope::parse_list(&g.scopes))
    };
    Ok(scopes.map(|scopes| Acting {
        legal_rep: org.legal_rep_person_id == person_id,
        credit_code: org.credit_code,
        name: org.name,
        scopes,
    }))
}

/// What an action needs.
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// Acting for an organization with this scope: its legal representative (every scope) or an
    /// agent whose live grant has it.
    Organization(AgentScope),
    /// Managing an organization's agents: its legal representative, acting for it.
    OrganizationManagement,
    /// One of these staff roles covering the place: an agency over a division subtree, or
    /// (`None`) the whole platform, which only the platform administrator covers.
    Staff(&'a [StaffRole], Place<'a>),
    /// One of these staff roles, wherever it is held (e.g. a window verifying a person face to
    /// face).
    StaffAnywhere(&'a [StaffRole]),
}

/// Whether `who` may do what `need` says; `Forbidden` if not. Staff act as themselves, never while
/// acting for an organization.
pub async fn authorize(app: &App, who: &Principal, need: Need<'_>) -> Result<(), AppError> {
    let allowed = match need {
        Need::Organization(scope) => who.acting.as_ref().is_some_and(|a| a.scopes.contains(&scope)),
        Need::OrganizationManagement => who.acting.as_ref().is_some_and(|a| a.legal_rep),
        Need::Staff(needed, place) => {
            who.acting.is_none()
                && roles(app, &who.person_id).await?.iter().any(|a| needed.contains(&a.role) && covers(a, place))
        }
        Need::StaffAnywhere(needed) => {
            who.acting.is_none() && roles(app, &who.person_id).await?.iter().any(|a| needed.contains(&a.role))
        }
    };
    if allowed { Ok(()) } else { Err(AppError::Forbidden) }
}
