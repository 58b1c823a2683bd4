// Writes the JSON schemas deploy/k8s/validate.sh checks the rendered manifests against: one file per
// kind the manifests use, strict (an unknown field is an error, as with kubeconform -strict), from
//   - the Kubernetes OpenAPI v2 document (swagger.json of a Kubernetes release) for built-in kinds,
//   - the operators' CustomResourceDefinition YAML files for their kinds.
// Sources, versions and what the schemas cannot check: README.md beside this file.
//
//   node generate.mjs --swagger swagger.json --crd a.yaml --crd b.yaml ... [--out DIR]
//
// Run from deploy/k8s/validator (its node_modules has the yaml parser) or with NODE_PATH set to it.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '..', 'validator', 'package.json'));
const YAML = require('yaml');

// The built-in kinds the manifests use (group '' is the core group).
const BUILT_IN = [
  ['', 'v1', 'Namespace'],
  ['', 'v1', 'ConfigMap'],
  ['', 'v1', 'Service'],
  ['', 'v1', 'PersistentVolumeClaim'],
  ['apps', 'v1', 'Deployment'],
  ['policy', 'v1', 'PodDisruptionBudget'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy'],
  ['networking.k8s.io', 'v1', 'Ingress'],
];
// The custom kinds, by the CRD file's spec.names.kind and the version to take.
const CUSTOM = [
  ['postgresql.cnpg.io', 'v1', 'Cluster'],
  ['postgresql.cnpg.io', 'v1', 'ScheduledBackup'],
  ['rabbitmq.com', 'v1beta1', 'RabbitmqCluster'],
  ['keda.sh', 'v1alpha1', 'ScaledObject'],
  ['keda.sh', 'v1alpha1', 'TriggerAuthentication'],
];

// Kubernetes' resource.Quantity grammar (the same pattern the operators' CRDs carry).
const QUANTITY = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export function schemaFileName(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `${kind.toLowerCase()}_${group}_${version}.json`;
}

// Drops what validation does not use (descriptions, defaults, formats, Kubernetes extensions) and makes
// every object with declared properties closed, except where the API keeps unknown fields.
function tighten(node) {
  if (Array.isArray(node)) return node.map(tighten);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'default' || key === 'format' || key === 'example' || key.startsWith('x-')) continue;
    if (key === 'nullable') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tighten(v)]));
    } else {
      out[key] = tighten(value);
    }
  }
  if (node['x-kubernetes-int-or-string'] === true && !out.anyOf) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

function rootKind(schema, apiVersion, kind) {
  const root = { ...schema };
  root.properties = {
    ...root.properties,
    apiVersion: { type: 'string', enum: [apiVersion] },
    kind: { type: 'string', enum: [kind] },
    metadata: { allOf: [{ $ref: `#/definitions/${OBJECT_META}` }], required: ['name'] },
  };
  root.required = [...new Set([...(root.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  root.additionalProperties = false;
  return root;
}

// The swagger definitions a schema refers to, transitively.
function closure(definitions, start) {
  const seen = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace('#/definitions/', '');
      if (!seen.has(name)) {
        seen.add(name);
        if (!definitions[name]) throw new Error(`swagger has no definition ${name}`);
        visit(definitions[name]);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(start);
  return seen;
}

function definitionsFor(swagger, start) {
  const out = {};
  for (const name of [...closure(swagger.definitions, start)].sort()) {
    if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') out[name] = { anyOf: [{ type: 'integer' }, { type: 'string' }] };
    else if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') out[name] = { anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY }] };
    else out[name] = tighten(swagger.definitions[name]);
  }
  return out;
}

function builtIn(swagger, [group, version, kind]) {
  const entry = Object.entries(swagger.definitions).find(([, d]) =>
    (d['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind));
  if (!entry) throw new Error(`swagger has no ${group}/${version} ${kind}`);
  const [name, definition] = entry;
  const apiVersion = group ? `${group}/${version}` : version;
  const start = { $ref: `#/definitions/${name}` };
  const definitions = definitionsFor(swagger, { allOf: [start, { $ref: `#/definitions/${OBJECT_META}` }] });
  const root = rootKind(tighten(definition), apiVersion, kind);
  delete definitions[name];
  return { apiVersion, kind, schema: { $schema: 'http://json-schema.org/draft-07/schema#', ...root, definitions } };
}

function custom(swagger, crds, [group, version, kind]) {
  const crd = crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (!crd) throw new Error(`no CRD given for ${group} ${kind}`);
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`CRD ${crd.metadata.name} has no version ${version}`);
  const apiVersion = `${group}/${version}`;
  const schema = tighten(served.schema.openAPIV3Schema);
  // A custom resource has no status to write and its metadata is the built-in ObjectMeta.
  delete schema.properties.status;
  const definitions = definitionsFor(swagger, { $ref: `#/definitions/${OBJECT_META}` });
  return { apiVersion, kind, schema: { $schema: 'http://json-schema.org/draft-07/schema#', ...rootKind(schema, apiVersion, kind), definitions } };
}

function main(argv) {
  const args = { crd: [], out: here };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--swagger') args.swagger = value;
    else if (flag === '--crd') args.crd.push(value);
    else if (flag === '--out') args.out = value;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.swagger || args.crd.length === 0) throw new Error('usage: node generate.mjs --swagger swagger.json --crd crd.yaml ... [--out DIR]');
  const swagger = JSON.parse(fs.readFileSync(args.swagger, 'utf8'));
  const crds = args.crd.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS())).filter(Boolean);
  const written = [];
  for (const spec of BUILT_IN) written.push(builtIn(swagger, spec));
  for (const spec of CUSTOM) written.push(custom(swagger, crds, spec));
  for (const { apiVersion, kind, schema } of written) {
    const file = path.join(args.out, schemaFileName(apiVersion, kind));
    fs.writeFileSync(file, JSON.stringify(schema, null, 1) + '\n');
    console.log(`${path.basename(file)}  (${apiVersion} ${kind}, ${Object.keys(schema.definitions).length} definitions)`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main(process.argv.slice(2));
