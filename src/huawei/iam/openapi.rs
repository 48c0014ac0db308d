//! The IAM product's operations in the OpenAPI document: the paths and SDK names of
//! [`super::operations`], with the wire types of their handlers.

use super::wire::{
    CredentialBody, DomainsBody, ProjectsBody, SecurityTokenRequest, TokenBody, TokenRequest,
};
use crate::apidoc::{self, Method, Op, Part};
use crate::huawei::openapi::{gateway_errors, op};

const TAG: &str = "huawei-iam";

pub fn describe(part: &mut Part) {
    part.tag(
        TAG,
        "Huawei IAM (Keystone v3): projects, domains, tokens and temporary access keys.",
    );
    // Keystone's envelope: {"error": {"code", "message", "title"}}.
    let error = apidoc::object();
    let keystone = |op: Op| {
        op.errors(
            &[
                (400, "The body or the query is invalid."),
                (404, "No such token, or no such route (APIGW.0101)."),
            ],
            &error,
        )
    };
    let projects = part.schema::<ProjectsBody>();
    part.add(
        keystone(gateway_errors(op(
            TAG,
            Method::Get,
            "/v3/projects",
            "KeystoneListProjects",
            "The projects of the caller's domain.",
        )))
        .query("name", apidoc::string(), "A project name (an exact match).")
        .query("domain_id", apidoc::string(), "The caller's domain id.")
        .query(
            "parent_id",
            apidoc::string(),
            "The parent's id (a region's project: the domain).",
        )
        .query("enabled", apidoc::string(), "true or false.")
        .query("is_domain", apidoc::string(), "true or false.")
        .query("page", apidoc::integer(), "The page, from 1.")
        .query(
            "per_page",
            apidoc::integer(),
            "Projects per page, at most 5000.",
        )
        .answer(200, "The projects.", Some(projects.clone())),
    );
    part.add(
        keystone(gateway_errors(op(
            TAG,
            Method::Get,
            "/v3/auth/projects",
            "KeystoneListAuthProjects",
            "The projects the caller may use.",
        )))
        .answer(200, "The projects.", Some(projects)),
    );
    part.add(
        keystone(gateway_errors(op(
            TAG,
            Method::Get,
            "/v3/auth/domains",
            "KeystoneListAuthDomains",
            "The caller's domain.",
        )))
        .answer(200, "The domain.", Some(part.schema::<DomainsBody>())),
    );
    let token = part.schema::<TokenBody>();
    part.add(
        keystone(op(
            TAG,
            Method::Post,
            "/v3/auth/tokens",
            "KeystoneCreateUserTokenByPassword",
            "A token for a user's password (the token in X-Subject-Token).",
        ))
        .body(part.schema::<TokenRequest>())
        .answer(201, "The token's content.", Some(token.clone()))
        .answer(
            401,
            "The user or the password is wrong.",
            Some(error.clone()),
        )
        .answer(
            413,
            "APIGW.0201: the body is over 1 MiB.",
            Some(error.clone()),
        ),
    );
    part.add(
        keystone(gateway_errors(op(
            TAG,
            Method::Get,
            "/v3/auth/tokens",
            "KeystoneValidateToken",
            "What the token in X-Subject-Token holds.",
        )))
        .header(
            "X-Subject-Token",
            apidoc::string(),
            "The token to validate.",
        )
        .answer(200, "The token's content.", Some(token)),
    );
    part.add(
        keystone(op(
            TAG,
            Method::Post,
            "/v3.0/OS-CREDENTIAL/securitytokens",
            "CreateTemporaryAccessKeyByToken",
            "Temporary access keys for a token.",
        ))
        .body(part.schema::<SecurityTokenRequest>())
        .answer(
            201,
            "The temporary keys.",
            Some(part.schema::<CredentialBody>()),
        )
        .answer(
            401,
            "The token is missing, wrong or expired.",
            Some(error.clone()),
        )
        .answer(413, "APIGW.0201: the body is over 1 MiB.", Some(error)),
    );
}
