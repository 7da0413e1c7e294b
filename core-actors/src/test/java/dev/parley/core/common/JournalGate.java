package dev.parley.core.common;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;

/**
 * A journal policy for pekko's persistence test kit that holds every write until {@link #open()}: the journal of a
 * database that is slow right now. Open it in an {@code @AfterEach} too, or a failed test leaves the journal's
 * thread held for the next one (it gives up by itself after 30 s).
 */
public final class JournalGate implements ProcessingPolicy<JournalOperation> {

  private final CountDownLatch open = new CountDownLatch(1);

  public void open() {
    open.countDown();
  }

  @Override
  public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
    if (operation instanceof WriteEvents) {
      try {
        open.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ProcessingSuccess$.MODULE$;
  }
}
