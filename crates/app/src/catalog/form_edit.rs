//! Form administration (表单管理): the platform's and an offering's agency administrators edit
//! the offering's application form — it is part of the guide, so it is saved in the guide's
//! draft and published as the guide's next version.

use crate::access::{self, Need, Principal};
use crate::{App, AppError};
use tongban_domain::catalog::Offering;
use tongban_domain::forms::Form;
use tongban_domain::identity::StaffRole;

/// An offering's form as an administrator edits it: the draft's when there is a draft, else the
/// published guide's (the generic form when the guide declares none).
#[derive(Debug, Clone)]
pub struct FormEditing {
    pub code: String,
    pub offering_name: String,
    pub published_version: i32,
    /// Whether `form` comes from an unpublished draft.
    pub from_draft: bool,
    pub form: Form,
}

/// Who administers an offering's form: the platform administrators and the agency
/// administrators of the offering's agency and division.
async fn may_edit(app: &App, who: &Principal, o: &Offering) -> Result<(), AppError> {
    let place = (o.agency.credit_code.as_str(), o.division_code.as_str());
    access::authorize(app, who, Need::Staff(&[StaffRole::AgencyAdmin, StaffRole::PlatformAdmin], Some(place))).await
}

/// The form of offering `code`, for its administrators.
pub async fn form_for_editing(app: &App, who: &Principal, code: &str) -> Result<FormEditing, AppError> {
    let published = super::get(&app.store, code).await?;
    may_edit(app, who, &published.offering).await?;
    let draft = app.store.draft(code).await?;
    let from_draft = draft.as_ref().is_some_and(|d| d.form.is_some());
    let source = draft.filter(|d| d.form.is_some()).unwrap_or_else(|| published.offering.clone());
    Ok(FormEditing {
        code: code.to_owned(),
        offering_name: published.offering.name.clone(),
        published_version: published.version,
        from_draft,
        form: source.form().into_owned(),
    })
}

/// Puts `form` into the draft of offering `code` (a draft made from the published guide when
/// there is none) and, when `publish`, publishes that draft as the guide's next version; returns
/// the version published.
pub async fn save_form(
    app: &App,
    who: &Principal,
    code: &str,
    form: Form,
    publish: bool,
) -> Result<Option<i32>, AppError> {
    let published = super::get(&app.store, code).await?;
    may_edit(app, who, &published.offering).await?;
    let mut draft = app.store.draft(code).await?.unwrap_or(published.offering);
    draft.form = Some(form);
    super::save_draft(app, &draft).await?;
    if !publish {
        return Ok(None);
    }
    let outcome = super::publish_draft(app, code, "表单修改 (form changed)").await?;
    tracing::info!(offering = code, version = outcome.version, by = %who.person_id, "form published");
    Ok(Some(outcome.version))
}
