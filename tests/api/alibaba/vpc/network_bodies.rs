//! Whole answers of the VPC, vSwitch and route-table actions as snapshots (the body is the
//! contract: Go's models decode them strictly): CreateVpc, DescribeVpcs (also as XML),
//! DescribeVpcAttribute, CreateVSwitch, DescribeVSwitches, DescribeVSwitchAttributes,
//! DescribeRouteTableList, ListTagResources of VPCs, every other action's answer, and the
//! dependency refusals. Ids, times and request ids are replaced once their form is checked.

use serde_json::{Map, Value};

use crate::support::snapshot::*;
use crate::support::*;

/// A VPC with a vSwitch in it, both settled, and the values to scrub from answers about them.
struct Network {
    vpc: String,
    vswitch: String,
    known: Vec<(String, String)>,
}

impl Network {
    async fn create(app: &TestApp) -> Self {
        let created = app
            .create_vpc_answer(&[
                ("CidrBlock", "192.168.0.0/16"),
                ("VpcName", "snap"),
                ("Description", "a snapshot"),
                ("Tag.1.Key", "env"),
                ("Tag.1.Value", "dev"),
            ])
            .await;
        app.tick_all().await;
        let text = |key: &str| created[key].as_str().unwrap().to_owned();
        let vpc = text("VpcId");
        let response = app
            .alibaba(
                "CreateVSwitch",
                &[
                    ("VpcId", &vpc),
                    ("ZoneId", ALIBABA_ZONE),
                    ("CidrBlock", "192.168.1.0/24"),
                    ("VSwitchName", "snap-vsw"),
                ],
            )
            .await;
        let vswitch = response.assert_alibaba_ok()["VSwitchId"]
            .as_str()
            .unwrap()
            .to_owned();
        app.tick_all().await;
        let known = vec![
            (vpc.clone(), "[vpc_id]".to_owned()),
            (vswitch.clone(), "[vswitch_id]".to_owned()),
            (text("VRouterId"), "[vrouter_id]".to_owned()),
            (text("RouteTableId"), "[route_table_id]".to_owned()),
            (text("ResourceGroupId"), "[default_group]".to_owned()),
        ];
        Network {
            vpc,
            vswitch,
            known,
        }
    }

    /// `body` with every known id replaced (each must occur in it).
    fn scrub(&self, body: &Value, only: &[&str]) -> Value {
        let known: Vec<(&str, &str)> = self
            .known
            .iter()
            .filter(|(_, placeholder)| only.contains(&placeholder.as_str()))
            .map(|(value, placeholder)| (value.as_str(), placeholder.as_str()))
            .collect();
        scrub_json(body, &known)
    }
}

const ALL: &[&str] = &[
    "[vpc_id]",
    "[vswitch_id]",
    "[vrouter_id]",
    "[route_table_id]",
    "[default_group]",
];

#[tokio::test]
async fn create_answers() {
    let app = TestApp::new().await;
    let network = Network::create(&app).await;
    let created = app.create_vpc_answer(&[]).await;
    let vpc = created["VpcId"].as_str().unwrap().to_owned();
    let body = scrub_json(
        &created,
        &[
            (&vpc, "[vpc_id]"),
            (created["VRouterId"].as_str().unwrap(), "[vrouter_id]"),
            (
                created["RouteTableId"].as_str().unwrap(),
                "[route_table_id]",
            ),
            (network.known[4].0.as_str(), "[default_group]"),
        ],
    );
    assert_body_snapshot!("create_vpc", &body, {".RequestId" => alibaba_request_id()});
    app.tick_all().await;
    let response = app
        .alibaba(
            "CreateVSwitch",
            &[
                ("VpcId", &vpc),
                ("ZoneId", ALIBABA_ZONE),
                ("CidrBlock", "172.16.0.0/24"),
            ],
        )
        .await;
    let id = response.assert_alibaba_ok()["VSwitchId"].as_str().unwrap();
    let body = scrub_json(&response.body, &[(id, "[vswitch_id]")]);
    assert_body_snapshot!("create_vswitch", &body, {".RequestId" => alibaba_request_id()});
}

#[tokio::test]
async fn describe_answers() {
    let app = TestApp::new().await;
    let network = Network::create(&app).await;
    app.create_eni(&network.vswitch).await;

    let vpcs = app.alibaba("DescribeVpcs", &[]).await;
    vpcs.assert_alibaba_ok();
    assert_body_snapshot!("describe_vpcs", &network.scrub(&vpcs.body, ALL), {
        ".RequestId" => alibaba_request_id(),
        ".Vpcs.Vpc[].CreationTime" => alibaba_time(),
    });
    let attribute = app.vpc_attribute(&network.vpc).await;
    attribute.assert_alibaba_ok();
    let scrubbed = &[
        "[vpc_id]",
        "[vswitch_id]",
        "[vrouter_id]",
        "[default_group]",
    ];
    assert_body_snapshot!("describe_vpc_attribute", &network.scrub(&attribute.body, scrubbed), {
        ".RequestId" => alibaba_request_id(),
        ".CreationTime" => alibaba_time(),
    });
    let vswitches = app.alibaba("DescribeVSwitches", &[]).await;
    vswitches.assert_alibaba_ok();
    let scrubbed = &[
        "[vpc_id]",
        "[vswitch_id]",
        "[route_table_id]",
        "[default_group]",
    ];
    assert_body_snapshot!("describe_vswitches", &network.scrub(&vswitches.body, scrubbed), {
        ".RequestId" => alibaba_request_id(),
        ".VSwitches.VSwitch[].CreationTime" => alibaba_time(),
    });
    let attributes = app.vswitch_attributes(&network.vswitch).await;
    attributes.assert_alibaba_ok();
    assert_body_snapshot!("describe_vswitch_attributes", &network.scrub(&attributes.body, scrubbed), {
        ".RequestId" => alibaba_request_id(),
        ".CreationTime" => alibaba_time(),
    });
    let tables = app.alibaba("DescribeRouteTableList", &[]).await;
    tables.assert_alibaba_ok();
    assert_body_snapshot!("describe_route_table_list", &network.scrub(&tables.body, ALL), {
        ".RequestId" => alibaba_request_id(),
        ".RouterTableList.RouterTableListType[].CreationTime" => alibaba_time(),
    });
    let tags = app
        .alibaba(
            "ListTagResources",
            &[("ResourceType", "VPC"), ("ResourceId.1", &network.vpc)],
        )
        .await;
    tags.assert_alibaba_ok();
    assert_body_snapshot!("list_tag_resources_of_vpcs", &network.scrub(&tags.body, &["[vpc_id]"]), {
        ".RequestId" => alibaba_request_id(),
    });
}

#[tokio::test]
async fn describe_vpcs_as_xml() {
    let app = TestApp::new().await;
    let network = Network::create(&app).await;
    let json = app.alibaba("DescribeVpcs", &[]).await;
    let time = json.body["Vpcs"]["Vpc"][0]["CreationTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let xml = app.alibaba("DescribeVpcs", &[("Format", "XML")]).await;
    assert_eq!(xml.status.as_u16(), 200);
    assert_eq!(xml.headers["content-type"], "text/xml;charset=utf-8");
    let text = xml.text();
    let request_id = xml.request_id().to_owned();
    let mut known: Vec<(&str, &str)> = network
        .known
        .iter()
        .map(|(value, placeholder)| (value.as_str(), placeholder.as_str()))
        .collect();
    known.push((&request_id, "[request_id]"));
    known.push((&time, "[time]"));
    assert_text_snapshot!("describe_vpcs_xml", scrub(&text, &known));
}

#[tokio::test]
async fn every_other_action_answers_its_body() {
    let app = TestApp::new().await;
    let network = Network::create(&app).await;
    let (vpc, vswitch) = (network.vpc.as_str(), network.vswitch.as_str());
    let steps: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "ModifyVpcAttribute",
            vec![("VpcId", vpc), ("VpcName", "renamed")],
        ),
        (
            "ModifyVSwitchAttribute",
            vec![("VSwitchId", vswitch), ("VSwitchName", "renamed")],
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "VSWITCH"),
                ("ResourceId.1", vswitch),
                ("Tag.1.Key", "k"),
            ],
        ),
        (
            "UnTagResources",
            vec![
                ("ResourceType", "VSWITCH"),
                ("ResourceId.1", vswitch),
                ("All", "true"),
            ],
        ),
        (
            "MoveResourceGroup",
            vec![
                ("ResourceType", "VPC"),
                ("ResourceId", vpc),
                ("NewResourceGroupId", "rg-acfmmoved"),
            ],
        ),
        ("DeleteVSwitch", vec![("VSwitchId", vswitch)]),
        ("DeleteVpc", vec![("VpcId", vpc)]),
    ];
    let mut answers = Map::new();
    for (action, params) in steps {
        let response = app.alibaba(action, &params).await;
        response.assert_alibaba_ok();
        answers.insert(action.to_owned(), response.body.clone());
        app.tick_all().await;
    }
    assert_body_snapshot!("other_network_actions", &Value::Object(answers), {
        ".*.RequestId" => alibaba_request_id(),
    });
}

#[tokio::test]
async fn refusals_answer_the_clouds_envelope() {
    let app = TestApp::new().await;
    let network = Network::create(&app).await;
    app.create_eni(&network.vswitch).await;
    let mut answers = Map::new();
    for (name, action, params) in [
        (
            "vpc_with_a_vswitch",
            "DeleteVpc",
            vec![("VpcId", network.vpc.as_str())],
        ),
        (
            "vswitch_with_an_eni",
            "DeleteVSwitch",
            vec![("VSwitchId", network.vswitch.as_str())],
        ),
        (
            "missing_vpc",
            "DescribeVpcAttribute",
            vec![("VpcId", "vpc-gone")],
        ),
        (
            "missing_vswitch",
            "DescribeVSwitchAttributes",
            vec![("VSwitchId", "vsw-gone")],
        ),
    ] {
        let response = app.alibaba(action, &params).await;
        answers.insert(name.to_owned(), answer(&response));
    }
    assert_body_snapshot!("network_refusals", &Value::Object(answers), {
        ".*.body.RequestId" => alibaba_request_id(),
        ".*.body.Recommend" => "[recommend]",
    });
}
