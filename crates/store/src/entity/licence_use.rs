//! A licence used instead of a material (用证), with its annotated copy.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "licence_uses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub licence_id: String,
    pub application_id: String,
    pub offering_code: String,
    pub material: String,
    pub using_agency: String,
    pub use_reason: String,
    pub copy: String,
    pub used_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
