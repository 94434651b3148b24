#!/usr/bin/env bash
# A record of how ab-reader.jsonl was measured (paths of that session): main's tool (da6e9fd, published as it was),
# this branch's published tool (ReadyToRun, tiered compilation off) and its build output (JIT, tiered compilation off),
# interleaved, each a whole `shrink path` process on the dense CSV. Not a maintained tool: bench/e2e.sh is.
D=/tmp/shrink-bench-data/dense/data.csv
A="path $D --target y --no-intercept --no-standardize --n-lambda 100 --lambda-min-ratio 1e-3 --tolerance 1e-9 --json"
out=$1; reps=$2; : > $out
for i in $(seq 1 $reps); do
  for v in ${VARIANTS:-old new newjit}; do
    case $v in old) cmd="/tmp/csv-pub-old/shrink";; ao) cmd="/tmp/csv-pub-ao/shrink";; new) cmd="/tmp/csv-pub-new/shrink";; newjit) cmd="dotnet /work/wt-csv/src/Shrink.Cli/bin/Release/net10.0/shrink.dll";; esac
    /usr/bin/time -f '%e %U %S %M' -o /tmp/csv-ab.time $cmd $A > /tmp/csv-ab.json
    python3 -c "
import json,sys
t=open('/tmp/csv-ab.time').read().split()[-4:]; d=json.load(open('/tmp/csv-ab.json'))
print(json.dumps({'variant':'$v','rep':$i,'load':open('/proc/loadavg').read().split()[0],'wall':float(t[0]),'cpu':round(float(t[1])+float(t[2]),2),'rss_mb':int(t[3])//1024,'read':d['timing']['read_seconds'],'read_cpu':d.get('read_cpu_seconds'),'fit':d['timing']['fit_seconds'],'obj_last':d['objectives'][-1]}))" >> $out
  done
done
