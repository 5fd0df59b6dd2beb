//! A consultation, complaint or report (咨询/投诉/举报), routed to an agency on a working-day
//! clock; its steps are in the audit trail under its number.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    /// `inquiry`, `complaint`, `report`.
    pub kind: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Blank when anonymous: then only the tracking code opens it.
    pub person_id: String,
    /// SM3 of the tracking code given when it was made.
    pub code_hash: String,
    /// The case or offering it is about, blank when none.
    pub case_number: String,
    pub offering_code: String,
    /// The agency it is routed to; blank: the platform's triage.
    pub agency_code: String,
    pub division_code: String,
    /// `open`, `answered`, `closed`.
    pub state: String,
    pub opened_on: Date,
    pub limit_days: i32,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<String>,
    /// An answered inquiry shown on its offering's guide (知识库), as `faq_question` (the
    /// question as the handler published it, without personal details) and the answer.
    pub public: bool,
    #[sea_orm(column_type = "Text")]
    pub faq_question: String,
    /// The person's rating of the answer, 1–5.
    pub rating: Option<i32>,
    /// Told to the administrators once overdue (red).
    pub escalated: bool,
    pub created_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
