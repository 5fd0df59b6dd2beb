//! Data sharing and exchange: the data resource catalog (each saved version kept, one published),
//! requests and grants (their trail is the audit trail, keyed by request number), the gateway's
//! call log chained per node and sealed in batches, the agency a machine client belongs to, and
//! 免提交: the shared materials an applicant chose to upload instead, and what a case fetched.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("oidc_clients").add_column(string_null("agency_code")).to_owned()).await?;
        m.create_table(
            Table::create()
                .table("data_resources")
                .col(string("identifier").primary_key())
                .col(string("agency_code"))
                .col(string("name"))
                .col(string("sharing"))
                .col(integer("latest_version"))
                .col(integer_null("published_version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("data_resources_agency").table("data_resources").col("agency_code").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("data_resource_versions")
                .col(string("identifier"))
                .col(integer("version"))
                .col(text("body"))
                .col(string("saved_by"))
                .col(timestamp_with_time_zone("saved_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .primary_key(Index::create().col("identifier").col("version"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("data_requests")
                .col(string("id").primary_key())
                .col(string("resource"))
                .col(integer("resource_version"))
                .col(string("provider_agency"))
                .col(string("consumer_agency"))
                .col(string("requested_by"))
                .col(text("purpose"))
                .col(text("legal_basis"))
                .col(text("offerings"))
                .col(text("items"))
                .col(integer("quota_per_day"))
                .col(date("expires_on"))
                .col(string("state"))
                .col(date_null("stage_from"))
                .col(integer("stage_days"))
                .col(text("reasons"))
                .col(big_integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        for (name, col) in
            [("data_requests_consumer", "consumer_agency"), ("data_requests_provider", "provider_agency")]
        {
            m.create_index(Index::create().name(name).table("data_requests").col(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("exchange_log")
                .col(integer("node"))
                .col(big_integer("seq"))
                .col(timestamp_with_time_zone("at"))
                .col(string("day"))
                .col(string("client_id"))
                .col(string("consumer_agency"))
                .col(string("resource"))
                .col(string_null("grant_id"))
                .col(string_null("case_number"))
                .col(integer("status"))
                .col(string("code"))
                .col(integer("upstream_ms"))
                .col(integer("total_ms"))
                .col(string("request_sm3"))
                .col(string("response_sm3"))
                .col(text_null("body_sealed"))
                .col(string("prev_hash"))
                .col(string("hash"))
                .primary_key(Index::create().col("node").col("seq"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("exchange_log_grant_day").table("exchange_log").col("grant_id").col("day").to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("exchange_log_day").table("exchange_log").col("day").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("shared_declines")
                .col(string("application_id"))
                .col(string("material"))
                .primary_key(Index::create().col("application_id").col("material"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("case_shared_data")
                .col(string("case_number"))
                .col(string("material"))
                .col(string("resource"))
                .col(string("offering_code"))
                .col(string("status"))
                .col(text_null("data_sealed"))
                .col(text("error"))
                .col(integer_null("call_node"))
                .col(big_integer_null("call_seq"))
                .col(string_null("call_hash"))
                .col(timestamp_with_time_zone("fetched_at"))
                .primary_key(Index::create().col("case_number").col("material"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("exchange_seals")
                .col(integer("node"))
                .col(big_integer("batch"))
                .col(big_integer("first_seq"))
                .col(big_integer("last_seq"))
                .col(string("root"))
                .col(string("key_id"))
                .col(text("signature"))
                .col(timestamp_with_time_zone("sealed_at"))
                .primary_key(Index::create().col("node").col("batch"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
