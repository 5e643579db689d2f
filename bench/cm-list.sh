#!/usr/bin/env bash
# The CM's Clientes list (AdminJS list API) at 100,000 customers: p95 of 40 calls per row beside
# GET /api/v1/me in the same run (goal: ≤ 10×). Needs DATABASE_URL (a PostgreSQL server whose role
# may create databases), curl, python3 and psql; seeds a database of its own and drops it after.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:cm
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?bench/cm-list.sh needs DATABASE_URL (a PostgreSQL server)}"
DB=cm_bench_cmlist_$$
export CM_CI_PG_URL="$DATABASE_URL"
node .ci/pg.mjs create $DB >/dev/null
export DATABASE_URL=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$DATABASE_URL" "$DB")
# Stops only the server this script started (its own process group), never someone else's portal.
SERVER=
trap '[ -n "$SERVER" ] && kill -- -"$SERVER" 2>/dev/null; node .ci/pg.mjs drop $DB >/dev/null' EXIT
CM_LOG=silent npm run -s cm -- seed-demo --customers "${CM_BENCH_CUSTOMERS:-100000}" --json > /tmp/cmb-seed.json
psql -q "$DATABASE_URL" -c 'vacuum analyze'
PORT=3777 CM_LOG=silent setsid npm start > /tmp/cmb-server.log 2>&1 &
SERVER=$!
for i in $(seq 1 120); do curl -s localhost:3777/healthz >/dev/null && break; sleep 0.5; done
L=$(python3 -c "import json;print(json.load(open('/tmp/cmb-seed.json'))['distributors'][0]['login'])"); P=$(python3 -c "import json;print(json.load(open('/tmp/cmb-seed.json'))['distributors'][0]['password'])"); T=$(python3 -c "import json;print(json.load(open('/tmp/cmb-seed.json'))['distributors'][0]['token'])")
rm -f /tmp/cmb-cj; CSRF=$(curl -s -c /tmp/cmb-cj -b /tmp/cmb-cj localhost:3777/login | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -o /dev/null -c /tmp/cmb-cj -b /tmp/cmb-cj --data-urlencode "login=$L" --data-urlencode "password=$P" --data-urlencode "_csrf=$CSRF" localhost:3777/login
curl -s -o /dev/null -b /tmp/cmb-cj localhost:3777/admin
p95() { # url, cookie|token
  local url="$1" mode="$2"; local ts=()
  for i in $(seq 1 40); do
    if [ "$mode" = token ]; then t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $T" "localhost:3777$url"); else t=$(curl -s -o /dev/null -w '%{time_total}' -b /tmp/cmb-cj "localhost:3777$url"); fi
    ts+=($t)
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int(NR*0.95)]*1000}'
}
ME=$(p95 /api/v1/me token)
echo "me p95 ${ME} ms"
R=/admin/api/resources/Customer/actions/list
for q in "" "?sortBy=legalName&direction=asc" "?sortBy=createdAt&direction=desc" "?filters.search=ferreter" "?filters.search=ferreter&sortBy=legalName&direction=asc" "?filters.search=VCZ" "?filters.search=1000" "?filters.search=5510" "?filters.search=5510&sortBy=legalName&direction=desc" "?filters.legalName=pacifico" "?filters.color=red" "?filters.search=ferreter&filters.color=red" "?page=200"; do
  v=$(p95 "$R$q" cookie); echo "CM list $q: p95 $v ms ($(python3 -c "print(round($v/$ME,1))")x /me)"
done
curl -s -b /tmp/cmb-cj "localhost:3777$R?filters.search=ferreter" | python3 -c "import json,sys;d=json.load(sys.stdin);print('total', d['meta']['total'])"
