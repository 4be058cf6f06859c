# Writes npargsort.json: np.argsort of arrays with and without ties
# (run with Debian's /usr/bin/python3 and python3-numpy 1.24.2).
import numpy as np, json, random
random.seed(3)
cases=[]
for n in [1,2,5,16,17,18,30,31,64,100,257,1000]:
    for k in range(4):
        vals=[float(random.randint(0,4))/4 for _ in range(n)] if k%2==0 else [random.random() for _ in range(n)]
        cases.append(dict(v=vals, idx=np.argsort(np.asarray(vals,dtype=float)).tolist()))
print(json.dumps(cases))
