//! The VPC product's operations in the OpenAPI document: the paths and SDK names of
//! [`super::operations`], with the wire types of their handlers.

use utoipa::openapi::{RefOr, Schema};

use super::flow_logs::{FLOW_LOG, FLOW_LOGS};
use super::network_tags::{self as tags, TagBody, TagsBody, VpcTags};
use super::port_wire::{CreatePortRequestBody, PortBody, PortsBody, UpdatePortRequestBody};
use super::ports::{PORT, PORTS};
use super::subnet_wire::{
    CreateSubnetRequestBody, SubnetBody, SubnetResultBody, SubnetsBody, UpdateSubnetRequestBody,
};
use super::subnets::{SUBNET, SUBNETS, VPC_SUBNET};
use super::vpcs::{
    CreateVpcRequestBody, UpdateVpcRequestBody, VpcBody, VpcV3Body, VpcsBody, VPC, VPCS, VPC_V3,
};
use super::wire::{CreateFlowLogRequestBody, FlowLogBody, FlowLogsBody, UpdateFlowLogRequestBody};
use crate::apidoc::{self, Method, Op, Part};
use crate::huawei::openapi::{gateway_errors, op};

const TAG: &str = "huawei-vpc";

/// How a created resource's operations are reached: the project of the request, the id of the
/// answer.
const PROJECT: (&str, &str) = ("project_id", "$request.path.project_id");
const FLOW_LOG_LINK: &[(&str, &str)] = &[PROJECT, ("flowlog_id", "$response.body#/flow_log/id")];
const VPC_LINK: &[(&str, &str)] = &[PROJECT, ("vpc_id", "$response.body#/vpc/id")];
const SUBNET_LINK: &[(&str, &str)] = &[PROJECT, ("subnet_id", "$response.body#/subnet/id")];
const VPC_SUBNET_LINK: &[(&str, &str)] = &[
    PROJECT,
    ("vpc_id", "$response.body#/subnet/vpc_id"),
    ("subnet_id", "$response.body#/subnet/id"),
];
const PORT_LINK: &[(&str, &str)] = &[PROJECT, ("port_id", "$response.body#/port/id")];

/// The product's operations, in the order [`super::operations`] registers them.
pub fn describe(part: &mut Part) {
    part.tag(
        TAG,
        "Huawei VPC: flow logs (v1), VPCs, subnets, ports and their tags.",
    );
    let error = apidoc::object();
    let int = apidoc::integer;

    // Flow logs.
    let flow_log = part.schema::<FlowLogBody>();
    let flow_logs = part.schema::<FlowLogsBody>();
    let create = part.schema::<CreateFlowLogRequestBody>();
    let update = part.schema::<UpdateFlowLogRequestBody>();
    let fl = |method, path, id, summary| {
        gateway_errors(op(TAG, method, path, id, summary)).errors(
            &[
                (400, "VPC.3001: a field (named in the message), the JSON, the content type or the project id is invalid; VPC.0007: the caller may not use the project."),
                (404, "VPC.3001: a bad list parameter or a malformed id; VPC.3002 / VPC.3005: no such flow log; APIGW.0101: no such route."),
            ],
            &error,
        )
    };
    part.add(
        fl(
            Method::Post,
            FLOW_LOGS,
            "CreateFlowLog",
            "Create a flow log (ACTIVE at once).",
        )
        .body(create)
        .answer(200, "The flow log.", Some(flow_log.clone()))
        .link("ShowFlowLog", FLOW_LOG_LINK)
        .link("UpdateFlowLog", FLOW_LOG_LINK)
        .link("DeleteFlowLog", FLOW_LOG_LINK)
        .answer(
            409,
            "VPC.3004: the same flow log exists.",
            Some(error.clone()),
        ),
    );
    part.add(
        with_queries(
            fl(
                Method::Get,
                FLOW_LOGS,
                "ListFlowLogs",
                "List flow logs (every filter an exact match).",
            ),
            &[
                "id",
                "name",
                "description",
                "tenant_id",
                "resource_type",
                "resource_id",
                "traffic_type",
                "log_group_id",
                "log_topic_id",
                "status",
                "marker",
            ],
        )
        .query("limit", int(), "At most 2000; 0 means the default (2000).")
        .answer(200, "The flow logs.", Some(flow_logs)),
    );
    part.add(
        fl(Method::Get, FLOW_LOG, "ShowFlowLog", "Show a flow log.").answer(
            200,
            "The flow log.",
            Some(flow_log.clone()),
        ),
    );
    part.add(
        fl(
            Method::Put,
            FLOW_LOG,
            "UpdateFlowLog",
            "Change name, description or admin_state.",
        )
        .body(update)
        .answer(200, "The flow log.", Some(flow_log)),
    );
    part.add(
        fl(
            Method::Delete,
            FLOW_LOG,
            "DeleteFlowLog",
            "Delete a flow log.",
        )
        .answer(204, "Deleted.", None),
    );

    // VPCs, subnets, ports.
    let net = |method, path, id, summary| {
        gateway_errors(op(TAG, method, path, id, summary)).errors(
            &[
                (
                    400,
                    "A field, the JSON or the query is invalid (the API's code and message).",
                ),
                (404, "No such resource, or no such route (APIGW.0101)."),
                (409, "The resource is in use, or its addresses clash."),
            ],
            &error,
        )
    };
    let vpc = part.schema::<VpcBody>();
    let create_vpc = part.schema::<CreateVpcRequestBody>();
    let update_vpc = part.schema::<UpdateVpcRequestBody>();
    let vpcs = part.schema::<VpcsBody>();
    let vpc_v3 = part.schema::<VpcV3Body>();
    part.add(
        net(Method::Post, VPCS, "CreateVpc", "Create a VPC.")
            .body(create_vpc)
            .answer(200, "The VPC (CREATING).", Some(vpc.clone()))
            .link("ShowVpc", VPC_LINK)
            .link("ShowVpcV3", VPC_LINK)
            .link("UpdateVpc", VPC_LINK)
            .link("ShowVpcTags", VPC_LINK)
            .link("CreateVpcResourceTag", VPC_LINK)
            .link("BatchCreateVpcTags", VPC_LINK)
            .link("DeleteVpc", VPC_LINK),
    );
    part.add(
        paged(with_queries(
            net(Method::Get, VPCS, "ListVpcs", "List VPCs."),
            &["id", "enterprise_project_id"],
        ))
        .answer(200, "The VPCs.", Some(vpcs)),
    );
    part.add(net(Method::Get, VPC, "ShowVpc", "Show a VPC.").answer(
        200,
        "The VPC.",
        Some(vpc.clone()),
    ));
    part.add(
        net(Method::Put, VPC, "UpdateVpc", "Update a VPC.")
            .body(update_vpc)
            .answer(200, "The VPC.", Some(vpc)),
    );
    part.add(net(Method::Delete, VPC, "DeleteVpc", "Delete a VPC.").answer(204, "Deleted.", None));
    part.add(
        net(Method::Get, VPC_V3, "ShowVpcV3", "Show a VPC (v3).")
            .sdk_name("ShowVpc")
            .answer(200, "The VPC.", Some(vpc_v3)),
    );
    let subnet = part.schema::<SubnetBody>();
    let create_subnet = part.schema::<CreateSubnetRequestBody>();
    let update_subnet = part.schema::<UpdateSubnetRequestBody>();
    part.add(
        net(Method::Post, SUBNETS, "CreateSubnet", "Create a subnet.")
            .body(create_subnet)
            .answer(200, "The subnet.", Some(subnet.clone()))
            .link("ShowSubnet", SUBNET_LINK)
            .link("ShowSubnetTags", SUBNET_LINK)
            .link("CreateSubnetTag", SUBNET_LINK)
            .link("BatchCreateSubnetTags", SUBNET_LINK)
            .link("UpdateSubnet", VPC_SUBNET_LINK)
            .link("DeleteSubnet", VPC_SUBNET_LINK),
    );
    part.add(
        paged(with_queries(
            net(Method::Get, SUBNETS, "ListSubnets", "List subnets."),
            &["vpc_id"],
        ))
        .answer(200, "The subnets.", Some(part.schema::<SubnetsBody>())),
    );
    part.add(
        net(Method::Get, SUBNET, "ShowSubnet", "Show a subnet.").answer(
            200,
            "The subnet.",
            Some(subnet),
        ),
    );
    part.add(
        net(Method::Put, VPC_SUBNET, "UpdateSubnet", "Update a subnet.")
            .body(update_subnet)
            .answer(
                200,
                "The subnet's id and status.",
                Some(part.schema::<SubnetResultBody>()),
            ),
    );
    part.add(
        net(
            Method::Delete,
            VPC_SUBNET,
            "DeleteSubnet",
            "Delete a subnet.",
        )
        .answer(204, "Deleted.", None)
        .answer(
            500,
            "VPC.0209: the subnet still has ports (as the cloud answers it).",
            Some(error.clone()),
        ),
    );
    let port = part.schema::<PortBody>();
    let create_port = part.schema::<CreatePortRequestBody>();
    let update_port = part.schema::<UpdatePortRequestBody>();
    part.add(
        net(Method::Post, PORTS, "CreatePort", "Create a port.")
            .body(create_port)
            .answer(200, "The port.", Some(port.clone()))
            .link("ShowPort", PORT_LINK)
            .link("UpdatePort", PORT_LINK)
            .link("ShowPortTags", PORT_LINK)
            .link("CreatePortTag", PORT_LINK)
            .link("BatchCreatePortTags", PORT_LINK)
            .link("BatchDeletePortTags", PORT_LINK)
            .link("DeletePort", PORT_LINK),
    );
    part.add(
        paged(with_queries(
            net(Method::Get, PORTS, "ListPorts", "List ports."),
            &[
                "id",
                "name",
                "network_id",
                "mac_address",
                "device_id",
                "status",
                "admin_state_up",
                "enable_efi",
                "fixed_ips",
            ],
        ))
        .answer(200, "The ports.", Some(part.schema::<PortsBody>())),
    );
    part.add(net(Method::Get, PORT, "ShowPort", "Show a port.").answer(
        200,
        "The port.",
        Some(port.clone()),
    ));
    part.add(
        net(Method::Put, PORT, "UpdatePort", "Update a port.")
            .body(update_port)
            .answer(200, "The port.", Some(port)),
    );
    part.add(
        net(Method::Delete, PORT, "DeletePort", "Delete a port.").answer(204, "Deleted.", None),
    );

    // Tags: `/v2.0` of VPCs and subnets, v3 of ports; one body type for all three.
    let tags_body = part.schema::<TagsBody<VpcTags>>();
    let tag_body = part.schema::<TagBody<VpcTags>>();
    describe_tags(part, &net, &tags_body, &tag_body);
}

fn describe_tags(
    part: &mut Part,
    net: &dyn Fn(Method, &'static str, &'static str, &'static str) -> Op,
    tags_body: &RefOr<Schema>,
    tag_body: &RefOr<Schema>,
) {
    let listing = Some(apidoc::object());
    part.add(
        net(
            Method::Post,
            tags::VPC_TAGS_ACTION,
            "BatchCreateVpcTags",
            "Add (action create) or remove (action delete: BatchDeleteVpcTags) tags of a VPC.",
        )
        .body(tags_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(Method::Get, tags::VPC_TAGS, "ShowVpcTags", "A VPC's tags.").answer(
            200,
            "{\"tags\": [{\"key\", \"value\"}]}.",
            listing.clone(),
        ),
    );
    part.add(
        net(
            Method::Post,
            tags::VPC_TAGS,
            "CreateVpcResourceTag",
            "Add one tag to a VPC.",
        )
        .body(tag_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Delete,
            tags::VPC_TAG,
            "DeleteVpcTag",
            "Remove one tag of a VPC.",
        )
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Get,
            tags::VPC_PROJECT_TAGS,
            "ListVpcTags",
            "Every VPC tag key of the project with its values.",
        )
        .answer(200, "{\"tags\": [{\"key\", \"values\"}]}.", listing.clone()),
    );
    part.add(
        net(Method::Post, tags::SUBNET_TAGS_ACTION, "BatchCreateSubnetTags", "Add (action create) or remove (action delete: BatchDeleteSubnetTags) tags of a subnet.")
            .body(tags_body.clone())
            .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Get,
            tags::SUBNET_TAGS,
            "ShowSubnetTags",
            "A subnet's tags.",
        )
        .answer(200, "{\"tags\": [{\"key\", \"value\"}]}.", listing.clone()),
    );
    part.add(
        net(
            Method::Post,
            tags::SUBNET_TAGS,
            "CreateSubnetTag",
            "Add one tag to a subnet.",
        )
        .body(tag_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Delete,
            tags::SUBNET_TAG,
            "DeleteSubnetTag",
            "Remove one tag of a subnet.",
        )
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Get,
            tags::SUBNET_PROJECT_TAGS,
            "ListSubnetTags",
            "Every subnet tag key of the project with its values.",
        )
        .answer(200, "{\"tags\": [{\"key\", \"values\"}]}.", listing.clone()),
    );
    part.add(
        net(
            Method::Post,
            tags::PORT_TAGS_CREATE,
            "BatchCreatePortTags",
            "Add tags to a port.",
        )
        .body(tags_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Post,
            tags::PORT_TAGS_DELETE,
            "BatchDeletePortTags",
            "Remove tags of a port.",
        )
        .body(tags_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Get,
            tags::PORT_TAGS,
            "ShowPortTags",
            "A port's tags.",
        )
        .answer(
            200,
            "{\"tags\": [{\"key\", \"value\"}], \"request_id\"}.",
            listing.clone(),
        ),
    );
    part.add(
        net(
            Method::Post,
            tags::PORT_TAGS,
            "CreatePortTag",
            "Add one tag to a port.",
        )
        .body(tag_body.clone())
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Delete,
            tags::PORT_TAG,
            "DeletePortTag",
            "Remove one tag of a port.",
        )
        .answer(204, "Done.", None),
    );
    part.add(
        net(
            Method::Get,
            tags::PORT_PROJECT_TAGS,
            "ListPortTags",
            "Every port tag key of the project with its values.",
        )
        .answer(
            200,
            "{\"tags\": [{\"key\", \"values\"}], \"request_id\", \"total_count\"}.",
            listing,
        ),
    );
}

/// String query parameters that filter a list (each an exact match; a repeated one any of its
/// values).
fn with_queries(mut op: Op, names: &[&'static str]) -> Op {
    for name in names {
        op = op.query(name, apidoc::string(), "A filter: an exact match.");
    }
    op
}

/// `limit` and `marker` of the network lists.
fn paged(op: Op) -> Op {
    op.query(
        "limit",
        apidoc::integer(),
        "0..=2000; 0 or none means 2000.",
    )
    .query("marker", apidoc::string(), "The id to start after.")
}
