#!/usr/bin/env python3
"""End-to-end checks of Flowplane's Alibaba Cloud VPC networking (Vpc 2016-04-28, RPC): VPCs,
vSwitches, the system route table, their tags and resource groups, flow logs on them, and the
404 a destroy of something already gone gets.

Drives a running Flowplane server with the official, unmodified `alibabacloud-vpc20160428` SDK
in V3 (ACS3-HMAC-SHA256) and V1 (`signature_algorithm='v2'`) signing, and the legacy
`aliyun-python-sdk-vpc` for one call, through the clients of alibaba_check.py. Each client works
in an account of its own (keys below; `--print-credentials` prints their `[[alibaba]]` entries,
which run.sh writes into the server's credentials file).

The scenario, per client: CreateVpc -> wait Available -> CreateVSwitch -> wait Available ->
DescribeRouteTableList (the system table Terraform needs) -> DescribeVpcs / DescribeVSwitches
(every body read back through the SDK's response model unchanged) -> a flow log on the VPC and
one on the vSwitch -> DescribeFlowLogs with VpcId finds both -> tags and MoveResourceGroup ->
delete in reverse order, waiting for each to be gone -> a delete or describe of each of them
again raises the SDK's ClientException with status_code 404, which is what Terraform's
NotFoundError takes for "already gone" (HTTP 404, or "NotFound" in the message).

Environment: FLOWPLANE_ENDPOINT (the server), FLOWPLANE_TRANSITION_DELAY (its delay).
Prints `PASS name` / `FAIL name: reason` per check and `N passed, M failed`; exits 0 only when
nothing failed. Polls every 100 ms (15 s deadline), never sleeps to wait.

Reference: openapi/reference/alibaba-vpc-network.md.
"""

import random
import re
import string
import sys
import time

import alibaba_check as common
from alibaba_check import ApiError, LegacyClient, NewSdkClient, expect_error

REGION = common.REGION
ZONE = REGION + "-b"
SECRET = common.SECRET
KEYS = {"LTAInetV3": "3000000000000001", "LTAInetV1": "3000000000000002",
        "LTAInetLegacy": "3000000000000003"}
POLL_INTERVAL = 0.1
POLL_DEADLINE = 15.0

VPC_ID_RE = re.compile(r"^vpc-[a-z0-9]{21}$")
VSW_ID_RE = re.compile(r"^vsw-[a-z0-9]{21}$")
VRT_ID_RE = re.compile(r"^vrt-[a-z0-9]{21}$")
VTB_ID_RE = re.compile(r"^vtb-[a-z0-9]{21}$")
RG_ID_RE = re.compile(r"^rg-[a-z0-9]{15}$")


def credentials_toml():
    return "\n".join(
        f'[[alibaba]]\naccess_key_id = "{key}"\naccess_key_secret = "{SECRET}"\naccount_id = "{account}"\n'
        for key, account in KEYS.items())


def rand(n):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def call(c, action, **params):
    """A success body, with the checks of every success (RequestId, never a Code)."""
    return common.call(c, action, region=REGION, **params)


def call_model(c, action, **params):
    """A success body that the SDK's response model reads back unchanged: every key we send is
    one the model knows, with the type it keeps."""
    raw, resp = c.call(action, {"RegionId": REGION, **params})
    assert "Code" not in raw, f"{action} success body carries Code: {raw}"
    back = resp.body.to_map()
    assert back == raw, f"{action}: the response model dropped or changed keys:\n sent {raw}\n read {back}"
    return raw


def poll(what, fn, want):
    """Calls fn() until it returns want; returns what it saw."""
    deadline = time.monotonic() + POLL_DEADLINE
    seen = []
    while True:
        got = fn()
        if not seen or seen[-1] != got:
            seen.append(got)
        if got == want:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not {want!r} within {POLL_DEADLINE:.0f} s; seen {seen}")
        time.sleep(POLL_INTERVAL)


def status_or_gone(c, action, key, rid):
    try:
        return call(c, action, **{key: rid})["Status"]
    except ApiError as e:
        if e.status == 404:
            return None
        raise


def flow_log_status(c, fid):
    found = common.items(common.describe(c, region=REGION, FlowLogId=fid))
    return found[0]["Status"] if found else None


def assert_terraform_not_found(e, code):
    """Terraform's NotFoundError on a tea SDKError: StatusCode 404, or NotFound in the message."""
    assert e.kind == "ClientException", f"raised {e.kind}, want ClientException"
    assert e.status == 404, f"status_code {e.status}, want 404 (Terraform's NotFoundError)"
    assert e.code == code, f"code {e.code}, want {code}"
    assert e.message.startswith("code: 404, "), f"message {e.message!r} is not tea's 'code: 404, …'"
    assert isinstance(e.data, dict) and e.data.get("Code") == code, f"data {e.data}"


# ---------------------------------------------------------------------------------------------

def scenario(c):
    """The whole life of a VPC and a vSwitch with flow logs on them, for one client."""
    account = KEYS[c.access_key_id]
    vpc_name = "net-" + rand(6)
    created = call_model(c, "CreateVpc", CidrBlock="10.0.0.0/16", VpcName=vpc_name,
                         Description="sdk check", Tag=[{"Key": "env", "Value": "dev"}],
                         ClientToken=rand(20))
    vpc = created["VpcId"]
    assert VPC_ID_RE.match(vpc), f"VpcId {vpc!r}"
    assert VRT_ID_RE.match(created["VRouterId"]), f"VRouterId {created['VRouterId']!r}"
    assert VTB_ID_RE.match(created["RouteTableId"]), f"RouteTableId {created['RouteTableId']!r}"
    group = created["ResourceGroupId"]
    assert RG_ID_RE.match(group), f"ResourceGroupId {group!r} is not the account's default group"
    seen = poll(f"VPC {vpc}", lambda: status_or_gone(c, "DescribeVpcAttribute", "VpcId", vpc), "Available")
    if common.DELAY > 0:
        assert seen[0] == "Pending", f"statuses after CreateVpc: {seen}"

    vsw_created = call_model(c, "CreateVSwitch", VpcId=vpc, ZoneId=ZONE, CidrBlock="10.0.1.0/24",
                             VSwitchName="vsw-" + rand(6))
    vsw = vsw_created["VSwitchId"]
    assert VSW_ID_RE.match(vsw), f"VSwitchId {vsw!r}"
    poll(f"vSwitch {vsw}", lambda: status_or_gone(c, "DescribeVSwitchAttributes", "VSwitchId", vsw),
         "Available")
    expect_error(lambda: call(c, "CreateVSwitch", VpcId=vpc, ZoneId=ZONE, CidrBlock="10.0.1.128/25"),
                 400, "InvalidCidrBlock.Overlapped")
    expect_error(lambda: call(c, "CreateVSwitch", VpcId=vpc, ZoneId="cn-nowhere-z", CidrBlock="10.0.2.0/24"),
                 404, "InvalidZoneId.NotFound")

    # The system route table, as Terraform finds it after creating the VPC.
    tables = call_model(c, "DescribeRouteTableList", VpcId=vpc)
    system = [t for t in tables["RouterTableList"]["RouterTableListType"]
              if t["RouteTableType"] == "System" and t["VpcId"] == vpc]
    assert len(system) == 1, f"system route tables of {vpc}: {tables}"
    table = system[0]
    want = dict(RouteTableId=created["RouteTableId"], RouterId=created["VRouterId"], ResourceGroupId=group,
                RouterType="VRouter", OwnerId=int(account))
    wrong = {k: (table.get(k), v) for k, v in want.items() if table.get(k) != v}
    assert not wrong, f"system route table (got, want): {wrong}"
    assert table["VSwitchIds"]["VSwitchId"] == [vsw], f"route table vSwitches {table['VSwitchIds']}"

    vpcs = call_model(c, "DescribeVpcs", VpcId=vpc)
    for key in ("TotalCount", "PageNumber", "PageSize"):
        assert isinstance(vpcs[key], int) and not isinstance(vpcs[key], bool), f"DescribeVpcs {key} {vpcs[key]!r}"
    entry = vpcs["Vpcs"]["Vpc"][0]
    assert (entry["VpcName"], entry["Status"], entry["OwnerId"]) == (vpc_name, "Available", int(account)), entry
    assert entry["VSwitchIds"]["VSwitchId"] == [vsw], entry["VSwitchIds"]
    assert entry["RouterTableIds"]["RouterTableIds"] == [created["RouteTableId"]], entry["RouterTableIds"]
    call_model(c, "DescribeVpcAttribute", VpcId=vpc)
    switches = call_model(c, "DescribeVSwitches", VpcId=vpc)
    item = switches["VSwitches"]["VSwitch"][0]
    assert (item["VSwitchId"], item["AvailableIpAddressCount"], item["ResourceGroupId"], item["ZoneId"]) == \
        (vsw, 252, group, ZONE), item
    attrs = call_model(c, "DescribeVSwitchAttributes", VSwitchId=vsw)
    assert attrs["Ipv6CidrBlock"] == "", "Terraform reads IPv6 as enabled unless Ipv6CidrBlock is ''"

    # Flow logs on the VPC and on the vSwitch; DescribeFlowLogs' VpcId finds both.
    fids = []
    for kind, rid in (("VPC", vpc), ("VSwitch", vsw)):
        fid = common.create(c, region=REGION, ResourceType=kind, ResourceId=rid)
        fids.append(fid)
        poll(f"flow log {fid}", lambda: flow_log_status(c, fid), "Active")
    by_vpc = common.ids(common.describe(c, region=REGION, VpcId=vpc))
    assert sorted(by_vpc) == sorted(fids), f"DescribeFlowLogs VpcId={vpc} gave {by_vpc}, want {fids}"

    # Tags (any case of the type), listing, removing; the resource group of the VPC.
    call(c, "TagResources", ResourceType="VPC", ResourceId=[vpc], Tag=[{"Key": "team", "Value": "net"}])
    call(c, "TagResources", ResourceType="vswitch", ResourceId=[vsw], Tag=[{"Key": "tier", "Value": "web"}])
    listed = call(c, "ListTagResources", ResourceType="VPC", ResourceId=[vpc])
    rows = sorted((r["ResourceId"], r["ResourceType"], r["TagKey"], r["TagValue"])
                  for r in listed["TagResources"]["TagResource"])
    assert rows == [(vpc, "VPC", "env", "dev"), (vpc, "VPC", "team", "net")], f"ListTagResources {rows}"
    tags = call(c, "DescribeVSwitchAttributes", VSwitchId=vsw)["Tags"]["Tag"]
    assert tags == [{"Key": "tier", "Value": "web"}], f"vSwitch tags {tags}"
    call(c, "UnTagResources", ResourceType="VPC", ResourceId=[vpc], TagKey=["team"])
    tags = call(c, "DescribeVpcAttribute", VpcId=vpc)["Tags"]["Tag"]
    assert tags == [{"Key": "env", "Value": "dev"}], f"VPC tags after UnTagResources {tags}"
    moved = "rg-" + rand(15)
    call(c, "MoveResourceGroup", ResourceType="VPC", ResourceId=vpc, NewResourceGroupId=moved)
    table = call(c, "DescribeRouteTableList", VpcId=vpc)["RouterTableList"]["RouterTableListType"][0]
    assert table["ResourceGroupId"] == moved, "the system route table did not move with its VPC"
    assert call(c, "DescribeVSwitchAttributes", VSwitchId=vsw)["ResourceGroupId"] == moved
    expect_error(lambda: call(c, "MoveResourceGroup", ResourceType="VSWITCH", ResourceId=vsw,
                              NewResourceGroupId=moved), 400, "OperationUnsupported.ResourceType")

    # Delete in reverse order, each waited for until gone.
    expect_error(lambda: call(c, "DeleteVpc", VpcId=vpc), 400, "DependencyViolation.VSwitch")
    for fid in fids:
        call(c, "DeleteFlowLog", FlowLogId=fid)
        poll(f"flow log {fid}", lambda: flow_log_status(c, fid), None)
    call(c, "DeleteVSwitch", VSwitchId=vsw)
    poll(f"vSwitch {vsw}", lambda: status_or_gone(c, "DescribeVSwitchAttributes", "VSwitchId", vsw), None)
    call(c, "DeleteVpc", VpcId=vpc)
    seen = poll(f"VPC {vpc}", lambda: status_or_gone(c, "DescribeVpcAttribute", "VpcId", vpc), None)
    if common.DELAY > 0:
        assert seen[0] == "Deleting", f"statuses after DeleteVpc: {seen}"

    # What is gone is gone for Terraform too.
    for fid in fids:
        e = expect_error(lambda: call(c, "DeleteFlowLog", FlowLogId=fid), 404, "InvalidInstanceId.NotFound")
        assert_terraform_not_found(e, "InvalidInstanceId.NotFound")
    for action, key, rid, code in (
            ("DeleteVSwitch", "VSwitchId", vsw, "InvalidVSwitchId.NotFound"),
            ("DescribeVSwitchAttributes", "VSwitchId", vsw, "InvalidVSwitchId.NotFound"),
            ("ModifyVSwitchAttribute", "VSwitchId", vsw, "InvalidVSwitchId.NotFound"),
            ("DeleteVpc", "VpcId", vpc, "InvalidVpcId.NotFound"),
            ("DescribeVpcAttribute", "VpcId", vpc, "InvalidVpcId.NotFound"),
            ("ModifyVpcAttribute", "VpcId", vpc, "InvalidVpcId.NotFound")):
        e = expect_error(lambda: call(c, action, **{key: rid}), 404, code)
        assert_terraform_not_found(e, code)
    gone = call(c, "DescribeVpcs", VpcId=vpc)
    assert gone["TotalCount"] == 0 and gone["Vpcs"]["Vpc"] == [], f"DescribeVpcs of a deleted VPC: {gone}"


def terraform_shapes(c):
    """Terraform's own call shapes (generic call_api, form body): DescribeVSwitchAttributes with
    VSwitchId in the query and RegionId in the body, on a vSwitch that does not exist."""
    try:
        c.call_generic("DescribeVSwitchAttributes", query={"VSwitchId": "vsw-" + rand(21)},
                       body={"RegionId": REGION})
    except ApiError as e:
        assert_terraform_not_found(e, "InvalidVSwitchId.NotFound")
    else:
        raise AssertionError("DescribeVSwitchAttributes of an unknown vSwitch succeeded")


def legacy_call(c):
    """One call through the legacy AcsClient: DescribeVpcs, then a missing VPC's 404."""
    created = call(NewSdkClient("v3", c.access_key_id), "CreateVpc", CidrBlock="192.168.0.0/24")
    vpc = created["VpcId"]
    raw = call(c, "DescribeVpcs", VpcId=vpc)
    assert [v["VpcId"] for v in raw["Vpcs"]["Vpc"]] == [vpc], f"legacy DescribeVpcs {raw}"
    assert raw["TotalCount"] == 1, f"legacy TotalCount {raw['TotalCount']!r}"
    e = expect_error(lambda: call(c, "DescribeVpcAttribute", VpcId="vpc-" + rand(21)), 404,
                     "InvalidVpcId.NotFound")
    assert e.kind == "ServerException", f"legacy raised {e.kind}"
    poll(f"VPC {vpc}", lambda: status_or_gone(c, "DescribeVpcAttribute", "VpcId", vpc), "Available")
    call(c, "DeleteVpc", VpcId=vpc)


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(credentials_toml())
        return 0
    if not common.ENDPOINT:
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8750)", file=sys.stderr)
        return 2
    checks = [
        ("v3.scenario", scenario, NewSdkClient("v3", "LTAInetV3")),
        ("v1.scenario", scenario, NewSdkClient("v1", "LTAInetV1", v1=True)),
        ("v3.terraform_shapes", terraform_shapes, NewSdkClient("v3", "LTAInetV3")),
        ("v1.terraform_shapes", terraform_shapes, NewSdkClient("v1", "LTAInetV1", v1=True)),
        ("legacy.describe_vpcs", legacy_call, LegacyClient("legacy", "LTAInetLegacy")),
    ]
    print(f"alibaba network: {common.ENDPOINT}, transition delay {common.DELAY * 1000:.0f} ms", flush=True)
    results = [common.run_check(name, lambda: fn(client)) for name, fn, client in checks]
    passed = results.count(True)
    print(f"{passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
