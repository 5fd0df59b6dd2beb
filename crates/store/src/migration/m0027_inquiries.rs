//! Consultations and complaints (咨询投诉举报): one row per item, routed to an agency (blank: the
//! platform's triage) in a division, on a working-day clock; its steps are in the audit trail,
//! keyed by its number.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("inquiries")
                .col(string("number").primary_key())
                .col(string("kind"))
                .col(string("subject"))
                .col(text("body"))
                .col(string("person_id"))
                .col(string("code_hash"))
                .col(string("case_number"))
                .col(string("offering_code"))
                .col(string("agency_code"))
                .col(string("division_code"))
                .col(string("state"))
                .col(date("opened_on"))
                .col(integer("limit_days"))
                .col(text("answer"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(string_null("answered_by"))
                .col(boolean("public"))
                .col(text("faq_question"))
                .col(integer_null("rating"))
                .col(boolean("escalated"))
                .col(timestamp_with_time_zone("created_at"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("inquiries_by_agency", &["agency_code", "state"][..]),
            ("inquiries_by_person", &["person_id"][..]),
            ("inquiries_public", &["offering_code", "public"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("inquiries");
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("inquiries").to_owned()).await
    }
}
