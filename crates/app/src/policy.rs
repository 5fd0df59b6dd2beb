//! The one authorization check of Tongban: every protected action says what it needs, and
//! `authorize` answers for the signed-in principal. The rules live here and nowhere else.

use crate::identity::Principal;
use crate::staff::{self, Place};
use crate::{App, AppError};
use tongban_domain::identity::{AgentScope, StaffRole};

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
        Need::Staff(roles, place) => {
            who.acting.is_none()
                && staff::roles(app, &who.person_id)
                    .await?
                    .iter()
                    .any(|a| roles.contains(&a.role) && staff::covers(a, place))
        }
        Need::StaffAnywhere(roles) => {
            who.acting.is_none() && staff::roles(app, &who.person_id).await?.iter().any(|a| roles.contains(&a.role))
        }
    };
    if allowed { Ok(()) } else { Err(AppError::Forbidden) }
}
