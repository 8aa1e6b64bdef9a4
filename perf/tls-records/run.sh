#!/usr/bin/env bash
# Builds perf/tls-records against Debian's OpenSSL 3 and, when present, BoringSSL (Debian's android-libboringssl-dev,
# the BoringSSL of Android 13, older than the one Bun builds in), and runs both on one core.
# usage: perf/tls-records/run.sh CERT KEY [ITERATIONS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)" out="${TMPDIR:-/tmp}/tls-records"
mkdir -p "$out"
gcc -O2 -o "$out/openssl" "$here/tls-records.c" -lssl -lcrypto
android=/usr/lib/x86_64-linux-gnu/android
if [ -f /usr/include/android/openssl/ssl.h ]; then
  gcc -O2 -I/usr/include/android -o "$out/boringssl" "$here/tls-records.c" -L$android -l:libssl.so.0 -l:libcrypto.so.0 -Wl,-rpath,$android
else
  echo "tls-records: BoringSSL not found (apt-get install android-libboringssl-dev): OpenSSL only" >&2
fi
for library in openssl boringssl; do
  [ -x "$out/$library" ] || continue
  taskset -c 0 "$out/$library" "$1" "$2" "${3:-200000}"
  taskset -c 0 "$out/$library" "$1" "$2" "${3:-200000}" release-buffers
done
