#!/bin/sh
# Creates the Docker secrets docker-compose.yml declares (`secrets:`, files under ./secrets): one
# random password per file. Files that exist are kept, so running it again only adds what is
# missing; to rotate a password, see infra/clickhouse/ACCESS.md. ./secrets is in .gitignore and
# .dockerignore: the passwords never reach git or an image.
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

# The directory keeps other users of this host out; the files inside must be readable by the
# containers' own users (clickhouse, uid 101; node, uid 1000), which need not be yours.
umask 077
mkdir -p secrets
chmod 700 secrets

random_password() {
  if command -v openssl > /dev/null 2>&1; then
    openssl rand -hex 24
  else
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
    echo
  fi
}

names="$(sed -n 's#^ *file: \./secrets/\([A-Za-z0-9_.-]*\) *$#\1#p' docker-compose.yml)"
if [ -z "$names" ]; then
  echo "no secrets found in docker-compose.yml" >&2
  exit 1
fi
for name in $names; do
  file="secrets/$name"
  if [ -s "$file" ]; then
    echo "kept    $file"
    continue
  fi
  random_password > "$file"
  chmod 644 "$file"
  echo "created $file"
done
