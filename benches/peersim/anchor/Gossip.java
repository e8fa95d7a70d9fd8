package anchor;

import peersim.config.Configuration;
import peersim.core.CommonState;
import peersim.core.Linkable;
import peersim.core.Node;
import peersim.edsim.EDProtocol;
import peersim.edsim.EDSimulator;

/** Periodic push gossip: a node informed for the first time pushes `pushes` times, every
 * `period`, the first at once, each time to `fanout` neighbours drawn with replacement; each
 * link's delay as in {@link Flood}. */
public class Gossip implements EDProtocol {
    private static final Object PUSH = new Object();
    private final int linkPid, period, fanout, pushes;
    private boolean got;
    private int done;
    static long messages;

    public Gossip(String prefix) {
        linkPid = Configuration.getPid(prefix + ".linkable");
        period = Configuration.getInt(prefix + ".period");
        fanout = Configuration.getInt(prefix + ".fanout");
        pushes = Configuration.getInt(prefix + ".pushes");
    }

    public Object clone() {
        try {
            Gossip g = (Gossip) super.clone();
            g.got = false;
            g.done = 0;
            return g;
        } catch (CloneNotSupportedException e) {
            throw new RuntimeException(e);
        }
    }

    public void processEvent(Node node, int pid, Object event) {
        if (event != PUSH) {
            if (got) return;
            got = true;
            EDSimulator.add(0, PUSH, node, pid);
            return;
        }
        Linkable l = (Linkable) node.getProtocol(linkPid);
        if (l.degree() > 0) {
            for (int i = 0; i < fanout; i++) {
                Node v = l.getNeighbor(CommonState.r.nextInt(l.degree()));
                messages++;
                EDSimulator.add(Flood.delay(node.getID(), v.getID()), node, v, pid);
            }
        }
        if (++done < pushes) EDSimulator.add(period, PUSH, node, pid);
    }
}
