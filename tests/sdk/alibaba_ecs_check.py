#!/usr/bin/env python3
"""End-to-end checks of Flowplane's Alibaba ECS network interfaces (Ecs 2014-05-26, RPC).

Drives a running Flowplane server with the official, unmodified `alibabacloud-ecs20140526` SDK
(pinned in requirements.txt), once with its default ACS3-HMAC-SHA256 signing (`v3`) and once with
V1 (`signature_algorithm='v2'`, `v1`), each with an access key of its own in an account of its
own. The VPC and vSwitch an ENI lies in, and the flow log on it, come from the same generation of
the VPC SDK (`alibabacloud-vpc20160428`) with the same key.

The ENI scenario (VPC -> vSwitch -> ENIs -> a flow log on one -> both paging styles -> tags ->
DeleteVSwitch refused -> deletes -> the 404s Terraform takes for "already gone") needs the VPC
product's CreateVpc and CreateVSwitch. Where the server does not have them (404
InvalidAction.NotFound) the scenario is reported as `SKIP` with the reason, unless
FLOWPLANE_ECS_REQUIRE_VPC=1, which makes that a failure. The other checks need no vSwitch.

Environment:
  FLOWPLANE_ENDPOINT          the server, e.g. http://127.0.0.1:8750
  FLOWPLANE_TRANSITION_DELAY  the server's --transition-delay (default 200ms): a deleted ENI must
                              be seen `Deleting` by a request answered within it
  FLOWPLANE_ECS_REQUIRE_VPC   1: a scenario that cannot find the VPC actions fails instead of
                              being skipped

`alibaba_ecs_check.py --print-credentials` prints the `[[alibaba]]` entries of its keys (run.sh
writes them into the server's credentials file). Prints `PASS`/`FAIL`/`SKIP` per check, then
`N passed, M failed` (`, K skipped`), and exits 0 only when nothing failed. Waits by polling
(200 ms, 30 s deadline), never by sleeping a fixed time.

Reference: openapi/reference/alibaba-ecs-eni.md.
"""

import os
import re
import sys
import time
import urllib.parse

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi.exceptions import ClientException as TeaClientException
from alibabacloud_tea_openapi.exceptions import ServerException as TeaServerException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as VpcClient

# The flow-log checks' error type and assertions, shared rather than written again.
from alibaba_check import ApiError, expect_error, failure_reason, rand, snake

REGION = "cn-hangzhou"
ZONE = "cn-hangzhou-b"
SECRET = "flowplane-ecs-check-secret-0000000"
ENDPOINT = os.environ.get("FLOWPLANE_ENDPOINT") or os.environ.get("FLOWPLANE_URL") or ""
REQUIRE_VPC = os.environ.get("FLOWPLANE_ECS_REQUIRE_VPC") == "1"
POLL_INTERVAL = 0.2
POLL_DEADLINE = 30.0

# Per signing, a key of its own and an "other" one, each in an account of its own.
KEYS = {
    f"LTAIecs{kind}{role}": f"30000000000000{k}{r}"
    for k, kind in enumerate(("V3", "V1"))
    for r, role in enumerate(("", "other"))
}

ENI_ID_RE = re.compile(r"^eni-[a-z0-9]{20}$")
MAC_RE = re.compile(r"^00:16:3e(:[0-9a-f]{2}){3}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def parse_delay(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s)?", (text or "200ms").strip())
    if not m:
        raise SystemExit(f"cannot parse FLOWPLANE_TRANSITION_DELAY={text!r}")
    return float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)


DELAY = parse_delay(os.environ.get("FLOWPLANE_TRANSITION_DELAY"))


def credentials_toml():
    return "\n".join(
        f'[[alibaba]]\naccess_key_id = "{key}"\naccess_key_secret = "{SECRET}"\naccount_id = "{account}"\n'
        for key, account in KEYS.items())


class Skip(Exception):
    """A check that cannot run on this server (the VPC actions it needs are missing)."""


class Sdk:
    """One product's official client, called by wire names; answers the raw JSON body."""

    def __init__(self, client_class, models, access_key_id, v1, secret=SECRET):
        cfg = Config(access_key_id=access_key_id, access_key_secret=secret,
                     endpoint=urllib.parse.urlsplit(ENDPOINT).netloc, protocol="http", region_id=REGION)
        if v1:
            cfg.signature_algorithm = "v2"
        self.models, self.sdk, self.last = models, client_class(cfg), None
        original = self.sdk.call_api

        def spy(params, request, runtime):  # observer only: the raw body the model was read from
            self.last = original(params, request, runtime)
            return self.last

        self.sdk.call_api = spy

    def __call__(self, action, **params):
        request = getattr(self.models, action + "Request")().from_map({"RegionId": REGION, **params})
        self.last = None
        try:
            resp = getattr(self.sdk, snake(action))(request)
        except (TeaClientException, TeaServerException) as e:
            raise ApiError(action, e.status_code, e.code, e.request_id, e.message, e.data,
                           type(e).__name__) from None
        assert resp.status_code == 200 and self.last is not None, f"{action}: HTTP {resp.status_code}"
        raw = self.last["body"]
        assert isinstance(raw, dict) and raw.get("RequestId"), f"{action} body {raw!r}"
        assert resp.body.request_id == raw["RequestId"], f"{action}: the model and the body disagree"
        assert "Code" not in raw, f"{action} success body carries Code: {raw}"
        return raw


class Clients:
    """ECS and VPC clients of one signing and key."""

    def __init__(self, name, access_key_id, v1, secret=SECRET):
        self.name, self.access_key_id, self.v1 = name, access_key_id, v1
        self.ecs = Sdk(EcsClient, ecs_models, access_key_id, v1, secret)
        self.vpc = Sdk(VpcClient, vpc_models, access_key_id, v1, secret)

    def clone(self, access_key_id, secret=SECRET):
        return Clients(self.name, access_key_id, self.v1, secret)


def expect_ecs_error(fn, status, code):
    """fn() fails with status and code, in ECS's envelope (HostId ecs.aliyuncs.com)."""
    err = expect_error(fn, status, code)
    assert err.data.get("HostId") == "ecs.aliyuncs.com", f"{code}: HostId {err.data.get('HostId')!r}"
    assert "product=Ecs" in err.data.get("Recommend", ""), f"{code}: Recommend {err.data.get('Recommend')!r}"
    return err


def wait_for(what, read, done):
    deadline = time.monotonic() + POLL_DEADLINE
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {POLL_DEADLINE:.0f} s (last: {value!r})"
        time.sleep(POLL_INTERVAL)


def retrying(what, fn, codes):
    """fn(), tried again while it fails with one of codes (as Terraform retries them)."""
    deadline = time.monotonic() + POLL_DEADLINE
    while True:
        try:
            return fn()
        except ApiError as e:
            if e.code not in codes or time.monotonic() > deadline:
                raise AssertionError(f"{what}: {e}") from None
        time.sleep(POLL_INTERVAL)


def assert_eni(item, vswitch_id=None):
    """One ENI body as the SDK models type it, with the wrappers Terraform asserts the types of."""
    for key in ("NetworkInterfaceId", "NetworkInterfaceName", "Description", "Status", "Type", "MacAddress",
                "PrivateIpAddress", "VpcId", "VSwitchId", "ZoneId", "ResourceGroupId", "OwnerId"):
        assert isinstance(item.get(key), str), f"{key} must be a JSON string, got {item.get(key)!r}"
    assert ENI_ID_RE.match(item["NetworkInterfaceId"]), item["NetworkInterfaceId"]
    assert MAC_RE.match(item["MacAddress"]), item["MacAddress"]
    assert item["OwnerId"].isdigit(), f"OwnerId {item['OwnerId']!r}"
    sets = item["PrivateIpSets"]["PrivateIpSet"]
    assert isinstance(sets, list) and sets, f"PrivateIpSets {item['PrivateIpSets']!r}"
    assert all(isinstance(s["Primary"], bool) for s in sets), f"Primary must be a bool: {sets}"
    assert [s["PrivateIpAddress"] for s in sets if s["Primary"]] == [item["PrivateIpAddress"]]
    assert isinstance(item["SecurityGroupIds"]["SecurityGroupId"], list)
    for wrapper, inner in (("Ipv6Sets", "Ipv6Set"), ("Ipv4PrefixSets", "Ipv4PrefixSet"),
                           ("Ipv6PrefixSets", "Ipv6PrefixSet"), ("Tags", "Tag")):
        assert isinstance(item[wrapper][inner], list), f"{wrapper}.{inner} must be a list: {item[wrapper]!r}"
    for tag in item["Tags"]["Tag"]:
        assert set(tag) == {"TagKey", "TagValue"}, f"ECS tags are TagKey/TagValue: {tag}"
    assert isinstance(item["ServiceManaged"], bool) and isinstance(item["SourceDestCheck"], bool)
    if "CreationTime" in item:
        assert TIME_RE.match(item["CreationTime"]), item["CreationTime"]
    if vswitch_id:
        assert item["VSwitchId"] == vswitch_id and item["ZoneId"] == ZONE, item


def describe(c, **params):
    raw = c.ecs("DescribeNetworkInterfaces", **params)
    for key in ("TotalCount", "PageNumber", "PageSize"):
        value = raw.get(key)
        assert isinstance(value, int) and not isinstance(value, bool), f"{key} must be a JSON int, got {value!r}"
    assert "NextToken" not in raw or isinstance(raw["NextToken"], str)
    items = raw["NetworkInterfaceSets"]["NetworkInterfaceSet"]
    for item in items:
        assert_eni(item)
    return raw, [item["NetworkInterfaceId"] for item in items]


def eni_status(c, eni_id):
    """Terraform's read: DescribeNetworkInterfaces by id; None once the list is empty."""
    raw, found = describe(c, NetworkInterfaceId=[eni_id])
    assert found in ([], [eni_id]), f"describe by {eni_id} gave {found}"
    return raw["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]["Status"] if found else None


# ---------------------------------------------------------------------------------------------
# The network an ENI lies in, through the VPC product
# ---------------------------------------------------------------------------------------------

def vpc_action(c, action, **params):
    """A VPC action the scenario needs; Skip (or, required, a failure) where the server lacks it."""
    try:
        return c.vpc(action, **params)
    except ApiError as e:
        if e.status == 404 and e.code == "InvalidAction.NotFound":
            reason = f"the server has no VPC action {action} (404 InvalidAction.NotFound)"
            if REQUIRE_VPC:
                raise AssertionError(reason + " and FLOWPLANE_ECS_REQUIRE_VPC=1") from None
            raise Skip(reason + ": runs once the VPC actions land") from None
        raise


def attribute_status(c, action, **params):
    """The Status a VPC attribute action gives, or None once it answers 404."""
    try:
        return vpc_action(c, action, **params)["Status"]
    except ApiError as e:
        if e.status == 404:
            return None
        raise


class Network:
    """A VPC and a vSwitch, created as Terraform does (waiting until each is Available), and
    deleted in reverse order (retrying what Terraform retries, waiting until each is gone)."""

    def __init__(self, c, vswitch_cidr="10.40.1.0/24"):
        self.c, self.vpc_id, self.vswitch_id = c, None, None
        self.vpc_id = vpc_action(c, "CreateVpc", CidrBlock="10.40.0.0/16", VpcName="ecs-check-" + rand(6))["VpcId"]
        try:
            wait_for(f"VPC {self.vpc_id} Available",
                     lambda: attribute_status(c, "DescribeVpcAttribute", VpcId=self.vpc_id),
                     lambda s: s == "Available")
            self.vswitch_id = vpc_action(c, "CreateVSwitch", VpcId=self.vpc_id, ZoneId=ZONE,
                                         CidrBlock=vswitch_cidr)["VSwitchId"]
            wait_for(f"vSwitch {self.vswitch_id} Available",
                     lambda: attribute_status(c, "DescribeVSwitchAttributes", VSwitchId=self.vswitch_id),
                     lambda s: s == "Available")
        except BaseException:
            self.delete()
            raise

    def delete(self):
        c = self.c
        if self.vswitch_id:
            retrying("DeleteVSwitch", lambda: c.vpc("DeleteVSwitch", VSwitchId=self.vswitch_id),
                     {"DependencyViolation", "IncorrectVSwitchStatus"})
            wait_for(f"vSwitch {self.vswitch_id} gone",
                     lambda: attribute_status(c, "DescribeVSwitchAttributes", VSwitchId=self.vswitch_id),
                     lambda s: s is None)
        if self.vpc_id:
            retrying("DeleteVpc", lambda: c.vpc("DeleteVpc", VpcId=self.vpc_id),
                     {"DependencyViolation.VSwitch", "IncorrectVpcStatus"})
            wait_for(f"VPC {self.vpc_id} gone",
                     lambda: attribute_status(c, "DescribeVpcAttribute", VpcId=self.vpc_id),
                     lambda s: s is None)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append((fn.__name__, fn))
    return fn


@check
def unknown_enis_are_404_in_ecs_envelope(c, other):
    unknown = "eni-" + rand(20)
    raw, found = describe(c)
    assert found == [] and raw["TotalCount"] == 0, f"a fresh account lists {found}"
    raw, found = describe(c, NetworkInterfaceId=[unknown])
    assert found == [], f"describe by an unknown id gave {found}"
    err = expect_ecs_error(lambda: c.ecs("DescribeNetworkInterfaceAttribute", NetworkInterfaceId=unknown),
                           404, "InvalidEniId.NotFound")
    assert unknown in err.message, err.message
    expect_ecs_error(lambda: c.ecs("DeleteNetworkInterface", NetworkInterfaceId=unknown), 404, "InvalidEniId.NotFound")
    expect_ecs_error(lambda: c.ecs("DeleteNetworkInterface"), 400, "MissingParameter")


@check
def create_needs_a_vswitch_of_the_account(c, other):
    err = expect_ecs_error(lambda: c.ecs("CreateNetworkInterface", VSwitchId="vsw-" + rand(21)),
                           404, "InvalidVSwitchId.NotFound")
    assert "is not found" in err.message, err.message
    expect_ecs_error(lambda: c.ecs("CreateNetworkInterface"), 400, "MissingParameter")
    expect_ecs_error(lambda: c.ecs("CreateNetworkInterface", VSwitchId="vsw-" + rand(21),
                                   SecurityGroupId="sg-1", SecurityGroupIds=["sg-2"]),
                     400, "InvalidParameter.Conflict")


@check
def tags_of_enis_that_do_not_exist(c, other):
    unknown = "eni-" + rand(20)
    expect_ecs_error(lambda: c.ecs("TagResources", ResourceType="eni", ResourceId=[unknown],
                                   Tag=[{"Key": "k", "Value": "v"}]), 404, "InvalidResourceId.NotFound")
    expect_ecs_error(lambda: c.ecs("UntagResources", ResourceType="eni", ResourceId=[unknown], All=True),
                     404, "InvalidResourceId.NotFound")
    raw = c.ecs("ListTagResources", ResourceType="eni", ResourceId=[unknown])
    assert raw["TagResources"]["TagResource"] == [] and "NextToken" not in raw, raw
    expect_ecs_error(lambda: c.ecs("ListTagResources", ResourceType="router", ResourceId=[unknown]),
                     404, "InvalidResourceType.NotFound")


@check
def a_wrong_secret_is_refused(c, other):
    bad = c.clone(c.access_key_id, secret=SECRET + "-wrong")
    err = expect_error(lambda: bad.ecs("DescribeNetworkInterfaces"), 400, "SignatureDoesNotMatch")
    assert SECRET not in err.message, "the error shows the secret"


@check
def eni_life_cycle_in_a_vswitch(c, other):
    net = Network(c)
    enis, flow_log = [], None
    try:
        # Create as Terraform does, then read it back as Terraform does.
        raw = c.ecs("CreateNetworkInterface", VSwitchId=net.vswitch_id, SecurityGroupIds=["sg-check1", "sg-check2"],
                    NetworkInterfaceName="ecs-check-eni", Description="made by the ECS check",
                    PrimaryIpAddress="10.40.1.10", Tag=[{"Key": "env", "Value": "check"}], SourceDestCheck=False)
        first = raw["NetworkInterfaceId"]
        enis.append(first)
        assert_eni(raw, net.vswitch_id)
        assert raw["Status"] == "Available", f"a new ENI is {raw['Status']!r}"
        assert raw["VpcId"] == net.vpc_id and raw["PrivateIpAddress"] == "10.40.1.10", raw
        assert raw["SecurityGroupIds"]["SecurityGroupId"] == ["sg-check1", "sg-check2"], raw["SecurityGroupIds"]
        assert raw["Tags"]["Tag"] == [{"TagKey": "env", "TagValue": "check"}], raw["Tags"]
        assert eni_status(c, first) == "Available"
        shown = c.ecs("DescribeNetworkInterfaceAttribute", NetworkInterfaceId=first)
        assert_eni(shown, net.vswitch_id)
        assert shown["NetworkInterfaceName"] == "ecs-check-eni", shown
        # Addresses: the one asked for is taken; the others get the first free ones.
        expect_ecs_error(lambda: c.ecs("CreateNetworkInterface", VSwitchId=net.vswitch_id,
                                       PrimaryIpAddress="10.40.1.10"), 400, "InvalidPrivateIpAddress.Duplicated")
        expect_ecs_error(lambda: c.ecs("CreateNetworkInterface", VSwitchId=net.vswitch_id,
                                       PrimaryIpAddress="10.40.2.10"), 403, "InvalidVSwitchId.IpInvalid")
        for _ in range(11):
            enis.append(c.ecs("CreateNetworkInterface", VSwitchId=net.vswitch_id)["NetworkInterfaceId"])
        # Another account sees none of it.
        _, theirs = describe(other)
        assert theirs == [], f"another account lists {theirs}"
        expect_ecs_error(lambda: other.ecs("DescribeNetworkInterfaceAttribute", NetworkInterfaceId=first),
                         404, "InvalidEniId.NotFound")

        # A flow log on the ENI, found by its VPC.
        flow_log = c.vpc("CreateFlowLog", ResourceType="NetworkInterface", ResourceId=first, TrafficType="All",
                         ProjectName="ecs-check", LogStoreName="ecs-check")["FlowLogId"]
        found = wait_for("the flow log Active",
                         lambda: c.vpc("DescribeFlowLogs", VpcId=net.vpc_id)["FlowLogs"]["FlowLog"],
                         lambda logs: [(f["FlowLogId"], f["Status"]) for f in logs] == [(flow_log, "Active")])
        assert found[0]["ResourceId"] == first, found

        # Both paging styles.
        raw, page = describe(c, VSwitchId=net.vswitch_id, PageNumber=2, PageSize=5)
        assert page == enis[5:10] and raw["TotalCount"] == 12, (page, raw["TotalCount"])
        assert (raw["PageNumber"], raw["PageSize"]) == (2, 5), raw
        raw, page = describe(c, VSwitchId=net.vswitch_id, PageNumber=3, PageSize=5)
        assert page == enis[10:] and "NextToken" not in raw, raw
        raw, page = describe(c, VSwitchId=net.vswitch_id, MaxResults=10)
        assert page == enis[:10] and raw.get("NextToken"), raw.get("NextToken")
        raw, page = describe(c, VSwitchId=net.vswitch_id, MaxResults=10, NextToken=raw["NextToken"])
        assert page == enis[10:] and "NextToken" not in raw, raw
        raw, page = describe(c, VSwitchId=net.vswitch_id, SecurityGroupId="sg-check2")
        assert page == [first], page

        # Tags, as Terraform sets and reads them.
        c.ecs("TagResources", ResourceType="eni", ResourceId=enis[:2], Tag=[{"Key": "team", "Value": "net"}])
        raw = c.ecs("ListTagResources", ResourceType="eni", ResourceId=[first])
        got = [(t["ResourceId"], t["ResourceType"], t["TagKey"], t["TagValue"]) for t in raw["TagResources"]["TagResource"]]
        assert got == [(first, "eni", "env", "check"), (first, "eni", "team", "net")], got
        assert "NextToken" not in raw, raw
        c.ecs("UntagResources", ResourceType="eni", ResourceId=[first], TagKey=["env"])
        raw, _ = describe(c, NetworkInterfaceId=[first])
        assert raw["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]["Tags"]["Tag"] == [
            {"TagKey": "team", "TagValue": "net"}], raw
        _, tagged = describe(c, VSwitchId=net.vswitch_id, Tag=[{"Key": "team", "Value": "net"}])
        assert tagged == enis[:2], tagged

        # The vSwitch cannot go while ENIs lie in it.
        expect_error(lambda: c.vpc("DeleteVSwitch", VSwitchId=net.vswitch_id), 400, "DependencyViolation")

        # Delete: Deleting for the transition delay, then gone, then 404 on a second destroy.
        c.vpc("DeleteFlowLog", FlowLogId=flow_log)
        flow_log = None
        started = time.monotonic()
        c.ecs("DeleteNetworkInterface", NetworkInterfaceId=first)
        seen = eni_status(c, first)
        if DELAY > 0 and time.monotonic() - started < DELAY:
            assert seen == "Deleting", f"right after DeleteNetworkInterface the ENI is {seen!r}"
        for eni in enis[1:]:
            c.ecs("DeleteNetworkInterface", NetworkInterfaceId=eni)
        for eni in enis:
            wait_for(f"{eni} gone", lambda: eni_status(c, eni), lambda s: s is None)
        err = expect_ecs_error(lambda: c.ecs("DescribeNetworkInterfaceAttribute", NetworkInterfaceId=first),
                               404, "InvalidEniId.NotFound")
        assert err.status == 404
        expect_ecs_error(lambda: c.ecs("DeleteNetworkInterface", NetworkInterfaceId=first), 404, "InvalidEniId.NotFound")
        enis = []
    finally:
        if flow_log:  # after a failure: what is left, so that the network can go
            retrying("DeleteFlowLog", lambda: c.vpc("DeleteFlowLog", FlowLogId=flow_log), {"IncorrectStatus.flowlog"})
        for eni in enis:
            try:
                retrying("DeleteNetworkInterface", lambda: c.ecs("DeleteNetworkInterface", NetworkInterfaceId=eni),
                         {"InvalidOperation.InvalidEniState"})
            except AssertionError:
                pass
        net.delete()


# ---------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------

def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(credentials_toml())
        return 0
    if not ENDPOINT:
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8750)", file=sys.stderr)
        return 2
    clients = [
        (Clients("v3", "LTAIecsV3", v1=False), Clients("v3", "LTAIecsV3other", v1=False)),
        (Clients("v1", "LTAIecsV1", v1=True), Clients("v1", "LTAIecsV1other", v1=True)),
    ]
    only = set(sys.argv[1:])  # optional: names of checks to run
    print(f"alibaba ecs: {ENDPOINT}, transition delay {DELAY * 1000:.0f} ms", flush=True)
    passed = failed = skipped = 0
    for c, other in clients:
        for name, fn in CHECKS:
            if only and name not in only:
                continue
            label = f"{c.name}.{name}"
            started = time.monotonic()
            try:
                fn(c, other)
            except Skip as why:
                skipped += 1
                print(f"SKIP {label}: {why}", flush=True)
                continue
            except Exception as exc:  # one broken check must not stop the others
                failed += 1
                print(f"FAIL {label}: {failure_reason(exc)}", flush=True)
                continue
            passed += 1
            print(f"PASS {label} ({time.monotonic() - started:.1f} s)", flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
