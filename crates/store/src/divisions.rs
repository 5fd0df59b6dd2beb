//! Repository of 行政区划 (GB/T 2260 divisions).

use crate::entity::{dataset, division};
use crate::{Store, StoreError};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use tongban_domain::DivisionLevel;

pub const DATASET: &str = "divisions";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionRecord {
    pub code: String,
    pub name: String,
    pub level: DivisionLevel,
    pub parent_code: Option<String>,
}

impl TryFrom<division::Model> for DivisionRecord {
    type Error = StoreError;
    fn try_from(m: division::Model) -> Result<Self, StoreError> {
        let level = DivisionLevel::parse(&m.level)
            .ok_or_else(|| StoreError::Corrupt(format!("division {} has level {}", m.code, m.level)))?;
        Ok(Self { code: m.code, name: m.name, level, parent_code: m.parent_code })
    }
}

impl Store {
    /// The version of the loaded divisions dataset, if any.
    pub async fn divisions_version(&self) -> Result<Option<String>, StoreError> {
        Ok(dataset::Entity::find_by_id(DATASET).one(&self.db).await?.map(|d| d.version))
    }

    /// Replaces the whole divisions table with `rows` in one transaction.
    pub async fn replace_divisions(&self, version: &str, rows: &[DivisionRecord]) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        division::Entity::delete_many().exec(&txn).await?;
        for chunk in rows.chunks(1000) {
            let models = chunk.iter().map(|r| division::ActiveModel {
                code: Set(r.code.clone()),
                name: Set(r.name.clone()),
                level: Set(r.level.as_str().to_owned()),
                parent_code: Set(r.parent_code.clone()),
            });
            division::Entity::insert_many(models).exec_without_returning(&txn).await?;
        }
        bump_dataset(&txn, DATASET, version).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn division(&self, code: &str) -> Result<Option<DivisionRecord>, StoreError> {
        division::Entity::find_by_id(code).one(&self.db).await?.map(TryInto::try_into).transpose()
    }

    pub async fn division_children(&self, code: &str) -> Result<Vec<DivisionRecord>, StoreError> {
        division::Entity::find()
            .filter(division::Column::ParentCode.eq(code))
            .order_by_asc(division::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// The top level: provinces.
    pub async fn division_roots(&self) -> Result<Vec<DivisionRecord>, StoreError> {
        division::Entity::find()
            .filter(division::Column::ParentCode.is_null())
            .order_by_asc(division::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// The division and its ancestors, from the province down.
    pub async fn division_path(&self, code: &str) -> Result<Vec<DivisionRecord>, StoreError> {
        let mut path = Vec::new();
        let mut next = Some(code.to_owned());
        while let Some(code) = next {
            // Five levels at most; a longer chain means a cycle in the data.
            if path.len() > 5 {
                return Err(StoreError::Corrupt(format!("division parent chain of {code} is too long")));
            }
            let Some(d) = self.division(&code).await? else { break };
            next = d.parent_code.clone();
            path.push(d);
        }
        path.reverse();
        Ok(path)
    }
}

/// Records a new version of a dataset and advances its revision, inside the caller's transaction.
pub(crate) async fn bump_dataset<C: ConnectionTrait>(db: &C, name: &str, version: &str) -> Result<i64, StoreError> {
    let current = dataset::Entity::find_by_id(name).one(db).await?;
    let revision = current.as_ref().map_or(0, |d| d.revision) + 1;
    let model = dataset::ActiveModel {
        name: Set(name.to_owned()),
        version: Set(version.to_owned()),
        revision: Set(revision),
        updated_at: Set(chrono::Utc::now()),
    };
    if current.is_some() {
        dataset::Entity::update(model).exec(db).await?;
    } else {
        dataset::Entity::insert(model).exec_without_returning(db).await?;
    }
    Ok(revision)
}
