import re, sys
# Usage: python3 benchmarks/median-ratios.py BenchmarkDotNet.Artifacts/results/*-report-github.md (or the console log)
# Parses BenchmarkDotNet's joined summary and prints median ratios ours/fused and naive/fused.
unit = {'ns': 1e-3, 'us': 1.0, 'μs': 1.0, 'ms': 1e3, 's': 1e6}
rows = {}
header = None
for line in open(sys.argv[1], encoding='utf-8'):
    if not line.startswith('|'): continue
    cells = [c.strip().strip('*').strip() for c in line.strip().strip('|').split('|')]
    if cells[0] == 'Method': header = cells; continue
    if header is None or not cells[0] or cells[0].startswith('-') or cells[0].startswith(':'): continue
    d = dict(zip(header, cells))
    if 'Median' not in d: continue
    v, u = d['Median'].replace(',', '').split()
    rows[(d['Loss'], d['Variant'], int(d['N'].replace(',', '')), d['Method'])] = (float(v) * unit[u], d.get('Allocated', ''))
keys = sorted({k[:3] for k in rows}, key=lambda k: (k[0], ['Mean','Sum','None','Weighted','TargetGrad'].index(k[1]), k[2]))
print('| Loss | Variant | N | fused median | ours median | naive median | ours/fused | naive/fused | managed alloc (fused / ours / naive) |')
print('|---|---|---:|---:|---:|---:|---:|---:|---|')
def fmt(us):
    return f'{us/1e3:.2f} ms' if us >= 1000 else f'{us:.1f} µs'
for k in keys:
    f, o, n = (rows.get(k + (m,)) for m in ('Fused', 'Ours', 'Naive'))
    if not (f and o and n): continue
    print(f'| {k[0]} | {k[1]} | {k[2]:,} | {fmt(f[0])} | {fmt(o[0])} | {fmt(n[0])} | {o[0]/f[0]:.2f} | {n[0]/f[0]:.2f} | {f[1]} / {o[1]} / {n[1]} |')
