//! The hall manager's figures: per day and window, tickets issued, served and no-shows, the
//! median wait (issue to call) and service (call to finish) in minutes, and visits rated.

use super::{NO_HALL, manager};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One day at one window (blank window: tickets never called).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureRow {
    pub day: NaiveDate,
    pub window: String,
    pub tickets: usize,
    pub served: usize,
    pub no_shows: usize,
    pub appointments: usize,
    /// Medians, minutes (none without any).
    pub wait_minutes: Option<i64>,
    pub service_minutes: Option<i64>,
    pub rated: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HallFigures {
    pub hall_id: String,
    pub hall_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<FigureRow>,
    /// All of the period.
    pub total: FigureRow,
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    v.sort_unstable();
    v.get(v.len() / 2).map(|s| (s + 30) / 60)
}

/// The figures of `from..=to` (at most 92 days), for the hall's managers.
pub async fn figures(
    app: &App,
    who: &Principal,
    hall_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HallFigures, AppError> {
    let h = app.store.hall(hall_id).await?.ok_or(NO_HALL)?;
    manager(app, who, &h).await?;
    if to < from || (to - from).num_days() > 92 {
        return Err(AppError::field("to", "请选择不超过 92 天的时段 (a period of at most 92 days)"));
    }
    let tickets = app.store.tickets_between(&h.id, from, to).await?;
    type Acc = (FigureRow, Vec<i64>, Vec<i64>);
    let mut by: BTreeMap<(NaiveDate, String), Acc> = BTreeMap::new();
    let mut all: Acc = Default::default();
    for t in &tickets {
        let wait = t.called_at.map(|c| (c - t.issued_at).num_seconds());
        let service = t.called_at.zip(t.finished_at).filter(|_| t.state == "done").map(|(c, f)| (f - c).num_seconds());
        let acc = by.entry((t.day, t.window.clone())).or_insert_with(|| {
            (FigureRow { day: t.day, window: t.window.clone(), ..Default::default() }, Vec::new(), Vec::new())
        });
        for (row, waits, services) in [(&mut acc.0, &mut acc.1, &mut acc.2), (&mut all.0, &mut all.1, &mut all.2)] {
            row.tickets += 1;
            row.served += usize::from(t.state == "done");
            row.no_shows += usize::from(t.state == "no_show");
            row.appointments += usize::from(!t.appointment_id.is_empty());
            row.rated += usize::from(t.rated);
            waits.extend(wait);
            services.extend(service);
        }
    }
    let finish = |(mut row, waits, services): Acc| {
        (row.wait_minutes, row.service_minutes) = (median(waits), median(services));
        row
    };
    let mut total = finish(all);
    (total.day, total.window) = (from, String::new());
    Ok(HallFigures { hall_id: h.id, hall_name: h.name, from, to, rows: by.into_values().map(finish).collect(), total })
}
