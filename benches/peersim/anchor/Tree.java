package anchor;

import peersim.core.Node;
import peersim.edsim.EDProtocol;
import peersim.edsim.EDSimulator;

/** A tree broadcast (OPPI's, along the minimum spanning tree that {@link Mst} builds before
 * each experiment): a node forwards its first copy to every tree neighbour but the sender,
 * each link's delay as in {@link Flood}. */
public class Tree implements EDProtocol {
    private boolean got;
    static long messages;

    public Tree(String prefix) {}

    public Object clone() {
        try {
            Tree t = (Tree) super.clone();
            t.got = false;
            return t;
        } catch (CloneNotSupportedException e) {
            throw new RuntimeException(e);
        }
    }

    public void processEvent(Node node, int pid, Object event) {
        if (got) return;
        got = true;
        Node from = (Node) event;
        for (Node v : Mst.tree[node.getIndex()]) {
            if (v == from) continue;
            messages++;
            EDSimulator.add(Flood.delay(node.getID(), v.getID()), node, v, pid);
        }
    }
}
