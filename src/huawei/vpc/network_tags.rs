//! Tags of VPCs and subnets (`/v2.0/{project_id}/{vpcs|subnets}/…/tags…`, the calls Terraform
//! makes after a create and on every read) and of ports (`/v3/{project_id}/ports/…/tags…`, those
//! of `huaweicloud_vpc_network_interface`); reference §6. At most ten tags per resource; a
//! batch create overwrites the value of a key it repeats, a delete of a missing key does
//! nothing. The handlers are generic over the resource ([`Tagged`]).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::marker::PhantomData;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::extract::{MaybeProject, PathParams, RequestBody, VpcJson};
use super::network_errors::{
    from_domain, invalid, invalid_field, port_not_found_v3, tagged_resource_not_found, Api,
};
use super::network_wire::{check_tag, is_network_id, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS};
use crate::context::{RequestContext, RequestId};
use crate::domain::{ResourceKind, Tag, TenantScope};
use crate::huawei::error::HuaweiError;
use crate::state::AppState;

pub const VPC_TAGS_ACTION: &str = "/v2.0/{project_id}/vpcs/{vpc_id}/tags/action";
pub const VPC_TAGS: &str = "/v2.0/{project_id}/vpcs/{vpc_id}/tags";
pub const VPC_TAG: &str = "/v2.0/{project_id}/vpcs/{vpc_id}/tags/{key}";
pub const VPC_PROJECT_TAGS: &str = "/v2.0/{project_id}/vpcs/tags";
pub const SUBNET_TAGS_ACTION: &str = "/v2.0/{project_id}/subnets/{subnet_id}/tags/action";
pub const SUBNET_TAGS: &str = "/v2.0/{project_id}/subnets/{subnet_id}/tags";
pub const SUBNET_TAG: &str = "/v2.0/{project_id}/subnets/{subnet_id}/tags/{key}";
pub const SUBNET_PROJECT_TAGS: &str = "/v2.0/{project_id}/subnets/tags";
pub const PORT_TAGS_CREATE: &str = "/v3/{project_id}/ports/{port_id}/tags/create";
pub const PORT_TAGS_DELETE: &str = "/v3/{project_id}/ports/{port_id}/tags/delete";
pub const PORT_TAGS: &str = "/v3/{project_id}/ports/{port_id}/tags";
pub const PORT_TAG: &str = "/v3/{project_id}/ports/{port_id}/tags/{key}";
pub const PORT_PROJECT_TAGS: &str = "/v3/{project_id}/ports/tags";

/// A resource whose tags these routes manage.
pub trait Tagged: Send + Sync + 'static {
    const KIND: ResourceKind;
    /// The path parameter naming it.
    const ID_PARAM: &'static str;
    /// The API its errors are worded for (`/v2.0` or v3).
    const API: Api;
    /// The longest key and value.
    const MAX_KEY: usize;
    const MAX_VALUE: usize;
    /// The SDK's name of the batch delete, which shares the batch create's path for `/v2.0`.
    const BATCH_DELETE: &'static str;

    /// The answer for an id that is not the resource's.
    fn not_found(id: &str) -> HuaweiError;
}

pub struct VpcTags;
pub struct SubnetTags;
pub struct PortTags;

impl Tagged for VpcTags {
    const KIND: ResourceKind = ResourceKind::Vpc;
    const ID_PARAM: &'static str = "vpc_id";
    const API: Api = Api::Tags;
    const MAX_KEY: usize = MAX_TAG_KEY_CHARS;
    const MAX_VALUE: usize = MAX_TAG_VALUE_CHARS;
    const BATCH_DELETE: &'static str = "BatchDeleteVpcTags";

    fn not_found(_id: &str) -> HuaweiError {
        tagged_resource_not_found()
    }
}

impl Tagged for SubnetTags {
    const KIND: ResourceKind = ResourceKind::Subnet;
    const ID_PARAM: &'static str = "subnet_id";
    const API: Api = Api::Tags;
    const MAX_KEY: usize = MAX_TAG_KEY_CHARS;
    const MAX_VALUE: usize = MAX_TAG_VALUE_CHARS;
    const BATCH_DELETE: &'static str = "BatchDeleteSubnetTags";

    fn not_found(_id: &str) -> HuaweiError {
        tagged_resource_not_found()
    }
}

/// v3's `ResourceTag`: keys of up to 128 characters, values of up to 255.
impl Tagged for PortTags {
    const KIND: ResourceKind = ResourceKind::NetworkInterface;
    const ID_PARAM: &'static str = "port_id";
    const API: Api = Api::V3;
    const MAX_KEY: usize = 128;
    const MAX_VALUE: usize = 255;
    const BATCH_DELETE: &'static str = "BatchDeletePortTags";

    fn not_found(id: &str) -> HuaweiError {
        port_not_found_v3(id)
    }
}

/// `{"action": "create"|"delete", "tags": [ResourceTag]}` (`/v2.0`), or `{"tags": [...]}` (v3,
/// the action in the path).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(bound = "")]
#[schema(bound = "")]
pub struct TagsBody<T> {
    action: Option<String>,
    tags: Option<Vec<TagReq>>,
    #[serde(skip)]
    resource: PhantomData<T>,
}

/// `{"tag": ResourceTag}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(bound = "")]
#[schema(bound = "")]
pub struct TagBody<T> {
    tag: Option<TagReq>,
    #[serde(skip)]
    resource: PhantomData<T>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TagReq {
    key: Option<String>,
    value: Option<String>,
}

impl<T: Tagged> RequestBody for TagsBody<T> {
    const WRAPPER: &'static str = "tags";
    const WRAPS_LIST: bool = true;

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        invalid(T::API, field, reason)
    }
}

impl<T: Tagged> RequestBody for TagBody<T> {
    const WRAPPER: &'static str = "tag";

    fn invalid(field: &str, reason: Option<&dyn Display>) -> HuaweiError {
        invalid(T::API, field, reason)
    }
}

/// Tags to set: a key and a value each (the value may be empty), keys unique.
fn tags_to_create<T: Tagged>(tags: Vec<TagReq>) -> Result<Vec<Tag>, HuaweiError> {
    let mut checked: Vec<Tag> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = Tag {
            key: tag.key.ok_or_else(invalid_field(T::API, "key"))?,
            value: tag.value.ok_or_else(invalid_field(T::API, "value"))?,
        };
        check_tag(T::API, &tag, T::MAX_KEY, T::MAX_VALUE)?;
        if checked.iter().any(|other| other.key == tag.key) {
            return Err(invalid(T::API, "tags", Some(&"a key is repeated")));
        }
        checked.push(tag);
    }
    Ok(checked)
}

/// The keys to remove (values are not checked: a delete removes by key).
fn keys_to_delete<T: Tagged>(tags: Vec<TagReq>) -> Result<Vec<String>, HuaweiError> {
    tags.into_iter()
        .map(|tag| tag.key.ok_or_else(invalid_field(T::API, "key")))
        .collect()
}

/// The tenant and the resource of the URL, which must exist.
async fn resource<T: Tagged>(
    state: &AppState,
    project: MaybeProject,
    params: &PathParams,
) -> Result<(TenantScope, String), HuaweiError> {
    let scope = project.scope(invalid_field(T::API, "project_id"))?;
    let id = params.get(T::ID_PARAM).unwrap_or_default();
    if !is_network_id(id) {
        return Err(T::not_found(id));
    }
    state
        .network
        .get(&scope, T::KIND, id)
        .await
        .map_err(|err| from_domain(T::API, err))?;
    Ok((scope, id.to_owned()))
}

async fn set_tags<T: Tagged>(
    state: &AppState,
    scope: &TenantScope,
    id: String,
    tags: &[Tag],
) -> Result<Response, HuaweiError> {
    state
        .network
        .tag(scope, T::KIND, &[id], tags)
        .await
        .map_err(|err| from_domain(T::API, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove_tags<T: Tagged>(
    state: &AppState,
    scope: &TenantScope,
    id: String,
    keys: &[String],
) -> Result<Response, HuaweiError> {
    state
        .network
        .untag(scope, T::KIND, &[id], Some(keys))
        .await
        .map_err(|err| from_domain(T::API, err))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn required_tags<T: Tagged>(tags: Option<Vec<TagReq>>) -> Result<Vec<TagReq>, HuaweiError> {
    tags.filter(|tags| !tags.is_empty())
        .ok_or_else(invalid_field(T::API, "tags"))
}

/// `/v2.0` `BatchCreate…Tags` / `BatchDelete…Tags`: `{"action", "tags"}` → 204.
pub async fn tags_action<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<TagsBody<T>>,
) -> Result<Response, HuaweiError> {
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    let tags = required_tags::<T>(body.tags)?;
    match body.action.as_deref() {
        Some("create") => set_tags::<T>(&state, &scope, id, &tags_to_create::<T>(tags)?).await,
        Some("delete") => {
            if let Some(context) = RequestContext::current() {
                context.set_operation(super::PRODUCT, T::BATCH_DELETE);
            }
            remove_tags::<T>(&state, &scope, id, &keys_to_delete::<T>(tags)?).await
        }
        _ => Err(invalid(T::API, "action", None)),
    }
}

/// v3 `BatchCreatePortTags`: `{"tags"}` → 204.
pub async fn batch_create<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<TagsBody<T>>,
) -> Result<Response, HuaweiError> {
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    let tags = tags_to_create::<T>(required_tags::<T>(body.tags)?)?;
    set_tags::<T>(&state, &scope, id, &tags).await
}

/// v3 `BatchDeletePortTags`: `{"tags"}` → 204.
pub async fn batch_delete<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<TagsBody<T>>,
) -> Result<Response, HuaweiError> {
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    let keys = keys_to_delete::<T>(required_tags::<T>(body.tags)?)?;
    remove_tags::<T>(&state, &scope, id, &keys).await
}

/// `Create…Tag`: `{"tag"}` → 204.
pub async fn create_tag<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
    VpcJson(body): VpcJson<TagBody<T>>,
) -> Result<Response, HuaweiError> {
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    let tag = body.tag.ok_or_else(invalid_field(T::API, "tag"))?;
    let tags = tags_to_create::<T>(vec![tag])?;
    set_tags::<T>(&state, &scope, id, &tags).await
}

/// `Delete…Tag`: the key in the path → 204.
pub async fn delete_tag<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let key = params
        .get("key")
        .map(str::to_owned)
        .ok_or_else(invalid_field(T::API, "key"))?;
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    remove_tags::<T>(&state, &scope, id, &[key]).await
}

/// `Show…Tags`: `{"tags": [{"key", "value"}]}` (v3 adds `request_id`).
pub async fn show_tags<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
    params: PathParams,
) -> Result<Response, HuaweiError> {
    let (scope, id) = resource::<T>(&state, project, &params).await?;
    let tags = state
        .network
        .list_tags(&scope, T::KIND, &[id], &[], 0, u32::MAX)
        .await
        .map_err(|err| from_domain(T::API, err))?;
    let tags: Vec<Value> = tags
        .iter()
        .map(|tag| json!({"key": tag.tag.key, "value": tag.tag.value}))
        .collect();
    let body = match T::API {
        Api::V3 => json!({"tags": tags, "request_id": RequestId::current().as_str()}),
        _ => json!({"tags": tags}),
    };
    Ok(Json(body).into_response())
}

/// `List…Tags` of the project: every key with its values, `{"tags": [{"key", "values"}]}` (v3
/// adds `request_id` and `total_count`).
pub async fn project_tags<T: Tagged>(
    State(state): State<AppState>,
    project: MaybeProject,
) -> Result<Response, HuaweiError> {
    let scope = project.scope(invalid_field(T::API, "project_id"))?;
    let tags = state
        .network
        .list_tags(&scope, T::KIND, &[], &[], 0, u32::MAX)
        .await
        .map_err(|err| from_domain(T::API, err))?;
    let mut keys: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for tag in &tags {
        let values = keys.entry(&tag.tag.key).or_default();
        if !values.contains(&tag.tag.value.as_str()) {
            values.push(&tag.tag.value);
        }
    }
    let tags: Vec<Value> = keys
        .into_iter()
        .map(|(key, values)| json!({"key": key, "values": values}))
        .collect();
    let body = match T::API {
        Api::V3 => json!({
            "tags": tags,
            "request_id": RequestId::current().as_str(),
            "total_count": tags.len(),
        }),
        _ => json!({"tags": tags}),
    };
    Ok(Json(body).into_response())
}
