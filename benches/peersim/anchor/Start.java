package anchor;

import peersim.config.Configuration;
import peersim.core.CommonState;
import peersim.core.Control;
import peersim.core.Network;
import peersim.edsim.EDSimulator;

/** Starts one broadcast from a random node at time 0 (and reports the previous one's count). */
public class Start implements Control {
    private final int pid;

    public Start(String prefix) {
        pid = Configuration.getPid(prefix + ".protocol");
    }

    public boolean execute() {
        long sent = Flood.messages + Tree.messages + Gossip.messages;
        if (sent > 0) System.err.println("messages " + sent);
        Flood.messages = Tree.messages = Gossip.messages = 0;
        EDSimulator.add(0, null, Network.get(CommonState.r.nextInt(Network.size())), pid);
        return false;
    }
}
