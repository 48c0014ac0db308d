#!/usr/bin/env python3
"""The providers' flow-log examples, translated call for call to the official Python SDKs, against a
fresh Flowplane with `--references strict` and nothing hard-coded: every id comes from an answer.

Huawei Cloud (terraform-provider-huaweicloud's `huaweicloud_vpc_flow_log` example and acceptance
test): a VpcClient built with ONLY a region and an AK/SK finds its project through Flowplane's IAM
(HUAWEICLOUD_SDK_IAM_ENDPOINT), then VPC -> wait OK -> subnet -> wait ACTIVE -> port -> the LTS
log group (`huaweicloud_lts_group`, ttl_in_days 7) and log stream (`huaweicloud_lts_stream`, named
like the group, no TTL) with an LtsClient built the same way -> a flow log on each kind, delivering
to them -> update (rename, disable) -> delete in reverse order, each delete waited for as the
provider waits (until the read is 404), the stream and group last (gone from their lists, as the
provider reads them). A mistyped resource id gets 404 VPC.3002; a log group and stream that do not
exist get 400 VPC.3002.

Alibaba Cloud (terraform-provider-alicloud's `alicloud_vpc_flow_log` example and acceptance test):
the example's `alicloud_log_project` + `alicloud_log_store` over SLS (LogClient, Flowplane as its
HTTP proxy) -> the account's resource groups (ListResourceGroups, Status=OK: ids.0 and ids.1) -> VPC in ids.0 ->
wait Available -> vSwitch -> wait Available -> ENI -> wait Available -> a flow log on each kind (one
in ids.1) -> wait Active -> DescribeFlowLogs with VpcId finds all three -> delete in reverse order,
each waited for until it is gone, and a second delete of each raises the 404 that Terraform's
NotFoundError takes for "already gone". A missing or mistyped resource gets the CreateFlowLog
table's codes.

The server is started here, on a fresh database (FLOWPLANE_EXAMPLES_DATABASE_URL, default a SQLite
file in a temporary directory) with this script's own credentials; FLOWPLANE_BIN names the binary.
Prints `PASS name` / `FAIL name: reason` per check, then `N passed, M failed`.
"""

import os
import sys
import tempfile
import time
import urllib.parse
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdklts.v2 import model as lts
from huaweicloudsdklts.v2 import LtsClient
from huaweicloudsdkvpc.v2 import model as hw
from huaweicloudsdkvpc.v2 import VpcClient as HuaweiVpcClient

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as AliVpcClient

from huawei_check import failure_reason
from server import Server, sqlite_in

HW_AK = "HWEXAMPLEACCESSKEY01"
HW_SK = "hw-example-secret-key-000000000000000000"
HW_REGION = "cn-north-4"
HW_PROJECT = "e0000000000000000000000000000001"
ALI_KEY = "LTAIexampleAccessKey1"
ALI_SECRET = "ali-example-secret-0000000000000001"
ALI_ACCOUNT = "4000000000000001"
ALI_REGION = "cn-hangzhou"

CREDENTIALS = f"""[[huawei]]
access_key = "{HW_AK}"
secret_key = "{HW_SK}"
domain = "flowplane-examples"
projects = {{ {HW_REGION} = "{HW_PROJECT}" }}

[[alibaba]]
access_key_id = "{ALI_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_ACCOUNT}"
"""


def wait_for(what, read, done, timeout=30.0):
    """Polls as the providers do until done(read()); returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what}: still {value!r} after {timeout:.0f} s"
        time.sleep(0.25)


# ---------------------------------------------------------------------------------------------
# Huawei
# ---------------------------------------------------------------------------------------------

def huawei_client(endpoint):
    # Only a region and an AK/SK, as a user configures the SDK; IAM is asked for the project.
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = endpoint
    credentials = BasicCredentials(HW_AK, HW_SK)
    client = (HuaweiVpcClient.new_builder().with_credentials(credentials)
              .with_region(Region(HW_REGION, endpoint)).build())
    assert credentials.project_id == HW_PROJECT, f"project resolved as {credentials.project_id!r}"
    return client


def huawei_lts_client(endpoint):
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = endpoint
    credentials = BasicCredentials(HW_AK, HW_SK)
    client = LtsClient.new_builder().with_credentials(credentials).with_region(Region(HW_REGION, endpoint)).build()
    assert credentials.project_id == HW_PROJECT, f"project resolved as {credentials.project_id!r}"
    return client


def huawei_lts_destination(l, name):
    """`huaweicloud_lts_group` (ttl_in_days = 7) and `huaweicloud_lts_stream` (named like the
    group, no TTL), each read back from its list as the provider reads it."""
    group = l.create_log_group(lts.CreateLogGroupRequest(body=lts.CreateLogGroupParams(
        log_group_name=name, ttl_in_days=7))).log_group_id
    listed = [g for g in l.list_log_groups(lts.ListLogGroupsRequest()).log_groups if g.log_group_id == group]
    assert [(g.log_group_name, g.ttl_in_days) for g in listed] == [(name, 7)], listed
    stream = l.create_log_stream(lts.CreateLogStreamRequest(log_group_id=group, body=lts.CreateLogStreamParams(
        log_stream_name=name))).log_stream_id
    streams = l.list_log_stream(lts.ListLogStreamRequest(log_group_id=group)).log_streams
    assert [(s.log_stream_id, s.log_stream_name, s.ttl_in_days) for s in streams] == [(stream, name, -1)], streams
    return group, stream


def huawei_lts_destroy(l, group, stream):
    """The provider's destroy: the stream, then the group; each then missing from its list."""
    l.delete_log_stream(lts.DeleteLogStreamRequest(log_group_id=group, log_stream_id=stream))
    streams = l.list_log_stream(lts.ListLogStreamRequest(log_group_id=group)).log_streams or []
    assert stream not in [s.log_stream_id for s in streams], streams
    l.delete_log_group(lts.DeleteLogGroupRequest(log_group_id=group))
    groups = l.list_log_groups(lts.ListLogGroupsRequest()).log_groups or []
    assert group not in [g.log_group_id for g in groups], groups


def huawei_gone(read):
    """The provider's delete wait: until the read is 404."""
    def status():
        try:
            read()
            return 200
        except ServiceResponseException as err:
            return err.status_code
    wait_for("the delete", status, lambda code: code == 404)


def huawei_example(endpoint):
    c = huawei_client(endpoint)
    vpc = c.create_vpc(hw.CreateVpcRequest(body=hw.CreateVpcRequestBody(
        vpc=hw.CreateVpcOption(name="vpc-acc", cidr="172.16.0.0/16")))).vpc
    wait_for("the VPC to be OK", lambda: c.show_vpc(hw.ShowVpcRequest(vpc_id=vpc.id)).vpc.status,
             lambda s: s == "OK")
    subnet = c.create_subnet(hw.CreateSubnetRequest(body=hw.CreateSubnetRequestBody(
        subnet=hw.CreateSubnetOption(name="subnet-acc", cidr="172.16.0.0/24", gateway_ip="172.16.0.1",
                                     vpc_id=vpc.id)))).subnet
    wait_for("the subnet to be ACTIVE",
             lambda: c.show_subnet(hw.ShowSubnetRequest(subnet_id=subnet.id)).subnet.status,
             lambda s: s == "ACTIVE")
    port = c.create_port(hw.CreatePortRequest(body=hw.CreatePortRequestBody(
        port=hw.CreatePortOption(name="nic-acc", network_id=subnet.id)))).port
    l = huawei_lts_client(endpoint)
    group, stream = huawei_lts_destination(l, "tf-acc-" + uuid.uuid4().hex[:5])
    flow_logs = []
    for kind, resource in (("vpc", vpc.id), ("network", subnet.id), ("port", port.id)):
        flow_log = c.create_flow_log(hw.CreateFlowLogRequest(body=hw.CreateFlowLogReqBody(
            flow_log=hw.CreateFlowLogReq(name=f"fl-{kind}", description="created by terraform testacc",
                                         resource_type=kind, resource_id=resource, traffic_type="all",
                                         log_group_id=group, log_topic_id=stream)))).flow_log
        assert (flow_log.status, flow_log.admin_state) == ("ACTIVE", True), flow_log
        flow_logs.append(flow_log)
    updated = c.update_flow_log(hw.UpdateFlowLogRequest(flowlog_id=flow_logs[1].id, body=hw.UpdateFlowLogReqBody(
        flow_log=hw.UpdateFlowLogReq(name="fl-renamed", description="updated", admin_state=False)))).flow_log
    assert (updated.name, updated.status) == ("fl-renamed", "DOWN"), updated
    listed = c.list_flow_logs(hw.ListFlowLogsRequest(resource_id=port.id)).flow_logs
    assert [f.id for f in listed] == [flow_logs[2].id], listed
    for flow_log in reversed(flow_logs):
        c.delete_flow_log(hw.DeleteFlowLogRequest(flowlog_id=flow_log.id))
        huawei_gone(lambda: c.show_flow_log(hw.ShowFlowLogRequest(flowlog_id=flow_log.id)))
    c.delete_port(hw.DeletePortRequest(port_id=port.id))
    huawei_gone(lambda: c.show_port(hw.ShowPortRequest(port_id=port.id)))
    c.delete_subnet(hw.DeleteSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id))
    huawei_gone(lambda: c.show_subnet(hw.ShowSubnetRequest(subnet_id=subnet.id)))
    c.delete_vpc(hw.DeleteVpcRequest(vpc_id=vpc.id))
    huawei_gone(lambda: c.show_vpc(hw.ShowVpcRequest(vpc_id=vpc.id)))
    huawei_lts_destroy(l, group, stream)


def huawei_strict_errors(endpoint):
    c = huawei_client(endpoint)
    l = huawei_lts_client(endpoint)
    group, stream = huawei_lts_destination(l, "tf-typo-" + uuid.uuid4().hex[:5])
    vpc = c.create_vpc(hw.CreateVpcRequest(body=hw.CreateVpcRequestBody(
        vpc=hw.CreateVpcOption(name="vpc-typo", cidr="10.0.0.0/16")))).vpc
    # A log group and stream that do not exist: the flow log cannot deliver, 400 VPC.3002.
    try:
        c.create_flow_log(hw.CreateFlowLogRequest(body=hw.CreateFlowLogReqBody(
            flow_log=hw.CreateFlowLogReq(resource_type="vpc", resource_id=vpc.id, traffic_type="all",
                                         log_group_id=str(uuid.uuid4()), log_topic_id=str(uuid.uuid4())))))
        raise AssertionError("a flow log to a missing log group and stream was created")
    except ServiceResponseException as err:
        assert (err.status_code, err.error_code) == (400, "VPC.3002"), (err.status_code, err.error_code)
    for kind, resource, word in (("port", "c0ffee00-0000-4000-8000-000000000000", "Port"),
                                 ("network", vpc.id, "Network")):
        try:
            c.create_flow_log(hw.CreateFlowLogRequest(body=hw.CreateFlowLogReqBody(
                flow_log=hw.CreateFlowLogReq(resource_type=kind, resource_id=resource, traffic_type="all",
                                             log_group_id=group, log_topic_id=stream))))
        except ServiceResponseException as err:
            assert (err.status_code, err.error_code) == (404, "VPC.3002"), (err.status_code, err.error_code)
            assert err.error_msg == f"{word} {resource} could not be found.", err.error_msg
            continue
        raise AssertionError(f"a flow log on the missing {kind} {resource} was created")
    c.delete_vpc(hw.DeleteVpcRequest(vpc_id=vpc.id))
    huawei_lts_destroy(l, group, stream)


# ---------------------------------------------------------------------------------------------
# Alibaba
# ---------------------------------------------------------------------------------------------

class Alibaba:
    def __init__(self, endpoint):
        cfg = Config(access_key_id=ALI_KEY, access_key_secret=ALI_SECRET,
                     endpoint=urllib.parse.urlsplit(endpoint).netloc, protocol="http", region_id=ALI_REGION)
        self.vpc, self.ecs, self.rm = AliVpcClient(cfg), EcsClient(cfg), RmClient(cfg)

    def vpc_status(self, vpc_id):
        try:
            return self.vpc.describe_vpc_attribute(
                vpc_models.DescribeVpcAttributeRequest(region_id=ALI_REGION, vpc_id=vpc_id)).body.status
        except ClientException as err:
            assert err.status_code == 404, err
            return None

    def vswitch_status(self, vswitch_id):
        try:
            return self.vpc.describe_vswitch_attributes(vpc_models.DescribeVSwitchAttributesRequest(
                region_id=ALI_REGION, v_switch_id=vswitch_id)).body.status
        except ClientException as err:
            assert err.status_code == 404, err
            return None

    def eni_status(self, eni_id):
        found = self.ecs.describe_network_interfaces(ecs_models.DescribeNetworkInterfacesRequest(
            region_id=ALI_REGION, network_interface_id=[eni_id])).body.network_interface_sets.network_interface_set
        return found[0].status if found else None

    def flow_logs(self, **filters):
        return self.vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(
            region_id=ALI_REGION, **filters)).body.flow_logs.flow_log

    def create_flow_log(self, resource_type, resource_id, **extra):
        return self.vpc.create_flow_log(vpc_models.CreateFlowLogRequest(
            region_id=ALI_REGION, resource_type=resource_type, resource_id=resource_id, traffic_type="All",
            project_name=SLS_PROJECT, log_store_name=SLS_LOGSTORE, traffic_path=["all"],
            aggregation_interval=1, flow_log_name="tf-example", **extra)).body


SLS_PROJECT = "tf-example-project"
SLS_LOGSTORE = "tf-example-store"


class flowplane_as_http_proxy:
    """While inside: HTTP_PROXY names Flowplane, as alibaba_sls_check.py documents for the SLS SDK (the
    project travels in the Host `<project>.<endpoint>`, which nothing resolves); restored after, so the
    other SDKs here are untouched."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def __enter__(self):
        self.saved = {name: os.environ.get(name) for name in ("HTTP_PROXY", "http_proxy")}
        for name in self.saved:
            os.environ[name] = self.endpoint

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def sls_destination(endpoint):
    """The example's alicloud_log_project + alicloud_log_store (shard_count 3, auto_split, max_split_shard_count
    60, append_meta): with --references strict, CreateFlowLog needs them. Made once; a second call finds them."""
    from aliyun.log import LogClient
    from aliyun.log.logexception import LogException
    client = LogClient(f"{ALI_REGION}.log.aliyuncs.com", ALI_KEY, ALI_SECRET)
    with flowplane_as_http_proxy(endpoint):
        for create, code in ((lambda: client.create_project(SLS_PROJECT, "tf example"), "ProjectAlreadyExist"),
                             (lambda: client.create_logstore(SLS_PROJECT, SLS_LOGSTORE, ttl=7, shard_count=3,
                                                             auto_split=True, max_split_shard=60, append_meta=True),
                              "LogStoreAlreadyExist")):
            try:
                create()
            except LogException as err:
                assert err.get_error_code() == code, (err.get_error_code(), err.get_error_message())
        assert client.get_logstore(SLS_PROJECT, SLS_LOGSTORE).get_shard_count() == 3


def already_gone(what, call):
    """Terraform's NotFoundError: the SDK error's HTTP status 404 (or NotFound in its message)."""
    try:
        call()
    except (ClientException, ServerException) as err:
        assert err.status_code == 404 or "NotFound" in str(err.message), f"{what}: {err.status_code} {err.code}"
        return
    raise AssertionError(f"{what} succeeded on a deleted resource")


def alibaba_example(endpoint):
    sls_destination(endpoint)
    a = Alibaba(endpoint)
    groups = a.rm.list_resource_groups(rm_models.ListResourceGroupsRequest(
        status="OK", page_size=50)).body.resource_groups.resource_group
    assert len(groups) >= 2 and groups[0].name == "default", [g.name for g in groups]
    ids = [g.id for g in groups]
    vpc_id = a.vpc.create_vpc(vpc_models.CreateVpcRequest(
        region_id=ALI_REGION, cidr_block="10.4.0.0/16", vpc_name="tf-example", resource_group_id=ids[0])).body.vpc_id
    wait_for("the VPC to be Available", lambda: a.vpc_status(vpc_id), lambda s: s == "Available")
    tables = a.vpc.describe_route_table_list(vpc_models.DescribeRouteTableListRequest(
        region_id=ALI_REGION, vpc_id=vpc_id)).body.router_table_list.router_table_list_type
    assert [(t.route_table_type, t.vpc_id) for t in tables] == [("System", vpc_id)], tables
    vswitch_id = a.vpc.create_vswitch(vpc_models.CreateVSwitchRequest(
        region_id=ALI_REGION, vpc_id=vpc_id, zone_id=f"{ALI_REGION}-b", cidr_block="10.4.1.0/24",
        v_switch_name="tf-example")).body.v_switch_id
    wait_for("the vSwitch to be Available", lambda: a.vswitch_status(vswitch_id), lambda s: s == "Available")
    eni_id = a.ecs.create_network_interface(ecs_models.CreateNetworkInterfaceRequest(
        region_id=ALI_REGION, v_switch_id=vswitch_id, security_group_ids=["sg-example"],
        network_interface_name="tf-example")).body.network_interface_id
    wait_for("the ENI to be Available", lambda: a.eni_status(eni_id), lambda s: s == "Available")

    flow_logs = []
    for kind, resource in (("VPC", vpc_id), ("VSwitch", vswitch_id), ("NetworkInterface", eni_id)):
        group = ids[1] if kind == "VPC" else ids[0]  # the acceptance test's ids.1
        created = a.create_flow_log(kind, resource, resource_group_id=group)
        wait_for(f"the flow log on the {kind} to be Active",
                 lambda: [f.status for f in a.flow_logs(flow_log_id=created.flow_log_id)], lambda s: s == ["Active"])
        flow_logs.append(created.flow_log_id)
    found = sorted(f.flow_log_id for f in a.flow_logs(vpc_id=vpc_id))
    assert found == sorted(flow_logs), f"VpcId finds {found}, want {sorted(flow_logs)}"
    in_group = [f.flow_log_id for f in a.flow_logs(resource_group_id=ids[1])]
    assert in_group == [flow_logs[0]], in_group

    for flow_log_id in reversed(flow_logs):
        a.vpc.delete_flow_log(vpc_models.DeleteFlowLogRequest(region_id=ALI_REGION, flow_log_id=flow_log_id))
        wait_for("the flow log to be gone", lambda: a.flow_logs(flow_log_id=flow_log_id), lambda f: f == [])
        already_gone("DeleteFlowLog", lambda: a.vpc.delete_flow_log(
            vpc_models.DeleteFlowLogRequest(region_id=ALI_REGION, flow_log_id=flow_log_id)))
    a.ecs.delete_network_interface(ecs_models.DeleteNetworkInterfaceRequest(
        region_id=ALI_REGION, network_interface_id=eni_id))
    wait_for("the ENI to be gone", lambda: a.eni_status(eni_id), lambda s: s is None)
    already_gone("DeleteNetworkInterface", lambda: a.ecs.delete_network_interface(
        ecs_models.DeleteNetworkInterfaceRequest(region_id=ALI_REGION, network_interface_id=eni_id)))
    a.vpc.delete_vswitch(vpc_models.DeleteVSwitchRequest(region_id=ALI_REGION, v_switch_id=vswitch_id))
    wait_for("the vSwitch to be gone", lambda: a.vswitch_status(vswitch_id), lambda s: s is None)
    already_gone("DeleteVSwitch", lambda: a.vpc.delete_vswitch(
        vpc_models.DeleteVSwitchRequest(region_id=ALI_REGION, v_switch_id=vswitch_id)))
    a.vpc.delete_vpc(vpc_models.DeleteVpcRequest(region_id=ALI_REGION, vpc_id=vpc_id))
    wait_for("the VPC to be gone", lambda: a.vpc_status(vpc_id), lambda s: s is None)
    already_gone("DeleteVpc", lambda: a.vpc.delete_vpc(
        vpc_models.DeleteVpcRequest(region_id=ALI_REGION, vpc_id=vpc_id)))


def alibaba_strict_errors(endpoint):
    sls_destination(endpoint)
    a = Alibaba(endpoint)
    vpc_id = a.vpc.create_vpc(vpc_models.CreateVpcRequest(
        region_id=ALI_REGION, cidr_block="192.168.0.0/16")).body.vpc_id
    wait_for("the VPC to be Available", lambda: a.vpc_status(vpc_id), lambda s: s == "Available")
    for kind, resource, code in (("VSwitch", "vsw-nobodymadethisone", "InvalidInstanceId"),
                                 ("NetworkInterface", "eni-nobodymadethisone", "InvalidInstanceId")):
        try:
            a.create_flow_log(kind, resource)
        except ClientException as err:
            assert (err.status_code, err.code) == (400, code), (err.status_code, err.code, err.message)
            continue
        raise AssertionError(f"a flow log on the missing {kind} {resource} was created")
    a.vpc.delete_vpc(vpc_models.DeleteVpcRequest(region_id=ALI_REGION, vpc_id=vpc_id))


# ---------------------------------------------------------------------------------------------
# The server and the runner
# ---------------------------------------------------------------------------------------------

def fresh_server(directory):
    """A Flowplane of this script's own: strict references, a fresh database, its credentials."""
    credentials = os.path.join(directory, "credentials.toml")
    with open(credentials, "w") as f:
        f.write(CREDENTIALS)
    database = os.environ.get("FLOWPLANE_EXAMPLES_DATABASE_URL") or sqlite_in(directory, "examples.db")
    return Server(os.environ["FLOWPLANE_BIN"], database, credentials,
                  "--references", "strict", "--transition-delay", "1s")


def main():
    directory = tempfile.TemporaryDirectory()
    server = fresh_server(directory.name)
    passed = failed = 0
    try:
        for check in (huawei_example, huawei_strict_errors, alibaba_example, alibaba_strict_errors):
            started = time.monotonic()
            try:
                check(server.endpoint)
            except Exception as exc:  # a check's failure is reported, the others still run
                failed += 1
                print(f"FAIL examples.{check.__name__}: {failure_reason(exc)}", flush=True)
                continue
            passed += 1
            print(f"PASS examples.{check.__name__} ({time.monotonic() - started:.1f} s)", flush=True)
    finally:
        if failed:
            print(server.output(), file=sys.stderr)
        server.stop()
        directory.cleanup()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
