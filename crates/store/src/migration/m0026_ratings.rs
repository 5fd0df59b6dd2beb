//! Ratings (好差评): one row per rated case, a rectification (整改) per bad review, and the
//! figures per month, agency, offering and division — and per agency and per division (blank
//! offering, blank agency) — kept up to date with each change so that the published page reads a
//! few rows, never the ratings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ratings")
                .col(string("id").primary_key())
                .col(string_uniq("case_number"))
                .col(string("channel"))
                .col(string("person_id"))
                .col(boolean("anonymous"))
                .col(integer("level"))
                .col(text("indicators"))
                .col(text("comment"))
                .col(string("agency_code"))
                .col(string("offering_code"))
                .col(string("division_code"))
                .col(string("month"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("changes"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rectifications")
                .col(string("rating_id").primary_key())
                .col(string("case_number"))
                .col(string("agency_code"))
                .col(string("division_code"))
                .col(string("state"))
                .col(date("opened_on"))
                .col(integer("limit_days"))
                .col(timestamp_with_time_zone_null("called_back_at"))
                .col(string_null("called_back_by"))
                .col(text("callback"))
                .col(text("answer"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(string_null("answered_by"))
                .col(boolean_null("satisfied"))
                .col(boolean("escalated").default(false))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("rectifications_by_agency")
                .table("rectifications")
                .col("agency_code")
                .col("state")
                .to_owned(),
        )
        .await?;
        let count = |name: &'static str| big_integer(name).default(0).to_owned();
        m.create_table(
            Table::create()
                .table("rating_figures")
                .col(string("month"))
                .col(string("agency_code"))
                .col(string("offering_code"))
                .col(string("division_code"))
                .col(count("rateable"))
                .col(count("rated"))
                .col(count("good"))
                .col(count("bad"))
                .col(count("bad_answered"))
                .col(count("rectified"))
                .col(count("judged"))
                .col(count("satisfied"))
                .primary_key(Index::create().col("month").col("agency_code").col("offering_code").col("division_code"))
                .to_owned(),
        )
        .await?;
        // The levels the public figures read: per division and per agency (blank offering, and
        // agency), and one agency's offerings.
        for (name, cols) in [
            ("rating_figures_by_level", ["offering_code", "agency_code", "month"]),
            ("rating_figures_by_agency", ["agency_code", "month", "offering_code"]),
        ] {
            let mut index = Index::create();
            index.name(name).table("rating_figures");
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["rating_figures", "rectifications", "ratings"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
