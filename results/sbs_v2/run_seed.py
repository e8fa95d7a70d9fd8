import os, sys, json, random, io, contextlib
import numpy as np
os.environ['SBS_SRC'] = '.'
conf, seed = sys.argv[1], int(sys.argv[2])
random.seed(seed); np.random.seed(seed)
from Chain.Parameters import Parameters
from Chain.Manager.Manager import Manager
from Chain.Metrics import Metrics
sys.argv = [sys.argv[0], '--conf', conf]
with contextlib.redirect_stdout(io.StringIO()):
    m = Manager(); m.load_params(conf); m.set_up(); m.run()
    Metrics.measure_all(m.sim)
mean = lambda xs: sum(xs) / len(xs)
ns = m.sim.nodes
print(json.dumps({'seed': seed, 'blocks': max(len(n.blockchain) - 1 for n in ns),
    'latency_sbs_s': mean([Metrics.latency[n.id]['AVG'] for n in ns]),
    'throughput_sbs_tps': mean([Metrics.throughput[n.id] for n in ns]),
    'block_time_mean_s': mean([Metrics.blocktime[n.id]['AVG'] for n in ns])}))
