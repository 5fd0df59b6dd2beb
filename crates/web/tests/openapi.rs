//! The OpenAPI document: complete (every reference resolves), covering the catalog API with the
//! fields integrators rely on, and equal to the reviewed snapshot `docs/openapi.json`.
//! After an intended API change: `UPDATE_SNAPSHOTS=1 cargo nextest run -p tongban-web --test openapi`.

use serde_json::Value;
use std::path::Path;

fn document() -> Value {
    serde_json::to_value(tongban_web::openapi::document()).unwrap()
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 10, "{all:?}");
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(doc["components"]["schemas"].get(name).is_some(), "{r} does not resolve");
    }
}

#[test]
fn the_catalog_api_is_described() {
    let doc = document();
    let search = &doc["paths"]["/api/v1/catalog/search"]["get"];
    let params: Vec<&str> =
        search["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["q", "division", "audience", "agency", "theme", "depth", "case_kind", "page", "per_page"]);
    let hit = &doc["components"]["schemas"]["SearchHit"]["properties"];
    for f in [
        "offering_code",
        "item_code",
        "name",
        "agency",
        "division_code",
        "audience",
        "online_depth",
        "visits",
        "statutory_limit",
        "committed_limit",
    ] {
        assert!(hit.get(f).is_some(), "SearchHit lacks {f}");
    }
    for f in ["total", "items", "facets", "took_ms"] {
        assert!(doc["components"]["schemas"]["SearchResults"]["properties"].get(f).is_some(), "{f}");
    }
    assert!(doc["paths"]["/api/v1/offerings/{code}"]["get"]["responses"]["404"].is_object());
    let offering = &doc["components"]["schemas"]["Offering"]["properties"];
    for f in ["materials", "legal_basis", "statutory_limit", "committed_limit", "fees", "online_depth", "visits"] {
        assert!(offering.get(f).is_some(), "Offering lacks {f}");
    }
}

#[test]
fn the_document_matches_the_snapshot() {
    let text = serde_json::to_string_pretty(&document()).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == text,
        "docs/openapi.json differs from the API: review the change, then run \
         UPDATE_SNAPSHOTS=1 cargo nextest run -p tongban-web --test openapi"
    );
}
