import json,sys,collections
d=json.load(open(sys.argv[1]))
ev=d['traceEvents'] if isinstance(d,dict) else d
ev=[e for e in ev if e.get('ph')=='X']
ev.sort(key=lambda e:(e['ts'],-e['dur']))
fw=[e for e in ev if e['name']=='forward']
inner=[f for f in fw if not any(g is not f and g['name']=='forward' and g['ts']>=f['ts'] and g['ts']+g['dur']<=f['ts']+f['dur'] for g in fw)]
sel=inner[2:]
per=collections.defaultdict(list)
for f in sel:
    kids=[e for e in ev if e['ts']>=f['ts'] and e['ts']+e['dur']<=f['ts']+f['dur'] and e is not f]
    top=[]; end=-1
    for e in kids:
        if e['ts']>=end: top.append(e); end=e['ts']+e['dur']
    c=collections.defaultdict(float); 
    for e in top: c[e['name']]+=e['dur']
    for k,v in c.items(): per[k].append(v)
    per['#ops'].append(len(top)); per['#fw'].append(f['dur'])
rows=[(k,sorted(v)[len(v)//2],len(v)) for k,v in per.items()]
for k,m,n in sorted(rows,key=lambda x:-x[1])[:30]: print(f'{k:30s} median/step {m:8.1f} us  (steps {n})')
