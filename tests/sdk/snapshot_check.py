#!/usr/bin/env python3
"""Snapshots and seeds, seen through the official SDKs' own list calls.

A world is made with the Huawei SDKs (LTS log group and stream; VPC, subnet, port, VPC tags and
a flow log on the port) and the Alibaba VPC SDK (VPC with tags, vSwitch, flow log), on a server
this script starts for itself (a fresh SQLite database in a temporary directory, its own
credentials, `--transition-delay 0s`), so that its reset touches no other check. Then:

- snapshot.round_trip: the SDKs' list answers; `GET /_flowplane/snapshot?records=true`;
  `POST /_flowplane/reset` (the lists are empty); `POST /_flowplane/snapshot`; every list
  answer is the same as before, and so is a second export;
- snapshot.newer_version_refused: a version-2 document is 400 with the envelope's message, and
  the lists are unchanged;
- snapshot.seed_at_start: a second server started with `--seed FILE` (the export) on a fresh
  database answers the same lists.

FLOWPLANE_BIN names the binary. Prints `PASS name` / `FAIL name: reason` per check, then
`N passed, M failed`; exits 0 only when nothing failed.
"""

import json
import os
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdklts.v2 import LtsClient
from huaweicloudsdklts.v2 import model as lts
from huaweicloudsdkvpc.v2 import VpcClient as HuaweiVpcClient
from huaweicloudsdkvpc.v2 import model as hw

from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as AliVpcClient

from server import Server, sqlite_in

HW_AK = "HWSNAPSHOTACCESSKEY1"
HW_SK = "hw-snapshot-secret-key-00000000000000000"
HW_PROJECT = "5a000000000000000000000000000001"
ALI_KEY = "LTAIsnapshotCheck01"
ALI_SECRET = "ali-snapshot-secret-000000000000001"
ALI_ACCOUNT = "5000000000000001"
ALI_REGION = "cn-hangzhou"

CREDENTIALS = f"""[[huawei]]
access_key = "{HW_AK}"
secret_key = "{HW_SK}"

[[alibaba]]
access_key_id = "{ALI_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_ACCOUNT}"
"""

FLAGS = ("--transition-delay", "0s", "--tls", "off")


def huawei(endpoint):
    credentials = BasicCredentials(HW_AK, HW_SK, HW_PROJECT)
    vpc = HuaweiVpcClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()
    logs = LtsClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()
    return vpc, logs


def alibaba(endpoint):
    return AliVpcClient(Config(access_key_id=ALI_KEY, access_key_secret=ALI_SECRET,
                               endpoint=urllib.parse.urlsplit(endpoint).netloc, protocol="http",
                               region_id=ALI_REGION))


def build_world(endpoint):
    c, l = huawei(endpoint)
    group = l.create_log_group(lts.CreateLogGroupRequest(body=lts.CreateLogGroupParams(
        log_group_name="snapshot-group", ttl_in_days=7))).log_group_id
    stream = l.create_log_stream(lts.CreateLogStreamRequest(log_group_id=group, body=lts.CreateLogStreamParams(
        log_stream_name="snapshot-stream"))).log_stream_id
    vpc = c.create_vpc(hw.CreateVpcRequest(body=hw.CreateVpcRequestBody(
        vpc=hw.CreateVpcOption(name="vpc-snapshot", cidr="172.16.0.0/16")))).vpc
    subnet = c.create_subnet(hw.CreateSubnetRequest(body=hw.CreateSubnetRequestBody(
        subnet=hw.CreateSubnetOption(name="subnet-snapshot", cidr="172.16.0.0/24", gateway_ip="172.16.0.1",
                                     vpc_id=vpc.id)))).subnet
    port = c.create_port(hw.CreatePortRequest(body=hw.CreatePortRequestBody(
        port=hw.CreatePortOption(name="nic-snapshot", network_id=subnet.id)))).port
    c.batch_create_vpc_tags(hw.BatchCreateVpcTagsRequest(vpc_id=vpc.id, body=hw.BatchCreateVpcTagsRequestBody(
        action="create", tags=[hw.ResourceTag(key="env", value="snapshot")])))
    c.create_flow_log(hw.CreateFlowLogRequest(body=hw.CreateFlowLogReqBody(flow_log=hw.CreateFlowLogReq(
        name="fl-snapshot", resource_type="port", resource_id=port.id, traffic_type="all",
        log_group_id=group, log_topic_id=stream))))

    a = alibaba(endpoint)
    ali_vpc = a.create_vpc(vpc_models.CreateVpcRequest(
        region_id=ALI_REGION, cidr_block="192.168.0.0/16", vpc_name="vpc-snapshot")).body.vpc_id
    a.create_vswitch(vpc_models.CreateVSwitchRequest(
        region_id=ALI_REGION, vpc_id=ali_vpc, cidr_block="192.168.1.0/24", zone_id=ALI_REGION + "-b",
        v_switch_name="vsw-snapshot"))
    a.tag_resources(vpc_models.TagResourcesRequest(
        region_id=ALI_REGION, resource_type="VPC", resource_id=[ali_vpc],
        tag=[vpc_models.TagResourcesRequestTag(key="env", value="snapshot")]))
    a.create_flow_log(vpc_models.CreateFlowLogRequest(
        region_id=ALI_REGION, resource_type="VPC", resource_id=ali_vpc, traffic_type="All",
        project_name="snapshot-project", log_store_name="snapshot-store", flow_log_name="fl-snapshot"))


def without_request_ids(value):
    if isinstance(value, dict):
        return {k: without_request_ids(v) for k, v in value.items() if "request_id" not in k.lower()
                and k != "RequestId"}
    if isinstance(value, list):
        return [without_request_ids(v) for v in value]
    return value


def listings(endpoint):
    """What the SDKs' own list calls answer, request ids left out."""
    c, l = huawei(endpoint)
    a = alibaba(endpoint)
    answers = {
        "huawei.ListFlowLogs": c.list_flow_logs(hw.ListFlowLogsRequest()).to_dict(),
        "huawei.ListVpcs": c.list_vpcs(hw.ListVpcsRequest()).to_dict(),
        "huawei.ListSubnets": c.list_subnets(hw.ListSubnetsRequest()).to_dict(),
        "huawei.ListPorts": c.list_ports(hw.ListPortsRequest()).to_dict(),
        "huawei.ListLogGroups": l.list_log_groups(lts.ListLogGroupsRequest()).to_dict(),
        "alibaba.DescribeVpcs": a.describe_vpcs(vpc_models.DescribeVpcsRequest(region_id=ALI_REGION)).body.to_map(),
        "alibaba.DescribeVSwitches": a.describe_vswitches(
            vpc_models.DescribeVSwitchesRequest(region_id=ALI_REGION)).body.to_map(),
        "alibaba.DescribeFlowLogs": a.describe_flow_logs(
            vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION)).body.to_map(),
    }
    vpcs = c.list_vpcs(hw.ListVpcsRequest()).vpcs or []
    answers["huawei.ShowVpcTags"] = [c.show_vpc_tags(hw.ShowVpcTagsRequest(vpc_id=v.id)).to_dict() for v in vpcs]
    return without_request_ids(answers)


def control(endpoint, method, path, body=None):
    """(status, JSON answer) of a control API call."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def timeless(snapshot):
    return {k: v for k, v in snapshot.items() if k != "taken_at"}


def first_difference(left, right, path=""):
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(left) + [k for k in right if k not in left]:
            found = first_difference(left.get(key), right.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for i, (a, b) in enumerate(zip(left, right)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if left == right else f"{path}: {str(left)[:200]} != {str(right)[:200]}"


def assert_same(left, right, what):
    difference = first_difference(left, right)
    assert difference is None, f"{what} differ at {difference}"


def main():
    binary = os.environ.get("FLOWPLANE_BIN")
    if not binary:
        raise SystemExit("FLOWPLANE_BIN must name the flowplane binary")
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        credentials = os.path.join(tmp, "credentials.toml")
        with open(credentials, "w") as f:
            f.write(CREDENTIALS)
        server = Server(binary, sqlite_in(tmp, "world.db"), credentials, *FLAGS)
        state = {}

        def round_trip():
            build_world(server.endpoint)
            before = listings(server.endpoint)
            assert before["huawei.ListFlowLogs"]["flow_logs"], before
            assert before["alibaba.DescribeFlowLogs"]["FlowLogs"]["FlowLog"], before
            status, snapshot = control(server.endpoint, "GET", "/_flowplane/snapshot?records=true")
            assert status == 200, snapshot
            assert (snapshot["format"], snapshot["version"]) == ("flowplane-snapshot", 1), snapshot
            status, reset = control(server.endpoint, "POST", "/_flowplane/reset")
            assert status == 200, reset
            emptied = listings(server.endpoint)
            assert emptied["huawei.ListFlowLogs"]["flow_logs"] == [], emptied
            assert emptied["alibaba.DescribeVpcs"]["Vpcs"]["Vpc"] == [], emptied
            status, imported = control(server.endpoint, "POST", "/_flowplane/snapshot", snapshot)
            assert status == 200, imported
            assert imported["imported"]["flow_logs"] == 2, imported
            assert_same(listings(server.endpoint), before, "the SDKs' list answers")
            status, again = control(server.endpoint, "GET", "/_flowplane/snapshot?records=true")
            assert status == 200, again
            assert_same(timeless(again), timeless(snapshot), "the exports")
            state.update(before=before, snapshot=snapshot)

        def newer_version_refused():
            newer = dict(state["snapshot"], version=2)
            status, answer = control(server.endpoint, "POST", "/_flowplane/snapshot", newer)
            assert status == 400, (status, answer)
            assert answer["error"]["message"] == \
                "snapshot format version 2 is newer than this Flowplane supports (1)", answer
            assert answer["request_id"], answer
            assert_same(listings(server.endpoint), state["before"], "the lists after a refusal")

        def seed_at_start():
            seed = os.path.join(tmp, "seed.json")
            with open(seed, "w") as f:
                json.dump(state["snapshot"], f)
            seeded = Server(binary, sqlite_in(tmp, "seeded.db"), credentials, *FLAGS, "--seed", seed)
            try:
                assert_same(listings(seeded.endpoint), state["before"], "the seeded server's lists")
            finally:
                seeded.stop()
            seeded.log.seek(0)
            log = seeded.log.read().decode(errors="replace")
            assert "loaded the seed into the empty database" in log, seeded.output()

        checks = [("snapshot.round_trip", round_trip),
                  ("snapshot.newer_version_refused", newer_version_refused),
                  ("snapshot.seed_at_start", seed_at_start)]
        try:
            for name, check in checks:
                try:
                    check()
                    print(f"PASS {name}", flush=True)
                    passed += 1
                except Exception as err:  # noqa: BLE001 - every failure is reported, then counted
                    print(f"FAIL {name}: {type(err).__name__}: {err}", flush=True)
                    traceback.print_exc()
                    failed += 1
        finally:
            server.stop()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
