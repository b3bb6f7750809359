package io.imgedge.proxy.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * One request's wait for shared work: the request says when it stops waiting (it timed out, or
 * its client went away), so that work nobody waits for any more can be dropped before it starts.
 * Thread-safe.
 */
public final class Waiting {
    /** For work nobody asked for but that should still be done (background refreshes): never gone. */
    public static final Waiting FOREVER = new Waiting();

    /** Made when first needed: most requests are memory hits that never wait. */
    private List<Runnable> onGone;
    private boolean gone;

    /** The request stops waiting: what was to run then runs now (once). */
    public void gone() {
        if (this == FOREVER) {
            return;
        }
        List<Runnable> run;
        synchronized (this) {
            if (gone) {
                return;
            }
            gone = true;
            run = onGone;
            onGone = null;
        }
        if (run != null) {
            run.forEach(Runnable::run);
        }
    }

    /** Runs {@code action} when the request stops waiting, or at once if it has. */
    public void onGone(Runnable action) {
        if (this == FOREVER) {
            return;
        }
        synchronized (this) {
            if (!gone) {
                if (onGone == null) {
                    onGone = new ArrayList<>(1);
                }
                onGone.add(action);
                return;
            }
        }
        action.run();
    }
}
