//! People's personal data as the platform keeps it: id numbers, phones and emails sealed with
//! SM4-GCM under the key ring (the field name as associated data) and found through SM3-HMAC
//! blind indexes. The one place that opens them; every module that names, reaches or finds a
//! person asks here, and pages and logs get masked values only.

use crate::{App, AppError};
use tongban_domain::CitizenId;
use tongban_domain::calendar::china_today;
use tongban_domain::identity::Phone;
use tongban_domain::mask::mask_phone;
use tongban_store::identity::{PersonKey, PersonRow};

/// Associated data and index domains of the sealed fields. The registry's id index uses the
/// person's, so a registry entry and an account with the same id number meet.
pub(crate) const CITIZEN_ID: &str = "person.citizen_id";
pub(crate) const PHONE: &str = "person.phone";
pub(crate) const EMAIL: &str = "person.email";
pub(crate) const NAME: &str = "person.name";

const NO_PERSON: AppError = AppError::NotFound { what: "用户", what_en: "person" };

/// How a person can be reached, opened from their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub phone: String,
    pub email: Option<String>,
}

/// The blind index of a citizen id as persons and registries store it; `None` if it is invalid.
pub fn citizen_index(app: &App, raw: &str) -> Option<String> {
    CitizenId::parse(raw, china_today()).ok().map(|c| app.vault.blind_index(CITIZEN_ID, c.as_str()))
}

/// The blind index of a person's id number.
pub async fn person_citizen_index(app: &App, person_id: &str) -> Result<String, AppError> {
    Ok(app.store.person(person_id).await?.ok_or(AppError::Unauthenticated)?.citizen_id_index)
}

/// The person an id number or phone names, if registered.
pub(crate) async fn find(app: &App, identifier: &str) -> Result<Option<PersonRow>, AppError> {
    let identifier = identifier.trim();
    Ok(match (CitizenId::parse(identifier, china_today()), Phone::parse(identifier)) {
        (Ok(c), _) => app.store.person_by(PersonKey::CitizenId, &app.vault.blind_index(CITIZEN_ID, c.as_str())).await?,
        (_, Ok(p)) => app.store.person_by(PersonKey::Phone, &app.vault.blind_index(PHONE, p.as_str())).await?,
        _ => None,
    })
}

/// The id of the person an id number or phone names, if registered.
pub async fn find_person(app: &App, identifier: &str) -> Result<Option<String>, AppError> {
    Ok(find(app, identifier).await?.map(|p| p.id))
}

/// A stored person's id number, opened.
pub(crate) fn citizen_id_of(app: &App, p: &PersonRow) -> Result<String, AppError> {
    app.vault.open(CITIZEN_ID, &p.citizen_id_sealed).map_err(AppError::internal)
}

/// A stored person's phone, opened.
pub(crate) fn phone_of(app: &App, p: &PersonRow) -> Result<String, AppError> {
    app.vault.open(PHONE, &p.phone_sealed).map_err(AppError::internal)
}

/// A person's name and masked phone, for lists that name people to someone else.
pub async fn name_and_masked_phone(app: &App, person_id: &str) -> Result<(String, String), AppError> {
    let p = app.store.person(person_id).await?.ok_or(NO_PERSON)?;
    let phone = phone_of(app, &p)?;
    Ok((p.name, mask_phone(&phone)))
}

/// A person's name and citizen id number, for the licences issued to them.
pub async fn name_and_citizen_id(app: &App, person_id: &str) -> Result<(String, String), AppError> {
    let p = app.store.person(person_id).await?.ok_or(NO_PERSON)?;
    let id = citizen_id_of(app, &p)?;
    Ok((p.name, id))
}

/// How a person is reached by the notification channels.
pub async fn contact(app: &App, person_id: &str) -> Result<Contact, AppError> {
    let p = app.store.person(person_id).await?.ok_or(NO_PERSON)?;
    Ok(Contact {
        phone: phone_of(app, &p)?,
        email: p.email_sealed.map(|e| app.vault.open(EMAIL, &e)).transpose().map_err(AppError::internal)?,
    })
}

/// A person's own phone number, to fill in their own forms.
pub async fn own_phone(app: &App, person_id: &str) -> Result<String, AppError> {
    let p = app.store.person(person_id).await?.ok_or(AppError::Unauthenticated)?;
    phone_of(app, &p)
}
