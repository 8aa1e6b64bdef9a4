#!/usr/bin/env bash
# Runs every test of WssKit. First installs what the tests need and says what it could not install:
#   Debian packages (apt-get, when missing): openssl, curl, ca-certificates, tshark, sslscan, python3-websockets,
#     util-linux (unshare, setpriv), iproute2, procps, chromium (the browser peer), libnss3-tools (certutil, which
#     makes the browser trust a server's development CA), tinyproxy (a forward proxy for the client's CONNECT
#     tunnel), nginx (a reverse proxy in front of other WebSocket servers), iptables (a firewall that drops packets,
#     in a network namespace of the test's own), pebble (Let's Encrypt's test CA, for the ACME client), strace
#     (counts the server's sends)
#   npm packages, into test/peers/node_modules: ws (Node's WebSocket peer), playwright-core (drives Debian's
#     chromium; it downloads no browser of its own)
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Echo]
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

declare -A package_of=(
  [openssl]=openssl [curl]=curl [update-ca-certificates]=ca-certificates [tshark]=tshark [sslscan]=sslscan
  [unshare]=util-linux [setpriv]=util-linux [ip]=iproute2 [ss]=iproute2 [pkill]=procps
  [chromium]=chromium [certutil]=libnss3-tools [tinyproxy]=tinyproxy [nginx]=nginx [script]=bsdutils [iptables]=iptables [pebble]=pebble [pebble-challtestsrv]=pebble
  [strace]=strace
)
missing=()
for command in "${!package_of[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${package_of[$command]}")
done
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "test.sh: could not install some of: ${missing[*]} (see the apt-get output above); the tests that need them will fail"
fi

if ! (cd test/peers && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  echo "test.sh: could not install the npm packages of test/peers (npm ci failed); the tests that need Node's ws or Chromium will fail"
fi

still=()
for command in openssl curl tshark sslscan node unshare setpriv update-ca-certificates chromium certutil tinyproxy nginx script iptables pebble pebble-challtestsrv strace; do
  command -v "$command" >/dev/null 2>&1 || still+=("$command")
done
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || still+=("python3-websockets")
[ -d test/peers/node_modules/ws ] || still+=("npm ws")
[ -d test/peers/node_modules/playwright-core ] || still+=("npm playwright-core")
if [ ${#still[@]} -gt 0 ]; then
  echo "test.sh: NOT AVAILABLE: ${still[*]}: the tests that need them will fail, not skip"
fi

dotnet test wss.slnx -c Release --nologo "$@"
