#!/usr/bin/env bash
# Renders deploy/k8s/base with kustomize and validates every manifest — the rendered base, the example
# Ingress and the rendered restore overlay (examples/restore) — against the committed JSON schemas of
# Kubernetes and of the operators' CRDs (deploy/k8s/schemas), plus the cross-checks of
# validator/validate.mjs. Then shows that it can fail: copies of the base with one deliberate mistake
# each must be rejected, with the mistake named.
#
# Installs what it lacks from Debian's packages (kubectl: kubernetes-client; node and npm) and the
# validator's two npm packages (package-lock.json). Needs no cluster. Exit 0 only when all holds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
SECONDS=0

missing=()
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "validate.sh: installing ${missing[*]} from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The validator's packages, installed again only when package-lock.json changed.
validator="$here/validator"
stamp="$validator/node_modules/.installed-from-lock"
lock_sum="$(sha256sum "$validator/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
  (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" >"$stamp"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

render() { kubectl kustomize "$1" 2>"$work/kustomize.err" || { cat "$work/kustomize.err" >&2; return 1; }; }
validate() {
  node "$validator/validate.mjs" --schemas "$here/schemas" \
    --workers-runtime-env "$repo/deploy/workers-runtime.env" --docs "$repo/docs/operations-kubernetes.md" "$@"
}

echo "validate.sh: $(kubectl version --client 2>/dev/null | grep -i -m1 kustomize || kubectl version --client 2>/dev/null | head -1)"
render "$here/base" >"$work/rendered.yaml"
# The restore overlay (a recovery bootstrap instead of initdb) is a set of its own: it replaces the base's cluster.
render "$here/examples/restore" >"$work/restore.yaml"
validate "$work/rendered.yaml" "$here"/examples/*.yaml -- "$work/restore.yaml"

# Negative checks: copies of the base with one mistake each. Every copy must be rejected, and the
# validator must name the mistake. (All in one validator run: the schemas are compiled once.)
cases=()
break_copy() { # description, file (relative to deploy/k8s), sed expression, text the rejection must contain
  local n=${#cases[@]} copy="$work/broken-${#cases[@]}"
  mkdir -p "$copy"
  (cd "$here" && tar --exclude=./validator/node_modules -cf - .) | (cd "$copy" && tar -xf -)
  sed -i "$3" "$copy/$2"
  if cmp -s "$here/$2" "$copy/$2"; then echo "validate.sh: the edit for '$1' changed nothing in $2" >&2; exit 1; fi
  if ! render "$copy/base" >"$work/broken-$n.yaml"; then echo "validate.sh: '$1' broke the rendering itself" >&2; exit 1; fi
  cases+=("$1|$4")
}
break_copy "a misspelt field of the CloudNativePG Cluster" base/postgres/cluster.yaml \
  's/dataDurability: required/dataDurabilty: required/' 'unknown field "dataDurabilty"'
break_copy "a value outside the CRD's enum" base/postgres/cluster.yaml \
  's/method: any/method: quorum/' '/spec/postgresql/synchronous/method'
break_copy "a misspelt field of a RabbitmqCluster" base/rabbitmq/cluster.yaml \
  's/^  replicas: 3/  replica: 3/' 'unknown field "replica"'
break_copy "a number where KEDA's trigger metadata takes strings" base/workers/scaledobject.yaml \
  's/value: "8"/value: 8/' '/spec/triggers/0/metadata/value: must be string'
break_copy "a misspelt probe of a Deployment" base/api/deployment.yaml \
  's/readinessProbe:/readinessprobe:/' 'unknown field "readinessprobe"'
break_copy "a memory quantity Kubernetes does not read" base/workers/deployment.yaml \
  's/memory: 5Gi/memory: 5GB/' 'limits/memory: must match pattern'
break_copy "a ScaledObject aimed at no Deployment" base/workers/scaledobject.yaml \
  's/^    name: registry-workers$/    name: registry-worker/' 'scaleTargetRef Deployment/registry-worker is not defined'
break_copy "a connection string using an undefined \$(VAR)" base/api/deployment.yaml \
  's/Password=$(REGISTRY_DB_PASSWORD)/Password=$(REGISTRY_DB_PASWORD)/' 'refers to $(REGISTRY_DB_PASWORD)'
break_copy "GC settings that drifted from deploy/workers-runtime.env" base/settings.yaml \
  's/DOTNET_GCgen0size: "0x20000000"/DOTNET_GCgen0size: "0x10000000"/' 'differs from workers-runtime.env'
break_copy "an undocumented Secret" base/api/deployment.yaml \
  's/name: registry-oidc$/name: registry-oidc-client/' 'Secret registry-oidc-client'

sets=()
for n in "${!cases[@]}"; do sets+=(-- "$work/broken-$n.yaml"); done
if validate "${sets[@]:1}" >"$work/negative.out"; then
  cat "$work/negative.out" >&2; echo "validate.sh: the validator accepted every broken copy" >&2; exit 1
fi
echo "validate.sh: negative checks"
for n in "${!cases[@]}"; do
  what="${cases[$n]%%|*}" expected="${cases[$n]#*|}" file="$work/broken-$n.yaml"
  if ! grep -qF "REJECTED $file:" "$work/negative.out"; then
    echo "validate.sh: NOT rejected: $what" >&2; grep -F "$file:" "$work/negative.out" >&2; exit 1
  fi
  if ! grep -F "INVALID $file:" "$work/negative.out" | grep -qF -- "$expected"; then
    echo "validate.sh: '$what' was rejected, but not for \"$expected\":" >&2; grep -F "$file:" "$work/negative.out" >&2; exit 1
  fi
  echo "  rejected as it should: $what"
done

echo "validate.sh: deploy/k8s valid, ${#cases[@]} broken copies rejected; ${SECONDS}s"
