//! Repository of the holiday calendar: each year's notice and its exception days.

use crate::divisions::bump_dataset;
use crate::entity::{calendar_day, calendar_year, dataset};
use crate::{Store, StoreError};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use tongban_domain::calendar::{CalendarYear, SpecialDay};

pub const DATASET: &str = "calendar";

/// A loaded year and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredYear {
    pub year: i32,
    pub source: String,
    pub days: usize,
    pub loaded_at: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// Stores one year's notice, replacing an earlier load of the same year, in one transaction.
    /// Returns the calendar's new revision.
    pub async fn put_calendar_year(&self, year: &CalendarYear, source: &str) -> Result<i64, StoreError> {
        let (_turn, txn) = self.write().await?;
        calendar_day::Entity::delete_many().filter(calendar_day::Column::Year.eq(year.year)).exec(&txn).await?;
        calendar_year::Entity::delete_by_id(year.year).exec(&txn).await?;
        calendar_year::Entity::insert(calendar_year::ActiveModel {
            year: Set(year.year),
            papers: Set(serde_json::json!(year.papers)),
            source: Set(source.to_owned()),
            loaded_at: Set(chrono::Utc::now()),
        })
        .exec_without_returning(&txn)
        .await?;
        if !year.days.is_empty() {
            let days = year.days.iter().map(|d| calendar_day::ActiveModel {
                date: Set(d.date),
                year: Set(year.year),
                name: Set(d.name.clone()),
                is_off_day: Set(d.is_off_day),
            });
            calendar_day::Entity::insert_many(days).exec_without_returning(&txn).await?;
        }
        let revision = bump_dataset(&txn, DATASET, &year.year.to_string()).await?;
        txn.commit().await?;
        Ok(revision)
    }

    /// The calendar's revision: it changes whenever any process loads a year.
    pub async fn calendar_revision(&self) -> Result<i64, StoreError> {
        Ok(dataset::Entity::find_by_id(DATASET).one(&self.db).await?.map_or(0, |d| d.revision))
    }

    /// Every loaded year with its days, and the revision they were read at.
    pub async fn calendar_years(&self) -> Result<(i64, Vec<CalendarYear>), StoreError> {
        let (_turn, txn) = self.write().await?;
        let revision = dataset::Entity::find_by_id(DATASET).one(&txn).await?.map_or(0, |d| d.revision);
        let years = calendar_year::Entity::find().order_by_asc(calendar_year::Column::Year).all(&txn).await?;
        let mut by_year: BTreeMap<i32, CalendarYear> = years
            .into_iter()
            .map(|y| {
                let papers = serde_json::from_value(y.papers).unwrap_or_default();
                (y.year, CalendarYear { year: y.year, papers, days: vec![], schema: None, id: None })
            })
            .collect();
        for d in calendar_day::Entity::find().order_by_asc(calendar_day::Column::Date).all(&txn).await? {
            let day = SpecialDay { name: d.name, date: d.date, is_off_day: d.is_off_day };
            match by_year.get_mut(&d.year) {
                Some(y) => y.days.push(day),
                None => return Err(StoreError::Corrupt(format!("calendar day {} without its year", d.date))),
            }
        }
        txn.commit().await?;
        Ok((revision, by_year.into_values().collect()))
    }

    /// A summary of the loaded years.
    pub async fn calendar_summary(&self) -> Result<Vec<StoredYear>, StoreError> {
        let years = calendar_year::Entity::find().order_by_asc(calendar_year::Column::Year).all(&self.db).await?;
        let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
        for d in calendar_day::Entity::find().all(&self.db).await? {
            *counts.entry(d.year).or_default() += 1;
        }
        Ok(years
            .into_iter()
            .map(|y| StoredYear {
                year: y.year,
                days: counts.get(&y.year).copied().unwrap_or(0),
                source: y.source,
                loaded_at: y.loaded_at,
            })
            .collect())
    }
}
