#!/usr/bin/env bash
# Creates a SoftHSM2 token with an EC P-256 and an RSA-2048 key (non-extractable), each with a
# self-signed certificate for localhost, the way Pkcs11SoftHsmTest does; prints the SunPKCS11
# configuration to use. Usage: scripts/softhsm-token.sh [DIR]   (default: ./softhsm-demo)
#   --list DIR   lists the token's objects with pkcs11-tool (opensc)
set -euo pipefail

lib=""
for c in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
         /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
  [[ -f "$c" ]] && { lib="$c"; break; }
done
[[ -n "$lib" ]] || { echo "libsofthsm2.so not found: apt-get install -y softhsm2" >&2; exit 1; }

if [[ "${1:-}" == "--list" ]]; then
  dir="$(cd "${2:?--list DIR}" && pwd)"
  SOFTHSM2_CONF="$dir/softhsm2.conf" pkcs11-tool --module "$lib" --token-label asyncjsse --login --pin 1234 --list-objects
  exit 0
fi

dir="${1:-softhsm-demo}"
mkdir -p "$dir/tokens"
dir="$(cd "$dir" && pwd)"
export SOFTHSM2_CONF="$dir/softhsm2.conf"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label asyncjsse --pin 1234 --so-pin 5678

cat > "$dir/pkcs11.cfg" <<CFG
name = SoftHSM
library = $lib
slotListIndex = 0
attributes(*, CKO_PRIVATE_KEY, *) = {
  CKA_SENSITIVE = true
  CKA_EXTRACTABLE = false
}
CFG

kt=(keytool -keystore NONE -storetype PKCS11 -providerClass sun.security.pkcs11.SunPKCS11
    -providerArg "$dir/pkcs11.cfg" -storepass 1234)
"${kt[@]}" -genkeypair -alias ec -keyalg EC -groupname secp256r1 -dname CN=localhost -ext san=dns:localhost -validity 365
"${kt[@]}" -genkeypair -alias rsa -keyalg RSA -keysize 2048 -dname CN=localhost -ext san=dns:localhost -validity 365
"${kt[@]}" -list

echo
echo "export SOFTHSM2_CONF=$SOFTHSM2_CONF   # the JVM that uses the token needs it too"
echo "SunPKCS11 configuration: $dir/pkcs11.cfg"
