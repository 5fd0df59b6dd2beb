//! 实施清单: an offering, its draft and a pointer to its latest published version.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offerings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub offering_code: String,
    pub name: String,
    pub item_code: String,
    pub agency_code: String,
    pub division_code: String,
    pub level: String,
    pub published_version: Option<i32>,
    pub published_at: Option<DateTimeUtc>,
    pub revision: i64,
    pub draft: Option<Json>,
    pub draft_updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
