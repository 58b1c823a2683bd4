// Validates Kubernetes manifests (the output of `kubectl kustomize deploy/k8s`, and the examples):
//  1. every document against the strict JSON schema of its kind in deploy/k8s/schemas (a kind without
//     a schema is an error, so is an unknown field, a wrong type or a value outside an enum);
//  2. what a schema cannot see: that the objects refer to each other correctly (selectors that select
//     pods, ConfigMaps, claims, services and the KEDA target that exist, $(VAR) references defined
//     before use), that every Secret they read is documented, that the workers' GC settings equal
//     deploy/workers-runtime.env, that KEDA watches the queue the hosts consume, and that each host
//     container has its probes and resources.
//
//   node validate.mjs --schemas DIR [--workers-runtime-env FILE] [--docs FILE] a.yaml b.yaml [-- c.yaml ...]
// Files between `--` form one set, validated on its own (references resolve within the set); several
// sets share one process, so the schemas are compiled once. Each problem is one line
// `INVALID <set's first file>: <problem>`, each set ends with one `VALID` or `REJECTED` line.
// Exit 0 when every set holds, 1 otherwise.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';

const RESOLUTION_QUEUE = 'resolve-source-rows';

function parseArgs(argv) {
  const args = { sets: [[]] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--schemas') args.schemas = argv[++i];
    else if (a === '--workers-runtime-env') args.runtimeEnv = argv[++i];
    else if (a === '--docs') args.docs = argv[++i];
    else if (a === '--') args.sets.push([]);
    else args.sets.at(-1).push(a);
  }
  args.sets = args.sets.filter((set) => set.length > 0);
  if (!args.schemas || args.sets.length === 0) {
    console.error('usage: node validate.mjs --schemas DIR [--workers-runtime-env FILE] [--docs FILE] a.yaml b.yaml [-- c.yaml ...]');
    process.exit(2);
  }
  return args;
}

function schemaFileName(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `${kind.toLowerCase()}_${group}_${version}.json`;
}

const id = (o) => `${o?.kind ?? '?'}/${o?.metadata?.name ?? '?'}`;
const matches = (selector, labels) =>
  selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const matchesExpressions = (exprs, labels) => (exprs ?? []).every((e) => {
  const has = Object.prototype.hasOwnProperty.call(labels ?? {}, e.key);
  if (e.operator === 'In') return has && e.values.includes(labels[e.key]);
  if (e.operator === 'NotIn') return !has || !e.values.includes(labels[e.key]);
  if (e.operator === 'Exists') return has;
  if (e.operator === 'DoesNotExist') return !has;
  return false;
});
const selects = (labelSelector, labels) => {
  const ml = labelSelector?.matchLabels ?? {};
  const me = labelSelector?.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && me.length === 0) return false;
  return Object.entries(ml).every(([k, v]) => labels?.[k] === v) && matchesExpressions(me, labels);
};

function load(files) {
  const docs = [];
  const problems = [];
  for (const file of files) {
    const parsed = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
    for (const d of parsed) {
      if (d.errors.length) problems.push(`${file}: YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      const js = d.toJS();
      if (js !== null && js !== undefined) docs.push({ file, obj: js });
    }
  }
  return { docs, problems };
}

const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false });
const compiled = new Map();

function schemaProblems(docs, schemaDir) {
  const problems = [];
  for (const { file, obj } of docs) {
    if (typeof obj !== 'object' || !obj.apiVersion || !obj.kind) {
      problems.push(`${file}: a document without apiVersion and kind`);
      continue;
    }
    const name = schemaFileName(obj.apiVersion, obj.kind);
    if (!compiled.has(name)) {
      const p = path.join(schemaDir, name);
      compiled.set(name, fs.existsSync(p) ? ajv.compile(JSON.parse(fs.readFileSync(p, 'utf8'))) : null);
    }
    const validate = compiled.get(name);
    if (!validate) {
      problems.push(`${id(obj)}: no schema for ${obj.apiVersion} ${obj.kind} (add it to deploy/k8s/schemas: see its README)`);
      continue;
    }
    if (!validate(obj)) {
      // allErrors reports each failed branch of an anyOf too; the branches' own errors say what is wrong.
      for (const e of validate.errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if')) {
        const detail = e.keyword === 'additionalProperties' ? `unknown field "${e.params.additionalProperty}"`
          : e.keyword === 'enum' ? `${e.message}: ${JSON.stringify(e.params.allowedValues)}`
          : e.message;
        problems.push(`${id(obj)}: ${e.instancePath || '/'}: ${detail}`);
      }
    }
  }
  return problems;
}

function containersOf(deployment) {
  const spec = deployment.spec?.template?.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function crossProblems(objs, options) {
  const problems = [];
  const byKind = (kind) => objs.filter((o) => o.kind === kind);
  const find = (kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);

  const seen = new Set();
  for (const o of objs) {
    const key = `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (seen.has(key)) problems.push(`${id(o)}: defined twice`);
    seen.add(key);
  }

  // The pods that will exist: the Deployments' templates, and those the operators create.
  const pods = [
    ...byKind('Deployment').map((d) => ({ owner: id(d), labels: d.spec?.template?.metadata?.labels ?? {} })),
    ...byKind('Cluster').map((c) => ({ owner: id(c), labels: { 'cnpg.io/cluster': c.metadata.name } })),
    ...byKind('RabbitmqCluster').map((r) => ({ owner: id(r), labels: { 'app.kubernetes.io/name': r.metadata.name } })),
  ];
  const selectsSomePod = (labelSelector) => pods.some((p) => selects(labelSelector, p.labels));

  for (const d of byKind('Deployment')) {
    if (!selects(d.spec?.selector, d.spec?.template?.metadata?.labels)) problems.push(`${id(d)}: spec.selector does not select its own pod template`);
  }
  for (const s of byKind('Service')) {
    const sel = s.spec?.selector;
    if (sel && !pods.some((p) => matches(sel, p.labels))) problems.push(`${id(s)}: selector ${JSON.stringify(sel)} selects no pod`);
    const targets = new Set(pods.filter((p) => matches(sel, p.labels)).map((p) => p.owner));
    for (const port of s.spec?.ports ?? []) {
      if (typeof port.targetPort !== 'string') continue;
      const named = byKind('Deployment').filter((d) => targets.has(id(d)))
        .some((d) => containersOf(d).some((c) => (c.ports ?? []).some((cp) => cp.name === port.targetPort)));
      if (!named) problems.push(`${id(s)}: targetPort "${port.targetPort}" is no container port of the pods it selects`);
    }
  }
  for (const p of byKind('PodDisruptionBudget')) {
    if (!selectsSomePod(p.spec?.selector)) problems.push(`${id(p)}: selector selects no pod`);
  }
  for (const np of byKind('NetworkPolicy')) {
    const ps = np.spec?.podSelector ?? {};
    const empty = Object.keys(ps.matchLabels ?? {}).length === 0 && (ps.matchExpressions ?? []).length === 0;
    if (!empty && !selectsSomePod(ps)) problems.push(`${id(np)}: podSelector selects no pod`);
    for (const rule of np.spec?.ingress ?? []) {
      for (const from of rule.from ?? []) {
        if (from.podSelector && !from.namespaceSelector && !selectsSomePod(from.podSelector))
          problems.push(`${id(np)}: an ingress rule's podSelector ${JSON.stringify(from.podSelector)} selects no pod of this namespace`);
      }
    }
  }

  // What the Deployments read.
  const secrets = new Map(); // name -> where
  const useSecret = (name, where) => { if (name) secrets.set(name, [...(secrets.get(name) ?? []), where]); };
  for (const d of byKind('Deployment')) {
    const podSpec = d.spec?.template?.spec ?? {};
    for (const v of podSpec.volumes ?? []) {
      if (v.persistentVolumeClaim && !find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName))
        problems.push(`${id(d)}: volume ${v.name} claims ${v.persistentVolumeClaim.claimName}, which is not defined`);
      if (v.configMap && !v.configMap.optional && !find('ConfigMap', v.configMap.name))
        problems.push(`${id(d)}: volume ${v.name} reads ConfigMap ${v.configMap.name}, which is not defined`);
      if (v.secret) useSecret(v.secret.secretName, `${id(d)} volume ${v.name}`);
    }
    for (const c of containersOf(d)) {
      const where = `${id(d)} container ${c.name}`;
      const defined = new Set();
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !ef.configMapRef.optional && !find('ConfigMap', ef.configMapRef.name))
          problems.push(`${where}: envFrom ConfigMap ${ef.configMapRef.name} is not defined`);
        if (ef.configMapRef) for (const k of Object.keys(find('ConfigMap', ef.configMapRef.name)?.data ?? {})) defined.add(k);
        if (ef.secretRef) useSecret(ef.secretRef.name, where);
      }
      for (const e of c.env ?? []) {
        // The kubelet expands $(NAME) only for variables defined before, and leaves the text as it is otherwise.
        for (const [, ref] of String(e.value ?? '').matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          if (!defined.has(ref)) problems.push(`${where}: ${e.name} refers to $(${ref}), which is not defined before it`);
        }
        const cmk = e.valueFrom?.configMapKeyRef;
        if (cmk && !cmk.optional) {
          const cm = find('ConfigMap', cmk.name);
          if (!cm || !(cmk.key in (cm.data ?? {}))) problems.push(`${where}: ${e.name} reads ${cmk.name}/${cmk.key}, which is not defined`);
        }
        if (e.valueFrom?.secretKeyRef) useSecret(e.valueFrom.secretKeyRef.name, where);
        defined.add(e.name);
      }
      if (d.metadata?.labels?.['app.kubernetes.io/part-of'] === 'registry') {
        for (const [probe, p] of [['startupProbe', '/health/live'], ['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']]) {
          if (c[probe]?.httpGet?.path !== p) problems.push(`${where}: ${probe} must be an HTTP GET of ${p}`);
        }
        for (const r of ['requests', 'limits']) {
          if (!c.resources?.[r]?.cpu || !c.resources?.[r]?.memory) problems.push(`${where}: resources.${r} needs cpu and memory`);
        }
      }
    }
  }

  // What the operators' resources read.
  for (const c of byKind('Cluster')) {
    useSecret(c.spec?.bootstrap?.initdb?.secret?.name, `${id(c)} bootstrap`);
    for (const r of c.spec?.managed?.roles ?? []) useSecret(r.passwordSecret?.name, `${id(c)} role ${r.name}`);
    const s3 = c.spec?.backup?.barmanObjectStore?.s3Credentials ?? {};
    for (const v of Object.values(s3)) if (v && typeof v === 'object') useSecret(v.name, `${id(c)} backup`);
  }
  for (const t of byKind('TriggerAuthentication')) {
    for (const ref of t.spec?.secretTargetRef ?? []) useSecret(ref.name, id(t));
  }
  for (const ing of byKind('Ingress')) {
    for (const tls of ing.spec?.tls ?? []) useSecret(tls.secretName, id(ing));
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const svc = p.backend?.service;
        if (!svc) continue;
        const s = find('Service', svc.name);
        if (!s) problems.push(`${id(ing)}: backend Service ${svc.name} is not defined`);
        else if (svc.port?.name && !(s.spec?.ports ?? []).some((sp) => sp.name === svc.port.name))
          problems.push(`${id(ing)}: Service ${svc.name} has no port named ${svc.port.name}`);
      }
    }
  }

  // KEDA: the Deployment it scales, its authentication, and the queue the hosts consume.
  const prefix = find('ConfigMap', 'registry-settings')?.data?.Bus__QueuePrefix ?? '';
  for (const so of byKind('ScaledObject')) {
    const target = so.spec?.scaleTargetRef;
    const kind = target?.kind ?? 'Deployment';
    const scaled = find(kind, target?.name);
    if (!scaled) problems.push(`${id(so)}: scaleTargetRef ${kind}/${target?.name} is not defined`);
    else if (scaled.spec?.replicas !== undefined) problems.push(`${id(so)}: ${id(scaled)} sets spec.replicas, which every apply would reset under KEDA`);
    for (const t of so.spec?.triggers ?? []) {
      const auth = t.authenticationRef;
      if (auth && !find(auth.kind ?? 'TriggerAuthentication', auth.name)) problems.push(`${id(so)}: authenticationRef ${auth.name} is not defined`);
      if (t.type === 'rabbitmq' && t.metadata?.queueName !== prefix + RESOLUTION_QUEUE)
        problems.push(`${id(so)}: watches queue "${t.metadata?.queueName}", but the hosts consume "${prefix + RESOLUTION_QUEUE}" (Bus__QueuePrefix "${prefix}")`);
    }
  }

  // The workers' GC settings are deploy/workers-runtime.env's.
  if (options.runtimeEnv) {
    const expected = Object.fromEntries(fs.readFileSync(options.runtimeEnv, 'utf8').split('\n')
      .map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const actual = find('ConfigMap', 'registry-workers-runtime')?.data;
    if (!actual) problems.push('ConfigMap/registry-workers-runtime: not defined (the workers\' GC settings)');
    else if (JSON.stringify(Object.entries(actual).sort()) !== JSON.stringify(Object.entries(expected).sort()))
      problems.push(`ConfigMap/registry-workers-runtime: ${JSON.stringify(actual)} differs from ${path.basename(options.runtimeEnv)}: ${JSON.stringify(expected)}`);
  }

  // Every Secret the manifests read is one the operations guide says how to create (or who creates it).
  if (options.docs) {
    const docs = fs.readFileSync(options.docs, 'utf8');
    for (const [name, where] of secrets) {
      if (!docs.includes(name)) problems.push(`Secret ${name} (read by ${where.join(', ')}) is not described in ${path.basename(options.docs)}`);
    }
  }
  return problems;
}

const args = parseArgs(process.argv.slice(2));
let failed = false;
for (const set of args.sets) {
  const { docs, problems } = load(set);
  problems.push(...schemaProblems(docs, args.schemas));
  problems.push(...crossProblems(docs.map((d) => d.obj), args));
  const label = set[0];
  if (problems.length) {
    failed = true;
    for (const p of problems) console.log(`INVALID ${label}: ${p}`);
    console.log(`REJECTED ${label}: ${problems.length} problem(s) in ${docs.length} document(s)`);
  } else {
    const kinds = [...new Set(docs.map((d) => d.obj.kind))].sort();
    console.log(`VALID ${label}: ${docs.length} documents (${kinds.join(', ')})`);
  }
}
process.exit(failed ? 1 : 0);
