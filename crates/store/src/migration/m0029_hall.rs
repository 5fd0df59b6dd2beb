//! The service hall (政务服务中心): halls with their window groups and windows, appointment slots
//! with their capacity, appointments, the day's tickets and ticket sequences, and the calls the
//! display shows (read by every node, so displays follow calls made on any of them).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Table::create()
                .table("halls")
                .col(string("id").primary_key())
                .col(string("name"))
                .col(string("division_code"))
                .col(string("agency_code"))
                .col(string("address"))
                .col(string("hours"))
                .col(integer("slot_minutes"))
                .col(integer("days_ahead"))
                .col(string("release_at"))
                .col(integer("appointment_ahead_minutes"))
                .col(integer("max_recalls"))
                .col(integer("default_service_secs"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
            Table::create()
                .table("hall_groups")
                .col(string("hall_id"))
                .col(string("code"))
                .col(string("name"))
                .col(text("offerings"))
                .col(integer("capacity"))
                .primary_key(Index::create().col("hall_id").col("code"))
                .to_owned(),
            Table::create()
                .table("hall_windows")
                .col(string("hall_id"))
                .col(string("number"))
                .col(string("agency_code"))
                .col(string("groups"))
                .col(string_null("staff_id"))
                .primary_key(Index::create().col("hall_id").col("number"))
                .to_owned(),
            Table::create()
                .table("hall_slots")
                .col(string("hall_id"))
                .col(string("group_code"))
                .col(date("day"))
                .col(string("start"))
                .col(integer("capacity"))
                .col(integer("booked"))
                .primary_key(Index::create().col("hall_id").col("group_code").col("day").col("start"))
                .to_owned(),
            Table::create()
                .table("appointments")
                .col(string("id").primary_key())
                .col(string("hall_id"))
                .col(string("group_code"))
                .col(string("offering_code"))
                .col(string("person_id"))
                .col(date("day"))
                .col(string("start"))
                .col(string("state"))
                .col(string("application_id"))
                .col(boolean("reminded"))
                .col(string("ticket_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .to_owned(),
            Table::create()
                .table("hall_tickets")
                .col(string("id").primary_key())
                .col(string("hall_id"))
                .col(date("day"))
                .col(string("number"))
                .col(string("line"))
                .col(string("group_code"))
                .col(big_integer("rank"))
                .col(string("person_id"))
                .col(string("appointment_id"))
                .col(string("offering_code"))
                .col(string("state"))
                .col(string("window"))
                .col(integer("calls"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(timestamp_with_time_zone_null("called_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(string("application_id"))
                .col(string("case_number"))
                .col(boolean("rated"))
                .col(big_integer("version"))
                .to_owned(),
            Table::create()
                .table("hall_sequences")
                .col(string("hall_id"))
                .col(date("day"))
                .col(string("line"))
                .col(big_integer("next"))
                .primary_key(Index::create().col("hall_id").col("day").col("line"))
                .to_owned(),
            Table::create()
                .table("hall_calls")
                .col(string("id").primary_key())
                .col(string("hall_id"))
                .col(timestamp_with_time_zone("at"))
                .col(string("number"))
                .col(string("window"))
                .col(string("kind"))
                .to_owned(),
        ];
        for t in tables {
            m.create_table(t).await?;
        }
        for (name, table, cols, unique) in [
            ("appointments_by_person", "appointments", &["person_id", "state"][..], false),
            ("appointments_by_day", "appointments", &["day", "reminded"][..], false),
            ("hall_tickets_number", "hall_tickets", &["hall_id", "day", "number"][..], true),
            ("hall_tickets_queue", "hall_tickets", &["hall_id", "state", "rank"][..], false),
            ("hall_calls_at", "hall_calls", &["at"][..], false),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            if unique {
                index.unique();
            }
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "hall_calls",
            "hall_sequences",
            "hall_tickets",
            "appointments",
            "hall_slots",
            "hall_windows",
            "hall_groups",
            "halls",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
