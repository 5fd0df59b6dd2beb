//! The API reference (开放接口) for integrators: the OpenAPI document the server serves, rendered
//! as a page — each operation under its tag with its parameters, body and answers, and every
//! schema with its fields. Served by Tongban itself, without script or any other site.

use super::Frame;
use super::filters;
use crate::AppState;
use crate::extract::QueryPairs;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api-docs", get(page))
}

/// One operation as the page lists it.
struct Operation {
    method: String,
    path: String,
    summary: String,
    /// Needs a bearer token.
    auth: bool,
    /// (name, where, required, type, description)
    params: Vec<(String, String, bool, Kind, String)>,
    body: Option<Body>,
    /// (status, what it returns)
    responses: Vec<(String, Option<Kind>)>,
}

/// A request body: its media type (JSON, multipart/form-data …), its type and what it holds.
struct Body {
    media: String,
    kind: Option<Kind>,
    description: String,
}

fn body(v: Option<&Value>) -> Option<Body> {
    let v = v?;
    let (media, content) = v.get("content")?.as_object()?.iter().next()?;
    Some(Body { media: media.clone(), kind: content.get("schema").map(kind), description: text(v, "description") })
}

/// A type: its text, and the schema it links to, if any.
struct Kind {
    text: String,
    schema: Option<String>,
}

struct Tag {
    name: String,
    description: String,
    operations: Vec<Operation>,
}

struct Schema {
    name: String,
    description: String,
    /// (field, type, required, description)
    fields: Vec<(String, Kind, bool, String)>,
    /// The values of an enumeration (a string's).
    values: Vec<String>,
    /// The variants of a tagged union: (tag value, its other fields, description).
    variants: Vec<(String, Kind, String)>,
}

/// The values a schema that is an enumeration takes.
fn values(s: &Value) -> Vec<String> {
    let shown = |x: &Value| x.as_str().map_or_else(|| x.to_string(), str::to_owned);
    s.get("enum").and_then(Value::as_array).into_iter().flatten().map(shown).collect()
}

/// The variants of a tagged union (`oneOf` objects each with a one-value tag): the tag's value,
/// the variant's other fields (or the schema it extends) and its description.
fn variants(s: &Value) -> Vec<(String, Kind, String)> {
    let tagged = |v: &Value| -> Option<(String, Vec<(String, Value)>)> {
        let props = v.get("properties")?.as_object()?;
        let (tag, value) = props.iter().find_map(|(k, p)| {
            let e = p.get("enum")?.as_array()?;
            (e.len() == 1).then(|| (k.clone(), e[0].as_str().unwrap_or_default().to_owned()))
        })?;
        Some((value, props.iter().filter(|(k, _)| **k != tag).map(|(k, p)| (k.clone(), p.clone())).collect()))
    };
    s.get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            // A variant extending another schema (allOf: the schema, then the tag).
            let parts: Vec<&Value> = match v.get("allOf").and_then(Value::as_array) {
                Some(all) => all.iter().collect(),
                None => vec![v],
            };
            let (value, mut fields) = parts.iter().find_map(|p| tagged(p))?;
            let extends = parts.iter().find(|p| p.get("$ref").is_some()).map(|p| kind(p));
            let kind = match extends {
                Some(k) if fields.is_empty() => k,
                _ => {
                    fields.sort_by(|a, b| a.0.cmp(&b.0));
                    let text = fields.iter().map(|(k, p)| format!("{k}: {}", kind(p).text)).collect::<Vec<_>>();
                    Kind { text: text.join(", "), schema: None }
                }
            };
            Some((value, kind, text(v, "description")))
        })
        .collect()
}

/// The type of a schema, in short: a referenced schema by name, an array of its items, a string's
/// format or values.
fn kind(v: &Value) -> Kind {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r).to_owned();
        return Kind { text: name.clone(), schema: Some(name) };
    }
    if let Some(any) = v.get("oneOf").or_else(|| v.get("anyOf")).and_then(Value::as_array) {
        let parts: Vec<Kind> = any.iter().map(kind).collect();
        let schema = parts.iter().find_map(|k| k.schema.clone());
        return Kind { text: parts.iter().map(|k| k.text.as_str()).collect::<Vec<_>>().join(" | "), schema };
    }
    let ty = match v.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        Some(Value::String(t)) => t.clone(),
        _ => "object".into(),
    };
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        let fields: Vec<String> = props.iter().map(|(name, p)| format!("{name}: {}", kind(p).text)).collect();
        return Kind { text: format!("{{ {} }}", fields.join(", ")), schema: None };
    }
    if ty.starts_with("array") {
        let item = v.get("items").map(kind).unwrap_or(Kind { text: "any".into(), schema: None });
        return Kind { text: format!("[{}]", item.text), schema: item.schema };
    }
    let mut text = ty;
    if let Some(f) = v.get("format").and_then(Value::as_str) {
        text = format!("{text} ({f})");
    }
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        let values: Vec<String> =
            values.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned)).collect();
        text = format!("{text}: {}", values.join(" | "));
    }
    Kind { text, schema: None }
}

fn json_kind(content: Option<&Value>) -> Option<Kind> {
    content?.get("content")?.as_object()?.values().next()?.get("schema").map(kind)
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The document as the page shows it: tags in the document's order, then any operation without one.
fn reference(doc: &Value) -> (Vec<Tag>, Vec<Schema>) {
    let mut tags: Vec<Tag> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Tag { name: text(t, "name"), description: text(t, "description"), operations: Vec::new() })
        .collect();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let required = p["required"].as_bool().unwrap_or(false);
                    (text(p, "name"), text(p, "in"), required, kind(&p["schema"]), text(p, "description"))
                })
                .collect();
            let mut responses: Vec<(String, Option<Kind>)> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(code, r)| (code.clone(), json_kind(Some(r))))
                .collect();
            responses.sort_by(|a, b| a.0.cmp(&b.0));
            let operation = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                auth: op.get("security").is_some(),
                params,
                body: body(op.get("requestBody")),
                responses,
            };
            let tag = op["tags"][0].as_str().unwrap_or("other").to_owned();
            match tags.iter_mut().find(|t| t.name == tag) {
                Some(t) => t.operations.push(operation),
                None => tags.push(Tag { name: tag, description: String::new(), operations: vec![operation] }),
            }
        }
    }
    tags.retain(|t| !t.operations.is_empty());
    let schemas = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> =
                s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let fields = s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(f, v)| (f.clone(), kind(v), required.contains(&f.as_str()), text(v, "description")))
                .collect();
            Schema {
                name: name.clone(),
                description: text(s, "description"),
                fields,
                values: values(s),
                variants: variants(s),
            }
        })
        .collect();
    (tags, schemas)
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage<'a> {
    f: &'a Frame,
    title: String,
    version: String,
    description: String,
    tags: Vec<Tag>,
    schemas: Vec<Schema>,
}

async fn page(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let doc = crate::api::openapi::document();
    let (tags, schemas) = reference(&doc);
    let page = ApiDocsPage {
        f: &f,
        title: text(&doc["info"], "title"),
        version: text(&doc["info"], "version"),
        description: text(&doc["info"], "description"),
        tags,
        schemas,
    };
    f.respond(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation of the document is on the page, and every schema an operation names is
    /// listed for its link to land on.
    #[test]
    fn every_operation_and_every_named_schema_is_listed() {
        let doc = crate::api::openapi::document();
        let (tags, schemas) = reference(&doc);
        let listed: usize = tags.iter().map(|t| t.operations.len()).sum();
        let in_doc: usize = doc["paths"].as_object().unwrap().values().map(|o| o.as_object().unwrap().len()).sum();
        assert_eq!(listed, in_doc);
        let names: Vec<&str> = schemas.iter().map(|s| s.name.as_str()).collect();
        for op in tags.iter().flat_map(|t| &t.operations) {
            let named =
                op.body.iter().filter_map(|b| b.kind.as_ref()).chain(op.responses.iter().filter_map(|r| r.1.as_ref()));
            for k in named.chain(op.params.iter().map(|p| &p.3)) {
                if let Some(s) = &k.schema {
                    assert!(names.contains(&s.as_str()), "{} {}: {s} is not listed", op.method, op.path);
                }
            }
        }
        // An enumeration lists its values; a file upload says it is multipart and what it holds.
        assert!(schemas.iter().any(|s| !s.values.is_empty() && s.fields.is_empty()), "no enumeration's values");
        let action = schemas.iter().find(|s| s.name == "CaseAction").expect("CaseAction");
        let values: Vec<&str> = action.variants.iter().map(|v| v.0.as_str()).collect();
        assert!(values.contains(&"deliver") && values.contains(&"refuse"), "{values:?}");
        let refuse = action.variants.iter().find(|v| v.0 == "refuse").unwrap();
        assert_eq!(refuse.1.text, "legal_basis: string, reason: string");
        assert_eq!(action.variants.iter().find(|v| v.0 == "deliver").unwrap().1.schema.as_deref(), Some("Delivery"));
        let upload = tags
            .iter()
            .flat_map(|t| &t.operations)
            .find(|o| o.method == "POST" && o.path.ends_with("/materials"))
            .and_then(|o| o.body.as_ref())
            .expect("the upload's body");
        assert_eq!(upload.media, "multipart/form-data");
        assert!(upload.description.contains("material"), "{}", upload.description);
        // Every path parameter says what it is.
        for op in tags.iter().flat_map(|t| &t.operations) {
            for (name, place, _, _, description) in &op.params {
                assert!(place != "path" || !description.is_empty(), "{} {}: {name} undescribed", op.method, op.path);
            }
        }
    }
}
