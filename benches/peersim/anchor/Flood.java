package anchor;

import peersim.config.Configuration;
import peersim.core.Linkable;
import peersim.core.Node;
import peersim.edsim.EDProtocol;
import peersim.edsim.EDSimulator;

/** Flooding: a node forwards its first copy to every neighbour but the sender; each link's
 * delay is a fixed uniform integer in 1..100 (a hash of the link's two ids). */
public class Flood implements EDProtocol {
    private final int linkPid;
    private boolean got;
    static long messages;

    public Flood(String prefix) {
        linkPid = Configuration.getPid(prefix + ".linkable");
    }

    public Object clone() {
        try {
            Flood f = (Flood) super.clone();
            f.got = false;
            return f;
        } catch (CloneNotSupportedException e) {
            throw new RuntimeException(e);
        }
    }

    static long delay(long a, long b) {
        long lo = Math.min(a, b), hi = Math.max(a, b);
        long h = lo * 0x9E3779B97F4A7C15L ^ (hi + 0x632BE59BD9B4E019L);
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 27;
        return 1 + Long.remainderUnsigned(h, 100);
    }

    public void processEvent(Node node, int pid, Object event) {
        if (got) return;
        got = true;
        Node from = (Node) event;
        Linkable l = (Linkable) node.getProtocol(linkPid);
        for (int i = 0; i < l.degree(); i++) {
            Node v = l.getNeighbor(i);
            if (v == from) continue;
            messages++;
            EDSimulator.add(delay(node.getID(), v.getID()), node, v, pid);
        }
    }
}
