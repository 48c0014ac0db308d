//! What the ECS product's actions share: ECS's own wording of errors (it names the parameter or
//! the id in the message where VPC does not, and its tag service has a table of its own), the
//! checks of the ids, names and tags its actions take, and the names of an ENI's statuses
//! (`openapi/reference/alibaba-ecs-eni.md`).

use std::borrow::Cow;

use axum::http::StatusCode;

use super::super::error::AlibabaError;
use super::super::params::Params;
use crate::domain::network::NetworkStatus;
use crate::domain::{DomainError, ResourceKind, Tag, TagFilter};

/// How many tags a resource may carry, and one call may name.
pub const MAX_TAGS: usize = 20;

/// At most this much of a caller's id is repeated in a message.
const MAX_SHOWN: usize = 128;

fn error(
    status: StatusCode,
    code: &'static str,
    message: impl Into<Cow<'static, str>>,
) -> AlibabaError {
    AlibabaError::new(status, code, message)
}

/// `value` as a message repeats it: cut to a sane length.
fn shown(value: &str) -> &str {
    match value.char_indices().nth(MAX_SHOWN) {
        Some((end, _)) => &value[..end],
        None => value,
    }
}

/// ECS's missing parameter: 400 `MissingParameter`, the parameter named in the message (the ENI
/// actions' error tables list the bare code; AssignPrivateIpAddresses gives the message).
pub fn missing(param: &str) -> AlibabaError {
    error(
        StatusCode::BAD_REQUEST,
        "MissingParameter",
        format!(
            "The input parameter \"{param}\" that is mandatory for processing this request is not supplied."
        ),
    )
}

/// A required parameter's value, else [`missing`].
pub fn require<'a>(params: &'a Params, name: &str) -> Result<&'a str, AlibabaError> {
    params.get(name).ok_or_else(|| missing(name))
}

/// 400 `InvalidParameter`: a value outside the parameter's documented values.
pub fn invalid_value(param: &str) -> AlibabaError {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidParameter",
        format!("The specified value of parameter \"{param}\" is not valid."),
    )
}

pub fn eni_not_found(id: &str) -> AlibabaError {
    error(
        StatusCode::NOT_FOUND,
        "InvalidEniId.NotFound",
        format!("The specified EniId \"{}\" is not found.", shown(id)),
    )
}

pub fn vswitch_not_found(id: &str) -> AlibabaError {
    error(
        StatusCode::NOT_FOUND,
        "InvalidVSwitchId.NotFound",
        format!("The specified VSwitchId \"{}\" is not found.", shown(id)),
    )
}

/// A domain failure as ECS words it; what ECS words as VPC does goes through the shared table.
pub fn ecs_error(err: DomainError) -> AlibabaError {
    match err {
        DomainError::ParentNotFound {
            kind: ResourceKind::Subnet,
            id,
        } => vswitch_not_found(&id),
        DomainError::NetworkNotFound {
            kind: ResourceKind::NetworkInterface,
            id,
        } => eni_not_found(&id),
        DomainError::NetworkIncorrectState {
            kind: ResourceKind::NetworkInterface,
            status,
            ..
        } => error(
            StatusCode::BAD_REQUEST,
            "InvalidOperation.InvalidEniState",
            format!(
                "The operation is not allowed in the current ENI state. Expecting status is \"Available\" while current status is \"{}\".",
                status_name(status)
            ),
        ),
        other => other.into(),
    }
}

/// An ENI's status as ECS names it.
pub fn status_name(status: NetworkStatus) -> &'static str {
    match status {
        NetworkStatus::Pending => "Creating",
        NetworkStatus::Available => "Available",
        NetworkStatus::Deleting => "Deleting",
    }
}

/// Every status an ENI can have in the cloud; those without an instance to attach to
/// (`Attaching`, `InUse`, `Detaching`) and `CreateFailed` never occur here.
const STATUS_NAMES: [&str; 7] = [
    "Creating",
    "Available",
    "Attaching",
    "InUse",
    "Detaching",
    "Deleting",
    "CreateFailed",
];

/// A `Status` filter: the status it names, `None` for one no ENI here reaches.
pub fn parse_status(value: &str) -> Result<Option<NetworkStatus>, AlibabaError> {
    if !STATUS_NAMES.contains(&value) {
        return Err(invalid_value("Status"));
    }
    Ok(NetworkStatus::ALL
        .into_iter()
        .find(|status| status_name(*status) == value))
}

/// `prefix` followed by 1 to 64 lowercase letters or digits, as the cloud writes its ids.
pub fn has_id_shape(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|rest| {
        (1..=64).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

pub fn is_eni_id(value: &str) -> bool {
    has_id_shape(value, "eni-")
}

/// A name or description: `min..=max` characters, no control characters, not starting with
/// `http://` or `https://`.
fn is_text(value: &str, min: usize, max: usize) -> bool {
    let chars = value.chars().count();
    (min..=max).contains(&chars)
        && !value.starts_with("http://")
        && !value.starts_with("https://")
        && !value.chars().any(char::is_control)
}

/// `NetworkInterfaceName`: 2–128 characters starting with a letter (of any script), then
/// letters, digits, `:`, `_`, `.` and `-`.
pub fn parse_name(params: &Params) -> Result<Option<String>, AlibabaError> {
    let Some(name) = params.get("NetworkInterfaceName") else {
        return Ok(None);
    };
    let valid = is_text(name, 2, 128)
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '.' | '-'));
    if valid {
        Ok(Some(name.to_owned()))
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "InvalidNetworkInterfaceName.Malformed",
            "The specified NetworkInterfaceName is wrongly formed.",
        ))
    }
}

/// `Description`: 2–256 characters.
pub fn parse_description(params: &Params) -> Result<Option<String>, AlibabaError> {
    let Some(description) = params.get("Description") else {
        return Ok(None);
    };
    if is_text(description, 2, 256) {
        Ok(Some(description.to_owned()))
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "InvalidDescription.Malformed",
            "The specified description is wrongly formed.",
        ))
    }
}

/// `ResourceGroupId`: an `rg-` id (any of them: resource groups are not checked here, as flow
/// logs' are not without `--references strict`).
pub fn parse_resource_group_id(params: &Params) -> Result<Option<String>, AlibabaError> {
    match params.get("ResourceGroupId") {
        None => Ok(None),
        Some(group) if has_id_shape(group, "rg-") => Ok(Some(group.to_owned())),
        Some(_) => Err(error(
            StatusCode::NOT_FOUND,
            "InvalidResourceGroup.NotFound",
            "The ResourceGroup provided does not exist in our records.",
        )),
    }
}

pub fn too_many_tags() -> AlibabaError {
    error(
        StatusCode::BAD_REQUEST,
        "NumberExceed.Tags",
        "The Tags parameter's number is exceed , Valid : 20",
    )
}

/// The `Tag.N.Key` / `Tag.N.Value` records, at most [`MAX_TAGS`] (more is `NumberExceed.Tags`).
fn tag_records(params: &Params) -> Result<Vec<[Option<&str>; 2]>, AlibabaError> {
    // Read past the limit, so that one entry too many gets the tag service's own code.
    let records = params.records("Tag", ["Key", "Value"], 1000)?;
    if records.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    Ok(records)
}

fn tag_key_malformed() -> AlibabaError {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidTagKey.Malformed",
        "The specified Tag.n.Key is not valid.",
    )
}

/// A tag key: 1–128 characters, not starting with `aliyun` or `acs:`, without `http://` or
/// `https://`.
fn check_tag_key(key: &str) -> Result<(), AlibabaError> {
    let valid = is_tag_text(key, 1) && !key.starts_with("aliyun") && !key.starts_with("acs:");
    if valid {
        Ok(())
    } else {
        Err(tag_key_malformed())
    }
}

/// A tag value: up to 128 characters (empty too), not starting with `acs:`, without `http://`
/// or `https://`.
fn check_tag_value(value: &str) -> Result<(), AlibabaError> {
    if is_tag_text(value, 0) && !value.starts_with("acs:") {
        Ok(())
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "InvalidTagValue.Malformed",
            "The specified Tag.n.Value is not valid.",
        ))
    }
}

fn is_tag_text(value: &str, min: usize) -> bool {
    (min..=128).contains(&value.chars().count())
        && !value.contains("http://")
        && !value.contains("https://")
        && !value.chars().any(char::is_control)
}

/// Tags to set: keys required and unique, values may be empty; in key order.
pub fn parse_tags(params: &Params) -> Result<Vec<Tag>, AlibabaError> {
    let mut tags: Vec<Tag> = Vec::new();
    for [key, value] in tag_records(params)? {
        let key = key.unwrap_or_default();
        check_tag_key(key)?;
        let value = value.unwrap_or_default();
        check_tag_value(value)?;
        if tags.iter().any(|tag| tag.key == key) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "Duplicate.TagKey",
                "The Tag.N.Key contain duplicate key.",
            ));
        }
        tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(tags)
}

/// Tags to look for: each a key, and its value too when one is given (a value without a key is
/// `InvalidParameter.TagValue`).
pub fn parse_tag_filters(params: &Params) -> Result<Vec<TagFilter>, AlibabaError> {
    let mut filters = Vec::new();
    for [key, value] in tag_records(params)? {
        let key = match (key, value) {
            (Some(key), _) if !key.is_empty() => key,
            (_, Some(value)) if !value.is_empty() => {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameter.TagValue",
                    "The specified Tag.N.Value is not valid without its Tag.N.Key.",
                ))
            }
            _ => return Err(tag_key_malformed()),
        };
        check_tag_key(key)?;
        let value = value.filter(|value| !value.is_empty());
        if let Some(value) = value {
            check_tag_value(value)?;
        }
        filters.push(TagFilter {
            key: key.to_owned(),
            value: value.map(str::to_owned),
        });
    }
    Ok(filters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_their_prefix_and_lowercase_alphanumerics() {
        assert!(is_eni_id("eni-bp1bighqoqowq73yw91r"));
        assert!(!is_eni_id("eni-"));
        assert!(!is_eni_id("eni-ABC"));
        assert!(!is_eni_id("vsw-abc"));
        assert!(!is_eni_id(&format!("eni-{}", "a".repeat(65))));
        assert!(has_id_shape("sg-1", "sg-"));
    }

    #[test]
    fn statuses_have_ecs_names_and_unreachable_ones_match_nothing() {
        for status in NetworkStatus::ALL {
            assert_eq!(parse_status(status_name(status)).unwrap(), Some(status));
        }
        assert_eq!(parse_status("InUse").unwrap(), None);
        assert_eq!(
            parse_status("available").unwrap_err().code,
            "InvalidParameter"
        );
    }

    #[test]
    fn messages_repeat_at_most_a_sane_length_of_an_id() {
        let long = "é".repeat(1000);
        let message = vswitch_not_found(&long).message;
        assert!(message.chars().count() < MAX_SHOWN + 60, "{message}");
    }
}
