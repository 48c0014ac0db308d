// The official Alibaba Cloud Node.js SDK (@alicloud/vpc20160428, V3 signing) against a running
// flowplane, as a user would configure it: the provider's flow-log example, translated call for
// call (VPC -> vSwitch -> flow logs on both -> the VpcId filter -> delete in reverse order,
// waiting where Terraform waits), and the "already gone" answers Terraform relies on; then a
// fault rule's throttling as the SDK's own ThrottlingError.
//
// Usage: node check.js <endpoint host:port> <access key id> <access key secret>
'use strict';

const assert = require('node:assert/strict');
const Vpc = require('@alicloud/vpc20160428');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

const [endpoint, accessKeyId, accessKeySecret] = process.argv.slice(2);
// The account of the check's key (alibaba_check.py's credentials), which its fault rule names.
const ACCOUNT = '2000000000000030';
const REGION = 'cn-hangzhou';
const client = new Vpc.default(new $OpenApiUtil.Config({
  accessKeyId, accessKeySecret, endpoint, protocol: 'http', regionId: REGION,
}));
const suffix = Math.random().toString(36).slice(2, 10);

async function waitFor(what, read, done) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    assert.ok(Date.now() < deadline, `${what} did not happen within 30 s (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function gone(what, call) {
  try {
    await call();
  } catch (err) {
    // What Terraform's NotFoundError takes for "already gone": HTTP 404.
    assert.equal(err.statusCode, 404, `${what}: ${err.message}`);
    assert.match(err.code, /NotFound$/, `${what}: ${err.code}`);
    return;
  }
  assert.fail(`${what} succeeded on a deleted resource`);
}

async function vpcStatus(vpcId) {
  try {
    const r = await client.describeVpcAttribute(new Vpc.DescribeVpcAttributeRequest({ regionId: REGION, vpcId }));
    return r.body.status;
  } catch (err) {
    if (err.statusCode === 404) return null;
    throw err;
  }
}

async function vswitchStatus(vSwitchId) {
  try {
    const r = await client.describeVSwitchAttributes(new Vpc.DescribeVSwitchAttributesRequest({ regionId: REGION, vSwitchId }));
    return r.body.status;
  } catch (err) {
    if (err.statusCode === 404) return null;
    throw err;
  }
}

async function flowLogs(filter) {
  const r = await client.describeFlowLogs(new Vpc.DescribeFlowLogsRequest({ regionId: REGION, ...filter }));
  return r.body.flowLogs.flowLog;
}

async function main() {
  const vpc = await client.createVpc(new Vpc.CreateVpcRequest({
    regionId: REGION, cidrBlock: '10.4.0.0/16', vpcName: `node-${suffix}`,
  }));
  const vpcId = vpc.body.vpcId;
  assert.match(vpcId, /^vpc-/);
  assert.match(vpc.body.routeTableId, /^vtb-/);
  await waitFor('the VPC to be Available', () => vpcStatus(vpcId), (s) => s === 'Available');

  const vsw = await client.createVSwitch(new Vpc.CreateVSwitchRequest({
    regionId: REGION, vpcId, zoneId: `${REGION}-b`, cidrBlock: '10.4.1.0/24', vSwitchName: `node-${suffix}`,
  }));
  const vSwitchId = vsw.body.vSwitchId;
  await waitFor('the vSwitch to be Available', () => vswitchStatus(vSwitchId), (s) => s === 'Available');

  const ids = [];
  for (const [resourceType, resourceId] of [['VPC', vpcId], ['VSwitch', vSwitchId]]) {
    const created = await client.createFlowLog(new Vpc.CreateFlowLogRequest({
      regionId: REGION, resourceType, resourceId, trafficType: 'All',
      projectName: 'flowplane-node', logStoreName: 'flowplane-node', flowLogName: `node-${suffix}`,
    }));
    ids.push(created.body.flowLogId);
    await waitFor(`the flow log on the ${resourceType} to be Active`,
      async () => (await flowLogs({ flowLogId: created.body.flowLogId }))[0]?.status,
      (s) => s === 'Active');
  }
  const inVpc = (await flowLogs({ vpcId })).map((f) => f.flowLogId).sort();
  assert.deepEqual(inVpc, [...ids].sort(), 'the VpcId filter finds the flow logs on the VPC and on its vSwitch');

  for (const flowLogId of ids) {
    await client.deleteFlowLog(new Vpc.DeleteFlowLogRequest({ regionId: REGION, flowLogId }));
    await waitFor('the flow log to be gone', async () => (await flowLogs({ flowLogId })).length, (n) => n === 0);
    await gone('DeleteFlowLog of a deleted flow log',
      () => client.deleteFlowLog(new Vpc.DeleteFlowLogRequest({ regionId: REGION, flowLogId })));
  }
  await client.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ regionId: REGION, vSwitchId }));
  await waitFor('the vSwitch to be gone', () => vswitchStatus(vSwitchId), (s) => s === null);
  await gone('DeleteVSwitch of a deleted vSwitch',
    () => client.deleteVSwitch(new Vpc.DeleteVSwitchRequest({ regionId: REGION, vSwitchId })));
  await client.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId }));
  await waitFor('the VPC to be gone', () => vpcStatus(vpcId), (s) => s === null);
  await gone('DeleteVpc of a deleted VPC',
    () => client.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: REGION, vpcId })));
  console.log('PASS node.provider_example (VPC -> vSwitch -> flow logs -> VpcId filter -> delete, 404 when gone)');
  await throttling();
}

// A fault rule throttling this account's DescribeFlowLogs once (`/_flowplane/faults`): the SDK
// raises its own ThrottlingError, with the server's x-acs-retry-after as retryAfter.
async function throttling() {
  const control = (method, path, body) => fetch(`http://${endpoint}${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  const added = await control('POST', '/_flowplane/faults', {
    face: 'alibaba', operation: 'DescribeFlowLogs', tenant: ACCOUNT,
    effect: { throttle: { retry_after: '200ms' } }, times: 1,
  });
  const answer = await added.text();
  assert.equal(added.status, 201, answer);
  const rule = JSON.parse(answer);
  try {
    await assert.rejects(flowLogs({}), (err) => {
      assert.equal(err.name, 'ThrottlingError', `${err.name}: ${err.message}`);
      assert.equal(err.code, 'Throttling.User');
      assert.equal(err.retryAfter, 200);
      return true;
    });
    assert.deepEqual(await flowLogs({}), [], 'the next call is served');
  } finally {
    await control('DELETE', `/_flowplane/faults/${rule.id}`);
  }
  console.log('PASS node.throttling_error (a fault rule: ThrottlingError with retryAfter)');
}

main().catch((err) => {
  console.error(`FAIL node.provider_example: ${err.stack || err}`);
  process.exit(1);
});
