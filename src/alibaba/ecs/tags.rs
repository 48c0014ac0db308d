//! ECS's tag actions for ENIs (`ResourceType=eni`): TagResources, UntagResources (lower-case
//! `t`, unlike VPC's UnTagResources) and ListTagResources, with the error table of ECS's tag
//! service. Of ECS's other resource types none exists here: their ids are not found, and
//! listing their tags gives nothing.

use std::borrow::Cow;

use axum::http::StatusCode;
use serde::Serialize;

use super::super::error::AlibabaError;
use super::super::params::Params;
use super::super::rpc::Call;
use super::network_interfaces::Empty;
use super::wire::{invalid_value, parse_tag_filters, parse_tags, too_many_tags, MAX_TAGS};
use crate::domain::{DomainError, ResourceKind};

const ENI: ResourceKind = ResourceKind::NetworkInterface;

/// How many resources one call may name.
const MAX_RESOURCE_IDS: usize = 50;

/// ListTagResources' page: ECS's request has no page size.
const PAGE_SIZE: u32 = 50;

/// ECS's taggable resource types besides `eni`; only ENIs exist here.
const OTHER_RESOURCE_TYPES: [&str; 18] = [
    "instance",
    "disk",
    "snapshot",
    "image",
    "securitygroup",
    "volume",
    "ddh",
    "ddhcluster",
    "keypair",
    "launchtemplate",
    "reservedinstance",
    "snapshotpolicy",
    "elasticityassurance",
    "capacityreservation",
    "command",
    "invocation",
    "activation",
    "managedinstance",
];

/// The tag service's missing parameter: 404 `MissingParameter.<Name>` (its table's own status
/// and wording).
fn missing(name: &'static str, code: &'static str) -> AlibabaError {
    AlibabaError::new(
        StatusCode::NOT_FOUND,
        code,
        Cow::Owned(format!("The parameter - {name} should not be null")),
    )
}

fn resources_not_found() -> AlibabaError {
    AlibabaError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceId.NotFound",
        "The specified ResourceIds are not found in our records.",
    )
}

/// A tag write's failure as the tag service words it.
fn tag_error(err: DomainError) -> AlibabaError {
    match err {
        DomainError::NetworkNotFound { .. } => resources_not_found(),
        DomainError::TooManyTags(_) => AlibabaError::new(
            StatusCode::BAD_REQUEST,
            "OperationDenied.QuotaExceed",
            "The quota of tags on resource is beyond permitted range.",
        ),
        other => other.into(),
    }
}

/// Whether the call is about ENIs (`eni`, in any case) or another ECS type, none of which exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Enis,
    Other,
}

fn parse_resource_type(params: &Params) -> Result<Target, AlibabaError> {
    let Some(resource_type) = params.get("ResourceType") else {
        return Err(missing("ResourceType", "MissingParameter.ResourceType"));
    };
    if resource_type.eq_ignore_ascii_case("eni") {
        Ok(Target::Enis)
    } else if OTHER_RESOURCE_TYPES
        .iter()
        .any(|other| other.eq_ignore_ascii_case(resource_type))
    {
        Ok(Target::Other)
    } else {
        Err(AlibabaError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType.NotFound",
            "The ResourceType provided does not exist in our records.",
        ))
    }
}

/// `ResourceId.N`: at most 50 (more is `NumberExceed.ResourceIds`), each once.
fn parse_resource_ids(params: &Params, required: bool) -> Result<Vec<String>, AlibabaError> {
    // Read past the limit, so that one id too many gets the tag service's own code.
    let given = params.list("ResourceId", 1000)?;
    if given.len() > MAX_RESOURCE_IDS {
        return Err(AlibabaError::new(
            StatusCode::BAD_REQUEST,
            "NumberExceed.ResourceIds",
            "The ResourceIds parameter's number is exceed , Valid : 50",
        ));
    }
    if required && given.is_empty() {
        return Err(missing("ResourceIds", "MissingParameter.ResourceIds"));
    }
    let mut ids: Vec<String> = Vec::with_capacity(given.len());
    for id in given {
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

pub async fn tag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let target = parse_resource_type(call.params)?;
    let ids = parse_resource_ids(call.params, true)?;
    let tags = parse_tags(call.params)?;
    if tags.is_empty() {
        return Err(missing("Tags", "MissingParameter.Tags"));
    }
    if target == Target::Other {
        return Err(resources_not_found());
    }
    call.state
        .network
        .tag(call.scope, ENI, &ids, &tags)
        .await
        .map_err(tag_error)?;
    Ok(Empty {})
}

/// Removes the `TagKey.N` keys, or every tag with `All=true` and no key; with neither it only
/// checks that the ENIs exist.
pub async fn untag_resources(call: &Call<'_>) -> Result<Empty, AlibabaError> {
    let target = parse_resource_type(call.params)?;
    let ids = parse_resource_ids(call.params, true)?;
    let keys: Vec<String> = call
        .params
        .list("TagKey", 1000)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    if keys.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    let all = call.params.boolean("All")?.unwrap_or(false);
    if target == Target::Other {
        return Err(resources_not_found());
    }
    let keys = (!keys.is_empty() || !all).then_some(keys);
    call.state
        .network
        .untag(call.scope, ENI, &ids, keys.as_deref())
        .await
        .map_err(tag_error)?;
    Ok(Empty {})
}

pub async fn list_tag_resources(call: &Call<'_>) -> Result<ListTagResourcesResponse, AlibabaError> {
    let target = parse_resource_type(call.params)?;
    let ids = parse_resource_ids(call.params, false)?;
    let filters = parse_tag_filters(call.params)?;
    if ids.is_empty() && filters.is_empty() {
        return Err(missing("Tags", "MissingParameter.Tags"));
    }
    // The token is the offset of the next page.
    let offset = call
        .params
        .get("NextToken")
        .map(|token| token.parse::<u64>().map_err(|_| invalid_value("NextToken")))
        .transpose()?
        .unwrap_or(0);
    let mut tagged = match target {
        Target::Other => Vec::new(),
        // One more than a page tells whether another page follows.
        Target::Enis => call
            .state
            .network
            .list_tags(call.scope, ENI, &ids, &filters, offset, PAGE_SIZE + 1)
            .await
            .map_err(tag_error)?,
    };
    let next_token = (tagged.len() > PAGE_SIZE as usize)
        .then(|| offset.saturating_add(u64::from(PAGE_SIZE)).to_string());
    tagged.truncate(PAGE_SIZE as usize);
    Ok(ListTagResourcesResponse {
        next_token,
        tag_resources: TagResources {
            tag_resource: tagged
                .into_iter()
                .map(|entry| TagResource {
                    resource_id: entry.id,
                    resource_type: "eni",
                    tag_key: entry.tag.key,
                    tag_value: entry.tag.value,
                })
                .collect(),
        },
    })
}

/// `NextToken` only while another page follows: Terraform's loop ends on its absence.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[schema(as = EcsListTagResourcesResponse)]
pub struct ListTagResourcesResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    tag_resources: TagResources,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
struct TagResources {
    tag_resource: Vec<TagResource>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[schema(as = EcsTagResource)]
struct TagResource {
    resource_id: String,
    resource_type: &'static str,
    tag_key: String,
    tag_value: String,
}
