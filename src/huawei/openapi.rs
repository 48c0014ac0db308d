//! What the Huawei products' OpenAPI tables share (`vpc/openapi.rs`, `iam/openapi.rs`,
//! `lts/openapi.rs`, assembled by [`super::openapi_part`]): the gateway's own answers.

use crate::apidoc::{self, Method, Op};

/// What the gateway answers for every operation it authenticates (with `--auth verify`), and
/// what every product answers for a body over 1 MiB: in Huawei's gateway envelope
/// `{"error_msg", "error_code", "request_id"}`.
pub fn gateway_errors(op: Op) -> Op {
    op.answer(
        401,
        "APIGW.0301 / APIGW.0307: the signature or token is missing, wrong or expired.",
        Some(apidoc::object()),
    )
    .answer(
        413,
        "APIGW.0201: the body is over 1 MiB.",
        Some(apidoc::object()),
    )
}

/// An operation of `tag` behind the gateway; its `project_id`, if it has one, is what
/// `gateway::is_project_id` takes.
pub fn op(
    tag: &'static str,
    method: Method,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
) -> Op {
    let project = utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(format!(
            "^[A-Za-z0-9-]{{1,{}}}$",
            super::gateway::MAX_PROJECT_ID_CHARS
        )))
        .description(Some(
            "The project (the tenant); Huawei's are 32 hex digits.",
        ))
        .build();
    Op::new(tag, method, path, id, summary).path_param("project_id", project.into())
}
