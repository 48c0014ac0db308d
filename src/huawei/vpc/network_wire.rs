//! What the VPC, subnet, port and tag APIs share on the wire: id shapes, name and description
//! rules, `key*value` tags, IPv4 fields, list queries with `limit`/`marker` paging, and reading
//! back what a product keeps in a resource's `attributes`.

use std::net::Ipv4Addr;

use serde_json::{Map, Value};

use super::network_errors::{from_domain, invalid, Api};
use crate::domain::network::{NetworkFilter, NetworkResource};
use crate::domain::{NetworkService, Page, Repository, ResourceKind, Tag, TenantScope};
use crate::huawei::error::HuaweiError;

/// Neutron's default page: every list answers at most 2000 items.
const DEFAULT_LIMIT: u32 = 2000;
/// How long a `key*value` tag of a v1 create, or a `/v2.0` tag, may be.
pub const MAX_TAG_KEY_CHARS: usize = 36;
pub const MAX_TAG_VALUE_CHARS: usize = 43;
/// How many tags a v1 create may carry.
pub const MAX_CREATE_TAGS: usize = 10;

/// A VPC, subnet or port id: API Explorer's `[0-9a-z]{8}-[0-9a-z]{4}-…-[0-9a-z]{12}`.
pub fn is_network_id(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length
                && group
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.')
        || ('\u{4e00}'..='\u{9fa5}').contains(&c)
}

/// A VPC's or subnet's name: `min..=64` letters, digits, Chinese, `_`, `-`, `.`.
pub fn check_name(api: Api, name: &str, min: usize) -> Result<(), HuaweiError> {
    let count = name.chars().count();
    if count < min || count > 64 || !name.chars().all(is_name_char) {
        return Err(invalid(api, "name", None));
    }
    Ok(())
}

/// A description: at most 255 characters, no `<` or `>`.
pub fn check_description(api: Api, description: &str) -> Result<(), HuaweiError> {
    if description.chars().count() > 255 || description.contains(['<', '>']) {
        return Err(invalid(api, "description", None));
    }
    Ok(())
}

/// One tag's key and value within the lengths of `/v2.0` (and v1 create) tags: the key
/// `1..=max_key` characters, the value at most `max_value`, neither with control characters.
pub fn check_tag(api: Api, tag: &Tag, max_key: usize, max_value: usize) -> Result<(), HuaweiError> {
    let key_chars = tag.key.chars().count();
    let ok = (1..=max_key).contains(&key_chars)
        && tag.value.chars().count() <= max_value
        && !tag
            .key
            .chars()
            .chain(tag.value.chars())
            .any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(invalid(
            api,
            "tags",
            Some(&format_args!(
                "the key length must be in range [1,{max_key}] and value in range [0,{max_value}]"
            )),
        ))
    }
}

/// The tags of a v1 create, `["key*value", …]`: at most ten, keys unique; in key order.
pub fn parse_create_tags(api: Api, tags: Option<Vec<String>>) -> Result<Vec<Tag>, HuaweiError> {
    let tags = tags.unwrap_or_default();
    if tags.len() > MAX_CREATE_TAGS {
        return Err(invalid(api, "tags", None));
    }
    let mut parsed: Vec<Tag> = Vec::with_capacity(tags.len());
    for text in tags {
        let (key, value) = text
            .split_once('*')
            .ok_or_else(|| invalid(api, "tags", None))?;
        let tag = Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        };
        check_tag(api, &tag, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS)?;
        if parsed.iter().any(|other| other.key == tag.key) {
            return Err(invalid(api, "tags", None));
        }
        parsed.push(tag);
    }
    parsed.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(parsed)
}

/// An IPv4 address field, four decimal octets.
pub fn ipv4(api: Api, field: &'static str, value: &str) -> Result<Ipv4Addr, HuaweiError> {
    value.parse().map_err(|_| invalid(api, field, None))
}

/// A list query: the filters in order (a repeated one several times), `limit` (0..=2000, 0 or
/// none meaning 2000) and `marker` (the id to start after).
pub struct ListQuery {
    pub params: Vec<(String, String)>,
    pub limit: u32,
    pub marker: Option<String>,
}

impl ListQuery {
    /// Parses the query string; a bad `limit` or a repeated `marker` is `refusal`.
    pub fn parse(
        query: Option<&str>,
        refusal: impl Fn() -> HuaweiError,
    ) -> Result<Self, HuaweiError> {
        let mut params = Vec::new();
        let mut limit = None;
        let mut marker = None;
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "limit" => match (limit, value.parse::<u32>()) {
                    (None, Ok(parsed)) if parsed <= DEFAULT_LIMIT => limit = Some(parsed),
                    _ => return Err(refusal()),
                },
                "marker" if marker.is_none() => marker = Some(value.into_owned()),
                "marker" => return Err(refusal()),
                _ => params.push((key.into_owned(), value.into_owned())),
            }
        }
        Ok(ListQuery {
            params,
            limit: limit.filter(|l| *l > 0).unwrap_or(DEFAULT_LIMIT),
            marker,
        })
    }

    /// Every value of the filter `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.params
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The one value of the filter `name` (the last, if repeated).
    pub fn one<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).last()
    }
}

/// One page of `kind` matching `filter` after the query's marker: by the store's own paging,
/// or, when `keep` narrows further on what only the product knows (its attributes), by reading
/// every match in creation order and paging those that `keep` accepts.
pub async fn list_page<R: Repository>(
    network: &NetworkService<R>,
    scope: &TenantScope,
    kind: ResourceKind,
    filter: &NetworkFilter,
    query: &ListQuery,
    keep: Option<&(dyn Fn(&NetworkResource) -> bool + Sync)>,
    api: Api,
) -> Result<Vec<NetworkResource>, HuaweiError> {
    let Some(keep) = keep else {
        let page = Page::AfterMarker {
            marker: query.marker.clone(),
            limit: query.limit,
        };
        return network
            .list(scope, kind, filter, &page)
            .await
            .map_err(|err| from_domain(api, err));
    };
    let everything = Page::Offset {
        offset: 0,
        limit: u32::MAX,
    };
    let all = network
        .list(scope, kind, filter, &everything)
        .await
        .map_err(|err| from_domain(api, err))?;
    let start = match &query.marker {
        None => 0,
        // As the store pages: an unknown marker gives an empty page.
        Some(marker) => match all.iter().position(|r| &r.id == marker) {
            Some(index) => index + 1,
            None => all.len(),
        },
    };
    Ok(all
        .into_iter()
        .skip(start)
        .filter(|resource| keep(resource))
        .take(query.limit as usize)
        .collect())
}

/// A string a product keeps in the resource's attributes (`""` when absent).
pub fn text_attribute<'a>(resource: &'a NetworkResource, key: &str) -> &'a str {
    resource.spec.text_attribute(key).unwrap_or_default()
}

/// A boolean a product keeps in the resource's attributes.
pub fn bool_attribute(resource: &NetworkResource, key: &str, default: bool) -> bool {
    resource.spec.bool_attribute(key).unwrap_or(default)
}

/// A list a product keeps in the resource's attributes (`[]` when absent).
pub fn list_attribute(resource: &NetworkResource, key: &str) -> Vec<Value> {
    resource
        .spec
        .attributes
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The strings of a list attribute.
pub fn strings_attribute(resource: &NetworkResource, key: &str) -> Vec<String> {
    list_attribute(resource, key)
        .into_iter()
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect()
}

/// Attributes from `(key, value)` pairs, skipping the `None`s.
pub fn attributes<const N: usize>(entries: [(&str, Option<Value>); N]) -> Map<String, Value> {
    entries
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key.to_owned(), value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_ids_take_api_explorers_shape() {
        assert!(is_network_id("99d9d709-8478-4b46-9f3f-2206b1023fd3"));
        assert!(is_network_id("zzzzzzzz-0000-0000-0000-000000000000"));
        for bad in [
            "",
            "99D9D709-8478-4b46-9f3f-2206b1023fd3",
            "99d9d709-8478-4b46-9f3f-2206b1023fd",
            "99d9d709_8478-4b46-9f3f-2206b1023fd3",
            "99d9d709-8478-4b46-9f3f-2206b1023fd3-",
        ] {
            assert!(!is_network_id(bad), "{bad}");
        }
    }

    #[test]
    fn create_tags_are_key_star_value() {
        let tags = parse_create_tags(Api::Vpc, Some(vec!["b*2".into(), "a*".into()])).unwrap();
        assert_eq!(tags[0].key, "a");
        assert_eq!(tags[0].value, "");
        assert_eq!(tags[1].value, "2");
        for bad in [
            vec!["nostar".to_owned()],
            vec!["*v".to_owned()],
            vec!["k*1".to_owned(), "k*2".to_owned()],
            vec![format!("{}*v", "k".repeat(37))],
            (0..11).map(|i| format!("k{i}*v")).collect(),
        ] {
            let err = parse_create_tags(Api::Vpc, Some(bad.clone())).unwrap_err();
            assert_eq!(err.code(), "VPC.0101", "{bad:?}");
        }
    }

    #[test]
    fn list_queries_take_limit_and_marker_once() {
        let refusal = || invalid(Api::Vpc, "limit", None);
        let query = ListQuery::parse(Some("id=a&id=b&limit=0&marker=m"), refusal).unwrap();
        assert_eq!(query.limit, 2000);
        assert_eq!(query.marker.as_deref(), Some("m"));
        assert_eq!(query.all("id").collect::<Vec<_>>(), ["a", "b"]);
        for bad in [
            "limit=2001",
            "limit=-1",
            "limit=x",
            "limit=1&limit=2",
            "marker=a&marker=b",
        ] {
            assert!(ListQuery::parse(Some(bad), refusal).is_err(), "{bad}");
        }
    }
}
