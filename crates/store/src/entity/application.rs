//! An application (申请): a draft, or submitted and then a case.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub applicant_id: String,
    pub organization: String,
    pub offering_code: String,
    pub offering_version: i32,
    pub data_sealed: String,
    pub prefilled: Json,
    pub started_by: Option<String>,
    pub case_number: Option<String>,
    pub submit_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
