//! Repository of ratings (好差评): ratings, rectifications and the figures kept with them. Every
//! change that moves a figure adds to its row in the change's own transaction.

use crate::entity::{rating, rating_figure, rectification};
use crate::{Store, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use tongban_domain::ratings::Counts;

pub type RatingRow = rating::Model;
pub type RectificationRow = rectification::Model;
pub type RatingFigureRow = rating_figure::Model;

/// The row of figures a change counts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureKey {
    /// `YYYY-MM`, China time.
    pub month: String,
    pub agency_code: String,
    pub offering_code: String,
    pub division_code: String,
}

impl RatingRow {
    pub fn figure_key(&self) -> FigureKey {
        FigureKey {
            month: self.month.clone(),
            agency_code: self.agency_code.clone(),
            offering_code: self.offering_code.clone(),
            division_code: self.division_code.clone(),
        }
    }
}

/// Adds `d` to the figures of `key`: the row made if missing, then one update adding every count
/// (so two writers adding at once both count, on either backend).
pub(crate) async fn add_counts(db: &impl ConnectionTrait, key: &FigureKey, d: Counts) -> Result<(), DbErr> {
    if d == Counts::default() {
        return Ok(());
    }
    let zero = rating_figure::Model {
        month: key.month.clone(),
        agency_code: key.agency_code.clone(),
        offering_code: key.offering_code.clone(),
        division_code: key.division_code.clone(),
        rateable: 0,
        rated: 0,
        good: 0,
        bad: 0,
        bad_answered: 0,
        rectified: 0,
        judged: 0,
        satisfied: 0,
    };
    rating_figure::Entity::insert(zero.into_active_model())
        .on_conflict(
            OnConflict::columns([
                rating_figure::Column::Month,
                rating_figure::Column::AgencyCode,
                rating_figure::Column::OfferingCode,
                rating_figure::Column::DivisionCode,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    use rating_figure::Column as C;
    let mut update = rating_figure::Entity::update_many();
    for (column, n) in [
        (C::Rateable, d.rateable),
        (C::Rated, d.rated),
        (C::Good, d.good),
        (C::Bad, d.bad),
        (C::BadAnswered, d.bad_answered),
        (C::Rectified, d.rectified),
        (C::Judged, d.judged),
        (C::Satisfied, d.satisfied),
    ] {
        if n != 0 {
            update = update.col_expr(column, Expr::col(column).add(n));
        }
    }
    update
        .filter(C::Month.eq(&key.month))
        .filter(C::AgencyCode.eq(&key.agency_code))
        .filter(C::OfferingCode.eq(&key.offering_code))
        .filter(C::DivisionCode.eq(&key.division_code))
        .exec(db)
        .await?;
    Ok(())
}

/// Which figure rows to read: months `from..=to` (`YYYY-MM`), and optionally one agency, one
/// offering, a division subtree (a code prefix).
#[derive(Debug, Clone, Default)]
pub struct FigureFilter {
    pub from: String,
    pub to: String,
    pub agency: Option<String>,
    pub offering: Option<String>,
    pub division_prefix: Option<String>,
}

impl Store {
    /// Saves a case's rating — counted in its figures, with the rectification a bad review opens
    /// — unless the case has one already (false).
    pub async fn insert_rating(&self, r: RatingRow, rect: Option<RectificationRow>) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let n = rating::Entity::insert(r.clone().into_active_model())
            .on_conflict(OnConflict::column(rating::Column::CaseNumber).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        if n != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        let level = r.level as u8;
        let d = Counts {
            rated: 1,
            good: i64::from(tongban_domain::ratings::is_good(level)),
            bad: i64::from(tongban_domain::ratings::is_bad(level)),
            ..Default::default()
        };
        add_counts(&txn, &r.figure_key(), d).await?;
        if let Some(rect) = rect {
            rectification::Entity::insert(rect.into_active_model()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    pub async fn rating_of_case(&self, case_number: &str) -> Result<Option<RatingRow>, StoreError> {
        Ok(rating::Entity::find().filter(rating::Column::CaseNumber.eq(case_number)).one(&self.db).await?)
    }

    pub async fn rating(&self, id: &str) -> Result<Option<RatingRow>, StoreError> {
        Ok(rating::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn rectification(&self, rating_id: &str) -> Result<Option<RectificationRow>, StoreError> {
        Ok(rectification::Entity::find_by_id(rating_id).one(&self.db).await?)
    }

    /// An agency's rectifications in a division subtree, the oldest first; only those not
    /// closed when `open_only`.
    pub async fn rectifications_of(
        &self,
        agency: &str,
        division_prefix: &str,
        open_only: bool,
        limit: u64,
    ) -> Result<Vec<RectificationRow>, StoreError> {
        let mut q = rectification::Entity::find()
            .filter(rectification::Column::AgencyCode.eq(agency))
            .filter(rectification::Column::DivisionCode.starts_with(division_prefix));
        if open_only {
            q = q.filter(rectification::Column::State.ne("closed"));
        }
        Ok(q.order_by_asc(rectification::Column::OpenedOn)
            .order_by_asc(rectification::Column::RatingId)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Writes a step of a rectification if it is still at `expected_version` (false otherwise),
    /// adding `d` to the figures of `key`.
    pub async fn update_rectification(
        &self,
        row: RectificationRow,
        expected_version: i64,
        key: &FigureKey,
        d: Counts,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let done = rectification::Entity::update_many()
            .set(row.clone().into_active_model().reset_all())
            .filter(rectification::Column::RatingId.eq(&row.rating_id))
            .filter(rectification::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        add_counts(&txn, key, d).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The figure rows a filter selects: at most one per month, agency, offering and division.
    pub async fn rating_figures(&self, f: &FigureFilter) -> Result<Vec<RatingFigureRow>, StoreError> {
        use rating_figure::Column as C;
        let mut q = rating_figure::Entity::find().filter(C::Month.gte(&f.from)).filter(C::Month.lte(&f.to));
        if let Some(a) = &f.agency {
            q = q.filter(C::AgencyCode.eq(a));
        }
        if let Some(o) = &f.offering {
            q = q.filter(C::OfferingCode.eq(o));
        }
        if let Some(d) = &f.division_prefix {
            q = q.filter(C::DivisionCode.starts_with(d));
        }
        Ok(q.order_by_asc(C::Month).all(&self.db).await?)
    }
}

impl From<&RatingFigureRow> for Counts {
    fn from(r: &RatingFigureRow) -> Self {
        Counts {
            rateable: r.rateable,
            rated: r.rated,
            good: r.good,
            bad: r.bad,
            bad_answered: r.bad_answered,
            rectified: r.rectified,
            judged: r.judged,
            satisfied: r.satisfied,
        }
    }
}
