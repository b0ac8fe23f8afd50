package dev.jkernel.kernel;

import java.util.Arrays;

/**
 * The table of signal dispositions (Linux's sighand_struct), shared by CLONE_SIGHAND and copied by fork. Its own
 * monitor guards it.
 */
public final class SigHand {
    private final SigAction[] actions = new SigAction[Signals.NSIG + 1];

    public SigHand() {
        Arrays.fill(actions, SigAction.DEFAULT);
    }

    public synchronized SigAction get(int sig) {
        return actions[sig];
    }

    public synchronized void set(int sig, SigAction a) {
        actions[sig] = a;
    }

    /** fork without CLONE_SIGHAND: a private copy. */
    public synchronized SigHand copy() {
        SigHand h = new SigHand();
        System.arraycopy(actions, 0, h.actions, 0, actions.length);
        return h;
    }

    /** exec (flush_signal_handlers) and CLONE_CLEAR_SIGHAND: caught signals go back to SIG_DFL, ignored stay. */
    public synchronized void resetCaught() {
        for (int i = 1; i <= Signals.NSIG; i++) {
            if (!actions[i].isIgnore()) {
                actions[i] = SigAction.DEFAULT;
            }
        }
    }
}
