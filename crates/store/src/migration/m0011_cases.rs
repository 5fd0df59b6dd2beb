//! Applications (drafts, their data sealed), cases with their lifecycle and clock, the daily
//! case-number sequences, the hash-chained audit trail per case and its global anchor chain,
//! and in-site messages.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("applications")
                .col(string("id").primary_key())
                .col(string("applicant_id"))
                // Empty when the person applies for themselves.
                .col(string("organization"))
                .col(string("offering_code"))
                .col(integer("offering_version"))
                // The form data, sealed (SM4-GCM): it holds personal data.
                .col(text("data_sealed"))
                // Field → where its value was pre-filled from (no personal data).
                .col(json("prefilled"))
                // The window staff member who started it on the applicant's behalf (one-window).
                .col(string_null("started_by"))
                .col(string_null("case_number"))
                .col(string_null("submit_key"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("applications_applicant").table("applications").col("applicant_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("cases")
                .col(string("case_number").primary_key())
                .col(string("application_id").unique_key())
                .col(string("offering_code"))
                .col(integer("offering_version"))
                .col(string("offering_name"))
                .col(string("applicant_id"))
                .col(string("organization"))
                .col(string("receiving_agency"))
                .col(string("receiving_division"))
                .col(string("deciding_agency"))
                .col(string("deciding_division"))
                .col(string("case_kind"))
                .col(string("state"))
                .col(integer("step"))
                .col(json("steps"))
                .col(boolean("accepted"))
                .col(integer("limit_days"))
                .col(date_null("accepted_on"))
                .col(date_null("stopped_on"))
                .col(json("pauses"))
                .col(date_null("due"))
                .col(string("warning"))
                .col(string_null("claimed_by"))
                .col(big_integer("version"))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        // The workbench queue: an agency's open cases by state and due date.
        m.create_index(
            Index::create()
                .name("cases_queue")
                .table("cases")
                .col("deciding_agency")
                .col("state")
                .col("due")
                .col("case_number")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("cases_receiving")
                .table("cases")
                .col("receiving_agency")
                .col("state")
                .col("submitted_at")
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("cases_applicant").table("cases").col("applicant_id").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("case_sequences")
                .col(string("division"))
                .col(date("day"))
                .col(integer("node"))
                .col(big_integer("next"))
                .primary_key(Index::create().col("division").col("day").col("node"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("case_trail")
                .col(string("case_number"))
                .col(big_integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(string("actor_id"))
                .col(string("actor_role"))
                .col(string("action"))
                .col(string("before_state"))
                .col(string("after_state"))
                .col(text("detail"))
                .col(string("request_id"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .primary_key(Index::create().col("case_number").col("seq"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_chain")
                .col(big_integer("seq").primary_key())
                .col(string("case_number"))
                .col(big_integer("case_seq"))
                .col(string("entry_hash"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        // One row: the head of the global chain, updated (last) in every audited transaction so
        // that appends are serialized (a row lock on PostgreSQL, the write lock on SQLite).
        m.create_table(
            Table::create()
                .table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("audit_head")
                .columns(["id", "seq", "hash"])
                .values_panic([1.into(), 0i64.into(), "".into()])
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("messages")
                .col(string("id").primary_key())
                .col(string("person_id"))
                .col(string_null("case_number"))
                .col(string("title"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("messages_person").table("messages").col("person_id").to_owned()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
