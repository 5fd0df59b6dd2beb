//! Staff (工作人员) of unified identity: roles held at an agency over a division subtree, handed
//! out by the platform administrator (any role, anywhere; the first one from the command line)
//! and by agency administrators (window staff, approvers, auditors — in their own agency and
//! subtree). Every staff action passes `access::authorize`.

use crate::access::{self, Assignment, Need, Place, Principal, assignment, covers, roles};
use crate::people;
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use tongban_domain::identity::StaffRole;
use tongban_domain::{CreditCode, DivisionCode};
use tongban_store::staff::StaffRoleRow;

/// Where an assignment applies.
fn place_of(a: &Assignment) -> Place<'_> {
    (a.role != StaffRole::PlatformAdmin).then_some((a.agency_code.as_str(), a.division_code.as_str()))
}

/// The roles that may assign or revoke `role`.
fn administrators_of(role: StaffRole) -> &'static [StaffRole] {
    if role.assignable_by_agency_admin() {
        &[StaffRole::PlatformAdmin, StaffRole::AgencyAdmin]
    } else {
        &[StaffRole::PlatformAdmin]
    }
}

/// A staff assignment request.
#[derive(Debug, Clone, Default)]
pub struct NewAssignment {
    /// The person's id number or phone; they must be registered.
    pub person: String,
    pub role: String,
    pub agency_code: String,
    pub division_code: String,
}

/// Assigns a role. `by` is the administrator doing it; `None` is the command line on the
/// server, which may only create platform administrators (the first one, or a replacement).
pub async fn assign(app: &App, by: Option<&Principal>, form: NewAssignment) -> Result<Assignment, AppError> {
    let mut fields = std::collections::BTreeMap::new();
    let role = StaffRole::parse(form.role.trim());
    if role.is_none() {
        fields.insert("role".to_owned(), "未知角色 (unknown role)".to_owned());
    }
    let platform = role == Some(StaffRole::PlatformAdmin);
    // Agencies and divisions are named as people know them, or by their codes.
    let (agency, division) = if platform {
        (String::new(), String::new())
    } else {
        let agency = match agency_named(app, form.agency_code.trim()).await? {
            Ok(a) => Some(a),
            Err(message) => {
                fields.insert("agency_code".to_owned(), message);
                None
            }
        };
        let division = match (&agency, form.division_code.trim()) {
            // The agency's own, once the agency is found.
            (None, "") => String::new(),
            (agency, text) => match division_named(text, agency.as_ref().map(|a| a.1.as_str())) {
                Ok(d) => d,
                Err(message) => {
                    fields.insert("division_code".to_owned(), message);
                    String::new()
                }
            },
        };
        (agency.map(|a| a.0).unwrap_or_default(), division)
    };
    let person = people::find_person(app, &form.person).await?;
    if person.is_none() {
        fields
            .insert("person".to_owned(), "未找到该注册用户 (no registered person with that id number or phone)".into());
    }
    let (Some(role), Some(person), true) = (role, person, fields.is_empty()) else {
        return Err(AppError::Validation { fields });
    };
    let place = (!platform).then_some((agency.as_str(), division.as_str()));
    let granted_by = match by {
        None if platform => "command line".to_owned(),
        None => return Err(AppError::Forbidden),
        Some(who) => {
            access::authorize(app, who, Need::Staff(administrators_of(role), place)).await?;
            who.person_id.clone()
        }
    };
    // The same role at the same place once: a second grant would only be a second row to revoke.
    let held = access::roles(app, &person).await?;
    if held.iter().any(|a| a.role == role && a.agency_code == agency && a.division_code == division) {
        return Err(AppError::Conflict {
            field: "role",
            message: "该人员已在此部门和辖区担任此角色 (already holds this role at this agency and division)".into(),
        });
    }
    let row = StaffRoleRow {
        id: tongban_crypto::token().map_err(AppError::internal)?[..16].to_owned(),
        person_id: person,
        role: role.as_str().to_owned(),
        agency_code: agency,
        division_code: division,
        granted_by,
        granted_at: Utc::now(),
        revoked_at: None,
    };
    app.store.insert_staff_role(row.clone()).await?;
    tracing::info!(role = %row.role, agency = %row.agency_code, division = %row.division_code, person = %row.person_id, "staff role assigned");
    assignment(row).ok_or_else(|| AppError::internal("assigned role does not parse"))
}

/// An agency's name (its credit code when it has none on the platform).
pub async fn agency_name(app: &App, code: &str) -> Result<String, AppError> {
    let names = app.store.agency_names(&[code.to_owned()]).await?;
    Ok(names.into_iter().next().map(|(_, n)| n).unwrap_or_else(|| code.to_owned()))
}

/// An agency named by its credit code or its exact name: its code and (when in the catalog)
/// its division; or what to enter instead.
async fn agency_named(app: &App, text: &str) -> Result<Result<(String, String), String>, AppError> {
    if text.is_empty() {
        return Ok(Err("请输入机构名称或统一社会信用代码 (enter the agency's name or credit code)".into()));
    }
    let agencies = app.store.agencies().await?;
    if let Ok(code) = CreditCode::parse(text) {
        let division = agencies.into_iter().find(|a| a.0 == code.as_str()).map(|a| a.2).unwrap_or_default();
        return Ok(Ok((code.as_str().to_owned(), division)));
    }
    let named: Vec<_> = agencies.into_iter().filter(|a| a.1 == text).collect();
    Ok(match named.as_slice() {
        [(code, _, division)] => Ok((code.clone(), division.clone())),
        [] => Err(format!(
            "未找到名为“{text}”的机构，请从列表中选择或输入统一社会信用代码 (no agency called “{text}”: choose one from the list, or enter its credit code)"
        )),
        _ => Err(format!(
            "有多个名为“{text}”的机构，请输入统一社会信用代码 (several agencies are called “{text}”: enter the credit code)"
        )),
    })
}

/// The division of an assignment: a code; a name within the agency's division; or, left empty,
/// the agency's own division.
fn division_named(text: &str, agency_division: Option<&str>) -> Result<String, String> {
    let under = agency_division.filter(|d| !d.is_empty());
    if let Ok(d) = DivisionCode::parse(text) {
        // A role holds within its agency's area: a code apart from it (neither under it nor above
        // it) is refused.
        let code = d.as_str();
        let apart = |u: &str| !crate::datasets::within(code, u) && !crate::datasets::within(u, code);
        return match under {
            Some(u) if crate::datasets::division_known(u) && apart(u) => Err(format!(
                "{code} 不在该部门所在地区内，请输入其下级地区 ({code} is outside the agency's division: enter one under it)"
            )),
            _ => Ok(code.to_owned()),
        };
    }
    match (text.is_empty(), under) {
        (true, Some(d)) => Ok(d.to_owned()),
        (true, None) => Err("请输入辖区的区划代码 (enter the division's code)".into()),
        (false, Some(d)) => match crate::datasets::divisions_named(text, d).as_slice() {
            [one] => Ok((*one).to_owned()),
            [] => Err(format!(
                "该部门所在地区内没有名为“{text}”的地区，请输入其下级地区的名称或区划代码 (no division “{text}” within the agency's: enter one under it, or its code)"
            )),
            _ => Err(format!(
                "有多个名为“{text}”的地区，请输入区划代码 (several divisions are called “{text}”: enter the code)"
            )),
        },
        (false, None) => Err("请输入区划代码 (enter the division's code)".into()),
    }
}

/// The agencies an administrator holding roles `mine` may assign staff to, by name: (credit code,
/// name, place).
pub async fn assignable_agencies(app: &App, mine: &[Assignment]) -> Result<Vec<(String, String, String)>, AppError> {
    let platform = mine.iter().any(|a| a.role == StaffRole::PlatformAdmin);
    Ok(app
        .store
        .agencies()
        .await?
        .into_iter()
        .filter(|(code, _, _)| {
            platform || mine.iter().any(|a| a.role == StaffRole::AgencyAdmin && a.agency_code == *code)
        })
        .map(|(code, name, division)| (code, name, crate::datasets::place_name(&division)))
        .collect())
}

/// Ends a role; the same rule as assigning it decides who may.
pub async fn revoke(app: &App, who: &Principal, id: &str) -> Result<(), AppError> {
    let Some(row) = app.store.staff_role(id).await? else {
        return Err(AppError::NotFound { what: "角色", what_en: "role" });
    };
    let revoked = row.revoked_at.is_some();
    let a = assignment(row).ok_or(AppError::NotFound { what: "角色", what_en: "role" })?;
    access::authorize(app, who, Need::Staff(administrators_of(a.role), place_of(&a))).await?;
    if revoked {
        return Err(AppError::Conflict {
            field: "role", message: "该角色已撤销 (the role is revoked already)".into()
        });
    }
    app.store.revoke_staff_role(id, Utc::now()).await?;
    Ok(())
}

/// A staff member as the administrator's page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffView {
    pub assignment: Assignment,
    pub name: String,
    pub phone_masked: String,
}

/// The staff an administrator manages: the platform administrator everyone, an agency
/// administrator their agency's staff within their subtree.
pub async fn managed(app: &App, who: &Principal) -> Result<Vec<StaffView>, AppError> {
    let mine = roles(app, &who.person_id).await?;
    if who.acting.is_some() {
        return Err(AppError::Forbidden);
    }
    let admin: Vec<&Assignment> =
        mine.iter().filter(|a| matches!(a.role, StaffRole::PlatformAdmin | StaffRole::AgencyAdmin)).collect();
    if admin.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut out = Vec::new();
    for r in app.store.staff_roles(None, None).await?.into_iter().filter_map(assignment) {
        let visible = admin
            .iter()
            .any(|a| a.role == StaffRole::PlatformAdmin || place_of(&r).is_some_and(|p| covers(a, Some(p))));
        if visible {
            let (name, phone_masked) = people::name_and_masked_phone(app, &r.person_id).await?;
            out.push(StaffView { assignment: r, name, phone_masked });
        }
    }
    Ok(out)
}

/// Level 4 (窗口核验): window staff have seen the person and their identity card at the window.
/// The person is named by id number or phone; the number on the card must be the account's.
pub async fn verify_in_person(app: &App, who: &Principal, person: &str, card_number: &str) -> Result<(), AppError> {
    access::authorize(app, who, Need::StaffAnywhere(&[StaffRole::WindowStaff])).await?;
    let found = people::find_person(app, person).await?;
    let Some(person_id) = found else {
        return Err(AppError::field("person", "未找到该注册用户 (no registered person with that id number or phone)"));
    };
    let index = people::citizen_index(app, card_number)
        .ok_or_else(|| AppError::field("card_number", "证件号码无效 (not a valid id number)"))?;
    if index != people::person_citizen_index(app, &person_id).await? {
        return Err(AppError::field("card_number", "证件号码与该账号不符 (the card does not match the account)"));
    }
    app.store.set_assurance(&person_id, tongban_domain::identity::Assurance::L4.as_str()).await?;
    tracing::info!(person = %person_id, by = %who.person_id, "verified in person at a window: L4");
    Ok(())
}
