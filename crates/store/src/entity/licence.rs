//! An electronic licence as issued: its sealed form and current status.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "licences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub type_code: String,
    pub issuer_code: String,
    pub holder_person: Option<String>,
    pub holder_organization: String,
    pub status: String,
    pub sealed: String,
    pub case_number: Option<String>,
    pub valid_to: Option<Date>,
    pub issued_at: DateTimeUtc,
    /// The blind index of a citizen holder's id: binds the licence to their account when they
    /// have one.
    pub holder_index: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
