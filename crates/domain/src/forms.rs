//! Application forms (申请表): a JSON Schema (2020-12) for the data, checked on the server, and
//! the hints to show it — sections, labels in Chinese and English, help, order, fields shown only
//! under a condition, and where a field may be pre-filled from (一表申请). Versioned with the
//! offering whose guide carries it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Where a field's value may be taken from before the applicant types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PrefillSource {
    /// The applicant's real name (实名信息).
    PersonName,
    /// The applicant's phone number.
    PersonPhone,
    /// The organization acted for: its name.
    OrganizationName,
    /// The organization acted for: its unified social credit code.
    OrganizationCreditCode,
    /// The same field of the applicant's latest earlier application.
    Earlier,
    /// An item of a shared data resource about the applicant (数据共享), fetched through the
    /// exchange for the offering's agency: the field's `shared` names which.
    Shared,
}

/// The data resource and item a field is pre-filled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedItem {
    /// The resource's identifier in the data resource catalog.
    pub resource: String,
    /// The item's name in the resource.
    pub item: String,
}

impl PrefillSource {
    /// Where the value came from, in the applicant's words.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PersonName | Self::PersonPhone => "来自您的实名账户",
            Self::OrganizationName | Self::OrganizationCreditCode => "来自您所代表的单位",
            Self::Earlier => "来自您此前的申请",
            Self::Shared => "由数据共享获取",
        }
    }
}

/// Shows a field only when another field has this value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowIf {
    pub field: String,
    pub equals: Value,
}

/// How one property of the schema is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    /// The property name in the schema.
    pub name: String,
    pub label: String,
    pub label_en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// `text` (default), `textarea`, `number`, `select` (from the schema's `enum`), `tel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget: Option<String>,
    /// Sources tried in order; `earlier` always comes last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefill: Vec<PrefillSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    /// For a `shared` pre-fill: the resource and item the value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<SharedItem>,
}

/// A page of a long form: one thing per page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSection {
    pub title: String,
    pub title_en: String,
    pub fields: Vec<FormField>,
}

/// An offering's application form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Form {
    /// JSON Schema 2020-12 of the data: an object whose properties are the fields.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub schema: Value,
    pub sections: Vec<FormSection>,
}

/// The widgets a field may use.
pub const WIDGETS: [&str; 5] = ["text", "textarea", "number", "select", "tel"];

impl Form {
    /// The form of an offering that declares none: who applies, how to reach them, and what for.
    pub fn generic() -> Self {
        serde_json::from_value(json!({
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {
                    "applicant_name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
                    "description": {"type": "string", "minLength": 1, "maxLength": 2000}
                },
                "required": ["applicant_name", "phone", "description"],
                "additionalProperties": false
            },
            "sections": [{
                "title": "申请信息", "title_en": "Application",
                "fields": [
                    {"name": "applicant_name", "label": "申请人姓名", "label_en": "Applicant's name",
                     "prefill": ["person_name"]},
                    {"name": "phone", "label": "联系电话", "label_en": "Phone", "widget": "tel",
                     "help": "11 位手机号码", "prefill": ["person_phone", "earlier"]},
                    {"name": "description", "label": "申请事项说明", "label_en": "What you apply for",
                     "widget": "textarea"}
                ]
            }]
        }))
        .unwrap_or_else(|_| unreachable!("the generic form is a valid literal"))
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl Iterator<Item = &FormField> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, name: &str) -> Option<&FormField> {
        self.fields().find(|f| f.name == name)
    }

    fn properties(&self) -> Option<&Map<String, Value>> {
        self.schema.get("properties")?.as_object()
    }

    /// The layout rules (the schema itself is compiled by the caller): every property shown once,
    /// every field a property, labels present, conditions on earlier fields. Field → reason.
    pub fn check_layout(&self) -> BTreeMap<String, String> {
        let mut v = BTreeMap::new();
        let Some(props) = self.properties() else {
            v.insert("form.schema".into(), "应为 type=object 且含 properties (an object with properties)".into());
            return v;
        };
        if self.sections.is_empty() {
            v.insert("form.sections".into(), "至少一页 (at least one section)".into());
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            if s.title.trim().is_empty() || s.title_en.trim().is_empty() {
                v.insert(format!("form.sections[{i}].title"), "必填 (required)".into());
            }
            for (j, f) in s.fields.iter().enumerate() {
                let at = format!("form.sections[{i}].fields[{j}]");
                if !props.contains_key(&f.name) {
                    v.insert(format!("{at}.name"), format!("schema 中没有属性 {} (no such property)", f.name));
                }
                if seen.contains(&f.name.as_str()) {
                    v.insert(format!("{at}.name"), format!("{} 重复 (shown twice)", f.name));
                }
                if f.label.trim().is_empty() || f.label_en.trim().is_empty() {
                    v.insert(format!("{at}.label"), "必填 (required)".into());
                }
                if let Some(w) = &f.widget
                    && !WIDGETS.contains(&w.as_str())
                {
                    v.insert(format!("{at}.widget"), format!("未知控件 {w} (unknown widget)"));
                }
                if f.prefill.contains(&PrefillSource::Shared) != f.shared.is_some() {
                    v.insert(
                        format!("{at}.shared"),
                        "由数据共享预填的字段须注明资源与信息项，反之亦然 (a shared pre-fill names its resource and item, and only then)"
                            .into(),
                    );
                }
                if let Some(c) = &f.show_if
                    && !seen.contains(&c.field.as_str())
                {
                    v.insert(format!("{at}.show_if"), "条件应引用此前的字段 (must refer to an earlier field)".into());
                }
                seen.push(&f.name);
            }
        }
        for p in props.keys() {
            if !seen.contains(&p.as_str()) {
                v.insert("form.sections".into(), format!("属性 {p} 未安排在任何一页 (property {p} is not shown)"));
            }
        }
        v
    }

    /// The JSON value of a field typed into an HTML form: a number where the schema wants one
    /// and the text is one (otherwise the text, which the schema then reports), `None` when empty.
    pub fn value_from_text(&self, name: &str, text: &str) -> Option<Value> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let kind = self.properties().and_then(|p| p.get(name)).and_then(|p| p.get("type")).and_then(Value::as_str);
        let number = match kind {
            Some("integer") => text.parse::<i64>().ok().map(Value::from),
            Some("number") => text
                .parse::<i64>()
                .ok()
                .map(Value::from)
                .or_else(|| text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)),
            _ => None,
        };
        Some(number.unwrap_or_else(|| Value::String(text.to_owned())))
    }

    /// A value as an HTML form shows it.
    pub fn text_of(value: Option<&Value>) -> String {
        match value {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }

    /// The options of a field whose schema lists them (`enum`).
    pub fn options(&self, name: &str) -> Vec<String> {
        let list = self.properties().and_then(|p| p.get(name)).and_then(|p| p.get("enum")).and_then(Value::as_array);
        list.map(|l| l.iter().map(|v| Self::text_of(Some(v))).collect()).unwrap_or_default()
    }

    /// Whether the schema requires a field (at the top level).
    pub fn required(&self, name: &str) -> bool {
        let list = self.schema.get("required").and_then(Value::as_array);
        list.is_some_and(|l| l.iter().any(|v| v.as_str() == Some(name)))
    }

    /// Whether a field is shown for `data`.
    pub fn shown(&self, field: &FormField, data: &Map<String, Value>) -> bool {
        field.show_if.as_ref().is_none_or(|c| data.get(&c.field) == Some(&c.equals))
    }

    /// The data with what the form does not show dropped: unknown names and fields whose
    /// condition does not hold (a hidden answer is never kept, so never checked or submitted).
    pub fn keep_shown(&self, mut data: Map<String, Value>) -> Map<String, Value> {
        let snapshot = data.clone();
        data.retain(|k, _| self.field(k).is_some_and(|f| self.shown(f, &snapshot)));
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generic_form_is_consistent() {
        assert!(Form::generic().check_layout().is_empty());
    }

    #[test]
    fn layout_errors_name_the_field() {
        let mut f = Form::generic();
        f.sections[0].fields[1].name = "mobile".into();
        f.sections[0].fields[0].show_if = Some(ShowIf { field: "description".into(), equals: json!("x") });
        let v = f.check_layout();
        assert!(v.contains_key("form.sections[0].fields[1].name"), "{v:?}");
        assert!(v.contains_key("form.sections[0].fields[0].show_if"), "{v:?}");
        assert!(v.get("form.sections").is_some_and(|r| r.contains("phone")), "{v:?}");
    }

    #[test]
    fn typed_text_becomes_the_schema_type() {
        let mut f = Form::generic();
        f.schema["properties"]["phone"] = json!({"type": "integer"});
        assert_eq!(f.value_from_text("phone", " 12 "), Some(json!(12)));
        assert_eq!(f.value_from_text("phone", "twelve"), Some(json!("twelve")));
        f.schema["properties"]["phone"] = json!({"type": "number"});
        assert_eq!(f.value_from_text("phone", "5"), Some(json!(5)), "a whole number stays whole");
        assert_eq!(f.value_from_text("phone", "2.5"), Some(json!(2.5)));
        assert_eq!(f.value_from_text("description", ""), None);
        assert!(f.required("phone"));
    }

    #[test]
    fn hidden_answers_are_dropped() {
        let mut f = Form::generic();
        f.sections[0].fields[2].show_if = Some(ShowIf { field: "applicant_name".into(), equals: json!("张三") });
        let data = json!({"applicant_name": "李四", "description": "x", "bogus": 1});
        let kept = f.keep_shown(data.as_object().unwrap().clone());
        assert_eq!(Value::Object(kept), json!({"applicant_name": "李四"}));
    }
}
