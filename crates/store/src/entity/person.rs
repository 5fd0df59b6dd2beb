//! 自然人用户: a person's account. Id number, phone and email are sealed; the indexes find them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub citizen_id_sealed: String,
    pub citizen_id_index: String,
    pub phone_sealed: String,
    pub phone_index: String,
    pub email_sealed: Option<String>,
    pub assurance: String,
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub totp_sealed: Option<String>,
    pub totp_pending_sealed: Option<String>,
    pub totp_last_step: Option<i64>,
    /// The channels notices of the person's cases go by (`sms,email`, `sms`, `email` or empty).
    pub notice_channels: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
