//! A text message or e-mail to send, and how its delivery went.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub person_id: String,
    /// `sms` or `email`.
    pub channel: String,
    pub kind: String,
    pub payload_sealed: String,
    /// `pending`, `sent`, `failed`, `expired`, `skipped` or `combined` (into a later message).
    pub status: String,
    pub attempts: i32,
    pub next_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub receipt: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// What the message is about (a case notice's case number): a later pending message of the
    /// same topic and channel carries it, and it is not sent on its own.
    pub topic: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
