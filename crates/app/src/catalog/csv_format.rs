//! The catalog as CSV: one offering a row, the columns of `COLUMNS` (documented in
//! `docs/catalog-csv.md`). Scalars are plain cells, nested objects are dotted columns
//! (`agency.credit_code`), lists of words are `|`-separated (or a JSON array when an entry holds a
//! `|`), lists of records (materials, steps…) are JSON arrays. A row becomes the same JSON object
//! a JSON Lines row is, so both formats share one parser and one set of rules.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    /// Words separated by `|`, or a JSON array of strings.
    Words,
    /// A JSON array of records.
    Records,
    Number,
    Bool,
}

/// Column, kind, required.
const COLUMNS: &[(&str, Cell, bool)] = &[
    ("offering_code", Cell::Text, true),
    ("name", Cell::Text, true),
    ("aliases", Cell::Words, false),
    ("division_code", Cell::Text, true),
    ("level", Cell::Text, true),
    ("audience", Cell::Words, true),
    ("themes", Cell::Words, false),
    ("case_kind", Cell::Text, true),
    ("item.code", Cell::Text, true),
    ("item.name", Cell::Text, true),
    ("item.item_type", Cell::Text, true),
    ("item.main_item", Cell::Text, false),
    ("item.sub_item", Cell::Text, false),
    ("item.handling", Cell::Text, true),
    ("item.competent_department", Cell::Text, true),
    ("agency.credit_code", Cell::Text, true),
    ("agency.name", Cell::Text, true),
    ("agency.division_code", Cell::Text, true),
    ("agency.level", Cell::Text, true),
    ("conditions", Cell::Text, true),
    ("materials", Cell::Records, true),
    ("steps", Cell::Records, true),
    ("special_procedures", Cell::Records, false),
    ("statutory_limit", Cell::Number, true),
    ("committed_limit", Cell::Number, true),
    ("fees.charged", Cell::Bool, true),
    ("fees.basis", Cell::Text, false),
    ("fees.standard", Cell::Text, false),
    ("fees.online_payment", Cell::Bool, false),
    ("location", Cell::Text, true),
    ("hours", Cell::Text, true),
    ("consultation_phone", Cell::Text, true),
    ("complaint_phone", Cell::Text, true),
    ("legal_basis", Cell::Words, true),
    ("online_depth", Cell::Text, true),
    ("online_services", Cell::Words, false),
    ("visits", Cell::Number, true),
    ("result.kind", Cell::Text, true),
    ("result.name", Cell::Text, true),
    ("faq", Cell::Records, false),
    ("appointment", Cell::Bool, false),
    ("cross_region", Cell::Text, false),
];

/// The header row of an export.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|(name, ..)| *name).collect()
}

/// Maps header positions to columns. Unknown or repeated columns and missing required ones are
/// errors of the whole file.
pub fn read_header(header: &csv::StringRecord) -> Result<Vec<usize>, String> {
    let mut positions = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for name in header {
        let name = name.trim().trim_start_matches('\u{feff}');
        match COLUMNS.iter().position(|(c, ..)| *c == name) {
            Some(i) if positions.contains(&i) => problems.push(format!("重复的列 {name} (repeated column)")),
            Some(i) => positions.push(i),
            None => problems.push(format!("未知的列 {name} (unknown column)")),
        }
    }
    for (i, (name, _, required)) in COLUMNS.iter().enumerate() {
        if *required && !positions.contains(&i) {
            problems.push(format!("缺少必填列 {name} (missing required column)"));
        }
    }
    if problems.is_empty() { Ok(positions) } else { Err(problems.join("; ")) }
}

/// One row as the JSON object of an offering, or the reason naming the bad column.
pub fn row_to_json(positions: &[usize], row: &csv::StringRecord) -> Result<Value, String> {
    if row.len() != positions.len() {
        return Err(format!(
            "应有 {} 列，实有 {} 列 (expected {} cells, got {})",
            positions.len(),
            row.len(),
            positions.len(),
            row.len()
        ));
    }
    let mut root = Map::new();
    for (&col, raw) in positions.iter().zip(row) {
        let (name, cell, required) = COLUMNS[col];
        let raw = raw.trim();
        if raw.is_empty() {
            if required {
                return Err(format!("{name}: 必填 (required)"));
            }
            continue;
        }
        let value = match cell {
            Cell::Text => Value::String(raw.to_owned()),
            Cell::Words if raw.starts_with('[') => json_array(name, raw)?,
            Cell::Words => Value::Array(
                raw.split('|').map(str::trim).filter(|w| !w.is_empty()).map(|w| Value::String(w.into())).collect(),
            ),
            Cell::Records => json_array(name, raw)?,
            Cell::Number => Value::from(
                raw.parse::<u32>().map_err(|_| format!("{name}: 应为非负整数 (must be a whole number), got {raw}"))?,
            ),
            Cell::Bool => Value::Bool(match raw.to_lowercase().as_str() {
                "true" | "1" | "是" | "y" | "yes" => true,
                "false" | "0" | "否" | "n" | "no" => false,
                _ => return Err(format!("{name}: 应为 是/否 或 true/false (must be true or false), got {raw}")),
            }),
        };
        let mut target = &mut root;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                target.insert(part.to_owned(), value);
                break;
            }
            target = target
                .entry(part)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("dotted columns only nest objects");
        }
    }
    Ok(Value::Object(root))
}

fn json_array(name: &str, raw: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Array(_)) => Ok(v),
        _ => Err(format!("{name}: 应为 JSON 数组 (must be a JSON array)")),
    }
}

/// The cells of one offering, in `header()` order.
pub fn json_to_row(offering: &Value) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|(name, cell, _)| {
            let v = name.split('.').try_fold(offering, |v, part| v.get(part));
            match (cell, v) {
                (_, None | Some(Value::Null)) => String::new(),
                (_, Some(Value::String(s))) => s.clone(),
                (Cell::Words, Some(Value::Array(words)))
                    if words.iter().all(|w| w.as_str().is_some_and(|s| !s.contains('|'))) =>
                {
                    words.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|")
                }
                (_, Some(v)) => v.to_string(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::catalog::Offering;

    #[test]
    fn every_offering_field_has_a_column() {
        let o = serde_json::to_value(tongban_domain::catalog::testing::sample()).unwrap();
        let mut fields = Vec::new();
        for (k, v) in o.as_object().unwrap() {
            match v {
                Value::Object(inner) if !matches!(k.as_str(), "materials") => {
                    fields.extend(inner.keys().map(|i| format!("{k}.{i}")))
                }
                _ => fields.push(k.clone()),
            }
        }
        for f in fields {
            assert!(COLUMNS.iter().any(|(c, ..)| *c == f), "no CSV column for {f}");
        }
    }

    #[test]
    fn header_problems_are_named() {
        let e = read_header(&csv::StringRecord::from(vec!["offering_code", "colour", "name", "name"])).unwrap_err();
        assert!(e.contains("未知的列 colour"), "{e}");
        assert!(e.contains("重复的列 name"), "{e}");
        assert!(e.contains("缺少必填列 materials"), "{e}");
    }

    #[test]
    fn a_row_round_trips_and_bad_cells_are_named() {
        let mut o = serde_json::to_value(tongban_domain::catalog::testing::sample()).unwrap();
        o["aliases"] = serde_json::json!(["a|b", "c"]);
        let positions: Vec<usize> = (0..COLUMNS.len()).collect();
        let row = csv::StringRecord::from(json_to_row(&o));
        let back: Offering = serde_json::from_value(row_to_json(&positions, &row).unwrap()).unwrap();
        assert_eq!(back, serde_json::from_value::<Offering>(o.clone()).unwrap());

        let at = |name: &str| COLUMNS.iter().position(|(c, ..)| *c == name).unwrap();
        let mut bad: Vec<String> = json_to_row(&o);
        bad[at("visits")] = "两次".into();
        let e = row_to_json(&positions, &csv::StringRecord::from(bad.clone())).unwrap_err();
        assert!(e.starts_with("visits:"), "{e}");
        bad[at("visits")] = "1".into();
        bad[at("materials")] = "身份证".into();
        let e = row_to_json(&positions, &csv::StringRecord::from(bad.clone())).unwrap_err();
        assert!(e.starts_with("materials:"), "{e}");
        bad[at("materials")] = String::new();
        let e = row_to_json(&positions, &csv::StringRecord::from(bad)).unwrap_err();
        assert_eq!(e, "materials: 必填 (required)");
    }
}
