//! The rating counts of one month, agency, offering and division (`tongban_domain::ratings::Counts`);
//! a blank offering is the agency's row in that division, a blank agency too the division's.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "rating_figures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub offering_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub division_code: String,
    pub rateable: i64,
    pub rated: i64,
    pub good: i64,
    pub bad: i64,
    pub bad_answered: i64,
    pub rectified: i64,
    pub judged: i64,
    pub satisfied: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
