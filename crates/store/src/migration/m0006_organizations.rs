//! Organizations (法人) with their legal representative, the agents they authorize (经办人), the
//! legal-person registry that stands in for 法人库, and the organization a session acts for.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("legal_registry")
                // Credit codes and names of organizations are public; the representative's id
                // number is personal, so only its blind index is kept.
                .col(string("credit_code").primary_key())
                .col(string("name"))
                .col(string("legal_rep_index"))
                .col(timestamp_with_time_zone("loaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("organizations")
                .col(string("credit_code").primary_key())
                .col(string("name"))
                .col(string("legal_rep_person_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("organizations_legal_rep")
                        .from("organizations", "legal_rep_person_id")
                        .to("persons", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("agent_grants")
                .col(string("id").primary_key())
                .col(string("credit_code"))
                .col(string("agent_person_id"))
                .col(string("scopes"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(string("granted_by"))
                .col(timestamp_with_time_zone("granted_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("agent_grants_organization")
                        .from("agent_grants", "credit_code")
                        .to("organizations", "credit_code")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("agent_grants_agent")
                        .from("agent_grants", "agent_person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("agent_grants_agent").table("agent_grants").col("agent_person_id").to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("agent_grants_org").table("agent_grants").col("credit_code").to_owned())
            .await?;
        m.alter_table(Table::alter().table("sessions").add_column(string_null("acting_for")).to_owned()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
