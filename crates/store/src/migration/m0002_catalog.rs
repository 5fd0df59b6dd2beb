//! The service catalog: agencies, base-catalog items, offerings and every published version of
//! each offering's guide.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("agencies")
                .col(string("credit_code").primary_key())
                .col(string("name"))
                .col(string("division_code"))
                .col(string("level"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("items")
                .col(string("code").primary_key())
                .col(string("name"))
                .col(string("item_type"))
                .col(string_null("main_item"))
                .col(string_null("sub_item"))
                .col(string("handling"))
                .col(string("competent_department"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("offerings")
                .col(string("offering_code").primary_key())
                .col(string("name"))
                .col(string("item_code"))
                .col(string("agency_code"))
                .col(string("division_code"))
                .col(string("level"))
                // The latest published version, none while only a draft exists.
                .col(integer_null("published_version"))
                .col(timestamp_with_time_zone_null("published_at"))
                // The catalog revision of the latest publication: the search index catches up
                // to the highest revision it has seen.
                .col(big_integer("revision"))
                .col(json_null("draft"))
                .col(timestamp_with_time_zone_null("draft_updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("offerings_revision").table("offerings").col("revision").to_owned())
            .await?;
        m.create_index(Index::create().name("offerings_item").table("offerings").col("item_code").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("offering_versions")
                .col(string("offering_code"))
                .col(integer("version"))
                .col(json("guide"))
                // What the publication was: an edit, an import of a named file, the demo data.
                .col(string("note"))
                .col(timestamp_with_time_zone("published_at"))
                .primary_key(Index::create().col("offering_code").col("version"))
                .foreign_key(
                    ForeignKey::create()
                        .name("offering_versions_offering")
                        .from("offering_versions", "offering_code")
                        .to("offerings", "offering_code")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
