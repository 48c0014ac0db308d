//! The pieces every face's OpenAPI description is built from (`huawei::openapi`,
//! `control::openapi`, `alibaba::openapi`): an operation as the router registers it (method,
//! path, the SDK's name) with the wire types its handler reads and writes, whose schemas come
//! from `utoipa::ToSchema` derived on those very types. It knows no face; the control API
//! assembles the faces' parts into the one document it serves.

use std::cell::RefCell;
use std::collections::BTreeMap;

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, PathsBuilder, Ref,
    RefOr, Required, ResponseBuilder, Schema, Tag,
};
use utoipa::ToSchema;

pub use utoipa::openapi::path::HttpMethod as Method;

/// A face's part of the document: its operations and the schemas they name.
#[derive(Default)]
pub struct Part {
    paths: Vec<(String, HttpMethod, utoipa::openapi::path::Operation)>,
    // Behind a cell so that a schema can be named while its operation is being added.
    schemas: RefCell<BTreeMap<String, RefOr<Schema>>>,
    tags: Vec<Tag>,
}

impl Part {
    /// Registers `T` (and every schema it refers to) and answers a reference to it.
    pub fn schema<T: ToSchema>(&self) -> RefOr<Schema> {
        let mut nested = Vec::new();
        T::schemas(&mut nested);
        nested.push((T::name().into_owned(), T::schema()));
        let mut schemas = self.schemas.borrow_mut();
        for (name, schema) in nested {
            if let Some(known) = schemas.get(&name) {
                assert!(
                    *known == schema,
                    "two wire types are named {name} in one document: give one \
                     #[schema(as = OtherName)]"
                );
            }
            schemas.insert(name, schema);
        }
        RefOr::Ref(Ref::from_schema_name(T::name()))
    }

    /// Adds a tag (one per product) with its description.
    pub fn tag(&mut self, name: &str, description: &str) {
        let mut tag = Tag::new(name);
        tag.description = Some(description.to_owned());
        self.tags.push(tag);
    }

    pub fn add(&mut self, op: Op) {
        let mut builder = OperationBuilder::new()
            .operation_id(Some(op.id))
            .summary(Some(op.summary))
            .tag(op.tag);
        for name in path_params(op.path) {
            let schema = op
                .path_schemas
                .iter()
                .find(|(given, _)| *given == name)
                .map_or_else(string, |(_, schema)| schema.clone());
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(schema)),
            );
        }
        for query in op.query {
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name(query.name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(query.description))
                    .schema(Some(query.schema)),
            );
        }
        for header in op.headers {
            builder = builder.parameter(
                ParameterBuilder::new()
                    .name(header.name)
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(header.description))
                    .schema(Some(header.schema)),
            );
        }
        if let Some(body) = op.body {
            builder = builder.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(body)).build(),
                    )
                    .build(),
            ));
        }
        if let Some(name) = op.sdk_name {
            builder = builder.extensions(Some(
                utoipa::openapi::extensions::ExtensionsBuilder::new()
                    .add("x-sdk-operation", name)
                    .build(),
            ));
        }
        let mut links = Some(op.links);
        for answer in op.responses {
            let mut response = ResponseBuilder::new().description(answer.description);
            // utoipa 5's `Link` writes its fields in snake case (`operation_id`), which no
            // client reads; the links go in as the JSON OpenAPI defines.
            if answer.status < 300 {
                let links: serde_json::Map<String, serde_json::Value> = links
                    .take()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(target, parameters)| {
                        let parameters: serde_json::Map<String, serde_json::Value> = parameters
                            .into_iter()
                            .map(|(name, expression)| (name.to_owned(), expression.into()))
                            .collect();
                        let link = serde_json::json!({
                            "operationId": target,
                            "parameters": parameters,
                        });
                        (target.to_owned(), link)
                    })
                    .collect();
                if !links.is_empty() {
                    // An `Extensions` made from an iterator keeps the key as given.
                    response = response.extensions(Some(
                        utoipa::openapi::extensions::Extensions::from_iter([("links", links)]),
                    ));
                }
            }
            if let Some(schema) = answer.schema {
                response = response.content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                );
            }
            builder = builder.response(answer.status.to_string(), response.build());
        }
        self.paths
            .push((op.path.to_owned(), op.method, builder.build()));
    }

    /// This part merged into `other`'s paths and components.
    pub fn merge(&mut self, other: Part) {
        self.paths.extend(other.paths);
        let schemas = self.schemas.get_mut();
        for (name, schema) in other.schemas.into_inner() {
            if let Some(known) = schemas.get(&name) {
                assert!(
                    *known == schema,
                    "two parts name different wire types {name}"
                );
            }
            schemas.insert(name, schema);
        }
        self.tags.extend(other.tags);
    }

    /// The OpenAPI 3.1 document of this part.
    pub fn into_openapi(self, title: &str, description: &str) -> OpenApi {
        let mut paths = PathsBuilder::new();
        for (path, method, operation) in self.paths {
            paths = paths.path(path, PathItem::new(method, operation));
        }
        let paths: Paths = paths.build();
        let mut info = utoipa::openapi::InfoBuilder::new()
            .title(title)
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(description))
            .build();
        info.license = None;
        OpenApiBuilder::new()
            .info(info)
            .servers(Some(vec![utoipa::openapi::Server::new(
                "http://127.0.0.1:8750",
            )]))
            .paths(paths)
            .components(Some(
                ComponentsBuilder::new()
                    .schemas_from_iter(self.schemas.into_inner())
                    .build(),
            ))
            .tags(Some(self.tags))
            .build()
    }
}

/// One operation: where the router serves it, the SDK's name for it, and what it reads and
/// answers.
pub struct Op {
    method: HttpMethod,
    path: &'static str,
    id: String,
    summary: String,
    tag: &'static str,
    query: Vec<Param>,
    headers: Vec<Param>,
    body: Option<RefOr<Schema>>,
    responses: Vec<Answer>,
    links: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    sdk_name: Option<&'static str>,
    path_schemas: Vec<(&'static str, RefOr<Schema>)>,
}

struct Param {
    name: &'static str,
    description: &'static str,
    schema: RefOr<Schema>,
}

struct Answer {
    status: u16,
    description: &'static str,
    schema: Option<RefOr<Schema>>,
}

impl Op {
    pub fn new(
        tag: &'static str,
        method: HttpMethod,
        path: &'static str,
        id: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Op {
            method,
            path,
            id: id.into(),
            summary: summary.into(),
            tag,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            responses: Vec::new(),
            links: Vec::new(),
            sdk_name: None,
            path_schemas: Vec::new(),
        }
    }

    /// The schema of the path parameter `name`, where it has a rule (a plain string otherwise).
    pub fn path_param(mut self, name: &'static str, schema: RefOr<Schema>) -> Self {
        self.path_schemas.push((name, schema));
        self
    }

    /// The operation's name where the router's (the SDK's) is not unique in the document: the
    /// document's `operationId` is then this operation's own, and `x-sdk-operation` the name
    /// the router gives it (in the request journal, in fault rules).
    pub fn sdk_name(mut self, name: &'static str) -> Self {
        self.sdk_name = Some(name);
        self
    }

    /// A link from the success answer to the operation `operation_id`, its parameters taken
    /// from this request and answer (runtime expressions: `$request.path.project_id`,
    /// `$response.body#/flow_log/id`): what a stateful fuzzer follows.
    pub fn link(
        mut self,
        operation_id: &'static str,
        parameters: &[(&'static str, &'static str)],
    ) -> Self {
        self.links.push((operation_id, parameters.to_vec()));
        self
    }

    /// An optional query parameter.
    pub fn query(
        mut self,
        name: &'static str,
        schema: RefOr<Schema>,
        description: &'static str,
    ) -> Self {
        self.query.push(Param {
            name,
            description,
            schema,
        });
        self
    }

    /// An optional header parameter.
    pub fn header(
        mut self,
        name: &'static str,
        schema: RefOr<Schema>,
        description: &'static str,
    ) -> Self {
        self.headers.push(Param {
            name,
            description,
            schema,
        });
        self
    }

    /// The JSON request body.
    pub fn body(mut self, schema: RefOr<Schema>) -> Self {
        self.body = Some(schema);
        self
    }

    /// An answer: its status, what it means, and its JSON body's schema (none: no body, or a
    /// body the handler writes without a type).
    pub fn answer(
        mut self,
        status: u16,
        description: &'static str,
        schema: Option<RefOr<Schema>>,
    ) -> Self {
        self.responses.push(Answer {
            status,
            description,
            schema,
        });
        self
    }

    /// Several error answers sharing one envelope.
    pub fn errors(mut self, errors: &[(u16, &'static str)], envelope: &RefOr<Schema>) -> Self {
        for (status, description) in errors {
            self = self.answer(*status, description, Some(envelope.clone()));
        }
        self
    }
}

/// The names in a path template's `{…}`, in order.
fn path_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|piece| piece.split_once('}').map(|(name, _)| name))
        .collect()
}

pub fn string() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::String).build(),
    ))
}

pub fn integer() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::Integer).build(),
    ))
}

pub fn boolean() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::Boolean).build(),
    ))
}

/// A string that is one of `values`.
pub fn one_of(values: &[&str]) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied()))
            .build(),
    ))
}

/// A JSON object the handler writes without a wire type of its own (`json!`): its schema says
/// only that it is an object.
pub fn object() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::Object).build(),
    ))
}

/// The document as the files under `openapi/` hold it: pretty JSON and a final newline.
pub fn to_file_text(document: &OpenApi) -> String {
    let mut text = serde_json::to_string_pretty(document).expect("an OpenAPI document serialises");
    text.push('\n');
    text
}

pub use utoipa::openapi::OpenApi as Document;

/// An array of `items`.
pub fn array(items: RefOr<Schema>) -> RefOr<Schema> {
    RefOr::T(Schema::Array(
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(items)
            .build(),
    ))
}

/// An object the handler writes with `json!` around typed parts: these properties, all present.
pub fn object_with(properties: &[(&str, RefOr<Schema>)]) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for (name, schema) in properties {
        object = object.property(*name, schema.clone()).required(*name);
    }
    RefOr::T(Schema::Object(object.build()))
}
