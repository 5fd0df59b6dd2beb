//! Application forms on the server: each form's JSON Schema compiled once per offering version,
//! and data checked against it with a message per field in Chinese and English.

use crate::AppError;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tongban_domain::catalog::Offering;
use tongban_domain::forms::Form;
use tongban_store::Store;

/// A form with its compiled validator.
pub struct CompiledForm {
    pub form: Form,
    validator: jsonschema::Validator,
}

/// Compiles a form's schema as JSON Schema 2020-12; the error says what is wrong with it.
pub fn compile(form: &Form) -> Result<CompiledForm, String> {
    let validator = jsonschema::draft202012::new(&form.schema).map_err(|e| e.to_string())?;
    Ok(CompiledForm { form: form.clone(), validator })
}

/// The field a message belongs to: the instance path as dotted names.
fn field_of(path: &str) -> String {
    path.trim_start_matches('/').replace('/', ".")
}

fn limit_text(v: &Value) -> String {
    v.to_string()
}

impl CompiledForm {
    /// Every problem of `data`, field → message (the first per field).
    pub fn check(&self, data: &Map<String, Value>) -> BTreeMap<String, String> {
        use jsonschema::error::ValidationErrorKind as K;
        let instance = Value::Object(data.clone());
        let mut out = BTreeMap::new();
        for e in self.validator.iter_errors(&instance) {
            let path = field_of(e.instance_path().as_str());
            let (field, message) = match e.kind() {
                K::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    (if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }, "必填 (required)".into())
                }
                K::AdditionalProperties { unexpected } => {
                    (unexpected.first().cloned().unwrap_or(path), "不是本表的字段 (not a field of this form)".into())
                }
                K::MinLength { limit: 1 } => (path, "必填 (required)".into()),
                K::MinLength { limit } => (path, format!("至少 {limit} 个字 (at least {limit} characters)")),
                K::MaxLength { limit } => (path, format!("不能超过 {limit} 个字 (at most {limit} characters)")),
                K::Minimum { limit } | K::ExclusiveMinimum { limit } => {
                    (path, format!("不能小于 {} (too small)", limit_text(limit)))
                }
                K::Maximum { limit } | K::ExclusiveMaximum { limit } => {
                    (path, format!("不能大于 {} (too large)", limit_text(limit)))
                }
                K::Enum { .. } | K::Constant { .. } => (path, "请从选项中选择 (choose one of the options)".into()),
                K::Type { kind } => (path, type_message(kind).into()),
                K::Pattern { .. } | K::Format { .. } => (path, "格式不正确 (invalid format)".into()),
                _ => (path, format!("不符合要求 (invalid): {e}")),
            };
            out.entry(field).or_insert(message);
        }
        out
    }
}

/// What to enter, for a value of the wrong type.
fn type_message(kind: &jsonschema::error::TypeKind) -> &'static str {
    use jsonschema::JsonType as P;
    use jsonschema::error::TypeKind;
    match kind {
        TypeKind::Single(P::Integer) => "请输入整数 (enter a whole number)",
        TypeKind::Single(P::Number) => "请输入数字 (enter a number)",
        TypeKind::Single(P::Boolean) => "请选择“是”或“否” (choose yes or no)",
        TypeKind::Single(P::Array) => "请选择一项或多项 (choose one or more)",
        TypeKind::Single(P::String) => "请输入文字 (enter text)",
        _ => "请按说明填写 (enter it as the hint says)",
    }
}

/// A published guide version with its form compiled.
pub struct Guide {
    pub offering: Offering,
    pub form: CompiledForm,
}

/// The guide versions in use, parsed and their forms compiled once. A published version never
/// changes, so an entry never goes stale; the cache is emptied when it grows past `CAPACITY`.
#[derive(Default)]
pub struct GuideCache {
    guides: Mutex<HashMap<(String, i32), Arc<Guide>>>,
}

const CAPACITY: usize = 4096;

impl GuideCache {
    /// Offering `code` at `version`.
    pub async fn get(&self, store: &Store, code: &str, version: i32) -> Result<Arc<Guide>, AppError> {
        let key = (code.to_owned(), version);
        if let Some(g) = self.guides.lock().map_err(AppError::internal)?.get(&key) {
            return Ok(g.clone());
        }
        let offering = store
            .offering_version(code, version)
            .await?
            .ok_or(AppError::NotFound { what: "服务事项", what_en: "offering" })?;
        let form =
            compile(&offering.form()).map_err(|e| AppError::Internal(format!("form of {code} v{version}: {e}")))?;
        let guide = Arc::new(Guide { offering, form });
        let mut guides = self.guides.lock().map_err(AppError::internal)?;
        if guides.len() >= CAPACITY {
            guides.clear();
        }
        guides.insert(key, guide.clone());
        Ok(guide)
    }
}

/// The longest form definition accepted, in bytes.
pub const MAX_FORM_JSON: usize = 256 * 1024;

/// Reads a form definition written as JSON and checks it as publishing would (the schema is
/// valid JSON Schema 2020-12, every section field is a property, labels are there); each
/// problem is named by its field, `form` for the text itself.
pub fn parse_form(json: &str) -> Result<Form, AppError> {
    if json.len() > MAX_FORM_JSON {
        return Err(AppError::field(
            "form",
            format!("不能超过 {} KiB (at most {} KiB)", MAX_FORM_JSON / 1024, MAX_FORM_JSON / 1024),
        ));
    }
    let form: Form = serde_json::from_str(json).map_err(|e| {
        AppError::field(
            "form",
            format!("第 {} 行第 {} 列：{e} (line {}, column {})", e.line(), e.column(), e.line(), e.column()),
        )
    })?;
    let mut problems = form.check_layout();
    if let Err(e) = compile(&form) {
        problems.insert("form.schema".into(), format!("不是有效的 JSON Schema (not a valid JSON Schema): {e}"));
    }
    if problems.is_empty() { Ok(form) } else { Err(AppError::Validation { fields: problems }) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn messages_name_the_field() {
        let f = compile(&Form::generic()).expect("generic form compiles");
        let errors = f.check(&data(json!({"applicant_name": "", "phone": "123", "bogus": 1})));
        assert_eq!(errors.get("applicant_name").map(String::as_str), Some("必填 (required)"));
        assert!(errors["phone"].contains("格式"), "{errors:?}");
        assert!(errors["description"].contains("必填"), "{errors:?}");
        assert!(errors.contains_key("bogus"), "{errors:?}");
        assert!(
            f.check(&data(json!({"applicant_name": "张三", "phone": "13800138000", "description": "x"}))).is_empty()
        );
    }

    #[test]
    fn a_bad_schema_is_refused() {
        let mut form = Form::generic();
        form.schema = json!({"type": "object", "properties": {"x": {"type": "nonsense"}}});
        assert!(compile(&form).is_err());
    }
}
